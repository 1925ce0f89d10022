"""OKS mAP computed by pycocotools' own `COCOeval` (iouType "keypoints"), for benchmarks that
compare Ethoframe with other tools: the reference implementation, so that a number printed
next to a peer's cannot differ because of our re-implementation in `keypoints.oks_map`.

Frames are `keypoints.FrameKeypoints` (full-resolution pixels, visibility 0 = unlabelled or
not found). Sigmas default to the same uniform 0.05 as `keypoints.DEFAULT_SIGMA`; a true
instance's area is `FrameKeypoints.areas` or the box around its labelled nodes, as there.
COCOeval ignores a prediction's visibility flags, so a node the prediction did not find is
put far outside the frame, where it scores an OKS term of 0 (as `keypoints.oks` scores it).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence

import numpy as np

from core.ml.metrics.keypoints import DEFAULT_SIGMA, FrameKeypoints, _as_instances, keypoint_extent_area

_FAR = -1.0e4  # where a node that was not found is put: its OKS term is exp(-huge) = 0


def _box(keypoints: np.ndarray) -> list[float]:
    labelled = keypoints[keypoints[:, 2] > 0, :2]
    if len(labelled) == 0:
        return [0.0, 0.0, 0.0, 0.0]
    (x0, y0), (x1, y1) = labelled.min(0), labelled.max(0)
    return [float(x0), float(y0), float(x1 - x0), float(y1 - y0)]


def _coco_keypoints(keypoints: np.ndarray, far: bool) -> list[float]:
    out = np.array(keypoints, dtype=np.float64, copy=True)
    missing = out[:, 2] <= 0
    if far:
        out[missing, :2] = _FAR
        out[:, 2] = np.where(missing, 0, 2)
    else:
        out[missing] = 0.0
        out[~missing, 2] = 2
    return out.ravel().tolist()


def coco_oks_map(frames: Sequence[FrameKeypoints], sigmas: np.ndarray | float = DEFAULT_SIGMA) -> dict[str, float]:
    """`coco_oks_map` (mean AP over OKS 0.50:0.95), `coco_oks_ap50` and `coco_oks_ap75` from
    pycocotools; NaN when no frame has a labelled true instance."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    images, truths, detections = [], [], []
    n_nodes = 0
    for image_id, frame in enumerate(frames, start=1):
        truth, predicted = _as_instances(frame.truth), _as_instances(frame.predicted)
        images.append({"id": image_id})
        areas = [keypoint_extent_area(t) for t in truth] if frame.areas is None else list(np.asarray(frame.areas, float))
        for keypoints, area in zip(truth, areas):
            labelled = int((keypoints[:, 2] > 0).sum())
            n_nodes = len(keypoints)
            truths.append({"id": len(truths) + 1, "image_id": image_id, "category_id": 1, "iscrowd": 0,
                           "keypoints": _coco_keypoints(keypoints, far=False), "num_keypoints": labelled,
                           "area": float(max(area, 1.0)), "bbox": _box(keypoints)})  # fmt: skip
        scores = np.ones(len(predicted)) if frame.scores is None else np.asarray(frame.scores, dtype=float)
        for keypoints, score in zip(predicted, scores):
            detections.append({"image_id": image_id, "category_id": 1, "score": float(score),
                               "keypoints": _coco_keypoints(keypoints, far=True)})  # fmt: skip
    if not any(t["num_keypoints"] for t in truths):
        return {"coco_oks_map": float("nan"), "coco_oks_ap50": float("nan"), "coco_oks_ap75": float("nan")}
    quiet = io.StringIO()
    with contextlib.redirect_stdout(quiet):
        ground = COCO()
        ground.dataset = {"images": images, "annotations": truths,
                          "categories": [{"id": 1, "name": "animal", "keypoints": [str(k) for k in range(n_nodes)]}]}  # fmt: skip
        ground.createIndex()
        if not detections:
            return {"coco_oks_map": 0.0, "coco_oks_ap50": 0.0, "coco_oks_ap75": 0.0}
        found = ground.loadRes(detections)
        evaluation = COCOeval(ground, found, iouType="keypoints")
        evaluation.params.kpt_oks_sigmas = np.broadcast_to(np.asarray(sigmas, dtype=float), (n_nodes,)).copy()
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    stats = [max(float(s), 0.0) for s in evaluation.stats[:3]]  # -1 means "no true instance": none here
    return {"coco_oks_map": stats[0], "coco_oks_ap50": stats[1], "coco_oks_ap75": stats[2]}
