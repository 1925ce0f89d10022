"""Augmented training samples of the pose task for the Train dialog: crops (top-down) or whole
frames (single), made by the task's own `SampleMaker` with the options training would use."""

from __future__ import annotations

from typing import Any

from core.ml.data.frame_store import FrameStore
from core.ml.tasks.pose.config import PoseConfig, fit_scaling
from core.ml.tasks.pose.data import load_pose_labels
from core.ml.tasks.pose.samples import SampleMaker
from core.ml.tasks.sample_images import Sample, spread, to_rgb
from core.project import Project


def pose_samples(project: Project, n: int, options: dict[str, Any]) -> list[Sample]:
    config = PoseConfig.from_options(options)
    labels = load_pose_labels(project, config.skeleton_id, config.val_fraction)
    videos = project.videos.all()
    largest = max(v.width for v in videos), max(v.height for v in videos)
    fit_scaling(config, [f.keypoints for f in labels.frames], largest)
    pool = labels.train or labels.frames
    chosen = [pool[i] for i in sorted(set(spread(len(pool), n)))]
    store = FrameStore(project)
    store.load(f.key for f in chosen)
    frames = {f.key: store[f.key] for f in chosen}
    skeleton = labels.skeleton
    maker = SampleMaker(config, frames, chosen, skeleton.flip_permutation(), bool(skeleton.symmetries))
    topdown = config.mode == "topdown"
    units = len(maker.instances) if topdown else len(chosen)
    edges = [list(e) for e in skeleton.edges]
    samples: list[Sample] = []
    for index in spread(units, n):
        sample = maker.crop(index, augment=True) if topdown else maker.whole(index, augment=True)
        points = sample.points.numpy()
        visible = sample.weights.numpy() > 0
        keypoints = [[float(x), float(y), 2.0 if v else 0.0] for (x, y), v in zip(points, visible)]
        found = points[visible]
        box = [*map(float, found.min(0)), *map(float, found.max(0))] if len(found) else None
        instances = [{"label": skeleton.name, "box": box, "keypoints": keypoints, "edges": edges}]
        samples.append((to_rgb(sample.image), instances))
    return samples
