"""The review dock: the predicted frames of the current video in review order (lowest
confidence first, or most disagreement with the previous frame), the score threshold and the
show/hide toggle for predictions, the pose model's node threshold (nodes scoring under it are
drawn dimmed and left out when accepted or exported; changing it re-applies at once, no model
run, and is kept on the model), and the buttons of the review loop — accept the selected
prediction, accept all shown on the frame, reject (delete a false positive), previous/next frame
to review. The order and the edits come from `core.workflows.review` and `core.edits`; this
widget only shows them and hands the edits to `push_edit` (the window's undoable push).

Ranking a whole video is a full read (a second or more on 100,000 predictions): it runs on a
worker, and after an edit the queue re-ranks only the frames the edit touched
(`core.workflows.review_queue`), so an accept never waits for the whole video."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from core.edits import Edit, accept_prediction, reject_prediction
from core.project import ProjectError
from core.workflows.review import (
    ReviewBy,
    ReviewItem,
    accept_visible,
    next_to_review,
)
from core.workflows.review_queue import ReviewContext, ReviewQueue, review_context
from gui.analysis import BIG_VIDEO_FRAMES, LatestAnalysis
from gui.state import AppState
from gui.undo import UndoController

MAX_LISTED = 300  # rows in the list; stepping with next/previous goes through the whole order
SLIDER_STEPS = 100  # the slider spans [0, 1], or up to the highest score of imported predictions


class ReviewPanel(QWidget):
    display_changed = Signal()  # the threshold or the show/hide toggle changed: redraw the canvas
    message = Signal(str)
    ranked = Signal()  # a new queue is shown

    def __init__(
        self, undo: UndoController, state: AppState, push_edit: Callable[[Edit], bool], parent: QWidget | None = None
    ) -> None:
        """`push_edit` applies an edit through the undo stack and says whether it was made."""
        super().__init__(parent)
        self.undo, self.state, self.project, self.push_edit = undo, state, undo.project, push_edit
        self.order: Sequence[ReviewItem] = []
        self.queue: ReviewQueue | None = None
        self.analysis = LatestAnalysis(self)
        self.analysis.ready.connect(self._ranked)
        self.analysis.failed.connect(self.message.emit)
        self.head_analysis = LatestAnalysis(self)  # a long video's first frames, while the rest is ranked
        self.head_analysis.ready.connect(self._ranked)
        self.context_analysis = LatestAnalysis(self)  # the slider's scale and the node-threshold model
        self.context_analysis.ready.connect(self._show_context)
        self._listed: list[tuple[int, str]] = []  # what the list shows
        self._top = 1.0  # the score at the slider's right end
        self._restart_walk = True
        self._walk: list[tuple[float, int]] = []  # the order as it stood when the user came to this frame, for "next"

        self.order_box = QComboBox()
        self.order_box.setObjectName("review_order")
        self.order_box.addItem("Lowest confidence first", "confidence")
        self.order_box.addItem("Disagreement with previous frame", "disagreement")
        self.frame_list = QListWidget()
        self.frame_list.setObjectName("review_frames")
        self.summary = QLabel()
        self.show_box = QCheckBox("Show predictions")
        self.show_box.setObjectName("show_predictions")
        self.show_box.setChecked(True)
        self.threshold_slider = QSlider(Qt.Orientation.Horizontal)
        self.threshold_slider.setObjectName("score_threshold")
        self.threshold_slider.setRange(0, SLIDER_STEPS)
        self.threshold_label = QLabel()
        self.scale_note = QLabel()  # says so when the scores are not 0-1 confidences
        self.scale_note.setObjectName("score_scale_note")
        self.scale_note.setWordWrap(True)
        self.scale_note.hide()
        self.node_model_id: int | None = None  # the pose model whose node threshold the spin box sets
        self.node_threshold_box = QDoubleSpinBox()
        self.node_threshold_box.setObjectName("node_threshold")
        self.node_threshold_box.setRange(0.0, 1.0)
        self.node_threshold_box.setSingleStep(0.01)
        self.node_threshold_box.setDecimals(2)
        self.node_threshold_box.setKeyboardTracking(False)  # one change per typed value, not per key
        self.node_threshold_label = QLabel("Node score ≥")
        self.accept_button = QPushButton("Accept")
        self.accept_button.setToolTip("Make the selected prediction a label (Ctrl+Return)")
        self.accept_all_button = QPushButton("Accept all")
        self.accept_all_button.setToolTip("Accept every prediction shown on this frame (Ctrl+Shift+Return)")
        self.reject_button = QPushButton("Reject")
        self.reject_button.setToolTip("Delete the selected prediction: a false positive (Shift+Delete)")
        self.previous_button = QPushButton("◀ Previous")
        self.previous_button.setToolTip("Previous frame to review (Ctrl+Shift+Left)")
        self.next_button = QPushButton("Next ▶")
        self.next_button.setToolTip("Next frame to review (Ctrl+Shift+Right)")

        threshold_row = QHBoxLayout()
        threshold_row.addWidget(QLabel("Score ≥"))
        threshold_row.addWidget(self.threshold_slider, 1)
        threshold_row.addWidget(self.threshold_label)
        node_row = QHBoxLayout()
        node_row.addWidget(self.node_threshold_label)
        node_row.addWidget(self.node_threshold_box, 1)
        buttons = QGridLayout()
        for n, button in enumerate((self.accept_button, self.accept_all_button, self.reject_button)):
            buttons.addWidget(button, 0, n)
        buttons.addWidget(self.previous_button, 1, 0)
        buttons.addWidget(self.next_button, 1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.order_box)
        layout.addWidget(self.frame_list, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.show_box)
        layout.addLayout(threshold_row)
        layout.addWidget(self.scale_note)
        layout.addLayout(node_row)
        layout.addLayout(buttons)

        self.order_box.currentIndexChanged.connect(lambda _index: self.refresh())
        self.frame_list.itemClicked.connect(self._item_clicked)
        self.frame_list.itemActivated.connect(self._item_clicked)
        self.show_box.toggled.connect(self._display_changed)
        self.threshold_slider.valueChanged.connect(self._display_changed)
        self.node_threshold_box.valueChanged.connect(self._node_threshold_changed)
        self.accept_button.clicked.connect(self.accept_selected)
        self.accept_all_button.clicked.connect(self.accept_all_on_frame)
        self.reject_button.clicked.connect(self.reject_selected)
        self.previous_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(+1))
        undo.edit_done.connect(self._edit_done)
        state.video_changed.connect(lambda _video: self.refresh())
        state.frame_changed.connect(lambda _frame: self._arrived())
        self._update_threshold_label()
        self.refresh()

    # --- what is shown --------------------------------------------------------------------------

    @property
    def threshold(self) -> float:
        return self.threshold_slider.value() * self._top / SLIDER_STEPS

    def set_threshold(self, score: float) -> None:
        self.threshold_slider.setValue(round(score / self._top * SLIDER_STEPS))

    def _show_context(self, context: ReviewContext) -> None:
        if context.video_id == self.state.video_id:
            self._update_scale(context.highest_score)
            self._show_node_threshold(context.node_model_id)

    def _update_scale(self, highest: float | None) -> None:
        """Stretch the slider over the video's scores when they go past 1, keeping the threshold."""
        top = max(1.0, float(highest or 0.0))
        self._show_scale(top)
        if top != self._top:
            threshold, self._top = self.threshold, top
            blocker = self.threshold_slider.blockSignals(True)
            self.set_threshold(min(threshold, top))
            self.threshold_slider.blockSignals(blocker)
            self._update_threshold_label()

    def _show_scale(self, top: float) -> None:
        """Scores past 1 are shown as they are (SLEAP's instance score sums its nodes' scores),
        against a slider spanning 0 to the highest of them, and the panel says so."""
        raw = top > 1.0
        text = (f"Scores run from 0 to {top:.2f} here, not 0–1 confidences (an imported model's own scale, "
                "e.g. SLEAP sums its nodes' scores): shown as they are, the slider spans them.") if raw else ""  # fmt: skip
        self.scale_note.setText(text)
        self.scale_note.setVisible(raw)
        tip = text or "Predictions scoring under this (a 0–1 confidence) are hidden and not reviewed"
        for widget in (self.threshold_slider, self.threshold_label):
            widget.setToolTip(tip)

    @property
    def show_predictions(self) -> bool:
        return self.show_box.isChecked()

    @property
    def by(self) -> ReviewBy:
        return self.order_box.currentData()

    @property
    def _frames(self) -> list[int]:
        return self.queue.frames if self.queue is not None else []

    @property
    def _big(self) -> bool:
        return self.state.frame_count >= BIG_VIDEO_FRAMES

    @property
    def busy(self) -> bool:
        """Whether a ranking newer than the one listed (or its scale) is under way."""
        return self.analysis.busy or self.context_analysis.busy

    def refresh(self) -> None:
        """Rank the video's predicted frames anew (on a worker) and list the first `MAX_LISTED`;
        the walk "next" follows starts anew (the threshold, the order or the predictions changed)."""
        video_id = self.state.video_id
        self._restart_walk = True
        if video_id is None:
            self.analysis.cancel()
            self._show_queue(None)
            self._update_scale(None)
            self._show_node_threshold(None)
            return
        if not len(self.order):
            self.summary.setText("Ranking the predicted frames…")
        if self._big and self.by == "confidence":
            self.head_analysis.request(ReviewQueue.build_head, self.project, video_id, self.threshold, MAX_LISTED, now=True, big=True)
        self.analysis.request(ReviewQueue.build, self.project, video_id, self.by, self.threshold, now=True, big=self._big)
        self.context_analysis.request(review_context, self.project, video_id, now=True, big=self._big)

    def _ranked(self, queue: ReviewQueue) -> None:
        if queue.video_id != self.state.video_id or queue.by != self.by or queue.min_score != self.threshold:
            return  # asked before the video, the order or the threshold changed
        if queue.partial and not self.analysis.busy:
            return  # the whole order came first
        self._show_queue(queue)
        self.ranked.emit()

    def _edit_done(self, edit: Edit) -> None:
        """Re-rank what the edit touched; the walk "next" follows is kept (the edited frame may
        have moved in the order or left it)."""
        video_id = self.state.video_id
        touched = [t for t in edit.touched() if t.topic in ("instances", "catalog") and t.concerns(video_id)]
        if video_id is None or not touched:
            return
        if self.by == "confidence":  # a frame's rank is its own predictions' lowest score
            frames = {t.frame_index for t in touched if t.topic == "instances" and t.predicted}
            exact = all(t.topic == "instances" and (t.frame_index is not None or not t.predicted) for t in touched)
            if exact and not frames:
                return  # user labels only
            if exact and self.queue is not None and not self.busy and self.queue.update(self.project, frames):
                self._show_queue(self.queue, restart_walk=False)
                return
        self._restart_walk = False
        self.analysis.request(ReviewQueue.build, self.project, video_id, self.by, self.threshold, big=self._big)

    def _show_queue(self, queue: ReviewQueue | None, restart_walk: bool | None = None) -> None:
        self.queue = queue
        self.order = queue.items if queue is not None else []
        if self._restart_walk if restart_walk is None else restart_walk:
            self._walk = queue.snapshot() if queue is not None else []  # a copy: the queue re-ranks in place
        self._restart_walk = True
        listed = [(item.frame_index, item.reason) for item in (queue.head(MAX_LISTED) if queue is not None else [])]
        if listed != self._listed:  # an edit far down the order leaves the list as it is
            self._listed = listed
            self.frame_list.blockSignals(True)
            self.frame_list.clear()
            for frame, reason in listed:
                row = QListWidgetItem(f"frame {frame}  ·  {reason}")
                row.setData(Qt.ItemDataRole.UserRole, frame)
                self.frame_list.addItem(row)
            self.frame_list.blockSignals(False)
        shown = f" (the first {MAX_LISTED} listed)" if len(self.order) > MAX_LISTED else ""
        if queue is not None and queue.partial:
            self.summary.setText(f"The {len(self.order)} least confident frames; ranking the rest…")
            return
        self.summary.setText(f"{len(self.order):,} frames to review{shown}" if len(self.order) else "No predictions to review")
        self._mark_current()

    def _show_node_threshold(self, model_id: int | None) -> None:
        """Show the node threshold of the pose model whose predictions this video shows."""
        self.node_model_id = model_id
        enabled = self.node_model_id is not None
        self.node_threshold_box.setEnabled(enabled)
        self.node_threshold_label.setEnabled(enabled)
        tip = (f"Nodes of model {self.node_model_id}'s predictions scoring under this are drawn dimmed and left out "
               "when accepted or exported (kept on the model)") if enabled else "No pose predictions on this video"  # fmt: skip
        self.node_threshold_box.setToolTip(tip)
        if enabled:
            value = self.project.models.node_threshold(self.node_model_id) or 0.0
            blocker = self.node_threshold_box.blockSignals(True)
            self.node_threshold_box.setValue(value)
            self.node_threshold_box.blockSignals(blocker)

    def _node_threshold_changed(self, value: float) -> None:
        if self.node_model_id is None:
            return
        self.project.models.set_node_threshold(self.node_model_id, value)
        self.message.emit(f"model {self.node_model_id}: node threshold {value:.2f}")
        self.display_changed.emit()

    def _arrived(self) -> None:
        self._walk = self.queue.snapshot() if self.queue is not None else []
        self._mark_current()

    def _mark_current(self) -> None:
        frame = self.state.frame_index
        row = next((r for r in range(self.frame_list.count()) if self.frame_list.item(r).data(Qt.ItemDataRole.UserRole) == frame), -1)
        self.frame_list.blockSignals(True)
        self.frame_list.setCurrentRow(row)
        self.frame_list.blockSignals(False)
        if row >= 0:
            self.frame_list.scrollToItem(self.frame_list.item(row))

    def _display_changed(self, *_args) -> None:
        self._update_threshold_label()
        self.refresh()
        self.display_changed.emit()

    def _update_threshold_label(self) -> None:
        self.threshold_label.setText(f"{self.threshold:.2f}" + (f" / {self._top:.1f}" if self._top > 1.0 else ""))

    # --- gestures -------------------------------------------------------------------------------

    def _item_clicked(self, item: QListWidgetItem) -> None:
        self.state.set_frame(item.data(Qt.ItemDataRole.UserRole))

    def step(self, direction: int) -> None:
        """Go to the next (+1) or previous (-1) frame in review order."""
        here = self.state.frame_index
        frames = self._frames
        frame = next_to_review(frames, here, direction, [frame for _, frame in self._walk])
        if frame is None and direction > 0:
            # Past the end while frames are still listed (visited, or moved down by an edit):
            # round again from the top rather than claim there is nothing left.
            frame = next((f for f in frames if f != here), None)
            if frame is not None:
                self.message.emit("end of the list: back to its first frame")
        if frame is None:
            self.message.emit(("no other frame to review" if frames else "no more frames to review")
                              if direction > 0 else "this is the first frame to review")  # fmt: skip
        else:
            self.state.set_frame(frame)

    def accept_selected(self) -> None:
        self._ask(accept_prediction, "select a prediction to accept")

    def reject_selected(self) -> None:
        if self._ask(reject_prediction, "select a prediction to reject"):
            self.state.select(None)  # it is gone

    def accept_all_on_frame(self) -> None:
        """Accept the predictions the canvas shows on this frame (none while they are hidden)."""
        if self.state.video_id is None:
            return
        if not self.show_predictions:
            self.message.emit("predictions are hidden: show them to accept them")
            return
        instances = self.project.instances.on_frame(self.state.video_id, self.state.frame_index, source="predicted")
        try:
            edit = accept_visible(self.project, instances, self.threshold)
        except ProjectError as error:
            self.message.emit(str(error))
            return
        self.push_edit(edit)

    def _ask(self, ask: Callable[..., Edit], hint: str) -> bool:
        """Build an edit of the selected instance and push it; whether it was made."""
        selected = self.state.selected_instance
        if selected is None:
            self.message.emit(hint)
            return False
        try:
            edit = ask(self.project, selected)
        except ProjectError as error:  # not a prediction, or gone
            self.message.emit(str(error))
            return False
        return bool(self.push_edit(edit))
