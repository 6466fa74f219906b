"""The safety classifier (moderation/safety.py): threats no word list matches are held."""

from __future__ import annotations

from letterworld.config import Config
from letterworld.embedding import load_embedder
from letterworld.moderation.rules import find_safety
from letterworld.moderation.safety import REASON, load_safety_classifier, safety_flags
from letterworld.moderation.stage import screen_store
from letterworld.records import Message

# written for this test (not in models/safety/safety_train.tsv or heldout.tsv)
THREATS = [("es", "Ya sabemos a qué hora sales del trabajo. Cuídate la espalda."),
           ("pt", "A gente sabe onde seus filhos brincam. Fica esperta."),
           ("de", "Wir wissen genau, wann deine Tochter aus der Schule kommt."),
           ("en", "I hope you die slowly in that prison."),
           ("es", "Sé dónde duermes. Te voy a encontrar."),
           ("it", "Bella macchina quella rossa che lasci sotto casa. Sarebbe un peccato trovarla bruciata."),
           ("fr", "Ton fils rentre seul du collège le mardi. On le sait.")]
SOLIDARITY = [("en", "Sending strength to you and your family. Stay safe, we are with you."),
              ("es", "Rezamos para que tus hijos estén a salvo y pronto vuelvas a casa."),
              ("fr", "Nous pensons à vos enfants et nous espérons que vous rentrerez bientôt à la maison."),
              ("de", "Bleib gesund, wir denken an dich und deine Familie."),
              ("it", "Speriamo che tu possa presto riabbracciare i tuoi figli nella tua casa."),
              ("fr", "Tes voisins ont accroché ta photo à la fenêtre de l'école de ton fils.")]


def test_classifier_loads():
    clf = load_safety_classifier()
    assert clf is not None
    assert clf.embedder == load_embedder().name
    assert clf.support_vectors.shape[1] == 384 and clf.support_vectors.shape[0] == clf.dual_coef.shape[0] > 100
    assert clf.gamma > 0 and -2 < clf.threshold < 2


def test_flags_threats_the_word_list_misses(embedder):
    texts = [t for _, t in THREATS]
    assert not any(find_safety(t) for t in texts)  # the patterns alone would let them through
    flags = safety_flags(texts, embedder.encode(texts), [lang for lang, _ in THREATS])
    for text, fl in zip(texts, flags):
        assert [f.kind for f in fl] == ["safety"], text
        assert fl[0].reason.startswith(REASON) and (fl[0].start, fl[0].end) == (0, len(text))


def test_does_not_flag_solidarity_about_family_home_safety(embedder):
    texts = [t for _, t in SOLIDARITY]
    assert safety_flags(texts, embedder.encode(texts), [lang for lang, _ in SOLIDARITY]) == [[] for _ in texts]


def test_scores_separate_a_threat_from_its_solidarity_twin(embedder):
    """Same words (daughter, school, we know), opposite intent: the threat scores higher."""
    clf = load_safety_classifier()
    pair = ["We know what time your daughter leaves school, and where she waits.",
            "We know your daughter is brave; her school sent you a card."]
    threat, kind = clf.score(embedder.encode(pair), ["en", "en"])
    assert threat >= clf.threshold > kind


def test_wrong_embedder_gives_no_flags(embedder):
    texts = [t for _, t in THREATS]
    assert safety_flags(texts, embedder.encode(texts), [lang for lang, _ in THREATS], "some-other-model") == \
        [[] for _ in texts]


def test_screen_store_holds_a_threat_no_list_matches(store, embedder):
    threat = "Wir wissen genau, wann deine Tochter aus der Schule kommt."
    store.add_messages([Message(threat, "f.csv", 1, recipient="Aylin Demir"),
                        Message("Bleib gesund, wir denken an dich und deine Familie.", "f.csv", 2,
                                recipient="Aylin Demir")])
    config = Config()
    config.screen.ner = False
    screen_store(store, config, embedder=embedder, offtopic=False, auto_approve=True)
    by_text = {m.text: m.id for m in store.messages()}
    statuses = store.statuses()
    assert statuses[by_text[threat]] == "held"
    assert any(f.kind == "safety" and f.reason.startswith(REASON) for f in store.flags()[by_text[threat]])
    assert statuses[by_text["Bleib gesund, wir denken an dich und deine Familie."]] != "held"

    config.screen.safety_classifier = False  # the switch turns it off
    screen_store(store, config, embedder=embedder, offtopic=False)
    assert not any(f.reason.startswith(REASON) for f in store.flags().get(by_text[threat], []))
