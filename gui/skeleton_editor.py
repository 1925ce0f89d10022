"""The skeleton editor: nodes (add, rename, remove, reorder), edges and symmetric pairs.
"Apply" turns the whole change into one core edit, which reshapes existing labels too."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.domain import Skeleton
from core.edits import AddRecord, Edit, edit_skeleton
from core.project import ProjectError
from gui.undo import UndoController

ORIGINAL = Qt.ItemDataRole.UserRole  # a node item's name in the stored skeleton (None if new)


class PairList(QGroupBox):
    """A list of node pairs with two pickers to add one (edges, or symmetric pairs)."""

    def __init__(self, title: str) -> None:
        super().__init__(title)
        self.pairs = QListWidget()
        self.first, self.second = QComboBox(), QComboBox()
        add, remove = QPushButton("Add"), QPushButton("Remove")
        row = QHBoxLayout()
        for widget in (self.first, self.second, add, remove):
            row.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pairs)
        layout.addLayout(row)
        add.clicked.connect(lambda: self.add_pair(self.first.currentText(), self.second.currentText()))
        remove.clicked.connect(lambda: self.pairs.takeItem(self.pairs.currentRow()))

    def set_nodes(self, nodes: list[str]) -> None:
        for box in (self.first, self.second):
            box.clear()
            box.addItems(nodes)

    def add_pair(self, a: str, b: str) -> None:
        if a and b and a != b and (a, b) not in self.values() and (b, a) not in self.values():
            item = QListWidgetItem(f"{a} — {b}")
            item.setData(Qt.ItemDataRole.UserRole, (a, b))
            self.pairs.addItem(item)

    def values(self) -> list[tuple[str, str]]:
        return [tuple(self.pairs.item(r).data(Qt.ItemDataRole.UserRole)) for r in range(self.pairs.count())]

    def rename(self, old: str, new: str) -> None:
        for r in range(self.pairs.count()):
            item = self.pairs.item(r)
            a, b = item.data(Qt.ItemDataRole.UserRole)
            a, b = (new if a == old else a), (new if b == old else b)
            item.setData(Qt.ItemDataRole.UserRole, (a, b))
            item.setText(f"{a} — {b}")

    def drop(self, node: str) -> None:
        for r in reversed(range(self.pairs.count())):
            if node in self.pairs.item(r).data(Qt.ItemDataRole.UserRole):
                self.pairs.takeItem(r)


class SkeletonEditor(QWidget):
    status = Signal(str)  # a refusal or a confirmation for the status bar

    def __init__(self, undo: UndoController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("skeleton_editor")
        self.undo, self.project = undo, undo.project
        self.chooser = QComboBox()
        new = QPushButton("New…")
        self.nodes = QListWidget()
        self.edges, self.symmetries = PairList("Edges"), PairList("Symmetric pairs (swapped by flips)")
        buttons = {name: QPushButton(name) for name in ("Add node", "Rename", "Remove", "Up", "Down")}
        self.apply_button = QPushButton("Apply")

        top = QHBoxLayout()
        top.addWidget(self.chooser, 1)
        top.addWidget(new)
        node_buttons = QGridLayout()
        for n, button in enumerate(buttons.values()):
            node_buttons.addWidget(button, n // 3, n % 3)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.nodes, 1)
        layout.addLayout(node_buttons)
        layout.addWidget(self.edges)
        layout.addWidget(self.symmetries)
        layout.addWidget(self.apply_button)

        self.chooser.currentIndexChanged.connect(lambda _i: self.load())
        new.clicked.connect(self._ask_new)
        buttons["Add node"].clicked.connect(self._ask_add_node)
        buttons["Rename"].clicked.connect(self._ask_rename)
        buttons["Remove"].clicked.connect(lambda: self.remove_node(self.nodes.currentRow()))
        buttons["Up"].clicked.connect(lambda: self.move_node(self.nodes.currentRow(), -1))
        buttons["Down"].clicked.connect(lambda: self.move_node(self.nodes.currentRow(), +1))
        self.apply_button.clicked.connect(self.apply)
        undo.edit_done.connect(self._edit_done)
        self.refresh()

    # --- the skeleton shown ---------------------------------------------------------------------

    def _edit_done(self, edit: Edit) -> None:
        if any(t.topic == "catalog" for t in edit.touched()):  # skeletons live in the catalog
            self.refresh()

    def refresh(self) -> None:
        current = self.chooser.currentData()
        self.chooser.blockSignals(True)
        self.chooser.clear()
        for skeleton in self.project.skeletons.all():
            self.chooser.addItem(skeleton.name, skeleton.id)
        index = self.chooser.findData(current)
        self.chooser.setCurrentIndex(index if index >= 0 else 0)
        self.chooser.blockSignals(False)
        self.load()

    def load(self) -> None:
        skeleton_id = self.chooser.currentData()
        self.nodes.clear()
        self.edges.pairs.clear()
        self.symmetries.pairs.clear()
        if skeleton_id is None:
            self._nodes_changed()
            return
        skeleton = self.project.skeletons.get(skeleton_id)
        for node in skeleton.nodes:
            item = QListWidgetItem(node)
            item.setData(ORIGINAL, node)
            self.nodes.addItem(item)
        self._nodes_changed()
        for a, b in skeleton.edges:
            self.edges.add_pair(skeleton.nodes[a], skeleton.nodes[b])
        for a, b in skeleton.symmetries:
            self.symmetries.add_pair(skeleton.nodes[a], skeleton.nodes[b])

    def node_names(self) -> list[str]:
        return [self.nodes.item(r).text() for r in range(self.nodes.count())]

    def _nodes_changed(self) -> None:
        for pairs in (self.edges, self.symmetries):
            pairs.set_nodes(self.node_names())

    # --- gestures -------------------------------------------------------------------------------

    def add_node(self, name: str) -> None:
        if name and name not in self.node_names():
            item = QListWidgetItem(name)
            item.setData(ORIGINAL, None)
            self.nodes.addItem(item)
            self._nodes_changed()

    def rename_node(self, row: int, name: str) -> None:
        item = self.nodes.item(row)
        if item is not None and name and name not in self.node_names():
            for pairs in (self.edges, self.symmetries):
                pairs.rename(item.text(), name)
            item.setText(name)
            self._nodes_changed()

    def remove_node(self, row: int) -> None:
        item = self.nodes.takeItem(row)
        if item is not None:
            for pairs in (self.edges, self.symmetries):
                pairs.drop(item.text())
            self._nodes_changed()

    def move_node(self, row: int, delta: int) -> None:
        target = row + delta
        if 0 <= row < self.nodes.count() and 0 <= target < self.nodes.count():
            self.nodes.insertItem(target, self.nodes.takeItem(row))
            self.nodes.setCurrentRow(target)
            self._nodes_changed()

    def apply(self) -> bool:
        skeleton_id = self.chooser.currentData()
        if skeleton_id is None:
            return False
        renamed = {}
        for r in range(self.nodes.count()):
            original = self.nodes.item(r).data(ORIGINAL)
            if original is not None:
                renamed[self.nodes.item(r).text()] = original
        try:
            edit = edit_skeleton(
                self.project, skeleton_id, self.node_names(), self.edges.values(), self.symmetries.values(), renamed
            )
            self.undo.push(edit)
        except ProjectError as error:
            self.status.emit(str(error))
            return False
        self.status.emit(f"skeleton {edit.after.name} saved")
        return True

    def create(self, name: str) -> None:
        try:
            edit = self.undo.push(AddRecord("skeletons", Skeleton(name, ("head", "tail"), ((0, 1),)), f"Add skeleton {name}"))
        except Exception as error:  # a duplicate name is refused by the store
            self.status.emit(f"cannot add skeleton {name!r}: {error.__class__.__name__}")
            return
        self.chooser.setCurrentIndex(self.chooser.findData(edit.record.id))

    def _ask_new(self) -> None:
        name, ok = QInputDialog.getText(self, "New skeleton", "Name:")
        if ok and name.strip():
            self.create(name.strip())

    def _ask_add_node(self) -> None:
        name, ok = QInputDialog.getText(self, "Add node", "Node name:")
        if ok:
            self.add_node(name.strip())

    def _ask_rename(self) -> None:
        item = self.nodes.currentItem()
        if item is not None:
            name, ok = QInputDialog.getText(self, "Rename node", "New name:", text=item.text())
            if ok:
                self.rename_node(self.nodes.currentRow(), name.strip())
