"""Ethoframe's desktop GUI (PySide6, pyqtgraph): turns gestures into core calls and state into pixels."""

import logging

# Records go nowhere (not to stderr) until an entry point calls `core.runtime.log_file.setup_logging`.
logging.getLogger(__name__).addHandler(logging.NullHandler())
