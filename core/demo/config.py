"""What a demo world is made of: its parameters, the skeleton and the ethogram it is labelled with.

These are the constants other parts of Ethoframe code against when they build the demo project
(skeleton and behaviour definitions) or a benchmark (a `WorldConfig` names one exact world).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal, NamedTuple


class Skeleton(NamedTuple):
    """Node names, edges and left/right pairs as plain tuples of node names."""

    nodes: tuple[str, ...]
    edges: tuple[tuple[str, str], ...]
    symmetries: tuple[tuple[str, str], ...]


SKELETON = Skeleton(
    nodes=("snout", "left_ear", "right_ear", "neck", "tail_base", "tail_tip"),
    edges=(
        ("snout", "neck"),
        ("left_ear", "neck"),
        ("right_ear", "neck"),
        ("neck", "tail_base"),
        ("tail_base", "tail_tip"),
    ),
    symmetries=(("left_ear", "right_ear"),),
)

# (name, key, colour, kind). The order is the integer code stored in the ground truth.
BEHAVIOURS: tuple[tuple[str, str, str, str], ...] = (
    ("walk", "w", "#3cb44b", "state"),
    ("turn", "n", "#4363d8", "state"),  # n, c: t and g are the template and GrabCut keys
    ("rest", "r", "#a9a9a9", "state"),
    ("groom", "c", "#f58231", "state"),
    ("social", "s", "#e6194b", "state"),
)
BEHAVIOUR_NAMES: tuple[str, ...] = tuple(b[0] for b in BEHAVIOURS)
WALK, TURN, REST, GROOM, SOCIAL = range(len(BEHAVIOURS))

# Visibility codes of a keypoint, as COCO uses them.
OUT_OF_FRAME, OCCLUDED, VISIBLE = 0, 1, 2


@dataclass(frozen=True)
class WorldConfig:
    """One exact demo world: the same config always renders the same pixels and truth.

    `arena_fill` is the arena's extent as a fraction of the frame (the circle's diameter over
    the shorter side; the rectangle's sides over the frame's); above 1 the camera crops the
    arena, so animals can leave the frame (keypoint visibility 0).
    """

    width: int = 640
    height: int = 480
    fps: float = 30.0
    seconds: float = 60.0
    n_animals: int = 3
    seed: int = 0
    arena: Literal["circle", "rectangle"] = "circle"
    arena_fill: float = 0.92
    noise_sigma: float = 3.0  # sensor noise, grey levels

    def __post_init__(self) -> None:
        if self.width < 64 or self.height < 48:
            raise ValueError(f"a demo world is at least 64x48 pixels, not {self.width}x{self.height}")
        if self.width % 2 or self.height % 2:
            # yuv420p subsamples chroma 2x2: H.264 encoders refuse odd sizes.
            raise ValueError(f"width and height must be even for yuv420p video, not {self.width}x{self.height}")
        if self.seed < 0:
            raise ValueError(f"seed must be non-negative, not {self.seed}")
        if self.fps <= 0 or self.seconds <= 0:
            raise ValueError("fps and seconds must be positive")
        if not 1 <= self.n_animals <= 8:
            raise ValueError(f"a demo world holds 1 to 8 animals, not {self.n_animals}")
        if self.arena not in ("circle", "rectangle"):
            raise ValueError(f"arena is 'circle' or 'rectangle', not {self.arena!r}")
        if not 0.3 <= self.arena_fill <= 2.0:
            raise ValueError(f"arena_fill must lie in [0.3, 2], not {self.arena_fill}")

    @property
    def n_frames(self) -> int:
        return max(1, int(round(self.fps * self.seconds)))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> WorldConfig:
        return cls(**data)
