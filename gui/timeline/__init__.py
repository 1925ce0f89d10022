"""The behaviour timeline under the video: pure geometry (`layout`), what it shows (`data`),
painting (`painter`) and the widget that turns gestures into core edits (`timeline_widget`)."""

from gui.timeline.timeline_widget import TimelineWidget

__all__ = ["TimelineWidget"]
