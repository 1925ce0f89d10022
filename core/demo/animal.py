"""What each demo animal looks like, and drawing one animal from its pose.

Each identity has its own coat (black, albino, agouti, ...) and size, so a model can learn who
is who from appearance alone, as it would with real mouse strains or dyed fur. An animal is
drawn inside its own bounding crop: an anti-aliased coverage (alpha) per body part, a colour
image with a rounded-back shading and a fur texture that turns with the body, and a soft
shadow under it. The hard mask (coverage of at least half a pixel) is what the ground truth
calls the animal's pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from core.demo.motion import BODY_LENGTH_OF_ARENA

# (name, body, ears, tail, eyes) as BGR grey levels.
_COATS: tuple[tuple[str, tuple[float, float, float], tuple[float, float, float], tuple[float, float, float],
                    tuple[float, float, float]], ...] = (
    ("black", (40, 42, 46), (92, 90, 128), (78, 80, 96), (12, 12, 14)),
    ("albino", (186, 194, 200), (160, 165, 226), (150, 160, 212), (60, 40, 150)),
    ("agouti", (54, 86, 118), (96, 114, 170), (92, 106, 134), (14, 14, 16)),
    ("grey", (112, 112, 118), (120, 124, 172), (120, 124, 150), (14, 14, 16)),
    ("cream", (150, 192, 222), (150, 160, 226), (150, 165, 210), (60, 40, 150)),
    ("brown", (34, 50, 72), (80, 90, 140), (70, 82, 104), (10, 10, 12)),
    ("pied", (190, 196, 200), (150, 160, 220), (140, 150, 200), (14, 14, 16)),
    ("blue-grey", (98, 86, 80), (118, 112, 160), (110, 108, 140), (14, 14, 16)),
)
_SIZES = (1.0, 0.9, 1.1, 0.95, 1.05, 0.88, 1.02, 0.97)

SUPERSAMPLE = 4  # cv2 drawing's fractional bits: 16 sub-positions per pixel
_SCALE = 1 << SUPERSAMPLE

# Body half-width along the spine (0 = snout, 1 = tail base), as a fraction of the maximum.
_PROFILE_S = np.array([0.0, 0.08, 0.2, 0.3, 0.42, 0.62, 0.82, 1.0])
_PROFILE_W = np.array([0.22, 0.42, 0.62, 0.64, 0.9, 1.0, 0.86, 0.5])


@dataclass(frozen=True)
class Appearance:
    """One identity's look. `length` is snout to tail base and `width` the widest body, in pixels."""

    coat: str
    body: np.ndarray  # (3,) float32 BGR
    ears: np.ndarray
    tail: np.ndarray
    eyes: np.ndarray
    length: float
    width: float
    fur: np.ndarray  # (T, T) float32 zero-mean texture, drawn in body coordinates


def make_appearances(n_animals: int, arena_size: float, rng: np.random.Generator) -> list[Appearance]:
    out = []
    for k in range(n_animals):
        name, body, ears, tail, eyes = _COATS[k % len(_COATS)]
        tint = rng.normal(1.0, 0.03, 3)
        length = BODY_LENGTH_OF_ARENA * arena_size * _SIZES[k % len(_SIZES)] * rng.uniform(0.97, 1.03)
        size = max(16, int(length * 1.2))
        # Fur: noise stretched along the body axis (hairs lie from head to tail).
        noise = rng.standard_normal((size, size)).astype(np.float32)
        fur = cv2.GaussianBlur(noise, (0, 0), sigmaX=max(0.8, 0.03 * length), sigmaY=max(0.4, 0.008 * length))
        fur /= max(float(fur.std()), 1e-6)
        out.append(Appearance(
            coat=name,
            body=np.float32(body) * tint.astype(np.float32),
            ears=np.float32(ears), tail=np.float32(tail), eyes=np.float32(eyes),
            length=float(length), width=float(length * rng.uniform(0.40, 0.45)), fur=fur,
        ))
    return out


@lru_cache(maxsize=32)
def _catmull_rom_basis(n_points: int, per_segment: int) -> np.ndarray:
    """The matrix that maps `n_points` control points to their Catmull-Rom curve samples."""
    t = np.linspace(0, 1, per_segment, endpoint=False)
    # Weights of p[k-1], p[k], p[k+1], p[k+2] for each t (uniform Catmull-Rom).
    w = 0.5 * np.stack([-t + 2 * t**2 - t**3, 2 - 5 * t**2 + 3 * t**3, t + 4 * t**2 - 3 * t**3, -t**2 + t**3], 1)
    # Padded control points: a mirrored point before the first and after the last.
    pad = np.zeros((n_points + 2, n_points))
    pad[1:-1] = np.eye(n_points)
    pad[0, 0], pad[0, 1] = 2, -1
    pad[-1, -1], pad[-1, -2] = 2, -1
    rows = [w @ pad[k - 1:k + 3] for k in range(1, n_points)]
    rows.append(np.eye(n_points)[-1:])
    return np.concatenate(rows)


def _catmull_rom(points: np.ndarray, per_segment: int) -> np.ndarray:
    """A smooth curve through `points` (n, 2) with `per_segment` samples per span."""
    return _catmull_rom_basis(len(points), per_segment) @ points


def _outline(centre: np.ndarray, half_width: np.ndarray, cap_front: bool, cap_back: bool) -> np.ndarray:
    """A closed polygon around the curve `centre` (n, 2) with `half_width` (n,), rounded ends."""
    tangent = np.gradient(centre, axis=0)
    tangent /= np.maximum(np.linalg.norm(tangent, axis=1, keepdims=True), 1e-9)
    left = np.stack([tangent[:, 1], -tangent[:, 0]], axis=1)
    side_l = centre + left * half_width[:, None]
    side_r = centre - left * half_width[:, None]
    parts = []
    arc = np.linspace(0, np.pi, 7)[1:-1, None]
    if cap_front:  # from the right side, around the front, to the left side
        fwd = -tangent[0]
        parts.append(centre[0] + half_width[0] * (-left[0] * np.cos(arc) + fwd * np.sin(arc)))
    parts.append(side_l)
    if cap_back:
        back = tangent[-1]
        parts.append(centre[-1] + half_width[-1] * (left[-1] * np.cos(arc) + back * np.sin(arc)))
    parts.append(side_r[::-1])
    return np.concatenate(parts)


_UNIT_CIRCLES = {n: (np.cos(np.linspace(0, 2 * np.pi, n, endpoint=False))[:, None],
                     np.sin(np.linspace(0, 2 * np.pi, n, endpoint=False))[:, None]) for n in (8, 14)}


def _ellipse(centre: np.ndarray, axis_u: np.ndarray, ru: float, rv: float, n: int = 14) -> np.ndarray:
    cos, sin = _UNIT_CIRCLES[n]
    axis_v = np.array([-axis_u[1], axis_u[0]])
    return centre + (ru * cos) * axis_u + (rv * sin) * axis_v


@dataclass(frozen=True)
class Figure:
    """An animal's drawable geometry in frame pixels: polygons per part and its keypoints."""

    body: np.ndarray
    tail: np.ndarray
    ears: tuple[np.ndarray, np.ndarray]
    eyes: tuple[np.ndarray, np.ndarray]
    nose: np.ndarray
    keypoints: np.ndarray  # (6, 2) snout, left_ear, right_ear, neck, tail_base, tail_tip
    heading: float  # radians, the body axis from hips to shoulders


def figure(spine: np.ndarray, tail: np.ndarray, look: Appearance, breath: float) -> Figure:
    """The geometry of an animal with `spine` (5, 2) snout..tail base and `tail` (m, 2)."""
    spine = spine.astype(np.float64)
    L, W = look.length, look.width * breath
    centre = _catmull_rom(spine, 5)
    seg = np.linalg.norm(np.diff(centre, axis=0), axis=1)
    s = np.concatenate([[0], np.cumsum(seg)]) / max(seg.sum(), 1e-9)
    half = 0.5 * W * np.interp(s, _PROFILE_S, _PROFILE_W)
    body = _outline(centre, half, cap_front=True, cap_back=True)

    tail = tail.astype(np.float64)
    tail_curve = _catmull_rom(tail, 3)
    tail_half = 0.5 * W * np.linspace(0.2, 0.06, len(tail_curve))
    tail_poly = _outline(tail_curve, tail_half, cap_front=False, cap_back=True)

    snout, neck = spine[0], spine[1]
    head = snout - neck
    head /= max(np.linalg.norm(head), 1e-9)
    left = np.array([head[1], -head[0]])
    ear_centres = [neck + 0.05 * L * head + sign * 0.36 * W * left for sign in (1.0, -1.0)]
    ears = tuple(_ellipse(c, left, 0.075 * L, 0.06 * L) for c in ear_centres)
    eye_centres = [neck + 0.55 * (snout - neck) + sign * 0.2 * W * left for sign in (1.0, -1.0)]
    eyes = tuple(_ellipse(c, head, 0.028 * L, 0.022 * L, 8) for c in eye_centres)
    nose = _ellipse(snout + 0.02 * L * head, head, 0.025 * L, 0.025 * L, 8)
    keypoints = np.stack([snout, ear_centres[0], ear_centres[1], neck, spine[4], tail[-1]])
    axis = spine[2] - spine[3]
    return Figure(body=body, tail=tail_poly, ears=ears, eyes=eyes, nose=nose,
                  keypoints=keypoints.astype(np.float32), heading=float(np.arctan2(axis[1], axis[0])))


def _coverage(polys: list[np.ndarray], origin: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Anti-aliased coverage (float32 0..1) of polygons in a crop whose pixel (0, 0) is `origin`."""
    canvas = np.zeros(shape, np.uint8)
    pts = [np.round((p - origin) * _SCALE).astype(np.int32) for p in polys]
    cv2.fillPoly(canvas, pts, 255, cv2.LINE_AA, SUPERSAMPLE)
    return canvas.astype(np.float32) * (1.0 / 255.0)


def draw(albedo: np.ndarray, labels: np.ndarray, fig: Figure, look: Appearance, label: int) -> tuple[int, int, int, int]:
    """Draw `fig` onto `albedo` (H, W, 3 float32) with its shadow, and write `label` into
    `labels` (H, W uint8) where it covers at least half a pixel. Returns the crop (y0, y1,
    x0, x1) drawn into, which holds all of the animal's pixels (possibly empty)."""
    H, W = labels.shape
    pad = 3 + int(0.1 * look.length)  # room for the anti-aliased edge and the shadow's offset
    pts = np.concatenate([fig.body, fig.tail, *fig.ears])
    x0 = max(0, int(np.floor(pts[:, 0].min())) - pad)
    y0 = max(0, int(np.floor(pts[:, 1].min())) - pad)
    x1 = min(W, int(np.ceil(pts[:, 0].max())) + pad + 1)
    y1 = min(H, int(np.ceil(pts[:, 1].max())) + pad + 1)
    if x1 <= x0 or y1 <= y0:
        return y0, y0, x0, x0
    shape = (y1 - y0, x1 - x0)
    origin = np.array([x0, y0], np.float64)
    body_a = _coverage([fig.body], origin, shape)
    tail_a = _coverage([fig.tail], origin, shape)
    ears_a = _coverage(list(fig.ears), origin, shape)
    eyes_a = _coverage(list(fig.eyes), origin, shape)
    nose_a = _coverage([fig.nose], origin, shape)

    alpha = 1.0 - (1.0 - body_a) * (1.0 - tail_a) * (1.0 - ears_a)
    # Rounded back: the body's middle faces the light, its flanks fall away from it. The same
    # blurred silhouette, shifted, is the shadow (one blur instead of two).
    L = look.length
    roundness = cv2.GaussianBlur(alpha, (0, 0), max(0.7, 0.08 * L))
    fur = _fur(look, fig, origin, shape)
    body_shade = (0.66 + 0.4 * roundness) * (1.0 + 0.08 * fur)
    # Each part's weight in the pixel's colour, painted back to front (tail, body, ears, then
    # eyes and nose on the body); one (pixels x parts) @ (parts x BGR) product colours them.
    over_body = 1.0 - body_a
    over_ears = 1.0 - ears_a
    eyes_in = body_a * eyes_a
    nose_in = body_a * nose_a * (1.0 - eyes_a)
    weights = np.stack([
        tail_a * over_body * over_ears,
        (body_a - eyes_in - nose_in) * over_ears * body_shade,
        ears_a * (0.9 + 0.1 * fur),
        eyes_in * over_ears,
        nose_in * over_ears * 0.85,
    ], axis=-1)
    palette = np.stack([look.tail, look.body, look.ears, look.eyes, look.ears])
    colour = (weights.reshape(-1, 5) @ palette).reshape(shape[0], shape[1], 3)

    # Shadow: light from the top-left, so it falls to the bottom-right, soft at the edges.
    shift = np.float32([[1, 0, 0.04 * L], [0, 1, 0.06 * L]])
    shadow = cv2.warpAffine(roundness, shift, (shape[1], shape[0]))
    keep = (1.0 - 0.38 * shadow) * (1.0 - alpha)
    region = albedo[y0:y1, x0:x1]
    region *= keep[..., None]
    region += colour  # colour is already weighted by coverage
    labels[y0:y1, x0:x1][alpha >= 0.5] = label
    return y0, y1, x0, x1


def _fur(look: Appearance, fig: Figure, origin: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The fur texture sampled in body coordinates, so it moves and turns with the animal."""
    c, s = np.cos(fig.heading), np.sin(fig.heading)
    anchor = fig.keypoints[3].astype(np.float64) - origin  # the neck, in crop pixels
    T = look.fur.shape[0]
    # Maps crop pixel (x, y) to texture (u, v): rotate into the body's frame about the neck.
    m = np.array([[c, s, 0.0], [-s, c, 0.0]])
    m[:, 2] = -(m[:, :2] @ anchor) + T / 2
    return cv2.warpAffine(look.fur, m, (shape[1], shape[0]), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REFLECT_101)
