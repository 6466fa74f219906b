import numpy as np

from letterworld.themes import (
    UNASSIGNED,
    assign,
    centre_groups,
    cluster,
    keywords,
    mark_outliers,
    remove_common_direction,
)


def blobs(seed=0, per=30, dim=16, k=4, noise=0.15):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, dim))
    x = np.concatenate([c + rng.normal(0, noise, (per, dim)) for c in centres])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float32), np.repeat(np.arange(k), per)


def test_cluster_finds_the_number_of_themes_and_is_reproducible():
    x, truth = blobs()
    a = cluster(x, min_themes=2, max_themes=8, seed=3)
    b = cluster(x, min_themes=2, max_themes=8, seed=3)
    assert a.k == 4
    assert np.array_equal(a.labels, b.labels)
    for t in range(4):  # each true blob maps to one theme
        assert len(set(a.labels[truth == t]) - {UNASSIGNED}) == 1
    assert (a.labels == UNASSIGNED).mean() <= 0.10


def test_requested_number_of_themes_is_honoured():
    x, _ = blobs()
    assert cluster(x, n_themes=6, seed=0).k == 6


def test_weights_let_one_template_voice_count_without_splitting_themes():
    x, truth = blobs(k=3)
    w = np.ones(len(x))
    w[0] = 10000  # a sample text sent 10,000 times
    r = cluster(x, w, n_themes=3, seed=0)
    assert len(set(r.labels[truth == 0]) - {UNASSIGNED}) == 1


def test_outliers_never_exceed_the_cap():
    rng = np.random.default_rng(0)
    scores = np.concatenate([rng.normal(0.8, 0.02, 90), rng.normal(0.1, 0.05, 30)])
    labels = mark_outliers(np.zeros(120, int), scores, 0.10)
    assert 0 < (labels == UNASSIGNED).sum() <= 12


def test_centre_languages_brings_translations_together():
    rng = np.random.default_rng(1)
    meaning = rng.normal(size=(20, 8))
    lang_shift = {"en": rng.normal(size=8) * 3, "th": rng.normal(size=8) * 3}
    x = np.concatenate([meaning + lang_shift["en"], meaning + lang_shift["th"]])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    langs = ["en"] * 20 + ["th"] * 20
    before = np.mean([x[i] @ x[i + 20] for i in range(20)])
    c = centre_groups(x, langs)
    after = np.mean([c[i] @ c[i + 20] for i in range(20)])
    assert after > before + 0.2
    # nearest neighbour of each Thai row is its English translation after centring
    nn_before = ((x[20:] @ x[:20].T).argmax(axis=1) == np.arange(20)).mean()
    nn_after = ((c[20:] @ c[:20].T).argmax(axis=1) == np.arange(20)).mean()
    assert nn_after >= 0.85 and nn_after > nn_before


def test_assign_uses_nearest_centroid():
    centroids = np.eye(3, dtype=np.float32)
    labels, scores = assign(np.array([[0.1, 0.9, 0], [1, 0, 0]], dtype=np.float32), centroids)
    assert labels.tolist() == [1, 0] and scores[1] == 1.0


def test_keywords_per_language_with_stop_words_removed():
    texts = ["the river is our life", "we defend the river", "protect the river and water",
             "journalism is not a crime", "free the journalist now", "journalism matters, free her",
             "ขอปกป้องแม่น้ำ", "แม่น้ำคือชีวิต"]
    langs = ["en"] * 6 + ["th"] * 2
    labels = np.array([0, 0, 0, 1, 1, 1, 0, 0])
    kw = keywords(texts, langs, labels)
    assert kw[0]["en"][0] == "river"
    assert "journalism" in kw[1]["en"] and "the" not in kw[0]["en"]
    assert "แม่น้ำ" in kw[0]["th"]


def test_stop_words_are_spacys_lists_read_without_importing_spacy():
    import subprocess
    import sys

    code = ("import sys; from letterworld.themes import stop_words; "
            "print(len(stop_words('en')), len(stop_words('fr')), len(stop_words('qq')), 'spacy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    from spacy.lang.en.stop_words import STOP_WORDS as EN
    from spacy.lang.fr.stop_words import STOP_WORDS as FR

    assert out == [str(len({w.lower() for w in EN})), str(len({w.lower() for w in FR})), "0", "False"]
    from letterworld.themes import stop_words

    assert stop_words("en") == frozenset(w.lower() for w in EN) and "the" in stop_words("en")
    assert stop_words("../en") == frozenset()  # a language code is never a path


def test_stability_picks_the_true_number_of_themes_and_reports_its_curve():
    x, _ = blobs(k=5, per=40)
    r = cluster(x, min_themes=3, max_themes=8, seed=0)
    assert r.k == 5 and r.stability >= 0.8
    assert set(r.curve) == set(range(3, 9)) and all("silhouette" in v for v in r.curve.values())


def test_remove_common_direction_spreads_a_narrow_cone():
    rng = np.random.default_rng(0)
    common = rng.normal(size=32) * 4  # every message shares this direction, as with e5
    x = common + rng.normal(size=(50, 32))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    before = (x @ x.T)[np.triu_indices(50, 1)].mean()
    y = remove_common_direction(x)
    after = (y @ y.T)[np.triu_indices(50, 1)].mean()
    assert before > 0.8 and abs(after) < 0.1
    assert np.allclose(np.linalg.norm(y, axis=1), 1, atol=1e-5)


def test_new_messages_join_existing_themes_without_moving_them(store):
    """Re-running themes after more messages arrive keeps ids and centroids (no recluster)."""
    from letterworld.config import Config
    from letterworld.records import Message
    from letterworld.stages import themes

    x, truth = blobs(k=4, per=25, dim=16, noise=0.1)

    class Fake:  # an embedder that knows the vector of every text
        name, dim = "fake", 16

        def encode(self, texts):
            return np.stack([x[int(t.split("#")[1])] for t in texts])

    def add(rows):
        store.add_messages([Message(text=f"message #{i}", source_file="t.csv", source_row=i,
                                    recipient="Jani Mendoza", country="GB") for i in rows])
        for m in store.messages():
            store.set_language(m.id, "en", 1.0)
            store.set_status(m.id, "approved", actor="test")
        store.db.commit()

    first = [i for i in range(100) if i % 5]
    add(first)
    cfg = Config()
    one = themes(store, cfg, Fake())
    members_before = store.theme_members()
    add(range(100))
    two = themes(store, cfg, Fake())
    assert [t["theme_id"] for t in two] == [t["theme_id"] for t in one]
    for a, b in zip(one, two):
        assert np.array_equal(a["centroid"], b["centroid"])
    after = store.theme_members()
    assert len(after) > len(members_before)
    kept = np.mean([after[m][0] == members_before[m][0] for m in members_before if m in after])
    assert kept >= 0.95
    # newcomers land with the messages of their own blob
    by_text = {m.id: int(m.text.split("#")[1]) for m in store.messages()}
    for blob in range(4):
        ids = {after[m][0] for m, i in by_text.items() if m in after and truth[i] == blob}
        assert len(ids) == 1
    three = themes(store, cfg, Fake(), recluster=True)
    assert len(three) == 4


def test_neighbour_smoothing_brings_translations_together_without_labels():
    """Noisy copies of the same meaning (translations) share their neighbours: after
    smoothing they sit closer to each other. (Whether fewer translations are then split
    between themes depends on the data: measured on Tatoeba by bench/themes.py.)"""
    from letterworld.themes import smooth_neighbours

    rng = np.random.default_rng(0)
    meaning = rng.normal(size=(300, 16))  # a continuum of meanings, no clusters
    a = meaning + rng.normal(0, 0.5, meaning.shape)  # one language
    b = meaning + rng.normal(0, 0.5, meaning.shape)  # its translation
    x = np.concatenate([a, b])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    x = remove_common_direction(x)
    y = smooth_neighbours(x, 5)
    assert y.shape == x.shape and np.allclose(np.linalg.norm(y, axis=1), 1, atol=1e-5)

    def pair(v):
        return float(np.mean(np.sum(v[:300] * v[300:], axis=1)))

    assert pair(y) > pair(x) + 0.02
    assert np.array_equal(smooth_neighbours(x, 5), y)  # deterministic
    assert smooth_neighbours(x[:4], 5).shape == (4, 16)  # too few to smooth: only the mean removed


def test_cross_lingual_partners_are_mutual_and_never_the_same_language():
    """Mutual nearest neighbours across languages, above the translation floor, are joined;
    a message whose closest other-language message prefers someone else is left alone."""
    from letterworld.themes import cross_lingual_partners, join_translations

    rng = np.random.default_rng(1)
    meaning = rng.normal(size=(40, 32))
    a = meaning + rng.normal(0, 0.3, meaning.shape)  # "language a"
    b = meaning + rng.normal(0, 0.3, meaning.shape)  # its translations, "language b"
    x = remove_common_direction(np.concatenate([a, b]))
    langs = ["a"] * 40 + ["b"] * 40
    partner = cross_lingual_partners(x, langs)
    joined = np.where(partner >= 0)[0]
    assert len(joined) >= 60  # most translation pairs are found
    assert np.array_equal(partner[partner[joined]], joined)  # always mutual
    assert all(langs[i] != langs[partner[i]] for i in joined)  # never within one language
    assert (partner[:40][partner[:40] >= 0] == np.arange(40, 80)[partner[:40] >= 0]).mean() > 0.95
    # the same vectors all in one language: nothing to join
    assert (cross_lingual_partners(x, ["a"] * 80) == -1).all()
    # a floor no pair reaches: nothing joined, and join_translations then only re-centres
    assert (cross_lingual_partners(x, langs, floor=1.01) == -1).all()
    y = join_translations(x, langs)
    pair = np.sum(y[:40] * y[40:], axis=1)
    assert np.median(pair) > 0.99  # joined pairs share one position
    assert np.median(np.sum(x[:40] * x[40:], axis=1)) < 0.95


def test_sample_coverage_needs_every_sentence_and_nothing_else():
    from letterworld.themes import SENTENCE_MATCH, sample_coverage

    translation = np.array([[0.7, 0.1], [0.0, 0.6]])  # two sentences, one for each of the sample's
    assert sample_coverage(translation) >= SENTENCE_MATCH
    one_slogan = np.array([[0.8, 0.1]])  # repeats the sample's first sentence only
    assert sample_coverage(one_slogan) < SENTENCE_MATCH
    own_words = np.array([[0.7, 0.1], [0.0, 0.6], [0.1, 0.05]])  # the sample plus a sentence of its own
    assert sample_coverage(own_words) < SENTENCE_MATCH
    assert sample_coverage(np.zeros((0, 2))) < 0
