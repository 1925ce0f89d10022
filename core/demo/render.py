"""Render a demo world to an H.264 video and return its ground truth.

Long work in the house style: a plain function that reports progress through a callback and
stops on a cancel token; the GUI runs it on a worker. The video is written to a temporary name
and moved into place when complete, so a cancelled or failed render never leaves a file that
looks like a finished demo video.
"""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from core.demo.config import WorldConfig
from core.demo.truth import GroundTruth, TruthRecorder
from core.demo.world import World
from core.runtime.cancel import CancelToken, ProgressCallback, check_cancel, report

_RENDER_AHEAD = 6  # frames rendered on a worker thread while the encoder works
KEYFRAME_INTERVAL = 30  # frames between keyframes: a seek decodes at most this many frames
CRF = 18  # visually lossless for x264


def _to_i420(image: np.ndarray) -> np.ndarray:
    """BT.601 limited-range planar YUV 4:2:0 of a BGR image. OpenCV's conversion rounds
    accurately; PyAV's default (swscale without accurate rounding) darkens blue by about one
    grey level, which would show as a bias between the truth's pixels and the video's."""
    return cv2.cvtColor(image, cv2.COLOR_BGR2YUV_I420)


def render_world(config: WorldConfig, out_video_path: str | Path,
                 progress: ProgressCallback | None = None,
                 cancel: CancelToken | None = None) -> GroundTruth:
    """Write the world of `config` to `out_video_path` (H.264 mp4, yuv420p) and return its truth.

    `progress(frames_done, n_frames)` is called after each frame; `cancel` is a
    `threading.Event` that stops the render, which then raises `Cancelled` (no video written). Frame i of the video, decoded in order, is the frame `truth.frame(i)`
    describes.
    """
    out = Path(out_video_path)
    tmp = out.with_name(f".{out.stem}.partial{out.suffix or '.mp4'}")
    world = World(config)
    recorder = TruthRecorder(config, world.identities)
    n = config.n_frames
    try:
        with av.open(str(tmp), mode="w", format="mp4") as container:
            rate = Fraction(config.fps).limit_denominator(1001)
            stream = container.add_stream("libx264", rate=rate)
            stream.width, stream.height = config.width, config.height
            stream.pix_fmt = "yuv420p"
            stream.time_base = 1 / rate
            stream.codec_context.gop_size = KEYFRAME_INTERVAL
            # A fixed keyframe interval (no scene-cut keyframes) makes seek cost predictable.
            stream.options = {"crf": str(CRF), "preset": "veryfast",
                              "x264-params": f"keyint={KEYFRAME_INTERVAL}:min-keyint={KEYFRAME_INTERVAL}:scenecut=0"}
            # Rendering (numpy/OpenCV) and encoding (x264) both release the GIL: rendering a few
            # frames ahead on a worker overlaps them. render_frame(i) depends on i alone, so
            # the order frames are rendered in cannot change a pixel.
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-render") as pool:
                pending: deque[Future] = deque()
                try:
                    for i in range(n):
                        while len(pending) < _RENDER_AHEAD and i + len(pending) < n:
                            pending.append(pool.submit(world.render_frame, i + len(pending)))
                        check_cancel(cancel, f"demo render at frame {i} of {n}")
                        frame = pending.popleft().result()
                        recorder.add(i, frame.animals, [frame.mask_rle(a.track_id) for a in frame.animals])
                        video_frame = av.VideoFrame.from_ndarray(_to_i420(frame.image), format="yuv420p")
                        video_frame.pts = i
                        container.mux(stream.encode(video_frame))
                        report(progress, i + 1, n)
                finally:
                    for future in pending:
                        future.cancel()
            container.mux(stream.encode(None))
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return recorder.finish()
