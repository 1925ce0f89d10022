"""The arena: its geometry (where animals may be) and its static look (floor, wall, table).

Geometry is a signed distance to the wall, so the motion model can steer along walls and clamp
to them the same way for a circle and a rectangle. The look is rendered once per world as a
float32 BGR albedo image; lighting and sensor noise are applied per frame by `camera.py`.
"""

from __future__ import annotations

import cv2
import numpy as np

from core.demo.config import WorldConfig


class Arena:
    """A convex arena centred in the frame. Convexity matters: a chain of points that follows
    a path inside a convex region stays inside it, which keeps tails inside the wall."""

    def __init__(self, config: WorldConfig) -> None:
        self.kind = config.arena
        self.cx = config.width / 2.0
        self.cy = config.height / 2.0
        short = min(config.width, config.height)
        # Wall thickness and animal size both scale with the frame's shorter side, so a small
        # test world is a shrunken copy of the default one.
        self.wall = 0.035 * short * config.arena_fill
        if self.kind == "circle":
            self.radius = 0.5 * config.arena_fill * short - self.wall
            self.half = (self.radius, self.radius)
        else:
            self.half = (0.5 * config.arena_fill * config.width - self.wall,
                         0.5 * config.arena_fill * config.height - self.wall)
            self.radius = min(self.half)

    @property
    def size(self) -> float:
        """The floor's smaller half-extent: the scale the motion model thinks in."""
        return self.radius

    def signed_distance(self, points: np.ndarray) -> np.ndarray:
        """Distance from `points` (..., 2) to the wall's inner face: positive on the floor."""
        dx = points[..., 0] - self.cx
        dy = points[..., 1] - self.cy
        if self.kind == "circle":
            return self.radius - np.hypot(dx, dy)
        return np.minimum(self.half[0] - np.abs(dx), self.half[1] - np.abs(dy))

    def inward_normal(self, points: np.ndarray) -> np.ndarray:
        """Unit vectors (..., 2) from the nearest wall towards the floor."""
        dx = points[..., 0] - self.cx
        dy = points[..., 1] - self.cy
        if self.kind == "circle":
            norm = np.maximum(np.hypot(dx, dy), 1e-9)
            return np.stack([-dx / norm, -dy / norm], axis=-1)
        to_x = self.half[0] - np.abs(dx)
        to_y = self.half[1] - np.abs(dy)
        nearer_x = to_x < to_y
        nx = np.where(nearer_x, -np.sign(dx), 0.0)
        ny = np.where(nearer_x, 0.0, -np.sign(dy))
        return np.stack([nx, ny], axis=-1)

    def clamp(self, points: np.ndarray, margin: float) -> np.ndarray:
        """`points` (..., 2) moved the least so each lies at least `margin` inside the wall."""
        out = np.array(points, dtype=np.float64, copy=True)
        if self.kind == "circle":
            d = out - (self.cx, self.cy)
            r = np.hypot(d[..., 0], d[..., 1])
            limit = max(self.radius - margin, 0.0)
            scale = np.where(r > limit, limit / np.maximum(r, 1e-9), 1.0)
            return (self.cx, self.cy) + d * scale[..., None]
        out[..., 0] = np.clip(out[..., 0], self.cx - self.half[0] + margin, self.cx + self.half[0] - margin)
        out[..., 1] = np.clip(out[..., 1], self.cy - self.half[1] + margin, self.cy + self.half[1] - margin)
        return out


def _smooth_noise(rng: np.random.Generator, height: int, width: int, cell: float) -> np.ndarray:
    """Value noise with features about `cell` pixels wide, zero mean and unit-ish spread."""
    h = max(2, int(height / cell) + 2)
    w = max(2, int(width / cell) + 2)
    coarse = rng.standard_normal((h, w)).astype(np.float32)
    return cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)


def render_background(arena: Arena, config: WorldConfig, rng: np.random.Generator) -> np.ndarray:
    """The static scene's albedo as float32 BGR (H, W, 3) in grey levels: bedding on the
    floor, a shaded wall, a dark table outside, and the lens's vignette."""
    H, W = config.height, config.width
    short = min(H, W)
    ys, xs = np.mgrid[0:H, 0:W].astype(np.float32)
    grid = np.stack([xs, ys], axis=-1)

    # Bedding: beige wood shavings. Large blotches (uneven bedding depth) + grain + chips.
    base = np.array([112, 146, 170], np.float32) * rng.uniform(0.92, 1.08)
    light = 1.0 + 0.07 * _smooth_noise(rng, H, W, short / 6) + 0.05 * _smooth_noise(rng, H, W, short / 60)
    floor = base[None, None, :] * light[..., None]
    n_chips = int(H * W / 45)
    scale = short / 480.0
    centres = rng.uniform((0, 0), (W, H), size=(n_chips, 2))
    lengths = rng.uniform(1.5, 5.0, n_chips) * scale
    widths = rng.uniform(0.6, 1.6, n_chips) * scale
    angles = rng.uniform(0, 180, n_chips)
    tones = rng.uniform(0.72, 1.28, n_chips)
    hues = rng.normal(0, 0.015, (n_chips, 3))
    for (x, y), ln, wd, ang, tone, hue in zip(centres, lengths, widths, angles, tones, hues):
        colour = tuple(float(c) for c in base * tone * (1 + hue))
        # shift=4: sub-pixel centres and axes, so small chips are not all the same square.
        cv2.ellipse(floor, (int(x * 16), int(y * 16)), (max(1, int(ln * 16)), max(1, int(wd * 16))),
                    float(ang), 0, 360, colour, -1, cv2.LINE_AA, 4)
    floor *= (1.0 + 0.04 * rng.standard_normal((H, W), dtype=np.float32))[..., None]
    floor = cv2.GaussianBlur(floor, (0, 0), 0.6 * max(scale, 0.5))

    sd = arena.signed_distance(grid)
    normal = arena.inward_normal(grid)
    # Light comes from the top-left: the wall faces that look at it are brighter, and the
    # floor is shaded most at the foot of the wall on the lit side (the wall blocks the light).
    light_dir = np.array([-0.6, -0.8], np.float32)
    facing = normal[..., 0] * light_dir[0] + normal[..., 1] * light_dir[1]
    shadow_width = 0.04 * short
    wall_shadow = 0.28 * np.exp(-np.maximum(sd, 0) / shadow_width) * (0.6 + 0.4 * facing)
    floor *= (1.0 - wall_shadow)[..., None]

    wall_colour = np.array([196, 200, 204], np.float32)
    rim = np.clip(-sd / max(arena.wall, 1e-6), 0, 1)  # 0 at the inner face, 1 at the outer edge
    wall_shade = 0.78 + 0.18 * rim - 0.14 * facing + 0.03 * _smooth_noise(rng, H, W, short / 20)
    wall = wall_colour[None, None, :] * wall_shade[..., None]

    table = np.array([38, 40, 44], np.float32)[None, None, :] * (
        1 + 0.08 * _smooth_noise(rng, H, W, short / 30))[..., None]

    # Anti-aliased blends between floor, wall and table (sd is in pixels).
    on_floor = np.clip(sd + 0.5, 0, 1)[..., None]
    on_wall = np.clip(sd + arena.wall + 0.5, 0, 1)[..., None]
    image = table * (1 - on_wall) + wall * on_wall
    image = image * (1 - on_floor) + floor * on_floor

    r2 = ((xs - W / 2) ** 2 + (ys - H / 2) ** 2) / ((W / 2) ** 2 + (H / 2) ** 2)
    image *= (1.0 - 0.22 * r2)[..., None]
    return np.ascontiguousarray(image, dtype=np.float32)
