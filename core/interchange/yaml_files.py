"""YAML for `data.yaml` (YOLO) and `config.yaml` (DeepLabCut), through PyYAML's safe loader
(which builds plain values only, never objects)."""

from __future__ import annotations

from pathlib import Path

from core.interchange.errors import MalformedFileError, MissingDependencyError


def _yaml():
    try:
        import yaml
    except ImportError:
        raise MissingDependencyError("YOLO and DeepLabCut files need PyYAML: pip install pyyaml") from None
    return yaml


def load_yaml(path: Path) -> dict:
    yaml = _yaml()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        record = f"line {mark.line + 1}" if mark is not None else None
        raise MalformedFileError(path, f"not valid YAML ({getattr(error, 'problem', error)})", record) from None
    except UnicodeDecodeError:
        raise MalformedFileError(path, "not a text file (YAML expected)") from None
    if not isinstance(data, dict):
        raise MalformedFileError(path, "expected a YAML mapping of keys to values")
    return data


def dump_yaml(data: dict, path: Path) -> None:
    path.write_text(_yaml().safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
