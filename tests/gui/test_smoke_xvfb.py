"""Smoke test as a user sees it: `ethoframe gui` on the demo project in a real X window (Xvfb),
waits for the first frame to be painted, grabs the screen and checks it is not blank."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtGui import QImage

from core.cli.main import main

pytestmark = [pytest.mark.gui, pytest.mark.slow]


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="Xvfb is not installed (see .ci/run)")
def test_ethoframe_gui_paints_the_demo_in_a_real_window(tmp_path):
    project = tmp_path / "demo"
    assert main(["demo", str(project), "--no-gui", "--seconds", "2", "--labeled-frames", "3"]) == 0
    shot = tmp_path / "screen.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    result = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", sys.executable, "-m", "gui", str(project), "--screenshot", str(shot)],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    image = QImage(str(shot)).convertToFormat(QImage.Format.Format_RGB888)
    assert (image.width(), image.height()) == (1600, 1000)
    pixels = np.frombuffer(image.constBits(), dtype=np.uint8)[: image.sizeInBytes()].reshape(1000, image.bytesPerLine())
    pixels = pixels[:, : 1600 * 3].reshape(1000, 1600, 3)
    assert pixels.std() > 20  # not a blank screen
    # the arena's bedding (a warm beige) is on screen: the frame itself was painted
    beige = (pixels[..., 0] > 150) & (pixels[..., 1] > 120) & (pixels[..., 2] < 150)
    assert beige.mean() > 0.02  # the arena fills a good part of the canvas
