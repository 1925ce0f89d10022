"""The packet index: which timestamp is frame N, and where the keyframes are.

Built once per video by demuxing every packet without decoding (a few milliseconds per
thousand frames): presentation timestamps sorted ascending give frame N's timestamp, which
is exactly what plain sequential decoding yields as its N-th frame whatever the GOP, the
B-frame reordering, a variable frame rate or a first timestamp that is not zero. Reading
frame N then means: seek to the last keyframe whose timestamp is at or before N's, decode
forward, keep the frame whose timestamp matches.

Streams without usable timestamps (missing or duplicated) are marked `timed=False`; the
reader then counts decoded frames from the start instead of seeking, slow but still exact.
The index can be cached on disk (an `.npz` keyed by the video's content fingerprint), never
next to the user's video.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

INDEX_FORMAT_VERSION = 1


@dataclass(frozen=True)
class FrameIndex:
    """Timestamps of a video stream in presentation order.

    pts: int64 array of shape `(frame_count,)`, strictly increasing, in `time_base` units.
    key_pts: int64 array of shape `(n_keyframes,)`, ascending timestamps of keyframes.
    seek_ts: int64 array like `key_pts`: the fallback seek target of each keyframe (min of
        its pts and dts).
    time_base: seconds per timestamp unit.
    timed: False when timestamps are unusable and frames must be counted from the start.
    head_suspect: True when packets precede the first keyframe, which a decoder may drop;
        the reader then checks the head by decoding it once.
    """

    pts: np.ndarray
    key_pts: np.ndarray
    seek_ts: np.ndarray
    time_base: Fraction
    timed: bool = True
    head_suspect: bool = False

    @property
    def frame_count(self) -> int:
        return int(self.pts.shape[0])

    @property
    def keyframe_indices(self) -> np.ndarray:
        """Frame indices of the keyframes (ascending)."""
        if not self.timed:
            return np.zeros(1, dtype=np.int64)
        return np.searchsorted(self.pts, self.key_pts).astype(np.int64)

    def keyframe_at_or_before(self, index: int) -> int:
        """Position in `key_pts` of the last keyframe at or before frame `index`; -1 if none."""
        return int(np.searchsorted(self.key_pts, self.pts[index], side="right")) - 1

    def frame_of_pts(self, pts: int) -> int | None:
        """Frame index whose timestamp is `pts`, or None if no frame has it."""
        pos = int(np.searchsorted(self.pts, pts))
        if pos < self.pts.shape[0] and int(self.pts[pos]) == pts:
            return pos
        return None

    def seconds(self, index: int) -> float:
        """Presentation time of frame `index` relative to the first frame, in seconds."""
        return float((int(self.pts[index]) - int(self.pts[0])) * self.time_base)

    def drop_head(self, decoded_head_pts: list[int]) -> "FrameIndex":
        """Replace the frames before the first keyframe by those a decoder actually produced."""
        first_key = int(self.key_pts[0]) if self.key_pts.size else int(self.pts[0])
        rest = self.pts[self.pts >= first_key]
        head = np.array(sorted(p for p in decoded_head_pts if p < first_key), dtype=np.int64)
        return FrameIndex(
            np.concatenate([head, rest]), self.key_pts, self.seek_ts, self.time_base, self.timed
        )

    # -- building --------------------------------------------------------------------------

    @classmethod
    def from_packets(
        cls,
        timestamps: list[int | None],
        dts: list[int | None],
        keyframe: list[bool],
        time_base: Fraction,
    ) -> "FrameIndex":
        """Index from packets in decode order (one entry per non-empty, non-discarded packet)."""
        n = len(timestamps)
        usable = n > 0 and all(t is not None for t in timestamps)
        pts = np.array([t for t in timestamps if t is not None], dtype=np.int64)
        if usable:
            pts.sort()
            usable = bool(np.all(np.diff(pts) > 0))
        if not usable:
            return cls(
                np.arange(n, dtype=np.int64),
                np.zeros(1, dtype=np.int64),
                np.zeros(1, dtype=np.int64),
                time_base,
                timed=False,
            )
        keys = [(t, d) for t, d, k in zip(timestamps, dts, keyframe) if k]
        keys.sort(key=lambda kd: kd[0])
        key_pts = np.array([t for t, _ in keys], dtype=np.int64)
        # The reader seeks by pts first and falls back to this (the smaller of pts and dts) for
        # demuxers that index by dts: landing early only costs time, landing late is detected.
        seek_ts = np.array([t if d is None else min(t, d) for t, d in keys], dtype=np.int64)
        first_is_key = bool(keyframe[0])
        head_suspect = (not first_is_key) or (key_pts.size == 0) or int(pts[0]) < int(key_pts[0])
        return cls(pts, key_pts, seek_ts, time_base, True, head_suspect)

    # -- on-disk cache ---------------------------------------------------------------------

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(
            tmp,
            version=np.int64(INDEX_FORMAT_VERSION),
            pts=self.pts,
            key_pts=self.key_pts,
            seek_ts=self.seek_ts,
            time_base=np.array([self.time_base.numerator, self.time_base.denominator]),
            flags=np.array([self.timed, self.head_suspect]),
        )
        tmp.replace(path)  # atomic, so a reader never sees half an index

    @classmethod
    def load(cls, path: Path) -> "FrameIndex | None":
        """The cached index, or None if absent, unreadable or from another format version."""
        try:
            with np.load(path) as data:
                if int(data["version"]) != INDEX_FORMAT_VERSION:
                    return None
                num, den = (int(x) for x in data["time_base"])
                timed, head_suspect = (bool(x) for x in data["flags"])
                return cls(
                    data["pts"].astype(np.int64),
                    data["key_pts"].astype(np.int64),
                    data["seek_ts"].astype(np.int64),
                    Fraction(num, den),
                    timed,
                    head_suspect,
                )
        except (OSError, KeyError, ValueError):
            return None
