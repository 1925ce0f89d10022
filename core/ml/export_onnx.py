"""Exporting a trained pose model for use outside Ethoframe: ONNX (run by ONNX Runtime on any
machine, `onnx_runtime.py` does it without torch) or TorchScript, with a small JSON card.

The exported graph is the model's networks with the sigmoid of their maps, so it answers node
(and, for top-down, centroid) heatmaps as peak heights in [0, 1] for RGB images in [0, 1],
NCHW, height and width multiples of 32 (batch, height and width are dynamic). What turns
frames into inputs and maps into nodes (scaling, crops, sub-pixel peaks, thresholds) is in the
card, which is also stored in the ONNX file's metadata (`ethoframe_card`), so one file carries
everything; a top-down model's two networks are one graph with two inputs (`crops`, `frames`)
and two outputs (`node_maps`, `centroid_maps`): a pass that needs one network gives the other
a 32 x 32 blank, which costs nothing.

ONNX export uses `torch.onnx.export` (its dynamo exporter, which needs the `onnx` and
`onnxscript` packages: `pip install "ethoframe[onnx]"`); TorchScript uses `torch.jit.trace` (PyTorch
deprecates TorchScript since 2.10 but still loads it with `torch.jit.load`; prefer ONNX). The
TorchScript file holds the card as its extra file `ethoframe_card.json`.
Only pose models are exported for now: torchvision's detectors need their own export path.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any

import torch
from torch import nn

from core.ml.checkpoint import load_checkpoint
from core.ml.jobs.predict_job import model_checkpoint
from core.ml.tasks.pose.adapter import build_model_from_state
from core.ml.tasks.pose.config import PoseConfig
from core.ml.tasks.pose.model import PoseModel
from core.project import Project

CARD_FORMAT = "ethoframe-model-card"
CARD_VERSION = 1
CARD_KEY = "ethoframe_card"
OPSET = 18


class ExportError(ValueError):
    """The model cannot be exported as asked (another task, a missing package)."""


class _Maps(nn.Module):
    """The pose networks with their maps as probabilities: (crops[, frames]) -> maps."""

    def __init__(self, model: PoseModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, crops: torch.Tensor, frames: torch.Tensor | None = None):
        nodes = PoseModel.probabilities(self.model.instance, self.model.instance(crops))
        if self.model.centroid is None:
            return nodes
        return nodes, PoseModel.probabilities(self.model.centroid, self.model.centroid(frames))


def card_for(project: Project, model_id: int, state: dict[str, Any], files: dict[str, str]) -> dict[str, Any]:
    """The JSON card: task, skeleton, input scaling, thresholds, and what the files hold."""
    record = project.models.get(model_id)
    config = PoseConfig.from_dict(state["config"])
    skeleton = state["skeleton"]
    threshold = project.models.node_threshold(model_id)
    return {
        "format": CARD_FORMAT, "version": CARD_VERSION, "task": "pose", "mode": config.mode,
        "model": {"id": model_id, "name": record.name, "project": project.folder.name if project.folder else None,
                  "metrics": {k: v for k, v in (record.metrics or {}).items() if isinstance(v, (int, float))}},
        "skeleton": {"name": skeleton["name"], "nodes": list(skeleton["nodes"]), "edges": skeleton["edges"],
                     "symmetries": skeleton.get("symmetries", [])},
        "input": {"colour": "RGB", "range": [0.0, 1.0], "layout": "NCHW", "multiple_of": 32, "padding": "zeros, bottom and right",
                  "resize": "cv2.INTER_AREA when shrinking, else INTER_LINEAR; frame x maps to (x + 0.5) * f - 0.5",
                  "input_scale": config.input_scale, "crop_size": config.crop_size, "crop_scale": config.crop_scale,
                  "centroid_scale": config.centroid_scale},
        "output": {"maps": "peak heights in [0, 1]", "output_stride": config.output_stride,
                   "cell_centre": "cell j sits at input coordinate stride * j + (stride - 1) / 2",
                   "subpixel": "quadratic fit of the log-map in the peak's 3x3 neighbourhood"},
        "thresholds": {"node_threshold": threshold if threshold is not None else config.node_threshold,
                       "centroid_threshold": config.centroid_threshold, "max_instances": config.max_instances,
                       "min_separation_px": config.min_separation * (config.animal_px or 0.0)},
        "files": files,
    }  # fmt: skip


def export_model(project: Project, model_id: int, out: str | Path, format: str | None = None) -> list[Path]:
    """Write model `model_id` to `out` (`.onnx`, or `.pt` for TorchScript) and its card to
    `<out without suffix>.json`; returns the files written. Nothing is left half-written."""
    out = Path(out)
    format = format or ("torchscript" if out.suffix in (".pt", ".ts", ".torchscript") else "onnx")
    if format not in ("onnx", "torchscript"):
        raise ExportError(f"export a model as onnx or torchscript, not {format!r}")
    record = project.models.get(model_id)
    if record.task != "pose":
        raise ExportError(f"model {model_id} is a {record.task} model; Ethoframe exports pose models (detectors are not exported yet)")
    payload = load_checkpoint(model_checkpoint(project, record), "pose")
    state = payload["adapter"]
    model = build_model_from_state(state, pretrained=False)
    model.load_state_dict(payload["model"])
    model.eval()
    wrapper = _Maps(model).eval()
    topdown = model.centroid is not None
    size = PoseConfig.from_dict(state["config"]).crop_size or 64
    example = (torch.zeros(2, 3, size, size), torch.zeros(2, 3, 64, 96)) if topdown else (torch.zeros(2, 3, 64, 96),)  # batch 2: 1 would be fixed
    card_path = out.with_suffix(".json")
    inputs = ["crops", "frames"] if topdown else ["images"]
    outputs = ["node_maps", "centroid_maps"] if topdown else ["node_maps"]
    card = card_for(project, model_id, state, {"model": out.name, "format": format, "inputs": inputs, "outputs": outputs})
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.stem}.partial{out.suffix}")
    try:
        with torch.inference_mode(False), torch.no_grad():
            if format == "onnx":
                _onnx(wrapper, example, partial, inputs, outputs, card)
            else:
                with warnings.catch_warnings():  # asked for by name: PyTorch's deprecation of TorchScript is said in the docs
                    warnings.simplefilter("ignore", FutureWarning)
                    traced = torch.jit.trace(wrapper, example, check_trace=False)
                    torch.jit.save(traced, str(partial), _extra_files={"ethoframe_card.json": json.dumps(card)})
        card_path.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return [out, card_path]


def _onnx(wrapper: nn.Module, example: tuple, path: Path, inputs: list[str], outputs: list[str], card: dict) -> None:
    try:
        import onnx  # noqa: F401
        import onnxscript  # noqa: F401
    except ImportError:
        raise ExportError('ONNX export needs the onnx and onnxscript packages: pip install "ethoframe[onnx]"') from None
    import onnx

    def dims(name: str) -> dict:
        return {0: torch.export.Dim(f"{name}_batch", min=1, max=1024), 2: torch.export.Dim.DYNAMIC, 3: torch.export.Dim.DYNAMIC}

    shapes = {"crops": dims("crops"), "frames": dims("frames")} if len(inputs) == 2 else {"crops": dims("crops")}
    program = torch.onnx.export(
        wrapper, example, dynamo=True, input_names=inputs, output_names=outputs, dynamic_shapes=shapes,
        opset_version=OPSET, external_data=False, verbose=False, optimize=True,
    )  # fmt: skip
    program.save(str(path), external_data=False)
    model = onnx.load(str(path))
    entry = model.metadata_props.add()
    entry.key, entry.value = CARD_KEY, json.dumps(card)
    onnx.save(model, str(path))
