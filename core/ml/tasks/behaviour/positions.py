"""Where each subject is on every frame: boxes and keypoints of a video's tracked instances.

User instances win over predicted ones on the same frame and track. Short gaps (up to
`max_gap` frames between two observations) are filled by linear interpolation; longer ones
stay missing (NaN), and the behaviour features fall back to the whole frame there.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from core.domain import Instance
from core.ml.tasks.behaviour.signals import central_difference


@dataclass
class SubjectTrack:
    """Track `track_id` over a video: `boxes` (F, 4) x1, y1, x2, y2 and `keypoints` (F, K, 2)
    float32, NaN where unknown (K is 0 without keypoints); `known` (F,) bool frames with a box."""

    track_id: int
    boxes: np.ndarray
    keypoints: np.ndarray
    known: np.ndarray

    def with_nodes(self, n_nodes: int) -> SubjectTrack:
        """This track with exactly `n_nodes` keypoint columns: extra ones dropped, missing ones NaN."""
        points = self.keypoints[:, :n_nodes]
        if points.shape[1] < n_nodes:
            missing = np.full((len(points), n_nodes - points.shape[1], 2), np.nan, np.float32)
            points = np.concatenate([points, missing], axis=1)
        return SubjectTrack(self.track_id, self.boxes, points, self.known)

    def digest(self) -> bytes:
        return np.nan_to_num(self.boxes, nan=-1).round(1).tobytes() + np.nan_to_num(self.keypoints, nan=-1).round(1).tobytes()


def centre_of(track: SubjectTrack) -> np.ndarray:
    """(F, 2): the mean of the known nodes, else the box centre; NaN where neither is known."""
    boxes = track.boxes
    centre = np.stack([(boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2], axis=1)
    if track.keypoints.shape[1] and np.isfinite(track.keypoints).any():
        with warnings.catch_warnings():  # frames with no node known give NaN, as wanted
            warnings.simplefilter("ignore", RuntimeWarning)
            middle = np.nanmean(track.keypoints, axis=1)
        centre = np.where(np.isnan(middle), centre, middle)
    return centre


def heading_of(track: SubjectTrack, centre: np.ndarray) -> np.ndarray:
    """(F,) radians from the centre to the first node (the head, by convention), else the direction of movement."""
    velocity = central_difference(centre, 1)
    heading = np.arctan2(velocity[:, 1], velocity[:, 0])
    if track.keypoints.shape[1]:
        head = track.keypoints[:, 0] - centre
        heading = np.where(np.isnan(head[:, 0]), heading, np.arctan2(head[:, 1], head[:, 0]))
    return heading


def body_length(track: SubjectTrack) -> float:
    """The subject's size in pixels, the unit of every trajectory feature: the median over frames
    of the widest span between two of its nodes (unchanged when the animal turns), else of its
    box diagonal; at least 1."""
    points = track.keypoints
    if points.shape[1] >= 2 and np.isfinite(points).any():
        spans = np.linalg.norm(points[:, :, None] - points[:, None, :], axis=-1)
        with warnings.catch_warnings():  # frames with fewer than two nodes known give NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            size = np.nanmax(spans.reshape(len(points), -1), axis=1)
    else:
        size = np.hypot(track.boxes[:, 2] - track.boxes[:, 0], track.boxes[:, 3] - track.boxes[:, 1])
    return max(float(np.nanmedian(size)), 1.0) if np.isfinite(size).any() else 1.0


def _box_of(instance: Instance) -> tuple[float, float, float, float] | None:
    if instance.box is not None:
        return instance.box.as_tuple()
    if instance.keypoints is not None:
        seen = instance.keypoints[instance.keypoints[:, 2] > 0, :2]
        if len(seen):
            (x1, y1), (x2, y2) = seen.min(0), seen.max(0)
            pad = 0.1 * max(x2 - x1, y2 - y1, 4.0)
            return x1 - pad, y1 - pad, x2 + pad, y2 + pad
    return None


def interpolate_gaps(values: np.ndarray, max_gap: int) -> np.ndarray:
    """Fill NaN runs of at most `max_gap` frames lying between two known values, per column;
    `values` is (F, ...) and is not modified."""
    out = values.reshape(len(values), -1).astype(np.float32).copy()
    frames = np.arange(len(out))
    for c in range(out.shape[1]):
        column = out[:, c]
        known = np.flatnonzero(~np.isnan(column))
        if len(known) < 2 or max_gap <= 0:
            continue
        gaps = np.diff(known)
        for a, b in zip(known[:-1][(gaps > 1) & (gaps <= max_gap + 1)], known[1:][(gaps > 1) & (gaps <= max_gap + 1)]):
            column[a + 1 : b] = np.interp(frames[a + 1 : b], [a, b], [column[a], column[b]])
    return out.reshape(values.shape)


def subject_tracks(project, video_id: int, n_frames: int, max_gap: int = 15) -> dict[int, SubjectTrack]:
    """Every track with instances in the video, by track id."""
    boxes: dict[int, np.ndarray] = {}
    points: dict[int, dict[int, np.ndarray]] = {}
    user: dict[int, set[int]] = {}
    for frame, instances in project.instances.on_frames(video_id, 0, n_frames).items():
        for instance in instances:
            track = instance.track_id
            if track is None or (instance.is_predicted and frame in user.get(track, ())):
                continue
            box = _box_of(instance)
            if box is None:
                continue
            if not instance.is_predicted:
                user.setdefault(track, set()).add(frame)
            boxes.setdefault(track, np.full((n_frames, 4), np.nan, np.float32))[frame] = box
            if instance.keypoints is not None:
                k = instance.keypoints.copy()
                k[k[:, 2] <= 0, :2] = np.nan
                points.setdefault(track, {})[frame] = k[:, :2]
    tracks = {}
    for track, box_array in boxes.items():
        n_nodes = max((len(k) for k in points.get(track, {}).values()), default=0)
        keypoints = np.full((n_frames, n_nodes, 2), np.nan, np.float32)
        for frame, k in points.get(track, {}).items():
            keypoints[frame, : len(k)] = k
        box_array = interpolate_gaps(box_array, max_gap)
        tracks[track] = SubjectTrack(track, box_array, interpolate_gaps(keypoints, max_gap), ~np.isnan(box_array[:, 0]))
    return tracks
