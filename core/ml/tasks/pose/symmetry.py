"""Left/right node pairs read from node names, for mirror augmentation when a skeleton declares
none (SLEAP files often carry none: SLEAP's fly clip names wingL/wingR, eyeL/eyeR and six legs
but declares no symmetry). A mirrored sample swaps each pair, so a mirror doubles the poses a
model sees without teaching it that left is right."""

from __future__ import annotations

import re

# Name forms that say "left" or "right": a whole word, or L/R as a separate token or at the
# end of a word (wingL, eye_r, left_ear, L_hind), case-insensitive.
_SIDES = (("left", "right"), ("l", "r"))


def _other_side(name: str) -> str | None:
    """The name with its side swapped, when it names exactly one side; else None."""
    for left, right in _SIDES:
        for this, that in ((left, right), (right, left)):
            if len(this) > 1:
                pattern = rf"(?i)(?<![a-z]){this}(?![a-z])"
            else:  # a single letter: its own token, or the end of a word after a lower-case letter or digit
                pattern = rf"(?<![A-Za-z]){this}(?![a-z])|(?<=[a-z0-9]){this.upper()}(?![a-z])|(?<![A-Za-z]){this.upper()}(?![a-z])"
            matches = list(re.finditer(pattern, name))
            if len(matches) == 1:
                m = matches[0]
                swapped = that.upper() if m.group(0).isupper() else that if m.group(0).islower() else that.title()
                return name[: m.start()] + swapped + name[m.end() :]
    return None


def infer_symmetries(nodes: list[str] | tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """Index pairs (i, j), i < j, of nodes whose names differ only by their side."""
    index = {name: i for i, name in enumerate(nodes)}
    pairs = set()
    for i, name in enumerate(nodes):
        other = _other_side(name)
        j = index.get(other) if other is not None else None
        if j is not None and j != i and _other_side(nodes[j]) == name:
            pairs.add((min(i, j), max(i, j)))
    return tuple(sorted(pairs))
