"""Canvas actions that are one keystroke, not a drag: turn the selected instance's box into a
mask with GrabCut (`core.geometry.grabcut`), as one undoable edit."""

from __future__ import annotations

from core.domain import Rle
from core.edits import set_mask
from core.geometry.grabcut import mask_from_box
from core.project import ProjectError
from gui.canvas.tools.base import ToolContext


def box_to_mask(context: ToolContext, iterations: int = 5) -> bool:
    """Segment the object inside the selected instance's box and make it the instance's mask.
    Returns whether a mask was set; why not is shown through `context.show_status`."""
    state = context.state
    if state.selected_instance is None:
        context.show_status("Select an instance with a box first")
        return False
    try:
        instance = context.project.instances.get(state.selected_instance)
    except ProjectError as error:
        context.show_status(str(error))
        return False
    if instance.box is None:
        context.show_status("The selected instance has no box to segment")
        return False
    frame = context.frame()
    if frame is None or instance.frame_index != state.frame_index or instance.video_id != state.video_id:
        context.show_status("The frame is not decoded yet; try again in a moment")
        return False
    mask = mask_from_box(frame, instance.box, iterations)
    if not mask.any():
        context.show_status("GrabCut found nothing inside the box")
        return False
    try:
        result = context.push_edit(set_mask(context.project, instance.id, Rle.from_array(mask), text="Box to mask"))
    except ProjectError as error:
        context.show_status(str(error))
        return False
    return result is not False
