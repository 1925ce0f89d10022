"""The project's small record tables: label classes, skeletons, tracks, the ethogram's
behaviours, trained models, training runs and frame suggestions."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import delete, insert, select, update

from core.domain import Behaviour, LabelClass, ModelRecord, Skeleton, Suggestion, Track, TrainingRun
from core.project import codec
from core.project import schema as s
from core.project.database import Database
from core.project.tables.records import Dependent, RecordTable


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class LabelClassTable(RecordTable[LabelClass]):
    kind = "label class"
    announced = True

    def __init__(self, db: Database) -> None:
        super().__init__(
            db, s.label_classes, codec.label_class_from_row,
            dependents=(Dependent(s.instances, "class_id", "set_null"),),
        )  # fmt: skip


class SkeletonTable(RecordTable[Skeleton]):
    kind = "skeleton"
    announced = True

    def __init__(self, db: Database) -> None:
        super().__init__(
            db, s.skeletons, codec.skeleton_from_row, codec.skeleton_to_row,
            dependents=(Dependent(s.instances, "skeleton_id", "set_null"),),
        )  # fmt: skip


class TrackTable(RecordTable[Track]):
    kind = "track"
    announced = True

    def __init__(self, db: Database) -> None:
        super().__init__(
            db, s.tracks, codec.track_from_row,
            dependents=(
                Dependent(s.instances, "track_id", "set_null"),
                Dependent(s.behaviour_events, "subject_id", "set_null"),
            ),
        )  # fmt: skip


class BehaviourTable(RecordTable[Behaviour]):
    kind = "behaviour"
    announced = True

    def __init__(self, db: Database) -> None:
        super().__init__(
            db, s.behaviours, codec.behaviour_from_row,
            dependents=(Dependent(s.behaviour_events, "behaviour_id", "cascade"),),
        )  # fmt: skip

    def by_key(self, key: str) -> Behaviour | None:
        return next((b for b in self.all() if b.key == key), None)


class ModelTable(RecordTable[ModelRecord]):
    kind = "model"

    def __init__(self, db: Database) -> None:
        super().__init__(db, s.models, codec.model_from_row, _model_to_row)

    def newest(self, task: str | None = None) -> ModelRecord | None:
        models = [m for m in self.all() if task is None or m.task == task]
        return models[-1] if models else None

    def node_threshold(self, model_id: int) -> float | None:
        """Model `model_id`'s node threshold (see `ModelRecord.node_threshold`)."""
        return self.get(model_id).node_threshold

    def node_thresholds(self) -> dict[int, float]:
        """model id -> node threshold, for every model that has one."""
        return {m.id: m.node_threshold for m in self.all() if m.node_threshold is not None}

    def set_node_threshold(self, model_id: int, threshold: float) -> ModelRecord:
        """Keep `threshold` (0 to 1) as a pose model's node threshold, in its config: predictions
        keep every node and score, so this changes what is shown, accepted and exported without
        running the model again. Raises ValueError for another task's model or a bad value."""
        model = self.get(model_id)
        if model.task != "pose":
            raise ValueError(f"model {model_id} is a {model.task} model: only pose models have a node threshold")
        threshold = float(threshold)
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"a node threshold is between 0 and 1, not {threshold:g}")
        return self.update(model_id, config={**model.config, "node_threshold": threshold})


class TrainingRunTable(RecordTable[TrainingRun]):
    kind = "training run"

    def __init__(self, db: Database) -> None:
        super().__init__(db, s.training_runs, codec.run_from_row, _run_to_row)


class SuggestionTable(RecordTable[Suggestion]):
    kind = "suggestion"

    def __init__(self, db: Database) -> None:
        super().__init__(db, s.suggestions, codec.suggestion_from_row)

    def replace(self, video_id: int, method: str, suggestions: list[Suggestion]) -> int:
        """Set the suggestions a method made for a video, dropping that method's earlier ones."""
        table = s.suggestions
        with self._db.transaction() as connection:
            connection.execute(delete(table).where(table.c.video_id == video_id, table.c.method == method))
            rows = [{"video_id": video_id, "frame_index": x.frame_index, "method": method, "score": x.score,
                     "assigned_to": x.assigned_to} for x in suggestions]  # fmt: skip
            if rows:
                connection.execute(insert(table), rows)
        return len(rows)

    def for_video(self, video_id: int) -> list[Suggestion]:
        table = s.suggestions
        with self._db.reading() as connection:
            rows = connection.execute(select(table).where(table.c.video_id == video_id).order_by(table.c.frame_index))
            return [codec.suggestion_from_row(row) for row in rows]

    def assign(self, users: list[str], video_ids: list[int] | None = None) -> dict[str, int]:
        """Split the suggestions (of `video_ids`, or all) among `users`, dealt out in turn in
        frame order so each labeller's share spans every video; returns how many each got."""
        table = s.suggestions
        if not users:
            raise ValueError("name at least one labeller to assign suggestions to")
        query = select(table.c.id).order_by(table.c.video_id, table.c.frame_index, table.c.id)
        if video_ids is not None:
            query = query.where(table.c.video_id.in_(video_ids))
        counts = dict.fromkeys(users, 0)
        with self._db.transaction() as connection:
            ids = list(connection.execute(query).scalars())
            for k, user in enumerate(users):
                share = ids[k :: len(users)]
                counts[user] = len(share)
                for start in range(0, len(share), 5000):
                    chunk = share[start : start + 5000]
                    connection.execute(update(table).where(table.c.id.in_(chunk)).values(assigned_to=user))
        return counts


def _model_to_row(model: ModelRecord) -> dict:
    return {
        "name": model.name, "task": model.task, "path": model.path, "config": model.config,
        "metrics": model.metrics, "created_at": model.created_at or now(),
    }  # fmt: skip


def _run_to_row(run: TrainingRun) -> dict:
    return {
        "model_id": run.model_id, "task": run.task, "status": run.status, "config": run.config,
        "metrics": run.metrics, "label_snapshot": run.label_snapshot, "error": run.error,
        "started_at": run.started_at or now(), "finished_at": run.finished_at,
    }  # fmt: skip
