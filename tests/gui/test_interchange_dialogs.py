"""File > Import shows what a file holds before anything changes, imports on a background
thread, and refuses a malformed file with the project unchanged; File > Export writes."""

from __future__ import annotations

import pytest

from core.project import Project
from gui.app import MainWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, tmp_path):
    Project.create(tmp_path / "p").close()
    main = MainWindow(tmp_path / "p")
    qtbot.addWidget(main)
    return main


@pytest.mark.slow
def test_import_a_sleap_file_with_preview_then_export(qtbot, window, shared_data, tmp_path):
    dialog = window.show_import_dialog()
    dialog.set_path(str(shared_data / "sleap" / "clip.slp"))
    assert "SLP" in dialog.preview.text() and "3000 instances user" in dialog.preview.text()
    assert window.project.counts().instances_user == 0  # the preview changed nothing
    with qtbot.waitSignal(dialog.imported, timeout=60_000):
        dialog.import_button.click()
    counts = window.project.counts()
    assert (counts.videos, counts.instances_user, counts.tracks) == (1, 3000, 2)
    assert window.video_list.count() == 1

    out = tmp_path / "trajectories"
    exporter = window.show_export_dialog()
    exporter.path_row.edit.setText(str(out))
    exporter.format_box.setCurrentText("csv")
    with qtbot.waitSignal(exporter.exported, timeout=60_000):
        exporter.export_button.click()
    rows = (out / "trajectories.csv").read_text().strip().splitlines()
    labelled_nodes = sum(
        int((i.keypoints[:, 2] > 0).sum())
        for _, frame in window.project.instances.labeled_frames()
        for i in window.project.instances.on_frame(1, frame)
    )
    assert rows[0].startswith("video,frame,track") and len(rows) == 1 + labelled_nodes  # a row per labelled node


def test_a_malformed_file_is_refused_and_nothing_changes(qtbot, window, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"images": [], "annotations": [')
    dialog = window.show_import_dialog()
    dialog.set_path(str(broken))
    assert "Cannot import this" in dialog.preview.text() and "broken.json" in dialog.preview.text()
    assert not dialog.import_button.isEnabled()
    assert window.project.counts().instances_user == 0


@pytest.mark.slow
def test_reimport_preview_says_unchanged_and_export_picks_nwb_from_the_name(qtbot, window, shared_data, tmp_path):
    clip = str(shared_data / "sleap" / "clip.slp")
    dialog = window.show_import_dialog()
    dialog.set_path(clip)
    assert "3000 new, 0 updated, 0 unchanged" in dialog.preview.text()
    with qtbot.waitSignal(dialog.imported, timeout=60_000):
        dialog.import_button.click()
    again = window.show_import_dialog()
    again.set_path(clip)
    assert "0 new, 0 updated, 3000 unchanged" in again.preview.text()
    assert not again.import_button.isEnabled()  # nothing would change

    exporter = window.show_export_dialog()
    exporter.path_row.edit.setText(str(tmp_path / "flies.nwb"))
    assert exporter.format_box.currentText() == "nwb"
    exporter.what_box.setCurrentText("labels")
    with qtbot.waitSignal(exporter.exported, timeout=60_000) as blocker:
        exporter.export_button.click()
    assert blocker.args[0].files == (str(tmp_path / "flies.nwb"),)
    import ndx_pose  # noqa: F401
    from pynwb import NWBHDF5IO

    with NWBHDF5IO(str(tmp_path / "flies.nwb"), "r") as io:
        assert set(io.read().processing["behavior"].data_interfaces) == {"Skeletons", "female", "male"}
