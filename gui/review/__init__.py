"""Reviewing a model's predictions: the predict dialog, the review dock and the controller
that the main window creates per project to wire them in."""
