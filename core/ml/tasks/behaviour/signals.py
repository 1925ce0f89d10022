"""Small per-frame signal helpers the trajectory features are built from: lagged differences,
centred rolling means and standard deviations that skip unknown (NaN) frames, angle wrapping.

Every function takes (F, ...) arrays and returns arrays of the same length, edges repeated, so
a feature column always lines up with the frames.
"""

from __future__ import annotations

import warnings

import numpy as np

HALF_SECOND, SECOND = 15, 31  # rolling windows, in frames (at 30 fps)


def wrap(angle: np.ndarray) -> np.ndarray:
    """Angles into [-pi, pi)."""
    return (angle + np.pi) % (2 * np.pi) - np.pi


def shifted(values: np.ndarray, lag: int) -> np.ndarray:
    """values[t + lag] (negative lag: earlier frames), the first or last frame repeated past the ends."""
    if lag == 0 or len(values) == 0:
        return values
    if lag > 0:
        return np.concatenate([values[lag:], np.repeat(values[-1:], min(lag, len(values)), 0)])[: len(values)]
    return np.concatenate([np.repeat(values[:1], min(-lag, len(values)), 0), values[:lag]])[-len(values) :]


def central_difference(values: np.ndarray, lag: int) -> np.ndarray:
    """(values[t + lag] - values[t - lag]) / (2 lag): a velocity smoothed over 2 lag frames."""
    return (shifted(values, lag) - shifted(values, -lag)) / (2 * lag)


def rolling_mean(values: np.ndarray, size: int) -> np.ndarray:
    """Mean over a centred window of `size` frames, of the known (not NaN) values only; NaN where
    the window holds none."""
    return _rolling(values, size)[0]


def rolling_std(values: np.ndarray, size: int) -> np.ndarray:
    """Standard deviation over a centred window of `size` frames, of the known values only."""
    mean, mean_of_squares = _rolling(values, size)
    return np.sqrt(np.maximum(mean_of_squares - mean**2, 0.0))


def _rolling(values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    values = np.asarray(values, np.float64)
    size = max(int(size), 1)
    before, after = size // 2, size - 1 - size // 2  # an even window reaches one frame further back
    known = ~np.isnan(values)
    clean = np.where(known, values, 0.0)

    def window_sums(x: np.ndarray) -> np.ndarray:
        padded = np.concatenate([np.zeros((before + 1,) + x.shape[1:]), x, np.zeros((after,) + x.shape[1:])])
        total = np.cumsum(padded, axis=0)
        return total[size:] - total[:-size]

    count = window_sums(known.astype(np.float64))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # empty windows give NaN, as documented
        mean = window_sums(clean) / count
        mean_of_squares = window_sums(clean**2) / count
    return mean, mean_of_squares


def direction_change(points: np.ndarray, lag: int, scale: float, still: float = 0.05) -> np.ndarray:
    """How fast the direction of movement turns (radians per frame): the angle between the
    displacement over the `lag` frames before and the `lag` frames after each frame. Damped to 0
    where either displacement is under `still` * `scale` (a still animal's jitter is no turn)."""
    before = points - shifted(points, -lag)
    after = shifted(points, lag) - points
    cross = before[:, 0] * after[:, 1] - before[:, 1] * after[:, 0]
    angle = np.abs(np.arctan2(cross, np.sum(before * after, axis=1)))
    moved = np.minimum(np.linalg.norm(before, axis=1), np.linalg.norm(after, axis=1)) / max(scale, 1e-9)
    return angle / lag * np.minimum(moved / still, 1.0)
