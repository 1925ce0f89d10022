"""Benchmark: how fast the demo world renders and encodes (default config unless told otherwise).

    python bench/bench_demo_render.py [--seconds 60] [--width 640 --height 480]

Prints world build time, render-only frames per second, and render + H.264 encode time.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.demo import World, WorldConfig, render_world  # noqa: E402


def main() -> None:
    defaults = WorldConfig()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=defaults.width)
    parser.add_argument("--height", type=int, default=defaults.height)
    parser.add_argument("--fps", type=float, default=defaults.fps)
    parser.add_argument("--seconds", type=float, default=defaults.seconds)
    parser.add_argument("--animals", type=int, default=defaults.n_animals)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    args = parser.parse_args()
    config = WorldConfig(width=args.width, height=args.height, fps=args.fps, seconds=args.seconds,
                         n_animals=args.animals, seed=args.seed)
    n = config.n_frames
    print(f"demo world {config.width}x{config.height}, {n} frames at {config.fps:g} fps, "
          f"{config.n_animals} animals, seed {config.seed}; {os.cpu_count()} CPUs")

    start = time.perf_counter()
    world = World(config)
    built = time.perf_counter() - start
    print(f"  build (background, looks, motion):  {built:6.2f} s")

    start = time.perf_counter()
    for frame in world:
        pass
    rendered = time.perf_counter() - start
    print(f"  render only:                        {rendered:6.2f} s  ({n / rendered:6.1f} frames/s)")

    with tempfile.TemporaryDirectory() as tmp:
        video = Path(tmp) / "demo.mp4"
        start = time.perf_counter()
        truth = render_world(config, video)
        total = time.perf_counter() - start
        size = video.stat().st_size
        truth_path = Path(tmp) / "truth.npz"
        truth.save(truth_path)
        print(f"  render_world (build+render+encode): {total:6.2f} s  ({n / total:6.1f} frames/s)")
        print(f"  video {size / 1e6:.1f} MB, truth file {truth_path.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
