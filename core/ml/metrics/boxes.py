"""COCO mean average precision for boxes and masks, with pycocotools, from lists in memory.

    truth = [[{"box": (x1, y1, x2, y2), "class_id": 1, "mask": Rle}, ...], ...]   # per image
    found = [[{"box": (x1, y1, x2, y2), "class_id": 1, "score": 0.9, "mask": Rle}, ...], ...]
    box_map(truth, found)   -> {"map": ..., "map50": ..., "map75": ...}
    mask_map(truth, found)  -> the same for masks

`map` is COCO's AP averaged over IoU 0.50:0.05:0.95 (up to 100 detections per image, all
sizes), `map50` at IoU 0.5, `map75` at 0.75: exactly what `COCOeval` reports, without writing
a JSON file and without its printing. Boxes are pixel edges (x2 = last column + 1, the
convention of the store and of COCO's x, y, w, h). `class_id` may be any hashable (None for
"no class"); a prediction is matched only to truth of its own class. Masks are
`core.domain.Rle` or COCO RLE dicts. With no truth at all the figures are NaN (undefined).
"""

from __future__ import annotations

import contextlib
import io
import math
from collections.abc import Hashable, Sequence
from typing import Any

from pycocotools import mask as coco_mask
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

Detections = Sequence[Sequence[dict[str, Any]]]  # per image, per instance


def box_map(truth: Detections, found: Detections) -> dict[str, float]:
    """COCO box mAP of `found` against `truth` (one list of instances per image)."""
    return coco_map(truth, found, "bbox")


def mask_map(truth: Detections, found: Detections) -> dict[str, float]:
    """COCO mask mAP; every instance needs a "mask"."""
    return coco_map(truth, found, "segm")


def coco_map(truth: Detections, found: Detections, iou_type: str = "bbox") -> dict[str, float]:
    if len(truth) != len(found):
        raise ValueError(f"truth has {len(truth)} images but predictions have {len(found)}")
    if iou_type not in ("bbox", "segm"):
        raise ValueError(f"iou_type is 'bbox' or 'segm', not {iou_type!r}")
    undefined = {"map": math.nan, "map50": math.nan, "map75": math.nan}
    if not any(truth):
        return undefined
    categories: dict[Hashable, int] = {}
    for instance in (i for image in (*truth, *found) for i in image):
        categories.setdefault(instance.get("class_id"), len(categories) + 1)
    gt = _coco(truth, categories, iou_type, with_scores=False)
    if not any(found):
        return {"map": 0.0, "map50": 0.0, "map75": 0.0}
    dt = _coco(found, categories, iou_type, with_scores=True)
    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools prints its progress
        evaluation = COCOeval(gt, dt, iou_type)
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    stats = [float(s) for s in evaluation.stats[:3]]
    return {key: (max(value, 0.0) if value != -1 else math.nan) for key, value in zip(("map", "map50", "map75"), stats)}


def _coco(images: Detections, categories: dict[Hashable, int], iou_type: str, with_scores: bool) -> COCO:
    annotations, sizes = [], {}
    for image_id, instances in enumerate(images, start=1):
        for instance in instances:
            x1, y1, x2, y2 = (float(v) for v in instance["box"])
            annotation: dict[str, Any] = {
                "id": len(annotations) + 1, "image_id": image_id, "category_id": categories[instance.get("class_id")],
                "bbox": [x1, y1, x2 - x1, y2 - y1], "area": max(x2 - x1, 0.0) * max(y2 - y1, 0.0), "iscrowd": 0,
            }  # fmt: skip
            if iou_type == "segm":
                if instance.get("mask") is None:
                    raise ValueError("mask mAP needs a 'mask' on every instance")
                rle = _rle(instance["mask"])
                sizes[image_id] = rle["size"]
                annotation["segmentation"] = rle
                annotation["area"] = float(coco_mask.area(rle))
            if with_scores:
                annotation["score"] = float(instance["score"])
            annotations.append(annotation)
    coco = COCO()
    coco.dataset = {
        # COCOeval reads an image's height and width when it prepares masks
        "images": [{"id": i, "height": sizes.get(i, (0, 0))[0], "width": sizes.get(i, (0, 0))[1]} for i in range(1, len(images) + 1)],
        "annotations": annotations,
        "categories": [{"id": c} for c in categories.values()],
    }
    with contextlib.redirect_stdout(io.StringIO()):
        coco.createIndex()
    return coco


def _rle(mask: Any) -> dict:
    if hasattr(mask, "as_coco"):
        return mask.as_coco()
    if isinstance(mask.get("counts"), list):  # uncompressed, as the demo's truth gives it
        height, width = mask["size"]
        return coco_mask.frPyObjects(mask, height, width)
    return mask
