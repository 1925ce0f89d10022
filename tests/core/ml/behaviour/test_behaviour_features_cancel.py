"""Behaviour features stop on the cancel token with the one `Cancelled` (core.runtime.cancel),
which predict_behaviour catches to report "cancelled", and cache nothing partial."""

from __future__ import annotations

import threading

import pytest
import torch

from core.ml.tasks.behaviour.config import BehaviourConfig
from core.ml.tasks.behaviour.features import VideoFeatures, features_folder
from core.runtime.cancel import Cancelled
from core.workflows.videos import add_videos


def test_a_set_token_stops_feature_extraction_and_caches_nothing(project, tiny_video):
    (video,) = add_videos(project, [tiny_video])
    stop = threading.Event()
    stop.set()
    features = VideoFeatures(project, BehaviourConfig(), backbone=torch.nn.Identity())  # never reached
    with pytest.raises(Cancelled, match="behaviour feature extraction"):
        features.get(video.id, [], cancel=stop)
    folder = features_folder(project)
    assert not folder.exists() or not any(folder.iterdir())
