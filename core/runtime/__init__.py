"""What every long job shares, whatever its room: cancelling, progress and the log file.

The lowest layer with `core.domain`: it imports nothing else from `core`."""
