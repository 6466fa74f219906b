import pytest

from letterworld.letter import compose, to_html, to_markdown
from letterworld.records import Message
from letterworld.stages import attribution


def msg(**kw):
    base = dict(text="x", source_file="f", source_row=1, author="Maria López", country="CO", consent=True)
    base.update(kw)
    return Message(**base)


def test_attribution_policies_and_consent():
    assert attribution(msg()) == "Maria, Colombia"
    assert attribution(msg(), "es") == "Maria, Colombia"
    assert attribution(msg(country="DE"), "es") == "Maria, Alemania"
    assert attribution(msg(author="The Hendersons", country="US")) == "The Hendersons, United States"
    assert attribution(msg(), policy="country") == "Colombia"
    # a title is not a first name, and never pulls the surname in with it
    assert attribution(msg(author="Dr. Jane Smith", country="US")) == "Jane, United States"
    assert attribution(msg(author="Pastor Ray", country="US")) == "Pastor Ray, United States"
    assert attribution(msg(), policy="none") == ""
    assert attribution(msg(consent=False)) == ""
    assert attribution(msg(consent=None)) == ""  # missing consent: nothing
    with pytest.raises(ValueError, match="unknown attribution policy"):
        attribution(msg(), policy="full_name")


def excerpt(i, theme, text="No estás sola.", source="¡Hola! No estás sola."):
    start = source.index(text)
    return {"id": f"{i}:{start}-{start + len(text)}", "message_id": i, "lang": "es", "country": "CO",
            "text": text, "source_text": source, "start": start, "end": start + len(text),
            "attribution": "Ana, Colombia", "theme_id": theme, "why": {}}


def test_compose_orders_sections_by_theme_and_counts_in_closing():
    themes = [{"theme_id": 2, "label": "not alone"}, {"theme_id": 0, "label": "courage"}]
    letter = compose("Thant Zin", themes, [excerpt(1, 0), excerpt(2, 2)],
                     {"messages": 120, "languages": 14, "countries": 30}, lang="en")
    assert letter["greeting"] == "Dear Thant Zin,"
    assert [s["label"] for s in letter["sections"]] == ["not alone", "courage"]
    assert letter["closing"] == "Written by 120 people in 14 languages from 30 countries."
    es = compose("Jani Mendoza", themes, [], {"messages": 3, "languages": 2, "countries": 1}, lang="es")
    assert es["greeting"].startswith("Querida/o Jani Mendoza") and "3 personas" in es["closing"]


def test_compose_refuses_broken_provenance():
    bad = excerpt(1, 0)
    bad["text"] = "Estás sola."
    with pytest.raises(ValueError, match="provenance"):
        compose("X", [{"theme_id": 0, "label": "a"}], [bad], {"messages": 1, "languages": 1, "countries": 1})


def test_exports_escape_and_attribute():
    e = excerpt(1, 0, text="<b>No</b> estás sola.", source="<b>No</b> estás sola.")
    letter = compose("Jani", [{"theme_id": 0, "label": "solidarity"}], [e],
                     {"messages": 1, "languages": 1, "countries": 1})
    html = to_html(letter)
    assert "&lt;b&gt;No&lt;/b&gt;" in html and "<b>No</b>" not in html
    assert "dir='auto'" in html and "Ana, Colombia" in html
    md = to_markdown(letter)
    assert "## solidarity" in md and "message 1" in md


HOSTILE_TEXT = ('<script>alert(1)</script> "><img src=x onerror=alert(1)> *bold* [link](http://x) `code`\n'
                '| a | b |\n|---|---|\n# heading\n- item\n\u202eesrever')


def hostile_letter():
    e = excerpt(7, 0, text=HOSTILE_TEXT, source=HOSTILE_TEXT)
    e["attribution"] = '"><img src=x onerror=alert(2)> *Ana*'
    e["lang"] = "es' onload='alert(3)"
    letter = compose("<Jani> *Mendoza*", [{"theme_id": 0, "label": "## <i>courage</i> | x"}], [e],
                     {"messages": 1, "languages": 1, "countries": 1}, campaign="<c>")
    return letter


def test_markdown_escapes_message_text_names_and_labels():
    md = to_markdown(hostile_letter())
    assert "<script" not in md and "<img" not in md and "<i>" not in md and "<Jani>" not in md
    assert "&lt;script&gt;" in md and "\\*bold\\*" in md and "\\[link\\]" in md and "\\`code\\`" in md
    assert "\\| a \\| b \\|" in md and "\u202e" not in md
    # the multi-line quote stays inside its block: every line of it up to its source line starts with ">"
    lines = md.split("\n")
    first = next(i for i, ln in enumerate(lines) if ln.startswith(">"))
    last = next(i for i, ln in enumerate(lines) if "<sub>" in ln)
    assert last - first >= 7 and all(ln.startswith(">") for ln in lines[first:last + 1]), lines
    assert "> \\# heading" in md and "> \\- item" in md
    assert md.count("<sub>") == 1  # the letter's own markup only


def test_html_escapes_text_attributes_and_names():
    page = to_html(hostile_letter())
    assert "<script" not in page and "<img" not in page and "<i>" not in page and "<Jani>" not in page
    assert "lang='es&#x27; onload=&#x27;alert(3)'" in page
    assert "&lt;script&gt;" in page and "\u202e" not in page
