"""The one cancel token and progress callback of long work: a `threading.Event` stops it with
`Cancelled`, whichever room the work is in (video, tracking, suggestions, the demo render)."""

from __future__ import annotations

import threading

import pytest

from core.runtime.cancel import Cancelled, check_cancel, is_cancelled, report


def test_an_event_stops_work_with_cancelled_naming_it():
    stop = threading.Event()
    check_cancel(stop, "thumbnails")  # not set: nothing happens
    check_cancel(None, "thumbnails")
    stop.set()
    assert is_cancelled(stop) and not is_cancelled(None)
    with pytest.raises(Cancelled, match="thumbnails: cancelled"):
        check_cancel(stop, "thumbnails")


def test_report_calls_progress_only_when_there_is_one():
    seen = []
    report(lambda done, total: seen.append((done, total)), 3, 10)
    report(None, 4, 10)
    assert seen == [(3, 10)]
