from core.domain import Box, Instance, Suggestion, Video
from core.workflows import navigation


def test_next_labeled_and_unlabeled_suggestion(project, video):
    for frame in (5, 20):
        project.instances.add(Instance(video.id, frame, box=Box(0, 0, 1, 1)))
    project.suggestions.replace(video.id, "uniform", [Suggestion(video.id, f, "uniform") for f in (0, 5, 12, 30)])
    assert navigation.next_labeled_frame(project, video.id, 0) == 5
    assert navigation.next_labeled_frame(project, video.id, 5) == 20
    assert navigation.next_labeled_frame(project, video.id, 20) is None
    assert navigation.next_labeled_frame(project, video.id, 20, -1) == 5
    assert navigation.next_unlabeled_suggestion(project, video.id, 0) == 12  # 5 is labelled already
    assert navigation.next_unlabeled_suggestion(project, video.id, 12) == 30
    assert navigation.next_unlabeled_suggestion(project, video.id, 12, -1) == 0


def test_next_video_wraps(project, video):
    other = project.videos.add(Video("/b.mp4", 10, 30.0, 8, 8, "c" * 64))
    assert navigation.next_video(project, video.id) == other.id
    assert navigation.next_video(project, other.id) == video.id
    assert navigation.next_video(project, None) == video.id
