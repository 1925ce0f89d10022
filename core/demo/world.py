"""A demo world: one seed's arena, animals and recording, rendered a frame at a time.

Everything random is drawn when the world is built (background, looks, the whole motion), each
from its own stream of the seed, so `render_frame(i)` depends on `i` alone: frames can be
rendered in any order, and in parallel by separate `World` objects, with identical results.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from core.demo import rle
from core.demo.animal import Appearance, draw, figure, make_appearances
from core.demo.arena import Arena, render_background
from core.demo.camera import Camera
from core.demo.config import BEHAVIOUR_NAMES, OCCLUDED, OUT_OF_FRAME, VISIBLE, WorldConfig
from core.demo.motion import Trajectories, simulate
from core.demo.truth import AnimalTruth


@dataclass(frozen=True, eq=False)
class RenderedFrame:
    """One frame and its truth. `image` (H, W, 3) uint8 BGR; `labels` (H, W) uint8 holds
    track id + 1 where that animal is the visible one, 0 on the background; `animals` lists
    every animal by track id, hidden ones included (area 0)."""

    index: int
    image: np.ndarray
    labels: np.ndarray
    animals: list[AnimalTruth]
    crops: list[tuple[int, int, int, int]]  # per track: (y0, y1, x0, x1) holding all its visible pixels

    def mask(self, track_id: int) -> np.ndarray:
        """The visible mask of `track_id`, (H, W) bool."""
        return self.labels == track_id + 1

    def mask_rle(self, track_id: int) -> np.ndarray:
        """COCO uncompressed RLE counts of the visible mask of `track_id`."""
        y0, y1, x0, x1 = self.crops[track_id]
        H, W = self.labels.shape
        return rle.encode_crop(self.labels[y0:y1, x0:x1] == track_id + 1, y0, x0, H, W)


class World:
    """The world of `config`. `render_frame(i)` renders any frame; `step()` (and iteration)
    renders them in order."""

    def __init__(self, config: WorldConfig) -> None:
        self.config = config
        streams = [np.random.default_rng(s) for s in np.random.SeedSequence(config.seed).spawn(4)]
        self.arena = Arena(config)
        self.background = render_background(self.arena, config, streams[0])
        self.camera = Camera(config, streams[1])
        self.looks: list[Appearance] = make_appearances(config.n_animals, self.arena.size, streams[2])
        self.motion: Trajectories = simulate(config, self.arena, [a.length for a in self.looks], streams[3])
        self._next = 0

    @property
    def n_frames(self) -> int:
        return self.config.n_frames

    @property
    def identities(self) -> list[str]:
        return [look.coat for look in self.looks]

    def render_frame(self, index: int) -> RenderedFrame:
        if not 0 <= index < self.n_frames:
            raise IndexError(f"frame {index} is outside 0..{self.n_frames - 1}")
        H, W = self.config.height, self.config.width
        albedo = self.background.copy()
        labels = np.zeros((H, W), np.uint8)
        m = self.motion
        figures = [figure(m.spine[index, k], m.tail[index, k], look, float(m.breath[index, k]))
                   for k, look in enumerate(self.looks)]
        # Lowest first: each animal's shadow and body cover those drawn before it, and its
        # label overwrites theirs, so `labels` ends up holding the visible parts only.
        crops: list[tuple[int, int, int, int]] = [(0, 0, 0, 0)] * len(figures)
        for k in np.argsort(m.depth[index], kind="stable"):
            crops[k] = draw(albedo, labels, figures[k], self.looks[k], int(k) + 1)
        image = self.camera.expose(albedo, index)

        animals = []
        for k, fig in enumerate(figures):
            box, area, crops[k] = self._visible_box(labels, crops[k], k + 1)
            animals.append(AnimalTruth(track_id=k, box=box, keypoints=self._keypoints(fig.keypoints, labels, k + 1),
                                       behaviour=BEHAVIOUR_NAMES[m.behaviour[index, k]], area=area))
        return RenderedFrame(index=index, image=image, labels=labels, animals=animals, crops=crops)

    @staticmethod
    def _visible_box(labels: np.ndarray, crop: tuple[int, int, int, int], label: int
                     ) -> tuple[np.ndarray, int, tuple[int, int, int, int]]:
        """Box, area and tight crop of the pixels labelled `label`, all of which lie in `crop`
        (the region the animal was drawn in: animals drawn later only remove pixels)."""
        y0, y1, x0, x1 = crop
        visible = labels[y0:y1, x0:x1] == label
        rows = np.flatnonzero(visible.any(axis=1))
        if rows.size == 0:
            return np.zeros(4, np.float32), 0, (0, 0, 0, 0)
        cols = np.flatnonzero(visible.any(axis=0))
        ty0, ty1, tx0, tx1 = y0 + rows[0], y0 + rows[-1] + 1, x0 + cols[0], x0 + cols[-1] + 1
        box = np.array([tx0, ty0, tx1, ty1], np.float32)
        return box, int(visible.sum()), (int(ty0), int(ty1), int(tx0), int(tx1))

    @staticmethod
    def _keypoints(points: np.ndarray, labels: np.ndarray, label: int) -> np.ndarray:
        """(K, 3) x, y, visibility: out of frame, under another animal, or visible."""
        H, W = labels.shape
        out = np.zeros((len(points), 3), np.float32)
        out[:, :2] = points
        c = np.round(points[:, 0]).astype(int)
        r = np.round(points[:, 1]).astype(int)
        inside = (c >= 0) & (c < W) & (r >= 0) & (r < H)
        under = np.zeros(len(points), bool)
        owner = labels[r[inside], c[inside]]
        # Hidden means another animal's pixels are on top of the point; a point on the
        # background (a tail tip thinner than half a pixel, an ear's rim) is still visible.
        under[inside] = (owner != 0) & (owner != label)
        out[:, 2] = np.where(~inside, OUT_OF_FRAME, np.where(under, OCCLUDED, VISIBLE))
        return out

    def step(self) -> RenderedFrame:
        """The next frame in order; raises StopIteration after the last."""
        if self._next >= self.n_frames:
            raise StopIteration
        frame = self.render_frame(self._next)
        self._next += 1
        return frame

    def __iter__(self) -> Iterator[RenderedFrame]:
        return self

    def __next__(self) -> RenderedFrame:
        return self.step()
