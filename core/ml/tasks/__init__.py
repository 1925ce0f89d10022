"""The tasks Ethoframe trains, and the registry that maps a task name to its module."""
