"""The timeline's pure geometry: frames ↔ pixels under zoom and scroll, lanes, hit-testing and
edge dragging, without Qt."""

from __future__ import annotations

import pytest

from core.domain import Behaviour, BehaviourEvent, Track
from gui.timeline.layout import MAX_PIXELS_PER_FRAME, Bar, FrameScale, Rows, build_lanes, drag_edge, hit_test


def test_fit_maps_the_whole_video_onto_the_width():
    scale = FrameScale.fit(1000, 500, left=100)
    assert scale.pixels_per_frame == 0.5
    assert scale.x_of(0) == 100 and scale.x_of(1000) == 600
    assert scale.frame_at(100) == 0 and scale.frame_at(599.9) == 999
    assert scale.frame_at(50) == 0 and scale.frame_at(10_000) == 999  # clamped to the video


def test_zoom_keeps_the_frame_under_the_pointer():
    scale = FrameScale.fit(1000, 500)
    zoomed = scale.zoomed(4, anchor_x=250)  # frame 500 is under x=250
    assert zoomed.pixels_per_frame == 2
    assert zoomed.frame_at(250) == 500
    assert zoomed.x_of(500) == pytest.approx(250)
    assert zoomed.visible_frames == 250


def test_zoom_and_scroll_stay_inside_the_video_and_the_zoom_limits():
    scale = FrameScale.fit(1000, 500)
    assert scale.zoomed(0.1, 0).pixels_per_frame == 0.5  # never further out than fit
    assert scale.zoomed(1e6, 0).pixels_per_frame == MAX_PIXELS_PER_FRAME
    zoomed = scale.zoomed(10, 0)  # 5 px/frame: 100 frames visible
    assert zoomed.scrolled(-50).first_frame == 0
    assert zoomed.scrolled(2000).first_frame == 900
    assert zoomed.scrolled(30).frame_at(0) == 30


def test_scrolling_to_show_a_frame_and_resizing():
    scale = FrameScale.fit(1000, 500).zoomed(10, 0)
    assert scale.showing(50) is scale
    moved = scale.showing(450)
    assert moved.first_frame <= 450 < moved.first_frame + moved.visible_frames
    assert FrameScale.fit(1000, 500).resized(1000).pixels_per_frame == 1.0  # fit stays fit
    assert scale.resized(1000).pixels_per_frame == 5.0  # a zoom stays a zoom


def test_ruler_ticks_are_round_numbers():
    assert FrameScale(1000, 500, pixels_per_frame=0.5).tick_step() == 200
    assert FrameScale(1000, 500, pixels_per_frame=10).tick_step() == 10
    assert FrameScale(1000, 500, pixels_per_frame=48).tick_step() == 2


def _ethogram():
    behaviours = [Behaviour("groom", "g", "#aa0000", "state", 1), Behaviour("rear", "r", "#00aa00", "point", 2), Behaviour("sit", None, "#0000aa", "state", 3)]
    tracks = [Track("alice", id=10), Track("bob", id=11)]
    events = [
        BehaviourEvent(1, 1, 50, 80, 11, id=1),
        BehaviourEvent(1, 1, 10, 20, None, id=2),
        BehaviourEvent(1, 1, 5, 40, None, source="predicted", score=0.7, id=3),
        BehaviourEvent(1, 1, 100, None, 10, id=4),
        BehaviourEvent(1, 2, 30, 30, None, id=5),
    ]
    return behaviours, tracks, events


def test_lanes_follow_the_ethogram_then_subjects_and_open_events_reach_the_playhead():
    lanes = build_lanes(*_ethogram(), current_frame=120)
    assert [(lane.behaviour_id, lane.subject_id) for lane in lanes] == [(1, None), (1, 10), (1, 11), (2, None), (3, None)]
    assert [lane.label for lane in lanes] == ["groom", "groom · alice", "groom · bob", "rear", "sit"]
    (open_bar,) = lanes[1].bars
    assert open_bar.is_open and open_bar.end == 120 and not open_bar.resizable
    assert lanes[3].bars[0].point and not lanes[3].bars[0].resizable
    assert [b.event_id for b in lanes[0].bars] == [3, 2]  # predictions drawn under labels
    assert build_lanes(*_ethogram(), current_frame=50)[1].bars[0].end == 100  # never before start


def test_visible_bars_are_found_even_when_bouts_overlap():
    lane = build_lanes(*_ethogram(), current_frame=0)[0]
    assert [b.event_id for b in lane.visible(25, 30)] == [3]  # the long prediction covers it
    assert [b.event_id for b in lane.visible(0, 12)] == [3, 2]
    assert lane.visible(41, 99) == []


def test_hit_test_finds_edges_bodies_empty_lanes_and_the_ruler():
    lanes = build_lanes(*_ethogram(), current_frame=120)
    scale, rows = FrameScale(300, 600, left=100, pixels_per_frame=4), Rows(ruler_height=20, lane_height=20)
    bob = rows.lane_top(2) + 10  # groom · bob: frames 50-80, x from 300 to 424
    assert hit_test(301, bob, scale, rows, lanes).kind == "start_edge"
    assert hit_test(423, bob, scale, rows, lanes).kind == "end_edge"
    middle = hit_test(360, bob, scale, rows, lanes)
    assert (middle.kind, middle.event_id, middle.frame) == ("bar", 1, 65)
    assert hit_test(200, bob, scale, rows, lanes).kind == "lane"
    assert hit_test(200, 5, scale, rows, lanes).kind == "ruler"
    assert hit_test(50, bob, scale, rows, lanes).kind == "label"
    assert hit_test(200, rows.lane_top(9) + 5, scale, rows, lanes).kind == "none"
    alice_open = hit_test(scale.x_of(121) - 1, rows.lane_top(1) + 10, scale, rows, lanes)
    assert alice_open.kind == "bar"  # an open event's end follows the playhead: no handle


def test_dragging_an_edge_moves_one_end_and_never_inverts_the_bar():
    bar = Bar(1, 50, 80, False, False, False)
    assert drag_edge(bar, "start_edge", 40) == (40, 80)
    assert drag_edge(bar, "start_edge", 95) == (80, 80)
    assert drag_edge(bar, "end_edge", 91) == (50, 90)
    assert drag_edge(bar, "end_edge", 10) == (50, 50)
