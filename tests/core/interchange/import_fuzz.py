"""The import fuzzer of issue 16: mutated copies of real files of each format (SLEAP's, DeepLabCut's
and BORIS's own files under ../shared/data, and the files our exporters write), imported into a
project that already holds labels. Each case must end in one of two ways:

- imported: what is stored is valid (finite numbers, boxes and keypoints on their frame, masks
  of the frame's size, score arrays as long as their keypoints, events that end after they start);
- refused with an `InterchangeError` of one line, the project exactly as it was (counts, every
  instance's content and every event).

Anything else is a failure: another exception (a traceback for the user), a hang (past the time
bound) or a refused import that changed the project. `tests/core/interchange/test_import_fuzz.py`
runs a fixed seed in CI; `bench/bench_import_fuzz.py --iterations N` runs more.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import random
import shutil
import signal
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from core.interchange import InterchangeError, export, import_file
from core.project import Project

from interchange_helpers import events_snapshot, fill, snapshot

NET = "holds something Ethoframe cannot read"  # the reader's safety net: refused, but no reader check named the place
WEIRD = [math.nan, math.inf, -math.inf, 1e300, -1e300, 10**30, 2**63, -1, 0, 0.5, "", "x", "nan", [], {}, None, True,
         [1, 2], {"a": 1}, [[0, 0]], "DEEP"]  # fmt: skip
CELLS = ["nan", "+nan", "-nan", "inf", "-inf", "1e300", "-1e300", "-1", "0", "", "abc", "1e-300", "99999999999999999999", "[1]", "NA"]


@dataclass
class Seed:
    """A pristine folder, the file or folder inside it to import, and the files a case may damage.
    `linked`: only damaged files are copied per case, the rest linked (big real folders)."""

    name: str
    folder: Path
    target: str
    mutable: list[str]
    format: str | None = None
    linked: bool = False


@dataclass
class Outcome:
    kind: str  # imported, refused, net, crash, hang, changed, invalid
    seed: str
    mutation: str
    detail: str = ""


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def counts(self) -> Counter:
        return Counter(o.kind for o in self.outcomes)

    def by_seed(self) -> dict[str, Counter]:
        found: dict[str, Counter] = {}
        for o in self.outcomes:
            found.setdefault(o.seed, Counter())[o.kind] += 1
        return found

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind in ("crash", "hang", "changed", "invalid")]


# --- seeds -----------------------------------------------------------------------------------------


def build_seeds(work: Path, shared: Path | None, real_slp: bool = True) -> tuple[list[Seed], Path]:
    """The seeds, and a template project (labels already in it) every case imports into."""
    template = work / "template"
    with Project.create(template) as project:
        fill(project, work / "frames")
        seeds = []
        for name, format, out, target in (
            ("coco", "coco", "coco", "annotations.json"),
            ("yolo-pose", "yolo", "yolo-pose", "."),
            ("dlc", "dlc", "dlc", "."),
            ("slp", "slp", "slp/labels.slp", "labels.slp"),
            ("boris", "boris", "boris/events.boris", "events.boris"),
            ("boris-table", "boris", "boris-table/events.csv", "events.csv"),
        ):
            export(project, work / "seeds" / out, format)
            folder = work / "seeds" / name
            seeds.append(Seed(name, folder, target, _files(folder, (".json", ".yaml", ".csv", ".txt", ".slp", ".boris")), format))
    segment = work / "segment"
    with Project.create(segment) as project:
        fill(project, work / "frames-seg", {"box", "poly", "mask"})
        export(project, work / "seeds" / "yolo-seg", "yolo")
    seeds.append(Seed("yolo-seg", work / "seeds" / "yolo-seg", ".", _files(work / "seeds" / "yolo-seg", (".yaml", ".txt")), "yolo"))
    if shared is not None and shared.is_dir():
        boris = shared / "boris"
        for file in sorted(boris.iterdir()):
            seeds.append(Seed(f"real-{file.name}", boris, file.name, [file.name], "boris", linked=True))
        mouse = shared / "lightning-pose" / "mirror-mouse-example"
        seeds.append(Seed("real-dlc-mirror-mouse", mouse, "CollectedData.csv", ["CollectedData.csv"], "dlc", linked=True))
        if real_slp:
            sleap = shared / "sleap"
            seeds.append(Seed("real-dance.slp", sleap, "dance.mp4.labels.slp", ["dance.mp4.labels.slp"], "slp", linked=True))
            seeds.append(Seed("real-clip.slp", sleap, "clip.slp", ["clip.slp"], "slp", linked=True))
    return seeds, template


def _files(folder: Path, suffixes: tuple[str, ...]) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p.suffix in suffixes)


def _case_folder(seed: Seed, case: Path, chosen: str) -> None:
    if not seed.linked:
        shutil.copytree(seed.folder, case)
        return
    case.mkdir(parents=True)
    for entry in seed.folder.iterdir():
        if entry.name == chosen:
            shutil.copyfile(entry, case / entry.name)
        else:
            (case / entry.name).symlink_to(entry)


# --- mutations -------------------------------------------------------------------------------------


def mutate(path: Path, rng: random.Random) -> str:
    """Damage `path` in place; returns what was done, to reproduce a failure."""
    suffix = path.suffix.lower()
    roll = rng.random()
    if suffix in (".slp", ".h5") or roll < 0.25:
        return _bytes(path, rng, binary=suffix in (".slp", ".h5"))
    try:
        return _structured(path, rng, suffix, roll)
    except (ValueError, yaml.YAMLError, RecursionError):  # damaged already by an earlier mutation of the case
        return _bytes(path, rng, binary=False)


def _structured(path: Path, rng: random.Random, suffix: str, roll: float) -> str:
    if suffix in (".json", ".boris"):
        return _tree(path, rng, "json")
    if suffix in (".yaml", ".yml"):
        return _tree(path, rng, "yaml") if roll < 0.9 else _bomb(path, rng)
    if suffix in (".csv", ".tsv"):
        return _table(path, rng)
    return _words(path, rng)


def _bytes(path: Path, rng: random.Random, binary: bool) -> str:
    data = bytearray(path.read_bytes())
    choice = rng.choice(["truncate", "flip", "flip", "zero"] if binary else ["truncate", "flip", "insert"])
    if choice == "truncate":
        at = rng.randrange(len(data) + 1)
        path.write_bytes(bytes(data[:at]))
        return f"truncate at {at} of {len(data)}"
    if choice == "zero":
        start = rng.randrange(len(data))
        length = min(int(rng.expovariate(1 / 2000)) + 1, len(data) - start)
        data[start : start + length] = bytes(length)
        path.write_bytes(bytes(data))
        return f"zero {length} bytes at {start}"
    if choice == "insert":
        at = rng.randrange(len(data) + 1)
        junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        path.write_bytes(bytes(data[:at]) + junk + bytes(data[at:]))
        return f"insert {junk!r} at {at}"
    count = min(int(rng.expovariate(1 / (500 if binary else 3))) + 1, 5000)
    for _ in range(count):
        at = rng.randrange(len(data))
        data[at] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(data))
    return f"flip {count} bits"


def _places(tree, here=()):
    """Every (path, value) in a JSON/YAML tree."""
    yield here, tree
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _places(value, here + (key,))
    elif isinstance(tree, list):
        for n, value in enumerate(tree):
            yield from _places(value, here + (n,))


def _tree(path: Path, rng: random.Random, kind: str) -> str:
    text = path.read_text(encoding="utf-8")
    if kind == "yaml" and "&" in text and "*" in text:  # an earlier alias bomb: expanding it here would eat the memory
        raise ValueError("aliases")
    tree = json.loads(text) if kind == "json" else yaml.safe_load(text)
    places = [p for p, _ in _places(tree) if p]
    if not places:
        return _bytes(path, rng, binary=False)
    where = rng.choice(places)
    parent = tree
    for key in where[:-1]:
        parent = parent[key]
    key = where[-1]
    action = rng.choice(["weird", "weird", "weird", "delete", "collide", "stringify", "duplicate"])
    if action == "delete":
        del parent[key]
    elif action == "collide" and isinstance(parent, list) and len(parent) > 1 and all(isinstance(x, dict) and "id" in x for x in parent):
        parent[key]["id"] = parent[(key + 1) % len(parent)]["id"]
    elif action == "stringify":
        parent[key] = str(parent[key])
    elif action == "duplicate" and isinstance(parent, list):
        parent.insert(key, parent[key])
    else:
        action = "weird"
        value = rng.choice(WEIRD)
        parent[key] = value
    deep = "[" * 100_000 + "]" * 100_000 if kind == "json" else "[" * 3000 + "]" * 3000
    if kind == "json":
        out = json.dumps(tree).replace('"DEEP"', deep)
    else:
        out = yaml.safe_dump(tree, sort_keys=False).replace("DEEP", deep)
    path.write_text(out, encoding="utf-8")
    return f"{action} at {'/'.join(map(str, where))}" + (f" -> {_short(parent[key])}" if action == "weird" and key in _keys(parent) else "")


def _keys(container):
    return range(len(container)) if isinstance(container, list) else container.keys()


def _bomb(path: Path, rng: random.Random) -> str:
    text = path.read_text(encoding="utf-8")
    if "&" in text and "*" in text:
        raise ValueError("aliases")
    tree = yaml.safe_load(text) or {}
    key = rng.choice(list(tree) or ["names"])
    tree.pop(key, None)
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 9):
        lines.append(f"{chr(97 + n)}: &{chr(97 + n)} [" + ",".join([f"*{chr(96 + n)}"] * 9) + "]")
    path.write_text("\n".join(lines) + f"\n{key}: *i\n" + yaml.safe_dump(tree, sort_keys=False), encoding="utf-8")
    return f"alias bomb in {key}"


def _table(path: Path, rng: random.Random) -> str:
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8")), delimiter=delimiter))
    rows = [r for r in rows if r] or [[""]]
    r = rng.randrange(len(rows))
    action = rng.choice(["cell", "cell", "cell", "duplicate row", "drop cell", "swap rows"])
    if action == "duplicate row":
        rows.insert(r, list(rows[r]))
    elif action == "drop cell" and rows[r]:
        del rows[r][rng.randrange(len(rows[r]))]
    elif action == "swap rows":
        s = rng.randrange(len(rows))
        rows[r], rows[s] = rows[s], rows[r]
    else:
        action = "cell"
        c = rng.randrange(max(len(rows[r]), 1))
        value = rng.choice(CELLS)
        if c < len(rows[r]):
            rows[r][c] = value
        else:
            rows[r].append(value)
        action = f"cell {r + 1},{c + 1} -> {value!r}"
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return f"{action} (row {r + 1})" if not action.startswith("cell") else action


def _words(path: Path, rng: random.Random) -> str:
    lines = path.read_text(encoding="utf-8").splitlines() or ["0"]
    n = rng.randrange(len(lines))
    words = lines[n].split() or ["0"]
    action = rng.choice(["word", "word", "drop", "duplicate line"])
    if action == "drop":
        del words[rng.randrange(len(words))]
    elif action == "duplicate line":
        lines.insert(n, lines[n])
    else:
        w = rng.randrange(len(words))
        words[w] = rng.choice(CELLS + ["-0.5", "1.5", "3", "0.999999"])
        action = f"word {w} -> {words[w]!r}"
    if action != "duplicate line":
        lines[n] = " ".join(words)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return f"line {n + 1}: {action}"


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 30 else text[:27] + "..."


# --- running a case --------------------------------------------------------------------------------


class _Hang(BaseException):
    pass


def _alarm(signum, frame):
    raise _Hang()


def run_case(seed: Seed, template: Path, work: Path, rng: random.Random, time_limit: float, number: int) -> Outcome:
    chosen = rng.choice(seed.mutable)
    case = work / f"case{number}"
    _case_folder(seed, case / "data", chosen)
    mutations = [mutate(case / "data" / chosen, rng) for _ in range(1 if rng.random() < 0.7 else rng.randint(2, 3))]
    what = f"{chosen}: " + "; ".join(mutations)
    if os.environ.get("ETHOFRAME_FUZZ_VERBOSE"):
        print(f"case {number} [{seed.name}] {what}", flush=True)
    shutil.copytree(template, case / "project")
    try:
        with Project.open(case / "project") as project:
            before = _state(project)
            previous = signal.signal(signal.SIGALRM, _alarm)
            signal.setitimer(signal.ITIMER_REAL, time_limit)
            try:
                import_file(project, case / "data" / seed.target, seed.format)
            except InterchangeError as error:
                signal.setitimer(signal.ITIMER_REAL, 0)
                message = str(error)
                if _state(project) != before:
                    return Outcome("changed", seed.name, what, message)
                if "\n" in message:
                    return Outcome("crash", seed.name, what, f"a refusal of several lines: {message!r}")
                return Outcome("net" if NET in message else "refused", seed.name, what, message)
            except _Hang:
                return Outcome("hang", seed.name, what, f"still importing after {time_limit:g} s")
            except Exception as error:  # noqa: BLE001 - a traceback the user would see is the failure we hunt
                signal.setitimer(signal.ITIMER_REAL, 0)
                return Outcome("crash", seed.name, what, "".join(traceback.format_exception(error))[-3000:])
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
            problem = invalid_rows(project)
            return Outcome("invalid", seed.name, what, problem) if problem else Outcome("imported", seed.name, what)
    finally:
        shutil.rmtree(case, ignore_errors=True)


def _state(project: Project):
    return project.counts().as_dict(), snapshot(project), events_snapshot(project), sorted(str(s) for s in project.suggestions.all())


def invalid_rows(project: Project) -> str:
    """'' when every stored instance and event is valid, else what is wrong with the first bad one."""
    skeletons = {s.id: s for s in project.skeletons.all()}
    for video in project.videos.all():
        width, height = video.width, video.height
        for frame, instances in project.instances.on_frames(video.id, 0, 2**31 - 1).items():
            for i in instances:
                where = f"{video.path} frame {frame}"
                if i.box is not None:
                    b = i.box.normalized()
                    if not all(math.isfinite(v) for v in b.as_tuple()) or b.width <= 0 or b.height <= 0:
                        return f"{where}: box {b}"
                    if width and height and (b.x1 < 0 or b.y1 < 0 or b.x2 > width or b.y2 > height):
                        return f"{where}: box {b} off the {width}x{height} frame"
                if any(not np.isfinite(p).all() for p in i.polygons):
                    return f"{where}: polygon not finite"
                if i.mask is not None and width and (i.mask.width, i.mask.height) != (width, height):
                    return f"{where}: mask {i.mask.width}x{i.mask.height}"
                if i.keypoints is not None:
                    if not np.isfinite(i.keypoints).all() or not np.isin(i.keypoints[:, 2], (0, 1, 2)).all():
                        return f"{where}: keypoints {i.keypoints.tolist()}"
                    if len(i.keypoints) != len(skeletons[i.skeleton_id].nodes):
                        return f"{where}: {len(i.keypoints)} keypoints on a skeleton of {len(skeletons[i.skeleton_id].nodes)}"
                if i.keypoint_scores is not None and (i.keypoints is None or len(i.keypoint_scores) != len(i.keypoints)
                                                      or not np.isfinite(i.keypoint_scores).all()):  # fmt: skip
                    return f"{where}: keypoint scores {i.keypoint_scores}"
                if i.score is not None and not math.isfinite(i.score):
                    return f"{where}: score {i.score}"
        for e in project.events.in_video(video.id):
            if e.start_frame < 0 or (e.end_frame is not None and e.end_frame < e.start_frame):
                return f"{video.path}: event {e.start_frame}-{e.end_frame}"
    return ""


def run(iterations: dict[str, int] | int, seed: int, work: Path, shared: Path | None, time_limit: float = 10.0,
        real_slp: bool = True) -> Report:  # fmt: skip
    """`iterations` cases per seed (or per seed name), from random seed `seed`."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    seeds, template = build_seeds(work / "setup", shared, real_slp)
    report = Report()
    rng = random.Random(seed)
    number = 0
    for s in seeds:
        count = iterations if isinstance(iterations, int) else iterations.get(s.name, iterations.get("*", 0))
        for _ in range(count):
            number += 1
            report.outcomes.append(run_case(s, template, work, rng, time_limit, number))
    return report


def describe(report: Report, seconds: float) -> str:
    lines = [f"{len(report.outcomes)} cases in {seconds:.1f} s: " + ", ".join(f"{v} {k}" for k, v in sorted(report.counts().items()))]
    for name, counts in report.by_seed().items():
        lines.append(f"  {name:48s} " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    for failure in report.failures()[:20]:
        lines.append(f"FAILURE {failure.kind} [{failure.seed}] {failure.mutation}\n{failure.detail}")
    return "\n".join(lines)


if __name__ == "__main__":  # a quick look: python tests/core/interchange/import_fuzz.py
    import tempfile

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        result = run(5, 0, Path(tmp), Path(__file__).parents[3] / ".." / "shared" / "data")
    print(describe(result, time.perf_counter() - started))
