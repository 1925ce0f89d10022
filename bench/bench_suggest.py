"""How long visual-diversity (k-means) frame suggestion takes, and what an hour would take.

    python bench/bench_suggest.py [--video ../shared/data/sleap/clip.mp4] [-n 20] [--samples 2000]

Times, in one run on the same file: plain sequential decoding of every frame with PyAV (the
baseline: no suggestion method can read a video faster), then `kmeans_frames` sampling
(a) every frame of the clip and (b) as sparsely as it samples a one-hour 30 fps video (at most
`--samples` frames over 108,000, i.e. every 54th frame), and the PCA + k-means step on its own.
The hour estimate is (b)'s time per video frame times 108,000, plus clustering `--samples`
rows: sampling must still decode every frame between samples of a long-GOP video, so the
decode rate sets the pace.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import av

from core.suggest import ThumbnailFeatures, kmeans_frames, pick_diverse, sample_indices, sampled_features
from core.video import open_video

DEFAULT_VIDEO = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "sleap" / "clip.mp4"
HOUR_FRAMES = 30 * 3600


def plain_decode(path: Path) -> tuple[int, float]:
    """Every frame decoded in order, nothing else: the floor for any whole-video pass."""
    start = time.perf_counter()
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"  # as the project's reader decodes
        count = sum(1 for _ in container.decode(stream))
    return count, time.perf_counter() - start


def timed_kmeans(path: Path, n: int, max_samples: int) -> float:
    start = time.perf_counter()
    with open_video(path, cache_mb=16) as reader:
        kmeans_frames(reader, n, max_samples=max_samples)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--video", type=Path, default=DEFAULT_VIDEO)
    parser.add_argument("-n", type=int, default=20, help="suggestions to ask for")
    parser.add_argument("--samples", type=int, default=2000, help="frames sampled per video (the default cap)")
    args = parser.parse_args()
    path = args.video.resolve()

    frames, decode_s = plain_decode(path)
    with open_video(path, cache_mb=16) as reader:
        size = f"{reader.width}x{reader.height}"
        start = time.perf_counter()
        features = sampled_features(reader, sample_indices(reader.frame_count, args.samples), ThumbnailFeatures())
        features_s = time.perf_counter() - start
    start = time.perf_counter()
    pick_diverse(features, args.n)
    cluster_s = time.perf_counter() - start

    all_s = timed_kmeans(path, args.n, args.samples)
    # The hour's sampling density: `samples` frames out of HOUR_FRAMES.
    sparse = max(args.n, round(frames * args.samples / HOUR_FRAMES))
    sparse_s = timed_kmeans(path, args.n, sparse)

    # Clustering cost grows about linearly with the rows (SVD of S x 1024, k-means on S x 32).
    hour_cluster_s = cluster_s * args.samples / len(features)
    hour_s = sparse_s / frames * HOUR_FRAMES + hour_cluster_s
    hour_decode_s = decode_s / frames * HOUR_FRAMES

    print(f"video: {path.name}, {frames} frames {size}; n={args.n}")
    print(f"baseline, plain sequential decode:      {decode_s:7.2f} s  ({frames / decode_s:6.0f} frames/s)")
    print(f"kmeans, sampling all {len(features):>5} frames:      {all_s:7.2f} s  (x{all_s / decode_s:.2f} of decode)")
    print(f"  its steps, timed apart: thumbnails {features_s:.2f} s, PCA + k-means {cluster_s:.2f} s")
    ratio = sparse_s / decode_s
    print(f"kmeans, sampling {sparse:>5} frames (1/{frames // sparse}):   {sparse_s:7.2f} s  (x{ratio:.2f} of decode)")
    print(
        f"one hour at 30 fps, {size}, sampling {args.samples} frames (every {HOUR_FRAMES // args.samples}th): "
        f"about {hour_s / 60:.1f} min (plain decode alone: {hour_decode_s / 60:.1f} min; "
        f"ratio x{hour_s / hour_decode_s:.2f})"
    )

if __name__ == "__main__":
    main()
