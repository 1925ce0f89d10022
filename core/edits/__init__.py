"""Every change a user makes, as an undoable edit object, and the undo/redo history."""

from core.edits.base import CompositeEdit, Edit, Touched, apply_edit, revert_edit
from core.edits.clipboard import copy_previous_labeled_frame, paste_instances
from core.edits.event_edits import (
    AddEvent,
    ChangeEvent,
    DeleteEvent,
    add_point_event,
    add_state_event,
    resize_event,
    set_event_subject,
    start_state_event,
    stop_state_event,
    toggle_state_event,
)
from core.edits.history import EditHistory
from core.edits.instance_edits import (
    AddInstance,
    ChangeInstance,
    DeleteInstance,
    accept_prediction,
    add_polygon,
    delete_polygon_vertex,
    insert_polygon_vertex,
    move_keypoint,
    move_polygon_vertex,
    paint_mask,
    reject_prediction,
    set_box,
    set_instance_class,
    set_instance_track,
    set_keypoint_visibility,
    set_mask,
    toggle_keypoint_visibility,
)
from core.edits.record_edits import AddRecord, ChangeRecord, DeleteRecord, change_record
from core.edits.skeleton_edits import ReplaceSkeleton, edit_skeleton
from core.edits.track_edits import (
    Retrack,
    SplitTrack,
    assign_track,
    delete_track,
    merge_tracks,
    split_track,
    swap_tracks,
    track_for_new_instance,
)

__all__ = [
    "AddEvent", "AddInstance", "AddRecord", "ChangeEvent", "ChangeInstance", "ChangeRecord",
    "CompositeEdit", "DeleteEvent", "ReplaceSkeleton", "edit_skeleton", "DeleteInstance", "DeleteRecord", "Edit", "EditHistory",
    "Touched", "accept_prediction", "add_point_event", "add_polygon", "add_state_event",
    "apply_edit", "change_record", "copy_previous_labeled_frame", "paste_instances", "delete_polygon_vertex", "insert_polygon_vertex",
    "move_keypoint", "move_polygon_vertex", "paint_mask", "reject_prediction", "resize_event",
    "revert_edit", "set_box", "set_event_subject", "set_instance_class", "set_instance_track",
    "set_keypoint_visibility", "set_mask", "start_state_event", "stop_state_event", "toggle_keypoint_visibility",
    "toggle_state_event",
]  # fmt: skip
__all__ += ["Retrack", "SplitTrack", "assign_track", "delete_track", "merge_tracks", "split_track", "swap_tracks", "track_for_new_instance"]
