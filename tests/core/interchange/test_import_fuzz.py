"""The import fuzzer (`import_fuzz.py`) on a fixed seed: mutated copies of real files of every
format imported into a project holding labels; each is imported as valid data or refused in one
line with the project unchanged, never a traceback, a hang or a changed project. More cases:
`python bench/bench_import_fuzz.py --iterations 200`."""

from __future__ import annotations

import shutil
import time

import pytest

from import_fuzz import build_seeds, describe, invalid_rows, run

from core.interchange import import_file
from core.project import Project

# Cases per seed: small files our exporters write, BORIS's and DeepLabCut's real files, and one
# real SLEAP file (each of its cases costs most of a second, so CI runs two).
ITERATIONS = {"*": 6, "real-dance.slp": 2, "real-clip.slp": 0}


@pytest.mark.slow
def test_mutated_files_of_every_format_import_valid_data_or_are_refused_in_one_line(tmp_path, data):
    started = time.perf_counter()
    report = run(ITERATIONS, seed=16, work=tmp_path, shared=data, time_limit=10.0)
    seconds = time.perf_counter() - started
    print(describe(report, seconds))
    assert not report.failures(), describe(report, seconds)
    counts = report.counts()
    assert counts["imported"] > 5 and counts["refused"] > 5  # the mutations reach both outcomes
    assert counts["net"] == 0, describe(report, seconds)  # every refusal came from a check that names its place
    assert {o.seed for o in report.outcomes} >= {"coco", "yolo-pose", "yolo-seg", "dlc", "slp", "boris", "boris-table",
                                                   "real-test.boris", "real-dlc-mirror-mouse", "real-dance.slp"}  # fmt: skip


def test_every_seed_imports_as_it_is(tmp_path, data):
    """The fuzzer's baseline: unmutated, every seed is valid data (else every case is refused)."""
    seeds, template = build_seeds(tmp_path / "setup", data, real_slp=False)
    for number, seed in enumerate(seeds):
        project_folder = tmp_path / f"p{number}"
        shutil.copytree(template, project_folder)
        with Project.open(project_folder) as project:
            import_file(project, seed.folder / seed.target, seed.format)
            assert invalid_rows(project) == "", seed.name


@pytest.mark.slow
def test_more_cases_including_the_sleap_clip(tmp_path, data):
    report = run({"*": 15, "real-clip.slp": 8}, seed=1616, work=tmp_path, shared=data, time_limit=20.0)
    assert not report.failures(), describe(report, 0)
