"""A tiny demo project (160x120, 2 s, two mice, 8 labelled frames) for the detection tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from core.demo import WorldConfig
from core.project import Project
from core.demo.project import create_demo_project

TINY = WorldConfig(width=160, height=120, seconds=2, n_animals=2)


@pytest.fixture(autouse=True)
def one_thread():
    """One intra-op thread: on a small shared CPU, OpenMP threads spinning against other work
    make tiny detection steps ten times slower, not faster."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def tiny_demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("detection") / "demo"
    create_demo_project(folder, TINY, labeled_frames=8).close()
    return folder


@pytest.fixture
def tiny_demo(tiny_demo_folder: Path) -> Project:
    with Project.open(tiny_demo_folder) as project:
        yield project


@pytest.fixture
def unlabelled_demo(tmp_path: Path) -> Project:
    """The same world with no labels at all (tests add their own)."""
    with create_demo_project(tmp_path / "demo", TINY, labeled_frames=0) as project:
        yield project
