"""The Tracks menu: run the tracker on a video, jump to the next suspected identity problem,
and fix identities from the current frame onwards (swap, assign, merge, split, delete), each one
undoable core edit. The tracker runs on a worker; everything else is a click."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QMainWindow, QMenu

from core import edits
from core.project import Project, ProjectError
from core.tracking import Suspect, find_suspects, next_suspect, previous_suspect, track_video
from gui.actions import ignoring_checked
from gui.state import AppState
from gui.worker import Worker, run_in_background


class TracksController(QObject):
    message = Signal(str)
    tracked = Signal(object)  # the TrackSummary

    def __init__(self, window: QMainWindow, project: Project, state: AppState, push_edit) -> None:
        super().__init__(window)
        self.window, self.project, self.state, self.push_edit = window, project, state, push_edit
        self.suspects: list[Suspect] = []
        self.shown_suspects: Callable[[], list[Suspect] | None] | None = None  # the track lanes' current ones
        self.worker: Worker | None = None
        self.menu = QMenu("&Tracks", window)
        self.menu.setObjectName("menu_tracks")
        window.menuBar().addMenu(self.menu)
        self.actions: dict[str, QAction] = {}
        for name, text, keys, slot in (
            ("track_video", "&Track This Video", "", self.track_current_video),
            ("next_suspect", "&Next Suspected Identity Problem", "Ctrl+J", lambda: self.go_to_suspect(+1)),
            ("previous_suspect", "&Previous Suspected Identity Problem", "Ctrl+Shift+J", lambda: self.go_to_suspect(-1)),
            ("swap_from_here", "&Swap Identity From Here…", "Ctrl+Shift+S", self.ask_swap),
            ("merge_track", "&Merge Track Into…", "", self.ask_merge),
            ("split_track", "Split Track &Here", "", self.split_here),
            ("delete_track", "&Delete Track", "", self.delete_selected_track),
        ):  # fmt: skip
            action = QAction(text, window)
            action.setObjectName(f"action_{name}")
            if keys:
                action.setShortcut(QKeySequence(keys))
            action.triggered.connect(ignoring_checked(slot))
            self.menu.addAction(action)
            window.addAction(action)
            self.actions[name] = action

    def dispose(self) -> None:
        for action in self.actions.values():
            self.window.removeAction(action)
        self.menu.deleteLater()

    # --- tracking and suspects -------------------------------------------------------------------

    def track_current_video(self, max_animals: int | None = None) -> Worker | None:
        if self.state.video_id is None:
            return None
        self.worker = Worker(track_video, self.project, self.state.video_id, "predicted", max_animals)
        self.worker.signals.done.connect(self._tracked)
        self.worker.signals.failed.connect(lambda error: self.message.emit(f"tracking failed: {error}"))
        return run_in_background(self.worker)

    def _tracked(self, summary) -> None:
        self.suspects = []
        self.message.emit(summary.describe())
        self.tracked.emit(summary)

    def refresh_suspects(self) -> list[Suspect]:
        """The suspects the track lanes show (worked out off the GUI thread), when they are
        up to date and mark some; else this video's, read now (half a second at 100,000 predictions)."""
        shown = self.shown_suspects() if self.shown_suspects is not None else None
        if shown:
            self.suspects = shown
        else:
            self.suspects = find_suspects(self.project, self.state.video_id) if self.state.video_id is not None else []
        return self.suspects

    def go_to_suspect(self, direction: int) -> Suspect | None:
        if self.state.video_id is None:
            return None
        suspects = self.refresh_suspects()
        find = next_suspect if direction > 0 else previous_suspect
        suspect = find(suspects, self.state.frame_index)
        if suspect is None:
            self.message.emit("no more suspected identity problems in this direction")
            return None
        self.state.set_frame(suspect.frame)
        self.message.emit(f"frame {suspect.frame}: {suspect.kind} {suspect.detail}".strip())
        return suspect

    # --- identity edits --------------------------------------------------------------------------

    def _selected_track(self) -> int | None:
        if self.state.selected_instance is None:
            self.message.emit("select an instance first")
            return None
        track = self.project.instances.get(self.state.selected_instance).track_id
        if track is None:
            self.message.emit("the selected instance has no track")
        return track

    def _choose_other_track(self, title: str, exclude: int) -> int | None:
        tracks = [t for t in self.project.tracks.all() if t.id != exclude]
        if not tracks:
            self.message.emit("there is no other track")
            return None
        name, ok = QInputDialog.getItem(self.window, title, "Track:", [t.name for t in tracks], 0, False)
        return next((t.id for t in tracks if t.name == name), None) if ok else None

    def _push(self, ask, *args) -> bool:
        try:
            edit = ask(self.project, *args)
        except (ProjectError, ValueError) as error:
            self.message.emit(str(error))
            return False
        return bool(self.push_edit(edit))

    def swap_from_here(self, track_a: int, track_b: int) -> bool:
        """Tracks a and b trade identities from the current frame to the end of the video."""
        return self._push(edits.swap_tracks, self.state.video_id, track_a, track_b, self.state.frame_index)

    def ask_swap(self) -> None:
        track = self._selected_track()
        other = self._choose_other_track("Swap identity from here with", track) if track is not None else None
        if other is not None:
            self.swap_from_here(track, other)

    def merge(self, keep_id: int, merge_id: int) -> bool:
        return self._push(edits.merge_tracks, keep_id, merge_id)

    def ask_merge(self) -> None:
        track = self._selected_track()
        keep = self._choose_other_track("Merge this track into", track) if track is not None else None
        if keep is not None:
            self.merge(keep, track)

    def split_here(self) -> bool:
        track = self._selected_track()
        return track is not None and self._push(edits.split_track, self.state.video_id, track, self.state.frame_index)

    def delete_selected_track(self) -> bool:
        track = self._selected_track()
        return track is not None and self._push(edits.delete_track, track)
