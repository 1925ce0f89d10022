"""Small demo worlds shared by the demo tests (rendering is the slow part, so once per session)."""

from __future__ import annotations

import pytest

from core.demo import World, WorldConfig


@pytest.fixture(scope="session")
def small_config() -> WorldConfig:
    return WorldConfig(width=160, height=120, fps=15, seconds=2, n_animals=3, seed=3)


@pytest.fixture(scope="session")
def small_world(small_config: WorldConfig) -> World:
    return World(small_config)


@pytest.fixture(scope="session")
def small_frames(small_world: World) -> list:
    return [small_world.render_frame(i) for i in range(small_world.n_frames)]
