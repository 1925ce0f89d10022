"""Every built-in task's options are one dataclass style (`from_options`, `to_dict`), refuse
unknown names naming the known ones, and spell shared augmentation options alike (`rotation`;
`rotate`, detection's old name, is read as it)."""

from __future__ import annotations

import dataclasses

import pytest

from core.ml.tasks import registry


@pytest.mark.parametrize("name", ["pose", "detect", "segment", "behaviour", "classify"])
def test_options_are_a_dataclass_and_unknown_ones_are_refused(name):
    task = registry.get(name)
    options = task.options({"batch_size": 3})
    assert dataclasses.is_dataclass(options) and options.batch_size == 3 and options.to_dict()["batch_size"] == 3
    with pytest.raises(ValueError, match="unknown .*option") as error:
        task.options({"no_such_option": 1})
    assert "batch_size" in str(error.value)  # the known ones are named


@pytest.mark.parametrize("name", ["pose", "detect"])
def test_rotation_is_spelled_alike_and_the_old_spelling_is_read(name):
    task = registry.get(name)
    assert task.options({"augment": {"rotation": 12.0}}).augment.rotation == 12.0
    assert task.options({"augment": {"rotate": 12.0}}).augment.rotation == 12.0
    assert task.options({"augmentation": {"rotation": 3.0}}).augment.rotation == 3.0


@pytest.mark.parametrize("name", ["pose", "detect"])
def test_both_spellings_at_once_are_refused(name):
    with pytest.raises(ValueError, match="both names: give rotation only"):
        registry.get(name).options({"augment": {"rotate": 1.0, "rotation": 2.0}})


def test_register_refuses_a_taken_name_unless_replacing():
    class Other(type(registry.get("pose"))):
        pass

    with pytest.raises(ValueError, match="registered already"):
        registry.register(Other())
    with registry.registered(Other()):
        assert isinstance(registry.get("pose"), Other)
    assert type(registry.get("pose")) is not Other
    with pytest.raises(ValueError, match="unknown task 'nope'; choose one of pose, detect, segment, behaviour"):
        registry.get("nope")
