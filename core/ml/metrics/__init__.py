"""Evaluation metrics, one module per kind of annotation (`keypoints`, `boxes`...), as plain
functions of numpy arrays: no model, no project, no torch."""
