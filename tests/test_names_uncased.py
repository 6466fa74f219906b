"""Writers' names and addresses in scripts without capital letters (names_uncased, pii)."""

import pytest

from letterworld.moderation.names_uncased import uncased_names
from letterworld.moderation.pii import find_personal_data


def names(text: str, lang: str) -> list[str]:
    return [text[f.start:f.end] for f in find_personal_data(text, lang=lang) if f.reason == "person name"]


@pytest.mark.parametrize("text,lang,name", [
    ("أنا اسمي محمد العلي من عمّان، أرسل لك كل الحب", "ar", "محمد العلي"),
    ("انا اسمي ريم عمري ٩ سنين. رسمتلك وردة", "ar", "ريم"),
    ("مع خالص المحبة، فاطمة الزهراء", "ar", "فاطمة الزهراء"),
    ("اسم من علی رضایی است و از تهران می‌نویسم", "fa", "علی رضایی"),
    ("میرا نام عائشہ ہے میں 10 سال کی ہوں", "ur", "عائشہ"),
    ("שמי דנה כהן ואני מתל אביב", "he", "דנה כהן"),
    ("मेरा नाम राहुल शर्मा है, दिल्ली से।", "hi", "राहुल शर्मा"),
    ("আমার নাম তুলি। আমি ক্লাস থ্রিতে পড়ি।", "bn", "তুলি"),
    ("我叫王小明，来自上海。加油！", "zh", "王小明"),
    ("我是李明，我们支持你", "zh", "李明"),
    ("我叫Oliver。", "zh", "Oliver"),
    ("私の名前は田中花子です。頑張って！", "ja", "田中花子"),
    ("山田太郎と申します。", "ja", "山田太郎"),
    ("저는 김민수입니다. 힘내세요!", "ko", "김민수"),
    ("제 이름은 박지은이에요.", "ko", "박지은"),
    ("제 이름은 준입니다.", "ko", "준"),  # a one-syllable name, not "준입니다"
    ("힘내세요!\n김민수 드림", "ko", "김민수"),
    ("ฉันชื่อสมชายครับ จากเชียงใหม่", "th", "สมชาย"),
    ("ကျွန်တော့်နာမည် အောင်ကျော် ပါ။", "my", "အောင်ကျော်"),
    ("Меня зовут Ольга Петрова, я из Казани.", "ru", "Ольга Петрова"),
    ("Мене звати Олена Коваленко.", "uk", "Олена Коваленко"),
    ("Με λένε Μαρία Παπαδοπούλου", "el", "Μαρία Παπαδοπούλου"),
])
def test_self_introductions_and_sign_offs_in_other_scripts_are_names(text, lang, name):
    assert names(text, lang) == [name]


@pytest.mark.parametrize("text,lang", [
    ("الحرية لثانت زين", "ar"),
    ("لا أحد يعرف اسمي", "ar"),  # "nobody knows my name": nothing after the cue
    ("उसे मेरा नाम याद नहीं है।", "hi"),  # "he does not remember my name"
    ("किताब पर मेरा नाम लिखा है।", "hi"),  # "my name is written on the book"
    ("我是学生，我们支持你", "zh"),  # "I am a student": no family name
    ("日本人是热爱樱花的民族。", "zh"),  # 本人 inside 日本人
    ("저는 학생입니다", "ko"),
    ("이 관절은 허리를 앞으로 굽힐 때 움직입니다", "ko"),  # 앞으로 = forward, not an addressee
    ("面接と申しますのは、お互いを知る場です。", "ja"),  # "と申します" after a noun
    ("กรอกชื่อผู้ใช้ให้ถูกต้อง", "th"),  # "user name", no pronoun
    ("นักข่าวไม่ใช่อาชญากร", "th"),
])
def test_ordinary_sentences_in_other_scripts_have_no_names(text, lang):
    assert uncased_names(text) == [] and names(text, lang) == []


@pytest.mark.parametrize("text,lang,name", [
    ("عزيزتي أيلين،\nأكتب إليكِ من بيروت. أنا صحفية مثلكِ.\nريم، بيروت", "ar", "ريم"),
    ("प्रिय जानी,\nहमारे यहाँ भी आदिवासी समुदाय लड़ रहे हैं।\nसुनील, रांची", "hi", "सुनील"),
    ("ချစ်ရတဲ့ အိုင်လင်၊\nကျွန်မက သတင်းထောက်တစ်ယောက်ပါ။\nနီလာ၊ ချင်းမိုင်", "my", "နီလာ"),
    ("아일린 기자님께,\n힘내세요.\n부산에서, 민호 드림", "ko", "민호"),
    ("ジャニさんへ\n応援しています。\n熊本より\u3000由美子", "ja", "由美子"),
    ("亲爱的丹津：\n我们都支持你。\n\n志明 敬上\n台中", "zh", "志明"),
    ("Aylin：\n妳不孤單。\n\n祝好\n美玲 於高雄", "zh", "美玲"),
    ("ถึงคุณตานซิน\nขอให้ปลอดภัยนะคะ\n\nด้วยรักและห่วงใย\nสมใจ เชียงราย", "th", "สมใจ"),
    ("ขอให้ได้กลับบ้านเร็วๆ\nเด็กๆทุกคนคิดถึง\n- ครูมาลี", "th", "ครูมาลี"),
])
def test_a_letters_closing_line_names_its_writer(text, lang, name):
    assert names(text, lang) == [name]


@pytest.mark.parametrize("text", [
    "الحرية لثانت زين\nيا وطني، يا حبيبي",  # a poem's last line
    "ريم، بيروت",  # one line: no letter to close
    "亲爱的Aylin：\n我們會一直寫信，直到妳自由。",  # a Chinese comma splits a sentence
    "丹津你好：\n我想告诉你，你不是一个人",
    "他们\n我们关于自由的故事",  # 于 inside 关于 ("about"), not "name at place"
    "ด้วยความนับถือ\nขอให้คุณได้รับอิสรภาพเร็วๆนะคะ",  # a wish after the formula, not a name and place
    "هذا صعب ، أعرف.\nستأتي غدا ، أكيد؟",  # a question is no "name, city"
])
def test_closing_lines_that_are_no_signature(text):
    assert uncased_names(text) == []


def test_korean_address_and_addressee_are_redacted_together():
    text = "답장은 서울특별시 마포구 망원로12길 34, 201호 김지수 앞으로 보내주세요 ^^ 항상 응원합니다!"
    found = {(text[f.start:f.end], f.reason) for f in find_personal_data(text, lang="ko")}
    assert found == {("서울특별시 마포구 망원로12길 34, 201호", "street address"), ("김지수", "person name")}


@pytest.mark.parametrize("text,lang,address", [
    ("私の住所は東京都世田谷区北沢2丁目10-5です", "ja", "東京都世田谷区北沢2丁目10-5"),
    ("请寄到上海市徐汇区漕溪北路88号3楼", "zh", "上海市徐汇区漕溪北路88号3楼"),
    ("台北市大安區和平東路二段106號", "zh", "台北市大安區和平東路二段106號"),
])
def test_east_asian_street_addresses(text, lang, address):
    assert [text[f.start:f.end] for f in find_personal_data(text, lang=lang) if f.reason == "street address"] == [address]


@pytest.mark.parametrize("text", ["我知道12号见面", "2丁目の公園で会いました", "마포구에서 응원합니다",
                                  "12 Mar 2019", "Posted 3 October 2018 by", "at 9 40 PM 6 replies"])
def test_dates_and_districts_alone_are_no_address(text):
    """A date ("12 Mar 2019") has the shape of a street line ("3407 Kulla 12"); the lingua dev set had 44 of them."""
    assert not [f for f in find_personal_data(text) if f.reason == "street address"]


@pytest.mark.parametrize("text,phone", [
    ("家族の方からでも090-1234-5678までご連絡ください。", "090-1234-5678"),  # particles glue to the number
    ("가족분들이 오시게 되면 010-1234-5678로 연락 주세요.", "010-1234-5678"),  # the whole number, not "010-1234"
    ("Call me on 0176 12345678, Jani", "0176 12345678"),
])
def test_phone_numbers_next_to_letters_of_other_scripts(text, phone):
    assert [text[f.start:f.end] for f in find_personal_data(text) if f.reason == "phone number"] == [phone]


@pytest.mark.parametrize("text", ["(1918 1923) تاریخ ایران", "(۱۹۸۲ ۱۹۸۹)", "Լուսանկար 14.03. 2019", "order abc12345678 shipped"])
def test_years_dates_and_codes_are_no_phone_numbers(text):
    assert not [f for f in find_personal_data(text) if f.reason == "phone number"]


def test_thai_street_address():
    text = "ติดต่อเราได้ที่ 88/12 ซอยสุขุมวิท 39 แขวงคลองตันเหนือ เขตวัฒนา กรุงเทพฯ 10110 ได้เลยค่ะ"
    assert [text[f.start:f.end] for f in find_personal_data(text, lang="th") if f.reason == "street address"] == [
        "88/12 ซอยสุขุมวิท 39 แขวงคลองตันเหนือ เขตวัฒนา กรุงเทพฯ 10110"]


def test_a_turkish_closing_is_no_name():
    text = "Yalnız değilsin.\nSaygılarımla,\nMehmet"
    assert names(text, "tr") == ["Mehmet"]
