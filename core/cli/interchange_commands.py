"""`ethoframe import` and `ethoframe export`: other tools' files in and out of a project.

    ethoframe import projects/mice clip.slp                 # format detected
    ethoframe import projects/mice clip.slp --dry-run       # N new, M updated, K unchanged; writes nothing
    ethoframe export projects/mice out/ --format yolo --what labels
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from core.cli.progress import TextProgress
from core.interchange import EXPORT_FORMATS, IMPORT_FORMATS, export, import_file, preview_file
from core.project import Project
from core.project.location import open_project, project_location


def register(commands: argparse._SubParsersAction) -> None:
    imp = commands.add_parser("import", help="import labels, predictions or events from another tool's files")
    imp.add_argument("project", type=project_location)
    imp.add_argument("source", type=Path, metavar="FILE_OR_DIR")
    imp.add_argument("--format", choices=IMPORT_FORMATS, help="the file's format (default: detected)")
    imp.add_argument("--json", action="store_true", help="print what came in as JSON")
    imp.add_argument("--dry-run", action="store_true", help="say what would come in (new, updated, unchanged) and write nothing")
    imp.set_defaults(run=run_import)

    exp = commands.add_parser("export", help="export labels, predictions or events to another tool's format")
    exp.add_argument("project", type=project_location)
    exp.add_argument("out", type=Path, metavar="OUT")
    exp.add_argument("--format", choices=EXPORT_FORMATS, help="the format (default: from OUT's suffix)")
    exp.add_argument("--what", choices=("labels", "predictions", "both"), default="both")
    exp.set_defaults(run=run_export)


_MERGE_FIELDS = ("new", "updated", "unchanged", "kept_not_in_file", "edited_here", "events_unchanged")


def run_import(args: argparse.Namespace) -> int:
    if args.dry_run:
        with open_project(args.project) as project:
            preview = preview_file(project, args.source, args.format)
        if args.json:
            print(json.dumps({"format": preview.format, **preview.counts, **preview.merge, "notes": list(preview.notes)}, indent=2))
            return 0
        held = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in preview.counts.items() if v)
        print(f"{args.source} ({preview.format}) holds {held or 'nothing'}; importing it: {preview.describe()}; nothing was written")
        return 0
    with open_project(args.project) as project, TextProgress("importing") as progress:
        summary = import_file(project, args.source, args.format, progress)
    if args.json:
        print(json.dumps(summary.as_dict(), indent=2))
        return 0
    counts = {k: v for k, v in summary.as_dict().items() if isinstance(v, int) and v and k not in _MERGE_FIELDS}
    print(f"imported {summary.path} ({summary.format}): " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()))
    print(f"  instances: {summary.new} new, {summary.updated} updated, {summary.unchanged} unchanged"
          + (f"; {summary.edited_here} changed here since they were imported, left as they are" if summary.edited_here else "")
          + (f"; {summary.kept_not_in_file} from an earlier import of this file, no longer in it, kept" if summary.kept_not_in_file else ""))
    for note in summary.notes:
        print(f"  note: {note}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    with open_project(args.project) as project, TextProgress("exporting") as progress:
        summary = export(project, args.out, args.format, args.what, progress)
    print(f"exported {args.what} as {summary.format}: " + ", ".join(summary.files))
    for note in summary.notes:
        print(f"  note: {note}")
    return 0
