"""The demo world's exact ground truth: per frame and animal, box, visible mask, keypoints, behaviour.

Held as dense arrays (frames x animals) plus one run-length-encoded mask per frame and animal
(COCO's uncompressed column-major counts, see `rle.py`): 1,800 frames of three animals take a
few megabytes instead of the 1.6 GB their full-frame boolean masks would. Saved as a single
`.npz` with a JSON header inside (no pickle: it loads with `allow_pickle=False`).

Conventions: boxes are (x1, y1, x2, y2) pixel edges of the visible mask, x2 = last column + 1
(so COCO's (x, y, w, h) is (x1, y1, x2 - x1, y2 - y1)); keypoints are (x, y, visibility) with
pixel (c, r) centred at (c, r), visibility 2 visible, 1 hidden under another animal, 0 out of
the frame. Track ids are 0 .. n_animals - 1 and stable for the whole video.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.demo import rle
from core.demo.config import BEHAVIOUR_NAMES, BEHAVIOURS, SKELETON, Skeleton, WorldConfig

_FORMAT = "ethoframe-demo-truth"
_VERSION = 1


@dataclass(frozen=True, eq=False)
class AnimalTruth:
    """One animal on one frame. `box` (4,) float32 x1, y1, x2, y2 (zeros when nothing of it is
    visible, `area` 0); `keypoints` (n_nodes, 3) float32 x, y, visibility."""

    track_id: int
    box: np.ndarray
    keypoints: np.ndarray
    behaviour: str
    area: int


class GroundTruth:
    """Truth for every frame of one rendered demo world. Frame i is the i-th decoded frame."""

    def __init__(self, config: WorldConfig, identities: list[str], boxes: np.ndarray, keypoints: np.ndarray,
                 behaviour: np.ndarray, areas: np.ndarray, rle_counts: np.ndarray, rle_offsets: np.ndarray) -> None:
        self.config = config
        self.identities = list(identities)  # coat name per track id, e.g. "black", "albino"
        self.boxes = boxes  # (F, A, 4) float32
        self.keypoints = keypoints  # (F, A, K, 3) float32
        self.behaviour = behaviour  # (F, A) int8 index into BEHAVIOURS
        self.areas = areas  # (F, A) int32 visible pixels
        self._counts = rle_counts  # all RLE counts, concatenated
        self._offsets = rle_offsets  # (F * A + 1,) where each mask's counts start

    @property
    def n_frames(self) -> int:
        return self.boxes.shape[0]

    @property
    def track_ids(self) -> list[int]:
        return list(range(self.boxes.shape[1]))

    @property
    def skeleton(self) -> Skeleton:
        return SKELETON

    def _check(self, index: int, track_id: int | None = None) -> None:
        if not 0 <= index < self.n_frames:
            raise IndexError(f"frame {index} is outside 0..{self.n_frames - 1}")
        if track_id is not None and not 0 <= track_id < self.boxes.shape[1]:
            raise KeyError(f"no track {track_id} in this world")

    def frame(self, index: int, include_hidden: bool = False) -> list[AnimalTruth]:
        """The animals on frame `index`, by track id; those with no visible pixel only when
        `include_hidden` (a detector cannot be asked to find them)."""
        self._check(index)
        out = []
        for k in self.track_ids:
            area = int(self.areas[index, k])
            if area == 0 and not include_hidden:
                continue
            out.append(AnimalTruth(track_id=k, box=self.boxes[index, k].copy(), keypoints=self.keypoints[index, k].copy(),
                                   behaviour=BEHAVIOUR_NAMES[self.behaviour[index, k]], area=area))
        return out

    def mask_rle(self, index: int, track_id: int) -> dict:
        """The visible mask as COCO uncompressed RLE: {"size": [H, W], "counts": [...]}."""
        self._check(index, track_id)
        return {"size": [self.config.height, self.config.width], "counts": self._rle(index, track_id).tolist()}

    def _rle(self, index: int, track_id: int) -> np.ndarray:
        slot = index * self.boxes.shape[1] + track_id
        return self._counts[self._offsets[slot]:self._offsets[slot + 1]]

    def mask(self, index: int, track_id: int) -> np.ndarray:
        """The visible mask of `track_id` on frame `index`, (H, W) bool."""
        self._check(index, track_id)
        return rle.decode(self._rle(index, track_id), self.config.height, self.config.width)

    def behaviour_bouts(self, track_id: int) -> list[tuple[str, int, int]]:
        """(behaviour, start frame, end frame inclusive) of each bout of `track_id`, in order."""
        self._check(0, track_id)
        codes = self.behaviour[:, track_id]
        starts = np.flatnonzero(np.concatenate([[True], codes[1:] != codes[:-1]]))
        ends = np.concatenate([starts[1:] - 1, [len(codes) - 1]])
        return [(BEHAVIOUR_NAMES[codes[s]], int(s), int(e)) for s, e in zip(starts, ends)]

    def save(self, path: str | Path) -> None:
        """Write everything to one `.npz` file (compressed; loadable without pickle)."""
        header = {
            "format": _FORMAT, "version": _VERSION, "config": self.config.to_dict(),
            "identities": self.identities,
            "skeleton": {"nodes": list(SKELETON.nodes), "edges": [list(e) for e in SKELETON.edges],
                         "symmetries": [list(s) for s in SKELETON.symmetries]},
            "behaviours": [list(b) for b in BEHAVIOURS],
        }
        with open(path, "wb") as f:  # a file object: np.savez would otherwise append ".npz"
            np.savez_compressed(f, header=np.array(json.dumps(header)), boxes=self.boxes, keypoints=self.keypoints,
                                behaviour=self.behaviour, areas=self.areas, rle_counts=self._counts,
                                rle_offsets=self._offsets)

    @classmethod
    def load(cls, path: str | Path) -> GroundTruth:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(str(data["header"]))
            if header.get("format") != _FORMAT:
                raise ValueError(f"{path} is not an Ethoframe demo ground-truth file")
            if header.get("version", 0) > _VERSION:
                raise ValueError(f"{path} was written by a newer Ethoframe (version {header['version']})")
            if [b[0] for b in header["behaviours"]] != list(BEHAVIOUR_NAMES):
                raise ValueError(f"{path} codes behaviours {header['behaviours']}, not this version's")
            return cls(WorldConfig.from_dict(header["config"]), header["identities"], data["boxes"],
                       data["keypoints"], data["behaviour"], data["areas"], data["rle_counts"], data["rle_offsets"])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GroundTruth):
            return NotImplemented
        return (self.config == other.config and self.identities == other.identities
                and all(np.array_equal(a, b) for a, b in zip(self._arrays(), other._arrays())))

    def _arrays(self) -> tuple[np.ndarray, ...]:
        return self.boxes, self.keypoints, self.behaviour, self.areas, self._counts, self._offsets


class TruthRecorder:
    """Collects frames' truth as they are rendered, in order, and builds the `GroundTruth`."""

    def __init__(self, config: WorldConfig, identities: list[str]) -> None:
        F, A, K = config.n_frames, len(identities), len(SKELETON.nodes)
        self.config = config
        self.identities = identities
        self.boxes = np.zeros((F, A, 4), np.float32)
        self.keypoints = np.zeros((F, A, K, 3), np.float32)
        self.behaviour = np.zeros((F, A), np.int8)
        self.areas = np.zeros((F, A), np.int32)
        self._counts: list[np.ndarray] = []
        self._next = 0

    def add(self, index: int, animals: list[AnimalTruth], rles: list[np.ndarray]) -> None:
        """Record frame `index` (frames come in order) from every animal's truth and RLE counts."""
        if index != self._next:
            raise ValueError(f"frames must be recorded in order: expected {self._next}, got {index}")
        for a, counts in zip(animals, rles):
            self.boxes[index, a.track_id] = a.box
            self.keypoints[index, a.track_id] = a.keypoints
            self.behaviour[index, a.track_id] = BEHAVIOUR_NAMES.index(a.behaviour)
            self.areas[index, a.track_id] = a.area
            self._counts.append(counts)
        self._next += 1

    def finish(self) -> GroundTruth:
        if self._next != self.config.n_frames:
            raise ValueError(f"only {self._next} of {self.config.n_frames} frames were recorded")
        lengths = np.array([len(c) for c in self._counts], np.int64)
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        counts = np.concatenate(self._counts).astype(np.uint32)
        return GroundTruth(self.config, self.identities, self.boxes, self.keypoints, self.behaviour, self.areas,
                           counts, offsets)
