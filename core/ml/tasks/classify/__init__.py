"""Frame classification: behaviours coded for the whole frame (events with no subject), learnt
from the video itself (DeepEthogram-style), on the behaviour machinery (`core.ml.tasks.behaviour`)
with its whole-frame settings forced. The task object is `task.CLASSIFY`."""
