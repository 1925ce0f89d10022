"""Plain domain objects that cross the project store's boundary.

The store keeps its tables to itself; everything outside it (edits, the CLI, the GUI, training)
sees these small frozen dataclasses, one concept per file.
"""

from core.domain.behaviour import Behaviour, BehaviourEvent, BehaviourKind
from core.domain.geometry import Box, Rle
from core.domain.instance import Instance, Source, Visibility
from core.domain.label_class import LabelClass
from core.domain.model_record import ModelRecord, TrainingRun
from core.domain.skeleton import Skeleton
from core.domain.stamp import Stamp
from core.domain.suggestion import Suggestion
from core.domain.track import Track
from core.domain.video import Video

__all__ = [
    "Behaviour",
    "BehaviourEvent",
    "BehaviourKind",
    "Box",
    "Instance",
    "LabelClass",
    "ModelRecord",
    "Rle",
    "Skeleton",
    "Source",
    "Stamp",
    "Suggestion",
    "Track",
    "TrainingRun",
    "Video",
    "Visibility",
]
