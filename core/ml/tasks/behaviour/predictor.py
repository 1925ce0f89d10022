"""Behaviour inference: per-frame, per-subject probabilities of each behaviour over a video.

    predictor = load_predictor(load_checkpoint(path, "behaviour"), "cpu")
    result = predictor.predict_video(project, video_id)   # VideoProbabilities
    result.probabilities                                   # (n_subjects, n_frames, n_behaviours)

Which subjects: for a model trained on per-subject events, every track with positions in the
video and every subject with coded events there; for one trained on whole-frame events (no
subject), one row with subject None. Video features come from the same on-disk cache as
training.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from core.ml.tasks.behaviour.adapter import run_sequence
from core.ml.tasks.behaviour.config import BehaviourConfig
from core.ml.tasks.behaviour.features import VideoFeatures
from core.ml.tasks.behaviour.inputs import InputLayout, Tracks, video_inputs
from core.ml.tasks.behaviour.model import TemporalHead, probabilities
from core.ml.tasks.behaviour.positions import subject_tracks
from core.ml.tasks.behaviour.store import VideoProbabilities
from core.runtime.cancel import ProgressCallback


class BehaviourPredictor:
    def __init__(self, model: TemporalHead, state: dict[str, Any], device: torch.device) -> None:
        self.model, self.state, self.device = model, state, torch.device(device)
        self.config = BehaviourConfig.from_dict(state["config"])
        self.layout = InputLayout(**state["layout"])
        self.layout.check_current()
        self.behaviours = state["behaviours"]
        self.n_exclusive = int(state["n_exclusive"])
        self._features: VideoFeatures | None = None

    def subjects_of(self, project, video_id: int, tracks: Tracks) -> list[int | None]:
        subjects: list[int | None] = []
        if self.state.get("whole_frame"):
            subjects.append(None)
        if self.state.get("per_subject"):
            coded = {e.subject_id for e in project.events.in_video(video_id, source="user") if e.subject_id is not None}
            subjects += sorted(set(tracks) | coded)
        return subjects

    @torch.inference_mode()
    def probabilities_of(self, inputs: np.ndarray) -> np.ndarray:
        """(n_frames, n_behaviours) float32 from one sequence's inputs (n_frames, dims)."""
        logits = run_sequence(self.model, inputs, self.device)
        return probabilities(logits, self.n_exclusive).numpy().astype(np.float32)

    def predict_video(self, project, video_id: int, subjects: list[int | None] | None = None,
                      progress: ProgressCallback | None = None, cancel=None) -> VideoProbabilities:  # fmt: skip
        n_frames = project.videos.get(video_id).frame_count
        tracks = subject_tracks(project, video_id, n_frames, self.config.max_gap)
        subjects = self.subjects_of(project, video_id, tracks) if subjects is None else subjects
        if self.layout.video and self._features is None:
            self._features = VideoFeatures(project, self.config)
        inputs = video_inputs(project, self.config, self.layout, video_id, subjects, self._features, progress, cancel, tracks)
        probs = np.stack([self.probabilities_of(inputs[s]) for s in subjects]) if subjects else np.zeros((0, n_frames, len(self.behaviours)), np.float32)
        return VideoProbabilities(
            video_id=video_id, behaviour_ids=[b["id"] for b in self.behaviours], names=[b["name"] for b in self.behaviours],
            points=[b["kind"] == "point" for b in self.behaviours], subjects=list(subjects), probabilities=probs,
            exclusive=bool(self.n_exclusive), n_exclusive=self.n_exclusive, min_duration=self.config.min_duration,
        )  # fmt: skip
