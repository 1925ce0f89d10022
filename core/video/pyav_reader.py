"""Frame-accurate, fast random access to video files through PyAV (FFmpeg).

How a read works, and why:
- A `FrameIndex` (built by demuxing once, optionally cached on disk) maps frame N to its
  presentation timestamp, so frame N is what plain sequential decoding yields N-th.
- The decoder stays open between reads. Reading N+1 after N just decodes one more frame;
  only a jump that crosses a keyframe, or a step backward, seeks.
- A seek goes to the last keyframe at or before the target, then decodes forward and keeps
  the frame whose timestamp matches. If the demuxer lands after that keyframe (some
  containers index by dts, some by pts) we retry with its dts, then one keyframe earlier, and
  finally from the start of the file: landing late could return the wrong frame, landing early only costs time.
- A step backward that misses the cache converts and caches the frames just before the
  target too (`backfill`), so that holding the left arrow key hits the cache.
- FFmpeg's frame threading is on: decoding is bit-exact whatever the thread count, so it
  only changes speed.

Frames are converted with `to_ndarray(format="rgb24")`, the same call plain decoding uses,
so the pixels match it exactly. Rotation metadata is not applied, for the same reason.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Iterator

import av
import av.error
import numpy as np

from .base import DEFAULT_CACHE_MB, VideoReader
from .errors import UnsupportedCodecError, VideoCorruptError, VideoError, VideoNotFoundError
from .fingerprint import fingerprint_file
from .frame_index import FrameIndex

MAX_BACKFILL = 64


def open_container(path: Path) -> tuple[av.container.InputContainer, av.video.stream.VideoStream]:
    """Open `path` and its first video stream, translating FFmpeg's errors into ours."""
    if not path.exists():
        raise VideoNotFoundError(f"Video not found: {path}", path)
    if path.is_dir():
        raise VideoCorruptError(f"{path} is a folder with no images, not a video", path)
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.error.FileNotFoundError as exc:
        raise VideoNotFoundError(f"Video not found: {path}", path) from exc
    except (av.error.InvalidDataError, av.error.EOFError) as exc:
        raise VideoCorruptError(f"{path} is not a readable video (damaged or not a video): {exc}", path) from exc
    except (av.error.DecoderNotFoundError, av.error.PatchWelcomeError) as exc:
        raise UnsupportedCodecError(f"{path}: no decoder for this video's codec: {exc}", path) from exc
    except (av.error.FFmpegError, OSError) as exc:
        raise VideoCorruptError(f"Cannot open {path}: {exc}", path) from exc
    if not container.streams.video:
        container.close()
        raise VideoCorruptError(f"{path} contains no video stream", path)
    stream = container.streams.video[0]
    if stream.codec_context is None or stream.codec_context.codec is None:
        container.close()
        raise UnsupportedCodecError(f"{path}: this installation has no decoder for its codec", path)
    return container, stream


def _chain(first: av.Packet, rest: Iterator[av.Packet]) -> Iterator[av.Packet]:
    yield first
    yield from rest


def build_index(path: Path) -> FrameIndex:
    """Demux every packet of the first video stream of `path` (no decoding) into an index."""
    container, stream = open_container(path)
    timestamps: list[int | None] = []
    dts: list[int | None] = []
    keys: list[bool] = []
    try:
        for packet in container.demux(stream):
            if packet.size == 0 or packet.is_discard:
                continue  # flush packets, and packets an edit list hides from decoding
            timestamps.append(packet.pts)
            dts.append(packet.dts)
            keys.append(bool(packet.is_keyframe))
    except (av.error.FFmpegError, OSError):
        # A truncated or damaged file: index what could be demuxed; reading past it raises
        # VideoCorruptError with the frame number.
        pass
    finally:
        time_base = stream.time_base or Fraction(1, 1)
        container.close()
    return FrameIndex.from_packets(timestamps, dts, keys, Fraction(time_base))


class PyAVReader(VideoReader):
    """A video file read through PyAV; see the module docstring for how reads work."""

    def __init__(
        self,
        path: str | Path,
        *,
        cache_mb: float = DEFAULT_CACHE_MB,
        index_cache_dir: str | Path | None = None,
        threads: bool = True,
        backfill: int | None = None,
    ) -> None:
        super().__init__(Path(path), cache_mb)
        self._threads = threads
        self._container, self._stream = open_container(self.path)
        ctx = self._stream.codec_context
        self.codec = ctx.name
        self.width, self.height = int(ctx.width), int(ctx.height)
        self.index = self._load_index(index_cache_dir)
        self.frame_count = self.index.frame_count
        if self.frame_count == 0:
            self._close()
            raise VideoCorruptError(f"{self.path} contains no video frames", self.path)
        self.fps = self._guess_fps()
        capacity = self.cache.capacity_frames(self.frame_bytes)
        self.backfill = backfill if backfill is not None else min(MAX_BACKFILL, capacity // 2)
        self._configure_decoder()
        self._frames: Iterator[av.VideoFrame] | None = None  # the live decoder, if any
        self._last_index = -1  # frame the live decoder output last
        self._skip_below = -(2**62)  # pts before which non-reference frames need not decode
        self._proxy: VideoReader | None = None
        self._proxy_exact = False

    # -- public extras ---------------------------------------------------------------------

    def keyframe_indices(self) -> np.ndarray:
        return self.index.keyframe_indices

    def timestamp(self, index: int) -> float:
        return self.index.seconds(self._check_index(index)) if self.index.timed else super().timestamp(index)

    def attach_proxy(self, proxy: VideoReader, *, exact: bool) -> None:
        """Use `proxy` (same frames, short GOP) for `read_preview`, and for `read` if `exact`."""
        if proxy.frame_count != self.frame_count:
            raise VideoError(
                f"Proxy {proxy.path} has {proxy.frame_count} frames, {self.path} has {self.frame_count}",
                self.path,
            )
        self._proxy, self._proxy_exact = proxy, exact

    @property
    def proxy(self) -> VideoReader | None:
        return self._proxy

    def read_preview(self, index: int) -> np.ndarray:
        frame = self.cached(self._check_index(index))
        if frame is not None or self._proxy is None:
            return frame if frame is not None else self.read(index)
        return self._proxy.read(index)

    # -- decoding --------------------------------------------------------------------------

    def _decode(self, index: int, cache: bool) -> np.ndarray:
        if self._proxy is not None and self._proxy_exact:
            frame = self._proxy.read(index, cache=False)
            return self.cache.put(index, frame) if cache else frame
        try:
            if not self.index.timed:
                return self._decode_counting(index, cache)
            return self._decode_timed(index, cache)
        except (av.error.FFmpegError, OSError) as exc:
            self._frames = None  # the decoder state is unknown now: seek on the next read
            if not self.path.exists():
                raise VideoNotFoundError(f"{self.path} disappeared while open: {exc}", self.path) from exc
            raise VideoCorruptError(f"Cannot decode frame {index} of {self.path}: {exc}", self.path) from exc

    def _decode_timed(self, index: int, cache: bool) -> np.ndarray:
        idx = self.index
        key = idx.keyframe_at_or_before(index)
        key_index = (idx.frame_of_pts(int(idx.key_pts[key])) or 0) if key >= 0 else 0
        # Backfill only for a short step back (the left arrow key held), not for a random jump
        # backward, where converting frames nobody asked for would double the latency.
        backward = self._last_index - max(self.backfill, 1) <= index < self._last_index
        # Keep decoding forward when seeking would land at or before where the decoder is.
        if self._frames is None or index <= self._last_index or key_index > self._last_index:
            start = self._seek(key)
        else:
            start = self._last_index + 1
        keep_from = index
        if backward and cache and self.backfill > 1:
            keep_from = min(max(index - self.backfill + 1, start), index)
        # Frames before `keep_from` are decoded only as references: non-reference ones
        # (most B-frames) can be skipped outright, which nearly halves a seek's decode time.
        self._skip_below = int(idx.pts[keep_from])
        frames = self._frames
        assert frames is not None
        for frame in frames:
            pts = frame.pts
            if pts is None:
                raise VideoCorruptError(f"{self.path}: decoded a frame without timestamp", self.path)
            pos = idx.frame_of_pts(pts)
            if pos is None:
                continue  # a frame the index does not count (e.g. before the first keyframe)
            self._last_index = pos
            if pos > index:
                break  # the target was skipped: the decoder dropped it
            if pos < keep_from:
                continue  # decoding is needed for references; RGB conversion is not
            rgb = frame.to_ndarray(format="rgb24")
            if pos == index:
                return self.cache.put(index, rgb) if cache else rgb
            self.cache.put(pos, rgb)
        self._frames = None
        self._last_index = -1
        raise VideoCorruptError(
            f"Frame {index} of {self.path} could not be decoded (file truncated or damaged?)",
            self.path,
        )

    def _seek(self, key: int) -> int:
        """Position the live decoder at keyframe `key` (or earlier); return its frame index."""
        idx = self.index
        while key >= 0:
            wanted = int(idx.key_pts[key])
            # Most demuxers (MP4 included, once FFmpeg applied its composition offsets) seek by
            # pts; some by dts, which is smaller, so it is the second try for the same keyframe.
            for ts in dict.fromkeys((wanted, int(idx.seek_ts[key]))):
                self._container.seek(ts, stream=self._stream, backward=True, any_frame=False)
                packets = self._container.demux(self._stream)
                first = next((p for p in packets if p.size > 0), None)
                if first is not None and first.pts is not None and first.pts <= wanted:
                    self._frames = self._iter_frames(packets, first)
                    landed = idx.frame_of_pts(first.pts) if first.is_keyframe else None
                    return landed if landed is not None else 0
            key -= 1  # landed after the keyframe we asked for: try the one before
        self._reopen()
        return 0

    def _reopen(self) -> None:
        """Restart from the very beginning, exactly like plain sequential decoding."""
        self._container.close()
        self._container, self._stream = open_container(self.path)
        self._configure_decoder()
        self._frames = self._iter_frames(self._container.demux(self._stream), None)
        self._last_index = -1

    def _iter_frames(self, packets: Iterator[av.Packet], first: av.Packet | None) -> Iterator[av.VideoFrame]:
        ctx = self._stream.codec_context
        skipping = False
        for packet in (packets if first is None else _chain(first, packets)):
            # Only packets presented before the wanted frame may be skipped, and only if no
            # other frame refers to them ("NONREF"), so skipping never changes a kept pixel.
            skip = packet.pts is not None and packet.pts < self._skip_below
            if skip != skipping:
                ctx.skip_frame = "NONREF" if skip else "DEFAULT"
                skipping = skip
            # The final empty packet drains the frames the decoder still holds.
            yield from packet.decode()

    def _decode_counting(self, index: int, cache: bool) -> np.ndarray:
        """Streams without usable timestamps: count frames from the start (slow but exact)."""
        self._skip_below = -(2**62)
        if self._frames is None or index <= self._last_index:
            self._reopen()
        frames = self._frames
        assert frames is not None
        for frame in frames:
            self._last_index += 1
            if self._last_index == index:
                rgb = frame.to_ndarray(format="rgb24")
                return self.cache.put(index, rgb) if cache else rgb
        self._frames = None
        raise VideoCorruptError(
            f"Frame {index} of {self.path} could not be decoded (file truncated or damaged?)",
            self.path,
        )

    # -- setup -----------------------------------------------------------------------------

    def _configure_decoder(self) -> None:
        if self._threads:
            self._stream.thread_type = "AUTO"

    def _load_index(self, cache_dir: str | Path | None) -> FrameIndex:
        cache_path = None
        if cache_dir is not None:
            cache_path = Path(cache_dir) / f"{fingerprint_file(self.path)}.index.npz"
            cached = FrameIndex.load(cache_path)
            if cached is not None:
                return cached
        index = build_index(self.path)
        if index.timed and index.head_suspect:
            index = index.drop_head(self._decoded_head_pts(index))
        if cache_path is not None:
            try:
                index.save(cache_path)
            except OSError:
                pass  # the cache is an optimisation; a read-only disk must not stop reading
        return index

    def _decoded_head_pts(self, index: FrameIndex) -> list[int]:
        """Timestamps a plain decoder really outputs before the first keyframe.

        Frames before the first keyframe (a recording cut mid-GOP) are dropped by some
        decoders and shown by others; decoding that stretch once tells which.
        """
        first_key = int(index.key_pts[0]) if index.key_pts.size else None
        container, stream = open_container(self.path)
        seen: list[int] = []
        try:
            for frame in container.decode(stream):
                if frame.pts is None or (first_key is not None and frame.pts >= first_key):
                    break
                seen.append(int(frame.pts))
        except (av.error.FFmpegError, OSError):
            pass
        finally:
            container.close()
        return seen

    def _guess_fps(self) -> float:
        rate = self._stream.average_rate or self._stream.guessed_rate
        if rate:
            return float(rate)
        if self.index.timed and self.frame_count > 1:
            span = self.index.seconds(self.frame_count - 1)
            if span > 0:
                return (self.frame_count - 1) / span
        return 0.0

    def _close(self) -> None:
        self._frames = None
        self._container.close()
        if self._proxy is not None:
            self._proxy.close()
