"""Changing a skeleton that may already have labels: adding, renaming and removing nodes,
edges and symmetric pairs. Removing or adding a node reshapes the keypoints of every instance
of that skeleton in the same transaction, so no label ever disagrees with its skeleton."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.domain import Skeleton
from core.edits.base import Edit, Touched
from core.project import InvalidEditError, Project


@dataclass
class ReplaceSkeleton(Edit):
    """Swap a skeleton's definition; `node_map[i]` is the old index of new node i (None: new node).
    Every instance's keypoints are remapped; the old arrays are kept for undo."""

    skeleton_id: int
    after: Skeleton
    node_map: list[int | None]
    text: str = "Edit skeleton"
    _before: Skeleton | None = field(default=None, repr=False)
    _old_keypoints: dict[int, np.ndarray] = field(default_factory=dict, repr=False)

    def apply(self, project: Project) -> None:
        self._before = project.skeletons.get(self.skeleton_id)
        project.skeletons.update(
            self.skeleton_id, name=self.after.name, nodes=self.after.nodes, edges=self.after.edges,
            symmetries=self.after.symmetries,
        )  # fmt: skip
        self._old_keypoints = {}
        for instance_id, keypoints in project.instances.keypoints_of_skeleton(self.skeleton_id).items():
            self._old_keypoints[instance_id] = keypoints
            remapped = np.zeros((len(self.node_map), 3), dtype=np.float32)
            for new, old in enumerate(self.node_map):
                if old is not None and old < len(keypoints):
                    remapped[new] = keypoints[old]
            project.instances.update(instance_id, keypoints=remapped)

    def revert(self, project: Project) -> None:
        b = self._before
        project.skeletons.update(self.skeleton_id, name=b.name, nodes=b.nodes, edges=b.edges, symmetries=b.symmetries)
        for instance_id, keypoints in self._old_keypoints.items():
            project.instances.update(instance_id, keypoints=keypoints)

    def touched(self) -> tuple[Touched, ...]:
        return (Touched("catalog"), Touched("instances"))


def edit_skeleton(
    project: Project,
    skeleton_id: int,
    nodes: list[str],
    edges: list[tuple[str, str]],
    symmetries: list[tuple[str, str]],
    renamed: dict[str, str] | None = None,
    name: str | None = None,
) -> ReplaceSkeleton:
    """The edit that makes skeleton `skeleton_id` have these nodes (by name, in order), edges and
    symmetric pairs. `renamed` maps new names to old ones, so a renamed node keeps its points."""
    before = project.skeletons.get(skeleton_id)
    renamed = renamed or {}
    try:
        after = Skeleton.from_names(name or before.name, nodes, edges, symmetries)
    except ValueError as error:
        raise InvalidEditError(str(error)) from None
    if not nodes:
        raise InvalidEditError("a skeleton needs at least one node")
    old_index = {node: i for i, node in enumerate(before.nodes)}
    node_map = [old_index.get(renamed.get(node, node)) for node in nodes]
    return ReplaceSkeleton(skeleton_id, after, node_map, f"Edit skeleton {after.name}")
