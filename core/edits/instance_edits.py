"""Edits of instances: create, delete and change them, and the ask-functions that build the
changes a user makes with the mouse (move a box, a vertex, a keypoint, paint a mask stroke...).

Changing a prediction in any way makes it the user's: it becomes a label (source "user"),
which is how corrected predictions feed the next training round. Its nodes scoring under its
model's node threshold (drawn dimmed) become unlabelled then, unless the change itself moves or
marks them: a label holds only the nodes someone vouched for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.domain import Box, Instance, Rle, Stamp, Visibility
from core.edits.base import Edit, Touched
from core.geometry.masks import paint_stroke
from core.domain.node_threshold import apply_node_threshold
from core.project import InvalidEditError, NotFoundError, Project


@dataclass
class AddInstance(Edit):
    """Create an instance; redo recreates it with the same id, so later edits still apply.
    Changes of it with the same `gesture` (placing a skeleton node by node) merge into it:
    one undo step removes the instance, one redo brings it back as it was finally placed."""

    instance: Instance
    text: str = "Add instance"
    gesture: tuple | None = None

    def apply(self, project: Project) -> None:
        self.instance = project.instances.add(self.instance)

    def revert(self, project: Project) -> None:  # refused if someone changed it since
        project.instances.delete(self.instance.id, expected_version=_version(self.instance))

    def merge(self, later: Edit) -> bool:
        if self.gesture is None or not isinstance(later, ChangeInstance) or later.gesture != self.gesture:
            return False
        if later.instance_id != self.instance.id:
            return False
        if later.read_version is not None and later.read_version != _version(self.instance):
            return False  # someone else changed it in between: their change is not ours to undo
        stamp = self.instance.stamp
        if stamp is not None and later.version is not None:
            stamp = Stamp(later.version, stamp.created_by, stamp.created_at, stamp.changed_by, stamp.changed_at)
        self.instance = self.instance.with_changes(**later.after, stamp=stamp)
        return True

    def touched(self) -> tuple[Touched, ...]:
        return (_touched_by(self.instance),)


@dataclass
class DeleteInstance(Edit):
    instance_id: int
    text: str = "Delete instance"
    _deleted: Instance | None = field(default=None, repr=False)

    def apply(self, project: Project) -> None:  # a redo is refused if someone changed it since the undo
        self._deleted = project.instances.delete(self.instance_id, expected_version=_version(self._deleted))

    def revert(self, project: Project) -> None:
        self._deleted = project.instances.add(self._deleted)

    def touched(self) -> tuple[Touched, ...]:
        return (_touched_by(self._deleted),) if self._deleted else (Touched("instances", instance_ids=(self.instance_id,)),)


@dataclass
class ChangeInstance(Edit):
    """Set some fields of an instance; `before` holds their old values for undo.
    Consecutive changes with the same `gesture` (one drag) merge into one."""

    instance_id: int
    before: dict[str, Any]
    after: dict[str, Any]
    text: str = "Change instance"
    gesture: tuple | None = None
    where: tuple[int, int] | None = None  # (video id, frame index), for refreshing views
    # The instance's version this edit expects to find (read when it was made, then what its
    # own last apply or revert left): another labeller's write in between refuses it.
    version: int | None = None
    read_version: int | None = None  # the version it was made from

    def __post_init__(self) -> None:
        if self.read_version is None:
            self.read_version = self.version

    def apply(self, project: Project) -> None:
        self.version = _version(project.instances.update(self.instance_id, expected_version=self.version, **self.after))

    def revert(self, project: Project) -> None:
        self.version = _version(project.instances.update(self.instance_id, expected_version=self.version, **self.before))

    def merge(self, later: Edit) -> bool:
        if self.gesture is None or not isinstance(later, ChangeInstance) or later.gesture != self.gesture:
            return False
        if later.instance_id != self.instance_id:
            return False
        if later.read_version is not None and later.read_version != self.version:
            return False  # someone else wrote between the two: undoing both at once would undo theirs
        self.after = {**self.after, **later.after}
        self.before = {**later.before, **self.before}
        self.version = later.version
        return True

    def touched(self) -> tuple[Touched, ...]:
        video_id, frame_index = self.where or (None, None)
        tracks = {self.before["track_id"], self.after["track_id"]} - {None} if "track_id" in self.after else set()
        predicted = "predicted" in (self.before.get("source"), self.after.get("source"))
        return (Touched("instances", video_id, frame_index, (self.instance_id,), tuple(sorted(tracks)), predicted),)


def _version(instance: Instance | None) -> int | None:
    return None if instance is None or instance.stamp is None else instance.stamp.version


def _touched_by(instance: Instance) -> Touched:
    """What adding or deleting `instance` changes."""
    tracks = () if instance.track_id is None else (instance.track_id,)
    return Touched("instances", instance.video_id, instance.frame_index, (instance.id,), tracks, instance.is_predicted)


def _as_label(project: Project, instance: Instance, after: dict[str, Any]) -> None:
    """Make `after` turn prediction `instance` into a user label: source "user", and its nodes
    under its model's node threshold unlabelled, but for those `after` itself changes."""
    after["source"] = "user"
    if instance.keypoints is None or instance.keypoint_scores is None or instance.model_id is None:
        return
    try:
        threshold = project.models.node_threshold(instance.model_id)
    except NotFoundError:  # the model was deleted: nothing says which nodes are weak
        return
    if threshold is None:
        return
    wanted = np.asarray(after.get("keypoints", instance.keypoints), dtype=np.float32)
    labelled = apply_node_threshold(wanted, instance.keypoint_scores, threshold)
    if wanted.shape == instance.keypoints.shape:
        changed = (wanted != instance.keypoints).any(axis=1)
        labelled[changed] = wanted[changed]
    if not np.array_equal(labelled, instance.keypoints) or "keypoints" in after:
        after["keypoints"] = labelled


def _change(project: Project, instance_id: int, text: str, gesture: tuple | None = None, **after: Any) -> ChangeInstance:
    """A change of `instance_id` to `after`; a prediction changed becomes a user label."""
    instance = project.instances.get(instance_id)
    if instance.is_predicted:
        _as_label(project, instance, after)
    before = {name: getattr(instance, name) for name in after}
    where = (instance.video_id, instance.frame_index)
    return ChangeInstance(instance_id, before, after, text, gesture, where, version=_version(instance))


# --- boxes ---------------------------------------------------------------------------------------


def set_box(project: Project, instance_id: int, box: Box, gesture: tuple | None = None) -> ChangeInstance:
    """Move or resize an instance's box (or give it one)."""
    return _change(project, instance_id, "Move box", gesture, box=box.normalized())


# --- polygons ------------------------------------------------------------------------------------


def _polygon(instance: Instance, polygon: int) -> np.ndarray:
    if not 0 <= polygon < len(instance.polygons):
        raise InvalidEditError(f"instance {instance.id} has no polygon {polygon}")
    return instance.polygons[polygon]


def add_polygon(project: Project, instance_id: int, points: np.ndarray) -> ChangeInstance:
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if len(points) < 3:
        raise InvalidEditError("a polygon needs at least 3 vertices")
    instance = project.instances.get(instance_id)
    return _change(project, instance_id, "Add polygon", polygons=instance.polygons + (points,))


def move_polygon_vertex(
    project: Project, instance_id: int, polygon: int, vertex: int, x: float, y: float, gesture: tuple | None = None
) -> ChangeInstance:
    instance = project.instances.get(instance_id)
    points = _polygon(instance, polygon).copy()
    if not 0 <= vertex < len(points):
        raise InvalidEditError(f"polygon {polygon} of instance {instance_id} has no vertex {vertex}")
    points[vertex] = (x, y)
    polygons = instance.polygons[:polygon] + (points,) + instance.polygons[polygon + 1 :]
    return _change(project, instance_id, "Move vertex", gesture, polygons=polygons)


def insert_polygon_vertex(
    project: Project, instance_id: int, polygon: int, before_vertex: int, x: float, y: float
) -> ChangeInstance:
    """Insert a vertex at position `before_vertex` (clicking on an edge inserts between its ends)."""
    instance = project.instances.get(instance_id)
    points = np.insert(_polygon(instance, polygon), before_vertex, (x, y), axis=0)
    polygons = instance.polygons[:polygon] + (points,) + instance.polygons[polygon + 1 :]
    return _change(project, instance_id, "Add vertex", polygons=polygons)


def delete_polygon_vertex(project: Project, instance_id: int, polygon: int, vertex: int) -> ChangeInstance:
    """Remove a vertex; a polygon left with fewer than 3 vertices is removed whole."""
    instance = project.instances.get(instance_id)
    points = np.delete(_polygon(instance, polygon), vertex, axis=0)
    kept = (points,) if len(points) >= 3 else ()
    polygons = instance.polygons[:polygon] + kept + instance.polygons[polygon + 1 :]
    return _change(project, instance_id, "Delete vertex", polygons=polygons)


# --- raster masks --------------------------------------------------------------------------------


def paint_mask(
    project: Project,
    instance_id: int,
    points: np.ndarray,
    radius: float,
    erase: bool = False,
    frame_size: tuple[int, int] | None = None,
) -> ChangeInstance:
    """One brush (or eraser) stroke through `points` (n, 2) on an instance's raster mask.
    `frame_size` (height, width) is needed when the instance has no mask yet."""
    instance = project.instances.get(instance_id)
    if instance.mask is not None:
        mask = instance.mask.to_array()
    else:
        if frame_size is None:
            video = project.videos.get(instance.video_id)
            frame_size = (video.height, video.width)
        mask = np.zeros(frame_size, dtype=bool)
    painted = paint_stroke(mask, points, radius, erase)
    return _change(project, instance_id, "Erase mask" if erase else "Paint mask", mask=Rle.from_array(painted))


def set_mask(project: Project, instance_id: int, mask: Rle | None, text: str = "Set mask") -> ChangeInstance:
    """Replace an instance's raster mask whole (e.g. one made from its box by GrabCut); None removes it."""
    return _change(project, instance_id, text, mask=mask)


# --- keypoints -----------------------------------------------------------------------------------


def _keypoints(project: Project, instance: Instance, node: int) -> np.ndarray:
    keypoints = instance.keypoints
    if keypoints is None:
        if instance.skeleton_id is None:
            raise InvalidEditError(f"instance {instance.id} has no skeleton, so it has no keypoints")
        n_nodes = len(project.skeletons.get(instance.skeleton_id).nodes)
        keypoints = np.zeros((n_nodes, 3), dtype=np.float32)
    if not 0 <= node < len(keypoints):
        raise InvalidEditError(f"instance {instance.id} has no node {node} (it has {len(keypoints)})")
    return keypoints.copy()


def move_keypoint(
    project: Project, instance_id: int, node: int, x: float, y: float, gesture: tuple | None = None
) -> ChangeInstance:
    """Place or drag a node; an unlabelled node becomes visible where it is placed."""
    instance = project.instances.get(instance_id)
    keypoints = _keypoints(project, instance, node)
    keypoints[node, :2] = (x, y)
    if keypoints[node, 2] == Visibility.UNLABELLED:
        keypoints[node, 2] = Visibility.VISIBLE
    return _change(project, instance_id, "Move node", gesture, keypoints=keypoints)


def set_keypoint_visibility(project: Project, instance_id: int, node: int, visibility: Visibility) -> ChangeInstance:
    instance = project.instances.get(instance_id)
    keypoints = _keypoints(project, instance, node)
    keypoints[node, 2] = Visibility(visibility)
    return _change(project, instance_id, "Set node visibility", keypoints=keypoints)


def toggle_keypoint_visibility(project: Project, instance_id: int, node: int) -> ChangeInstance:
    """Visible <-> occluded, as SLEAP's right-click on a node does."""
    instance = project.instances.get(instance_id)
    current = _keypoints(project, instance, node)[node, 2]
    target = Visibility.OCCLUDED if current == Visibility.VISIBLE else Visibility.VISIBLE
    return set_keypoint_visibility(project, instance_id, node, target)


# --- identity and class ----------------------------------------------------------------------------


def set_instance_class(project: Project, instance_id: int, class_id: int | None) -> ChangeInstance:
    if class_id is not None:
        project.label_classes.get(class_id)
    return _change(project, instance_id, "Set class", class_id=class_id)


def set_instance_track(project: Project, instance_id: int, track_id: int | None) -> ChangeInstance:
    if track_id is not None:
        project.tracks.get(track_id)
    return _change(project, instance_id, "Set track", track_id=track_id)


# --- predictions ---------------------------------------------------------------------------------


def accept_prediction(project: Project, instance_id: int) -> ChangeInstance:
    """A predicted instance becomes a user label as it is shown (its model stays on record):
    its nodes under the model's node threshold become unlabelled."""
    instance = project.instances.get(instance_id)
    if not instance.is_predicted:
        raise InvalidEditError(f"instance {instance_id} is already a user label")
    after: dict[str, Any] = {}
    _as_label(project, instance, after)
    before = {name: getattr(instance, name) for name in after}
    where = (instance.video_id, instance.frame_index)
    return ChangeInstance(instance_id, before, after, "Accept prediction", where=where, version=_version(instance))


def reject_prediction(project: Project, instance_id: int) -> DeleteInstance:
    if not project.instances.get(instance_id).is_predicted:
        raise InvalidEditError(f"instance {instance_id} is a user label, not a prediction")
    return DeleteInstance(instance_id, text="Reject prediction")
