"""Ethoframe's desktop GUI (PySide6, pyqtgraph): turns gestures into core calls and state into pixels."""
