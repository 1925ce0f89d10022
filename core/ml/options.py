"""Task options given as text, `key=value` with JSON values (`mode=topdown`, `batch_size=4`,
`augment={"hflip": 0}`): one parser for the CLI's `--option` and the train dialog's field."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any


def parse_options(pairs: Iterable[str]) -> dict[str, Any]:
    """Options from `key=value` strings; values are JSON when they parse (numbers, true,
    objects), else plain text. A pair without "=" (or without a key) raises ValueError."""
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"options are KEY=VALUE, not {pair!r}")
        try:
            options[key] = json.loads(value)
        except json.JSONDecodeError:
            options[key] = value
    return options
