"""`ethoframe suggest --assign ana,ben`: suggestions split among a team's labellers, and each
one's Next Suggestion walking only their own queue (and what nobody was given)."""

from __future__ import annotations

from core.cli.main import main
from core.domain import Box, Instance, Suggestion
from core.project import Project
from core.workflows.navigation import next_unlabeled_suggestion


def test_suggestions_split_among_labellers_and_each_walks_their_own(tmp_path, tiny_video, capsys, monkeypatch):
    folder = tmp_path / "p"
    assert main(["new", str(folder)]) == 0
    assert main(["add-video", str(folder), str(tiny_video)]) == 0
    assert main(["suggest", str(folder), "-n", "6", "--method", "uniform", "--assign", "ana,ben"]) == 0
    assert "assigned: ana 3, ben 3" in capsys.readouterr().out
    monkeypatch.setenv("ETHOFRAME_USER", "ana")
    with Project.open(folder) as project:
        (video,) = project.videos.all()
        suggestions = project.suggestions.for_video(video.id)
        ana = sorted(s.frame_index for s in suggestions if s.assigned_to == "ana")
        ben = {s.frame_index for s in suggestions if s.assigned_to == "ben"}
        assert len(ana) == 3 and len(ben) == 3
        project.suggestions.add(Suggestion(video.id, 19, "manual"))  # nobody's: anyone may take it
        walked, here = [], -1
        while (here := next_unlabeled_suggestion(project, video.id, here, +1)) is not None and here not in walked:
            walked.append(here)
            if len(walked) > 10:
                break
        assert sorted(set(walked)) == sorted(set(ana) | {19}) and not ben & set(walked)
        project.instances.add(Instance(video.id, ana[0], box=Box(0, 0, 4, 4)))  # labelled: off the queue
        assert next_unlabeled_suggestion(project, video.id, -1, +1) == ana[1]
