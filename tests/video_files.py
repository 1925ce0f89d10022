"""Small test videos written on the fly (importable from any test: `from video_files import ...`
after putting tests/ on the path; conftest modules cannot be imported from each other safely)."""

from __future__ import annotations

from pathlib import Path


def write_test_video(path: Path, frames: int = 20, width: int = 64, height: int = 48, fps: int = 10) -> Path:
    """A small H.264 video whose frame i has mean brightness that grows with i."""
    import av
    import numpy as np

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for i in range(frames):
            image = np.full((height, width, 3), (i * 10) % 256, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path
