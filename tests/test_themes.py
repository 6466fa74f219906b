import numpy as np

from letterworld.themes import UNASSIGNED, assign, centre_languages, cluster, keywords, mark_outliers


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
    c = centre_languages(x, langs)
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
