"""The `ethoframe` command line: the contract that scripts, the GUI's background jobs and
later features (train, predict, import, export) extend."""
