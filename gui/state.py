"""The window's typed state: which project, video and frame are current, with explicit
signals (no dictionary of strings), guarded against echo between two-way bindings."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class AppState(QObject):
    video_changed = Signal(int)  # video id
    frame_changed = Signal(int)  # frame index
    selection_changed = Signal(object)  # instance id or None

    def __init__(self) -> None:
        super().__init__()
        self.video_id: int | None = None
        self.frame_index = 0
        self.frame_count = 0
        self.selected_instance: int | None = None

    def set_video(self, video_id: int, frame_count: int) -> None:
        if video_id == self.video_id:
            return
        self.video_id, self.frame_count = video_id, frame_count
        self.selected_instance = None
        self.video_changed.emit(video_id)
        self.frame_index = -1
        self.set_frame(0)

    def set_frame(self, index: int) -> None:
        index = max(0, min(int(index), max(self.frame_count - 1, 0)))
        if index == self.frame_index:
            return
        self.frame_index = index
        self.frame_changed.emit(index)

    def step(self, delta: int) -> None:
        self.set_frame(self.frame_index + delta)

    def select(self, instance_id: int | None) -> None:
        if instance_id != self.selected_instance:
            self.selected_instance = instance_id
            self.selection_changed.emit(instance_id)
