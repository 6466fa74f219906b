"""Exports of a schema-2 letter (letterworld/exports.py): Markdown, print HTML, plain text, JSON
and PDF. Every sentence here is made up for the test."""

from __future__ import annotations

import json
import unicodedata
from html.parser import HTMLParser

import pytest

from letterworld import exports as X

# ------------------------------------------------------------------------------ letters

AR = "نحن معك في كل يوم ولن ننساك"
ZH = "我们每天都在想着你，请保重"
TH = "พวกเราอยู่เคียงข้างคุณทุกวัน"
HI = "हम हर दिन आपके साथ खड़े हैं"
JA = "遠くからあなたを応援しています"
KO = "우리는 매일 당신을 생각합니다"
RU = "Мы помним о тебе каждый день"
AM = "በየቀኑ ስለ አንተ እናስባለን"
MY = "ကျွန်ုပ်တို့ သင့်ကို သတိရနေပါတယ်"
UR = "ہم ہر دن آپ کو یاد کرتے ہیں"
KM = "យើងនឹកអ្នករាល់ថ្ងៃ"

SCRIPT = "<script>alert('x')</script> hola"
IMG = 'fin"><img src=x onerror=alert(1)> fin'
TABLE = "primera línea\n| a | b |\n|---|---|\n# no soy un título"
LINK = "mira [aquí](http://evil.example/x) y ![img](http://evil.example/i.png)"
BIDI = "abc\u202edcba\u202c fin\x1b[31m rojo"


def quote(mid, lang, text, *, country="XX", translation=None, attribution=None, consent=True,
          anonymous=False, channel="online"):
    return {"kind": "quote", "id": f"{mid}:0-{len(text)}", "message_id": mid, "lang": lang,
            "country": country, "channel": channel, "text": text, "source_text": text,
            "start": 0, "end": len(text), "attribution": attribution or f"Nombre{mid}, Lugar{mid}",
            "consent": consent, "anonymous": anonymous, "written_by": "message",
            "translation": translation, "theme_id": 1, "movement": "solidarity"}


def tr(text, by="Ana Ruiz", status="accepted", lang="es"):
    return {"lang": lang, "text": text, "by": by, "status": status, "source_sha": "0" * 64}


def campaign(kind, text, lang="es"):
    return {"kind": kind, "text": text, "lang": lang, "written_by": "campaign"}


def letter(blocks, *, lang="es", final=False, missing=()):
    return {"schema": 2, "campaign": "prueba", "recipient": "Jani Mendoza", "lang": lang,
            "version": 1, "final": final, "missing_translations": list(missing),
            "consent_policy": "anonymous", "blocks": blocks,
            "counts": {"messages": 40, "languages": 9, "countries": 8}}


@pytest.fixture
def hostile():
    return letter([
        campaign("greeting", "Querida Jani Mendoza:"),
        campaign("opening", "Cuarenta personas te escribieron desde muchos lugares."),
        quote(501, "es", SCRIPT, country="MX", attribution='Eve<script>x</script>'),
        quote(502, "es", IMG, country="MX", attribution='"><img src=y onerror=alert(2)>'),
        quote(503, "es", TABLE, country="AR"),
        quote(504, "es", LINK, country="CL", attribution="[Mallory](http://evil.example)"),
        quote(505, "es", BIDI, country="PE"),
        campaign("closing", "Seguimos contigo."),
        campaign("signoff", "Con cariño, el mundo"),
    ], final=True)


@pytest.fixture
def world():
    """A letter in Spanish with quotes in several scripts: accepted, machine-draft and missing
    translations, an anonymous quote and one without consent."""
    return letter([
        campaign("greeting", "Querida Jani Mendoza:"),
        campaign("opening", "Te escribieron personas en muchos idiomas."),
        quote(412, "ar", AR, country="EG", translation=tr("Estamos contigo cada día y no te olvidamos."),
              attribution="Layla, El Cairo"),
        campaign("connective", "Muchas personas te dijeron que no estás sola."),
        quote(413, "zh", ZH, country="CN", translation=tr("Pensamos en ti cada día, cuídate.",
                                                          by="MT", status="machine_draft")),
        quote(414, "th", TH, country="TH", translation=tr("Estamos a tu lado cada día.", by="Somchai P."),
              anonymous=True, attribution="Secreto Escondido, Bangkok"),
        quote(415, "hi", HI, country="IN", translation=None, consent=False,
              attribution="Oculto Sinpermiso, Delhi"),
        quote(416, "es", "Desde Bogotá te mandamos fuerza.", country="CO", consent=None,
              attribution="Persona Desconocida"),
        campaign("closing", "Seguiremos escribiendo hasta que vuelvas a casa."),
        campaign("signoff", "Con cariño, el mundo"),
    ], final=False, missing=["415:0-26"])


# ------------------------------------------------------------------------------ an HTML tree

class Tree(HTMLParser):
    """Elements (tag, attrs, ancestors) and text runs with the elements they sit in."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.stack, self.elements, self.texts = [], [], []
        self.feed(text)

    VOID = {"meta", "br", "img", "hr", "link", "input"}

    def handle_starttag(self, tag, attrs):
        el = {"tag": tag, "attrs": dict(attrs), "parents": list(self.stack)}
        self.elements.append(el)
        if tag not in self.VOID:
            self.stack.append(el)

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        if data.strip():
            self.texts.append((data, list(self.stack)))

    def find(self, tag=None, cls=None):
        return [e for e in self.elements if (tag is None or e["tag"] == tag)
                and (cls is None or cls in e["attrs"].get("class", "").split())]

    def text_in(self, el):
        return "".join(t for t, st in self.texts if any(s is el for s in st))

    def container_of(self, needle):
        """The innermost element holding a text run that contains ``needle``."""
        hits = [st for t, st in self.texts if needle in t]
        assert hits, f"{needle!r} not in the document"
        return hits[0]


def _has_class(stack, cls):
    return any(cls in e["attrs"].get("class", "").split() for e in stack)


def norm(s):
    return "".join(unicodedata.normalize("NFKC", s).split())


# ------------------------------------------------------------------------------ untrusted text

def test_html_keeps_injection_literal(hostile):
    doc = X.to_html(hostile)
    tree = Tree(doc)
    tags = {e["tag"] for e in tree.elements}
    assert "script" not in tags and "img" not in tags and "a" not in tags
    assert not any(k.startswith("on") for e in tree.elements for k in e["attrs"])
    quotes = tree.find("blockquote", "quote")
    assert len(quotes) == 5
    texts = [tree.text_in(q) for q in quotes]
    assert SCRIPT in texts and IMG in texts and LINK in texts  # verbatim, as text
    assert "\u202e" not in doc and "\x1b" not in doc
    assert "abcdcba fin[31m rojo" in texts  # bidi override and ESC gone, the letters stay
    # the names are text too
    assert "Eve<script>x</script>" in "".join(tree.text_in(p) for p in tree.find("p", "provenance"))


def test_markdown_keeps_injection_literal(hostile):
    mdit = pytest.importorskip("markdown_it")
    md = X.to_markdown(hostile)
    rendered = mdit.MarkdownIt("commonmark", {"html": True}).enable("table").render(md)
    tree = Tree(rendered)
    tags = [e["tag"] for e in tree.elements]
    assert "script" not in tags and "img" not in tags and "a" not in tags
    assert not any(k.startswith("on") for e in tree.elements for k in e["attrs"])
    # one heading and one table: the appendix's; the quote's "| a | b |" and "# ..." stay text
    assert [t for t in tags if t in ("h1", "h2", "h3", "h4", "h5", "h6")] == ["h2"]
    assert tags.count("table") == 1
    text = "".join(t for t, _ in tree.texts)
    for literal in ("<script>alert('x')</script>", '"><img src=x onerror=alert(1)>',
                    "[aquí](http://evil.example/x)", "| a | b |", "# no soy un título",
                    "[Mallory](http://evil.example)"):
        assert literal in text
    # every line of the multi-line quote stays inside its blockquote
    bq = [tree.text_in(e) for e in tree.find("blockquote")]
    assert any("# no soy un título" in t and "primera línea" in t for t in bq)
    assert "\u202e" not in md and "\x1b" not in md


def test_plain_text_has_no_controls(hostile):
    txt = X.to_text(hostile)
    assert not any(unicodedata.category(c) == "Cc" and c not in "\n" for c in txt)
    assert "\u202e" not in txt
    assert "  │ <script>alert('x')</script> hola" in txt.split("\n")
    # every line of the multi-line quote is marked as quote
    for line in TABLE.split("\n"):
        assert "  │ " + line in txt.split("\n")


def test_schema1_refused():
    with pytest.raises(ValueError, match="schema 2"):
        X.to_html({"sections": [], "recipient": "x", "lang": "en"})


# ------------------------------------------------------------------------------ structure

def test_html_lang_and_dir(world):
    tree = Tree(X.to_html(world))
    html_el = tree.find("html")[0]
    assert html_el["attrs"]["lang"] == "es" and html_el["attrs"]["dir"] == "ltr"
    blocks = (tree.find("p", "campaign") + tree.find("blockquote", "quote")
              + tree.find("p", "provenance") + tree.find("p", "translation") + tree.find("div", "quote-block"))
    assert len(tree.find("p", "campaign")) == 5
    for b in blocks:
        assert b["attrs"].get("lang") and b["attrs"].get("dir") in ("ltr", "rtl", "auto"), b
    by_lang = {q["attrs"]["lang"]: q["attrs"]["dir"] for q in tree.find("blockquote", "quote")}
    assert by_lang["ar"] == "rtl"
    assert by_lang["zh"] == by_lang["th"] == by_lang["hi"] == "auto"
    assert all(b["attrs"]["data-written-by"] == "campaign" for b in tree.find("p", "campaign"))
    assert all(b["attrs"]["data-written-by"] == "message" for b in tree.find("blockquote", "quote"))


def test_rtl_letter_and_languages():
    doc = X.to_html(letter([campaign("greeting", "عزيزتي جاني،", lang="ar"),
                            quote(7, "ur", UR, translation=None), quote(8, "he", "אנחנו איתך"),
                            quote(9, "fa-IR", "ما با تو هستیم"), quote(10, "ru", RU)],
                           lang="ar", final=True))
    tree = Tree(doc)
    assert tree.find("html")[0]["attrs"] == {"lang": "ar", "dir": "rtl"}
    assert tree.find("p", "campaign")[0]["attrs"]["dir"] == "rtl"
    dirs = {q["attrs"]["lang"]: q["attrs"]["dir"] for q in tree.find("blockquote", "quote")}
    assert dirs == {"ur": "rtl", "he": "rtl", "fa-IR": "rtl", "ru": "auto"}


def test_blocks_in_reading_order(world):
    doc = X.to_html(world)
    order = [doc.index(s) for s in ("Querida Jani Mendoza:", AR, "Estamos contigo cada día",
                                    "Muchas personas te dijeron", ZH, TH, HI, "Desde Bogotá",
                                    "Seguiremos escribiendo", "Con cariño, el mundo")]
    assert order == sorted(order)
    txt = X.to_text(world)
    order = [txt.index(s) for s in ("Querida Jani Mendoza:", AR, "Muchas personas", ZH, "Con cariño")]
    assert order == sorted(order)


def test_translation_marked_credited_and_outside_the_quote(world):
    tree = Tree(X.to_html(world))
    tr_el = tree.container_of("Estamos contigo cada día")
    assert _has_class(tr_el, "translation") and not any(e["tag"] == "blockquote" for e in tr_el)
    for q in tree.find("blockquote", "quote"):
        assert "Estamos contigo" not in tree.text_in(q) and "Translation" not in tree.text_in(q)
    labels = [tree.text_in(e) for e in tree.find("span", "translation-label")]
    assert "Translation (es) by Ana Ruiz" in labels
    assert any("machine draft, not reviewed" in lab for lab in labels)
    assert tree.find("p", "machine")  # the machine draft's paragraph is styled apart
    # the translation comes right after its original (and its provenance line)
    doc = X.to_html(world)
    assert doc.index(AR) < doc.index("message 412") < doc.index("Estamos contigo") < doc.index(ZH)

    md = X.to_markdown(world).split("\n")
    line = next(i for i, ln in enumerate(md) if "Estamos contigo" in ln)
    assert not md[line].startswith(">") and "Translation (es) by Ana Ruiz" in md[line - 1]
    assert any("machine draft, not reviewed" in ln for ln in md)
    assert md[line - 1].startswith("*") and not md[line - 1].startswith(">")

    txt = X.to_text(world).split("\n")
    line = next(i for i, ln in enumerate(txt) if "Estamos contigo" in ln)
    assert "│" not in txt[line] and txt[line - 1].strip() == "Translation (es) by Ana Ruiz:"
    assert any("machine draft, not reviewed" in ln for ln in txt)


def test_provenance_line(world):
    tree = Tree(X.to_html(world))
    lines = [tree.text_in(p) for p in tree.find("p", "provenance")]
    assert "Layla, El Cairo — Arabic (ar) · Egypt · message 412" in lines
    assert "Anonymous — Chinese (zh) · China · message 413" not in lines  # 413 has consent
    assert "Anonymous — Thai (th) · Thailand · message 414" in lines
    assert "<bdi>Layla, El Cairo</bdi>" in X.to_html(world)  # the name is isolated
    txt = X.to_text(world)
    assert "  — Layla, El Cairo — Arabic (ar) · Egypt · message 412" in txt.split("\n")
    assert "Chinese (zh) · China · message 413" in txt
    assert "Layla, El Cairo — Arabic (ar) · Egypt · message 412" in X.to_markdown(world)


def test_anonymous_and_no_consent_hide_attribution(world):
    outs = {"md": X.to_markdown(world), "html": X.to_html(world), "txt": X.to_text(world),
            "json": X.to_json(world)}
    for fmt, out in outs.items():
        for hidden in ("Secreto Escondido", "Oculto Sinpermiso", "Persona Desconocida"):
            assert hidden not in out, (fmt, hidden)
        assert "Layla, El Cairo" in out, fmt
    data = json.loads(outs["json"])
    by_id = {b["message_id"]: b for b in data["blocks"] if b["kind"] == "quote"}
    assert by_id[414]["attribution"] is None and by_id[412]["attribution"] == "Layla, El Cairo"
    assert world["blocks"][5]["attribution"] == "Secreto Escondido, Bangkok"  # input untouched
    tree = Tree(outs["html"])
    rows = [[tree.text_in(td) for td in tree.find("td") if any(p is tr_ for p in td["parents"])]
            for tr_ in tree.find("tr")[1:]]
    by_msg = {r[0]: r for r in rows}
    assert by_msg["414"][6] == "anonymous" and by_msg["415"][6] == "anonymous"
    assert by_msg["415"][5] == "no → quoted anonymously"
    assert by_msg["416"][5].startswith("unknown")
    assert by_msg["412"][5] == "yes"


def test_appendix_lists_every_quote(world):
    ids = [b["id"] for b in world["blocks"] if b["kind"] == "quote"]
    tree = Tree(X.to_html(world))
    appendix = tree.find("section", "appendix")[0]
    rows = [e for e in tree.find("tr") if any(p is appendix for p in e["parents"])][1:]
    assert len(rows) == len(ids)
    cells = [[tree.text_in(td) for td in tree.find("td") if any(p is r for p in td["parents"])] for r in rows]
    assert [c[1] for c in cells] == ids
    assert [c[0] for c in cells] == [str(b["message_id"]) for b in world["blocks"] if b["kind"] == "quote"]
    translators = {c[0]: c[7] for c in cells}
    assert translators == {"412": "Ana Ruiz", "413": "machine draft", "414": "Somchai P.",
                           "415": "none", "416": "none"}
    assert {c[0]: c[4] for c in cells}["412"] == "online"
    assert {c[0]: c[3] for c in cells}["412"] == "Egypt (EG)"

    md = X.to_markdown(world)
    appendix_md = md[md.index("## Appendix"):]
    txt = X.to_text(world)
    appendix_txt = txt[txt.index("Appendix: quotes"):]
    for i in ids:
        assert i in appendix_md and f"quote {i}" in appendix_txt
    assert "no → quoted anonymously" in appendix_md and "machine draft" in appendix_txt


def test_draft_notice(world):
    notice = "DRAFT — missing translations: 415:0-26"
    for out in (X.to_markdown(world), X.to_html(world), X.to_text(world)):
        assert notice in out
    tree = Tree(X.to_html(world))
    assert tree.find("p", "draft-notice")
    final = dict(world, final=True, missing_translations=[])
    for out in (X.to_markdown(final), X.to_html(final), X.to_text(final)):
        assert "DRAFT" not in out


def test_write_exports(world, tmp_path):
    paths = X.write_exports(world, tmp_path / "out", formats=("md", "html", "txt", "json"))
    assert set(paths) == {"md", "html", "txt", "json"}
    assert all(p.exists() and p.stat().st_size > 0 for p in paths.values())
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["schema"] == 2
    with pytest.raises(ValueError):
        X.write_exports(world, tmp_path / "out", formats=("docx",))


# ------------------------------------------------------------------------------ PDF

SCRIPTS = {"ar": AR, "zh": ZH, "th": TH, "hi": HI, "ja": JA, "ko": KO, "ru": RU, "am": AM, "my": MY,
           "ur": UR, "km": KM}
# Text that pypdf gets back exactly (after NFKC and without whitespace) from WeasyPrint's
# ToUnicode maps. Urdu (Noto Nastaliq Urdu) and Khmer are left out: their shaping reuses one glyph
# for several contexts or merges a subscript consonant into a ligature, and a glyph carries only
# one Unicode mapping, so letters go missing or double up in the extracted text (the page
# itself is right).
EXTRACTS = ("ar", "zh", "th", "hi", "ja", "ko", "ru", "am", "my")


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    blocks = [campaign("greeting", "Querida Jani Mendoza:")]
    for i, (lang, text) in enumerate(SCRIPTS.items(), 600):
        anonymous = lang == "th"
        blocks.append(quote(i, lang, text, country="XX", anonymous=anonymous,
                            attribution="Secreto Escondido" if anonymous else None,
                            translation=tr(f"Traducción número {i}.")))
    blocks.append(quote(699, "es", SCRIPT + " " + IMG))
    blocks.append(campaign("signoff", "Con cariño, el mundo"))
    lt = letter(blocks, final=False, missing=["611:0-9"])
    path = X.write_exports(lt, tmp_path_factory.mktemp("pdf"), formats=("pdf",))["pdf"]
    from pypdf import PdfReader

    return lt, PdfReader(str(path))


def test_pdf_is_a4_with_selectable_text(pdf):
    lt, reader = pdf
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595.28) < 1.5 and abs(float(box.height) - 841.89) < 1.5
    text = "\n".join(p.extract_text() for p in reader.pages)
    flat = norm(text)
    for lang in EXTRACTS:
        assert norm(SCRIPTS[lang]) in flat, lang
    assert "DRAFT — missing translations: 611:0-9" in text
    assert norm(SCRIPT) in flat and norm(IMG) in flat  # the escaped markup, as text
    assert "Secreto Escondido" not in text
    for b in lt["blocks"]:
        if b["kind"] == "quote":
            assert b["id"] in text


def test_pdf_fonts_embedded(pdf):
    _lt, reader = pdf
    fonts = {}
    for page in reader.pages:
        for f in page["/Resources"].get("/Font", {}).values():
            f = f.get_object()
            desc = f.get("/FontDescriptor")
            if desc is None and "/DescendantFonts" in f:
                desc = f["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            desc = desc.get_object() if desc is not None else {}
            fonts[str(f["/BaseFont"]).split("+", 1)[-1]] = any(
                k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert fonts and all(fonts.values()), fonts
    for family in ("Noto-Sans", "Noto-Naskh-Arabic", "Noto-Sans-CJK-SC", "Noto-Sans-CJK-JP",
                   "Noto-Sans-CJK-KR", "Noto-Sans-Thai", "Noto-Sans-Devanagari", "Noto-Sans-Myanmar",
                   "Noto-Sans-Khmer", "Noto-Sans-Ethiopic", "Noto-Nastaliq-Urdu"):
        assert family in fonts, (family, sorted(fonts))


def test_pdf_fetches_nothing(tmp_path):
    from weasyprint import HTML

    from pypdf import PdfReader

    target = tmp_path / "secret.css"
    target.write_text("p { color: red }")
    html = (f'<link rel="stylesheet" href="{target.as_uri()}"><p>hola</p>'
            f'<img src="{target.as_uri()}"><img src="http://127.0.0.1:9/x.png">')
    calls = []
    fetcher = X._refusing_fetcher()
    orig = type(fetcher).fetch

    def spy(self, url, headers=None):
        calls.append(url)
        return orig(self, url, headers)

    type(fetcher).fetch = spy
    out = tmp_path / "x.pdf"
    HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf(str(out))
    assert calls  # WeasyPrint asked, and every request was refused
    page = PdfReader(str(out)).pages[0]
    assert "/XObject" not in page["/Resources"] or not page["/Resources"]["/XObject"]
