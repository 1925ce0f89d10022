"""Benchmark of the video engine against plain PyAV decoding and sleap-io.

    python bench/bench_video.py [VIDEO]        (default: ../shared/data/sleap/clip.mp4)

Prints, in one run: the plain sequential decode rate (the limit), our sequential read(i)
rate and its ratio to the limit, cold random-access latency, stepping latency both ways,
sleap-io's indexed access for comparison, proxy creation time and random access through the
proxy. Sample counts are modest on purpose: the lab machines are small and shared.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.video import make_proxy, open_video  # noqa: E402

DEFAULT_VIDEO = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "sleap" / "clip.mp4"
RANDOM_READS = 40
STEP_POINTS, STEPS = 3, 15


def ms(values: list[float]) -> str:
    a = np.array(values) * 1000
    return f"median {np.median(a):7.1f} ms   p95 {np.percentile(a, 95):7.1f} ms   (n={a.size})"


def plain_decode_fps(path: Path, threads: bool) -> float:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if threads:
            stream.thread_type = "AUTO"
        start, n = time.perf_counter(), 0
        for frame in container.decode(stream):
            frame.to_ndarray(format="rgb24")
            n += 1
    return n / (time.perf_counter() - start)


def sequential_fps(path: Path) -> float:
    with open_video(path, cache_mb=256) as video:
        start = time.perf_counter()
        for i in range(video.frame_count):
            video.read(i)
        return video.frame_count / (time.perf_counter() - start)


def random_latency(read, n_frames: int, clear, rng: random.Random) -> list[float]:
    times = []
    for i in [rng.randrange(n_frames) for _ in range(RANDOM_READS)]:
        clear()
        start = time.perf_counter()
        read(i)
        times.append(time.perf_counter() - start)
    return times


def stepping(path: Path, direction: int, rng: random.Random) -> list[float]:
    times = []
    with open_video(path) as video:
        for _ in range(STEP_POINTS):
            point = rng.randrange(STEPS, video.frame_count - STEPS)
            video.cache.clear()
            video.read(point)  # the jump that lands there is measured elsewhere
            for k in range(1, STEPS + 1):
                start = time.perf_counter()
                video.read(point + direction * k)
                times.append(time.perf_counter() - start)
    return times


def sleap_io_latency(path: Path, n_frames: int, rng: random.Random) -> list[float] | None:
    try:
        import sleap_io
    except ImportError:
        return None
    video = sleap_io.load_video(str(path))
    times = []
    for i in [rng.randrange(n_frames) for _ in range(RANDOM_READS)]:
        start = time.perf_counter()
        video[i]
        times.append(time.perf_counter() - start)
    video.close()
    return times


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_VIDEO
    rng = random.Random(0)
    with open_video(path) as video:
        print(f"video: {path.resolve()}\n  {video!r}, keyframes at {video.keyframe_indices()[:8].tolist()}...")
        n = video.frame_count

    limit = plain_decode_fps(path, threads=True)
    print(f"plain PyAV sequential decode + rgb24, threads=AUTO : {limit:7.1f} fps  (the limit)")
    print(f"plain PyAV sequential decode + rgb24, no threads   : {plain_decode_fps(path, False):7.1f} fps")
    seq = sequential_fps(path)
    print(f"ethoframe sequential read(i)                       : {seq:7.1f} fps  ratio {seq / limit:.2f} (goal >= 0.9)")

    with open_video(path) as video:
        ours = random_latency(video.read, n, video.cache.clear, rng)
    print(f"ethoframe random read(i), cold cache : {ms(ours)}")
    forward, backward = stepping(path, +1, rng), stepping(path, -1, rng)
    print(f"ethoframe step i+1                   : {ms(forward)}  (goal < 5 ms median)")
    print(f"ethoframe step i-1                   : {ms(backward)}  (goal < 5 ms median)")

    peer = sleap_io_latency(path, n, rng)
    if peer is not None:
        print(f"sleap-io video[i], random            : {ms(peer)}")
        print(f"  speed-up of ethoframe over sleap-io (median random access): "
              f"{np.median(peer) / np.median(ours):.1f}x")

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        report = make_proxy(path, Path(tmp) / "proxy.mp4")
        made = time.perf_counter() - start
        print(f"proxy creation (encode + full verify): {made:.1f} s for {report.frame_count} frames "
              f"({report.frame_count / made:.0f} fps), gop {report.gop}, "
              f"max abs diff {report.max_abs_diff}, mean abs diff {report.mean_abs_diff:.3f}, "
              f"{Path(report.proxy).stat().st_size / 2**20:.1f} MiB vs {path.stat().st_size / 2**20:.1f} MiB")
        with open_video(path, proxy=report.proxy) as video:
            assert video.proxy is not None

            def clear() -> None:
                video.cache.clear()
                video.proxy.cache.clear()

            via_proxy = random_latency(video.read_preview, n, clear, rng)
        print(f"random read_preview(i) via proxy     : {ms(via_proxy)}  (goal < 30 ms median)")
        print(f"  proxy vs original random access (median): {np.median(ours) / np.median(via_proxy):.1f}x faster")


if __name__ == "__main__":
    main()
