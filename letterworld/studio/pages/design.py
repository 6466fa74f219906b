"""The designer's page: preset and theme, a live preview of the latest letter's slides (one slide
rendered to PNG on request, cached under the campaign folder's studio-cache/), its contact
sheet, and an export (render_letter into exports/slides-v<version>-<preset>/, then one ZIP with
the PNG sequence, manifest, contact sheet, PDF and, when an encoder is installed, the MP4).

The export takes about ten seconds for the demo letter at 1920x1080 (the A3 PDF and the video
are most of it), so it runs as a background job in the studio's job list (`req.studio.jobs`)
and the page polls it; a preview slide renders synchronously (well under a second per slide)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.responses import FileResponse, PlainTextResponse, Response

from ...config import Config
from ...render import PRESETS, THEMES, iter_slides, resolve_theme
from ...render.contact import thumbnail, write_contact_sheet
from ...render.letter import check_fonts
from ...render.themes import THEME_DIR
from ...render.video import find_ffmpeg
from ...store import Store
from ..jobs import Job
from ..web import Req, page

CACHE = "studio-cache"
EXPORTS = "exports"
CHOICE_SETTING = "studio.design"  # the designer's saved preset and theme (the config's [render] is the default)
EXPORT_WHAT = "export slides"
_locks: dict[str, threading.Lock] = {}
_locks_lock = threading.Lock()
_export_lock = threading.Lock()  # one export at a time: they write into the campaign folder


class Refused(ValueError):
    """A preset or theme that is not on offer."""


def _lock(key: str) -> threading.Lock:
    with _locks_lock:
        return _locks.setdefault(key, threading.Lock())


def presets(cfg: Config) -> list[str]:
    out = list(PRESETS)
    if cfg.render.preset not in out:
        out.append(cfg.render.preset)
    return out


def themes(cfg: Config) -> list[str]:
    out = sorted(set(THEMES) | {p.stem for p in THEME_DIR.glob("*.toml")})
    if cfg.render.theme not in out:
        out.append(cfg.render.theme)
    return out


def choice(req: Req, cfg: Config, source: Callable[[str], str]) -> tuple[str, str]:
    """(preset, theme) asked for (`source(name)`), else saved, else the config's; only those
    on offer (a theme is never an arbitrary path from a request)."""
    saved = req.store.setting(CHOICE_SETTING, {}) or {}
    preset = source("preset") or saved.get("preset") or cfg.render.preset
    theme = source("theme") or saved.get("theme") or cfg.render.theme
    if preset not in presets(cfg):
        raise Refused(f"unknown preset {preset!r}; choose one of {', '.join(presets(cfg))}")
    if theme not in themes(cfg):
        raise Refused(f"unknown theme {theme!r}; choose one of {', '.join(themes(cfg))}")
    return preset, theme


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "x"


def cache_dir(folder: Path, letter: dict, preset: str, theme: str) -> Path:
    """studio-cache/slides-v<version>-<preset>-<hash of the letter, preset and resolved theme>/:
    a letter version never changes, but a theme file can."""
    th = resolve_theme(theme)
    key = json.dumps([letter.get("version"), letter.get("created"), preset, th], sort_keys=True, default=str)
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return Path(folder) / CACHE / f"slides-v{letter.get('version')}-{safe_name(preset)}-{digest}"


KEEP_CACHES = 16  # preview caches kept (each preset and theme of each letter version is one)


def prune_cache(folder: Path, keep: int = KEEP_CACHES, grace_s: float = 600) -> int:
    """Remove the oldest preview caches beyond `keep` (not one touched in the last `grace_s`)."""
    import shutil
    import time

    root = Path(folder) / CACHE
    dirs = sorted((d for d in root.glob("slides-v*") if d.is_dir() and not d.is_symlink()),
                  key=lambda d: d.stat().st_mtime, reverse=True)
    gone = 0
    for d in dirs[keep:]:
        if time.time() - d.stat().st_mtime > grace_s:
            shutil.rmtree(d, ignore_errors=True)
            gone += 1
    return gone


def _new_cache(d: Path) -> None:
    if not d.is_dir():
        d.mkdir(parents=True, exist_ok=True)
        prune_cache(d.parent.parent)


def _save(img, path: Path) -> None:
    part = path.with_name(path.name + ".part")
    img.save(part, format="PNG", compress_level=3)
    os.replace(part, path)


def _count(d: Path) -> int | None:
    try:
        return int(json.loads((d / "count.json").read_text())["slides"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def preview_slide(folder: Path, letter: dict, preset: str, theme: str, n: int) -> Path | None:
    """The PNG of slide `n` (1-based), rendered once and cached; None past the last slide."""
    d = cache_dir(folder, letter, preset, theme)
    f = d / f"{n:03d}.png"
    if f.is_file():
        return f
    count = _count(d)
    if n < 1 or count is not None and n > count:
        return None
    with _lock(str(d)):
        if f.is_file():
            return f
        _new_cache(d)
        i = 0
        for i, slide in enumerate(iter_slides(letter, preset, theme), start=1):
            p = d / f"{i:03d}.png"
            if not p.is_file():
                _save(slide.image, p)
            if i == n:
                return p
        (d / "count.json").write_text(json.dumps({"slides": i}))
    return None


def _label(n: int, slide) -> str:
    bits = [str(n), slide.kind, *([slide.lang] if slide.lang else []),
            *([f"{slide.part[0]}/{slide.part[1]}"] if slide.part else []), f"{slide.seconds:g} s"]
    return " · ".join(bits)


def preview_sheet(folder: Path, letter: dict, preset: str, theme: str) -> Path:
    """The contact sheet of every slide (the slides are cached on the way)."""
    d = cache_dir(folder, letter, preset, theme)
    f = d / "contact-sheet.png"
    if f.is_file():
        return f
    with _lock(str(d)):
        if f.is_file():
            return f
        _new_cache(d)
        thumbs = []
        for i, slide in enumerate(iter_slides(letter, preset, theme), start=1):
            p = d / f"{i:03d}.png"
            if not p.is_file():
                _save(slide.image, p)
            thumbs.append((thumbnail(slide.image), _label(i, slide)))
        (d / "count.json").write_text(json.dumps({"slides": len(thumbs)}))
        part = d / "contact-sheet.part.png"
        write_contact_sheet(thumbs, part, title=f"letter v{letter.get('version')} · {preset} · {theme} · "
                                                f"{len(thumbs)} slides", title_lang="en")
        os.replace(part, f)
    return f


def export_dir(folder: Path, version: int, preset: str) -> Path:
    return Path(folder) / EXPORTS / f"slides-v{version}-{safe_name(preset)}"


def exports_of(folder: Path, version: int) -> list[dict]:
    """The slide exports of letter `version` in the campaign folder (rendered: a manifest)."""
    out = []
    for d in sorted((Path(folder) / EXPORTS).glob(f"slides-v{version}-*")):
        m = d / "manifest.json"
        if d.is_dir() and m.is_file():
            try:
                manifest = json.loads(m.read_text(encoding="utf-8"))
            except ValueError:
                continue
            z = d.with_name(d.name + ".zip")
            out.append({"name": d.name, "preset": manifest.get("preset"), "theme": manifest.get("theme"),
                        "slides": len(manifest.get("slides") or []),
                        "zip": f"{EXPORTS}/{z.name}" if z.is_file() else None})
    # the pipeline's render stage (Pipeline page: compose + render into exports/latest/)
    latest = Path(folder) / EXPORTS / "latest"
    try:
        same = json.loads((latest / "letter.json").read_text(encoding="utf-8")).get("version") == version
        manifest = json.loads((latest / "slides" / "manifest.json").read_text(encoding="utf-8")) if same else None
    except (OSError, ValueError, AttributeError):
        manifest = None
    if isinstance(manifest, dict):
        out.append({"name": "latest/slides (pipeline)", "preset": manifest.get("preset"),
                    "theme": manifest.get("theme"), "slides": len(manifest.get("slides") or []), "zip": None})
    return out


def write_zip(out: Path, manifest: dict) -> Path:
    """out.zip beside the folder: the slides in order, manifest.json, the contact sheet, the PDF
    and the video (what the manifest lists, nothing else in the folder)."""
    names = [s["file"] for s in manifest["slides"]] + ["manifest.json"]
    names += [manifest[k] for k in ("contact_sheet",) if manifest.get(k)]
    names += [manifest[k]["file"] for k in ("pdf", "video") if isinstance(manifest.get(k), dict) and manifest[k].get("file")]
    z = out.with_name(out.name + ".zip")
    part = out.with_name(out.name + ".zip.part")
    with zipfile.ZipFile(part, "w") as zf:
        for name in names:
            f = out / name
            if f.is_file() and f.parent == out:
                # PNG, PDF and MP4 are compressed already
                kind = zipfile.ZIP_DEFLATED if name.endswith(".json") else zipfile.ZIP_STORED
                zf.write(f, f"{out.name}/{name}", compress_type=kind)
    os.replace(part, z)
    return z


def run_export(studio, letter: dict, preset: str, theme: str, video: bool | None, log: Callable[[str], None]) -> dict:
    from ...render import render_letter

    out = export_dir(studio.folder, letter["version"], preset)
    with _export_lock:
        manifest = render_letter(letter, out, preset=preset, theme=theme, video=video, progress=log)
        z = write_zip(out, manifest)
    log(f"{z.name}: {z.stat().st_size / 1e6:.1f} MB")
    with Store(studio.db) as store, store.transaction():
        store.audit("export-slides", f"letter:{letter['version']}",
                    detail={"preset": preset, "theme": theme, "slides": len(manifest["slides"]),
                            "video": bool((manifest.get("video") or {}).get("file")), "zip": z.name})
    return {"zip": f"{EXPORTS}/{z.name}", "slides": len(manifest["slides"]), "video": manifest.get("video"),
            "pdf": manifest.get("pdf")}


def start_job(studio, what: str, user: str, fn: Callable[[Job], Any]) -> Job:
    """`fn(job)` as one of the studio's jobs (listed with the pipeline's, one at a time): the
    export takes the designer's preset and theme, where the render stage takes the config's."""
    return studio.jobs.submit(what, user, fn)


def _problem(letter: dict | None, preset: str, theme: str) -> str:
    """Why the letter cannot be drawn with this preset and theme ("" when it can)."""
    if letter is None:
        return "No letter yet: a campaigner composes one first."
    try:
        check_fonts(letter, resolve_theme(theme))
    except Exception as exc:  # FontsMissing, ThemeError, RenderError: each says what to do
        return str(exc)
    return ""


def _bad(text: str, status: int = 400) -> Response:
    """A refusal as plain text: it may quote what the request said (never as HTML)."""
    return PlainTextResponse(text, status_code=status)


@page("/design", "design")
def design(req: Req):
    cfg = req.studio.config()
    try:
        preset, theme = choice(req, cfg, lambda k: req.query.get(k, ""))
    except Refused as exc:
        return _bad(str(exc))
    try:
        n = max(1, int(req.query.get("n", "1")))
    except ValueError:
        n = 1
    letter = req.store.latest_letter()
    problem = _problem(letter, preset, theme)
    count = _count(cache_dir(req.studio.folder, letter, preset, theme)) if letter and not problem else None
    saved = req.store.setting(CHOICE_SETTING, {}) or {}
    jobs = [j for j in req.studio.jobs.recent(20) if j.what.startswith(EXPORT_WHAT)][:5]
    return req.render("design.html", letter=letter, q=urlencode({"preset": preset, "theme": theme}), preset=preset, theme=theme, presets=presets(cfg),
                      themes=themes(cfg), n=n if count is None else min(n, count), count=count, problem=problem,
                      saved=saved, config_render=cfg.render, jobs=jobs, encoder=bool(find_ffmpeg()),
                      exports=exports_of(req.studio.folder, letter["version"]) if letter else [])


def _image(req: Req, make: Callable[[dict, str, str], Path | None]) -> Response:
    cfg = req.studio.config()
    try:
        preset, theme = choice(req, cfg, lambda k: req.query.get(k, ""))
    except Refused as exc:
        return _bad(str(exc))
    letter = req.store.latest_letter()
    if letter is None:
        return _bad("no letter yet", 404)
    try:
        path = make(letter, preset, theme)
    except Exception as exc:  # a slide that cannot be drawn (legibility, fit): say why
        return _bad(f"{type(exc).__name__}: {exc}", 422)
    if path is None:
        return _bad("no such slide", 404)
    return FileResponse(req.studio.inside(path), media_type="image/png")


@page("/design/slide/{n:int}.png", "design")
def slide_png(req: Req):
    n = req.request.path_params["n"]
    return _image(req, lambda letter, p, t: preview_slide(req.studio.folder, letter, p, t, n))


@page("/design/contact.png", "design")
def contact_png(req: Req):
    return _image(req, lambda letter, p, t: preview_sheet(req.studio.folder, letter, p, t))


@page("/design/choice", "design", methods=("POST",))
def save_choice(req: Req):
    cfg = req.studio.config()
    try:
        preset, theme = choice(req, cfg, req.field)
    except Refused as exc:
        return _bad(str(exc))
    with req.store.transaction():
        old = req.store.setting(CHOICE_SETTING, None)
        req.store.set_setting(CHOICE_SETTING, {"preset": preset, "theme": theme})
        req.store.audit("design-choice", "render", detail={"old": old, "preset": preset, "theme": theme})
    req.flash(f"Saved: {preset}, theme {theme}.")
    return req.redirect("/design?" + urlencode({"preset": preset, "theme": theme}))


@page("/design/export", "design", methods=("POST",))
def export(req: Req):
    cfg = req.studio.config()
    try:
        preset, theme = choice(req, cfg, req.field)
    except Refused as exc:
        return _bad(str(exc))
    letter = req.store.latest_letter()
    problem = _problem(letter, preset, theme)
    if problem:
        return _bad(problem, 409 if letter is None else 422)
    video = None if req.field("video") == "on" else False  # None: a video when an encoder is installed
    studio = req.studio

    def work(job: Job):
        def log(line: str) -> None:
            job.log.write(line + "\n")

        log(f"render letter v{letter['version']} with {preset}, theme {theme}")
        return run_export(studio, letter, preset, theme, video, log)

    job = start_job(studio, f"{EXPORT_WHAT} v{letter['version']} {preset} {theme}", req.user.name, work)
    return req.redirect(f"/design/export/{job.id}")


@page("/design/export/{jid:int}", "design")
def export_job(req: Req):
    job = req.studio.jobs.get(req.request.path_params["jid"])
    if job is None or not job.what.startswith(EXPORT_WHAT):
        return _bad("no such export", 404)
    template = "design_job.html" if req.htmx else "design_export.html"
    return req.render(template, job=job)


@page("/design/download", "design")
def download(req: Req):
    """A slide export's ZIP (or another file of a slide export): only from exports/slides-*
    inside the campaign folder, never the store or anything outside."""
    name = req.query.get("file", "")
    try:
        p = req.studio.inside(Path(name))
        exports = req.studio.inside(Path(EXPORTS))
    except (PermissionError, ValueError, OSError):
        return _bad("that file is not in the campaign's exports", 403)
    rel = p.relative_to(exports) if exports in p.parents else None
    if rel is None or not rel.parts[0].startswith("slides-"):
        return _bad("that file is not in the campaign's exports", 403)
    if not p.is_file():
        return _bad("no such file", 404)
    return req.download(p.relative_to(req.studio.folder.resolve()))
