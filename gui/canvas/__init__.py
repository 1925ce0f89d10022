"""The canvas: the frame and the annotations drawn over it."""
