"""Writers' own names in scripts without capital letters: Arabic, Persian and Urdu, Hebrew,
Devanagari, Bengali, Thai, Burmese, Chinese, Japanese and Korean.

The name rules in `names` lean on capitalisation ("Maria López" after "my name is"); in these
scripts nothing marks a name, and no NER pipeline is installed for them. What does mark one is
the sentence around it: a self-introduction ("اسمي فاطمة", "我叫王小明", "제 이름은 김민수입니다",
"मेरा नाम राहुल शर्मा है") or a sign-off ("مع خالص المحبة، فاطمة", "김민수 드림"). Each rule below
is a cue and a bounded name: a few words of the cue's script, stopped by punctuation, by the
words that end such a sentence ("is", "from", polite endings) and by a length limit. Where a
cue is ambiguous ("我是" also says "I am a student", "저는 ... 입니다" "I am a teacher"), the name
must start with one of the common family names of the language."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..scripts import char_class

_LETTERS_AND_MARKS = ("L", "M")


def _word(script: str) -> str:
    """A word of an abugida: a letter, then letters and the vowel signs and marks on them."""
    return rf"[{char_class(script, categories='Lo')}][{char_class(script, categories=_LETTERS_AND_MARKS, extensions=True)}]*"


_AR = char_class("Arabic", categories="L", extensions=True)  # Arabic letters (Arabic, Persian, Urdu), no digits or marks
_AR_WORD = rf"[{_AR}][{_AR}{char_class('Arabic', categories='M', extensions=True)}]*"
_HEB = char_class("Hebrew", categories="L")
_HE_WORD = rf"[{_HEB}]+"
_DEVA_WORD = _word("Devanagari")
_BENG_WORD = _word("Bengali")
_HAN = char_class("Han")
_KATA = char_class("Katakana", categories="L", extensions=True) + "・"  # and the dot between a foreign name's parts
_HIRA = char_class("Hiragana", categories="L", extensions=True)
_HANGUL = char_class("Hangul")
_THAI = char_class("Thai", categories=_LETTERS_AND_MARKS)
_MYAN = char_class("Myanmar", categories=_LETTERS_AND_MARKS)
_INDIC = char_class("Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Oriya", "Tamil", "Telugu", "Kannada", "Malayalam",
                    "Sinhala", categories=_LETTERS_AND_MARKS)

# common family names (first character or syllable) where a cue alone is ambiguous
_ZH_SURNAMES = ("王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何高林罗羅郑鄭梁谢謝宋唐许許韩韓冯馮邓鄧曹彭曾"
                "肖田董袁潘于蒋蔣蔡余杜叶葉程苏蘇魏吕呂丁任沈姚卢盧姜崔钟鍾谭譚陆陸汪范金石廖贾賈夏韦韋方白邹鄒孟熊"
                "秦邱江尹薛段雷侯龙龍史陶黎贺賀顾顧毛郝龚龔邵万萬钱錢严嚴武戴莫孔汤湯")
_KO_SURNAMES = "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진나지엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국"

# Arabic-script words that end a name after "اسمي" ("from", "and", "I", "age", "is")
_AR_STOP = {"من", "و", "وانا", "وأنا", "انا", "أنا", "عمري", "في", "اكتب", "أكتب", "اكتبلك", "است", "هستم",
            "ہے", "ہوں", "سے", "اور", "میں", "هو", "هي", "ولدي", "بنت", "طالب", "طالبة", "معلم", "معلمة", "الى", "إلى"}
_HI_STOP = {"है", "हूँ", "हूं", "हो", "और", "से", "मैं", "हैं", "तक", "नहीं", "भी", "ही", "को", "का", "की", "के", "पर",
            "लिखा", "लिखो", "बताओ", "बताइए", "क्या", "याद", "था", "थी"}
_BN_STOP = {"আমি", "এবং", "থেকে", "আর"}
_HE_STOP = {"אני", "מ", "ואני", "גר", "גרה", "בן", "בת"}
# words that open a closing line that is no signature ("يا وطني، يا حبيبي", "हम साथ हैं, जानी")
_LINE_STOP = _AR_STOP | _HI_STOP | _BN_STOP | _HE_STOP | {
    "يا", "على", "لا", "ما", "هذا", "هذه", "كل", "نحن", "أنت", "انت", "الحرية", "حرية", "ہم", "آپ", "یہ", "وہ", "سب",
    "هم", "हम", "तुम", "आप", "यह", "वह", "सब", "जय", "प्रिय", "আমরা", "তুমি", "আপনি"}


@dataclass(frozen=True)
class Cue:
    """A rule: `pattern` finds the name (group "name"); `stop` words end it; `max_words` bounds it."""

    pattern: re.Pattern
    stop: frozenset[str] = frozenset()
    max_words: int = 3


_LATIN_NAME = r"[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)?"  # "我叫Jack", "اسمي Sara"


def _words_after(cue: str, word: str, stop: set[str], end: str = "", max_words: int = 3) -> Cue:
    name = rf"(?P<name>{word}(?:[ \t]+{word}){{0,{max_words + 2}}})"
    return Cue(re.compile(rf"(?:{cue})[ \t]*[:：]?[ \t]*{name}{end}"), frozenset(stop), max_words)


CUES: tuple[Cue, ...] = (
    # Arabic "my name is", Persian "my name is ... (است)", Urdu "my name is ... (ہے)"
    _words_after(r"(?<![{0}])(?:(?:أنا|انا)[ \t]+)?(?:اسمي|إسمي)(?![{0}])".format(_AR), _AR_WORD, _AR_STOP),
    _words_after(r"(?<![{0}])(?:اسم[ \t]*(?:من|ام|م)|اسمم|نام[ \t]*من)(?![{0}])".format(_AR), _AR_WORD, _AR_STOP),
    _words_after(r"(?<![{0}])میرا[ \t]+نام(?![{0}])".format(_AR), _AR_WORD, _AR_STOP),
    # Hebrew "my name is", "they call me"
    _words_after(rf"(?<![{_HEB}])(?:שמי|קוראים[ \t]+לי)(?![{_HEB}])", _HE_WORD, _HE_STOP),
    # Hindi/Marathi/Nepali "my name is ... है"
    _words_after(r"(?:मेरा|मेरो|माझे)[ \t]+नाम", _DEVA_WORD, _HI_STOP,
                 end=r"(?=[ \t]*(?:है|हूँ|हूं|हो|आहे|,|।|$))"),
    # Bengali "my name is"
    _words_after(r"আমার[ \t]+নাম", _BENG_WORD, _BN_STOP),
    # Chinese "I am called", "my name is"; "I am" only before a common family name
    Cue(re.compile(rf"(?:我叫|我名叫|我的名字[是叫]|(?<![{_HAN}])本人[叫是])[ \t]*"
                   rf"(?P<name>[{_HAN}]{{2,4}}?(?=[^{_HAN}]|[来來从從是在今我的和，。！]|$)|{_LATIN_NAME})")),
    Cue(re.compile(rf"我是[ \t]*(?P<name>[{_ZH_SURNAMES}][{_HAN}]{{1,2}}?)(?=[，。！!,.\s]|来|來|从|從|$)")),
    # Japanese "my name is ...", "I am called ..." (kanji or katakana names)
    Cue(re.compile(rf"(?:名前は|なまえは)[ \t]*(?P<name>[{_HAN}{_KATA}]{{2,8}}?)(?=です|と申します|といいます|[、。！\s]|$)")),
    Cue(re.compile(rf"(?P<name>[{_HAN}{_KATA}]{{2,8}})(?:と申します|といいます|と言います)(?!の)")),
    # Korean "my name is ...", "I am (family name)...", "... (sign-off)"
    Cue(re.compile(rf"(?:제|내)[ \t]*이름은[ \t]*(?P<name>[{_HANGUL}]{{1,4}}?)(?=입니다|이에요|예요|이고|이며|이야|야|라고|이라고|[ ,.!]|$)")),
    Cue(re.compile(rf"저는[ \t]*(?P<name>[{_KO_SURNAMES}][{_HANGUL}]{{1,3}}?)(?=입니다|이에요|예요|라고|이라고)")),
    Cue(re.compile(rf"(?:^|\n|[.!?。,，][ \t]*)(?P<name>[{_KO_SURNAMES}][{_HANGUL}]{{1,3}})[ \t]*(?:드림|올림)")),
    # Japanese "from (place), (name)" closing a letter: "熊本より　由美子"
    Cue(re.compile(rf"より[ \t\u3000]+(?P<name>[{_HAN}{_KATA}{_HIRA}]{{2,6}})[ \t\u3000]*$", re.M)),
    # Korean addressee after an address or a request: "... 201호 김지수 앞으로", "김지수 귀하"
    Cue(re.compile(rf"(?:(?<=호 )|(?<=호, )|(?<=\d ))(?P<name>[{_KO_SURNAMES}][{_HANGUL}]{{1,2}})[ \t]*"
                   rf"(?:앞으로|앞|귀하|님[ \t]*앞)(?![{_HANGUL}])")),
    # Thai "my name is"
    Cue(re.compile(rf"(?:ฉัน|ผม|ดิฉัน|หนู)ชื่อ[ \t]*(?P<name>[{_THAI}]{{2,15}}?)(?=ค่ะ|ครับ|คะ|นะ|จาก|และ|[ ,.!]|$)")),
    # Burmese "my name is ... (ပါ / ဖြစ်)"
    Cue(re.compile(rf"နာမည်(?:က)?[ \t]*(?P<name>[{_MYAN}]{{2,24}}?)[ \t]*(?=ပါ|ဖြစ်|[။၊]|$)")),
    # Chinese formal sign-offs: "秀玲 敬上", "李华谨上"; a last line "name 於 place": "小芳 於台南"
    Cue(re.compile(rf"(?:^|\n)[ \t\u3000]*(?P<name>[{_HAN}]{{2,4}}?|{_LATIN_NAME})[ \t\u3000]*"
                   rf"(?:敬上|谨上|謹上|拜上|敬启|敬啟|顿首|頓首)[ \t\u3000]*(?:\n|$)")),
    Cue(re.compile(rf"(?:^|\n)[ \t\u3000]*(?P<name>[{_HAN}]{{2,3}}|{_LATIN_NAME})[ \t\u3000]+[於于][ \t\u3000]*"
                   rf"[{_HAN}]{{2,6}}[ \t\u3000]*$")),
    # Thai: the line after a letter's closing formula ("ด้วยความนับถือ", "ด้วยรักและกำลังใจ") starts with the
    # writer's name, often followed by a place: "ครูพิมพ์ใจ แม่สอด"
    Cue(re.compile(rf"(?:ด้วยความนับถือ|ขอแสดงความนับถือ|ด้วยความเคารพ|ด้วยรัก|ด้วยใจ|รักและคิดถึง)[^\n]{{0,30}}\n[ \t]*"
                   rf"(?P<name>[{_THAI}]{{2,20}})(?:[ \t]+[{_THAI}]{{2,20}}){{0,2}}[ \t]*$")),
    # Arabic sign-offs at the end of a message: "مع خالص المحبة، فاطمة", "أختك مريم"
    _words_after(r"(?:مع[ \t]+(?:خالص[ \t]+)?(?:المحبة|محبتي|حبي|التحيات|تحياتي|الحب)|تحياتي|أختك|اختك|أخوك|اخوك|"
                 r"صديقتك|صديقك)[ \t]*[،,:]?[ \t]*\n?", _AR_WORD, _AR_STOP, end=r"[ \t]*[.!]?[ \t]*$", max_words=2),
)


# a letter's last line "name, city" ("ريم، بيروت", "सुनील, रांची", "ကိုမြင့်၊ မန္တလေး"), in scripts that put spaces
# between words (Chinese and Japanese do not, so a comma there splits a sentence, not a signature; Korean and
# Japanese letters close with the 드림/より rules above)
_UNCASED_LETTER = rf"[{_AR}{_HEB}{_INDIC}{_THAI}{_MYAN}]"  # Arabic, Hebrew, Indic, Thai, Burmese
_UNCASED_WORD = rf"{_UNCASED_LETTER}[^\s\d,،、，၊:;.!?؟।。！？]*"
# a last line "— name" under a message of more than one line ("- ครูสมศรี", "— سلمى")
DASH_SIGNATURE = re.compile(rf"\n[ \t]*[—–―-]{{1,2}}[ \t]*(?P<name>{_UNCASED_WORD}(?:[ \t]+{_UNCASED_WORD})?)[ \t]*$")
SIGNATURE_LINE = re.compile(rf"(?:^|\n)[ \t]*(?:[—–―-]{{1,2}}[ \t]*)?(?P<name>{_UNCASED_WORD}(?:[ \t]+{_UNCASED_WORD})?)"
                            rf"[ \t]*[,،、，၊][ \t]*{_UNCASED_WORD}(?:[ \t]+{_UNCASED_WORD}){{0,2}}[ \t]*$")


def uncased_names(text: str) -> list[tuple[int, int]]:
    """Spans of writers' names introduced by a cue in a script without capital letters, and the
    name in a "name, city" last line under a message of more than one line."""
    found = []
    for cue in CUES:
        for m in cue.pattern.finditer(text):
            span = _bounded(text, m.start("name"), m.end("name"), cue)
            if span:
                found.append(span)
    body = text.rstrip()
    if "\n" in body.strip():
        for m in (SIGNATURE_LINE.search(body), DASH_SIGNATURE.search(body)):
            if m and len(body) - m.start() <= 60 and not set(m.group("name").split()) & _LINE_STOP:
                found.append((m.start("name"), m.end("name")))
    return sorted(set(found))


def _bounded(text: str, start: int, end: int, cue: Cue) -> tuple[int, int] | None:
    """The name's words up to the first stop word, at most `max_words`; None when nothing is left."""
    words = list(re.finditer(r"\S+", text[start:end]))
    punct = ".,!?،؛:;।"
    kept = []
    for w in words[: cue.max_words]:
        bare = w.group().strip(punct)
        if bare in cue.stop or not bare:
            break
        kept.append(w)
        if bare != w.group():  # punctuation after the word ends the name
            break
    if not kept:
        return None
    last = kept[-1]
    return start + kept[0].start(), start + last.start() + len(last.group().rstrip(punct))
