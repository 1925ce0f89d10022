"""bench_pose_peers.py end to end on the mouse protocol, Ethoframe only (no sleap-nn venv in tests):
a 12-second training, the prediction pass and both scorers, down to the results file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_pose_peers.py"


@pytest.mark.slow
def test_mouse_protocol_ethoframe_only_writes_every_metric(shared_data, tmp_path):
    out = tmp_path / "results.json"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    command = [sys.executable, str(BENCH), "--dataset", "mouse", "--minutes", "0.2", "--only", "ethoframe",
               "--out", str(out), "--work", str(tmp_path / "work")]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, cwd=BENCH.parents[1])
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text())["datasets"]["mouse"]
    assert list(results) == ["ethoframe"]
    metrics = results["ethoframe"]
    for key in ("pck_5px", "pck_10px", "median_px_error", "mean_px_error", "instances_found", "oks_map",
                "coco_oks_map", "nodes_placed_on_found", "fps_model", "fps_end_to_end"):  # fmt: skip
        assert isinstance(metrics[key], (int, float)), key
    assert 0.0 <= metrics["pck_10px"] <= 1.0 and 0.0 <= metrics["coco_oks_map"] <= 1.0
    assert metrics["instances_found"] == 1.0  # single animal: one prediction per frame
    assert "ratio" in done.stdout and "coco_oks_map" in done.stdout
