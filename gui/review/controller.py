"""The review half of the main window, for one open project: the review dock (objectName
`review`), the review actions (next/previous frame to review, reject), and the Predict dialog.
The window creates one per project and calls `dispose()` before the next:

    self.review = ReviewController(self, project, self.undo_controller, self.state, self.push_edit)

It keeps the canvas in step with the dock: the score threshold, the show/hide toggle and the
models' node thresholds are set on the window's `view` (FrameView) and the frame is redrawn,
also while predictions arrive.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QElapsedTimer, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu

from core.edits import Edit
from core.project import Project
from gui.actions import ignoring_checked
from gui.review.predict_dialog import PredictDialog
from gui.review.review_panel import ReviewPanel
from gui.state import AppState
from gui.undo import UndoController

DOCK_NAME = "review"
LIST_REFRESH_MS = 2000  # while predictions stream in, the review list is recomputed at most this often

# (objectName, text, shortcut, ReviewPanel method)
REVIEW_ACTIONS = (
    ("action_review_next", "Next Frame to Review", "Ctrl+Shift+Right", "step_next"),
    ("action_review_previous", "Previous Frame to Review", "Ctrl+Shift+Left", "step_previous"),
    ("action_reject", "Reject Selected Prediction", "Shift+Delete", "reject_selected"),
)


class ReviewController(QObject):
    def __init__(
        self, window: QMainWindow, project: Project, undo: UndoController, state: AppState, push_edit: Callable[[Edit], bool]
    ) -> None:
        super().__init__(window)
        self.window, self.project, self.state = window, project, state
        self.panel = ReviewPanel(undo, state, push_edit)
        self.panel.setObjectName("review_panel")
        self.panel.show_box.setChecked(window.view.show_predictions)
        self.panel.set_threshold(window.view.score_threshold)
        window.view.node_thresholds = project.models.node_thresholds()
        self.panel.display_changed.connect(self._display_changed)
        self.panel.message.connect(window.show_message)
        self.dock = self._dock()
        self.dialog: PredictDialog | None = None
        self._disposed = False
        self._since_list_refresh = QElapsedTimer()
        self.actions: list[QAction] = []
        self.menu = self._menu()
        for name, text, shortcut, method in REVIEW_ACTIONS:
            action = QAction(text, window)
            action.setObjectName(name)
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(ignoring_checked(getattr(self, method)))
            window.addAction(action)
            self.menu.addAction(action)
            self.actions.append(action)

    # --- the window's actions call these ------------------------------------------------------------

    def show_predict_dialog(self) -> PredictDialog:
        """Open Predict (non-modal), the model chosen in the models panel preselected."""
        if self.dialog is None:
            self.dialog = PredictDialog(self.project, self.state, self.window)
            self.dialog.predictions_written.connect(self._predictions_written)
            self.dialog.done.connect(self._prediction_done)
        if not self.dialog.is_running:
            self.dialog.refresh(getattr(self.window, "chosen_model_id", None))
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def accept_all_on_frame(self) -> None:
        self.panel.accept_all_on_frame()

    def toggle_predictions(self) -> None:
        self.panel.show_box.toggle()

    def step_next(self) -> None:
        self.panel.step(+1)

    def step_previous(self) -> None:
        self.panel.step(-1)

    def reject_selected(self) -> None:
        self.panel.reject_selected()

    def dispose(self) -> None:
        """Before another project opens, or the window closes: stop a running prediction (a clean
        stop, killed after 5 s), drop the actions and the panel. Safe to call twice."""
        if self._disposed:
            return
        self._disposed = True
        if self.dialog is not None:
            if self.dialog.runner is not None:
                self.dialog.runner.shutdown()
            if self.dialog.worker is not None:
                self.dialog.worker.stop()
            self.dialog.close()
            self.dialog.deleteLater()
        for action in self.actions:
            self.menu.removeAction(action)
            self.window.removeAction(action)
            action.deleteLater()
        self.panel.deleteLater()

    # --- keeping the canvas in step -----------------------------------------------------------------

    def _display_changed(self) -> None:
        self.window.view.show_predictions = self.panel.show_predictions
        self.window.view.score_threshold = self.panel.threshold
        self._redraw()

    def _predictions_written(self) -> None:
        self._redraw()
        if not self._since_list_refresh.isValid() or self._since_list_refresh.elapsed() >= LIST_REFRESH_MS:
            self._since_list_refresh.start()
            self.panel.refresh()

    def _prediction_done(self, event: dict) -> None:
        self.panel.refresh()
        self.dock.raise_()  # what comes next is reviewing
        self._redraw()
        kind = event.get("event")
        if kind == "failed":
            self.window.show_message(f"Prediction failed: {event.get('reason')}")
        elif kind == "finished":
            self.window.show_message(f"Prediction done: {event.get('instances', 0)} predictions on {event.get('frames', 0)} frames")
        elif kind == "cancelled":
            self.window.show_message(f"Prediction stopped: {event.get('frames', 0)} frames predicted (kept)")

    def _redraw(self) -> None:
        """Redraw the current frame's instances (and the lists that show them), with the models'
        node thresholds as they now are (the review panel sets them; a new model brings one)."""
        self.window.view.node_thresholds = self.project.models.node_thresholds()
        refresh = getattr(self.window, "refresh_annotations", None)
        if refresh is not None:
            refresh()
        else:  # until the window offers a public refresh (see the integration notes)
            self.window._show_annotations()

    # --- assembly -------------------------------------------------------------------------------------

    def _dock(self) -> QDockWidget:
        """The window's review dock (kept across projects), now holding this project's panel."""
        dock = self.window.findChild(QDockWidget, DOCK_NAME)
        if dock is None:
            dock = QDockWidget("Review", self.window)
            dock.setObjectName(DOCK_NAME)
            self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            neighbour = getattr(self.window, "docks", {}).get("Ethogram")  # the tallest room on the right
            if neighbour is not None:
                self.window.tabifyDockWidget(neighbour, dock)
        old = dock.widget()
        dock.setWidget(self.panel)
        if old is not None and old is not self.panel:
            old.deleteLater()
        return dock

    def _menu(self) -> QMenu:
        menu = self.window.menuBar().findChild(QMenu, "menu_review")
        if menu is None:
            menu = self.window.menuBar().addMenu("Re&view")
            menu.setObjectName("menu_review")
        return menu
