"""Per-frame behaviour probabilities of one video, kept beside the model so the timeline's
probability strip and live threshold changes never re-run the network.

Saved as `<model folder>/probabilities/video-<id>.npz` (no pickle). `to_events` re-derives the
predicted bouts from them with any thresholds and minimum durations, in milliseconds for an
hour of video.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.domain import BehaviourEvent
from core.ml.tasks.behaviour.postprocess import Bout, to_bouts

Thresholds = dict[int, float] | float | None  # by behaviour id, one for all, or the defaults
Durations = dict[int, int] | int | None


@dataclass
class VideoProbabilities:
    """`probabilities` (n_subjects, n_frames, n_behaviours) float32, rows in `subjects` order
    (a track id, or None for the whole frame), columns in `behaviour_ids` order; the first
    `n_exclusive` columns are mutually exclusive (softmax), the rest independent."""

    video_id: int
    behaviour_ids: list[int]
    names: list[str]
    points: list[bool]
    subjects: list[int | None]
    probabilities: np.ndarray
    exclusive: bool
    n_exclusive: int
    min_duration: int = 5
    model_id: int | None = None
    default_thresholds: list[float] = field(default_factory=list)

    def thresholds(self, thresholds: Thresholds = None) -> np.ndarray:
        """One threshold per column: given ones, else 0 for exclusive (argmax) and 0.5 for others."""
        out = np.array([0.0] * self.n_exclusive + [0.5] * (len(self.behaviour_ids) - self.n_exclusive))
        if self.default_thresholds:
            out = np.array(self.default_thresholds, dtype=np.float64)
        if isinstance(thresholds, (int, float)):
            out[:] = float(thresholds)
        elif thresholds:
            for n, b in enumerate(self.behaviour_ids):
                if b in thresholds:
                    out[n] = float(thresholds[b])
        return out

    def durations(self, min_duration: Durations = None) -> np.ndarray:
        out = np.full(len(self.behaviour_ids), self.min_duration, dtype=np.int64)
        if isinstance(min_duration, int):
            out[:] = min_duration
        elif min_duration:
            for n, b in enumerate(self.behaviour_ids):
                if b in min_duration:
                    out[n] = int(min_duration[b])
        out[np.asarray(self.points, bool)] = 1
        return np.maximum(out, 1)

    def bouts(self, row: int, thresholds: Thresholds = None, min_duration: Durations = None) -> list[Bout]:
        """Bouts of subject row `row` (column indices into `behaviour_ids`)."""
        p, limits, durations = self.probabilities[row], self.thresholds(thresholds), self.durations(min_duration)
        n_ex = self.n_exclusive
        bouts = to_bouts(p[:, :n_ex], limits[:n_ex], durations[:n_ex], exclusive=True) if n_ex else []
        if p.shape[1] > n_ex:
            rest = to_bouts(p[:, n_ex:], limits[n_ex:], durations[n_ex:], exclusive=False, points=self.points[n_ex:])
            bouts += [Bout(b.behaviour + n_ex, b.start, b.end, b.score) for b in rest]
        return sorted(bouts, key=lambda b: (b.start, b.behaviour))

    def to_events(self, thresholds: Thresholds = None, min_duration: Durations = None, model_id: int | None = None) -> list[BehaviourEvent]:
        """Predicted events (not yet stored) for every subject, with their probabilities."""
        events = []
        for row, subject in enumerate(self.subjects):
            for bout in self.bouts(row, thresholds, min_duration):
                events.append(BehaviourEvent(
                    self.video_id, self.behaviour_ids[bout.behaviour], bout.start, bout.end, subject, source="predicted",
                    score=round(bout.score, 4), model_id=model_id if model_id is not None else self.model_id,
                    probabilities=self.probabilities[row, bout.start : bout.end + 1, bout.behaviour].astype(np.float32),
                ))  # fmt: skip
        return events

    def row_of(self, subject: int | None) -> int:
        return self.subjects.index(subject)

    # --- on disk ---------------------------------------------------------------------------

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        header = {"video_id": self.video_id, "behaviour_ids": self.behaviour_ids, "names": self.names, "points": self.points,
                  "subjects": self.subjects, "exclusive": self.exclusive, "n_exclusive": self.n_exclusive,
                  "min_duration": self.min_duration, "model_id": self.model_id, "default_thresholds": self.default_thresholds}  # fmt: skip
        partial = path.with_name(path.name + ".partial")
        with open(partial, "wb") as f:
            np.savez_compressed(f, header=np.array(json.dumps(header)), probabilities=self.probabilities.astype(np.float16))
        partial.replace(path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> VideoProbabilities:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(str(data["header"]))
            return cls(probabilities=data["probabilities"].astype(np.float32), **header)


def probabilities_path(project, model, video_id: int) -> Path:
    """Where a model's probabilities for a video live (`model` is its `ModelRecord`)."""
    return project.folder / model.path / "probabilities" / f"video-{video_id}.npz"
