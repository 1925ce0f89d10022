"""sleap-nn as a peer for bench_pose_peers.py: its own virtual environment, made once outside the
repository, and `sleap_nn_driver.py` run there as a subprocess.

sleap-nn is never a dependency of Ethoframe: it pins its own torch, Lightning, OmegaConf and
more, and a benchmark must not change the environment it measures. The venv is a plain one (no
`--system-site-packages`), so nothing of the project's environment leaks into sleap-nn's run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SLEAP_NN = "sleap-nn==0.3.5"  # the release measured on this machine (bench_pose_sleap.py's peer)
# The project's torch; sleap-nn 0.3.5 accepts it. On this machine the only 2.14.1 wheel is the
# same build the project runs (CUDA-capable, no GPU here); the driver hides CUDA and trains on
# the CPU accelerator, so the run is CPU-only either way.
TORCH = ("torch==2.14.1", "torchvision==0.29.1")
CACHE = Path(os.environ.get("ETHOFRAME_BENCH_CACHE", "~/.cache/ethoframe-bench")).expanduser()
VENV = CACHE / "sleap-nn-venv"
DRIVER = Path(__file__).with_name("sleap_nn_driver.py")


def venv_python(venv: Path = VENV) -> Path:
    """sleap-nn's interpreter, making the venv first when it is missing or holds another pin."""
    python = venv / "bin" / "python"
    marker = venv / "ethoframe-bench-pins.txt"
    pins = "\n".join((*TORCH, SLEAP_NN))
    if python.is_file() and marker.is_file() and marker.read_text() == pins:
        return python
    log_path = venv.parent / "sleap-nn-venv-install.log"
    print(f"making sleap-nn's venv in {venv} (once; pip's output in {log_path})", flush=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    pip = [str(python), "-m", "pip", "install"]
    with open(log_path, "w") as log:
        for packages in (TORCH, (*TORCH, SLEAP_NN)):  # torch first, so sleap-nn's own pin cannot pull another
            if subprocess.run([*pip, *packages], stdout=log, stderr=subprocess.STDOUT).returncode != 0:
                raise RuntimeError(f"pip could not install {' '.join(packages)} into {venv}; see {log_path}")
    marker.write_text(pins)
    return python


def run_sleap_nn(train_slp: Path, test_slp: Path, minutes: float, threads: int, out: Path) -> dict:
    """Train and predict with sleap-nn; the driver's predictions.json as a dict. The driver
    stops itself at the budget; it is killed if it runs far past it (setup and inference
    included)."""
    python = venv_python()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads), CUDA_VISIBLE_DEVICES="",
               WANDB_MODE="disabled", PYTHONUNBUFFERED="1")  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    command = [str(python), str(DRIVER), "--train", str(train_slp), "--test", str(test_slp),
               "--minutes", str(minutes), "--threads", str(threads), "--out", str(out)]  # fmt: skip
    with open(out / "driver.log", "w") as log:
        done = subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=minutes * 90 + 900)
    if done.returncode != 0:
        tail = (out / "driver.log").read_text()[-3000:]
        raise RuntimeError(f"sleap-nn's driver failed ({done.returncode}); end of {out / 'driver.log'}:\n{tail}")
    return json.loads((out / "predictions.json").read_text())
