"""Fixtures of the interchange tests (the helpers live in `interchange_helpers.py`)."""

from interchange_helpers import data, new_project  # noqa: F401
