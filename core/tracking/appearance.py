"""Appearance for re-identification: an embedding of each instance's crop from the pretrained
EfficientNet-Lite0 backbone (global-average-pooled c5 features, L2-normalised), per-track
prototypes from labelled tracks, and an `embed` callable for `track_video` so the tracker can
add an appearance term to its cost (`TrackerOptions(appearance_weight=...)`).

No fine-tuning yet: the ImageNet features are used as they are. Crops are not rotated to the
animal's axis, so the embedding also carries the animal's heading.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import torch
import torch.nn.functional as F

from core.domain import Instance
from core.tracking.features import detection_from_instance

CROP_SIZE = 96
PADDING = 0.15  # of the crop side, around the instance's extent


class AppearanceEmbedder:
    """Embeds instances of one video: `embedder(frame, instances)` -> one unit vector (or None)
    per instance. Use as a context manager (it holds the video open)."""

    def __init__(self, video_path: str, device: str = "cpu", crop_size: int = CROP_SIZE) -> None:
        from core.ml.backbones import build_backbone
        from core.video import open_video

        self.backbone, _ = build_backbone("efficientnet_lite0")
        self.backbone.eval().to(device)
        self.device = device
        self.crop_size = crop_size
        self.reader = open_video(video_path, cache_mb=64)

    def __call__(self, frame: int, instances: list[Instance]) -> list[np.ndarray | None]:
        image = self.reader.read(frame)
        crops, where = [], []
        for k, instance in enumerate(instances):
            crop = crop_instance(image, instance, self.crop_size)
            if crop is not None:
                crops.append(crop)
                where.append(k)
        out: list[np.ndarray | None] = [None] * len(instances)
        if crops:
            for k, vector in zip(where, self.embed_crops(np.stack(crops))):
                out[k] = vector
        return out

    @torch.no_grad()
    def embed_crops(self, crops: np.ndarray) -> np.ndarray:
        """Unit embeddings (n, channels) of uint8 crops (n, size, size, 3)."""
        batch = torch.from_numpy(crops).to(self.device).permute(0, 3, 1, 2).float() / 255.0
        features = self.backbone(batch)["c5"].mean(dim=(2, 3))
        return F.normalize(features, dim=1).cpu().numpy()

    def close(self) -> None:
        self.reader.close()

    def __enter__(self) -> AppearanceEmbedder:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def crop_instance(image: np.ndarray, instance: Instance, size: int = CROP_SIZE) -> np.ndarray | None:
    """A square crop (size, size, 3) centred on the instance's extent, padded, zero outside the frame."""
    box = detection_from_instance(instance).extent_box
    if box is None:
        return None
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    side = max(box[2] - box[0], box[3] - box[1], 8.0) * (1 + 2 * PADDING)
    x0, y0 = int(round(cx - side / 2)), int(round(cy - side / 2))
    s = int(round(side))
    canvas = np.zeros((s, s, 3), dtype=np.uint8)
    h, w = image.shape[:2]
    sx0, sy0, sx1, sy1 = max(x0, 0), max(y0, 0), min(x0 + s, w), min(y0 + s, h)
    if sx1 <= sx0 or sy1 <= sy0:
        return None
    canvas[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0] = image[sy0:sy1, sx0:sx1, :3]
    tensor = torch.from_numpy(canvas).permute(2, 0, 1)[None].float()
    resized = F.interpolate(tensor, size=(size, size), mode="bilinear", align_corners=False)
    return resized[0].permute(1, 2, 0).round().clamp(0, 255).byte().numpy()


def track_prototypes(embeddings: Iterable[tuple[int, np.ndarray]]) -> dict[int, np.ndarray]:
    """Per-track prototype: the normalised mean of its (track id, embedding) pairs."""
    sums: dict[int, np.ndarray] = {}
    for track_id, vector in embeddings:
        sums[track_id] = sums.get(track_id, 0) + vector
    return {t: v / max(float(np.linalg.norm(v)), 1e-9) for t, v in sums.items()}


def identify(vector: np.ndarray, prototypes: dict[int, np.ndarray]) -> tuple[int, float]:
    """The track whose prototype is most similar to `vector`, and the cosine similarity."""
    best = max(prototypes, key=lambda t: float(np.dot(prototypes[t], vector)))
    return best, float(np.dot(prototypes[best], vector))


def appearance_tracking_bench(project, video, by_frame, truth_of, score, line, frames: int = 300) -> None:
    """For bench/bench_tracking.py --appearance: re-identification accuracy from prototypes of
    the labelled tracks, and the tracker with and without the appearance term on occlusions."""
    import random
    import time

    from core.tracking.features import typical_size
    from core.tracking.tracker import Tracker, TrackerOptions

    started = time.perf_counter()
    kept = {f: xs for f, xs in by_frame.items() if f < frames}
    vectors: dict[int, np.ndarray] = {}
    with AppearanceEmbedder(video.path) as embedder:
        for f, xs in sorted(kept.items()):
            for instance, vector in zip(xs, embedder(f, xs)):
                if vector is not None:
                    vectors[instance.id] = vector
    seconds = time.perf_counter() - started
    train = [(truth_of[i.id], vectors[i.id]) for f, xs in kept.items() if f < 50 for i in xs if i.id in vectors]
    prototypes = track_prototypes(train)
    test = [(truth_of[i.id], vectors[i.id]) for f, xs in kept.items() if f >= 50 for i in xs if i.id in vectors]
    right = sum(identify(v, prototypes)[0] == t for t, v in test)
    print(f"  appearance (EfficientNet-Lite0 c5, ImageNet weights, no fine-tuning): {len(vectors)} crops of frames "
          f"0-{frames - 1} embedded in {seconds:.1f} s; prototypes from frames 0-49 of the true tracks identify "
          f"{100 * right / max(len(test), 1):.1f}% of {len(test)} instances on frames 50-{frames - 1} (chance 50%)")  # fmt: skip

    rng = random.Random(1)
    occluded = {f: list(xs) for f, xs in kept.items()}
    for _ in range(12):
        start, length, who = rng.randrange(frames), rng.randint(10, 60), rng.choice(sorted(set(truth_of.values())))
        for f in range(start, min(frames, start + length)):
            occluded[f] = [i for i in occluded.get(f, []) if truth_of[i.id] != who]
    occluded = {f: xs for f, xs in occluded.items() if xs}
    detections = {f: [detection_from_instance(i, k) for k, i in enumerate(xs)] for f, xs in occluded.items()}
    scale = typical_size([d for ds in detections.values() for d in ds])
    for label, weight in (("without appearance", 0.0), ("with appearance", 1.0)):
        for max_animals in (None, 2):
            options = TrackerOptions(max_animals=max_animals, appearance_weight=weight, memory=10)
            tracker = Tracker(options, scale)
            numbers: dict[int, int] = {}
            for f in sorted(detections):
                embeds = [vectors.get(i.id) for i in occluded[f]]
                for frame, k, n in tracker.step(f, detections[f], embeds):
                    numbers[occluded[frame][k].id] = n
            m = score(truth_of, occluded, numbers)
            print(line(f"occluded clip {label}, max_animals={max_animals}, memory 10", m,
                       extra=f"; {len(set(numbers.values()))} tracks"))  # fmt: skip
