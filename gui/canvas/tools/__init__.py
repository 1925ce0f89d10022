"""The canvas tools, as data: the main window builds its tool bar and shortcuts from `TOOLS`
and its canvas commands from `CANVAS_COMMANDS`, and hands the tools a `ToolContext`.

    tools = build_tools(context)            # {tool id: tool}
    view.set_tool(tools["select"])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gui.canvas.tools.base import CanvasTool, ToolContext, ToolEvent, new_gesture
from gui.canvas.tools.box_tool import BoxTool
from gui.canvas.tools.brush_tool import BrushTool
from gui.canvas.tools.keypoint_tool import KeypointTool
from gui.canvas.tools.mask_actions import box_to_mask
from gui.canvas.tools.polygon_tool import PolygonTool
from gui.canvas.tools.select_tool import SelectTool


@dataclass(frozen=True)
class ToolSpec:
    id: str
    name: str
    shortcut: str
    cls: type[CanvasTool]
    tip: str


TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec("select", "Select", "V", SelectTool,
             "Click to select; drag boxes, handles, vertices and nodes; right-click a node: occluded; "
             "double-click an edge: add a vertex; Alt-click a vertex: delete it"),
    ToolSpec("box", "Box", "B", BoxTool, "Drag to draw a box"),
    ToolSpec("polygon", "Polygon", "O", PolygonTool,
             "Click vertices; click the first one, double-click or Enter to close (Shift: add to the "
             "selected instance); Backspace takes one back; Esc cancels"),
    ToolSpec("keypoint", "Keypoints", "K", KeypointTool,
             "Click to place the skeleton's nodes in order; right-click skips a node"),
    ToolSpec("brush", "Mask Brush", "M", BrushTool,
             "Paint the selected instance's mask; right button or E erases; [ and ] resize"),
)  # fmt: skip


@dataclass(frozen=True)
class CanvasCommand:
    """A one-keystroke canvas action: `tool` names the tool whose method `method` it calls
    (None: a function of the context, `function`)."""

    id: str
    text: str
    shortcut: str
    tool: str | None = None
    method: str = ""
    function: Callable[[ToolContext], bool] | None = None


CANVAS_COMMANDS: tuple[CanvasCommand, ...] = (
    CanvasCommand("canvas.box_to_mask", "Box to Mask (GrabCut)", "G", function=box_to_mask),
    CanvasCommand("canvas.drop_template", "Drop Skeleton Template", "T", tool="keypoint", method="drop_template"),
)


def build_tools(context: ToolContext) -> dict[str, CanvasTool]:
    """One tool of each kind, sharing `context`."""
    return {spec.id: spec.cls(context) for spec in TOOLS}


__all__ = [
    "CANVAS_COMMANDS", "TOOLS", "BoxTool", "BrushTool", "CanvasCommand", "CanvasTool", "KeypointTool",
    "PolygonTool", "SelectTool", "ToolContext", "ToolEvent", "ToolSpec", "box_to_mask", "build_tools",
    "new_gesture",
]  # fmt: skip
