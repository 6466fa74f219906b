"""MP4 slideshow from the slide PNGs, each on screen for its manifest seconds.

The encoder is ffmpeg: the binary shipped inside the imageio-ffmpeg wheel
(``pip install 'letterworld[video]'``), else an ``ffmpeg`` on PATH. Without
one, :func:`write_video` raises VideoUnavailable with a message that says
what to install; render_letter records it and goes on.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

NO_ENCODER = ("no MP4 written: no video encoder found. Install the optional extra "
              "(pip install 'letterworld[video]', which ships ffmpeg inside the imageio-ffmpeg wheel) "
              "or put ffmpeg on PATH, then render again")


class VideoUnavailable(RuntimeError):
    """No MP4 could be written (no encoder installed, or no slides)."""


class VideoFailed(VideoUnavailable):
    """An encoder is installed and failed: an error, never a warning."""


def find_ffmpeg() -> str | None:
    """Path of an ffmpeg binary, or None."""
    try:
        import imageio_ffmpeg

        exe = imageio_ffmpeg.get_ffmpeg_exe()
        if exe and Path(exe).exists():
            return exe
    except Exception:  # noqa: BLE001 - not installed, or no binary for this platform
        pass
    return shutil.which("ffmpeg")


def write_video(frames: list[tuple[Path, float]], out: Path, fps: int | None = None, pad_colour: str = "#000000",
                timeout: float = 600) -> dict:
    """Encode ``frames`` (PNG path, seconds) as an H.264 MP4 (yuv420p).

    ``fps=None`` (default): one frame per slide, each shown for its seconds
    (variable frame rate: a few seconds to encode, small files; plays in VLC,
    browsers, QuickTime). ``fps=25`` (or any rate): constant frame rate, for
    media servers that need it; slower, as every frame is encoded.
    Returns {"file", "fps", "seconds", "encoder"}; raises VideoUnavailable."""
    exe = find_ffmpeg()
    if exe is None:
        raise VideoUnavailable(NO_ENCODER)
    if not frames:
        raise VideoUnavailable("no MP4 written: no slides")
    out = Path(out)
    tmp_out = out.with_name(out.stem + ".part" + out.suffix)
    with tempfile.TemporaryDirectory() as d:
        lst = Path(d) / "slides.txt"
        lines = ["ffconcat version 1.0"]
        for path, secs in frames:
            q = str(Path(path).resolve()).replace("'", "'\\''")
            lines += [f"file '{q}'", f"duration {max(float(secs), 0.04):.3f}"]
        q = str(Path(frames[-1][0]).resolve()).replace("'", "'\\''")
        lines.append(f"file '{q}'")  # the concat demuxer drops the last duration otherwise
        lst.write_text("\n".join(lines) + "\n", encoding="utf-8")
        colour = "0x" + pad_colour.lstrip("#")
        vf = f"pad=ceil(iw/2)*2:ceil(ih/2)*2:0:0:color={colour}" + (f",fps={fps}" if fps else "") + ",format=yuv420p"
        total = sum(max(float(secs), 0.04) for _p, secs in frames)
        # Constant rate: cut at the total (the repeated last image would add its own default duration).
        rate = ["-r", str(fps), "-t", f"{total:.3f}"] if fps else ["-fps_mode", "vfr"]
        cmd = [exe, "-y", "-hide_banner", "-loglevel", "error", "-f", "concat", "-safe", "0", "-i", str(lst),
               "-vf", vf, *rate, "-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage", "-crf", "18",
               "-movflags", "+faststart", "-an", str(tmp_out)]
        try:
            res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as e:
            tmp_out.unlink(missing_ok=True)
            raise VideoFailed(f"no MP4 written: ffmpeg ({exe}) failed: {e}") from None
        if res.returncode != 0 or not tmp_out.exists():
            tmp_out.unlink(missing_ok=True)
            err = (res.stderr or "").strip().splitlines()[-3:]
            raise VideoFailed(f"no MP4 written: ffmpeg ({exe}) exited {res.returncode}: {' / '.join(err)}")
    tmp_out.replace(out)
    return {"file": out.name, "fps": fps or "variable", "seconds": round(total, 3),
            "encoder": Path(exe).name}
