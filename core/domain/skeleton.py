"""A skeleton: the named keypoints (nodes) of an animal, the edges drawn between them, and the
symmetric pairs that a horizontal flip swaps."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Skeleton:
    """`edges` and `symmetries` are pairs of node indices into `nodes`."""

    name: str
    nodes: tuple[str, ...]
    edges: tuple[tuple[int, int], ...] = ()
    symmetries: tuple[tuple[int, int], ...] = ()
    id: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "nodes", tuple(self.nodes))
        object.__setattr__(self, "edges", tuple(tuple(e) for e in self.edges))
        object.__setattr__(self, "symmetries", tuple(tuple(s) for s in self.symmetries))
        if len(set(self.nodes)) != len(self.nodes):
            raise ValueError(f"skeleton {self.name!r} names a node twice: {self.nodes}")
        for a, b in self.edges + self.symmetries:
            if not (0 <= a < len(self.nodes) and 0 <= b < len(self.nodes)):
                raise ValueError(f"skeleton {self.name!r} has a pair ({a}, {b}) outside its {len(self.nodes)} nodes")

    @classmethod
    def from_names(
        cls,
        name: str,
        nodes: list[str] | tuple[str, ...],
        edges: list[tuple[str, str]] = (),
        symmetries: list[tuple[str, str]] = (),
    ) -> Skeleton:
        """Build from node names, e.g. edges [("snout", "neck")]."""
        index = {node: i for i, node in enumerate(nodes)}
        try:
            return cls(
                name,
                tuple(nodes),
                tuple((index[a], index[b]) for a, b in edges),
                tuple((index[a], index[b]) for a, b in symmetries),
            )
        except KeyError as missing:
            raise ValueError(f"skeleton {name!r} has no node {missing}") from None

    def flip_permutation(self) -> list[int]:
        """Node order after a horizontal flip: symmetric nodes trade places."""
        order = list(range(len(self.nodes)))
        for a, b in self.symmetries:
            order[a], order[b] = b, a
        return order
