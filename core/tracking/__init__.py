"""Identities across frames: the tracker, suspected identity problems for proofreading, and
identity metrics against user-labelled tracks. Pure Python; the GUI runs `track_video` on a
worker and calls the track edits of `core.edits` for swap, assign, merge, split and delete."""

from core.tracking.features import (
    Detection,
    box_iou,
    detection_from_instance,
    keypoint_distance,
    typical_size,
)
from core.tracking.metrics import IdentityMetrics, identity_metrics
from core.tracking.report import track_in_memory, tracking_report
from core.tracking.run import TrackSummary, track_video
from core.tracking.suspects import (
    KINDS,
    Suspect,
    SuspectOptions,
    find_suspects,
    next_suspect,
    previous_suspect,
)
from core.tracking.tracker import Tracker, TrackerOptions, track_frames

__all__ = [
    "KINDS",
    "Detection",
    "IdentityMetrics",
    "Suspect",
    "SuspectOptions",
    "TrackSummary",
    "Tracker",
    "TrackerOptions",
    "box_iou",
    "detection_from_instance",
    "find_suspects",
    "identity_metrics",
    "keypoint_distance",
    "next_suspect",
    "previous_suspect",
    "track_frames",
    "track_in_memory",
    "track_video",
    "tracking_report",
    "typical_size",
]  # fmt: skip
