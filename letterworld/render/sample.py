"""A synthetic multilingual letter (letter.json shape) for tests, benchmarks
and designers trying themes and presets."""

from __future__ import annotations

EXCERPTS: list[tuple[str, str, str, str | None]] = [
    # (lang, country, text, attribution)
    ("es", "CO", "No estás sola, estamos contigo. Tu valentía nos inspira cada día.", "Maria, Colombia"),
    ("ar", "EG", "نحن معك، لست وحدك. شجاعتك تلهمنا كل يوم منذ عام 2019.", "سارة، مصر"),
    ("ur", "PK", "ہم آپ کے ساتھ ہیں، آپ اکیلی نہیں ہیں۔ آپ کی ہمت ہمیں ہر روز متاثر کرتی ہے۔", "عائشہ"),
    ("he", "IL", "אנחנו איתך, את לא לבד. האומץ שלך מעורר בנו השראה.", None),
    ("hi", "IN", "हम आपके साथ हैं, आप अकेली नहीं हैं। आपका साहस हमें हर दिन प्रेरित करता है।", "प्रिया, भारत"),
    ("bn", "BD", "আমরা তোমার পাশে আছি, তুমি একা নও। তোমার সাহস আমাদের প্রতিদিন অনুপ্রাণিত করে।", ""),
    ("th", "TH", "เราอยู่เคียงข้างคุณ คุณไม่ได้อยู่คนเดียว ความกล้าหาญของคุณเป็นแรงบันดาลใจให้เราทุกวัน", "สมชาย"),
    ("my", "MM", "ကျွန်ုပ်တို့သည် သင်နှင့်အတူရှိသည်။ သင်တစ်ယောက်တည်းမဟုတ်ပါ။ သင်၏သတ္တိသည် ကျွန်ုပ်တို့ကို နေ့တိုင်းလှုံ့ဆော်ပေးသည်။", None),
    ("zh", "CN", "我们和你站在一起，你并不孤单。你的勇气每天都在激励着我们，世界各地的人都在为你加油。", "小林"),
    ("zh-Hant", "TW", "我們與你同在，你並不孤單。你的勇氣每天都在激勵著我們。", "台北的朋友"),
    ("ko", "KR", "우리는 당신과 함께합니다. 당신은 혼자가 아닙니다. 당신의 용기가 매일 우리에게 영감을 줍니다.", "지민"),
    ("ja", "JP", "私たちはあなたと共にいます。あなたは一人ではありません。あなたの勇気が毎日私たちを励ましています。", "ゆき"),
    ("ru", "UA", "Мы с тобой, ты не одна. Твоя смелость вдохновляет нас каждый день.", "Олена"),
    ("en", "PE", "Stay strong ❤️ نحن معك 👩‍👩‍👧 from all of us in Lima 🇵🇪!", "Lucía & friends"),
]


def sample_letter(n_excerpts: int | None = None) -> dict:
    exs = EXCERPTS if n_excerpts is None else EXCERPTS[:n_excerpts]
    excerpts = []
    for i, (lang, country, text, attribution) in enumerate(exs):
        excerpts.append({
            "id": f"{100 + i}:0-{len(text)}", "message_id": 100 + i, "lang": lang, "country": country,
            "text": text, "source_text": text, "start": 0, "end": len(text),
            "attribution": attribution, "theme_id": 1 + i % 2,
        })
    half = (len(excerpts) + 1) // 2
    return {
        "campaign": "demo",
        "recipient": "Jani Mendoza",
        "lang": "en",
        "greeting": "Dear Jani Mendoza,",
        "sections": [
            {"theme_id": 1, "label": "you are not alone", "keywords": [], "excerpts": excerpts[:half]},
            {"theme_id": 2, "label": "your courage inspires us", "keywords": [], "excerpts": excerpts[half:]},
        ],
        "closing": "Written by 612 people in 24 languages from 31 countries.",
        "counts": {"messages": 612, "languages": 24, "countries": 31},
        "created": "2026-11-23T20:00:00Z",
    }
