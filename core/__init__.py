"""Ethoframe's core: the project store, edits, video, geometry, interchange, ML and the CLI.

Pure Python. Nothing here imports Qt (an import-linter contract in pyproject.toml checks it):
everything the GUI does goes through this package and is tested here first.
"""

import logging

# Records go nowhere (not to stderr) until an entry point calls `core.runtime.log_file.setup_logging`.
logging.getLogger(__name__).addHandler(logging.NullHandler())
