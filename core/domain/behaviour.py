"""The ethogram: behaviour definitions, and behaviour events over frame ranges."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from core.domain.stamp import Stamp

BehaviourKind = Literal["state", "point"]


@dataclass(frozen=True)
class Behaviour:
    """A behaviour of the ethogram. `key` is the keyboard key that codes it (as in BORIS);
    a state behaviour lasts over a range of frames, a point behaviour happens at one frame."""

    name: str
    key: str | None = None
    color: str = "#4363d8"
    kind: BehaviourKind = "state"
    id: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("state", "point"):
            raise ValueError(f"a behaviour is a 'state' or a 'point' event, not {self.kind!r}")


@dataclass(frozen=True, eq=False)
class BehaviourEvent:
    """One bout of `behaviour_id` on video `video_id`, frames `start_frame` to `end_frame`
    inclusive, done by track `subject_id` (None: no subject, or the only animal).

    `end_frame` is None while a state event is still being coded (started, not yet stopped).
    A prediction carries `probabilities` of shape `(end_frame - start_frame + 1,)`.
    """

    video_id: int
    behaviour_id: int
    start_frame: int
    end_frame: int | None
    subject_id: int | None = None
    source: Literal["user", "predicted"] = "user"
    score: float | None = None
    model_id: int | None = None
    probabilities: np.ndarray | None = None
    id: int | None = None
    stamp: Stamp | None = field(default=None, compare=False, repr=False)  # who and when; set by the store

    def __post_init__(self) -> None:
        if self.end_frame is not None and self.end_frame < self.start_frame:
            raise ValueError(f"a behaviour event cannot end (frame {self.end_frame}) before it starts (frame {self.start_frame})")

    @property
    def is_open(self) -> bool:
        return self.end_frame is None

    def with_changes(self, **changes) -> BehaviourEvent:
        return replace(self, **changes)

    def covers(self, frame_index: int) -> bool:
        end = self.start_frame if self.end_frame is None else self.end_frame
        return self.start_frame <= frame_index <= end
