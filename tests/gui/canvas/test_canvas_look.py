"""Every kind of annotation made with the tools, drawn together, saved as a picture to look at
(/tmp/tools_look.png): a box (selected, with handles), a polygon, a painted mask, a GrabCut
mask, a skeleton with an occluded node, and a polygon still being drawn."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from gui.canvas.tools import box_to_mask

pytestmark = pytest.mark.gui
LOOK = Path("/tmp/tools_look.png")


def test_all_annotation_kinds_drawn(canvas):
    canvas.use("box")
    canvas.drag([(415, 235), (545, 365)])
    assert box_to_mask(canvas.context)
    canvas.use("polygon")
    for point in [(60, 60), (180, 70), (200, 160), (90, 180), (60, 60)]:
        canvas.click(*point)
    canvas.use("brush").radius = 12
    canvas.state.select(None)
    canvas.drag([(80, 300), (140, 340), (220, 330), (260, 380)])
    canvas.state.select(None)
    canvas.use("keypoint")
    for point in [(330, 120), (300, 90), (360, 90)]:
        canvas.click(*point)
    canvas.use("select")
    canvas.click(360, 90, Qt.MouseButton.RightButton)  # right ear occluded
    canvas.use("box")
    canvas.drag([(260, 220), (380, 330)])  # selected: drawn with its handles
    canvas.use("polygon")
    for point in [(420, 60), (560, 80), (590, 170)]:
        canvas.click(*point)
    canvas.move(500, 190)  # the rubber band follows the cursor
    kinds = {(i.box is not None, bool(i.polygons), i.mask is not None, i.keypoints is not None) for i in canvas.instances()}
    assert len(canvas.instances()) == 5 and len(kinds) == 5
    canvas.view.grab().save(str(LOOK))
    assert LOOK.stat().st_size > 0
