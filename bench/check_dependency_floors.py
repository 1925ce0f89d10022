"""Check that the dependency floors in pyproject.toml really work: build a throwaway virtual
environment with every `name>=X` of `[project] dependencies` installed as `name==X`, then import
Ethoframe's core and GUI there and run the tests that lean on the floors (sleap-io's file API,
torchvision's `tv_tensors.KeyPoints` in pose augmentation, SQLAlchemy's store, PyAV's decoding,
PySide6 and pytest-qt, pycocotools' metrics, the training loop).

    python bench/check_dependency_floors.py                 # a fresh venv in a temporary folder
    python bench/check_dependency_floors.py --venv /tmp/floors --keep
    python bench/check_dependency_floors.py --show          # print the pins, install nothing
    python bench/check_dependency_floors.py --pip-arg=--index-url=URL   # e.g. CPU-only torch wheels

The venv uses the interpreter that runs this script. torch's floor from PyPI brings its CUDA
libraries (some 4 GB); with `--reuse` an existing `--venv` is only re-pinned. Exits non-zero
when the install, the imports or a test fails. Checked on 2026-12-02 with Python 3.11: torch
2.8.0, torchvision 0.23.0, numpy 1.24.0, scipy 1.10.0, SQLAlchemy 2.0.0, av 12.0.0, PySide6
6.6.0, pyqtgraph 0.13.3, opencv-python-headless 4.8.0.76, pycocotools 2.0.7, sleap-io 0.5.8.
Older sleap-io fails tests/core/interchange/test_slp.py: 0.2 has no structured points ("xy"),
0.3 no `save_slp(verbose=)`, 0.4.0-0.5.7 cannot read back the file Ethoframe writes
(KeyError: 'filename'). With PySide6 6.6.0-6.7.0, tests/gui/test_every_action.py fails in its
own set-up: `QAction.menu()` hands back an already deleted wrapper (the window never calls it);
the window's other tests pass there.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
TESTS = [
    "tests/core/interchange/test_slp.py",
    "tests/core/ml/pose/test_pose_symmetry.py",
    "tests/core/ml/pose/test_pose_training.py::test_a_horizontal_flip_swaps_symmetric_nodes",
    "tests/core/ml/detection/test_detection_augment.py",
    "tests/core/ml/metrics/test_coco_keypoints.py",
    "tests/core/ml/test_trainer_nonfinite.py",
    "tests/core/project/test_project_store.py",
    "tests/core/video/test_accuracy.py",
    "tests/gui/test_about_and_failures_name_the_log.py",
    "tests/gui/test_main_window.py",
    "tests/gui/review/test_predict_dialog.py",
]
# Tests whose own set-up needs a newer release than Ethoframe does: PyAV 12 has no
# `add_stream_from_template` (13 has), which only this test uses, to write a cut stream.
DESELECT = ["tests/core/video/test_accuracy.py::test_stream_cut_mid_gop"]
SMOKE = "import core.cli.main, core.interchange.slp, core.ml.tasks.pose.augment, core.ml.trainer, gui.app; print('imports: ok')"
TEST_TOOLS = ["pytest>=8", "pytest-qt>=4.4"]


def floor_pins(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """`name[extras]==X` for each `name[extras]>=X` dependency (other bounds dropped); a
    dependency without a floor is kept as written."""
    dependencies = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    pins = []
    for requirement in dependencies:
        text = requirement.split(";")[0].strip()
        match = re.match(r"^([A-Za-z0-9_.\-]+(?:\[[^\]]*\])?)\s*(.*)$", text)
        name, specifiers = match.group(1), match.group(2)
        floor = re.search(r">=\s*([^,\s]+)", specifiers)
        pins.append(f"{name}=={floor.group(1)}" if floor else text)
    return pins


def run(command: list[str], **kwargs) -> int:
    print("$", " ".join(command), flush=True)
    return subprocess.run(command, **kwargs).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--venv", type=Path, help="where to build it (default: a temporary folder, removed after)")
    parser.add_argument("--keep", action="store_true", help="keep the venv")
    parser.add_argument("--reuse", action="store_true", help="install into an existing --venv instead of a new one")
    parser.add_argument("--show", action="store_true", help="print the pinned floors and stop")
    parser.add_argument("--pip-arg", action="append", default=[], help="an extra argument for pip install (repeatable)")
    parser.add_argument("--tests", nargs="*", default=TESTS, help="the tests to run (default: the ones the floors matter to)")
    args = parser.parse_args(argv)
    pins = floor_pins()
    print("floors:", " ".join(pins))
    if args.show:
        return 0
    where = args.venv or Path(tempfile.mkdtemp(prefix="ethoframe-floors-"))
    try:
        if not (args.reuse and (where / "bin" / "python").exists()):
            venv.EnvBuilder(with_pip=True, clear=True).create(where)
        python = str(where / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python"))
        if run([python, "-m", "pip", "install", *args.pip_arg, *pins, *TEST_TOOLS]):
            print("FAILED: the floors do not install together")
            return 1
        run([python, "-m", "pip", "list", "--format=freeze"], stdout=open(where / "installed.txt", "w"))
        env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
        if run([python, "-c", SMOKE], cwd=ROOT, env=env):
            print("FAILED: Ethoframe does not import with the floors")
            return 1
        # The GUI tests in a session of their own: tests/gui/conftest.py and tests/core/video/
        # conftest.py are both imported as `conftest`.
        gui = [t for t in args.tests if t.startswith("tests/gui")]
        for group in ([t for t in args.tests if t not in gui], gui):
            deselect = [f"--deselect={t}" for t in DESELECT]
            if group and run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *deselect, *group], cwd=ROOT, env=env):
                print("FAILED: tests fail with the floors")
                return 1
        print(f"the floors work: {' '.join(pins)}")
        return 0
    finally:
        if not (args.keep or args.venv):
            shutil.rmtree(where, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
