from letterworld.config import Config
from letterworld.moderation import redact, screen
from letterworld.moderation.duplicates import group_duplicates
from letterworld.moderation.stage import redacted_texts, screen_store
from letterworld.records import Message


def kinds(text, **kw):
    return sorted((f.kind, f.reason) for f in screen(text, **kw).flags)


def test_personal_data_is_flagged_with_spans_and_redacted_visibly():
    text = "Escríbeme a maria.lopez@example.org o al +55 11 98765-4321. ¡Fuerza!"
    s = screen(text)
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
    s = screen("— Maria López, Calle 5 #12-30, Bogotá")
    assert "[address]" in s.redacted and "Calle 5" not in s.redacted


def test_spam_abuse_hostility_safety_and_links():
    assert {k for k, _ in kinds("Earn money from home with BITCOIN https://x.example.com/promo")} == {"spam", "link"}
    assert ("spam", "mostly one repeated character") in kinds("!!!!!!!!!!!!!!!!!!!!")
    assert kinds("Stay strong ❤️❤️❤️❤️❤️❤️❤️❤️❤️ we are with you") == []
    assert {k for k, _ in kinds("She deserves to rot in prison")} == {"hostility"}
    assert {k for k, _ in kinds("we know where your family lives")} == {"safety"}
    assert {k for k, _ in kinds("Greetings from her home town Popayán", dangerous_terms=("Popayán",))} == {"safety"}
    assert kinds("You are so brave, Jani. We are with you.") == []


def test_redact_ignores_non_redacting_flags():
    s = screen("traitor! mail me at a.b@example.com")
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
    assert dups[ids[3]]["is_template"] and dups[ids[3]]["group_id"] == dups[ids[4]]["group_id"]
    assert redacted_texts(store)[ids[1]] == "Write to me: [email]"
    actors = {r["actor"] for r in store.audit_log(target=f"message:{ids[0]}")}
    assert actors == {"rule:auto-approve"}
    # re-running changes nothing
    screen_store(store, cfg, auto_approve=True)
    assert store.statuses() == st
