"""The composer (/compose): the latest letter to a recipient, its themes on the arc with their
quotes and the candidates a campaigner may swap in (and why each was chosen); pins, bans,
swaps, moves, drops, the campaign's own lines, the length; a preview with translations;
versions, diffs, restore; the translators' sheet (download, upload) and the reading script.

Every write is a POST (CSRF checked by web.page) through letter_ops, so the plan change and
the new version are audited with the signed-in user; the new version is composed by the
compose stage as a studio job (jobs.Jobs: never two stages at a time)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from ... import exports
from ... import letter as lt
from ... import letter_ops as ops
from ... import translations as tr
from ..web import Req, page

SHEET_MAX = 10 * 1024 * 1024  # bytes: a translators' sheet is a few hundred rows
SHEET_TYPES = (".xlsx", ".csv")
EXPORTS = Path("studio-exports")  # inside the campaign folder
UPLOADS = Path("uploads")


# -- shared -----------------------------------------------------------------------
def _recipients(req: Req) -> list[str]:
    return sorted({r["recipient"] for r in req.store.letter_versions() if r["recipient"]})


def _who(req: Req) -> str:
    """The recipient asked for (query or form), else the campaign's (stages.choose_recipient)."""
    asked = req.field("recipient") if req.form is not None else ""
    asked = asked or req.query.get("recipient", "")
    return ops.recipient(req.store, req.studio.config(), asked or None)


def _back(who: str, **extra: Any) -> str:
    return "/compose?" + urlencode({"recipient": who, **{k: v for k, v in extra.items() if v not in (None, "")}})


def _keep(letter: dict[str, Any] | None) -> dict[str, Any]:
    """What a re-composed version keeps of the one it follows: its language and length."""
    if not letter:
        return {}
    keep: dict[str, Any] = {}
    if letter.get("lang"):
        keep["lang"] = letter["lang"]
    target = (letter.get("target") or {}).get("seconds")
    if target:
        keep["minutes"] = round(float(target) / 60, 2)
    return keep


def _composer(req: Req, who: str) -> ops.Composer:
    """letter_ops' compose step as a studio job run by the signed-in user (waited for)."""
    keep = _keep(req.store.latest_letter(who))

    def run(recipient: str, options: dict[str, Any]) -> dict[str, Any]:
        job = req.studio.jobs.start(options.get("note", "compose"), req.user.name, ["compose"], recipient=recipient,
                                    letter={**keep, **options}, wait=True)
        if job.state != "done" or not isinstance(job.result, dict) or "compose" not in job.result:
            raise ops.LetterOpError(job.error.partition(": ")[2] or job.error or "the compose stage failed")
        return job.result["compose"]

    return run


def _act(req: Req, do) -> Any:
    """Run one letter operation for the recipient of the form; a refusal is flashed. Returns
    the redirect to the composer."""
    try:
        who = _who(req)
    except ops.LetterOpError as exc:
        req.flash(str(exc), "error")
        return req.redirect("/compose")
    try:
        message = do(who, _composer(req, who))
    except ops.LetterOpError as exc:
        req.flash(str(exc), "error")
    else:
        if message:
            req.flash(message)
    return req.redirect(_back(who))


def _int(req: Req, name: str) -> int:
    value = req.field(name).strip()
    if not value.lstrip("-").isdigit():
        raise ops.LetterOpError(f"{name}: a number, not {value!r}")
    return int(value)


def _why(why: Any) -> list[tuple[str, str]]:
    """A candidate's reasons as (what, value) rows."""
    if isinstance(why, dict):
        out = []
        for k, v in why.items():
            if isinstance(v, float):
                v = f"{v:.3f}"
            elif isinstance(v, (list, tuple)):
                v = ", ".join(map(str, v))
            elif isinstance(v, dict):
                v = ", ".join(f"{a}={b:.2f}" if isinstance(b, float) else f"{a}={b}" for a, b in v.items())
            out.append((str(k), str(v)))
        return out
    return [("why", str(why))] if why else []


# -- the page ---------------------------------------------------------------------
@page("/compose", "compose")
def composer(req: Req):
    try:
        who = _who(req)
    except ops.LetterOpError as exc:
        return req.render("compose.html", error=str(exc), letter=None, recipients=_recipients(req), who="")
    letter = req.store.latest_letter(who)
    if letter is None or "blocks" not in letter:
        return req.render("compose.html", error=f"no letter to {who} yet: compose one from the pipeline page",
                          letter=None, recipients=_recipients(req), who=who)
    keywords = {t["theme_id"]: t["keywords"] for t in req.store.themes()}
    plan = req.store.plan(who)
    in_letter: dict[int, list[dict]] = {}
    for q in lt.quotes(letter):
        in_letter.setdefault(q["theme_id"], []).append(q)
    alternates: dict[int, list[dict]] = {}
    for q in letter.get("alternates", []):
        if isinstance(q, dict):
            alternates.setdefault(q["theme_id"], []).append(q)
    connectives = {b["theme_id"]: b for b in letter["blocks"] if b.get("kind") == "connective"}
    themes = []
    for t in letter.get("themes", []):
        tid = t["theme_id"]
        themes.append({**t, "keywords": keywords.get(tid, []), "quotes": in_letter.get(tid, []),
                       "alternates": alternates.get(tid, []), "connective": connectives.get(tid),
                       "position": plan.get(f"position:{tid}"),
                       "edited": f"connective:{tid}" in plan})
    order = {m: i for i, m in enumerate(letter.get("arc", []))}
    themes.sort(key=lambda t: (t["dropped"], order.get(t.get("movement"), 99)))
    swapped = {k.partition(":")[2]: v for k, v in plan.items() if k.startswith("swap:")}
    texts = {kind: {"text": lt.text_of(letter, kind), "edited": f"text:{kind}" in plan} for kind in lt.CAMPAIGN_TEXTS}
    versions = req.store.letter_versions(who)
    diff_lines, a, b = None, req.query.get("a", ""), req.query.get("b", "")
    if a.isdigit() and b.isdigit():
        try:
            diff_lines = ops.diff(req.store, int(a), int(b)) or ["(no change)"]
        except ops.LetterOpError as exc:
            req.flash(str(exc), "error")
    target = (letter.get("target") or {}).get("seconds")
    lang = letter.get("lang") or req.studio.config().campaign.lang
    return req.render(
        "compose.html", error="", letter=letter, who=who, recipients=_recipients(req), themes=themes,
        texts=texts, swapped=swapped, choices=ops.choices(req.store), versions=list(reversed(versions)),
        diff_lines=diff_lines, a=a, b=b, arc_all=lt.ARC, why=_why, provenance=exports.provenance,
        translation_label=exports.translation_label, shown_attribution=exports.shown_attribution,
        minutes=round(float(target) / 60, 2) if target else "", lang=lang,
        missing=tr.missing(req.store, lt.quotes(letter), lang), draft_notice=exports.draft_notice(letter),
        rtl=exports.is_rtl)


# -- writes -----------------------------------------------------------------------
def _choice(req: Req, action: str):
    ref = req.field("ref").strip()
    cfg = req.studio.config()
    return _act(req, lambda who, c: "; ".join(ops.choose(req.store, cfg, who, action, [ref], compose=c).states))


@page("/compose/pin", "compose", methods=("POST",))
def compose_pin(req: Req):
    return _choice(req, "pin")


@page("/compose/ban", "compose", methods=("POST",))
def compose_ban(req: Req):
    return _choice(req, "ban")


@page("/compose/unpin", "compose", methods=("POST",))
def compose_unpin(req: Req):
    ref = req.field("ref").strip()
    cfg = req.studio.config()

    def do(who, c):
        letter = ops.remove_choices(req.store, cfg, who, [ref], compose=c)
        return f"removed {ref}; version {letter['version']}"

    return _act(req, do)


@page("/compose/swap", "compose", methods=("POST",))
def compose_swap(req: Req):
    quote, undo = req.field("quote").strip(), req.field("undo") == "1"
    cfg = req.studio.config()

    def do(who, c):
        letter, nxt = ops.swap(req.store, cfg, who, quote, undo=undo, compose=c)
        if undo:
            return f"{quote} may be quoted again; version {letter['version']}"
        return f"swapped {quote} for {nxt['id']}; version {letter['version']}"

    return _act(req, do)


@page("/compose/move", "compose", methods=("POST",))
def compose_move(req: Req):
    cfg = req.studio.config()

    def do(who, c):
        theme = _int(req, "theme")
        position = _int(req, "position") if req.field("position").strip() else None
        to = req.field("to").strip()
        letter = ops.move(req.store, cfg, who, theme, to, position, compose=c)
        return f"theme {theme} is in {to}; version {letter['version']}"

    return _act(req, do)


@page("/compose/drop", "compose", methods=("POST",))
def compose_drop(req: Req):
    cfg = req.studio.config()
    undo = req.field("undo") == "1"

    def do(who, c):
        theme = _int(req, "theme")
        letter = ops.drop(req.store, cfg, who, theme, undo=undo, compose=c)
        return f"theme {theme} {'back in' if undo else 'left out of'} the letter; version {letter['version']}"

    return _act(req, do)


@page("/compose/arc", "compose", methods=("POST",))
def compose_arc(req: Req):
    cfg = req.studio.config()
    movements = req.fields("movement") or [req.field("movements")]

    def do(who, c):
        letter = ops.set_arc(req.store, cfg, who, ",".join(movements), compose=c)
        return f"arc {' > '.join(letter['arc'])}; version {letter['version']}"

    return _act(req, do)


@page("/compose/edit", "compose", methods=("POST",))
def compose_edit(req: Req):
    cfg = req.studio.config()
    target, reset = req.field("target").strip(), req.field("reset") == "1"

    def do(who, c):
        letter = ops.edit(req.store, cfg, who, target, req.field("text"), reset=reset, compose=c)
        return f"{target}: {'template' if reset else 'your line'}; version {letter['version']}"

    return _act(req, do)


@page("/compose/length", "compose", methods=("POST",))
def compose_length(req: Req):
    cfg = req.studio.config()

    def do(who, c):
        letter = ops.set_length(req.store, cfg, who, req.field("minutes").strip(), compose=c)
        return f"composed again for {letter['target']['seconds'] / 60:g} minutes (about " \
               f"{letter['seconds'] / 60:.1f}); version {letter['version']}"

    return _act(req, do)


@page("/compose/restore", "compose", methods=("POST",))
def compose_restore(req: Req):
    def do(who, c):
        new, dropped = ops.restore(req.store, _int(req, "version"))
        left = "".join(f"; left out {q}: {why}" for q, why in dropped.items())
        return f"version {req.field('version')} restored as version {new}{left}"

    return _act(req, do)


# -- files: the translators' sheet, the reading script ---------------------------
def _exports_dir(req: Req) -> Path:
    d = req.studio.inside(EXPORTS)
    d.mkdir(parents=True, exist_ok=True)
    return d


def _letter_or_404(req: Req):
    try:
        who = _who(req)
    except ops.LetterOpError:
        return None, None
    letter = req.store.latest_letter(who)
    return (who, letter) if letter is not None and "blocks" in letter else (who, None)


def _sheet_lang(req: Req, letter: dict[str, Any] | None) -> str:
    """The language a sheet is for: `lang` asked (the translation desk's), else the letter's."""
    asked = ((req.field("lang") if req.form is not None else "") or req.query.get("lang", "")).strip()
    if asked and len(asked) <= 16 and all(c.isalnum() or c in "-_" for c in asked):
        return asked
    return (letter or {}).get("lang") or req.studio.config().campaign.lang


@page("/compose/sheet.xlsx", "translate")
def compose_sheet(req: Req):
    who, letter = _letter_or_404(req)
    if letter is None:
        return req.render("compose.html", status=404, error="no letter yet", letter=None,
                          recipients=_recipients(req), who=who or "")
    lang = _sheet_lang(req, letter)
    alternates = [a for a in letter.get("alternates", []) if isinstance(a, dict)]
    path = _exports_dir(req) / f"sheet-{lang}-v{letter['version']}.xlsx"
    tr.export_sheet(req.store, lt.quotes(letter), lang, path, candidates=alternates)
    return req.download(path.relative_to(req.studio.folder.resolve()))


@page("/compose/script.{fmt}", "compose")
def compose_script(req: Req):
    fmt = req.request.path_params.get("fmt", "")
    who, letter = _letter_or_404(req)
    if letter is None or fmt not in ("html", "txt"):
        return req.render("compose.html", status=404, error="no such reading script", letter=None,
                          recipients=_recipients(req), who=who or "")
    out = _exports_dir(req) / f"v{letter['version']}"
    paths = exports.write_exports(letter, out, ("script",))
    path = paths["script.html" if fmt == "html" else "script"]
    return req.download(path.relative_to(req.studio.folder.resolve()))


def check_upload_name(name: str) -> str:
    """The uploaded file's own name, refused unless it is a plain .xlsx or .csv file name (no
    folders, no '..', no hidden or odd names)."""
    if (not name or name != Path(name).name or "\\" in name or name.startswith(".") or ".." in name
            or any(ord(c) < 32 for c in name) or len(name) > 200):
        raise ops.LetterOpError(f"{name!r}: upload a sheet under a plain file name (no folders)")
    if Path(name).suffix.lower() not in SHEET_TYPES:
        raise ops.LetterOpError(f"{name!r}: a translators' sheet is .xlsx or .csv")
    return name


def save_sheet(req: Req, field: str = "sheet") -> Path:
    """The uploaded sheet, checked (name, type, size, content) and saved under the campaign
    folder's uploads/; returns its path."""
    up = req.upload(field)
    if up is None:
        raise ops.LetterOpError("choose a sheet (.xlsx or .csv) to upload")
    name = check_upload_name(up.filename or "")
    data = up.file.read(SHEET_MAX + 1)
    if len(data) > SHEET_MAX:
        raise ops.LetterOpError(f"{name}: the sheet is over {SHEET_MAX // (1024 * 1024)} MB")
    if not data:
        raise ops.LetterOpError(f"{name}: the file is empty")
    if name.lower().endswith(".xlsx") and not data.startswith(b"PK\x03\x04"):
        raise ops.LetterOpError(f"{name}: not an XLSX workbook (export the sheet again)")
    if name.lower().endswith(".csv") and b"\x00" in data[:65536] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ops.LetterOpError(f"{name}: not a text (CSV) file")
    folder = req.studio.inside(UPLOADS)
    folder.mkdir(parents=True, exist_ok=True)
    path = req.studio.inside(UPLOADS / name)
    path.write_bytes(data)
    return path


def import_upload(req: Req, lang: str) -> tuple[tr.ImportReport, str]:
    path = save_sheet(req)
    try:
        report = tr.import_sheet(req.store, path, lang, force=req.field("force") == "1",
                                 translator_default=req.field("translator").strip())
    except (ValueError, OSError) as exc:
        raise ops.LetterOpError(str(exc)) from exc
    return report, path.name


@page("/compose/sheet", "translate", methods=("POST",))
def compose_sheet_upload(req: Req):
    """A filled sheet, imported as accepted translations; rows with problems are listed."""
    who, letter = _letter_or_404(req)
    lang = _sheet_lang(req, letter)
    back = _back(who) if who else "/compose"
    if req.field("back") == "translate":
        back = "/translate?" + urlencode({"lang": lang})
    try:
        report, name = import_upload(req, lang)
    except ops.LetterOpError as exc:
        req.flash(str(exc), "error")
        return req.render("compose_sheet.html", status=400, report=None, name="", back=back, lang=lang)
    return req.render("compose_sheet.html", report=report, name=name, back=back, lang=lang)
