"""The models panel's headline for a pose model: what a user can judge first."""

from __future__ import annotations

from core.domain import ModelRecord
from core.ml.preview_samples import model_summaries
from gui.training.models_panel import metrics_text


def test_a_pose_model_leads_with_what_it_found_not_a_median_over_found_nodes(project):
    metrics = {"val_median_px_error": 0.945, "val_pck_10px": 0.18, "val_instances_found": 0.81, "val_oks_map": 0.1}
    project.models.add(ModelRecord("pose 1", "pose", "models/pose-001", metrics=metrics))
    (summary,) = model_summaries(project)
    assert list(summary.metrics) == ["val_instances_found", "val_pck_10px", "val_oks_map"]
    assert metrics_text(summary.metrics) == "animals found 81% · nodes within 10 px 18% · OKS mAP 0.1"
