"""The tracker on synthetic animals: crossings, max_animals, disappearances, new animals."""

from __future__ import annotations

import numpy as np
from conftest import crossing_paths, detection

from core.tracking import Tracker, TrackerOptions, track_frames


def _frames(paths, score=None, drop=()):
    return {
        f: [detection(x, y, h, score, k) for k, (x, y, h) in enumerate(animals) if (f, k) not in drop]
        for f, animals in paths.items()
    }


def _identity_kept(result, frames, animal: int) -> bool:
    numbers = {result[(f, animal)] for f in frames if (f, animal) in result}
    return len(numbers) == 1


def test_crossing_animals_keep_their_identity_with_motion_prediction():
    paths = crossing_paths()
    frames = _frames(paths)
    result = track_frames(frames, TrackerOptions(), scale=28.0)
    assert _identity_kept(result, frames, 0) and _identity_kept(result, frames, 1)
    assert result[(0, 0)] != result[(0, 1)]
    assert set(result.values()) == {0, 1}


def test_identical_poses_meeting_head_on_are_told_apart_only_by_motion():
    # both face the same way, and at the middle frame they are the same pose at the same place
    paths = {f: [(x, y, 0.0) for x, y, _ in animals] for f, animals in crossing_paths(frames=41, speed=3.0).items()}
    frames = _frames(paths)
    with_motion = track_frames(frames, TrackerOptions(max_animals=2), scale=28.0)
    assert _identity_kept(with_motion, frames, 0) and _identity_kept(with_motion, frames, 1)
    without = track_frames(frames, TrackerOptions(max_animals=2, motion=False), scale=28.0)
    assert not _identity_kept(without, frames, 0)  # the swap motion prediction prevents


def test_max_animals_is_never_exceeded_and_spurious_detections_get_no_track():
    paths = crossing_paths()
    frames = _frames(paths, score=0.9)
    for f in range(5, 50, 3):  # a third, confident detection far away now and then
        frames[f].append(detection(600, 600, 0.0, 0.9, 2))
    result = track_frames(frames, TrackerOptions(max_animals=2), scale=28.0)
    assert set(result.values()) == {0, 1}
    assert _identity_kept(result, frames, 0) and _identity_kept(result, frames, 1)


def test_a_disappearing_animal_keeps_its_identity_when_it_comes_back():
    paths = {f: [(100 + 2 * f, 100.0, 0.0), (100 + 2 * f, 300.0, 0.0)] for f in range(80)}
    drop = {(f, 0) for f in range(20, 35)}  # animal A hidden for 15 frames
    frames = _frames(paths, score=0.9, drop=drop)
    for options in (TrackerOptions(), TrackerOptions(max_animals=2)):
        result = track_frames(frames, options, scale=28.0)
        assert _identity_kept(result, frames, 0) and _identity_kept(result, frames, 1)
        assert set(result.values()) == {0, 1}


def test_memory_runs_out_without_max_animals_but_not_with_it():
    paths = {f: [(100.0, 100.0, 0.0), (100.0, 300.0, 0.0)] for f in range(60)}
    frames = _frames(paths, drop={(f, 0) for f in range(10, 40)})
    forgetful = track_frames(frames, TrackerOptions(memory=10), scale=28.0)
    assert len(set(forgetful.values())) == 3
    known = track_frames(frames, TrackerOptions(memory=10, max_animals=2), scale=28.0)
    assert _identity_kept(known, frames, 0) and set(known.values()) == {0, 1}


def test_a_new_prediction_needs_several_frames_to_become_a_track():
    paths = {f: [(100.0 + f, 100.0, 0.0)] for f in range(10)}
    frames = _frames(paths, score=0.9)
    frames[4].append(detection(400, 400, 0.0, 0.9, 1))  # one-frame flash: no track
    for f in range(6, 10):  # an animal that enters and stays: a track, back to its first frame
        frames[f].append(detection(300, 100 + f, 0.0, 0.9, 1))
    tracker = Tracker(TrackerOptions(min_hits=3), scale=28.0)
    settled = {}
    for f in sorted(frames):
        for frame, index, number in tracker.step(f, frames[f]):
            settled[(frame, index)] = number
    assert (4, 1) not in settled
    assert settled[(6, 1)] == settled[(9, 1)] == 1
    assert set(settled.values()) == {0, 1}


def test_user_labels_make_a_track_at_once_and_weak_fragments_never_do():
    frames = {0: [detection(100, 100, 0.0, None, 0)]}
    assert track_frames(frames) == {(0, 0): 0}
    full = [detection(100 + f, 100, 0.0, 30.0, 0) for f in range(10)]
    frames = {f: [full[f]] for f in range(10)}
    for f in range(3, 9):  # a low-score two-node fragment far away, for six frames
        fragment = detection(400, 400, 0.0, 1.0, 1)
        fragment.points[2] = np.nan
        frames[f].append(fragment)
    result = track_frames(frames, TrackerOptions(), scale=28.0)
    assert set(result.values()) == {0} and all(i == 0 for (_, i) in result)
