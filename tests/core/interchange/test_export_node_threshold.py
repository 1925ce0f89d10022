"""Exported predictions leave out the nodes under their model's node threshold (written as
missing, as each format writes an unlabelled node), while the project keeps every node."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from core.domain import Instance, ModelRecord
from core.interchange import export, read_file

from interchange_helpers import fill, keypoints


def with_model_prediction(project, tmp_path):
    fill(project, tmp_path / "frames", kinds={"pose"})
    model = project.models.add(ModelRecord("pose 1", "pose", "models/pose-001", {"node_threshold": 0.6}))
    (video,) = project.videos.all()
    skeleton = project.skeletons.find("mouse")
    prediction = project.instances.add(
        Instance(video.id, 3, skeleton_id=skeleton.id, keypoints=keypoints([30, 20, 2], [33, 18, 2], [27, 18, 2]),
                 keypoint_scores=np.array([0.9, 0.8, 0.5], np.float32), source="predicted", score=0.73, model_id=model.id)
    )  # fmt: skip
    return model, prediction


def test_csv_and_coco_write_weak_nodes_as_missing(tmp_path, new_project):
    project = new_project("p")
    model, prediction = with_model_prediction(project, tmp_path)
    export(project, tmp_path / "csv", "csv", what="predictions")
    rows = list(csv.DictReader(open(tmp_path / "csv" / "trajectories.csv")))
    assert [r["node"] for r in rows] == ["snout", "ear_l"]  # ear_r scored 0.5 < 0.6
    export(project, tmp_path / "coco", "coco")
    (path,) = (tmp_path / "coco").rglob("*.json")
    annotations = json.loads(path.read_text())["annotations"]
    (predicted,) = [a for a in annotations if a.get("source") == "predicted"]
    assert predicted["keypoints"][6:] == [0, 0, 0] and predicted["num_keypoints"] == 2
    assert predicted["keypoint_scores"] == pytest.approx([0.9, 0.8, 0.5])  # scores kept
    users = [a for a in annotations if a.get("source") == "user"]
    assert sorted(a["num_keypoints"] for a in users) == [2, 3]  # labels as they are
    assert project.instances.get(prediction.id).keypoints[:, 2].tolist() == [2, 2, 2]  # the project keeps all


def test_a_lower_threshold_exports_more_nodes_without_running_the_model(tmp_path, new_project):
    project = new_project("p")
    model, _ = with_model_prediction(project, tmp_path)
    project.models.set_node_threshold(model.id, 0.1)
    export(project, tmp_path / "out.slp", "slp", what="predictions")
    (instance,) = read_file(tmp_path / "out.slp").instances
    assert instance.is_predicted and instance.keypoints[:, 2].tolist() == [2, 2, 2]
    project.models.set_node_threshold(model.id, 0.85)
    export(project, tmp_path / "out2.slp", "slp", what="predictions")
    (instance,) = read_file(tmp_path / "out2.slp").instances
    assert instance.keypoints[:, 2].tolist() == [2, 0, 0]
