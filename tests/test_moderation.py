import numpy as np

from letterworld.config import Config
from letterworld.moderation import redact, screen_rules
from letterworld.moderation.duplicates import group_duplicates
from letterworld.moderation.stage import redacted_texts, screen_store
from letterworld.records import Flag, Message


def kinds(text, **kw):
    return sorted((f.kind, f.reason) for f in screen_rules(text, **kw).flags)


def test_personal_data_is_flagged_with_spans_and_redacted_visibly():
    text = "Escríbeme a maria.lopez@example.org o al +55 11 98765-4321. ¡Fuerza!"
    s = screen_rules(text)
    spans = {f.reason: text[f.start:f.end] for f in s.flags}
    assert spans["email address"] == "maria.lopez@example.org"
    assert spans["phone number"] == "+55 11 98765-4321"
    assert s.redacted == "Escríbeme a [email] o al [phone]. ¡Fuerza!"
    assert s.text == text  # the original is untouched


def test_local_phone_formats_but_not_dates_or_years():
    for phone in ("(212) 555-0147", "0176 12345678", "0300-1234567", "010-1234-5678", "+44 7700 900123"):
        assert ("personal_data", "phone number") in kinds(f"call me {phone} please"), phone
    for not_phone in ("on 2026-10-03", "since 1998-2024", "on 15/10/2026", "we are 1000000 strong"):
        assert kinds(f"We wrote {not_phone}.") == [], not_phone


def test_card_and_iban_and_address():
    assert ("personal_data", "payment card number") in kinds("card 4111 1111 1111 1111 thanks")
    assert ("personal_data", "IBAN") in kinds("IBAN DE89 3704 0044 0532 0130 00")
    s = screen_rules("— Maria López, Calle 5 #12-30, Bogotá")
    assert "[address]" in s.redacted and "Calle 5" not in s.redacted


def test_spam_abuse_hostility_safety_and_links():
    assert {k for k, _ in kinds("Earn money from home with BITCOIN https://x.example.com/promo")} == {"spam", "link"}
    assert ("spam", "mostly one repeated character") in kinds("!!!!!!!!!!!!!!!!!!!!")
    assert kinds("Stay strong ❤️❤️❤️❤️❤️❤️❤️❤️❤️ we are with you") == []
    assert {k for k, _ in kinds("She deserves to rot in prison")} == {"hostility"}
    assert {k for k, _ in kinds("we know where your family lives")} == {"safety"}
    assert {k for k, _ in kinds("Greetings from her home town Popayán", dangerous_terms=("Popayán",))} == {"safety"}
    assert kinds("You are so brave, Jani. We are with you.", protected_names=("Jani Mendoza",)) == []


def test_redact_ignores_non_redacting_flags():
    s = screen_rules("traitor! mail me at a.b@example.com")
    assert redact(s.text, s.flags) == "traitor! mail me at [email]"


def test_duplicate_groups_and_templates():
    sample = "Dear Jani, you are not alone. People all over the world stand with you and your community."
    texts = [sample, sample + " Maria", "dear jani you are NOT alone!! people all over the world stand with you and your community",
             "Something entirely different that I wrote myself about rivers.", "Fuerza!", "Fuerza!",
             "Something entirely different that I wrote myself about rivers!"]
    groups = group_duplicates(texts, [sample])
    by_member = {i: g for g in groups for i in g.members}
    assert by_member[0] is by_member[1] is by_member[2]
    assert by_member[0].template == 0
    assert by_member[3] is by_member[6] and by_member[3].template is None
    assert 4 not in by_member and 5 not in by_member  # very short texts are independent voices
    assert by_member[0].representative == 1  # the longest copy carries what people added



def test_near_duplicate_groups_are_the_same_in_every_process():
    """Shingles are hashed the same way in every process (Python's string hash changes with
    PYTHONHASHSEED), so a re-run finds the same MinHash candidates and the same groups."""
    import os
    import subprocess
    import sys

    code = ("from letterworld.moderation.duplicates import group_duplicates\n"
            "import random\n"
            "r = random.Random(3)\n"
            "words = 'river valley courage family school justice freedom letter voice world hope light'.split()\n"
            "base = [' '.join(r.choice(words) for _ in range(9)) for i in range(60)]\n"
            "texts = [t if r.random() < 0.5 else t[:-1] + 'x ok' for t in base * 3]\n"
            "from letterworld.moderation.duplicates import _minhash, normalise, shingle_hashes\n"
            "print(_minhash([shingle_hashes(normalise(t)) for t in texts]).sum())\n"
            "print(sorted((g.members, g.representative) for g in group_duplicates(texts)))")
    outs = {subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": seed},
                           capture_output=True, text=True, check=True).stdout for seed in ("1", "2", "3")}
    assert len(outs) == 1 and outs.pop().count("((") >= 40  # one group per base text, or nearly


def test_shingle_hashes_are_the_shingle_sets():
    from letterworld.moderation.duplicates import jaccard, shingle_hashes

    def shingles(norm: str, k: int = 5) -> set[str]:  # the sets of strings the hashes stand for
        return {norm[i:i + k] for i in range(len(norm) - k + 1)} if len(norm) > k else {norm}

    a, b = "we stand with you and your family", "we stand with you and your familia"
    ha, hb = shingle_hashes(a), shingle_hashes(b)
    assert len(ha) == len(shingles(a)) and list(ha) == sorted(ha)
    sa, sb = shingles(a), shingles(b)
    assert jaccard(ha, hb) == len(sa & sb) / len(sa | sb)
    assert len(shingle_hashes("abc")) == 1 and len(shingle_hashes("")) == 0


def test_screen_store_auto_approves_unflagged_holds_safety_and_keeps_people_decisions(store):
    cfg = Config()
    cfg.campaign.sample_texts = ["Dear Aylin, journalism is not a crime. We stand with you."]
    store.add_messages([Message(t, "f.csv", i) for i, t in enumerate([
        "Courage Aylin, we read every word you wrote.",
        "Write to me: me@example.org",
        "we know where your family lives",
        "Dear Aylin, journalism is not a crime. We stand with you.",
        "Dear Aylin, journalism is not a crime. We stand with you!",
        "A message a moderator already rejected"], start=2)])
    ids = [m.id for m in store.messages()]
    store.set_status(ids[5], "rejected", actor="mod", why="test")
    s = screen_store(store, cfg, auto_approve=True)
    st = store.statuses()
    assert st[ids[0]] == "approved"
    assert st[ids[1]] == "pending"
    assert st[ids[2]] == "held"
    assert st[ids[3]] == st[ids[4]] == "approved"  # template copies are grouped, not blocked
    assert st[ids[5]] == "rejected"
    assert s.template_copies == 2
    dups = store.duplicates()
    assert dups[ids[3]].is_template and dups[ids[3]].group_id == dups[ids[4]].group_id
    assert redacted_texts(store)[ids[1]] == "Write to me: [email]"
    actors = {r.actor for r in store.audit_log(target=f"message:{ids[0]}")}
    assert actors == {"rule:auto-approve"}
    # re-running changes nothing
    screen_store(store, cfg, auto_approve=True)
    assert store.statuses() == st


# -- the review queue -----------------------------------------------------------------
import csv  # noqa: E402

import pytest  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from letterworld.cli_moderation import queue_app  # noqa: E402
from letterworld.moderation import queue as q  # noqa: E402

QUEUE_TEXTS = [
    "Courage Aylin, we read every word you wrote.",            # 0 unflagged
    "Write to me: me@example.org. You are brave!",             # 1 personal data
    "we know where your family lives",                          # 2 safety
    "She deserves to rot in prison",                            # 3 hostility
    "Ánimo Aylin, estamos contigo desde Bogotá.",               # 4 unflagged, es
    "Earn money from home with BITCOIN now",                    # 5 spam
]


@pytest.fixture
def queued(store):
    store.add_messages([Message(t, "f.csv", i, recipient="Aylin Demir") for i, t in enumerate(QUEUE_TEXTS)])
    ids = [m.id for m in store.messages()]
    for mid, lang in zip(ids, ["en", "en", "en", "en", "es", "en"]):
        store.set_language(mid, lang, 0.9)
    screen_store(store, Config(), auto_approve=False, classify=False)
    return store, ids


def test_queue_lists_riskiest_first_and_filters(queued):
    store, ids = queued
    order = [i.id for i in q.items(store)]
    assert order[:4] == [ids[2], ids[3], ids[1], ids[5]]  # safety, hostility, personal data, spam
    assert set(order[4:]) == {ids[0], ids[4]}
    assert [i.id for i in q.items(store, q.Selection(langs=("es",)))] == [ids[4]]
    assert [i.id for i in q.items(store, q.Selection(flags=("personal_data",)))] == [ids[1]]
    assert {i.id for i in q.items(store, q.Selection(flags=("none",)))} == {ids[0], ids[4]}


def test_bulk_approve_skips_risky_and_audits_the_selection(queued):
    store, ids = queued
    out = q.decide_selection(store, q.Selection(statuses=q.UNDECIDED), "approve", actor="ana", why="harmless mass")
    st = store.statuses()
    assert st[ids[0]] == st[ids[4]] == st[ids[5]] == "approved"
    assert st[ids[1]] == "approved_redacted"  # its email stays hidden
    assert st[ids[2]] == "held" and st[ids[3]] == "pending"  # safety and hostility were not swept along
    assert set(out.skipped) == {ids[2], ids[3]}
    bulk = [r for r in store.audit_log() if r.action == "bulk-approve"]
    assert len(bulk) == 1 and bulk[0].actor == "ana" and '"decided": 4' in bulk[0].detail
    per_message = store.audit_log(target=f"message:{ids[0]}")
    assert per_message[-1].actor == "ana" and per_message[-1].why == "harmless mass"


def test_reject_needs_a_known_reason_code_and_rules_cannot_pose_as_people(queued):
    store, ids = queued
    with pytest.raises(q.QueueError):
        q.decide(store, [ids[3]], "reject", actor="ana")
    with pytest.raises(q.QueueError):
        q.decide(store, [ids[3]], "reject", reason_code="because", actor="ana")
    with pytest.raises(q.QueueError):
        q.decide(store, [ids[3]], "approve", actor="rule:auto-approve")
    q.decide(store, [ids[3]], "reject", reason_code="hostile", actor="ana", why="wants her in prison")
    row = store.moderation_rows()[ids[3]]
    assert (row.status, row.reason_code, row.decided_by, row.manual) == ("rejected", "hostile", "ana", True)
    # a re-run of the screen never overrides a person's decision
    screen_store(store, Config(), auto_approve=True, classify=False)
    assert store.statuses()[ids[3]] == "rejected"


def test_redactions_are_reversible_and_change_approved_status(queued):
    store, ids = queued
    mid = ids[1]
    text = store.message(mid).text
    q.decide(store, [mid], "approve", actor="ana")
    assert store.statuses()[mid] == "approved_redacted"
    email = next(f for f in q.effective_flags(store)[mid] if f.reason == "email address")
    q.unredact_span(store, mid, email.start, email.end, actor="ana", why="campaign's own address")
    assert redacted_texts(store)[mid] == text and store.statuses()[mid] == "approved"
    q.redact_span(store, mid, email.start, email.end, actor="ana")  # re-redact: automatic one is back
    assert redacted_texts(store)[mid] == "Write to me: [email]. You are brave!"
    start, end = q.find_span(text, "brave")
    q.redact_span(store, mid, start, end, label="name", actor="bo")
    assert redacted_texts(store)[mid] == "Write to me: [email]. You are [name]!"
    q.unredact_span(store, mid, start, end, actor="bo")
    assert redacted_texts(store)[mid] == "Write to me: [email]. You are brave!"
    assert store.message(mid).text == text  # the original never changes
    actions = [r.action for r in store.audit_log(target=f"message:{mid}")]
    assert actions.count("unredact") == 1 and actions.count("redact") == 1 and "undo-redact" in actions
    assert all("me@example.org" not in r.detail for r in store.audit_log())  # no personal data in the log
    with pytest.raises(q.QueueError):
        q.unredact_span(store, ids[0], 0, 4, actor="ana")  # nothing redacted there
    with pytest.raises(ValueError):
        q.redact_span(store, mid, 0, 10_000, actor="ana")


def test_two_person_rule(queued):
    store, ids = queued
    q.set_two_person_rule(store, True, actor="lead")
    out = q.decide(store, [ids[0]], "approve", actor="ana")
    assert out.awaiting_second == [ids[0]] and store.statuses()[ids[0]] == "pending"
    again = q.decide(store, [ids[0]], "approve", actor="ana")  # the same person twice is still one
    assert again.awaiting_second == [ids[0]] and store.statuses()[ids[0]] == "pending"
    q.decide(store, [ids[0]], "approve", actor="bo")
    assert store.statuses()[ids[0]] == "approved"
    assert store.moderation_rows()[ids[0]].decided_by == "bo"
    assert "first: ana" in store.audit_log(target=f"message:{ids[0]}")[-1].why


def test_csv_round_trip_applies_decisions_and_refuses_bad_files(queued, tmp_path):
    store, ids = queued
    path = tmp_path / "review.csv"
    q.export_csv(store, path)
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    assert [int(r["id"]) for r in rows][:2] == [ids[2], ids[3]]
    assert all("me@example.org" not in r["text"] for r in rows)  # redacted unless --original
    for r in rows:
        r["decision"] = {ids[0]: "approve", ids[3]: "reject", ids[4]: "translate"}.get(int(r["id"]), "")
        if int(r["id"]) == ids[3]:
            r["new_reason_code"], r["why"] = "hostile", "not solidarity"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=q.CSV_COLUMNS)
        w.writeheader()
        w.writerows(rows)
    # a wrong row anywhere applies nothing
    bad = tmp_path / "bad.csv"
    bad.write_text(path.read_text(encoding="utf-8-sig").replace("not solidarity", "x").replace(",hostile,", ",nope,"),
                   encoding="utf-8")
    r = q.import_csv(store, bad, actor="sheet")
    assert r.errors and not r.applied and store.statuses()[ids[0]] == "pending"
    # someone decides message 0 in the meantime: a conflict, skipped
    q.decide(store, [ids[4]], "approve", actor="ana")
    r = q.import_csv(store, path, actor="sheet")
    assert sorted(r.applied) == sorted([ids[0], ids[3]]) and list(r.conflicts) == [ids[4]]
    st = store.statuses()
    assert st[ids[0]] == "approved" and st[ids[3]] == "rejected" and st[ids[4]] == "approved"
    assert store.moderation_rows()[ids[3]].reason_code == "hostile"
    assert any(r.action == "import" and r.actor == "sheet" for r in store.audit_log())


def test_csv_export_neutralises_spreadsheet_formulas(store, tmp_path):
    store.add_messages([Message("=HYPERLINK(\"http://evil\")", "f.csv", 1)])
    screen_store(store, Config(), classify=False)
    q.export_csv(store, tmp_path / "x.csv")
    row = next(csv.DictReader((tmp_path / "x.csv").open(encoding="utf-8-sig")))
    assert row["text"].startswith("'=")


def test_groups_count_people_who_sent_the_sample(store):
    sample = "Dear Aylin, journalism is not a crime. We stand with you."
    cfg = Config()
    cfg.campaign.sample_texts = [sample]
    store.add_messages([Message(sample + "!" * (i % 2), "f.csv", i) for i in range(5)]
                       + [Message("Something I wrote myself about courage.", "f.csv", 9)])
    screen_store(store, cfg, classify=False)
    gs = q.groups(store)
    assert len(gs) == 1 and gs[0].size == 5 and gs[0].template
    out = q.decide_selection(store, q.Selection(groups=(gs[0].group_id,)), "approve", actor="ana")
    assert len(out.decided) == 5


def test_cli_takes_a_store_from_pending_to_reviewed(queued, tmp_path):
    store, ids = queued
    db = str(store.path)
    run = CliRunner().invoke
    res = run(queue_app, ["list", "--db", db])
    assert res.exit_code == 0, res.output
    assert res.output.index(f"{ids[2]:>6}") < res.output.index(f"{ids[0]:>6}")  # safety before harmless
    assert run(queue_app, ["decide", "reject", str(ids[3]), "--db", db, "--as", "ana"]).exit_code == 2
    res = run(queue_app, ["decide", "reject", str(ids[3]), "--reason", "hostile", "--db", db, "--as", "ana"])
    assert res.exit_code == 0, res.output
    res = run(queue_app, ["decide", "hold", "--flag", "safety", "--reason", "safety", "--db", db, "--as", "ana"])
    assert res.exit_code == 0 and "1 decided" in res.output
    res = run(queue_app, ["redact", str(ids[4]), "--match", "Bogotá", "--db", db, "--as", "ana"])
    assert res.exit_code == 0, res.output
    res = run(queue_app, ["decide", "approve", "--status", "pending", "--db", db, "--as", "ana"])
    assert res.exit_code == 0 and "4 decided" in res.output
    res = run(queue_app, ["list", "--db", db])
    assert res.output.strip().endswith("0 of 1 shown") or "1 of 1 shown" in res.output  # only the held one
    st = store.statuses()
    assert st[ids[4]] == "approved_redacted" and redacted_texts(store)[ids[4]].endswith("desde [redacted].")
    assert {st[i] for i in ids} == {"approved", "approved_redacted", "rejected", "held"}
    res = run(queue_app, ["export", str(tmp_path / "all.csv"), "--db", db, "--status", "approved"])
    assert res.exit_code == 0 and (tmp_path / "all.csv").exists()


# -- personal data and the classifier ---------------------------------------------------
def test_more_personal_data_kinds_and_no_false_alarms_on_ordinary_numbers():
    cases = {
        "SSN 512-48-7730 please": ("national ID number", "512-48-7730"),
        "server 172.58.14.203 logged": ("IP address", "172.58.14.203"),
        "iban gb95loyd30941258273146 ok": ("IBAN", "gb95loyd30941258273146"),
        "my card number 502013784561 is lost": ("payment card number", "502013784561"),
        "Phone: 387 2241": ("phone number", "387 2241"),
        "call 318.264.9051x227 now": ("phone number", "318.264.9051x227"),
        "I live at Birkevej 7, Odense": ("street address", "Birkevej 7"),
        "Keiko lives at 4417 Rua das Acácias 208, Curitiba": ("street address", "4417 Rua das Acácias 208"),
    }
    for text, (reason, value) in cases.items():
        found = {(f.reason, text[f.start:f.end]) for f in screen_rules(text).flags}
        assert any(r == reason and value in v for r, v in found), (text, found)
    for text in ("Article 19 protects free expression.", "We met on 2021-03-14 09:42:05 in the square.",
                 "Psalm 23 is for you.", "1000000 signatures in 2026!"):
        assert not [f for f in screen_rules(text).flags if f.kind == "personal_data"], text


def test_names_of_private_persons_but_not_the_recipient():
    s = screen_rules("Dear Jani Mendoza, stay strong.\n— Maria López, Calle 5 #12-30", protected_names=("Jani Mendoza",))
    assert s.redacted == "Dear Jani Mendoza, stay strong.\n— [name], [address]"
    assert screen_rules("Me llamo Lucía Fernández y te escribo desde Chile.").redacted.startswith("Me llamo [name] y")
    assert screen_rules("Un abrazo,\nJuan Pérez").redacted == "Un abrazo,\n[name]"
    assert screen_rules("Jani, you are brave. Love from all of us").redacted == "Jani, you are brave. Love from all of us"


def test_names_from_the_gazetteer_with_context_but_not_places_or_protected_names():
    def names(text, **kw):
        return [text[f.start:f.end] for f in screen_rules(text, **kw).flags if f.reason == "person name"]

    assert names("Harold Bennett listed his ten favourite films.") == ["Harold Bennett"]
    assert names("Could you change it to Ms. Renata Moreira?") == ["Renata Moreira"]
    assert names("Sigrun spent two summers at Vellomark as the intern of Sigrun Halvorsen.") == [
        "Sigrun", "Sigrun Halvorsen"]
    assert names("Who wrote this? Kowalczyk and Brennan were careful builders.") == ["Kowalczyk", "Brennan"]
    assert names("Agnes Lindqvist\n\n2210 Storgatan 41\n Suite 12\n UMEÅ") == ["Agnes Lindqvist"]
    # places, organisations, greetings and the campaign's protected names are not flagged
    for text in ("Love from Manila, we are with you.", "Greetings from Costa Rica!", "My aunt moved here from Romania",
                 "The Walsh, Moreno and Dean Orchestra was formed in 1988.", "Our church group in Bristol prays.",
                 "Dear Thant Zin, stay strong.", "Draga Jani, v naši župniji molimo.", "Isaiah 43:2 is for you."):
        assert names(text, protected_names=("Jani Mendoza", "Thant Zin")) == [], text
    # a German capitalised noun that is also a family name is not a name
    assert names("Viel Kraft und Mut für dich.", lang="de") == []


def test_more_address_shapes():
    for text, value in {"3407 Kulla 12\n Suite 9\n Narva\n\n Estonia 20308": "Estonia 20308",
                        "Ship to: 3407 Skólavörðustræti 9, Selfoss, Iceland": "Skólavörðustræti 9",
                        "The clinic is on Nové Sady 318": "Nové Sady 318",
                        "Wait for me at the corner of Hringbraut 57 and Marlowe Crescent": "Hringbraut 57"}.items():
        spans = [text[f.start:f.end] for f in screen_rules(text).flags if f.reason == "street address"]
        assert any(value in s for s in spans), (text, spans)
    for text in ("During 1984, the cooperative doubled in size.", "12 Songs Of The 80s Nobody Admits To Loving"):
        assert not [f for f in screen_rules(text).flags if f.reason == "street address"], text


@pytest.mark.parametrize("text,address", [
    # the next sentence is no part of the address
    ("Se quiser responder, meu endereço é Rua das Flores 123, São Paulo - SP. Um abraço forte!",
     "Rua das Flores 123, São Paulo - SP"),
    # nor are the words between "my address" and a colon
    ("Mijn adres voor als je terug wilt schrijven: Kerkstraat 12, 3512 AB Utrecht. Hartelijke groet, Kees",
     "Kerkstraat 12, 3512 AB Utrecht"),
    # abbreviations with a full stop inside an address do not end it
    ("My address is 12 St. John St. Apt 4, Boston.", "12 St. John St. Apt 4, Boston"),
])
def test_an_address_after_a_cue_ends_where_it_ends(text, address):
    assert [text[f.start:f.end] for f in screen_rules(text).flags if f.reason == "street address"] == [address]


def test_classifier_separates_hostility_from_solidarity(embedder):
    from letterworld.moderation.classifier import load_classifier

    clf = load_classifier()
    assert clf is not None and clf.embedder == embedder.name
    hostile = ["I hope she rots in that cell for the rest of her life, the traitor.",
               "Espero que se pudra en la cárcel, esa mentirosa.",
               "Che marcisca in cella per sempre, quella bugiarda traditrice."]
    kind = ["We are with you, Jani, and we will not stop until you are free.",
            "Estamos contigo, no estás sola. ¡Fuerza!",
            "Wir stehen an deiner Seite und fordern deine Freilassung."]
    langs = ["en", "es", "it", "en", "es", "de"]
    p = clf.proba(embedder.encode(hostile + kind), hostile + kind, langs)
    th = np.array([clf.threshold_for(lang) for lang in langs])
    assert (p[:3] >= th[:3]).all(), p
    assert (p[3:] < th[3:]).all(), p
    flags = clf.flags(hostile[:1], embedder.encode(hostile[:1]))  # language detected when not given
    assert flags[0][0].kind == "hostility" and flags[0][0].end == len(hostile[0])


def test_classifier_uses_char_ngrams_for_trained_languages_and_embedding_elsewhere(embedder):
    from letterworld.moderation.classifier import load_classifier

    clf = load_classifier()
    assert set(clf.lang_thresholds) == {"en", "es", "fr", "de", "pt", "ar"}
    assert clf.uses_full_model("de") and clf.uses_full_model("pt-BR") and not clf.uses_full_model("vi")
    # a language with hand-written training rows has its own (out-of-fold) threshold; one with none
    # gets the leave-one-language-out threshold
    assert clf.threshold_for("vi") == clf.embed_thresholds["vi"] < clf.threshold
    assert clf.threshold_for("sq") == clf.threshold
    text = ["Wir stehen an deiner Seite."]
    v = embedder.encode(text)
    assert clf.proba(v, text, ["de"])[0] != clf.proba(v, text, ["vi"])[0]  # two models
    with pytest.raises(ValueError):
        clf.proba(v, text * 2)


def test_centre_by_language_removes_each_language_mean_and_renormalises():
    from letterworld.moderation.classifier import centre_by_language

    v = np.array([[1.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 3.0, 4.0]], dtype=np.float32)
    means = {"ar": np.array([1.0, 0.0, 0.0], dtype=np.float32)}
    out = centre_by_language(v, ["ar", "ar", "xx"], means, default=np.array([0.0, 3.0, 0.0], dtype=np.float32))
    assert np.allclose(out[0], [0, 1, 0]) and np.allclose(out[1], [0, 0, 1])  # the Arabic mean removed
    assert np.allclose(out[2], [0, 0, 1])  # a language without a mean takes the default
    kept = centre_by_language(v, ["ar", "ar", "xx"], means)  # no default: only renormalised
    assert np.allclose(kept[2], [0, 0.6, 0.8]) and np.allclose(v[2], [0, 3, 4])  # the input is not changed


def test_full_model_centres_each_language_on_its_own_mean(embedder):
    """The six trained languages carry a mean embedding; centring on it brings an Arabic sentence
    nearer its English translation than to other Arabic sentences, which is why it helps Arabic."""
    from letterworld.moderation.classifier import centre_by_language, load_classifier

    clf = load_classifier()
    assert set(clf.lang_means) == set(clf.lang_thresholds)
    texts = ["You are a traitor and you deserve prison.", "أنت خائن وتستحق السجن.",
             "نحن معك ونطالب بإطلاق سراحك.", "الحرية لكل المعتقلين."]
    langs = ["en", "ar", "ar", "ar"]
    raw = embedder.encode(texts)
    centred = centre_by_language(raw, langs, clf.lang_means)

    def margin(v):  # translation similarity minus the closest other Arabic sentence's
        return float(v[0] @ v[1] - max(v[1] @ v[2], v[1] @ v[3]))
    assert margin(centred) > margin(raw) + 0.05, (margin(raw), margin(centred))
    one = ["Wir stehen an deiner Seite."]
    v = embedder.encode(one)
    assert clf.proba(v, one, ["de"])[0] != clf.proba(v, one, ["fr"])[0]  # same full model, other mean


def test_rbf_svm_arrays_score_as_scikit_learn_does_in_blocks():
    """The shipped SVM is plain arrays scored in blocks of 2,048 rows; it must give scikit-learn's
    decision values on more rows than one block."""
    from sklearn.svm import SVC

    from letterworld.moderation.classifier import AbuseClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 8)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] ** 2 > 1).astype(int)
    svm = SVC(C=4, kernel="rbf", gamma="scale").fit(X, y)
    clf = AbuseClassifier(coef=np.zeros(8), intercept=0.0, threshold=0.5, embedder="test",
                          support_vectors=svm.support_vectors_.astype(np.float32),
                          dual_coef=svm.dual_coef_[0].astype(np.float32), svm_intercept=float(svm.intercept_[0]),
                          svm_gamma=float(svm._gamma))
    new = rng.normal(size=(5000, 8)).astype(np.float32)
    assert np.allclose(clf.svm_decision(new), svm.decision_function(new), atol=1e-3)


def test_embedding_only_model_centres_on_the_language_mean_it_was_trained_with(embedder):
    """Languages outside the six get the SVM alone on the embedding centred on their training mean (the 34
    languages with hand-written rows, the demo's languages) or, never seen, on the pooled mean."""
    from letterworld.moderation.classifier import load_classifier

    clf = load_classifier()
    assert clf.support_vectors is not None and {"vi", "sw", "pl", "ja"} <= set(clf.embed_means)
    assert "sq" not in clf.embed_means and clf.embed_pooled.shape == (384,)
    text = ["Tuko pamoja nawe, dada. Uhuru!"]
    v = embedder.encode(text)
    sw, pl, unseen, unseen2 = (clf.proba(v, None, [lang])[0] for lang in ("sw", "pl", "sq", "zz"))
    assert sw != pl  # each language's own mean
    assert unseen == unseen2 != sw  # any unseen language: the pooled mean
    hostile = ["Natumaini utaozea gerezani, msaliti wewe."]
    assert clf.proba(embedder.encode(hostile), None, ["sw"])[0] > sw


def test_arabizi_goes_to_the_arabic_model_when_detection_gives_a_language_without_one(embedder):
    from letterworld.moderation.classifier import load_classifier, looks_arabizi

    arabizi = ["ana ma3ak ya 7abibi, el 7orreya 2arib", "mesh hanseebak lewa7dak", "kol el nas ma3ak, wallah"]
    for text in arabizi:
        assert looks_arabizi(text), text
    for text in ("I h8 th3m all", "Download Mp3 gratis 2014", "Forza Jani, siamo con te!", "Ich h4sse euch",
                 "Meet me on the 3rd at 7pm", "الحرية لثانت زين", "ok", "Pole sana, tuko pamoja nawe ya dada"):
        assert not looks_arabizi(text), text
    clf = load_classifier()
    texts = [arabizi[0], arabizi[0], "We are with you"]
    assert clf.route(["tl", "en", "sw"], texts) == ["ar", "en", "sw"]  # only languages without a model of their own
    v = embedder.encode(texts[:1])
    assert clf.proba(v, texts[:1], ["tl"])[0] == clf.proba(v, texts[:1], ["ar"])[0]


def test_screen_store_adds_classifier_flags_and_keeps_them_out_of_bulk_approval(store, embedder):
    store.add_messages([Message(t, "f.csv", i) for i, t in enumerate([
        "I hope she rots in that cell for the rest of her life, the traitor.",
        "We are with you, Jani, and we will not stop until you are free."])])
    cfg = Config()
    cfg.campaign.protected_names = ["Jani Mendoza"]
    screen_store(store, cfg, embedder=embedder)
    ids = [m.id for m in store.messages()]
    assert any(f.kind == "hostility" and f.reason.startswith("classifier") for f in store.flags()[ids[0]])
    assert ids[1] not in store.flags()
    out = q.decide_selection(store, q.Selection(statuses=q.UNDECIDED), "approve", actor="ana")
    assert out.decided == [ids[1]] and ids[0] in out.skipped


def test_listed_terms_wait_for_a_person_but_are_not_abuse_by_themselves(store):
    # an insult or label from the list, alone: a listed_term flag on its span (counter-speech quotes them)
    text = "They call her a terrorist, but she is a hero."
    assert [(f.kind, text[f.start:f.end]) for f in screen_rules(text).flags] == [("listed_term", "terrorist")]
    # wishes of harm and threats are hostility flags whatever the classifier says
    assert {k for k, _ in kinds("He should be shot for what he wrote.")} == {"hostility"}
    # a listed term keeps a message from automatic approval: a person reads it
    store.add_messages([Message("They call you a traitor, but you are a hero to us.", "f.csv", 0)])
    screen_store(store, Config(), auto_approve=True, classify=False)
    mid = store.messages()[0].id
    assert [f.kind for f in store.flags()[mid]] == ["listed_term"]
    assert store.statuses()[mid] == "pending"


def test_classifier_makes_listed_terms_abuse_in_hostile_messages_only(store, embedder):
    from letterworld.moderation.classifier import load_classifier

    clf = load_classifier()
    assert all(clf.list_bar_for(lang) <= clf.threshold_for(lang) for lang in ("en", "fr", "ar", "vi", None))
    hostile = "You filthy traitor, you deserve everything that is coming to you, scum."
    counter = "They call you a traitor, but you are a hero to us."
    store.add_messages([Message(t, "f.csv", i) for i, t in enumerate([hostile, counter])])
    screen_store(store, Config(), embedder=embedder)
    ids = [m.id for m in store.messages()]
    flags = store.flags()
    abuse = sorted(hostile[f.start:f.end] for f in flags[ids[0]] if f.kind == "abuse")
    assert abuse == ["scum", "traitor"], flags[ids[0]]
    assert any(f.kind == "hostility" and f.reason.startswith("classifier") for f in flags[ids[0]])
    # counter-speech: the term is shown to the moderator, but it is no abuse or hostility flag
    assert sorted(f.kind for f in flags[ids[1]]) == ["listed_term"], flags[ids[1]]


def test_recipients_of_the_messages_are_protected_without_being_listed(store):
    store.add_messages([Message("Courage, Thant Zin. We are with you. — Peter Smith", "f.csv", 2,
                                recipient="Thant Zin")])
    screen_store(store, Config(), classify=False)
    flags = store.flags()[store.messages()[0].id]
    text = store.messages()[0].text
    named = [text[f.start:f.end] for f in flags if f.reason == "person name"]
    assert named == ["Peter Smith"]


def test_names_in_lower_case_titles_and_cues():
    def names(text, **kw):
        return [text[f.start:f.end] for f in screen_rules(text, lang=kw.pop("lang", "en"), **kw).flags
                if f.reason == "person name"]

    # lower case: a listed given and family name together, or a listed name after "my name is"
    assert names("check in with margaret lefebvre in a few weeks.") == ["margaret lefebvre"]
    assert names("my name is renata") == ["renata"]
    assert names("hi jani my name is tobi i am 8. i like rivers", protected_names=("Jani Mendoza",)) == ["tobi"]
    # honorifics in any case; a title outweighs the place list ("Bolton")
    assert names("I want to merge my account with mr. Anselmo") == ["Anselmo"]
    assert names("For my review of Mrs. Bolton, see the blog.") == ["Bolton"]
    # "I'm" is no name; a direct cue keeps a name that is also a word
    assert names("Rosemary said: I'm Helena's niece.") == ["Rosemary", "Helena"]
    assert names("His mother's maiden name is Wolf") == ["Wolf"]
    # a person's verb after the whole run; a family-name ending the lists miss
    assert names("Margriet ten Bos will be talking to the students on Friday") == ["Margriet"]
    assert names("I still prefer the early Zhdanova.") == ["Zhdanova"]
    # not after a preposition: an opening word followed by a colon is no addressee there
    assert "Henrik" in names("Teodor yelled at Henrik: come and sit with us!")
    # speakers of a dialogue
    assert names('Boglárka: "Where were you?"\nTheodora: "At home".') == ["Boglárka", "Theodora"]
    # still no flags on ordinary lower-case words, places or the addressee
    for text in ("thank you for standing with us in costa rica", "we love you and we pray for you",
                 "Jani, you are brave. Love from all of us", "Courage Aylin, we read every word you wrote.",
                 "I'm a nurse in Glasgow and I think of you."):
        assert names(text) == [], text


@pytest.mark.xfail(strict=True, reason="a listed given name opening a sentence needs a cue verb the rules know "
                   "(PERSON_VERB_AFTER: shouted, listed, spent...); 'yelled' is not one of them")
def test_a_given_name_opening_a_sentence_before_any_verb():
    text = "Teodor yelled at Henrik: come and sit with us!"
    assert [text[f.start:f.end] for f in screen_rules(text, lang="en").flags if f.reason == "person name"] == [
        "Teodor", "Henrik"]


def test_listed_term_is_not_swept_along_by_a_bulk_approval(store):
    """A listed insult the classifier did not confirm may be quoted counter-speech, but a
    person must read it: a bulk approval skips it like the other risky kinds."""
    texts = ["They call you a traitor, but you are a hero to us.", "Courage Aylin, we read every word."]
    store.add_messages([Message(t, "f.csv", i, recipient="Aylin Demir") for i, t in enumerate(texts)])
    ids = [m.id for m in store.messages()]
    for mid in ids:
        store.set_language(mid, "en", 0.9)
    screen_store(store, Config(), auto_approve=False, classify=False)
    assert [f.kind for f in store.flags()[ids[0]]] == ["listed_term"]
    out = q.decide_selection(store, q.Selection(statuses=q.UNDECIDED), "approve", actor="ana", why="bulk")
    assert set(out.skipped) == {ids[0]}
    assert store.statuses()[ids[0]] == "pending" and store.statuses()[ids[1]] == "approved"
    q.decide_selection(store, q.Selection(statuses=q.UNDECIDED), "approve", actor="ana", why="read it",
                       include_risky=True)
    assert store.statuses()[ids[0]] == "approved"


def test_a_confirmed_listed_term_is_shown_once_as_abuse():
    from letterworld.moderation.stage import confirmed_terms

    listed = Flag("listed_term", "listed insult", 16, 23)
    abuse = Flag("abuse", "insult, confirmed by the classifier", 16, 23)
    elsewhere = Flag("listed_term", "listed insult", 40, 45)
    assert confirmed_terms([listed, abuse, elsewhere]) == [abuse, elsewhere]
    assert confirmed_terms([listed]) == [listed]


def test_dismissed_flag_stops_counting_survives_rescreening_and_can_be_undone(queued):
    store, ids = queued
    hostile = ids[3]
    assert any(f.kind == "hostility" for f in q.effective_flags(store)[hostile])
    with pytest.raises(q.QueueError, match="why"):
        q.dismiss_flag(store, hostile, "hostility", actor="ana")
    with pytest.raises(q.QueueError, match="unredact"):
        q.dismiss_flag(store, ids[1], "personal_data", actor="ana", why="it is mine")
    with pytest.raises(q.QueueError, match="no spam flag"):
        q.dismiss_flag(store, hostile, "spam", actor="ana", why="-")
    assert q.dismiss_flag(store, hostile, "hostility", actor="ana", why="a quote from the news, read it") == 1
    assert not q.effective_flags(store).get(hostile)
    assert [i.risk for i in q.items(store) if i.id == hostile] == [0]
    row = [r for r in store.audit_log(target=f"message:{hostile}") if r.action == "dismiss-flag"]
    assert len(row) == 1 and row[0].actor == "ana" and row[0].why == "a quote from the news, read it"
    screen_store(store, Config(), auto_approve=False, classify=False)  # the rule finds it again ...
    assert any(f.kind == "hostility" for f in store.flags()[hostile])
    assert not q.effective_flags(store).get(hostile)  # ... and the person's decision still holds
    out = q.decide_selection(store, q.Selection(statuses=q.UNDECIDED), "approve", actor="ana", why="bulk")
    assert hostile not in out.skipped and store.statuses()[hostile] == "approved"
    assert q.dismiss_flag(store, hostile, "hostility", actor="bo", why="second opinion: it is hostile", undo=True) == 1
    assert any(f.kind == "hostility" for f in q.effective_flags(store)[hostile])


def test_cli_dismiss_needs_a_reason_and_reports_what_it_did(queued):
    store, ids = queued
    db = str(store.path)
    run = CliRunner().invoke
    assert run(queue_app, ["dismiss", str(ids[5]), "--flag", "spam", "--db", db, "--as", "ana"]).exit_code != 0
    res = run(queue_app, ["dismiss", str(ids[5]), "--flag", "spam", "--why", "a joke", "--db", db, "--as", "ana"])
    assert res.exit_code == 0 and "dismissed" in res.output, res.output
    assert all(f.kind != "spam" for f in q.effective_flags(store).get(ids[5], []))
    res = run(queue_app, ["dismiss", str(ids[1]), "--flag", "personal_data", "--why", "x", "--db", db])
    assert res.exit_code == 2 and "unredact" in res.output


def test_queue_selection_reads_only_the_rows_it_can_match(store, monkeypatch):
    """A filtered queue (held, a language, a recipient) is found in SQL first: the same items as
    filtering every message, and only those messages' rows are read."""
    from letterworld.moderation import queue as q

    store.add_messages([Message(f"message number {i} to you", "f.csv", i + 2, recipient="Jani" if i % 2 else "Aylin")
                        for i in range(40)])
    ids = [m.id for m in store.messages()]
    for i in ids[:10]:
        store.set_language(i, "es", 0.9, [])
    for i in ids[::4]:
        store.set_status(i, "held", reason_code="safety", actor="mod", why="test")
    every = q.items(store)
    read = []
    real = store.messages
    monkeypatch.setattr(store, "messages", lambda ids=None: read.append(ids) or real(ids))
    for sel, want in ((q.Selection(statuses=["held"]), lambda i: i.status == "held"),
                      (q.Selection(statuses=["pending"], langs=["es"]), lambda i: i.status == "pending" and i.lang == "es"),
                      (q.Selection(langs=["und"], recipient="Jani"), lambda i: i.lang == "und" and i.recipient == "Jani")):
        got = q.items(store, sel)
        assert [i.id for i in got] == [i.id for i in every if want(i)] and got
        assert sorted(read[-1]) == sorted(i.id for i in got)  # nothing else was read
    assert q.items(store, q.Selection(statuses=["rejected"])) == []
