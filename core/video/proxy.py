"""Seek-friendly proxies of long-GOP videos, and where to keep them.

A camera's H.264 with a keyframe every 250 frames costs up to 250 decodes per random jump
(~100-200 ms at 1 MP). `make_proxy` writes a copy with a keyframe every `gop` frames (10 by
default; no B-frames), so a jump decodes at most `gop` frames. Frame i of the proxy is frame
i of the original: the proxy is written from plain sequential decoding, one frame per frame,
whatever the original's timestamps. Decoded YUV frames go to the encoder as they are, so the
only loss is the encoder's quantisation; every frame is then decoded again from both files
and compared, and the maximum and mean absolute RGB difference go into a JSON report beside
the proxy.

Exactness versus speed, the choice made here: DESIGN.md requires that frame N shown,
trained on and predicted are the same pixels, so a lossy proxy never replaces the original
in `VideoReader.read`. It only serves `read_preview`, for instant feedback while scrubbing;
the GUI then shows the exact frame once it is decoded (the prefetcher brings it). A proxy
made with `lossless=True` (x264 qp 0, several times larger) verifies at max diff 0, and then
`read` uses it too: exact and fast.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.error
import cv2
from av.video.frame import PictureType

from core.runtime.cancel import CancelToken, ProgressCallback, check_cancel, report

from .errors import VideoCorruptError, VideoError
from .fingerprint import fingerprint_file
from .pyav_reader import build_index, open_container

PROXY_CACHE_MB = 96
DEFAULT_GOP = 10
DEFAULT_CRF = 12  # visually lossless on lab footage; mean RGB error well under 1 level

# Pixel formats libx264 takes as they are; anything else is converted (and loses a little).
_X264_FORMATS = {"yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "gray"}


@dataclass(frozen=True)
class ProxyReport:
    """What `make_proxy` wrote and how close it is to the original (RGB levels, 0-255)."""

    source: str
    proxy: str
    source_fingerprint: str
    frame_count: int
    gop: int
    lossless: bool
    max_abs_diff: int
    mean_abs_diff: float
    seconds: float


def report_path(proxy_path: Path) -> Path:
    return proxy_path.with_name(proxy_path.name + ".json")


def read_report(proxy_path: Path) -> ProxyReport | None:
    """The report saved beside a proxy, or None if missing or unreadable."""
    try:
        return ProxyReport(**json.loads(report_path(proxy_path).read_text()))
    except (OSError, ValueError, TypeError):
        return None


def make_proxy(
    path: str | Path,
    out_path: str | Path,
    *,
    gop: int = DEFAULT_GOP,
    crf: int = DEFAULT_CRF,
    lossless: bool = False,
    preset: str = "veryfast",
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> ProxyReport:
    """Write a short-GOP H.264 copy of `path` to `out_path` (MP4) and verify it frame by frame.

    Progress is reported as (done, total) over encoding plus verification. If `cancel` is
    set, stops, removes the partial file and raises `Cancelled`. The proxy only appears at
    `out_path` once verified, so a crash never leaves a half-written proxy to be trusted.
    """
    src, out = Path(path), Path(out_path)
    started = time.perf_counter()
    total_frames = build_index(src).frame_count
    total = 2 * total_frames
    tmp = out.with_name(out.name + ".partial")
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        written = _encode(src, tmp, gop, crf, lossless, preset, total, progress, cancel)
        max_diff, mean_diff = _verify(src, tmp, written, total, progress, cancel)
        result = ProxyReport(
            str(src), str(out), fingerprint_file(src), written, gop, lossless,
            max_diff, mean_diff, time.perf_counter() - started,
        )
        tmp.replace(out)
        report_path(out).write_text(json.dumps(asdict(result), indent=2))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    report(progress, total, total)
    return result


def _encode(
    src: Path, tmp: Path, gop: int, crf: int, lossless: bool, preset: str,
    total: int, progress: ProgressCallback | None, cancel: CancelToken | None,
) -> int:
    container, stream = open_container(src)
    stream.thread_type = "AUTO"
    rate = Fraction(stream.average_rate or stream.guessed_rate or 25).limit_denominator(100000)
    written = 0
    try:
        with av.open(str(tmp), "w", format="mp4") as output:
            enc = output.add_stream("libx264", rate=rate)
            enc.width, enc.height = stream.codec_context.width, stream.codec_context.height
            src_format = stream.codec_context.pix_fmt or "yuv420p"
            enc.pix_fmt = src_format if src_format in _X264_FORMATS else "yuv444p"
            enc.codec_context.time_base = 1 / rate
            # No B-frames and a fixed keyframe interval: any frame is at most gop-1 decodes
            # from a keyframe, and decode order equals presentation order.
            params = f"keyint={gop}:min-keyint={gop}:scenecut=0:bframes=0"
            quality = {"qp": "0"} if lossless else {"crf": str(crf)}
            # fastdecode (no CABAC, no deblocking) halves the decode time of a big intra frame,
            # which is most of the cost of a random jump into the proxy.
            enc.options = {"preset": preset, "tune": "fastdecode", "x264-params": params, **quality}
            for frame in container.decode(stream):
                check_cancel(cancel, f"Making a proxy of {src}")
                if frame.format.name != enc.pix_fmt:
                    frame = frame.reformat(format=enc.pix_fmt)
                frame.pts, frame.time_base = written, enc.codec_context.time_base
                frame.pict_type = PictureType.NONE  # let x264 place keyframes by our keyint
                for packet in enc.encode(frame):
                    output.mux(packet)
                written += 1
                report(progress, written, total)
            for packet in enc.encode():
                output.mux(packet)
    except av.error.FFmpegError as exc:
        raise VideoCorruptError(f"Cannot make a proxy of {src}: {exc}", src) from exc
    finally:
        container.close()
    if written == 0:
        raise VideoCorruptError(f"Cannot make a proxy of {src}: no frame decoded", src)
    return written


def _verify(
    src: Path, proxy: Path, written: int, total: int,
    progress: ProgressCallback | None, cancel: CancelToken | None,
) -> tuple[int, float]:
    """Decode both files in lockstep; return the max and mean absolute RGB difference."""
    a_container, a_stream = open_container(src)
    b_container, b_stream = open_container(proxy)
    a_stream.thread_type = b_stream.thread_type = "AUTO"
    max_diff, diff_sum, pixels, compared = 0, 0.0, 0, 0
    try:
        pairs = zip(a_container.decode(a_stream), b_container.decode(b_stream))
        for a, b in pairs:
            check_cancel(cancel, f"Verifying the proxy of {src}")
            diff = cv2.absdiff(a.to_ndarray(format="rgb24"), b.to_ndarray(format="rgb24"))
            max_diff = max(max_diff, int(diff.max()))
            diff_sum += float(sum(cv2.sumElems(diff)[:3]))
            pixels += diff.size
            compared += 1
            report(progress, written + compared, total)
    except av.error.FFmpegError as exc:
        raise VideoCorruptError(f"Cannot verify the proxy of {src}: {exc}", src) from exc
    finally:
        a_container.close()
        b_container.close()
    if compared != written:
        raise VideoError(
            f"Proxy of {src} failed verification: {compared} of {written} frames compared", src
        )
    return max_diff, diff_sum / max(pixels, 1)


class ProxyCache:
    """Proxies kept in a cache folder (never beside the user's video), keyed by content.

    Keying by fingerprint means a moved or renamed video finds its proxy again, and an
    edited one does not get a stale proxy.
    """

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root) if root is not None else Path.home() / ".cache" / "ethoframe" / "proxies"

    def path_for(self, video: str | Path) -> Path:
        return self.root / f"{fingerprint_file(video)}.mp4"

    def lookup(self, video: str | Path) -> Path | None:
        """The verified proxy of `video`, or None if there is none yet."""
        fingerprint = fingerprint_file(video)
        proxy = self.root / f"{fingerprint}.mp4"
        found = read_report(proxy) if proxy.exists() else None
        return proxy if found is not None and found.source_fingerprint == fingerprint else None

    def build(
        self,
        video: str | Path,
        *,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        **options: object,
    ) -> ProxyReport:
        """Make the proxy of `video` in the cache (see `make_proxy` for `options`)."""
        return make_proxy(video, self.path_for(video), progress=progress, cancel=cancel, **options)  # type: ignore[arg-type]
