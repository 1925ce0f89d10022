"""Frame suggestions for labelling: which frames of a video are worth a user's clicks.

Methods (the reason stored with each suggestion):
- "uniform": N frames evenly spread over the video (`uniform.py`);
- "kmeans": N visually different frames, by k-means on sampled thumbnails (`kmeans.py`);
- "uncertainty": the N predicted frames a model is least sure of, from the predictions already
  stored (`uncertain.py`; an error when the video has none).
("manual" suggestions come from the user.)

`suggest_frames` computes and stores them in one call; it is long work on long videos
(STYLE.md, "Long work"), so it reports progress through a callback and stops on a cancel token:

    suggestions = suggest_frames(project, video.id, "kmeans", 20, progress=print)
"""

from __future__ import annotations

from typing import get_args

from core.domain import Suggestion
from core.domain.suggestion import SuggestionMethod
from core.project import Project
from core.video import open_video
from core.runtime.cancel import CancelToken, ProgressCallback, check_cancel

from .features import FeatureExtractor, ThumbnailFeatures
from .kmeans import kmeans_frames, pick_diverse
from .sampling import DEFAULT_MAX_SAMPLES, sample_indices, sampled_features
from .uncertain import suggest_uncertain
from .uniform import evenly_spaced, uniform_frames

# The methods computed here from the video alone.
COMPUTED_METHODS: tuple[SuggestionMethod, ...] = ("uniform", "kmeans")
# Those computed from a model's stored predictions.
PREDICTION_METHODS: tuple[SuggestionMethod, ...] = ("uncertainty",)
# Decoded frames are looked at once and shrunk: caching them would only take memory.
_READER_CACHE_MB = 16


def suggest_frames(
    project: Project,
    video_id: int,
    method: str,
    n: int,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    *,
    max_samples: int = DEFAULT_MAX_SAMPLES,
    extractor: FeatureExtractor | None = None,
) -> list[Suggestion]:
    """Compute `method`'s suggestions for a video and store them, replacing that method's
    earlier suggestions for that video (other methods' suggestions stay).

    n: how many frames to suggest; more than the video has gives one per frame.
    Returns the stored suggestions (with ids), in frame order. Raises `NotFoundError` for an
    unknown video, `ValueError` for a bad method or n (or "uncertainty" on a video without
    predictions), `core.video.VideoError` when the
    video cannot be read, and `core.runtime.cancel.Cancelled` if `cancel` is set; on any error the
    stored suggestions are unchanged.
    """
    if method in PREDICTION_METHODS:
        return suggest_uncertain(project, video_id, n)
    if method not in COMPUTED_METHODS:
        known = ", ".join(get_args(SuggestionMethod))
        if method in get_args(SuggestionMethod):
            computed = ", ".join(COMPUTED_METHODS)
            raise ValueError(f"suggestion method {method!r} is not computed from the video; use one of: {computed}")
        raise ValueError(f"unknown suggestion method {method!r} (methods: {known})")
    if n <= 0:
        raise ValueError(f"the number of frames to suggest must be positive, not {n}")
    video = project.videos.get(video_id)
    if method == "uniform":
        picks: list[tuple[int, float | None]] = [(i, None) for i in uniform_frames(video.frame_count, n)]
    else:
        with open_video(video.path, cache_mb=_READER_CACHE_MB) as reader:
            picks = list(
                kmeans_frames(
                    reader, n, max_samples=max_samples, extractor=extractor, progress=progress, cancel=cancel
                )
            )
    # A cancel that arrives after the last frame still means "don't change my project".
    check_cancel(cancel, "frame suggestion")
    rows = [Suggestion(video_id, index, method, score) for index, score in picks]  # type: ignore[arg-type]
    project.suggestions.replace(video_id, method, rows)
    return [s for s in project.suggestions.for_video(video_id) if s.method == method]


__all__ = [
    "COMPUTED_METHODS",
    "PREDICTION_METHODS",
    "FeatureExtractor",
    "ThumbnailFeatures",
    "evenly_spaced",
    "kmeans_frames",
    "pick_diverse",
    "sample_indices",
    "sampled_features",
    "suggest_frames",
    "suggest_uncertain",
    "uniform_frames",
]
