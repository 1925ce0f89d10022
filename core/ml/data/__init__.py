"""Training data from a project: which frames, split how, decoded once."""
