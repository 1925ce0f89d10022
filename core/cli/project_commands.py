"""Commands on the project itself: `new`, `add-video`, `info`, `relink`, `gui`."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from core.project import Project
from core.workflows.videos import add_videos, find_moved_videos, relink_video
from core.project.location import open_project, project_location


def register(commands: argparse._SubParsersAction) -> None:
    new = commands.add_parser("new", help="create an empty project folder, or a shared project on a PostgreSQL server")
    new.add_argument("directory", type=project_location, metavar="FOLDER_OR_URL",
                     help="a folder, or postgresql://[user@]host[:port]/database for a team's shared project")
    new.add_argument("--name", help="the project's name (default: the folder's or database's name)")
    new.set_defaults(run=run_new)

    add = commands.add_parser("add-video", help="add videos (files or image folders) to a project")
    add.add_argument("project", type=project_location)
    add.add_argument("videos", type=Path, nargs="+")
    add.set_defaults(run=run_add_video)

    info = commands.add_parser("info", help="what a project holds")
    info.add_argument("project", type=project_location)
    info.add_argument("--json", action="store_true", help="print machine-readable JSON")
    info.add_argument("--by-user", action="store_true", help="count labels and events per labeller")
    info.set_defaults(run=run_info)

    relink = commands.add_parser("relink", help="tell a project where its moved videos are now")
    relink.add_argument("project", type=project_location)
    relink.add_argument("video_id", type=int, nargs="?", help="the video's id (see `info`)")
    relink.add_argument("new_path", type=Path, nargs="?", help="where that video is now")
    relink.add_argument("--search", type=Path, metavar="FOLDER", help="find moved videos by content under FOLDER")
    relink.add_argument("--map", nargs=2, metavar=("PROJECT_FOLDER", "HERE"),
                        help="on this workstation (for you alone) the project's videos under PROJECT_FOLDER "
                             "are under HERE, e.g. --map /mnt/lab /Volumes/lab")  # fmt: skip
    relink.set_defaults(run=run_relink)

    gui = commands.add_parser("gui", help="open the Ethoframe window")
    gui.add_argument("project", type=project_location, nargs="?")
    gui.set_defaults(run=run_gui)


def run_new(args: argparse.Namespace) -> int:
    with open_project(args.directory, create=True, name=args.name) as project:
        if project.is_shared:
            print(f"created shared project {project.name!r} on {project.location}; "
                  f"your models and exports go to {project.folder}")  # fmt: skip
        else:
            print(f"created project {project.name!r} in {project.folder}")
    return 0


def run_add_video(args: argparse.Namespace) -> int:
    with open_project(args.project) as project:
        for video in add_videos(project, args.videos):
            print(f"video {video.id}: {video.path} ({video.frame_count} frames, {video.width}x{video.height}, {video.fps:g} fps)")
    return 0


def run_info(args: argparse.Namespace) -> int:
    if args.by_user:
        return _info_by_user(args)
    with open_project(args.project) as project:
        counts = project.counts().as_dict()
        videos = project.videos.all()
        missing = {v.id for v in project.videos.missing()}
        if args.json:
            report = {
                "project": project.location,
                "folder": str(project.folder),
                "name": project.name,
                **counts,
                "video_list": [
                    {"id": v.id, "path": v.path, "frames": v.frame_count, "fps": v.fps,
                     "width": v.width, "height": v.height, "missing": v.id in missing}
                    for v in videos
                ],
            }  # fmt: skip
            print(json.dumps(report, indent=2))
            return 0
        where = f"on {project.location} (your folder: {project.folder})" if project.is_shared else f"in {project.folder}"
        print(f"project {project.name!r} {where}")
        width = max(len(k) for k in counts)
        for key, value in counts.items():
            print(f"  {key.replace('_', ' '):<{width}}  {value}")
        for v in videos:
            note = "   MISSING: use `ethoframe relink`" if v.id in missing else ""
            print(f"  video {v.id}: {v.path} ({v.frame_count} frames){note}")
    return 0


def _info_by_user(args: argparse.Namespace) -> int:
    with open_project(args.project) as project:
        by_user = project.users.counts()
    if args.json:
        print(json.dumps(by_user, indent=2))
        return 0
    if not by_user:
        print("nothing labelled yet")
        return 0
    width = max([len(name) for name in by_user] + [8])
    print(f"  {'labeller':<{width}}  {'labels':>7}  {'changed last':>12}  {'events':>7}  {'predictions added':>17}")
    for name, c in by_user.items():
        print(f"  {name:<{width}}  {c['labels']:>7}  {c['labels_last_changed']:>12}  {c['events']:>7}  {c['predictions']:>17}")
    return 0


def run_relink(args: argparse.Namespace) -> int:
    with open_project(args.project) as project:
        if args.map is not None:
            roots = project.map_video_root(args.map[0], args.map[1])
            print(f"videos under {args.map[0]} are read from {roots[-1][1]} on this workstation (for {project.user})")
            still = project.videos.missing()
            for video in still:
                print(f"video {video.id}: still missing ({video.path})", file=sys.stderr)
            return 1 if still else 0
        if args.search is not None:
            found = find_moved_videos(project, args.search)
            for video_id, path in found.items():
                relink_video(project, video_id, path)
                print(f"video {video_id}: relinked to {path}")
            still = project.videos.missing()
            for video in still:
                print(f"video {video.id}: still missing ({video.path})", file=sys.stderr)
            return 1 if still else 0
        if args.video_id is None or args.new_path is None:
            raise ValueError("give VIDEO_ID NEW_PATH, or --search FOLDER")
        video = relink_video(project, args.video_id, args.new_path)
        print(f"video {video.id}: relinked to {video.path}")
    return 0


def run_gui(args: argparse.Namespace) -> int:
    """The window runs in its own process (`python -m gui`): core never imports Qt."""
    if args.project is not None:
        open_project(args.project).close()  # a clear error here, before a window appears
    return launch_gui(args.project)


def launch_gui(project: Path | None) -> int:
    command = [sys.executable, "-m", "gui"] + ([str(project)] if project is not None else [])
    return subprocess.call(command, env=os.environ.copy())
