"""The review queue of one video, kept right by the frames edits touch instead of recomputed.

`review_order` ranks every predicted frame of a video (a whole-video read: too slow to repeat
after each accept on a video of 100,000 predictions). A `ReviewQueue` holds that ranking and
updates only the frames an edit touched: by confidence a frame's rank depends on that frame
alone, so re-reading it is exact; by disagreement a frame's score also depends on its neighbour,
so the queue says it needs a full recompute (the GUI runs that on a worker).

    queue = ReviewQueue.build(project, video_id, "confidence", min_score=0.3)
    queue.update(project, [118])   # after an edit on frame 118: True when the queue is right
    queue.frames[:3]               # the first frames to review
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select

from core.project import Project
from core.project import schema as s
from core.workflows.review import ReviewBy, ReviewItem, _predicted, review_order


def confidence_item(frame: int, score: float, count: int) -> ReviewItem:
    return ReviewItem(frame, score, f"lowest score {score:.2f} ({count} prediction{'s' * (count != 1)})")


def frame_confidences_at(project: Project, video_id: int, frames: Iterable[int], min_score: float = 0.0) -> dict[int, tuple[float, int]]:
    """(confidence, number of visible predictions) of the given frames that still have some."""
    wanted = sorted(set(frames))
    if not wanted:
        return {}
    lowest = func.min(func.coalesce(s.instances.c.score, 0.0))
    query = (
        select(s.frames.c.frame_index, lowest, func.count())
        .join(s.instances, s.instances.c.frame_id == s.frames.c.id)
        .where(*_predicted(video_id, min_score, None), s.frames.c.frame_index.in_(wanted))
        .group_by(s.frames.c.frame_index)
    )
    with project.db.reading() as connection:
        return {row[0]: (float(row[1]), int(row[2])) for row in connection.execute(query)}


def _key(item: ReviewItem, by: ReviewBy) -> tuple[float, int]:
    """The sort key of `review_order`: lowest confidence first, most disagreement first."""
    return (item.score, item.frame_index) if by == "confidence" else (-item.score, item.frame_index)


@dataclass
class ReviewQueue:
    video_id: int
    by: ReviewBy
    min_score: float
    items: list[ReviewItem] = field(default_factory=list)  # in review order
    _keys: list[tuple[float, int]] = field(default_factory=list, repr=False)
    _by_frame: dict[int, ReviewItem] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.items = sorted(self.items, key=lambda item: _key(item, self.by))
        self._keys = [_key(item, self.by) for item in self.items]
        self._by_frame = {item.frame_index: item for item in self.items}

    @classmethod
    def build(cls, project: Project, video_id: int, by: ReviewBy = "confidence", min_score: float = 0.0) -> ReviewQueue:
        """The whole video's queue (a full read: run it off the GUI thread on big videos)."""
        return cls(video_id, by, min_score, review_order(project, video_id, by, min_score))

    @property
    def frames(self) -> list[int]:
        return [item.frame_index for item in self.items]

    def __len__(self) -> int:
        return len(self.items)

    def position(self, frame: int) -> int | None:
        """Where `frame` stands in the queue (None when it has nothing to review)."""
        item = self._by_frame.get(frame)
        return None if item is None else bisect.bisect_left(self._keys, _key(item, self.by))

    def update(self, project: Project, frames: Iterable[int]) -> bool:
        """Re-rank `frames` from the store after an edit on them; False when this order cannot be
        updated frame by frame (disagreement: a frame's score depends on its neighbour)."""
        if self.by != "confidence":
            return False
        frames = set(frames)
        now = frame_confidences_at(project, self.video_id, frames, self.min_score)
        for frame in frames:
            self._remove(frame)
            if frame in now:
                self._insert(confidence_item(frame, *now[frame]))
        return True

    def _remove(self, frame: int) -> None:
        item = self._by_frame.pop(frame, None)
        if item is not None:
            at = bisect.bisect_left(self._keys, _key(item, self.by))
            del self._keys[at], self.items[at]

    def _insert(self, item: ReviewItem) -> None:
        key = _key(item, self.by)
        at = bisect.bisect_left(self._keys, key)
        self._keys.insert(at, key)
        self.items.insert(at, item)
        self._by_frame[item.frame_index] = item
