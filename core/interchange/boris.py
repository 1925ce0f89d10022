"""BORIS behaviour coding: `.boris` project files (JSON) and BORIS's tabular event exports
(CSV/TSV), both directions.

A `.boris` project holds the ethogram (`behaviors_conf`: code, key, point or state event), the
subjects (`subjects_conf`, which become tracks) and observations whose events are
`[time_s, subject, code, modifier, comment]`, times on the timeline of player 1's media files
played one after the other. Times become frames with each media file's fps
(`frame = round(t * fps)`); a state event is a START/STOP pair. Ethoframe keeps no modifiers or
comments (noted when dropped). LIVE observations have no video and are skipped. Exports carry
both the time and the frame index (`Image index`), and the `.boris` events a sixth element with
the frame index.
"""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

from core.domain import BehaviourEvent
from core.interchange.coco import finite_json, load_json
from core.interchange.dataset import Dataset
from core.interchange.dlc import read_rows
from core.interchange.errors import MalformedFileError
from core.interchange.validation import MAX_FPS, finite_number, whole_number

NO_SUBJECT = ("", "No focal subject")
MAX_SECONDS = 1e7  # 115 days of one observation
TABLE_COLUMNS = ["Time", "Image index", "Media file path", "Total length", "FPS", "Subject", "Behavior",
                 "Behavioral category", "Comment", "Status"]  # fmt: skip


class _Coder:
    """Pairs START/STOP codings of state events, per video, subject and behaviour."""

    def __init__(self, dataset: Dataset, path: Path) -> None:
        self.dataset, self.path = dataset, path
        self.open: dict[tuple, int] = {}
        self.dropped = 0

    def code(self, video: int, frame: int, subject: str, code: str, status: str | None, record: str, extra: str = "") -> None:
        behaviour = next((b for b in self.dataset.behaviours if b.name == code), None)
        if behaviour is None:
            raise MalformedFileError(self.path, f"behaviour {code!r} is not in the ethogram", record)
        subject_id = None if subject in NO_SUBJECT else self.dataset.track(subject)
        self.dropped += bool(extra.strip())
        if behaviour.kind == "point" or status == "POINT":
            self.dataset.events.append(BehaviourEvent(video, behaviour.id, frame, frame, subject_id))
            return
        key = (video, subject_id, behaviour.id)
        if key in self.open and status != "START":
            start = self.open.pop(key)
            self.dataset.events.append(BehaviourEvent(video, behaviour.id, start, max(frame, start), subject_id))
        elif status == "STOP":
            raise MalformedFileError(self.path, f"{code!r} stops without having started", record)
        else:
            self.open[key] = frame

    def finish(self) -> None:
        for (video, subject_id, behaviour_id), start in self.open.items():
            self.dataset.events.append(BehaviourEvent(video, behaviour_id, start, None, subject_id))
        if self.open:
            self.dataset.notes.append(f"{len(self.open)} state events were started and never stopped: imported as open")
        if self.dropped:
            self.dataset.notes.append(f"{self.dropped} events had modifiers or comments, which Ethoframe does not keep")


def _media(name: str, folder: Path) -> Path:
    path = Path(name)
    if path.is_absolute() and path.exists():
        return path
    return (folder / path.name).resolve()


def read_boris(path: str | Path) -> Dataset:
    path = Path(path)
    if path.suffix.lower() in (".csv", ".tsv"):
        return read_boris_table(path)
    data = load_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("behaviors_conf"), dict):
        raise MalformedFileError(path, "a BORIS project has a 'behaviors_conf' ethogram")
    dataset = Dataset(source=path)
    for number, behaviour in sorted(data["behaviors_conf"].items(), key=lambda kv: int(kv[0]) if str(kv[0]).isdigit() else 0):
        if not isinstance(behaviour, dict) or not behaviour.get("code"):
            raise MalformedFileError(path, "a behaviour needs a 'code'", f"behaviors_conf {number}")
        kind = "point" if "point" in str(behaviour.get("type", "")).lower() else "state"
        key, color = behaviour.get("key") or None, behaviour.get("color") or None
        dataset.behaviour(str(behaviour["code"]), None if key is None else str(key), kind, None if color is None else str(color))
    for number, subject in _mapping(data, "subjects_conf", path).items():
        if not isinstance(subject, dict):
            raise MalformedFileError(path, "a subject is an object with a 'name'", f"subjects_conf {number}")
        dataset.track(str(subject.get("name")))
    coder = _Coder(dataset, path)
    live = 0
    for name, observation in _mapping(data, "observations", path).items():
        if not isinstance(observation, dict):
            raise MalformedFileError(path, "an observation is an object", f"observation {name!r}")
        if observation.get("type") != "MEDIA":
            live += 1
            continue
        _observation(name, observation, dataset, coder, path)
    coder.finish()
    if live:
        dataset.notes.append(f"{live} LIVE observations have no video and were skipped")
    return dataset


def _mapping(data: dict, key: str, path: Path, record: str | None = None) -> dict:
    """`data[key]` when it is a mapping (or absent: empty), else one clear error."""
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise MalformedFileError(path, f"{key!r} must be an object, not a {type(value).__name__}", record or key)
    return value


def _observation(name: str, observation: dict, dataset: Dataset, coder: _Coder, path: Path) -> None:
    where = f"observation {name!r}"
    files = _mapping(observation, "file", path, where).get("1") or []
    info = _mapping(observation, "media_info", path, where)
    fps_of, length_of = _mapping(info, "fps", path, where), _mapping(info, "length", path, where)
    if not isinstance(files, list) or not all(isinstance(m, str) for m in files):
        raise MalformedFileError(path, "player 1's media files must be a list of paths", where)
    timeline = []  # (start time, length, video id, fps)
    start = 0.0
    for media in files:
        if not fps_of.get(media) or length_of.get(media) is None:
            raise MalformedFileError(path, f"media {media!r} has no fps or length in media_info (needed to map times to frames)", where)
        fps = finite_number(fps_of[media], path, where, f"the fps of {media!r}", 1e-3, MAX_FPS)
        length = finite_number(length_of[media], path, where, f"the length of {media!r}", 0.0, MAX_SECONDS)
        video = dataset.video_for_path(_media(media, path.parent), frame_count=int(round(length * fps)), fps=fps)
        timeline.append((start, length, video, fps))
        start += length
    offset = finite_number(observation.get("time offset") or 0.0, path, where, "its time offset", -MAX_SECONDS, MAX_SECONDS)
    events = observation.get("events") or []
    if not isinstance(events, list):
        raise MalformedFileError(path, "'events' must be a list", where)
    for number, event in enumerate(events):
        if not isinstance(event, list) or len(event) < 3 or isinstance(event[0], bool) or not isinstance(event[0], (int, float)):
            raise MalformedFileError(path, "an event is [time, subject, behaviour, modifier, comment]", f"{where}, event {number + 1}")
        finite_number(event[0], path, f"{where}, event {number + 1}", "an event's time", -MAX_SECONDS, MAX_SECONDS)
    for number, event in enumerate(sorted(events, key=lambda e: e[0])):
        record = f"{where}, event {number + 1}"
        if not timeline:
            raise MalformedFileError(path, "has events but no media file for player 1", record)
        time = float(event[0]) - offset
        begin, length, video, fps = next((m for m in timeline if m[0] <= time < m[0] + m[1]), timeline[-1])
        frame = max(int(round((time - begin) * fps)), 0)
        extra = " ".join(str(v) for v in event[3:5])
        coder.code(video, frame, str(event[1] or ""), str(event[2]), None, record, extra)


def read_boris_table(path: Path) -> Dataset:
    """BORIS's tabular export: a header block, then `Time, Media file path, Total length, FPS,
    Subject, Behavior, ..., Status` rows (an `Image index` column, when there, gives the frame)."""
    rows = read_rows(path, "\t" if path.suffix.lower() == ".tsv" else ",")
    start = next((n for n, row in enumerate(rows) if row[:1] == ["Time"]), None)
    if start is None and rows and "Start (s)" in rows[0]:
        return _read_aggregated(path, rows)
    if start is None:
        raise MalformedFileError(path, "no 'Time, Media file path, ...' header row (a BORIS tabular event export expected)")
    header = [h.strip() for h in rows[start]]
    needed = ("Time", "Media file path", "FPS", "Subject", "Behavior", "Status")
    missing = [c for c in needed if c not in header]
    if missing:
        raise MalformedFileError(path, f"missing columns {missing}", f"line {start + 1}")
    at = {name: header.index(name) for name in header}
    dataset = Dataset(source=path)
    table = [(n, row) for n, row in enumerate(rows[start + 1 :], start=start + 2) if any(c.strip() for c in row)]
    for n, row in table:
        if len(row) < len(header):
            raise MalformedFileError(path, f"{len(row)} cells, the header has {len(header)}", f"line {n}")
        kind = "point" if row[at["Status"]] == "POINT" else "state"
        dataset.behaviour(row[at["Behavior"]], None, kind)
    coder = _Coder(dataset, path)
    for n, row in table:
        record = f"line {n}"
        time = finite_number(row[at["Time"]], path, record, "Time", 0.0, MAX_SECONDS)
        fps = finite_number(row[at["FPS"]], path, record, "FPS", 1e-3, MAX_FPS)
        length = finite_number(row[at["Total length"]], path, record, "Total length", 0.0, MAX_SECONDS) if "Total length" in at else 0.0
        index = row[at["Image index"]].strip() if "Image index" in at else ""
        frame = whole_number(index, path, record, "Image index") if index and index != "NA" else int(round(time * fps))
        media = row[at["Media file path"]]
        video = dataset.video_for_path(_media(media, path.parent), frame_count=int(round(length * fps)), fps=fps)
        comment = row[at["Comment"]] if "Comment" in at else ""
        coder.code(video, frame, row[at["Subject"]], row[at["Behavior"]], row[at["Status"]], record, comment)
    coder.finish()
    return dataset


def _read_aggregated(path: Path, rows: list[list[str]]) -> Dataset:
    """BORIS's aggregated export: one row per bout with `Start (s)` and `Stop (s)`."""
    header = [h.strip() for h in rows[0]]
    missing = [c for c in ("Media file", "FPS", "Subject", "Behavior", "Behavior type", "Start (s)", "Stop (s)") if c not in header]
    if missing:
        raise MalformedFileError(path, f"missing columns {missing}", "line 1")
    at = {name: header.index(name) for name in header}
    dataset = Dataset(source=path)
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        record = f"line {n}"
        if len(row) < len(header):
            raise MalformedFileError(path, f"{len(row)} cells, the header has {len(header)}", record)
        fps = finite_number(row[at["FPS"]], path, record, "FPS", 1e-3, MAX_FPS)
        begin = finite_number(row[at["Start (s)"]], path, record, "Start (s)", 0.0, MAX_SECONDS)
        end = finite_number(row[at["Stop (s)"]], path, record, "Stop (s)", 0.0, MAX_SECONDS)
        length = finite_number(row[at["Total length"]], path, record, "Total length", 0.0, MAX_SECONDS) if "Total length" in at else 0.0
        kind = "point" if row[at["Behavior type"]].upper() == "POINT" else "state"
        behaviour = dataset.behaviour(row[at["Behavior"]], None, kind)
        video = dataset.video_for_path(_media(row[at["Media file"]], path.parent), frame_count=int(round(length * fps)), fps=fps)
        subject = row[at["Subject"]]
        subject_id = None if subject in NO_SUBJECT else dataset.track(subject)
        first = int(round(begin * fps))
        dataset.events.append(BehaviourEvent(video, behaviour, first, max(int(round(end * fps)), first), subject_id))
    return dataset


def write_boris(dataset: Dataset, out: str | Path) -> list[Path]:
    """A `.boris` project (one observation per video), or a tabular export when `out` ends in
    `.csv`/`.tsv`; a folder gets `events.boris`."""
    out = Path(out)
    if out.suffix.lower() not in (".boris", ".csv", ".tsv"):
        out = out / "events.boris"
    out.parent.mkdir(parents=True, exist_ok=True)
    behaviours, tracks, videos = dataset.by_id("behaviours"), dataset.by_id("tracks"), dataset.by_id("videos")
    codings = _codings(dataset, behaviours, tracks, videos)
    if out.suffix.lower() in (".csv", ".tsv"):
        with open(out, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, delimiter="\t" if out.suffix.lower() == ".tsv" else ",")
            writer.writerow(TABLE_COLUMNS)
            for video_id, time, frame, subject, code, status in codings:
                video = videos[video_id]
                writer.writerow([f"{time:.3f}", frame, video.path, f"{video.frame_count / (video.fps or 1):.3f}", video.fps,
                                 subject, code, "", "", status])  # fmt: skip
        return [out]
    observations = {}
    for video_id in sorted({c[0] for c in codings}):
        video = videos[video_id]
        observations[video.display_name] = {
            "file": {"1": [video.path], **{str(n): [] for n in range(2, 9)}}, "type": "MEDIA",
            "date": datetime.datetime.now().isoformat(timespec="seconds"), "description": "", "time offset": 0.0,
            "events": [[t, s, c, "", "", f] for v, t, f, s, c, _ in codings if v == video_id],
            "media_info": {"length": {video.path: video.frame_count / (video.fps or 1)}, "fps": {video.path: video.fps},
                           "hasVideo": {video.path: True}, "hasAudio": {video.path: False}, "offset": {"1": 0.0}},
            "independent_variables": {}, "visualize_spectrogram": False, "close_behaviors_between_videos": False,
        }  # fmt: skip
    document = {
        "time_format": "s", "project_name": "ethoframe", "project_date": datetime.datetime.now().isoformat(timespec="seconds"),
        "project_format_version": "7.0", "project_description": "exported by Ethoframe",
        "subjects_conf": {str(n): {"key": "", "name": t.name, "description": ""} for n, t in enumerate(dataset.tracks)},
        "behaviors_conf": {str(n): {"type": "Point event" if b.kind == "point" else "State event", "key": b.key or "",
                                    "code": b.name, "description": "", "color": b.color, "category": "", "modifiers": {},
                                    "excluded": "", "coding map": ""} for n, b in enumerate(dataset.behaviours)},
        "behavioral_categories": [], "coding_map": {}, "independent_variables": {}, "converters": {},
        "observations": observations,
    }  # fmt: skip
    out.write_text(finite_json(document, out, indent=1), encoding="utf-8")
    return [out]


def _codings(dataset: Dataset, behaviours, tracks, videos) -> list[tuple]:
    """(video id, time, frame, subject, code, status) of every START/STOP/POINT, in time order."""
    codings = []
    for event in dataset.events:
        fps = videos[event.video_id].fps or 30.0
        subject = tracks[event.subject_id].name if event.subject_id in tracks else ""
        code = behaviours[event.behaviour_id].name
        if behaviours[event.behaviour_id].kind == "point":
            codings.append((event.video_id, event.start_frame / fps, event.start_frame, subject, code, "POINT"))
            continue
        codings.append((event.video_id, event.start_frame / fps, event.start_frame, subject, code, "START"))
        if event.end_frame is not None:
            codings.append((event.video_id, event.end_frame / fps, event.end_frame, subject, code, "STOP"))
    return sorted(codings, key=lambda c: (c[0], c[1]))  # stable: an event's START stays before its STOP
