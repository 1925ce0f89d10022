"""The camera: slow lighting drift across the recording and per-frame sensor noise.

Both are functions of the frame index alone (never of render order), so `World.render_frame(i)`
gives the same pixels whether frames are rendered in sequence or at random.
"""

from __future__ import annotations

import cv2
import numpy as np

from core.demo.config import WorldConfig

_BANK_SIZE = 8
_BANK_PAD = 32


class Camera:
    """Applies light and noise to a float32 BGR albedo image, in place, and returns uint8."""

    def __init__(self, config: WorldConfig, rng: np.random.Generator) -> None:
        self.config = config
        H, W = config.height, config.width
        ys, xs = np.mgrid[0:H, 0:W].astype(np.float32)
        # Three-channel copies so the light field is one cv2.addWeighted, not a numpy broadcast.
        self._xn = cv2.merge([(xs - W / 2) / (W / 2)] * 3)
        self._yn = cv2.merge([(ys - H / 2) / (H / 2)] * 3)
        # Light: a few slow sinusoids with random periods and phases for the overall level and
        # for a left-right and top-bottom gradient (a lamp warming up, a door, daylight).
        self._level = self._waves(rng, amplitudes=(0.07, 0.03), periods=((25, 70), (6, 15)))
        self._grad_x = self._waves(rng, amplitudes=(0.06,), periods=((20, 60),))
        self._grad_y = self._waves(rng, amplitudes=(0.06,), periods=((20, 60),))
        self._flicker_phase = rng.uniform(0, 2 * np.pi)
        # Fresh Gaussian noise for every frame of a 640x480 video costs more than drawing the
        # scene; a small bank of noise fields shifted by a per-frame offset looks the same.
        self._bank: np.ndarray | None = None
        if config.noise_sigma > 0:
            self._bank = rng.standard_normal((_BANK_SIZE, H + _BANK_PAD, W + _BANK_PAD, 3), dtype=np.float32)
            self._bank *= config.noise_sigma
        self._seed = config.seed

    @staticmethod
    def _waves(rng: np.random.Generator, amplitudes: tuple[float, ...],
               periods: tuple[tuple[float, float], ...]) -> list[tuple[float, float, float]]:
        return [(a, 2 * np.pi / rng.uniform(*p), rng.uniform(0, 2 * np.pi)) for a, p in zip(amplitudes, periods)]

    @staticmethod
    def _eval(waves: list[tuple[float, float, float]], t: float) -> float:
        return float(sum(a * np.sin(w * t + ph) for a, w, ph in waves))

    def gain(self, index: int) -> tuple[float, float, float]:
        """(level, x-gradient, y-gradient) of the light on frame `index`."""
        t = index / self.config.fps
        flicker = 0.004 * np.sin(2.3 * index + self._flicker_phase)
        return 1.0 + self._eval(self._level, t) + flicker, self._eval(self._grad_x, t), self._eval(self._grad_y, t)

    def expose(self, albedo: np.ndarray, index: int) -> np.ndarray:
        """The uint8 BGR frame the sensor records of `albedo` (modified in place) on frame `index`."""
        level, gx, gy = self.gain(index)
        field = cv2.addWeighted(self._xn, gx, self._yn, gy, level)
        cv2.multiply(albedo, field, dst=albedo)
        if self._bank is None:
            return cv2.add(albedo, 0.0, dtype=cv2.CV_8U)
        pick = np.random.default_rng((self._seed, index, 7)).integers(0, (_BANK_SIZE, _BANK_PAD, _BANK_PAD))
        b, dy, dx = (int(v) for v in pick)
        H, W = self.config.height, self.config.width
        # dtype=CV_8U: cv2 rounds and saturates to 0..255 in the same pass as the addition.
        return cv2.add(albedo, self._bank[b, dy:dy + H, dx:dx + W], dtype=cv2.CV_8U)
