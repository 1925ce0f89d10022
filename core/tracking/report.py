"""Tracking quality of a video against its user-labelled tracks, as one JSON-ready dict, for
`ethoframe evaluate-tracks` and `ethoframe evaluate`.

Two questions, each answered when the project holds what it needs:
- "predicted": how right are the identities of the predictions (their tracks, from
  `track_video`) on the frames where the user labelled tracks?
- "tracker_on_labels": what does the tracker do on the user's own labels with their identities
  hidden (run in memory; nothing is written)? The tracker's own error rate, free of pose errors.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from core.domain import Instance
from core.project import Project
from core.tracking.features import detection_from_instance, typical_size
from core.tracking.metrics import identity_metrics
from core.tracking.suspects import find_suspects
from core.tracking.tracker import TrackerOptions, track_frames

MATCH_DISTANCE = 0.5  # body lengths: a prediction farther from a label than this is another animal


def track_in_memory(
    by_frame: dict[int, list[Instance]], options: TrackerOptions | None = None
) -> dict[int, int]:
    """Run the tracker on instances without touching the store: {instance id: track number}."""
    detections = {f: [detection_from_instance(i, k) for k, i in enumerate(xs)] for f, xs in by_frame.items()}
    scale = typical_size([d for ds in detections.values() for d in ds])
    numbers = track_frames(detections, options, scale)
    return {by_frame[f][k].id: n for (f, k), n in numbers.items()}


def tracking_report(project: Project, video_id: int, max_animals: int | None = None) -> dict[str, Any]:
    """Identity switches and correct-identity fractions of a video (see the module docstring),
    and its suspected identity problems by kind. Keys: video_id, truth_frames, predicted,
    tracker_on_labels (each None when it cannot be measured), suspects."""
    video = project.videos.get(video_id)
    stop = max(video.frame_count, 1) + 10**6
    user = project.instances.on_frames(video_id, 0, stop, "user")
    truth = {f: [(i.track_id, detection_from_instance(i)) for i in xs] for f, xs in user.items()}
    truth = {f: row for f, row in truth.items() if any(t is not None for t, _ in row)}
    scale = typical_size([d for row in truth.values() for _, d in row])
    report: dict[str, Any] = {"video_id": video_id, "truth_frames": len(truth), "predicted": None, "tracker_on_labels": None}

    if truth:
        predicted = project.instances.on_frames(video_id, 0, stop, "predicted")
        tracked = {f: [(i.track_id, detection_from_instance(i)) for i in predicted[f]] for f in truth if f in predicted}
        if any(t is not None for row in tracked.values() for t, _ in row):
            metrics = identity_metrics({f: truth[f] for f in tracked}, tracked, MATCH_DISTANCE * scale)
            report["predicted"] = metrics.as_dict()

        labelled = {f: user[f] for f in truth}
        n_animals = max_animals or max(len({t for t, _ in row if t is not None}) for row in truth.values())
        numbers = track_in_memory(labelled, TrackerOptions(max_animals=n_animals))
        retracked = {f: [(numbers.get(i.id), detection_from_instance(i)) for i in xs] for f, xs in labelled.items()}
        metrics = identity_metrics(truth, retracked, MATCH_DISTANCE * scale)
        report["tracker_on_labels"] = {**metrics.as_dict(), "max_animals": n_animals}

    suspects = find_suspects(project, video_id)
    report["suspects"] = dict(Counter(s.kind for s in suspects))
    report["suspect_frames"] = [s.frame for s in suspects]
    return report

