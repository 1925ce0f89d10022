"""Interchange: importing other tools' files into a project and exporting a project's labels
and predictions to them. One module per format (`coco`, `yolo`, `dlc`, `slp`, `boris`,
`csv_export`), each reading into / writing from a `Dataset`; this module picks the format.

    summary = import_file(project, "clip.slp")            # format detected, one transaction
    export(project, "out/", "yolo", what="labels")

An import is all or nothing: every reader parses and checks the whole file before `apply`
writes anything, and `apply` writes in one transaction. Errors are `InterchangeError`s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from core.interchange import analysis_h5, boris, coco, csv_export, cvat, cvat_write, dlc, nwb, slp, yolo
from core.interchange.apply import ImportPreview, ImportSummary, Progress, apply_dataset, preview_import
from core.interchange.collect import What, collect
from core.interchange.dataset import Dataset
from core.interchange.errors import (
    FormatNotRecognisedError,
    InterchangeError,
    MalformedFileError,
    MissingDependencyError,
)
from core.interchange.validation import validate_dataset
from core.project import Project

READERS: dict[str, Callable[[Path], Dataset]] = {
    "coco": coco.read_coco, "yolo": yolo.read_yolo, "dlc": dlc.read_dlc, "slp": slp.read_slp, "boris": boris.read_boris,
    "cvat": cvat.read_cvat,
}  # fmt: skip
WRITERS = {
    "coco": lambda d, out, progress: coco.write_coco(d, out, progress=progress),
    "yolo": lambda d, out, progress: yolo.write_yolo(d, out, progress=progress),
    "dlc": lambda d, out, progress: dlc.write_dlc(d, out, progress=progress),
    "slp": lambda d, out, progress: slp.write_slp(d, out),
    "boris": lambda d, out, progress: boris.write_boris(d, out),
    "csv": lambda d, out, progress: csv_export.write_csv(d, out),
    "h5": lambda d, out, progress: analysis_h5.write_analysis_h5(d, out),
    "nwb": lambda d, out, progress: nwb.write_nwb(d, out),
    "cvat": lambda d, out, progress: cvat_write.write_cvat(d, out, "video"),
    "cvat-images": lambda d, out, progress: cvat_write.write_cvat(d, out, "images"),
}
EXPORT_SUFFIXES = {".slp": "slp", ".boris": "boris", ".json": "coco", ".tsv": "boris", ".h5": "h5", ".nwb": "nwb", ".csv": "csv", ".xml": "cvat"}
IMPORT_FORMATS = tuple(READERS)
EXPORT_FORMATS = tuple(WRITERS)


@dataclass(frozen=True)
class ExportSummary:
    format: str
    files: tuple[str, ...]
    counts: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def detect_format(path: str | Path) -> str:
    """The format of a file or folder, by its name and a look at its first bytes."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist")
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix == ".slp":
            return "slp"
        if suffix == ".boris":
            return "boris"
        if suffix == ".h5":
            return "dlc"
        if suffix == ".json":
            return _json_format(path)
        if suffix == ".xml" and cvat.is_cvat_xml(path):
            return "cvat"
        if suffix in (".csv", ".tsv"):
            head = path.read_text(encoding="utf-8", errors="replace")[:4000]
            if head.startswith("scorer"):
                return "dlc"
            if head.startswith("Observation id") or head.startswith("Time") or "Media file path" in head:
                return "boris"
        if suffix in (".yaml", ".yml"):
            text = path.read_text(encoding="utf-8", errors="replace")
            if "bodyparts" in text:
                return "dlc"
            if "names" in text:
                return "yolo"
    else:
        if yolo.find_data_yaml(path):
            return "yolo"
        if (path / "annotations.xml").is_file() and cvat.is_cvat_xml(path / "annotations.xml"):
            return "cvat"  # CVAT's export archive, unpacked
        if (path / "config.yaml").is_file() or list(path.glob("CollectedData*.csv")) or list(path.glob("labeled-data/*/CollectedData*")):
            return "dlc"
        candidates = sorted(path.glob("*.slp")) + sorted(path.glob("*.json")) + sorted(path.glob("annotations/*.json"))
        for candidate in candidates:
            try:
                return detect_format(candidate)
            except FormatNotRecognisedError:
                continue
    raise FormatNotRecognisedError(
        f"{path}: not a format Ethoframe recognises ({', '.join(IMPORT_FORMATS)}); name one with --format"
    )


def _json_format(path: Path) -> str:
    data = coco.load_json(path)  # a syntax error names its line and column
    if isinstance(data, dict) and "images" in data and "annotations" in data:
        return "coco"
    if isinstance(data, dict) and "behaviors_conf" in data:
        return "boris"
    raise FormatNotRecognisedError(f"{path}: a JSON file, but neither COCO (images, annotations) nor a BORIS project")


def resolve_import_path(path: Path, format: str) -> Path:
    """A folder given for a single-file format means the one such file inside it."""
    if format == "coco" and path.is_dir():
        found = [p for p in sorted(path.glob("*.json")) + sorted(path.glob("annotations/*.json")) if _safe_json_format(p) == "coco"]
        if not found:
            raise FormatNotRecognisedError(f"{path}: no COCO JSON file in this folder")
        return found[0]
    if format == "cvat" and path.is_dir():
        if not (path / "annotations.xml").is_file():
            raise FormatNotRecognisedError(f"{path}: no annotations.xml (CVAT's export) in this folder")
        return path / "annotations.xml"
    if format == "slp" and path.is_dir():
        found = sorted(path.glob("*.slp"))
        if not found:
            raise FormatNotRecognisedError(f"{path}: no .slp file in this folder")
        return found[0]
    return path


def _safe_json_format(path: Path) -> str | None:
    try:
        return _json_format(path)
    except InterchangeError:
        return None


def read_file(path: str | Path, format: str | None = None) -> Dataset:
    """Read a file or folder into a `Dataset` without touching any project (a preview), its
    numbers and shapes checked (`validation.validate_dataset`) against the frame sizes it gives."""
    return validate_dataset(_read(Path(path), format)[1])


def preview_file(project: Project, path: str | Path, format: str | None = None) -> ImportPreview:
    """What importing `path` into `project` would bring in and how it merges with earlier
    imports of the same file (N new, M updated, K unchanged); writes nothing."""
    format, dataset = _read(Path(path), format)
    return preview_import(project, dataset, format)


def import_file(project: Project, path: str | Path, format: str | None = None, progress: Progress | None = None) -> ImportSummary:
    """Import a file or folder into `project` in one transaction; returns what came in.
    (`apply_dataset` checks the dataset against the probed videos: no second check here.)"""
    format, dataset = _read(Path(path), format)
    return apply_dataset(project, dataset, format, progress)


def _read(path: Path, format: str | None) -> tuple[str, Dataset]:
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist")
    if not path.is_file() and not path.is_dir():  # a FIFO or a device would block the reader forever
        raise InterchangeError(f"{path} is not a regular file or folder; Ethoframe imports files")
    source = path
    try:
        format = format or detect_format(path)
        if format not in READERS:
            raise FormatNotRecognisedError(f"cannot import {format!r}; Ethoframe imports {', '.join(IMPORT_FORMATS)}")
        source = resolve_import_path(path, format)
        return format, READERS[format](source)
    except InterchangeError:
        raise
    except OSError as error:  # permission, a file that vanished, an I/O error of the disk
        raise InterchangeError(f"{error.filename or source}: cannot be read ({error.strerror or error})") from None
    except (TypeError, KeyError, AttributeError, IndexError, ValueError, ArithmeticError, RecursionError, MemoryError) as error:
        # A structure no reader check foresaw: still one line naming the file, never a traceback.
        raise MalformedFileError(source, f"holds something Ethoframe cannot read ({type(error).__name__}: {_short(error)})") from None


def _short(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text if len(text) <= 80 else text[:77] + "..."


def export(project: Project, out: str | Path, format: str | None = None, what: What = "both", progress: Progress | None = None) -> ExportSummary:
    """Write the project's labels, predictions or both to `out` in `format` (by default, the
    one `out`'s suffix names: .slp, .boris, .json, .tsv, .h5, .nwb, .csv). Writes `out` itself
    when it names a file, else into the folder `out`; the summary lists every file written."""
    out = Path(out)
    format = format or EXPORT_SUFFIXES.get(out.suffix.lower())
    if format not in WRITERS:
        raise FormatNotRecognisedError(f"cannot tell the format to export from {out.name!r}; name one of {', '.join(EXPORT_FORMATS)}")
    dataset = collect(project, what)
    try:
        files = WRITERS[format](dataset, out, progress)
    except OSError as error:  # disk full, permission, a folder that vanished
        raise InterchangeError(f"cannot write {error.filename or out}: {error.strerror or error}") from None
    return ExportSummary(format, tuple(str(f) for f in files), dataset.counts(), tuple(dataset.notes))


__all__ = [
    "Dataset", "ExportSummary", "FormatNotRecognisedError", "ImportPreview", "ImportSummary", "InterchangeError",
    "MalformedFileError", "MissingDependencyError", "apply_dataset", "collect", "detect_format",
    "export", "import_file", "preview_file", "read_file",
]  # fmt: skip
