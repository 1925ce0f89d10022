"""Jobs that run outside the GUI thread (and usually in their own process): training,
prediction over videos, evaluation. Each is a plain function reporting events."""
