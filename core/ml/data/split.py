"""A train/validation split that is stable across runs and keeps stretches of video apart.

Neighbouring frames of a video look almost the same; a validation frame next to a training
frame would flatter the model. Frames are grouped into blocks of consecutive frames
(`block` frames long), and whole blocks go to validation, chosen by a hash of
(video fingerprint, block number) so that adding labels later never moves an old frame
from one side to the other.
"""

from __future__ import annotations

import hashlib

FrameKey = tuple[int, int]  # (video id, frame index)


def _unit(text: str) -> float:
    return int(hashlib.sha256(text.encode()).hexdigest()[:12], 16) / float(16**12)


def split_frames(
    frames: list[FrameKey],
    fingerprints: dict[int, str],
    val_fraction: float = 0.2,
    block: int = 100,
    min_val: int = 1,
) -> tuple[list[FrameKey], list[FrameKey]]:
    """(train, validation) frames, each sorted. Blocks whose hash falls under `val_fraction`
    validate; with few labels, blocks are added in hash order until `min_val` frames validate,
    always leaving one block to train on. All frames in one block: its last frames validate."""
    frames = sorted(set(frames))
    if len(frames) < 2:
        return frames, []
    blocks: dict[tuple[int, int], list[FrameKey]] = {}
    for video_id, index in frames:
        blocks.setdefault((video_id, index // block), []).append((video_id, index))
    if len(blocks) == 1:
        n_val = min(len(frames) - 1, max(min_val, round(len(frames) * val_fraction)))
        return frames[:-n_val], frames[-n_val:]
    ordered = sorted(blocks, key=lambda key: _unit(f"{fingerprints.get(key[0], key[0])}:{key[1]}"))
    chosen = [key for key in ordered if _unit(f"{fingerprints.get(key[0], key[0])}:{key[1]}") < val_fraction]
    for key in ordered[len(chosen) : -1]:
        if sum(len(blocks[k]) for k in chosen) >= min_val:
            break
        chosen.append(key)
    val = sorted(f for key in chosen[: len(blocks) - 1] for f in blocks[key])
    val_set = set(val)
    return [f for f in frames if f not in val_set], val
