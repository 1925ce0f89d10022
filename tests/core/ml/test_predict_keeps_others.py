"""`predict` replaces only what the same model predicted before on the frames it runs over:
imported predictions and other models' stay, and it says how many it kept. A frame that
cannot be decoded is skipped and counted, and the run (and a `--resume`) goes on past it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from core.cli.main import main
from core.domain import Box, Instance, LabelClass
from core.interchange import export, import_file
from core.ml.jobs.predict_job import predict_video
from core.ml.jobs.train_job import train
from core.ml.trainer import TrainConfig
from core.video import pyav_reader

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def trained(project, labelled, toy_task):
    return labelled, train(project, "toy", {}, TrainConfig(epochs=1))


def _imported_predictions(project, video, tmp_path) -> set[int]:
    """8 predictions on frames 0-7 that came in from a COCO results file."""
    rat = project.label_classes.add(LabelClass("rat"))  # COCO annotations need a category
    made = project.instances.add_many(
        Instance(video.id, f, box=Box(30, 20, 40, 30), class_id=rat.id, source="predicted", score=0.7) for f in range(8)
    )
    assert made == 8
    export(project, tmp_path / "results.json", "coco", what="predictions")
    project.instances.delete_predictions(video.id)
    import_file(project, tmp_path / "results.json")
    by_frame = project.instances.on_frames(video.id, 0, 8, source="predicted")
    return {i.id for instances in by_frame.values() for i in instances}


def test_predict_keeps_the_8_imported_predictions_and_says_so(project, trained, tmp_path, capsys):
    video, model = trained
    imported = _imported_predictions(project, video, tmp_path)
    assert len(imported) == 8
    assert main(["predict", str(project.folder), "--frames", "0:8"]) == 0
    out = capsys.readouterr().out
    by_frame = project.instances.on_frames(video.id, 0, 8, source="predicted")
    ids = {i.id for instances in by_frame.values() for i in instances}
    assert imported <= ids  # the 8 stay (as themselves: their ids are not handed to the model's)
    assert len([i for instances in by_frame.values() for i in instances if i.model_id is None]) == 8
    mine = [i for instances in by_frame.values() for i in instances if i.model_id == model.id]
    assert len(mine) == 8  # the toy model predicts one box per frame
    assert "kept 8 predictions from imports or other models on those frames (8 from coco:results.json)" in out
    assert {i.origin for instances in by_frame.values() for i in instances if i.model_id is None} == {"coco:results.json"}
    # a second run replaces its own 8, and still keeps the imported 8
    again = predict_video(project, video.id, model.id, frames=list(range(8)))
    assert again.kept == 8 and project.counts().instances_predicted == 16


def test_an_undecodable_frame_is_skipped_counted_and_passed_on_resume(project, trained, monkeypatch):
    video, model = trained
    real_read = pyav_reader.PyAVReader.read

    def read(self, index, *args, **kwargs):
        if index == 5:
            raise pyav_reader.VideoCorruptError(f"frame {index} of {self.path} cannot be decoded", self.path)
        return real_read(self, index, *args, **kwargs)

    monkeypatch.setattr(pyav_reader.PyAVReader, "read", read)
    summary = predict_video(project, video.id, model.id, batch_size=4)
    assert summary.undecodable == [5] and summary.frames == video.frame_count - 1
    assert "skipped 1 frames that could not be decoded (5)" in summary.describe()
    resumed = predict_video(project, video.id, model.id, batch_size=4, resume=True)
    assert resumed.undecodable == [5] and resumed.frames == 0 and not resumed.stopped
