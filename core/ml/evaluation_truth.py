"""What a model can be scored against besides the labels it held out: a truth source the caller
names (`evaluate(project, model_id, truth=...)`). Evaluation never picks one by itself: without
one it scores on the held-out labels, and the report's `evaluated_on` says which it used.

The demo project supplies one (`DemoTruth`, in the demo package's `truth_source.py`: the world's
kept-apart ground truth); a lab with a fully annotated reference video could write its own. A source answers for
the frames it knows and that training never saw:

    truth.name                                  # "demo_ground_truth": the report's evaluated_on
    truth.instances(project, n_frames=200)      # {(video_id, frame): [Instance, ...]}
    truth.behaviour_frames(project, video_id)   # {subject_id: {behaviour name: bool (frames,)}}
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np

    from core.domain import Instance
    from core.project import Project

HELD_OUT_LABELS = "held_out_labels"  # frame tasks without a truth source
HELD_OUT_EVENTS = "held_out_events"  # behaviour without a truth source


class TruthSource(Protocol):
    name: str  # what the report's `evaluated_on` says

    def instances(self, project: Project, n_frames: int) -> dict[tuple[int, int], list[Instance]]:
        """The true instances (boxes, masks, keypoints as the project's classes and skeletons
        give them) of up to `n_frames` frames, keyed by (video id, frame index): frames the user
        did not label, so no model trained on them. Empty when it knows none of this project's."""
        ...

    def behaviour_frames(self, project: Project, video_id: int) -> dict[int | None, dict[str, np.ndarray]]:
        """For each subject of the video (a track id; None: the whole frame), each behaviour it
        knows (by name) as a bool array over the video's frames: True where the subject does it.
        Evaluation leaves out the frames the user coded for that subject (training saw them).
        Empty when it knows nothing of this video."""
        ...
