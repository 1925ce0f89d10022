"""One-button training in the window: the Train dialog, the training dock, the models panel and
the controller that ties them to the background `ethoframe train` process."""

from gui.training.controller import TrainingController

__all__ = ["TrainingController"]
