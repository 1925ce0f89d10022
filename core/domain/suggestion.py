"""A frame suggested for labelling, and why it was suggested."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SuggestionMethod = Literal["uniform", "kmeans", "uncertainty", "manual"]


@dataclass(frozen=True)
class Suggestion:
    video_id: int
    frame_index: int
    method: SuggestionMethod
    score: float | None = None
    id: int | None = None
    assigned_to: str | None = None  # the labeller whose queue it is in (None: anyone's)
