"""YAML for `data.yaml` (YOLO) and `config.yaml` (DeepLabCut), through a subclass of PyYAML's
safe loader (which builds plain values only, never objects) that also refuses aliases.

Why refuse aliases rather than bound them: a 1 KB "billion laughs" file (`a: &a [x, x, ...]`,
`b: &b [*a, *a, ...]`, ...) makes the safe loader build a structure of billions of references
(it hung or took gigabytes). Neither YOLO's `data.yaml` nor DeepLabCut's `config.yaml` ever
uses anchors or aliases (both tools write them with `yaml.dump`/ruamel from plain dicts), so
refusing the first alias costs a real user nothing and makes the cost of loading linear in the
file's size. The file's size is bounded too: these are hand-sized config files.
"""

from __future__ import annotations

from pathlib import Path

from core.interchange.errors import MalformedFileError, MissingDependencyError

MAX_YAML_BYTES = 16 * 1024 * 1024  # a DeepLabCut config.yaml with thousands of videos is ~1 MB


def _yaml():
    try:
        import yaml
    except ImportError:
        raise MissingDependencyError("YOLO and DeepLabCut files need PyYAML: pip install pyyaml") from None
    return yaml


class _AliasRefused(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


def _loader(yaml):
    class NoAliasSafeLoader(yaml.SafeLoader):
        """`yaml.SafeLoader` that stops at the first alias (`*name`) instead of expanding it."""

        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                raise _AliasRefused(self.peek_event().start_mark.line + 1)
            return super().compose_node(parent, index)

    return NoAliasSafeLoader


def load_yaml(path: Path) -> dict:
    yaml = _yaml()
    try:
        if path.stat().st_size > MAX_YAML_BYTES:
            raise MalformedFileError(path, f"larger than {MAX_YAML_BYTES // (1024 * 1024)} MB: not a YOLO or DeepLabCut config file")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise MalformedFileError(path, "not a text file (YAML expected)") from None
    except OSError as error:
        raise MalformedFileError(path, f"cannot be read ({error.strerror or error})") from None
    try:
        data = yaml.load(text, Loader=_loader(yaml))  # noqa: S506 - a SafeLoader subclass
    except _AliasRefused as refused:
        raise MalformedFileError(
            path, "uses a YAML alias (*name); Ethoframe refuses aliases (they can expand a small file into gigabytes)",
            f"line {refused.line}",
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        record = f"line {mark.line + 1}" if mark is not None else None
        raise MalformedFileError(path, f"not valid YAML ({getattr(error, 'problem', error)})", record) from None
    except RecursionError:
        raise MalformedFileError(path, "nested too deeply to be a config file") from None
    if not isinstance(data, dict):
        raise MalformedFileError(path, "expected a YAML mapping of keys to values")
    return data


def dump_yaml(data: dict, path: Path) -> None:
    path.write_text(_yaml().safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
