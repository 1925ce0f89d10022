"""The tool bar: the canvas tools as checkable actions (one active at a time) and the canvas
commands, built from the tables in `gui.canvas.tools`, with stable object names
(`tool_select`, `tool_box`, ...) for tests and accessibility tools."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QToolBar

from gui.actions import ignoring_checked
from gui.canvas.frame_view import FrameView
from gui.canvas.tools import CANVAS_COMMANDS, TOOLS, CanvasCommand, ToolContext, build_tools
from gui.tool_icons import tool_icon


SHORT_NAMES = {"canvas.box_to_mask": "GrabCut", "canvas.drop_template": "Template"}


class ToolBar(QToolBar):
    def __init__(self, window: QMainWindow, view: FrameView) -> None:
        super().__init__("Tools", window)
        self.setObjectName("tools")
        self.view = view
        self.context: ToolContext | None = None
        self.tools: dict = {}
        self.group = QActionGroup(self)
        self.tool_actions: dict[str, QAction] = {}
        for spec in TOOLS:
            action = QAction(tool_icon(spec.id), spec.name, window, checkable=True)
            action.setObjectName(f"tool_{spec.id}")
            action.setShortcut(QKeySequence(spec.shortcut))
            action.setToolTip(f"{spec.name} ({spec.shortcut}): {spec.tip}")
            action.triggered.connect(ignoring_checked(lambda tool_id=spec.id: self.use(tool_id)))
            action.setEnabled(False)
            self.group.addAction(action)
            self.addAction(action)
            self.tool_actions[spec.id] = action
        self.addSeparator()
        self.command_actions: list[QAction] = []
        for command in CANVAS_COMMANDS:
            action = QAction(tool_icon(command.id), command.text, window)
            action.setIconText(SHORT_NAMES.get(command.id, command.text))  # under the icon; the menu and tip say it all
            action.setObjectName(command.id.replace(".", "_"))
            action.setShortcut(QKeySequence(command.shortcut))
            action.setToolTip(f"{command.text} ({command.shortcut})")
            action.triggered.connect(ignoring_checked(lambda c=command: self.run(c)))
            action.setEnabled(False)
            self.addAction(action)
            self.command_actions.append(action)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        self.setIconSize(QSize(28, 28))
        window.addToolBar(Qt.ToolBarArea.LeftToolBarArea, self)

    def attach(self, context: ToolContext) -> None:
        """Tools for a newly opened project."""
        self.view.set_tool(None)
        self.context = context
        self.tools = build_tools(context)
        for action in list(self.tool_actions.values()) + self.command_actions:
            action.setEnabled(True)
        self.use("select")

    def use(self, tool_id: str) -> None:
        if tool_id in self.tools:
            self.view.set_tool(self.tools[tool_id])
            self.tool_actions[tool_id].setChecked(True)
            self.context.show_status(self.tools[tool_id].status_text)

    def run(self, command: CanvasCommand) -> None:
        if self.context is None:
            return
        if command.function is not None:
            command.function(self.context)
        else:
            getattr(self.tools[command.tool], command.method)()
