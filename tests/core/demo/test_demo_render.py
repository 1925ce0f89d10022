"""render_world writes a video whose frame i is the frame gt.frame(i) describes; truth round-trips."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import av
import numpy as np
import pytest

from core.demo import GroundTruth, World, WorldConfig, render_world
from core.runtime.cancel import Cancelled


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> tuple[WorldConfig, Path, GroundTruth, list[int]]:
    # 60 frames at 30 fps: two keyframe intervals.
    config = WorldConfig(width=160, height=120, fps=30, seconds=2, n_animals=3, seed=11)
    path = tmp_path_factory.mktemp("demo") / "demo.mp4"
    calls: list[int] = []
    truth = render_world(config, path, progress=lambda done, total: calls.append((done, total)))
    return config, path, truth, calls


def _decode(path: Path) -> tuple[list[np.ndarray], list[bool]]:
    with av.open(str(path)) as container:
        frames = list(container.decode(video=0))
    return [f.to_ndarray(format="bgr24").astype(np.int16) for f in frames], [f.key_frame for f in frames]


def test_video_has_every_frame_at_the_configured_size(rendered) -> None:
    config, path, truth, _ = rendered
    images, keys = _decode(path)
    assert len(images) == config.n_frames == truth.n_frames
    assert images[0].shape == (config.height, config.width, 3)
    assert [i for i, k in enumerate(keys) if k] == [0, 30]
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264" and stream.codec_context.pix_fmt == "yuv420p"
        assert stream.average_rate == config.fps


def test_decoded_frame_i_is_rendered_frame_i(rendered) -> None:
    config, path, truth, _ = rendered
    images, _ = _decode(path)
    world = World(config)
    reference = [world.render_frame(i).image.astype(np.int16) for i in range(config.n_frames)]
    compared = 0
    for i, decoded in enumerate(images):
        assert np.abs(decoded - reference[i]).mean() < 5.0, f"frame {i} differs beyond codec loss"
        # Where the animals moved between neighbouring frames, frame i must match i, not i +- 1:
        # this catches an off-by-one that codec loss would hide in a whole-frame average.
        for j in (i - 1, i + 1):
            if 0 <= j < config.n_frames:
                moved = np.abs(reference[i] - reference[j]).sum(axis=-1) > 60
                if moved.sum() >= 20:
                    same = np.abs(decoded - reference[i])[moved].mean()
                    other = np.abs(decoded - reference[j])[moved].mean()
                    assert same < 0.7 * other, f"decoded frame {i} looks like rendered frame {j}"
                    compared += 1
    assert compared > config.n_frames  # the check above really ran


def test_truth_matches_the_rendered_frames(rendered) -> None:
    config, _, truth, _ = rendered
    world = World(config)
    for i in (0, 29, 30, config.n_frames - 1):
        frame = world.render_frame(i)
        listed = truth.frame(i, include_hidden=True)
        assert [a.track_id for a in listed] == truth.track_ids
        for a, b in zip(frame.animals, listed):
            np.testing.assert_array_equal(a.box, b.box)
            np.testing.assert_array_equal(a.keypoints, b.keypoints)
            assert (a.behaviour, a.area) == (b.behaviour, b.area)
            np.testing.assert_array_equal(truth.mask(i, a.track_id), frame.mask(a.track_id))


def test_progress_reports_every_frame(rendered) -> None:
    config, _, _, calls = rendered
    assert calls == [(i + 1, config.n_frames) for i in range(config.n_frames)]


def test_behaviour_bouts_tile_the_recording(rendered) -> None:
    config, _, truth, _ = rendered
    for track in truth.track_ids:
        bouts = truth.behaviour_bouts(track)
        assert bouts[0][1] == 0 and bouts[-1][2] == config.n_frames - 1
        for (name, start, end), (next_name, next_start, _) in zip(bouts, bouts[1:]):
            assert next_start == end + 1 and next_name != name
        for name, start, end in bouts:
            assert all(truth.frame(f, include_hidden=True)[track].behaviour == name for f in (start, end))


def test_save_load_round_trip(rendered, tmp_path: Path) -> None:
    _, _, truth, _ = rendered
    path = tmp_path / "truth.npz"
    truth.save(path)
    loaded = GroundTruth.load(path)
    assert loaded == truth
    assert loaded.identities == truth.identities and loaded.config == truth.config
    np.testing.assert_array_equal(loaded.mask(5, 1), truth.mask(5, 1))
    assert loaded.mask_rle(5, 1) == truth.mask_rle(5, 1)
    with np.load(path, allow_pickle=False) as data:  # nothing in it needs pickle
        assert {"header", "boxes", "keypoints", "rle_counts"} <= set(data.files)


def test_cancel_stops_and_leaves_no_video(tmp_path: Path) -> None:
    config = WorldConfig(width=160, height=120, fps=15, seconds=2, seed=1)
    stop = threading.Event()

    def progress(done: int, total: int) -> None:
        if done == 5:
            stop.set()

    path = tmp_path / "demo.mp4"
    with pytest.raises(Cancelled):
        render_world(config, path, progress=progress, cancel=stop)
    assert list(tmp_path.iterdir()) == []


def test_a_token_set_before_the_start_writes_nothing(tmp_path: Path) -> None:
    config = WorldConfig(width=160, height=120, fps=15, seconds=1, seed=1)
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled):
        render_world(config, tmp_path / "demo.mp4", cancel=stop)
    assert list(tmp_path.iterdir()) == []


def test_rendering_twice_gives_identical_truth(rendered, tmp_path: Path) -> None:
    config, _, truth, _ = rendered
    assert render_world(config, tmp_path / "again.mp4") == truth
    assert render_world(replace(config, seed=config.seed + 1), tmp_path / "other.mp4") != truth
