"""How right identities are, against user-labelled tracks: MOT-style identity switches and
the fraction of instances and frames with the correct identity.

Per frame, tracked instances are matched to true ones by the Hungarian algorithm on keypoint
distance (or centre distance), within `max_distance` pixels. An identity switch (CLEAR-MOT's
IDSW) is counted when a true animal is matched to a different tracked id than the last time it
was matched. The "correct identity" fractions use the best global one-to-one mapping of tracked
ids to true ids (the mapping that agrees with most matches), as IDF1 does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from core.tracking.features import Detection, keypoint_distance

Labelled = tuple[int | None, Detection]  # (track id or None, where the instance is)


@dataclass(frozen=True)
class IdentityMetrics:
    """Identity switches and correct-identity fractions of a tracked clip against the truth.

    `instances` counts true instances that carry a true track; `instances_correct` those matched
    to a tracked instance whose id maps to their true id; `frames_correct` the frames whose true
    instances are all correct. `switches` lists (frame, true id, tracked id before, after).
    """

    id_switches: int
    instances: int
    instances_correct: int
    instances_missed: int
    frames: int
    frames_correct: int
    mapping: dict[int, int] = field(default_factory=dict)  # tracked id -> true id
    switches: tuple[tuple[int, int, int, int], ...] = ()

    @property
    def fraction_instances_correct(self) -> float:
        return self.instances_correct / self.instances if self.instances else 1.0

    @property
    def fraction_frames_correct(self) -> float:
        return self.frames_correct / self.frames if self.frames else 1.0

    def as_dict(self) -> dict:
        return {
            "id_switches": self.id_switches,
            "instances": self.instances,
            "instances_correct": self.instances_correct,
            "instances_missed": self.instances_missed,
            "fraction_instances_correct": round(self.fraction_instances_correct, 4),
            "frames": self.frames,
            "frames_correct": self.frames_correct,
            "fraction_frames_correct": round(self.fraction_frames_correct, 4),
            "switch_frames": [s[0] for s in self.switches],
        }


def match_frame(truth: Sequence[Labelled], tracked: Sequence[Labelled], max_distance: float) -> list[tuple[int, int]]:
    """Pairs (truth index, tracked index) of one frame, closest first, within `max_distance`."""
    if not truth or not tracked:
        return []
    cost = np.array([[keypoint_distance(t[1], p[1]) for p in tracked] for t in truth])
    cost = np.where(np.isfinite(cost), cost, 1e12)
    rows, cols = linear_sum_assignment(cost)
    return [(int(r), int(c)) for r, c in zip(rows, cols) if cost[r, c] <= max_distance]


def identity_metrics(
    truth: Mapping[int, Sequence[Labelled]], tracked: Mapping[int, Sequence[Labelled]], max_distance: float = np.inf
) -> IdentityMetrics:
    """Score `tracked` against `truth`, both {frame: [(track id, detection), ...]}.

    Instances without a track id are ignored on both sides; a true instance that no tracked
    instance matches counts as missed, which is neither correct nor a switch.
    """
    matches: dict[int, list[tuple[int, int | None]]] = {}  # frame -> [(true id, tracked id or None)]
    counts: dict[tuple[int, int], int] = {}
    for frame in sorted(truth):
        true_items = [t for t in truth[frame] if t[0] is not None]
        if not true_items:
            continue
        found = [p for p in tracked.get(frame, []) if p[0] is not None]
        pairs = dict(match_frame(true_items, found, max_distance))
        row = []
        for k, (true_id, _) in enumerate(true_items):
            tracked_id = found[pairs[k]][0] if k in pairs else None
            row.append((true_id, tracked_id))
            if tracked_id is not None:
                counts[(true_id, tracked_id)] = counts.get((true_id, tracked_id), 0) + 1
        matches[frame] = row
    mapping = _best_mapping(counts)

    switches = []
    last: dict[int, int] = {}
    instances = correct = missed = frames_correct = 0
    for frame, row in matches.items():
        all_right = True
        for true_id, tracked_id in row:
            instances += 1
            if tracked_id is None:
                missed += 1
                all_right = False
                continue
            if true_id in last and last[true_id] != tracked_id:
                switches.append((frame, true_id, last[true_id], tracked_id))
            last[true_id] = tracked_id
            if mapping.get(tracked_id) == true_id:
                correct += 1
            else:
                all_right = False
        frames_correct += all_right
    return IdentityMetrics(len(switches), instances, correct, missed, len(matches), frames_correct, mapping, tuple(switches))


def _best_mapping(counts: dict[tuple[int, int], int]) -> dict[int, int]:
    """The one-to-one tracked id -> true id mapping that agrees with most matched instances."""
    if not counts:
        return {}
    true_ids = sorted({t for t, _ in counts})
    tracked_ids = sorted({p for _, p in counts})
    agree = np.zeros((len(true_ids), len(tracked_ids)))
    for (t, p), n in counts.items():
        agree[true_ids.index(t), tracked_ids.index(p)] = n
    rows, cols = linear_sum_assignment(-agree)
    return {tracked_ids[c]: true_ids[r] for r, c in zip(rows, cols) if agree[r, c] > 0}
