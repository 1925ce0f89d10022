"""Tracking quality on real SLEAP data (issue 8's closing-note figures), one command:

    python bench/bench_tracking.py

1. clip.slp (two flies, identities labelled on all 1500 frames): import into a temporary
   project, keep the true tracks aside, clear the tracks, run `track_video` on the user labels,
   and score identity switches and the fraction of frames with the correct identity. Baseline in
   the same run: nearest-centre Hungarian matching (no motion, no gate, no memory). Stress
   variants (every 4th frame only; 15% of instances dropped at random, as occlusions) show what
   motion prediction and the memory of lost tracks buy.
2. centered_pair_predictions.slp (SLEAP predictions in 27 fragments, no identity ground truth):
   run `track_video(max_animals=2)`, count tracks and suspects, and score identities against a
   size proxy (a female fly is larger: per frame, the longer head-abdomen is "female"), and
   against SLEAP's own two long tracks. Estimates the user actions to fix what remains.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.interchange.slp import import_slp
from core.project import Project
from core.tracking import (
    TrackerOptions,
    detection_from_instance,
    find_suspects,
    identity_metrics,
    track_in_memory,
    track_video,
    typical_size,
)  # fmt: skip

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "sleap"
BASELINE = TrackerOptions(motion=False, iou_weight=0.0, gate=1e9, max_gate=1e9, memory=10**9, weak_fraction=0.0)


def _all(project: Project, video_id: int, source: str | None = None) -> dict:
    return project.instances.on_frames(video_id, 0, 10**9, source)


def _score(truth_of: dict[int, int], by_frame: dict, tracked_of: dict[int, int | None], max_distance: float = np.inf):
    truth = {f: [(truth_of.get(i.id), detection_from_instance(i)) for i in xs] for f, xs in by_frame.items()}
    tracked = {f: [(tracked_of.get(i.id), detection_from_instance(i)) for i in xs] for f, xs in by_frame.items()}
    return identity_metrics(truth, tracked, max_distance)


def _line(name: str, m, seconds: float | None = None, extra: str = "") -> str:
    timing = f", {seconds:.2f} s" if seconds is not None else ""
    return (f"  {name:<44} {m.id_switches:>3} ID switches | correct identity: {100 * m.fraction_frames_correct:6.2f}% "
            f"of frames, {100 * m.fraction_instances_correct:6.2f}% of instances{timing}{extra}")  # fmt: skip


def fix_actions(m) -> int:
    """Swap-from-here commands that fix every switch: each change of the frame's
    tracked->true permutation needs one (for two animals, one switch event = one command)."""
    return len({frame for frame, *_ in m.switches})


def clip_bench(folder: Path) -> None:
    print("clip.slp: two flies, 1500 frames, user-labelled identities (tracker run on the labels, identities cleared)")
    with Project.create(folder / "clip") as project:
        import_slp(project, DATA / "clip.slp")
        video = project.videos.all()[0]
        by_frame = _all(project, video.id, "user")
        truth_of = {i.id: i.track_id for xs in by_frame.values() for i in xs}
        project.instances.set_track(list(truth_of), None)

        for max_animals in (None, 2):
            started = time.perf_counter()
            summary = track_video(project, video.id, "user", max_animals=max_animals)
            seconds = time.perf_counter() - started
            tracked_of = {i.id: i.track_id for xs in _all(project, video.id, "user").values() for i in xs}
            m = _score(truth_of, by_frame, tracked_of)
            print(_line(f"track_video(source='user', max_animals={max_animals})", m, seconds,
                        f"; {len(summary.track_ids)} tracks"))  # fmt: skip
            if m.switches:
                print(f"    switches at frames {[s[0] for s in m.switches]}")
        suspects = find_suspects(project, video.id, "user")
        print(f"  suspects on the result: {len(suspects)} {dict(Counter(s.kind for s in suspects))}")

        t = time.perf_counter()
        m = _score(truth_of, by_frame, track_in_memory(by_frame, BASELINE))
        print(_line("baseline: nearest centre, Hungarian only", m, time.perf_counter() - t))

        print("  stress variants (in memory, same scoring): sparse frames, and occlusions (one fly removed for a stretch)")
        variants = {
            "every 40th frame": {f: xs for f, xs in by_frame.items() if f % 40 == 0},
            "20 occlusions of 5-30 frames": _occluded(by_frame, 20, 5, 30),
            "40 occlusions of 10-60 frames": _occluded(by_frame, 40, 10, 60),
        }
        for name, frames in variants.items():
            for label, options in (
                ("tracker, max_animals=2", TrackerOptions(max_animals=2)),
                ("tracker, no max_animals", TrackerOptions()),
                ("tracker, memory 30", TrackerOptions(memory=30)),
                ("baseline", BASELINE),
            ):
                numbers = track_in_memory(frames, options)
                m = _score(truth_of, frames, numbers)
                print(_line(f"{name}: {label}", m, extra=f"; {len(set(numbers.values()))} tracks"))


def _occluded(by_frame: dict, gaps: int, shortest: int, longest: int, seed: int = 0) -> dict:
    """`by_frame` with one animal removed for `gaps` random stretches of frames."""
    rng = random.Random(seed)
    out = {f: list(xs) for f, xs in by_frame.items()}
    tracks = sorted({i.track_id for xs in by_frame.values() for i in xs if i.track_id is not None})
    last = max(by_frame)
    for _ in range(gaps):
        start, length, who = rng.randrange(last + 1), rng.randint(shortest, longest), rng.choice(tracks)
        for f in range(start, min(last + 1, start + length)):
            out[f] = [i for i in out.get(f, []) if i.track_id != who]
    return {f: xs for f, xs in out.items() if xs}


def _body_length(instance, head: int, abdomen: int) -> float:
    k = instance.keypoints
    if k is None or k[head, 2] <= 0 or k[abdomen, 2] <= 0:
        return float("nan")
    return float(np.linalg.norm(k[head, :2] - k[abdomen, :2]))


def pair_bench(folder: Path) -> None:
    print("centered_pair_predictions.slp: two flies, 1100 frames, 2274 predicted instances in 27 SLEAP track fragments")
    with Project.create(folder / "pair") as project:
        import_slp(project, DATA / "centered_pair_predictions.slp")
        video = project.videos.all()[0]
        by_frame = _all(project, video.id, "predicted")
        sleap_of = {i.id: i.track_id for xs in by_frame.values() for i in xs}
        started = time.perf_counter()
        summary = track_video(project, video.id, "predicted", max_animals=2)
        seconds = time.perf_counter() - started
        for track_id in summary.emptied_track_ids:
            project.tracks.delete(track_id)
        after = _all(project, video.id, "predicted")
        tracked_of = {i.id: i.track_id for xs in after.values() for i in xs}
        print(f"  track_video(max_animals=2): {len(summary.track_ids)} tracks, {summary.instances_tracked}/"
              f"{summary.instances} instances tracked ({summary.instances_untracked} extra detections left "
              f"without a track), {seconds:.2f} s; tracks in the project now: {len(project.tracks.all())}")  # fmt: skip
        suspects = find_suspects(project, video.id, "predicted")
        kinds = dict(Counter(s.kind for s in suspects))
        print(f"  suspects: {len(suspects)} {kinds} at frames {[s.frame for s in suspects]}")

        # a proxy ground truth: of the two most confident instances of a frame, the one with the
        # longer head-abdomen is the female (fruit fly females are clearly larger)
        nodes = project.skeletons.get(after[0][0].skeleton_id).nodes
        head, abdomen = nodes.index("head"), nodes.index("abdomen")
        proxy: dict[int, int] = {}
        for xs in after.values():
            best = sorted(xs, key=lambda i: -(i.score or 0))[:2]
            lengths = [_body_length(i, head, abdomen) for i in best]
            if len(best) == 2 and np.isfinite(lengths).all() and abs(lengths[0] - lengths[1]) > 0.05 * max(lengths):
                big = int(np.argmax(lengths))
                proxy[best[big].id], proxy[best[1 - big].id] = 1, 2
        frames = {f: xs for f, xs in after.items() if any(i.id in proxy for i in xs)}
        scale = typical_size([detection_from_instance(i) for xs in after.values() for i in xs])
        m = _score(proxy, frames, tracked_of, 0.5 * scale)
        print(_line(f"vs size proxy ({len(frames)} frames where sizes differ >5%)", m))
        sleap_main = {i: t for i, t in sleap_of.items() if t in (1, 2)}
        print(_line("SLEAP's own two long tracks vs size proxy", _score(proxy, frames, sleap_main, 0.5 * scale)))
        print("  variants in memory, vs the size proxy:")
        for label, options in (
            ("tracker, no max_animals", TrackerOptions()),
            ("tracker without motion, max_animals=2", TrackerOptions(max_animals=2, motion=False)),
            ("baseline (nearest centre), max_animals=2", TrackerOptions(**{**BASELINE.__dict__, "max_animals": 2})),
            ("baseline (nearest centre), no max_animals", BASELINE),
        ):
            numbers = track_in_memory(by_frame, options)
            variant = _score(proxy, frames, numbers, 0.5 * scale)
            print(_line(label, variant, extra=f"; {len(set(numbers.values()))} tracks"))
        print(f"  user actions to fix: {fix_actions(m)} swap-from-here command(s) for the switches the size proxy "
              f"sees, after reviewing {len(suspects)} suspects with 'next suspect' ({len(suspects)} key presses); "
              f"merging the 27 fragments into {len(summary.track_ids)} tracks needed no action")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    if not DATA.is_dir():
        print(f"the SLEAP data is not at {DATA.resolve()}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        clip_bench(Path(tmp))
        print()
        pair_bench(Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
