"""Heatmaps: Gaussian training targets, and peaks read back with sub-pixel precision.

Coordinates follow the project's convention: pixel (c, r) is centred at (c, r). Heatmap cell
(j, i) at stride s covers input pixels [s*j, s*j + s) and sits at input coordinate
s*j + (s - 1) / 2, both when targets are drawn and when peaks are read back.

Sub-pixel refinement fits a quadratic to the log-heatmap in the 3x3 neighbourhood of the peak
(Newton step, as DARK, Zhang et al. 2020, does): exact for a Gaussian peak, so a stride-2
heatmap gives well under a pixel of quantisation error.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def cell_centres(size: int, stride: int) -> torch.Tensor:
    return torch.arange(size, dtype=torch.float32) * stride + (stride - 1) / 2


def render_targets(points: torch.Tensor, weights: torch.Tensor, shape: tuple[int, int], stride: int,
                   sigma: float) -> torch.Tensor:  # fmt: skip
    """Gaussian maps (N, C, H, W) for points (N, C, 2) in input pixels; channels whose weight
    is 0 (unlabelled) or whose point is NaN stay empty."""
    height, width = shape
    xs, ys = cell_centres(width, stride), cell_centres(height, stride)
    px, py = points[..., 0:1], points[..., 1:2]  # (N, C, 1)
    gx = torch.exp(-((xs.view(1, 1, -1) - px) ** 2) / (2 * sigma**2))
    gy = torch.exp(-((ys.view(1, 1, -1) - py) ** 2) / (2 * sigma**2))
    maps = gy.unsqueeze(-1) * gx.unsqueeze(-2)
    valid = (weights > 0) & torch.isfinite(points).all(-1)
    return torch.nan_to_num(maps) * valid[..., None, None]


def weighted_mse(predicted: torch.Tensor, target: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Mean squared error per map, averaged over the maps with weight > 0 (unlabelled nodes
    ignored), scaled by 1000 so the loss reads in the units people plot (about 1 at the start)."""
    per_map = ((predicted - target) ** 2).mean(dim=(-2, -1))
    return 1000.0 * (per_map * weights).sum() / weights.sum().clamp(min=1.0)


def quality_focal(logits: torch.Tensor, target: torch.Tensor, weights: torch.Tensor, beta: float = 2.0) -> torch.Tensor:
    """Quality focal loss (Li et al. 2020) against the Gaussian maps: binary cross-entropy to
    the soft target, scaled by |sigmoid - target|^beta so the thousands of easy background
    cells stop drowning the few cells around each node (the reason plain MSE heatmaps learn
    slowly). Summed over cells, averaged over the supervised maps (unlabelled nodes ignored)."""
    probability = torch.sigmoid(logits)
    bce = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
    per_map = (bce * (probability - target).abs().pow(beta)).sum(dim=(-2, -1))
    return (per_map * weights).sum() / weights.sum().clamp(min=1.0)


def refine_at(heatmaps: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Sub-pixel offsets (in cells, within +-1) at integer peak positions x, y of maps (M, H, W)."""
    m = heatmaps.shape[0]
    log = torch.log(heatmaps.clamp(min=1e-6))
    padded = F.pad(log.unsqueeze(1), (1, 1, 1, 1), mode="replicate").squeeze(1)
    index = torch.arange(m)
    xi, yi = x + 1, y + 1

    def at(dy: int, dx: int) -> torch.Tensor:
        return padded[index, yi + dy, xi + dx]

    centre = at(0, 0)
    dx = (at(0, 1) - at(0, -1)) / 2
    dy = (at(1, 0) - at(-1, 0)) / 2
    dxx = at(0, 1) - 2 * centre + at(0, -1)
    dyy = at(1, 0) - 2 * centre + at(-1, 0)
    dxy = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / 4
    det = dxx * dyy - dxy**2
    ok = (det > 1e-6) & (dxx < 0) & (dyy < 0)
    safe = torch.where(ok, det, torch.ones_like(det))
    ox = -(dyy * dx - dxy * dy) / safe
    oy = -(dxx * dy - dxy * dx) / safe
    ox = torch.where(ok, ox, torch.zeros_like(ox)).clamp(-1, 1)
    oy = torch.where(ok, oy, torch.zeros_like(oy)).clamp(-1, 1)
    return ox, oy


def global_peaks(heatmaps: torch.Tensor, stride: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The highest point of each map: heatmaps (N, C, H, W) -> points (N, C, 2) in input
    pixels and their values (N, C)."""
    n, c, height, width = heatmaps.shape
    flat = heatmaps.reshape(n * c, height * width)
    values, index = flat.max(dim=1)
    y, x = index // width, index % width
    ox, oy = refine_at(heatmaps.reshape(n * c, height, width), x, y)
    px = (x.float() + ox) * stride + (stride - 1) / 2
    py = (y.float() + oy) * stride + (stride - 1) / 2
    return torch.stack([px, py], -1).reshape(n, c, 2), values.reshape(n, c)


def local_peaks(heatmap: torch.Tensor, stride: int, threshold: float, max_peaks: int | None = None
                ) -> tuple[torch.Tensor, torch.Tensor]:  # fmt: skip
    """Every local maximum (3x3) above `threshold` of one map (H, W), refined: points (P, 2)
    in input pixels and values (P,), strongest first."""
    pooled = F.max_pool2d(heatmap[None, None], 3, stride=1, padding=1)[0, 0]
    keep = (heatmap >= pooled) & (heatmap >= threshold)
    y, x = torch.nonzero(keep, as_tuple=True)
    values = heatmap[y, x]
    order = torch.argsort(values, descending=True)
    if max_peaks is not None:
        order = order[:max_peaks]
    y, x, values = y[order], x[order], values[order]
    if len(values) == 0:
        return torch.zeros(0, 2), values
    ox, oy = refine_at(heatmap.expand(len(values), -1, -1), x, y)
    points = torch.stack([(x.float() + ox) * stride + (stride - 1) / 2, (y.float() + oy) * stride + (stride - 1) / 2], -1)
    return points, values
