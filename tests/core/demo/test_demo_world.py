"""The demo world renders deterministically, and its truth agrees with its own pixels."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from scipy import ndimage

from core.demo import BEHAVIOURS, SKELETON, World, WorldConfig
from core.demo.config import OCCLUDED, OUT_OF_FRAME, VISIBLE


def _assert_frames_equal(a, b) -> None:
    np.testing.assert_array_equal(a.image, b.image)
    np.testing.assert_array_equal(a.labels, b.labels)
    for x, y in zip(a.animals, b.animals):
        assert (x.track_id, x.behaviour, x.area) == (y.track_id, y.behaviour, y.area)
        np.testing.assert_array_equal(x.box, y.box)
        np.testing.assert_array_equal(x.keypoints, y.keypoints)


def test_same_seed_renders_identical_frames_and_truth(small_config, small_frames) -> None:
    again = World(small_config)
    for i in (0, 7, len(small_frames) - 1):
        _assert_frames_equal(again.render_frame(i), small_frames[i])


def test_different_seed_renders_a_different_world(small_config, small_frames) -> None:
    other = World(replace(small_config, seed=small_config.seed + 1)).render_frame(0)
    assert np.abs(other.image.astype(int) - small_frames[0].image).mean() > 5


def test_step_in_order_equals_random_access(small_config, small_frames) -> None:
    world = World(small_config)
    stepped = list(world)
    assert len(stepped) == small_config.n_frames
    for i in (0, 1, 12):
        _assert_frames_equal(stepped[i], small_frames[i])
    with pytest.raises(StopIteration):
        world.step()


def test_frames_have_the_configured_size(small_config, small_frames) -> None:
    frame = small_frames[0]
    assert frame.image.shape == (small_config.height, small_config.width, 3) and frame.image.dtype == np.uint8
    assert [a.track_id for a in frame.animals] == list(range(small_config.n_animals))
    assert all(a.keypoints.shape == (len(SKELETON.nodes), 3) and a.keypoints.dtype == np.float32
               for a in frame.animals)
    assert all(a.behaviour in {b[0] for b in BEHAVIOURS} for a in frame.animals)


def _check_truth(frame) -> None:
    """Box = bounding box of the visible mask, masks disjoint, keypoints' visibility exact."""
    H, W = frame.labels.shape
    masks = [frame.mask(a.track_id) for a in frame.animals]
    assert (np.sum(masks, axis=0) <= 1).all()
    for a, mask in zip(frame.animals, masks):
        assert a.area == mask.sum()
        if a.area:
            rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
            np.testing.assert_array_equal(a.box, [cols[0], rows[0], cols[-1] + 1, rows[-1] + 1])
        else:
            np.testing.assert_array_equal(a.box, np.zeros(4))
        np.testing.assert_array_equal(frame.mask_rle(a.track_id).sum(), H * W)
        # Distance (pixels) from every pixel to this animal's nearest visible pixel.
        to_mask = ndimage.distance_transform_edt(~mask) if a.area else np.full((H, W), np.inf)
        for x, y, v in a.keypoints:
            c, r = int(round(x)), int(round(y))
            inside = 0 <= c < W and 0 <= r < H
            if not inside:
                assert v == OUT_OF_FRAME
                continue
            owner = frame.labels[r, c]
            if v == OCCLUDED:
                assert owner not in (0, a.track_id + 1)
            else:
                assert v == VISIBLE and owner in (0, a.track_id + 1)
                assert to_mask[r, c] <= 2.0, f"visible keypoint {(x, y)} is {to_mask[r, c]:.1f} px from its mask"


def test_truth_is_consistent_with_the_pixels(small_frames) -> None:
    for frame in small_frames:
        _check_truth(frame)


def test_crowded_world_marks_occluded_keypoints() -> None:
    config = WorldConfig(width=160, height=120, fps=15, seconds=6, n_animals=6, seed=1, arena_fill=0.8)
    world = World(config)
    occluded = 0
    for i in range(0, config.n_frames, 3):
        frame = world.render_frame(i)
        _check_truth(frame)
        occluded += sum(int((a.keypoints[:, 2] == OCCLUDED).sum()) for a in frame.animals)
    assert occluded > 0


def test_cropped_arena_marks_keypoints_out_of_frame() -> None:
    config = WorldConfig(width=160, height=120, fps=15, seconds=6, n_animals=4, seed=2, arena_fill=1.7)
    world = World(config)
    out = 0
    for i in range(0, config.n_frames, 3):
        frame = world.render_frame(i)
        _check_truth(frame)
        out += sum(int((a.keypoints[:, 2] == OUT_OF_FRAME).sum()) for a in frame.animals)
    assert out > 0


@pytest.mark.parametrize("arena", ["circle", "rectangle"])
def test_animals_stay_inside_the_arena(arena: str) -> None:
    config = WorldConfig(width=320, height=240, fps=30, seconds=60, seed=5, arena=arena)
    world = World(config)
    m = world.motion
    # Whole recording, every spine and tail point: on the floor.
    assert world.arena.signed_distance(m.spine).min() >= -1e-3
    assert world.arena.signed_distance(m.tail).min() >= -1e-3
    # Drawn pixels too (body width and ears included), on a sample of frames.
    ys, xs = np.mgrid[0:config.height, 0:config.width]
    floor = world.arena.signed_distance(np.stack([xs, ys], axis=-1)) >= -1.0
    for i in range(0, config.n_frames, 150):
        assert (floor | (world.render_frame(i).labels == 0)).all()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_behaviour_occurs_in_a_default_length_run(seed: int) -> None:
    config = WorldConfig(width=320, height=240, seed=seed)  # default length: 60 s at 30 fps
    behaviour = World(config).motion.behaviour
    assert set(np.unique(behaviour)) == set(range(len(BEHAVIOURS)))


def test_identities_look_different(small_config, small_world) -> None:
    assert len(set(small_world.identities)) == small_config.n_animals
    assert len({round(look.length, 3) for look in small_world.looks}) == small_config.n_animals


def test_config_rejects_what_cannot_be_encoded() -> None:
    with pytest.raises(ValueError):
        WorldConfig(width=641)
    with pytest.raises(ValueError):
        WorldConfig(n_animals=0)
