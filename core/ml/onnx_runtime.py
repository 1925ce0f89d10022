"""Running an exported pose model (`export_onnx.py`) with ONNX Runtime, without torch: for rigs
and machines where PyTorch is not installed (`pip install onnxruntime`, or the `onnx` extra).

`OnnxPosePredictor` does what `core.ml.tasks.pose.predictor.PosePredictor` does, step for step,
in numpy and OpenCV: the same resizing, crops, zero padding to multiples of 32, highest peaks
(single) or 3x3 local maxima above the centroid threshold (top-down), the same sub-pixel
quadratic fit, and the same mapping back to frame pixels; so its nodes match the PyTorch
model's to a small fraction of a pixel. The card it needs is read from the ONNX file's metadata:
an ONNX file Ethoframe did not export is refused with one line.

This module must not import torch (a test runs it with torch blocked).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from scipy.ndimage import maximum_filter

CARD_KEY = "ethoframe_card"  # as export_onnx.CARD_KEY (not imported: that module needs torch)
CARD_FORMAT = "ethoframe-model-card"
CARD_VERSION = 1
CROP_BATCH = 16


class OnnxModelError(ValueError):
    """Not an ONNX model Ethoframe exported, or ONNX Runtime is missing."""


def _runtime():
    try:
        import onnxruntime
    except ImportError:
        raise OnnxModelError('running an ONNX model needs ONNX Runtime: pip install onnxruntime (or "ethoframe[onnx]")') from None
    return onnxruntime


def read_card(path: str | Path) -> dict[str, Any]:
    """The Ethoframe card stored in an exported ONNX file; one clear error for anything else."""
    path = Path(path)
    if not path.is_file():
        raise OnnxModelError(f"{path} does not exist")
    ort = _runtime()
    try:
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime raises its own kinds for a damaged or foreign file
        reason = " ".join(str(error).split())[:160]
        raise OnnxModelError(f"{path} is not an ONNX model ONNX Runtime can load ({type(error).__name__}: {reason})") from None
    text = session.get_modelmeta().custom_metadata_map.get(CARD_KEY)
    if text is None:
        raise OnnxModelError(f"{path} is an ONNX model, but not one Ethoframe exported (it has no Ethoframe card): "
                             "Ethoframe predicts with models from `ethoframe export-model`")  # fmt: skip
    try:
        card = json.loads(text)
    except ValueError:
        raise OnnxModelError(f"{path}: its Ethoframe card is not valid JSON (a damaged file?)") from None
    if card.get("format") != CARD_FORMAT or card.get("task") != "pose":
        raise OnnxModelError(f"{path}: its card is not an Ethoframe pose model card")
    if card.get("version", 0) > CARD_VERSION:
        raise OnnxModelError(f"{path} was exported by a newer Ethoframe (card version {card['version']})")
    return card


@dataclass(frozen=True)
class Poses:
    """One frame's instances: `keypoints` (n, n_nodes, 3) with visibility 2, `node_scores`
    (n, n_nodes) in [0, 1], `scores` (n,) their mean."""

    keypoints: np.ndarray
    node_scores: np.ndarray
    scores: np.ndarray


def _resized(frame: np.ndarray, scale: float | None) -> tuple[np.ndarray, tuple[float, float]]:
    if scale is None or abs(scale - 1.0) < 1e-6:
        return frame, (1.0, 1.0)
    height, width = frame.shape[:2]
    new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return cv2.resize(frame, (new_w, new_h), interpolation=interpolation), (new_w / width, new_h / height)


def _to_scaled(points: np.ndarray, f: tuple[float, float]) -> np.ndarray:
    out = np.array(points, dtype=np.float64, copy=True)
    out[..., 0], out[..., 1] = (out[..., 0] + 0.5) * f[0] - 0.5, (out[..., 1] + 0.5) * f[1] - 0.5
    return out


def _from_scaled(points: np.ndarray, f: tuple[float, float]) -> np.ndarray:
    out = np.array(points, dtype=np.float64, copy=True)
    out[..., 0], out[..., 1] = (out[..., 0] + 0.5) / f[0] - 0.5, (out[..., 1] + 0.5) / f[1] - 0.5
    return out


def _image(frame: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(frame).transpose(2, 0, 1).astype(np.float32) / 255.0


def _pad_batch(images: list[np.ndarray], multiple: int = 32) -> np.ndarray:
    height = -(-max(i.shape[1] for i in images) // multiple) * multiple
    width = -(-max(i.shape[2] for i in images) // multiple) * multiple
    batch = np.zeros((len(images), 3, height, width), np.float32)
    for n, image in enumerate(images):
        batch[n, :, : image.shape[1], : image.shape[2]] = image
    return batch


def refine_at(maps: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sub-pixel offsets at integer peaks of maps (M, H, W), as `heatmaps.refine_at` computes them."""
    log = np.log(np.clip(maps, 1e-6, None)).astype(np.float32)
    padded = np.pad(log, ((0, 0), (1, 1), (1, 1)), mode="edge")
    index = np.arange(len(maps))
    at = lambda dy, dx: padded[index, y + 1 + dy, x + 1 + dx]  # noqa: E731
    centre = at(0, 0)
    dx, dy = (at(0, 1) - at(0, -1)) / 2, (at(1, 0) - at(-1, 0)) / 2
    dxx, dyy = at(0, 1) - 2 * centre + at(0, -1), at(1, 0) - 2 * centre + at(-1, 0)
    dxy = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / 4
    det = dxx * dyy - dxy**2
    ok = (det > 1e-6) & (dxx < 0) & (dyy < 0)
    safe = np.where(ok, det, 1.0)
    ox = np.clip(np.where(ok, -(dyy * dx - dxy * dy) / safe, 0.0), -1, 1)
    oy = np.clip(np.where(ok, -(dxx * dy - dxy * dx) / safe, 0.0), -1, 1)
    return ox, oy


def global_peaks(maps: np.ndarray, stride: int) -> tuple[np.ndarray, np.ndarray]:
    """Maps (N, C, H, W) -> each map's highest point (N, C, 2) in input pixels, and its value."""
    n, c, height, width = maps.shape
    flat = maps.reshape(n * c, height * width)
    index = flat.argmax(axis=1)
    values = flat[np.arange(n * c), index]
    y, x = index // width, index % width
    ox, oy = refine_at(maps.reshape(n * c, height, width), x, y)
    points = np.stack([(x + ox) * stride + (stride - 1) / 2, (y + oy) * stride + (stride - 1) / 2], -1)
    return points.reshape(n, c, 2), values.reshape(n, c)


def local_peaks(heatmap: np.ndarray, stride: int, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Every 3x3 local maximum above `threshold` of one map (H, W), strongest first."""
    pooled = maximum_filter(heatmap, size=3, mode="constant", cval=-np.inf)
    y, x = np.nonzero((heatmap >= pooled) & (heatmap >= threshold))
    values = heatmap[y, x]
    order = np.argsort(-values, kind="stable")
    y, x, values = y[order], x[order], values[order]
    if not len(values):
        return np.zeros((0, 2)), values
    ox, oy = refine_at(np.broadcast_to(heatmap, (len(values),) + heatmap.shape), x, y)
    return np.stack([(x + ox) * stride + (stride - 1) / 2, (y + oy) * stride + (stride - 1) / 2], -1), values


class OnnxPosePredictor:
    """Poses on RGB uint8 frames (H, W, 3) with an exported model; see the module docstring."""

    def __init__(self, path: str | Path, threads: int | None = None) -> None:
        self.card = read_card(path)
        ort = _runtime()
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.topdown = self.card["mode"] == "topdown"
        self.inputs = self.card["input"]
        self.stride = int(self.card["output"]["output_stride"])
        self.n_nodes = len(self.card["skeleton"]["nodes"])
        self.blank = np.zeros((1, 3, 32, 32), np.float32)

    def _run(self, crops: np.ndarray | None = None, frames: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
        if not self.topdown:
            return self.session.run(None, {"images": crops})[0], None
        nodes, centroids = self.session.run(None, {"crops": crops if crops is not None else self.blank,
                                                   "frames": frames if frames is not None else self.blank})  # fmt: skip
        return nodes, centroids

    def _nodes(self, images: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        points, values = [], []
        for start in range(0, len(images), CROP_BATCH):
            maps, _ = self._run(crops=_pad_batch(images[start : start + CROP_BATCH]))
            p, v = global_peaks(maps, self.stride)
            points.append(p)
            values.append(v)
        if not points:
            return np.zeros((0, self.n_nodes, 2)), np.zeros((0, self.n_nodes))
        return np.concatenate(points), np.concatenate(values)

    def _poses(self, points: np.ndarray, values: np.ndarray) -> Poses:
        node_scores = np.clip(values, 0, 1).astype(np.float32).reshape(len(points), self.n_nodes)
        keypoints = np.concatenate([points, np.full(points.shape[:-1] + (1,), 2.0)], -1).astype(np.float32)
        scores = node_scores.mean(-1) if len(node_scores) else np.zeros(0, np.float32)
        return Poses(keypoints, node_scores, scores.astype(np.float32))

    def predict(self, frames: list[np.ndarray]) -> list[Poses]:
        return [poses for frame in frames for poses in (self._topdown([frame]) if self.topdown else self._single([frame]))]

    def _single(self, frames: list[np.ndarray]) -> list[Poses]:
        scaled = [_resized(frame, self.inputs["input_scale"]) for frame in frames]
        points, values = self._nodes([_image(image) for image, _ in scaled])
        return [self._poses(_from_scaled(points[n : n + 1], factors), values[n : n + 1]) for n, (_, factors) in enumerate(scaled)]

    def anchors(self, frame: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        thresholds = self.card["thresholds"]
        image, factors = _resized(frame, self.inputs["centroid_scale"])
        _, maps = self._run(frames=_pad_batch([_image(image)]))
        points, values = local_peaks(maps[0, 0], self.stride, thresholds["centroid_threshold"])
        points = _from_scaled(points, factors)
        keep: list[int] = []
        for i in range(len(points)):  # strongest first: weaker peaks on the same animal go
            if all(np.linalg.norm(points[i] - points[j]) >= thresholds["min_separation_px"] for j in keep):
                keep.append(i)
        keep = keep[: thresholds["max_instances"]] if thresholds["max_instances"] else keep
        return points[keep].reshape(-1, 2), values[keep]

    def _topdown(self, frames: list[np.ndarray]) -> list[Poses]:
        out = []
        size = int(self.inputs["crop_size"])
        for frame in frames:
            anchors, _ = self.anchors(frame)
            scaled, factors = _resized(frame, self.inputs["crop_scale"])
            crops, shifts = [], []
            for anchor in _to_scaled(anchors, factors):
                matrix = np.array([[1.0, 0.0, (size - 1) / 2 - anchor[0]], [0.0, 1.0, (size - 1) / 2 - anchor[1]]])
                crops.append(_image(cv2.warpAffine(scaled, matrix, (size, size), flags=cv2.INTER_LINEAR)))
                shifts.append(matrix[:, 2])
            points, values = self._nodes(crops)
            frame_points = np.stack([points[i] - shifts[i] for i in range(len(crops))]) if crops else np.zeros((0, self.n_nodes, 2))
            out.append(self._poses(_from_scaled(frame_points, factors), values if crops else np.zeros((0, self.n_nodes))))
        return out
