"""The behaviour task as the registry knows it: coded events in, per-frame behaviour
probabilities and predicted events out, for each tracked subject (and for behaviours coded for
the whole frame). It predicts a whole video at once (its features span the video), so it has
its own predict and evaluate jobs (`jobs.py`, `evaluate.py`) instead of the frame ones."""

from __future__ import annotations

import numbers
from typing import Any

from core.ml.tasks.task import ModelTask


class BehaviourTask(ModelTask):
    name = "behaviour"
    display_name = "Behaviour (ethogram)"
    key_metrics = ("val_macro_f1", "val_loss")
    whole_video = True
    recipe = {"config": dict, "behaviours": list, "layout": dict, "n_exclusive": numbers.Integral, "pose_dims": numbers.Integral}
    recipe_nested = {"config": {"backbone": str}, "layout": {"frame_dims": numbers.Integral, "crop_dims": numbers.Integral}}
    # Whether predicting replaces a video's predicted events of no model too (older predictions,
    # from before events named their model, or of a deleted model) besides this task's models'.
    replaces_unattributed = True

    def options(self, options=None):
        from core.ml.tasks.behaviour.config import BehaviourConfig

        return BehaviourConfig.from_options(options)

    def availability(self, project) -> str | None:
        coded = {e.behaviour_id for v in project.videos.all() for e in project.events.in_video(v.id, source="user")}
        if len(coded) >= 2:
            return None
        return "behaviour needs events of at least two behaviours: code a few bouts on the timeline"

    def build_adapter(self, project, options=None):
        from core.ml.tasks.behaviour import build_adapter

        return build_adapter(project, options, task=self.name)

    def load_predictor(self, payload: dict[str, Any], device):
        from core.ml.tasks.behaviour import load_predictor

        return load_predictor(payload, device, task=self.name)

    def preview_text(self, project, options=None) -> str:
        """What the task will learn from the coded events, with any problem in them, in words
        (behaviour models have no image augmentation to show)."""
        from core.ml.tasks.behaviour.jobs import check_behaviour_data

        return behaviour_summary(check_behaviour_data(project, self._checked_options(options)))

    def _checked_options(self, options=None) -> dict[str, Any] | None:
        """The options `preview_text` checks the coded events with (none: the defaults)."""
        return None

    def predict(self, project, model, video_id, *, frames=None, batch_size=8, device="auto", resume=False,
                emit=lambda _e: None, cancel=None):  # fmt: skip
        from core.ml.tasks.behaviour.jobs import predict_behaviour

        if frames is not None:
            raise ValueError(f"a {self.name} model predicts whole videos: leave out --frames")
        return predict_behaviour(project, model.id, video_id, emit, cancel, device=device, task=self.name)

    def describe_video(self, summary) -> str:
        return f"{summary.events} predicted behaviour events for {summary.subjects} subject(s) ({summary.seconds:.1f} s)"

    def evaluate(self, project, model, truth=None, *, n_frames=200, device="auto", batch_size=8, node_threshold=None,
                 emit=lambda _e: None) -> dict[str, Any]:  # fmt: skip
        from core.ml.tasks.behaviour.evaluate import evaluate_behaviour

        if node_threshold is not None:
            raise ValueError(f"a {self.name} model has no node threshold: leave out --node-threshold")
        return evaluate_behaviour(project, model.id, device=device, emit=emit, truth=truth, task=self.name)

    def describe_report(self, report: dict[str, Any], threshold_given: bool = False) -> list[str]:
        where = str(report["evaluated_on"]).replace("_", " ")
        lines = [f"model {report['model_id']} ({report['task']}), on {report['frames']} frames ({where}):",
                 f"  macro F1 frames {report['macro_f1_frame']:.3f}   events {report['macro_f1_event'] or 0:.3f}",
                 f"  {'behaviour':<14}{'precision':>10}{'recall':>8}{'F1':>7}{'event F1':>10}{'frames':>8}"]  # fmt: skip
        for name, s in report["per_behaviour"].items():
            note = "" if s["trained"] else "  (no coded events)"
            lines.append(f"  {name:<14}{s['precision']:>10.3f}{s['recall']:>8.3f}{s['f1']:>7.3f}{s['event_f1']:>10.3f}"
                         f"{s['support']:>8}{note}")  # fmt: skip
        if "confusion" in report:
            labels = report["confusion"]["labels"]
            lines.append("  confusion (rows true, columns predicted):")
            lines.append("  " + " " * 10 + "".join(f"{label[:7]:>8}" for label in labels))
            for label, row in zip(labels, report["confusion"]["matrix"]):
                lines.append(f"  {label[:9]:<10}" + "".join(f"{v:>8}" for v in row))
        return lines


def behaviour_summary(report: dict) -> str:
    """`check_behaviour_data`'s report in words for the Train dialog's preview area."""
    if not report["ok"]:
        return f"Cannot train yet: {report['error']}"
    kind = "mutually exclusive" if report["exclusive"] else "independent (several at once)"
    lines = [f"{report['coded_frames']} coded frames of {', '.join(report['behaviours'])} ({kind}).",
             "Behaviour models learn from whole stretches of video: no image augmentation to preview."]
    lines += [f"Warning: {w}" for w in report["warnings"]]
    return "\n".join(lines)


BEHAVIOUR = BehaviourTask()
