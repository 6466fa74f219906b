"""Rule-based flags: links, spam, abuse word lists, hostility phrases, safety terms."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from ..records import Flag
from ..scripts import char_class
from ..textfold import fold_offsets as fold
from ..textsafe import span_back, visible
from .pii import URL

REPEATED = re.compile(r"(.)\1{7,}", re.S)
# one message goes through several lists in a row (spam, abuse, hostility, safety): fold it once
_fold_recent = lru_cache(maxsize=16)(fold)


@lru_cache(maxsize=None)
def wordlist(name: str) -> tuple[str, ...]:
    """A bundled word list (letterworld/data/lists/NAME.txt): one term a line, '#' comments."""
    text = resources.files("letterworld").joinpath("data", "lists", f"{name}.txt").read_text(encoding="utf-8")
    return tuple(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


# Arabic writes conjunctions, prepositions and the article onto the word ("والخونة", "بالكلاب") and
# inflects it ("خائن", "خائنة", "خائنين"): a listed Arabic word matches with these around it, and
# not inside another word ("خول" is no part of "دخول"). Folded forms (ة is ه).
_ARABIC_LETTER = char_class("Arabic", categories="L", extensions=True)
_ARABIC_PREFIX = "(?:[وف]?(?:[بلك]|لل)?(?:ال)?)"
_ARABIC_SUFFIX = "(?:ه|ات|ين|ون|ان|يه)?"

# Cyrillic (ru, uk) inflects by case endings ("предатель", "предателя", "предателем"; "сука", "суки") and a
# short word as a substring is inside others ("дура" in "процедура"): a listed one-word Cyrillic term
# matches as a whole word, as listed or as its stem (without a final vowel or soft sign) with a noun or
# adjective ending. Phrases match as whole words, as listed.
_CYRILLIC_LETTER = char_class("Cyrillic", categories="L")
_CYRILLIC_ENDING = ("(?:ами|ями|ого|его|ому|ему|ыми|ими|ом|ем|ой|ей|ам|ям|ах|ях|ов|ев|ый|ий|ая|яя|ое|ее|ые|ие|ых|их"
                    "|ым|им|ую|юю|ою|єю|а|я|у|ю|ы|и|і|е|є)")


@lru_cache(maxsize=64)
def _term_pattern(terms: tuple[str, ...], arabic_words: bool = False) -> re.Pattern[str] | None:
    """One pattern for a list of folded terms, each with the boundaries its script allows: whole words
    for Latin-like terms (\\b fails for scripts without spaces), whole words with their clitics for
    Arabic-script terms when `arabic_words` (the bundled lists), a plain substring otherwise (scripts
    without spaces, and a campaign's dangerous terms: a town's name inside any word is worth a
    moderator's look). Each kind is one group, so a boundary is tested once per position, not once
    per term."""
    if not terms:
        return None
    latin, arabic, cyrillic, plain = [], [], [], []
    for a in sorted({re.escape(fold(t)[0]) for t in terms}, key=len, reverse=True):
        if re.match(r"^[\w\\ ]+$", a) and a[:1].isascii():
            latin.append(a)
        elif arabic_words and re.match(f"[{_ARABIC_LETTER}]", a):
            arabic.append(a)
        elif arabic_words and re.fullmatch(f"[{_CYRILLIC_LETTER}]+", a):
            stem = a[:-1] if a[-1] in "аяоеыиьйєіюу" and len(a) > 4 else a
            cyrillic.append(f"{a}|{stem}{_CYRILLIC_ENDING}" if stem != a or len(a) > 4 else a)
        elif arabic_words and re.fullmatch(rf"[{_CYRILLIC_LETTER}\\ \-—]+", a):
            cyrillic.append(a)
        else:
            plain.append(a)
    groups = []
    if latin:
        groups.append(rf"(?<!\w)(?:{'|'.join(latin)})(?!\w)")
    if arabic:
        groups.append(rf"(?<![{_ARABIC_LETTER}]){_ARABIC_PREFIX}(?:{'|'.join(arabic)}){_ARABIC_SUFFIX}(?![{_ARABIC_LETTER}])")
    if cyrillic:
        groups.append(rf"(?<![{_CYRILLIC_LETTER}])(?:{'|'.join(cyrillic)})(?![{_CYRILLIC_LETTER}])")
    groups += plain
    return re.compile("|".join(groups), re.I)


@lru_cache(maxsize=None)
def _pattern(name: str) -> re.Pattern[str] | None:
    return _term_pattern(wordlist(name), arabic_words=True)


def find_terms(text: str, list_name: str, kind: str, reason: str, skip=None) -> list[Flag]:
    return _matches(text, _pattern(list_name), kind, reason, skip)


def _matches(text: str, pattern: re.Pattern[str] | None, kind: str, reason: str, skip=None) -> list[Flag]:
    """Flags where `pattern` (built from folded terms) matches the folded text, on the original's spans;
    `skip(folded, start, end)` drops a match by what is around it in the folded text (read in the
    order a screen shows it, so a negation inside a bidi override is where a reader sees it)."""
    if pattern is None:
        return []
    folded, index = _fold_recent(text)
    flags = []
    for m in pattern.finditer(folded):
        if skip is not None and skip(folded, m.start(), m.end()):
            continue
        start, end = span_back(index, m.start(), m.end())
        flags.append(Flag(kind, f"{reason}: {text[start:end]!r}", start, end))
    return flags


def find_links(text: str) -> list[Flag]:
    view, index = visible(text)  # "exa\u200bmple.com" is a link too
    return [Flag("link", "contains a link", *span_back(index, m.start(), m.end()), True) for m in URL.finditer(view)]


def find_spam(text: str) -> list[Flag]:
    flags = find_terms(text, "spam", "spam", "advertising term")
    for m in REPEATED.finditer(text):
        if not m.group(1).isspace() and len(m.group()) * 2 >= len(text.strip()):
            flags.append(Flag("spam", "mostly one repeated character", m.start(), m.end()))
    return flags


# Kind of a word-list insult, slur or label that the classifier did not confirm: it waits for a
# person (never approved automatically) but is not an abuse finding by itself.
LISTED_TERM = "listed_term"
LISTED_TERM_REASON = "listed insult or slur, read in context"


def find_listed_terms(text: str) -> list[Flag]:
    """Insults, slurs and labels from the abuse list ("traitor", "terrorist", "puta"), as
    `listed_term` flags on their spans. A word alone does not say whether a message is abusive:
    counter-speech and reports quote them ("they call her a terrorist, but she is a hero")."""
    return find_terms(text, "abuse", LISTED_TERM, LISTED_TERM_REASON)


def find_abuse(text: str, names: tuple[str, ...] = ()) -> list[Flag]:
    """Word-list findings in one message.

    * Wishes of harm or punishment and threats ("should be shot", "deserves prison", "lock her
      up"; `hostility` list) are `hostility` flags: blocking, whatever the classifier says.
    * Insults, slurs and labels (`abuse` list) are `listed_term` flags (see `find_listed_terms`).
      The classifier turns such a term into an `abuse` flag on the same span when it scores the
      message at or above its language's list bar (`AbuseClassifier.flags`); below it the term
      stays a `listed_term` flag, which still keeps the message from automatic approval and
      shows the moderator the word.
    * A listed label predicated of the recipient ("you are a traitor", "Jani es una terrorista";
      `find_recipient_hostility`, `names`: the recipient's names) is a `hostility` flag too."""
    hostile = find_terms(text, "hostility", "hostility", "hostile to the recipient", skip=negated)
    return find_listed_terms(text) + hostile + find_recipient_hostility(text, names)


# Hostility toward the recipient: a label of the abuse list ("traitor", "terrorist", "خائنة") said *of* the
# person written to, in the second person ("you are a traitor", "eres una terrorista", "du bist eine
# Verräterin", "انتي خاينة", "ты предательница", "sen bir hainsin") or of one of their names ("Jani is a
# terrorist", "Aylin bir teröristtir"). The same word reported or countered is solidarity ("they call you a
# terrorist", "no eres una terrorista", "they say she is a terrorist but she is a hero"): a negation next to
# it, a reporting verb in its sentence, or a question leaves it a listed term. Read on the folded text.
# Each language: the subject and copula of the second person, the copula after a name, and (after the label)
# the Turkish predicative suffixes. Fillers between the copula and the label: articles and intensifiers.
_YOU = (r"you are|you're|youre|u r|you r|you|ur|eres|sos|sois|tu eres|usted es|ustedes son|tu es|t'es|t es"
        r"|vous etes|tu n'es|vous n'etes|tu e|voce e|vc e|voces sao|du bist|ihr seid|bist du|tu sei|sei un"
        r"|sei una|sei uno|sei un'|voi siete|siete dei|siete degli|siete delle|ты|вы|ти|ви|ты это|ти це|jestes"
        r"|jestescie|jij bent|je bent|u bent|jullie zijn|du ar|du ar en|du ar ett|ni ar|ets|vostes son|kamu"
        r"|kau|engkau|anda|انت|انتي|انتو|انتم|انتما|انك|انكي|انكم|يا|sen|siz")
_IS = (r"is|'s|was|es|era|est|n'est|etait|e um|e uma|e un|e una|e uno|foi|ist|war|и есть|это|—|-|jest|to|ar"
       r"|ar en|ar ett|var|adalah|itu|memang|ay|هي|هو|دي|ده|bir|")
_FILLER = (r"a|an|the|such|just|nothing|but|only|real|true|complete|big|total|dirty|filthy|fucking|damn|bloody"
           r"|lying|little|one|un|una|uno|unos|unas|el|la|los|las|le|les|une|des|sale|vraie|vrai|um|uma|uns|umas"
           r"|o|os|ein|eine|einer|der|die|das|doch|nur|so|ne|echt|dreckige|dreckiger|un'|lo|gli|il|dei|delle"
           r"|degli|vero|vera|solo|proprio|bir|tam|sadece|настоящая|настоящий|просто|обычная|обычный|справжня"
           r"|справжній|zwykla|zwykly|een|echte|vuile|smutsig|qu'une|qu'un|seorang|orang|isang|واحد|واحدة|مجرد"
           r"|وحدة|يا|maldita|maldito|sucia|sucio|puro|pura|sacre|sale|grande")
_NOT = (r"not|no|never|isn't|aren't|wasn't|n't|nada|ni|nunca|jamas|pas|point|plus|nao|nem|kein|keine|keiner"
        r"|nicht|niemals|non|mai|mica|не|ни|никакая|никакой|нисколько|nie|geen|niet|inte|ingen|bukan|tidak"
        r"|hindi|مش|مو|ليس|ليست|لست|مب|ما|degil|degilsin|degildir")
# a reporting verb, a conditional or an accusation in the sentence: the label is someone else's
_REPORTED_WORDS = (r"say|says|said|saying|call|calls|called|calling|claim|claims|claimed|accuse|accuses|accused"
                   r"|accusing|label|labels|labelled|labeled|brand|brands|branded|portray|portrays|portrayed|paint|paints|painted"
                   r"|depict|depicts|depicted|smear|smears|smeared|treat|treats|treated|according|allegedly|alleged"
                   r"|so-called|supposedly|pretend|lie|lies|lied|propaganda|dicen|dice|dijo|decian|llaman|llama|llamaron"
                   r"|llamen|acusan|acusa|acusaron|acusada|acusado|tachan|tildan|segun|supuestamente|supuesta|supuesto"
                   r"|mienten|disent|dit|disaient|appellent|appelle|traitent|accusent|accusee|selon|pretendent|pretendue"
                   r"|pretendu|qualifient|mentent|dizem|diz|disseram|chamam|chama|chamaram|acusam|segundo|alegam|afirmam"
                   r"|suposta|mentem|sagen|sagt|sagte|nennen|nennt|nannten|behaupten|behauptet|beschuldigen|angeblich"
                   r"|laut|bezeichnen|bezeichnet|vorwurf|werfen|lugen|dicono|chiamano|chiamato|chiamata|accusano|accusata"
                   r"|accusato|secondo|definiscono|sostengono|presunta|presunto|mentono|diyorlar|diyor|dedi|dediler|diye"
                   r"|denen|iddia|suclu|suclama|suclanan|suclanıyor|olarak|yalan|if|si|wenn|se|eger|если|якщо|jesli|als"
                   r"|om|kalau|jika|اذا|لو|называют|называли|назвали|говорят|говорили|обвиняют|обвинили|обвинение|считают"
                   r"|якобы|мол|клеймят|врут|ложь|пропаганда|називають|кажуть|звинувачують|нібито|брешуть|nazywaja|mowia"
                   r"|oskarzaja|rzekomo|twierdza|klamia|noemen|zeggen|beschuldigen|zogenaamd|volgens|liegen|kallar|sager"
                   r"|anklagar|pastar|ljuger|diuen|anomenen|acusen|menyebut|disebut|dituduh|menuduh"
                   r"|katanya|bilang|fitnah|sabi|tinatawag|inaakusahan|daw|raw|يقولون|يقولوا|بيقولوا|بيقولو|يقولو|قالوا"
                   r"|يسمونك|يسموكي|سموك|سموكي|يتهمونك|اتهموك|اتهموكي|بيتهموكي|اتهموها|اتهام|بتهمة|يصفونك|وصفوك|وصفوها"
                   r"|زعموا|يزعمون|يدعون|كذب|كذبا|تهمة")
_REPORTED = re.compile(rf"(?<!\w)(?:{_REPORTED_WORDS})(?!\w)")
# the folded text's sentence ends: a predication is read within one
_SENTENCE_END = re.compile(r"[.!?;\n¡¿。！？؟؛]|(?<!\w)(?<!nothing )"
                           r"(?:but|pero|mais|mas|aber|ma|ama|но|але|ale|maar|men|tapi|لكن|بس)(?!\w)")
# the reason of a label said of the recipient (`find_recipient_hostility`)
RECIPIENT_REASON = "hostile to the recipient: a listed label said of them"
_TR_SUFFIX = r"(?:sin|sın|sun|sün|siniz|sınız|sunuz|sünüz|dir|dır|dur|dür|tir|tır|tur|tür|sın|in)?"


@lru_cache(maxsize=64)
def _recipient_patterns(names: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(subject before a label, anchored at its end; a label with Turkish predicative suffixes)."""
    tokens = set()
    for n in names:
        folded = fold(n)[0].strip()
        if folded:
            tokens.add(re.escape(folded))
            tokens.update(re.escape(t) for t in folded.split() if len(t) >= 3)

    def longest(alternatives: str) -> str:
        return "|".join(sorted(alternatives.split("|"), key=len, reverse=True))

    subjects = [rf"(?:{longest(_YOU)})(?:\s*(?:—|-|это|це)(?!\w))?"]
    if tokens:
        name = "|".join(sorted(tokens, key=len, reverse=True))
        subjects.append(rf"(?:{name})(?:\s*(?:{longest(_IS)}))?")
    subject = re.compile(rf"(?<!\w)(?P<subject>{'|'.join(subjects)})(?!\w)"
                         rf"\s*(?P<gap>(?:\w+(?:'\w*)?\s+){{0,3}})$")
    folded_terms = {fold(t)[0] for t in wordlist("abuse")}
    latin = sorted({re.escape(t) for t in folded_terms if t[:1].isascii()}, key=len, reverse=True)
    turkish = re.compile(rf"(?<!\w)(?:{'|'.join(latin)}){_TR_SUFFIX}(?!\w)") if latin else re.compile(r"(?!x)x")
    return subject, turkish


_FILLER_WORD = re.compile(rf"(?:{_FILLER})")
_NOT_WORD = re.compile(rf"(?:{_NOT})")


def find_recipient_hostility(text: str, names: tuple[str, ...] = ()) -> list[Flag]:
    """`hostility` flags where a label of the abuse list is predicated of the recipient: said to them
    ("you are a traitor", "eres una terrorista", "tu es une traîtresse", "du bist eine Verräterin",
    "sei una traditrice", "sen bir hainsin", "انتي خاينة", "ты предательница") or of one of `names` ("Jani
    is a terrorist", "Jani es una traidora", "Aylin bir teröristtir"), on the span from the subject to
    the label. Not when negated ("no eres una terrorista", "she is not a traitor", "Aylin hain değil"),
    reported ("they call you a terrorist", "dicen que eres una terrorista", "they say she is a terrorist but
    she is a hero") or asked."""
    folded, index = _fold_recent(text)
    subject, turkish = _recipient_patterns(tuple(names))
    labels = [(m.start(), m.end()) for m in _pattern("abuse").finditer(folded)] if _pattern("abuse") else []
    labels += [(m.start(), m.end()) for m in turkish.finditer(folded)]
    flags, seen = [], set()
    for start, end in sorted(set(labels)):
        bounds = [m.end() for m in _SENTENCE_END.finditer(folded, 0, start)]
        begin = bounds[-1] if bounds else 0
        stop = _SENTENCE_END.search(folded, end)
        after = folded[end:stop.start() if stop else len(folded)]
        m = subject.search(folded, begin, start)
        if m is None or any(start < e and s < end for s, e in seen):
            continue
        gap = m.group("gap").split()
        if any(not _FILLER_WORD.fullmatch(w) or _NOT_WORD.fullmatch(w) for w in gap):
            continue
        before = re.findall(r"\w+(?:'\w+)?", folded[begin:m.start()])
        first_after = re.match(r"\W*(\w+)", after)
        if any(_NOT_WORD.fullmatch(w) or w.endswith("n't") for w in before) or (
                first_after and _NOT_WORD.fullmatch(first_after.group(1))):
            continue  # "no eres", "I don't think you are", "Aylin hain değil", "du bist es nicht"
        if _REPORTED.search(folded, begin, m.start()) or _REPORTED.search(after) or (stop and stop.group() in "?？؟"):
            continue
        seen.add((start, end))
        s0, e0 = span_back(index, m.start("subject"), end)
        flags.append(Flag("hostility", f"{RECIPIENT_REASON}: {text[s0:e0]!r}", s0, e0))
    return flags


# a negation just before a wish of punishment turns it around: "she does not deserve prison", "no merece
# la cárcel", "لا تستحق السجن", "说真话的人不应该坐牢"; German, French and Turkish put it after. Read on
# the folded text (`fold_offsets`: lower case, no accents on Latin letters, no Arabic vowel marks).
# "nobody deserves to die", "personne ne mérite la mort", "nadie merece morir" are negations too. Thai
# writes no spaces: "ไม่" is read wherever it stands, as Chinese "不" is.
_NEG_BEFORE = re.compile(r"(?:(?<!\w)(?:not|never|no|nobody|nunca|jamas|jamais|ne|nadie|nem|nao|ninguem|non|mai|nessuno"
                         r"|kein|keine|niemand|nie|niet|nooit|geen|inte|ingen|aldrig|khong|chang|tidak|tak|bukan|hindi"
                         r"|walang|не|ни|нет|لا|ما|ليس|ليست|مش|مو|לא|δεν|μην|"
                         r"नहीं|न|안|못)|n't|ไม่|[不没沒別别])\W*(?:\w+\W+){0,1}$", re.I)
_NEG_AFTER = re.compile(r"^\W*(?:\w+\W+){0,1}(?:nicht|pas|niet|degil|degildir|না|নয়)(?!\w)", re.I)


def negated(folded: str, start: int, end: int) -> bool:
    """Whether a phrase of a folded text is negated at most one word before it (or a word after it
    in de, fr, nl, tr, bn)."""
    return bool(_NEG_BEFORE.search(folded[max(0, start - 30):start]) or _NEG_AFTER.match(folded[end:end + 20]))


def find_safety(text: str, dangerous_terms: tuple[str, ...] = ()) -> list[Flag]:
    flags = find_terms(text, "safety", "safety", "reveals whereabouts or seeks contact")
    return flags + _matches(text, _term_pattern(tuple(dangerous_terms)), "safety", "campaign-listed dangerous term")
