"""The "uncertainty" suggestions: the predicted frames a model is least sure of, read from the
predictions already stored (no pass over the video). A frame's confidence is its lowest
prediction score, as in the review's confidence order."""

from __future__ import annotations

from core.domain import Suggestion
from core.project import Project

UNCERTAINTY = "uncertainty"


def suggest_uncertain(project: Project, video_id: int, n: int, model_id: int | None = None) -> list[Suggestion]:
    """Suggest the `n` predicted frames the model is least sure of (score = 1 - confidence) and
    store them with method "uncertainty", replacing that method's earlier ones for the video.
    Raises ValueError when n is not positive or the video has no predictions (of `model_id`)."""
    if n <= 0:
        raise ValueError(f"the number of frames to suggest must be positive, not {n}")
    video = project.videos.get(video_id)  # NotFoundError for an unknown video
    lowest = project.instances.frame_confidences(video_id, model_id=model_id, lowest=n)  # least sure first
    if not lowest:
        whose = f"model {model_id}'s " if model_id is not None else ""
        raise ValueError(
            f"video {video.id} ({video.display_name}) has no {whose}predictions: 'uncertainty' suggestions are not "
            "computed from the video but from a model's predictions; run `ethoframe predict` first"
        )
    rows = [Suggestion(video_id, frame, UNCERTAINTY, round(1.0 - score, 6)) for frame, score, _ in lowest]
    project.suggestions.replace(video_id, UNCERTAINTY, rows)
    return [x for x in project.suggestions.for_video(video_id) if x.method == UNCERTAINTY]
