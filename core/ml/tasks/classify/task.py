"""The frame classification task ("classify"): behaviours coded for the whole frame (events with
no subject, "No subject" in the ethogram panel), learnt from the pixels alone, with no poses or
tracks: DeepEthogram's setting. It is the behaviour task's machinery (`core.ml.tasks.behaviour`:
the same features, temporal head, trainer adapter, predictor, jobs and evaluation) with the
whole-frame settings forced: `video=True` (per-frame CNN embeddings of the frame and motion
energy), `pose=False`, and `subjects="frame"` (only events with no subject train it).

A classify model's checkpoints and record say task "classify"; its predictions are events with
no subject and its model id, and they replace only earlier classify models' predicted events,
so a per-animal behaviour model's events on the same video stay (ADR 0006).
"""

from __future__ import annotations

from typing import Any

from core.ml.tasks.behaviour.task import BehaviourTask

# Forced on every classify model; giving another value is refused rather than ignored.
FORCED = {"video": True, "pose": False, "subjects": "frame"}


def _same(given: Any, forced: Any) -> bool:
    if isinstance(forced, bool) and isinstance(given, str):
        return given.lower() in (("true", "1", "yes") if forced else ("false", "0", "no"))
    return given == forced


class ClassifyTask(BehaviourTask):
    name = "classify"
    display_name = "Frame classification (whole frame, from pixels)"
    replaces_unattributed = False  # unattributed predicted events are the behaviour task's (older ones)

    def options(self, options=None):
        return super().options(self._forced(options))

    @staticmethod
    def _forced(options: dict[str, Any] | None) -> dict[str, Any]:
        options = dict(options or {})
        for key, value in FORCED.items():
            if key in options and not _same(options[key], value):
                raise ValueError(f"frame classification always uses {key}={str(value).lower()} (it learns whole-frame "
                                 f"events from the video itself); for other inputs train the behaviour task")  # fmt: skip
        return {**options, **FORCED}

    def availability(self, project) -> str | None:
        coded = {e.behaviour_id for v in project.videos.all() for e in project.events.in_video(v.id, source="user")
                 if e.subject_id is None}  # fmt: skip
        if len(coded) >= 2:
            return None
        have = "none are" if not coded else "only one behaviour is"
        return (f"frame classification needs events of at least two behaviours coded for the whole frame (no subject), "
                f"and {have}: choose 'No subject' in the ethogram panel and code a few bouts of each")  # fmt: skip

    def build_adapter(self, project, options=None):
        from core.ml.tasks.behaviour import build_adapter

        return build_adapter(project, self._forced(options), task=self.name)

    def _checked_options(self, options=None) -> dict[str, Any] | None:
        return dict(FORCED)  # only the whole-frame events (the rest of the options do not change the labels' check)

    def describe_video(self, summary) -> str:
        return f"{summary.events} predicted whole-frame events ({summary.seconds:.1f} s)"


CLASSIFY = ClassifyTask()
