"""The import fuzzer of issue 16 at length: mutated copies of real files of every format.

    python bench/bench_import_fuzz.py [--iterations 200] [--seed 0] [--time-limit 10] [--memory-gb 6]

Each case damages a copy of a seed (our exporters' COCO, YOLO pose/segment, DeepLabCut, SLEAP
and BORIS files; BORIS's, DeepLabCut's (Lightning Pose) and SLEAP's real files from
../shared/data): truncations, bit flips, inserted bytes, zeroed blocks, values swapped for
NaN/Inf/1e300/huge integers/wrong types/deep nesting, deleted keys, colliding ids, duplicated
rows and YAML alias bombs. It then imports it into a project that holds labels. Printed: how
many cases were imported (and their stored rows valid), refused in one line (project
unchanged), and failures (a traceback, a hang past --time-limit, a refused import that changed
the project, stored rows that are not valid), per seed; each failure with the mutation that
made it. Exit status 1 when any case failed. The address space is capped at --memory-gb so an
allocation sized by the file shows as a MemoryError failure instead of taking the machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "core" / "interchange"))

from import_fuzz import describe, run  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=200, help="cases per seed (default 200)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds one import may take")
    parser.add_argument("--memory-gb", type=float, default=6.0)
    parser.add_argument("--no-real-slp", action="store_true", help="skip SLEAP's real files (most of a second a case)")
    parser.add_argument("--data", type=Path, default=HERE.parent / ".." / "shared" / "data")
    parser.add_argument("--verbose", action="store_true", help="print each case before it runs")
    args = parser.parse_args()
    limit = int(args.memory_gb * (1 << 30))
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.verbose:
        os.environ["ETHOFRAME_FUZZ_VERBOSE"] = "1"
    shared = args.data.resolve() if args.data.is_dir() else None
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as work:
        report = run(args.iterations, args.seed, Path(work), shared, args.time_limit, real_slp=not args.no_real_slp)
    print(f"seed {args.seed}, {args.iterations} cases per seed, time limit {args.time_limit:g} s")
    print(describe(report, time.perf_counter() - started))
    return 1 if report.failures() else 0


if __name__ == "__main__":
    sys.exit(main())
