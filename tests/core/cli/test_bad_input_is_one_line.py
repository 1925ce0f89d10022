"""Issue 16 at the command line: a crafted file given to `ethoframe import` and a crafted
checkpoint given to `ethoframe predict` end in one line on stderr and exit status 1, in well
under the time a user would wait (the alias bomb hung `ethoframe import` past 120 s)."""

from __future__ import annotations

import time
from dataclasses import asdict

from core.cli.main import main
from core.domain import ModelRecord
from core.ml.checkpoint import save_checkpoint
from core.ml.tasks.pose.config import PoseConfig
from core.project import Project
from core.workflows.videos import add_videos
from video_files import write_test_video

BOMB = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{chr(97 + n)}: &{chr(97 + n)} [" + ",".join([f"*{chr(96 + n)}"] * 9) + "]" for n in range(1, 9)]
) + "\nnames: *i\ntrain: images\n"


def _one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err, err
    return err


def test_an_alias_bomb_given_to_import_is_one_line_at_once(tmp_path, capsys):
    Project.create(tmp_path / "p").close()
    (tmp_path / "data.yaml").write_text(BOMB)
    started = time.perf_counter()
    assert main(["import", str(tmp_path / "p"), str(tmp_path / "data.yaml")]) == 1
    assert time.perf_counter() - started < 1.0
    assert "alias" in _one_line(capsys)


def test_deep_json_given_to_import_is_one_line(tmp_path, capsys):
    Project.create(tmp_path / "p").close()
    (tmp_path / "deep.json").write_text('{"images": [], "annotations": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert main(["import", str(tmp_path / "p"), str(tmp_path / "deep.json"), "--format", "coco"]) == 1
    assert "nested too deeply" in _one_line(capsys)


def test_a_crafted_checkpoint_given_to_predict_is_one_line(tmp_path, capsys):
    with Project.create(tmp_path / "p") as project:
        add_videos(project, [write_test_video(tmp_path / "clip.mp4", frames=4)])
        config = {**asdict(PoseConfig(mode="topdown", pretrained=False)), "crop_size": 30000}
        save_checkpoint(tmp_path / "p" / "models" / "crafted" / "best.pt",
                        {"task": "pose", "adapter": {"config": config, "skeleton": {"nodes": ["a", "b"]}}, "model": {}})  # fmt: skip
        model = project.models.add(ModelRecord("crafted", "pose", "models/crafted"))
    assert main(["predict", str(tmp_path / "p"), "--model", str(model.id)]) == 1
    message = _one_line(capsys)
    assert "crop_size is 30000" in message and "best.pt" in message
