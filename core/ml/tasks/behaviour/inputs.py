"""Assembling the per-frame input of one (video, subject): whole-frame video features, the
subject's crop features, and its pose trajectory features, side by side.

The same function serves training and prediction, so the columns always mean the same.
Where a subject has no position (no track, or a gap too long to interpolate) its crop and pose
columns are zero with a "missing" flag on, and the model falls back to the whole frame.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from core.ml.tasks.behaviour.config import BehaviourConfig
from core.ml.tasks.behaviour.features import VideoFeatures, crop_dims, frame_dims
from core.ml.tasks.behaviour.positions import SubjectTrack, subject_tracks
from core.ml.tasks.behaviour.trajectory import (
    POSE_FEATURES_VERSION,
    joint_triples,
    n_pose_features,
    pose_features,
)
from core.runtime.cancel import ProgressCallback


@dataclass(frozen=True)
class InputLayout:
    """What a model's input columns are: which inputs, the skeleton the pose features were
    computed with (`n_nodes`, `edges`) and the pose feature layout's version."""

    video: bool
    pose: bool
    n_nodes: int
    frame_dims: int
    crop_dims: int
    edges: tuple[tuple[int, int], ...] = ()
    pose_version: int = 1  # models saved before versions were recorded had layout 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "edges", tuple(tuple(e) for e in self.edges))

    @classmethod
    def of(cls, config: BehaviourConfig, n_nodes: int, edges: tuple[tuple[int, int], ...] = ()) -> InputLayout:
        return cls(config.video, config.pose, n_nodes, frame_dims(config) if config.video else 0,
                   crop_dims(config) if config.video else 0, edges, POSE_FEATURES_VERSION)  # fmt: skip

    @property
    def n_joints(self) -> int:
        return len(joint_triples(self.edges, self.n_nodes))

    @property
    def dims(self) -> int:
        return self.frame_dims + self.crop_dims + (n_pose_features(self.n_nodes, self.n_joints) if self.pose else 0)

    def check_current(self) -> None:
        """Raise ValueError when a saved model's pose features were computed another way than
        this version of Ethoframe computes them."""
        if self.pose and self.pose_version != POSE_FEATURES_VERSION:
            raise ValueError(f"this behaviour model was trained on pose features of layout {self.pose_version}, and this "
                             f"version of Ethoframe computes layout {POSE_FEATURES_VERSION}: train the model again")  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


Tracks = dict[int, SubjectTrack]  # one video's subjects by track id (`subject_tracks`)


def read_tracks(project, video_ids: list[int], max_gap: int) -> dict[int, Tracks]:
    """Every listed video's tracked subjects, read once (the slow part: every instance of the video)."""
    return {v: subject_tracks(project, v, project.videos.get(v).frame_count, max_gap) for v in video_ids}


def count_nodes(tracks: dict[int, Tracks]) -> int:
    """The most keypoints any tracked instance of these videos has (0: boxes only, or none)."""
    return max((track.keypoints.shape[1] for video in tracks.values() for track in video.values()), default=0)


def position_coverage(tracks: dict[int, Tracks], sequences) -> float:
    """The fraction of coded (subject, frame)s whose subject has a tracked position there (0
    for behaviours of the whole frame): how much the pose features can carry."""
    coded = known = 0
    for sequence in sequences:
        coded += int(sequence.coded.sum())
        track = tracks.get(sequence.video_id, {}).get(sequence.subject_id) if sequence.subject_id is not None else None
        if track is not None:
            known += int((sequence.coded & track.known).sum())
    return known / coded if coded else 0.0


def skeleton_edges(project, n_nodes: int) -> tuple[tuple[int, int], ...]:
    """The edges of the project's skeleton with `n_nodes` nodes (the first, if several), for the
    joint angles; none when no skeleton has that many nodes."""
    for skeleton in project.skeletons.all():
        if len(skeleton.nodes) == n_nodes:
            return skeleton.edges
    return ()


def video_inputs(project, config: BehaviourConfig, layout: InputLayout, video_id: int, subjects: list[int | None],
                 features: VideoFeatures | None, progress: ProgressCallback | None = None, cancel=None,
                 tracks: Tracks | None = None) -> dict[int | None, np.ndarray]:  # fmt: skip
    """{subject: (n_frames, layout.dims) float32} for the subjects of one video (`tracks`: its
    subjects if already read)."""
    n = project.videos.get(video_id).frame_count
    tracks = subject_tracks(project, video_id, n, config.max_gap) if tracks is None else tracks
    wanted = [tracks[s] for s in subjects if s is not None and s in tracks]
    frame, crops = (None, {})
    if layout.video:
        assert features is not None
        frame, crops = features.get(video_id, wanted, progress, cancel)
    out: dict[int | None, np.ndarray] = {}
    for subject in subjects:
        parts = []
        if layout.video:
            crop = crops.get(subject)
            if crop is None:
                crop = np.zeros((n, layout.crop_dims), np.float32)
                crop[:, -1] = 1.0
            parts += [frame, crop]
        if layout.pose:
            track = tracks.get(subject) if subject is not None else None
            others = [t for k, t in tracks.items() if k != subject]
            parts.append(pose_features(track, others, n, layout.n_nodes, layout.edges))
        out[subject] = np.concatenate(parts, axis=1).astype(np.float32)
    return out
