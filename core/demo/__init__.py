"""The demo world: a synthetic top-down arena video of mice with exact ground truth.

It is the project a new user opens first and the data every training benchmark trains and
evaluates on. Deterministic from a seed: `WorldConfig(seed=...)` names one exact video.

    truth = render_world(WorldConfig(), "demo.mp4")
    truth.frame(0)          # [AnimalTruth(track_id, box, keypoints, behaviour, area), ...]
    truth.mask(0, 1)        # (H, W) bool visible mask of track 1
    truth.save("demo_truth.npz"); GroundTruth.load("demo_truth.npz")

Pure Python (numpy, OpenCV, PyAV); never imports Qt.
"""

from core.demo.config import BEHAVIOURS, SKELETON, Skeleton, WorldConfig
from core.demo.render import render_world
from core.demo.truth import AnimalTruth, GroundTruth
from core.demo.world import RenderedFrame, World

__all__ = [
    "BEHAVIOURS", "SKELETON", "AnimalTruth", "GroundTruth", "RenderedFrame", "Skeleton",
    "World", "WorldConfig", "render_world",
]
