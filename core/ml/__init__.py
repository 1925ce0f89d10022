"""Machine learning: pretrained backbones, task models (pose, detection, segmentation), the
trainer shared by the CLI, the GUI's Train button and torchrun, metrics, and inference.

Pure Python and PyTorch; no Qt. Long work reports structured events through a callback and
stops on a cancel token.
"""
