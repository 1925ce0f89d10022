"""Asks where moved videos are now: one row per missing video with a Locate button; the file
picked is accepted only if its content matches (core checks the fingerprint)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QGridLayout, QLabel, QPushButton, QVBoxLayout

from core.project import Project, ProjectError
from core.video import VideoError
from core.workflows.videos import relink_video


class RelinkDialog(QDialog):
    relinked = Signal(int)  # video id

    def __init__(self, project: Project, parent=None) -> None:
        super().__init__(parent)
        self.project = project
        self.setWindowTitle("Videos not found")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("These videos are not where the project last saw them. Locate each one to keep working on it:"))
        grid = QGridLayout()
        self.status: dict[int, QLabel] = {}
        for row, video in enumerate(project.videos.missing()):
            grid.addWidget(QLabel(video.path), row, 0)
            status = QLabel("missing")
            self.status[video.id] = status
            grid.addWidget(status, row, 1)
            locate = QPushButton("Locate…")
            locate.clicked.connect(lambda _=False, v=video.id: self.locate(v))
            grid.addWidget(locate, row, 2)
        layout.addLayout(grid)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def locate(self, video_id: int) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Where is this video now?")
        if path:
            self.relink(video_id, path)

    def relink(self, video_id: int, path: str) -> bool:
        try:
            relink_video(self.project, video_id, path)
        except (ProjectError, VideoError) as error:
            self.status[video_id].setText(str(error))
            return False
        self.status[video_id].setText("found")
        self.relinked.emit(video_id)
        return True
