"""The review queue of one video, kept right by the frames edits touch instead of recomputed.

`review_order` ranks every predicted frame of a video (a whole-video read: too slow to repeat
after each accept on a video of 100,000 predictions). A `ReviewQueue` holds that ranking and
updates only the frames an edit touched: by confidence a frame's rank depends on that frame
alone, so re-reading it is exact; by disagreement a frame's score also depends on its neighbour,
so the queue says it needs a full recompute (the GUI runs that on a worker).

The ranking is kept as sorted (key, frame) pairs and each frame's reason is written only when
asked for: a queue over 200,000 frames is built in about half a second (one grouped query
over the instances in their index order) and crosses to the GUI process as plain tuples.

    queue = ReviewQueue.build(project, video_id, "confidence", min_score=0.3)
    queue.update(project, [118])   # after an edit on frame 118: True when the queue is right
    queue.head(3)                  # the first three ReviewItems
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


from core.project import Project
from core.workflows.review import (
    ReviewBy,
    ReviewItem,
    confidence_reason,
    highest_score,
    node_threshold_model,
    review_order,
)


@dataclass(frozen=True)
class ReviewContext:
    """What the review panel shows beside the queue: the highest score (the slider's scale)
    and the pose model whose node threshold the panel sets (both whole-video reads)."""

    video_id: int
    highest_score: float | None
    node_model_id: int | None


def review_context(project: Project, video_id: int) -> ReviewContext:
    return ReviewContext(video_id, highest_score(project, video_id), node_threshold_model(project, video_id))


def frame_confidences_at(
    project: Project, video_id: int, frames: Iterable[int] | None = None, min_score: float = 0.0, lowest: int | None = None
) -> list[tuple[int, float, int]]:
    """(frame, confidence, number of visible predictions) of the video's frames (of `frames`
    only, when given; the `lowest` least confident only, when given) that have visible
    predictions (`InstanceTable.frame_confidences`)."""
    return project.instances.frame_confidences(video_id, min_score, frames=frames, lowest=lowest)


@dataclass
class ReviewQueue:
    video_id: int
    by: ReviewBy
    min_score: float
    partial: bool = False  # only the head of the order (`build_head`): the rest is still coming
    # (sort key, frame) in review order: key = confidence (lowest first) or -disagreement
    _order: list[tuple[float, int]] = field(default_factory=list, repr=False)
    _key: dict[int, float] = field(default_factory=dict, repr=False)  # frame -> its sort key
    _detail: dict[int, object] = field(default_factory=dict, repr=False)  # frame -> count or reason

    @classmethod
    def build(cls, project: Project, video_id: int, by: ReviewBy = "confidence", min_score: float = 0.0) -> ReviewQueue:
        """The whole video's queue (a full read: run it off the GUI thread on big videos)."""
        queue = cls(video_id, by, min_score)
        if by == "confidence":
            return queue._filled(frame_confidences_at(project, video_id, None, min_score))
        items = review_order(project, video_id, by, min_score)
        return queue._filled([(item.frame_index, -item.score, item.reason) for item in items])

    @classmethod
    def build_head(cls, project: Project, video_id: int, min_score: float = 0.0, n: int = 300) -> ReviewQueue:
        """The `n` least confident frames only (a third of the time of `build` on 200,000
        frames): what the list shows first while the whole order is ranked."""
        queue = cls(video_id, "confidence", min_score, partial=True)
        return queue._filled(frame_confidences_at(project, video_id, None, min_score, lowest=n))

    def _filled(self, rows: list[tuple[int, float, object]]) -> ReviewQueue:
        """This queue holding `rows` of (frame, sort key, count or reason)."""
        self._key = {frame: key for frame, key, _ in rows}
        self._detail = {frame: detail for frame, _, detail in rows}
        self._order = sorted((key, frame) for frame, key in self._key.items())
        return self

    # --- reading -----------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._order)

    def item(self, position: int) -> ReviewItem:
        key, frame = self._order[position]
        detail = self._detail[frame]
        if self.by == "confidence":
            return ReviewItem(frame, key, confidence_reason(key, detail))
        return ReviewItem(frame, -key, detail)

    def head(self, n: int) -> list[ReviewItem]:
        return [self.item(p) for p in range(min(n, len(self._order)))]

    @property
    def items(self) -> Sequence[ReviewItem]:
        """Every item in review order, made as they are read."""
        return _Items(self)

    @property
    def frames(self) -> list[int]:
        return [frame for _, frame in self._order]

    def snapshot(self) -> list[tuple[float, int]]:
        """The order as it stands (a copy: `update` changes this queue in place)."""
        return list(self._order)

    def position(self, frame: int) -> int | None:
        """Where `frame` stands in the queue (None when it has nothing to review)."""
        key = self._key.get(frame)
        return None if key is None else bisect.bisect_left(self._order, (key, frame))

    # --- keeping it right ---------------------------------------------------------------------------

    def update(self, project: Project, frames: Iterable[int]) -> bool:
        """Re-rank `frames` from the store after an edit on them; False when this order cannot be
        updated frame by frame (disagreement: a frame's score depends on its neighbour)."""
        if self.by != "confidence":
            return False
        frames = set(frames)
        now = {frame: (score, count) for frame, score, count in frame_confidences_at(project, self.video_id, frames, self.min_score)}
        for frame in frames:
            self._remove(frame)
            if frame in now:
                score, count = now[frame]
                self._key[frame], self._detail[frame] = score, count
                bisect.insort(self._order, (score, frame))
        return True

    def _remove(self, frame: int) -> None:
        key = self._key.pop(frame, None)
        if key is not None:
            del self._order[bisect.bisect_left(self._order, (key, frame))]
            self._detail.pop(frame, None)


class _Items(Sequence):
    """A queue's items as a read-only sequence, each made when read."""

    def __init__(self, queue: ReviewQueue) -> None:
        self._queue = queue

    def __len__(self) -> int:
        return len(self._queue)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._queue.item(p) for p in range(*index.indices(len(self._queue)))]
        if index < 0:
            index += len(self._queue)
        if not 0 <= index < len(self._queue):
            raise IndexError(index)
        return self._queue.item(index)
