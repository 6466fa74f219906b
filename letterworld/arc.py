"""Placing themes on the letter's arc by meaning.

Each movement (solidarity, admiration, demand, hope, farewell) is described by a few sentences
in several languages, written for letterworld (not taken from any corpus). A message reads as
the movement whose nearest prototypes its embedding is closest to. A theme is placed where most of its messages (weighted
by how many people sent each) read. bench/arc.py measures this against hand labels of demo
messages."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from .config import Config
from .embedding import Embedder
from .store import Store

# What each movement of the arc is about, in several languages (written for letterworld, not
# taken from any corpus): a theme is placed by how its messages read against these.
MOVEMENT_PROTOTYPES: dict[str, list[str]] = {
    "solidarity": [
        "You are not alone, we stand with you.", "We are with you and your family, all of us.",
        "No estás sola, estamos contigo.", "Te mandamos un abrazo enorme desde aquí.",
        "Vous n'êtes pas seule, nous sommes à vos côtés.", "Você não está sozinha, estamos juntos.",
        "Du bist nicht allein, wir stehen an deiner Seite.", "Sending you love and a big hug from our town.",
    ],
    "admiration": [
        "Your courage inspires me every day.", "Thank you for everything you do for your people.",
        "Admiro tu valentía y tu lucha.", "Gracias por defender lo que es justo.",
        "Votre courage est un exemple pour nous tous.", "Obrigada pela sua coragem, você é uma inspiração.",
        "Danke für deinen Mut, du bist ein Vorbild.", "You are a hero to us and to our children.",
    ],
    "demand": [
        "Free her now, this injustice must end.", "We demand justice and an end to the persecution.",
        "Exigimos que se respeten sus derechos y su vida.", "Liberación inmediata, basta de persecución.",
        "Nous exigeons sa libération immédiate.", "Exigimos justiça e o fim das ameaças.",
        "Wir fordern die sofortige Freilassung.", "The government must stop the attacks and protect defenders.",
    ],
    "hope": [
        "One day you will be free and we will celebrate together.", "Keep hope, better days are coming.",
        "Un día verás tu río libre y tu gente en paz.", "Rezamos por ti, que Dios te dé fuerza.",
        "Gardez espoir, le jour viendra.", "Tenha esperança, dias melhores virão.",
        "Gib die Hoffnung nicht auf, eines Tages wirst du frei sein.", "We pray for you and believe in tomorrow.",
    ],
    "farewell": [
        "See you soon, with all my love.", "Until the day we meet, goodbye for now.",
        "Hasta pronto, un abrazo fuerte.", "Nos vemos cuando seas libre, te queremos.",
        "À bientôt, je vous embrasse.", "Até breve, com todo o carinho.",
        "Bis bald, ich umarme dich.", "Goodbye for now, we will keep writing to you.",
    ],
}



# Movements a theme is placed on by meaning; farewell is where the letter's own sign-off goes
# (in the labelled demo messages farewell was never the main content), so a theme goes there
# only when a campaigner moves it.
PLACED = ("solidarity", "admiration", "demand", "hope")
K = 3  # a message's score for a movement: mean cosine to its K nearest prototypes of that movement


def movement_scores(vectors: np.ndarray, proto_vectors: np.ndarray, proto_movements: list[str],
                    movements: tuple[str, ...] = PLACED, k: int = K) -> np.ndarray:
    """texts x movements: the mean cosine of each text to its `k` nearest prototypes of each movement
    (nearest prototypes, not a centre: a movement is said in several ways). Chosen on the dev half
    of bench/data/demo_arc_labels.tsv over centres and centred spaces (bench/arc.py)."""
    v = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    p = proto_vectors / np.linalg.norm(proto_vectors, axis=1, keepdims=True)
    sims = v @ p.T
    cols = []
    for mv in movements:
        own = sims[:, [m == mv for m in proto_movements]]
        cols.append(np.sort(own, axis=1)[:, -min(k, own.shape[1]):].mean(axis=1))
    return np.stack(cols, axis=1)


def theme_shares(labels: list[str], themes: list[int], weights: list[float]) -> dict[int, dict[str, float]]:
    """theme -> movement -> weighted share of the theme's messages that read as that movement."""
    acc: dict[int, Counter] = defaultdict(Counter)
    for label, theme, w in zip(labels, themes, weights):
        acc[theme][label] += w
    return {t: {m: round(n / sum(c.values()), 3) for m, n in c.most_common()} for t, c in acc.items()}


def prototypes() -> tuple[list[str], list[str]]:
    texts = [t for m in MOVEMENT_PROTOTYPES for t in MOVEMENT_PROTOTYPES[m]]
    return texts, [m for m in MOVEMENT_PROTOTYPES for _ in MOVEMENT_PROTOTYPES[m]]


def read_movements(store: Store, config: Config, embedder: Embedder, texts: list[str],
                   movements: tuple[str, ...] = PLACED) -> tuple[list[str], np.ndarray]:
    """The movement each text reads as, and the score matrix (texts x movements)."""
    from .stages import embed

    ptexts, pmoves = prototypes()
    pv, _ = embed(store, config, embedder, ptexts, label="embed arc prototypes")
    if not texts:
        return [], np.zeros((0, len(movements)))
    vectors, _ = embed(store, config, embedder, texts, label="embed messages for the arc")
    scores = movement_scores(vectors, pv, pmoves, movements)
    return [movements[i] for i in scores.argmax(axis=1)], scores


def arc_shares(store: Store, config: Config, embedder: Embedder) -> dict[int, dict[str, float]]:
    """Every theme's shares of movements, from its eligible members."""
    from .stages import eligible

    el = eligible(store)
    members = store.theme_members()
    keep = [i for i, m in enumerate(el.messages) if m.id in members]
    labels, _ = read_movements(store, config, embedder, [el.texts[i] for i in keep])
    return theme_shares(labels, [members[el.messages[i].id][0] for i in keep], [float(el.weights[i]) for i in keep])
