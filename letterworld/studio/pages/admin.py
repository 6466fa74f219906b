"""Accounts (admins) and the pipeline (campaigners): upload message files into the campaign
folder and run the registry's stages, with each run's log."""

from __future__ import annotations

import re
from pathlib import Path

from ...registry import STAGES, Context, is_stale
from ...stages import StageError, choose_recipient
from .. import auth
from ..web import MAX_UPLOAD, Req, page

UPLOAD_TYPES = (".csv", ".tsv", ".jsonl", ".xlsx", ".txt", ".zip")
MAX_UNZIPPED = 200 * 1024 * 1024  # a ZIP of message files, once unpacked
MAX_MEMBERS = 20000
_SAFE_NAME = re.compile(r"[^\w.\-]+")


def safe_filename(name: str, allowed: tuple[str, ...]) -> str:
    """A file name reduced to its last part in letters, digits, '.', '-' and '_' (no folders,
    no '..'), with one of the allowed suffixes; otherwise a ValueError saying which are."""
    base = _SAFE_NAME.sub("_", Path(name.replace("\\", "/")).name).lstrip(".")
    if not base or Path(base).suffix.lower() not in allowed:
        raise ValueError(f"{name!r}: upload a {', '.join(allowed)} file")
    return base


def unzip_safely(data: bytes, folder: Path) -> int:
    """Unpack a ZIP of message files (a campaign's folder: CSVs, spreadsheets, a folder of
    letters) into `folder`, which must not exist yet. Refused whole, before anything is
    written, when a member would land outside it (absolute paths, '..'), is a link, or the
    archive unpacks to more than MAX_UNZIPPED bytes or MAX_MEMBERS files (a zip bomb)."""
    import io
    import stat
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ValueError("not a ZIP archive") from None
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNZIPPED:
        raise ValueError(f"the archive unpacks to more than {MAX_MEMBERS} files or {MAX_UNZIPPED // 2**20} MB")
    root = folder.resolve()
    targets = []
    for m in members:
        if stat.S_ISLNK(m.external_attr >> 16):
            raise ValueError(f"{m.filename!r}: links are not unpacked")
        parts = [p for p in m.filename.replace("\\", "/").split("/") if p not in ("", ".")]
        target = root.joinpath(*[_SAFE_NAME.sub("_", p) for p in parts]).resolve()
        if ".." in parts or m.filename.startswith("/") or root not in target.parents:
            raise ValueError(f"{m.filename!r}: outside the archive's folder")
        targets.append((m, target))
    for m, target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(m) as src:
            target.write_bytes(src.read(m.file_size + 1)[:MAX_UNZIPPED])
    return len(targets)


@page("/users", "users")
def users_page(req: Req):
    return req.render("users.html", users=auth.users(req.store), roles=auth.ROLES)


@page("/users", "users", methods=("POST",))
def users_change(req: Req):
    try:
        if req.field("disable") or req.field("enable"):
            name = req.field("disable") or req.field("enable")
            if name == req.user.name:
                raise auth.AuthError("you cannot disable your own account")
            auth.set_disabled(req.store, name, bool(req.field("disable")), actor=req.user.name)
            req.flash(f"{name} {'disabled' if req.field('disable') else 'enabled'}")
        else:
            auth.add_user(req.store, req.field("name"), req.field("role"), req.field("password"), actor=req.user.name)
            req.flash(f"user {req.field('name')} added as {req.field('role')}")
    except auth.AuthError as exc:
        req.flash(str(exc), "error")
    return req.redirect("/users")


def _stage_states(req: Req) -> list[dict]:
    cfg = req.studio.config()
    try:
        who = choose_recipient(req.store, cfg, None)
    except StageError:
        who = None
    ctx = Context(cfg, recipient=who)
    out = []
    for st in STAGES:
        last = req.store.last_run(st.name) if st.inputs is not None else None
        state = ""
        if st.inputs is not None:
            try:
                state = "not run" if last is None else ("stale" if is_stale(req.store, ctx, st.name) else "current")
            except Exception:  # the themes' state needs the embedder's name; never fail the page on it
                state = "?"
        out.append({"name": st.name, "help": st.help, "reads": st.reads, "state": state})
    return out


@page("/pipeline", "pipeline")
def pipeline_page(req: Req):
    uploads = sorted(p.name for p in (req.studio.folder / "uploads").glob("*") if p.is_file()) \
        if (req.studio.folder / "uploads").is_dir() else []
    return req.render("pipeline.html", stages=_stage_states(req), jobs=req.studio.jobs.recent(),
                      running=req.studio.jobs.running(), uploads=uploads, types=UPLOAD_TYPES,
                      max_mb=MAX_UPLOAD // 2**20, messages=req.store.count_messages())


@page("/pipeline/upload", "pipeline", methods=("POST",))
def upload(req: Req):
    """Save an uploaded message file under the campaign folder's uploads/ (never elsewhere) and
    ingest it with the rest of the screening stages when asked."""
    f = req.upload("file")
    if f is None:
        req.flash("choose a file to upload", "error")
        return req.redirect("/pipeline")
    try:
        name = safe_filename(f.filename, UPLOAD_TYPES)
        target = req.studio.inside(Path("uploads") / name)
    except (ValueError, PermissionError) as exc:
        req.flash(str(exc), "error")
        return req.redirect("/pipeline")
    target.parent.mkdir(parents=True, exist_ok=True)
    data = f.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        req.flash(f"{name}: larger than {MAX_UPLOAD // 2**20} MB", "error")
        return req.redirect("/pipeline")
    n = 1
    while target.exists():  # never overwrite an earlier upload (originals are kept)
        target = target.with_name(f"{Path(name).stem}-{n}{Path(name).suffix}")
        n += 1
    if target.suffix.lower() == ".zip":  # a folder of files: unpacked next to the others, the ZIP not kept
        stem, target, n = target.stem, target.with_suffix(""), 1
        while target.exists():
            target, n = target.with_name(f"{stem}-{n}"), n + 1
        try:
            unpacked = unzip_safely(data, target)
        except ValueError as exc:
            req.flash(f"{name}: {exc}", "error")
            return req.redirect("/pipeline")
        detail = {"bytes": len(data), "files": unpacked}
    else:
        target.write_bytes(data)
        detail = {"bytes": len(data)}
    with req.store.transaction():
        req.store.audit("upload", f"file:{target.name}", detail=detail, actor=req.user.name)
    job = req.studio.jobs.start(f"ingest {target.name}", req.user.name, ["ingest", "detect", "embed", "screen"],
                                inputs=[target])
    req.flash(f"uploaded {target.name}; ingest and screening started (job {job.id})")
    return req.redirect(f"/pipeline/job/{job.id}")


@page("/pipeline/run", "pipeline", methods=("POST",))
def run(req: Req):
    names = [n for n in req.fields("stage") if n in {s.name for s in STAGES} and n != "ingest"]
    if not names:
        req.flash("choose the stages to run", "error")
        return req.redirect("/pipeline")
    order = [s.name for s in STAGES if s.name in names]
    out = req.studio.inside(Path("exports") / "latest") if ("compose" in order or "render" in order) else None
    job = req.studio.jobs.start(" + ".join(order), req.user.name, order, out_dir=out)
    return req.redirect(f"/pipeline/job/{job.id}")


@page("/pipeline/job/{jid:int}", "pipeline")
def job_page(req: Req):
    job = req.studio.jobs.get(req.request.path_params["jid"])
    if job is None:
        return req.render("job.html", job=None, status=404)
    template = "job_log.html" if req.htmx else "job.html"
    return req.render(template, job=job)
