"""The sentence a pose training run ends with: how well the model does on the validation
frames, in terms a biologist can judge (animals found, nodes placed within a few pixels), and
what to do when it is not ready. The CLI prints it; the training panel shows it."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    ready: bool
    message: str

    def as_event(self) -> dict:
        return {"event": "verdict", "ready": self.ready, "message": self.message}


def _share(value: float | None) -> str:
    return "?" if value is None or not math.isfinite(value) else f"{value:.0%}"


def pose_verdict(metrics: dict[str, float], validation_frames: int, radius_px: float = 10.0) -> Verdict:
    """From the best epoch's validation metrics (`val_instances_found`, `val_pck_10px`,
    `val_oks_map`, `val_node_threshold`): found < 90 % of the animals or placed < 50 % of the
    nodes within 10 px is not ready; < 80 % is worth reviewing and correcting; above is ready."""
    found, pck = metrics.get("val_instances_found"), metrics.get("val_pck_10px")
    if not validation_frames or found is None or pck is None or not math.isfinite(pck):
        return Verdict(False, "The model could not be scored: no labelled validation frames. Label a few more "
                              "frames, spread over the video, and train again.")  # fmt: skip
    threshold = metrics.get("val_node_threshold")
    detail = f"OKS mAP {metrics.get('val_oks_map', float('nan')):.2f}" + (
        f", node threshold {threshold:.2f}" if threshold is not None else "")
    head = (f"On {validation_frames} validation frame(s) the model found {_share(found)} of the animals and placed "
            f"{_share(pck)} of their labelled nodes within {radius_px:g} px ({detail}).")  # fmt: skip
    if found < 0.9:
        return Verdict(False, head + " Not ready: it misses animals. Label more frames like the ones it misses "
                                     "(animals close together, at the edge, unusual poses), or train longer.")
    if pck < 0.5:
        return Verdict(False, head + " Not ready: train longer (more minutes), or label more frames of the poses it "
                                     "gets wrong, then train again.")
    if pck < 0.8:
        return Verdict(True, head + " Worth reviewing: predict, correct what it gets wrong, and train again.")
    return Verdict(True, head + " Ready: predict your videos and review the low-scored nodes.")
