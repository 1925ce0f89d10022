"""The demo world's kept-apart ground truth as a truth source for evaluation
(`core.ml.evaluation_truth.TruthSource`): `ethoframe evaluate PROJECT --truth demo` scores a
model on frames of the demo video that were never labelled, and a behaviour model on every
frame the user did not code.

    truth = DemoTruth.of(project)      # ValueError when the project is not a demo project
    evaluate(project, model_id, truth=truth)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.demo.config import BEHAVIOUR_NAMES
from core.demo.truth import GroundTruth
from core.domain import Box, Instance, Rle
from core.project import Project
from core.demo.project import truth_path


@dataclass
class DemoTruth:
    truth: GroundTruth
    name: str = "demo_ground_truth"

    @classmethod
    def of(cls, project: Project) -> DemoTruth:
        """The ground truth the demo project keeps beside itself."""
        path = truth_path(project) if project.folder else None
        if path is None or not path.is_file():
            raise ValueError(f"{project.folder} is not a demo project (no ground truth at {path}): evaluate on the "
                             "held-out labels instead (--truth held-out)")  # fmt: skip
        if len(project.videos.all()) != 1:
            raise ValueError("the demo ground truth describes one video, and this project has "
                             f"{len(project.videos.all())}: evaluate on the held-out labels instead (--truth held-out)")  # fmt: skip
        return cls(GroundTruth.load(path))

    def instances(self, project: Project, n_frames: int) -> dict[tuple[int, int], list[Instance]]:
        """Up to `n_frames` never-labelled frames, spread evenly over the video."""
        (video,) = project.videos.all()
        truth = self.truth
        labelled = {f for _, f in project.instances.labeled_frames(video.id)}
        candidates = [f for f in range(truth.n_frames) if f not in labelled]
        picks = [candidates[int(i)] for i in np.linspace(0, len(candidates) - 1, min(n_frames, len(candidates))).round()]
        mouse = project.label_classes.find("mouse")
        skeleton = project.skeletons.find("mouse")
        return {
            (video.id, frame): [
                Instance(video.id, frame, class_id=mouse.id if mouse else None, skeleton_id=skeleton.id if skeleton else None,
                         box=Box(*map(float, a.box)), mask=Rle.from_array(truth.mask(frame, a.track_id)),
                         keypoints=a.keypoints)
                for a in truth.frame(frame)
            ]
            for frame in picks
        }  # fmt: skip

    def behaviour_frames(self, project: Project, video_id: int) -> dict[int | None, dict[str, np.ndarray]]:
        """Each tracked mouse's behaviours, for those of the demo's behaviours the project has;
        the project's tracks, in id order, are the world's animals. In a world of one mouse its
        behaviours are also the whole frame's (subject None: what a frame classifier learns)."""
        tracks = sorted(t.id for t in project.tracks.all())
        if len(tracks) != len(self.truth.track_ids):
            return {}
        names = [b.name for b in project.behaviours.all() if b.name in BEHAVIOUR_NAMES]
        frames: dict[int | None, dict[str, np.ndarray]] = {
            track: {name: self.truth.behaviour[:, k] == BEHAVIOUR_NAMES.index(name) for name in names}
            for k, track in enumerate(tracks)
        }
        if len(tracks) == 1:
            frames[None] = frames[tracks[0]]
        return frames
