"""The project database's tables (SQLAlchemy Core), private to the store.

Designed for a million predicted instances: an instance is one row whose keypoints are a
packed float32 blob (not a row per point), polygons are JSON and masks COCO run-length strings,
and a frame's instances are found through the (video_id, frame_index) index in one join.
Only portable column types are used, so the same tables run on PostgreSQL.

Ids are never reused: on SQLite every table with an id is AUTOINCREMENT (PostgreSQL's
sequences never go back anyway). Undo puts a deleted row back under its own id, and redo of an
addition recreates it with the id later edits refer to; with reused ids another writer (a
predict job, an import) could take that id in between, and the redo would fail or, worse,
a later undo step would then change the other writer's row.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)


def stamp_columns() -> list[Column]:
    """Who made a row and when, who changed it last and when, and its version (1 when made,
    one more at each change: a write that expects another version is refused)."""
    return [
        Column("version", Integer, nullable=False, server_default="1"),
        Column("created_by", String),
        Column("created_at", Float),
        Column("changed_by", String),
        Column("changed_at", Float),
    ]


STAMP_COLUMNS = ("version", "created_by", "created_at", "changed_by", "changed_at")

# 2: every table with an id column is AUTOINCREMENT, so an id is never handed out twice (an
#    undo restores a deleted row under its own id, and no other writer can have taken it).
# 3: instances.origin, where an imported instance came from ("coco:results.json").
# 4: team labelling: who made and last changed each instance and event, and when (seconds
#    since 1970, the server's clock), a version per row for optimistic concurrency; `users`
#    (each labeller's folder for models and exports) and `changes` (what each commit touched,
#    read by other windows on SQLite; PostgreSQL sends the same as NOTIFY).
# 5: suggestions.assigned_to: frame suggestions split among a team's labellers.
# 6: users.video_roots: where each labeller's workstation mounts the project's video folders.
SCHEMA_VERSION = 6

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", String, nullable=False),
)

videos = Table(
    "videos",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("path", String, nullable=False),
    Column("name", String),
    Column("fingerprint", String(80), nullable=False),
    Column("frame_count", Integer, nullable=False),
    Column("fps", Float, nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    sqlite_autoincrement=True,
)

frames = Table(
    "frames",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("video_id", Integer, ForeignKey("videos.id", ondelete="CASCADE"), nullable=False),
    Column("frame_index", Integer, nullable=False),
    UniqueConstraint("video_id", "frame_index", name="uq_frames_video_frame"),
    sqlite_autoincrement=True,
)

label_classes = Table(
    "label_classes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String, nullable=False, unique=True),
    Column("color", String(16), nullable=False),
    sqlite_autoincrement=True,
)

skeletons = Table(
    "skeletons",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String, nullable=False, unique=True),
    Column("nodes", JSON, nullable=False),
    Column("edges", JSON, nullable=False),
    Column("symmetries", JSON, nullable=False),
    sqlite_autoincrement=True,
)

tracks = Table(
    "tracks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String, nullable=False),
    Column("color", String(16), nullable=False),
    sqlite_autoincrement=True,
)

models = Table(
    "models",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String, nullable=False),
    Column("task", String(32), nullable=False),
    Column("path", String, nullable=False),
    Column("config", JSON, nullable=False),
    Column("metrics", JSON, nullable=False),
    Column("created_at", String(32), nullable=False),
    sqlite_autoincrement=True,
)

training_runs = Table(
    "training_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("model_id", Integer, ForeignKey("models.id", ondelete="SET NULL")),
    Column("task", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("config", JSON, nullable=False),
    Column("metrics", JSON, nullable=False),
    Column("label_snapshot", JSON, nullable=False),
    Column("error", String),
    Column("started_at", String(32), nullable=False),
    Column("finished_at", String(32)),
    sqlite_autoincrement=True,
)

instances = Table(
    "instances",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("frame_id", Integer, ForeignKey("frames.id", ondelete="CASCADE"), nullable=False),
    Column("class_id", Integer, ForeignKey("label_classes.id", ondelete="SET NULL")),
    Column("track_id", Integer, ForeignKey("tracks.id", ondelete="SET NULL")),
    Column("skeleton_id", Integer, ForeignKey("skeletons.id", ondelete="SET NULL")),
    Column("source", String(9), nullable=False),
    Column("score", Float),
    Column("model_id", Integer, ForeignKey("models.id", ondelete="SET NULL")),
    Column("origin", String),  # "format:file name" of the import it came from (None: made here)
    Column("x1", Float),
    Column("y1", Float),
    Column("x2", Float),
    Column("y2", Float),
    Column("polygons", JSON(none_as_null=True)),  # [[x0, y0, x1, y1, ...], ...] as in COCO
    Column("mask", JSON(none_as_null=True)),  # {"size": [h, w], "counts": "..."}: COCO compressed RLE
    Column("keypoints", LargeBinary),  # float32 little-endian, (n_nodes, 3): x, y, visibility
    Column("keypoint_scores", LargeBinary),  # float32 little-endian, (n_nodes,)
    *stamp_columns(),
    Index("ix_instances_frame", "frame_id"),
    Index("ix_instances_source_frame", "source", "frame_id"),
    Index("ix_instances_track", "track_id"),
    sqlite_autoincrement=True,
)

behaviours = Table(
    "behaviours",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String, nullable=False, unique=True),
    Column("key", String(16)),
    Column("color", String(16), nullable=False),
    Column("kind", String(8), nullable=False),
    sqlite_autoincrement=True,
)

behaviour_events = Table(
    "behaviour_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("video_id", Integer, ForeignKey("videos.id", ondelete="CASCADE"), nullable=False),
    Column("behaviour_id", Integer, ForeignKey("behaviours.id", ondelete="CASCADE"), nullable=False),
    Column("subject_id", Integer, ForeignKey("tracks.id", ondelete="SET NULL")),
    Column("start_frame", Integer, nullable=False),
    Column("end_frame", Integer),  # NULL while a state event is still being coded
    Column("source", String(9), nullable=False),
    Column("score", Float),
    Column("model_id", Integer, ForeignKey("models.id", ondelete="SET NULL")),
    Column("probabilities", LargeBinary),  # float32 per frame from start to end
    *stamp_columns(),
    Index("ix_events_video_start", "video_id", "start_frame"),
    sqlite_autoincrement=True,
)

suggestions = Table(
    "suggestions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("video_id", Integer, ForeignKey("videos.id", ondelete="CASCADE"), nullable=False),
    Column("frame_index", Integer, nullable=False),
    Column("method", String(16), nullable=False),
    Column("score", Float),
    Column("assigned_to", String),  # the labeller whose queue it is in (None: anyone's)
    UniqueConstraint("video_id", "frame_index", "method", name="uq_suggestions"),
    sqlite_autoincrement=True,
)

users = Table(
    "users",
    metadata,
    Column("name", String, primary_key=True),
    Column("folder", String),  # where this labeller's models and exports of a shared project go
    Column("video_roots", JSON(none_as_null=True)),  # [[project prefix, this workstation's prefix], ...]
)

changes = Table(
    "changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", Float, nullable=False),
    Column("by", String),
    Column("client", String(32), nullable=False),  # the writing process's id: a window skips its own
    Column("topic", String(16), nullable=False),  # "instances" | "events" | "catalog"
    Column("video_id", Integer),  # None: any video
    Column("frame_index", Integer),  # None: any frame of the video
    Column("instance_ids", JSON, nullable=False),
    Column("track_ids", JSON, nullable=False),
    Column("predicted", Integer, nullable=False, server_default="0"),
    Index("ix_changes_at", "at"),
    sqlite_autoincrement=True,
)
