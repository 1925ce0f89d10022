"""Identity commands: `track` (run the tracker on a project's videos, headless) and
`evaluate-tracks` (identity switches and correct-identity fractions against user-labelled tracks)."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from core.cli.progress import TextProgress
from core.project import Project
from core.tracking import TrackerOptions, find_suspects, track_video, tracking_report
from core.project.location import open_project, project_location


def register(commands: argparse._SubParsersAction) -> None:
    track = commands.add_parser("track", help="give instances identities across frames (tracks)")
    track.add_argument("project", type=project_location)
    track.add_argument("--video", type=int, action="append", help="video id (default: every video)")
    track.add_argument("--max-animals", type=int, metavar="N", help="never more than N tracks per video")
    track.add_argument("--source", choices=("predicted", "user"), default="predicted",
                       help="track the model's predictions (default) or your own labels")  # fmt: skip
    track.add_argument("--memory", type=int, default=TrackerOptions.memory, metavar="FRAMES",
                       help="how long a lost animal keeps its identity (default %(default)s frames)")  # fmt: skip
    track.add_argument("--delete-emptied", action="store_true",
                       help="delete the earlier tracks left with no instance (e.g. imported fragments)")  # fmt: skip
    track.add_argument("--json", action="store_true", help="print machine-readable JSON")
    track.set_defaults(run=run_track)

    evaluate = commands.add_parser("evaluate-tracks", help="identity switches against user-labelled tracks")
    evaluate.add_argument("project", type=project_location)
    evaluate.add_argument("--video", type=int, action="append", help="video id (default: every video)")
    evaluate.add_argument("--max-animals", type=int, metavar="N", help="for the tracker run on your labels")
    evaluate.add_argument("--json", action="store_true")
    evaluate.set_defaults(run=run_evaluate_tracks)


def _videos(project: Project, wanted: list[int] | None) -> list[int]:
    if wanted:
        return [project.videos.get(v).id for v in wanted]
    return [v.id for v in project.videos.all()]


def run_track(args: argparse.Namespace) -> int:
    results = []
    with open_project(args.project) as project:
        options = TrackerOptions(memory=args.memory)
        for video_id in _videos(project, args.video):
            if not project.instances.labeled_frames(video_id, args.source):
                results.append({"video_id": video_id, "skipped": f"no {args.source} instances"})
                continue
            with TextProgress(f"tracking video {video_id}") as progress:
                summary = track_video(project, video_id, args.source, args.max_animals, progress, options=options)
            if args.delete_emptied:
                for track_id in summary.emptied_track_ids:
                    project.tracks.delete(track_id)
            suspects = find_suspects(project, video_id, args.source)
            results.append({
                "video_id": video_id, "frames": summary.frames, "instances": summary.instances,
                "instances_tracked": summary.instances_tracked, "tracks": len(summary.track_ids),
                "track_names": [project.tracks.get(t).name for t in summary.track_ids],
                "tracks_created": summary.tracks_created,
                "emptied_tracks": 0 if args.delete_emptied else len(summary.emptied_track_ids),
                "deleted_tracks": len(summary.emptied_track_ids) if args.delete_emptied else 0,
                "suspects": len(suspects), "suspects_by_kind": dict(Counter(s.kind for s in suspects)),
                "first_suspect_frames": [s.frame for s in suspects[:10]],
            })  # fmt: skip
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for r in results:
        if "skipped" in r:
            print(f"video {r['video_id']}: skipped ({r['skipped']})")
            continue
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(r["suspects_by_kind"].items())) or "none"
        print(f"video {r['video_id']}: {r['tracks']} tracks ({r['tracks_created']} new: {', '.join(r['track_names'])}); "
              f"{r['instances_tracked']}/{r['instances']} instances tracked over {r['frames']} frames")  # fmt: skip
        print(f"  {r['suspects']} suspected identity problems ({kinds})")
        if r["emptied_tracks"]:
            print(f"  {r['emptied_tracks']} earlier tracks now hold no instance (--delete-emptied removes them)")
        if r["deleted_tracks"]:
            print(f"  deleted {r['deleted_tracks']} earlier tracks left with no instance")
    return 0


def run_evaluate_tracks(args: argparse.Namespace) -> int:
    with open_project(args.project) as project:
        reports = [tracking_report(project, v, args.max_animals) for v in _videos(project, args.video)]
    if args.json:
        print(json.dumps(reports, indent=2))
        return 0
    for r in reports:
        print(f"video {r['video_id']}: {r['truth_frames']} frames with user-labelled tracks")
        if not r["truth_frames"]:
            print("  nothing to compare against: label tracks on some frames (Instances panel) first")
        for key, title in (("predicted", "predicted tracks"), ("tracker_on_labels", "tracker on your labels, identities hidden")):
            m = r[key]
            if m is not None:
                print(f"  {title}: {m['id_switches']} identity switches; correct identity in "
                      f"{100 * m['fraction_frames_correct']:.1f}% of frames, {100 * m['fraction_instances_correct']:.1f}% of instances")  # fmt: skip
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(r["suspects"].items())) or "none"
        print(f"  suspected identity problems: {kinds}")
    return 0
