"""Share cards draw mixed-direction titles in the visual order of the Unicode Bidirectional
Algorithm (UAX #9).

The expected order comes from a reference implementation independent of ours:
python-bidi 0.6, which wraps the Rust `unicode-bidi` crate. `get_display` reorders the
logical string at the given paragraph level (it does not mirror brackets: mirroring is
HarfBuzz's job when it shapes a right-to-left run, checked separately below).
"""

from __future__ import annotations

from unittest import mock

import pytest
from bidi import get_display
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageDraw

from publishing.share_images import card as card_module
from publishing.share_images.card import PADDING, VARIANTS, CardContent, render_card
from publishing.share_images.fonts import coverage, faces_for, truetype
from publishing.share_images.layout import clean, order_runs, split_runs

RTL_LANGUAGES = {"ar", "he", "fa"}

# (language of the card, title): the card's language sets the paragraph direction.
CORPUS = [
    ("ar", "رسالة إلى Google!"),
    ("ar", "دافعوا عن المراسلة الخاصة في روسيا مع ACLU منذ 2018"),
    ("ar", "بيان مشترك (EFF و Access Now) حول الرقابة"),
    ("ar", "«حرية التعبير» ليست جريمة: رسالة إلى UNESCO"),
    ("ar", "أفرجوا عن علاء عبد الفتاح (منذ 29/9/2019)"),
    ("ar", "رسالة مفتوحة إلى Meta و X بشأن حظر المحتوى؟"),
    ("ar", "منظمة HRW تقول: “أوقفوا الاعتقالات” في 2024-05-03"),
    ("ar", "قانون الجرائم الإلكترونية رقم 175 لسنة 2018 يجب أن يُلغى!"),
    ("ar", "نداء من 13 منظمة [CPJ, RSF] إلى الاتحاد الأوروبي."),
    ("ar", 'حملة "أنقذوا الإنترنت" مع Article 19 و SMEX'),
    ("ar", "الحرية لـ ٣٠٠ صحفي في ٢٠٢٤/١١"),
    ("ar", "شركة Apple (iCloud) والتشفير - لا للأبواب الخلفية"),
    ("he", "מכתב פתוח ל-Google!"),
    ("he", "הגנו על התכתבות פרטית – ACRI ו-ICCL, 2024"),
    ("he", "הצהרה משותפת (EFF, Access Now) נגד מעקב"),
    ("he", "„חופש הביטוי” אינו פשע: פנייה ל-UN"),
    ("he", "'שחררו את העיתונאים' - 12 ארגונים, 3/5/2018"),
    ("he", 'האם NSO תיתן דין? [דו"ח Citizen Lab]'),
    ("he", "פנייה אל Meta / WhatsApp בעניין הצפנה."),
    ("fa", "نامه‌ای سرگشاده به Telegram درباره فیلترینگ!"),
    ("fa", "آزادی برای نرگس محمدی (برنده Nobel ۲۰۲۳)"),
    ("fa", "بیانیه ۱۲ سازمان: «اینترنت حق همه است»"),
    ("fa", "قطع اینترنت در ۱۴۰۱/۰۶/۲۵ - گزارش Access Now"),
    ("fa", "سازمان ARTICLE 19 و SMEX: به سانسور پایان دهید."),
    ("en", 'Free "علاء عبد الفتاح" now!'),
    ("en", "Stop the “قانون الجرائم الإلكترونية” (Law 175/2018)"),
    ("en", "Open letter: «תנו לעיתונאים לעבוד» — 2024"),
    ("en", "Solidarity with SMEX (سمكس) and 7amleh (حملة)!"),
    ("en", "The 'מכתב פתוח' signed by 40 groups, 3-5 May"),
    ("en", 'Say "لا" to surveillance / Say "לא" to spyware.'),
]


CORPUS_IDS = [f"{language}-{index}" for index, (language, _title) in enumerate(CORPUS)]


def paragraph_direction(language: str) -> str:
    return "rtl" if language in RTL_LANGUAGES else "ltr"


def drawn_order(line: str, direction: str) -> str:
    """The characters of `line` left to right, as our layout draws them.

    Runs come in visual order; raqm shapes each in its direction, so a right-to-left
    run's characters appear reversed (mirroring of brackets aside)."""
    runs, dropped = split_runs(line, faces_for("noto-sans"))
    assert dropped == []
    ordered = order_runs(runs, direction)
    return "".join(run.text if run.direction == "ltr" else run.text[::-1] for run in ordered)


def reference_order(line: str, direction: str) -> str:
    return get_display(line, base_dir="R" if direction == "rtl" else "L")


@pytest.mark.parametrize(("language", "title"), CORPUS, ids=CORPUS_IDS)
def test_mixed_direction_titles_are_drawn_in_the_order_of_the_reference_bidi_algorithm(
    language, title
):
    line = clean(title)
    direction = paragraph_direction(language)
    assert drawn_order(line, direction) == reference_order(line, direction)


def test_final_exclamation_mark_of_an_arabic_title_ending_in_latin_is_at_the_far_left():
    line = "رسالة إلى Google!"
    drawn = drawn_order(line, "rtl")
    assert drawn.startswith("!Google")
    assert drawn == "!Google ىلإ ةلاسر"


def test_the_card_language_sets_the_paragraph_direction_not_the_first_letter():
    """A Hebrew card whose title starts with a Latin name still reads right to left."""
    line = "Google נגד הצפנה"
    assert drawn_order(line, "rtl") == reference_order(line, "rtl")
    assert drawn_order(line, "rtl").endswith("Google")


ARABIC = ["رسالة", "إلى", "حرية", "الصحافة", "منظمة", "نداء"]
HEBREW = ["מכתב", "פתוח", "חופש", "ארגון"]
PERSIAN = ["نامه‌ای", "آزادی", "گزارش", "سازمان"]
LATIN = ["Google", "EFF", "Access", "Now", "UN", "ACLU", "iOS"]
NUMBERS = ["2018", "3/5/2024", "٢٠٢٤", "۱۴۰۱", "175", "12.5%", "+5", "-3", "$10", "#1"]
NEUTRALS = [" ", " ", " ", "!", "?", ".", ",", ":", "-", "–", "/", "(", ")", "[", "]"]
QUOTES = ["«", "»", "“", "”", '"', "'", "„"]
FRAGMENT = st.sampled_from(ARABIC + HEBREW + PERSIAN + LATIN + NUMBERS + NEUTRALS + QUOTES)


@settings(max_examples=200, deadline=None)
@given(
    fragments=st.lists(FRAGMENT, min_size=1, max_size=14),
    language=st.sampled_from(["ar", "he", "fa", "en"]),
)
def test_any_mix_of_scripts_numbers_and_punctuation_is_drawn_in_reference_order(
    fragments, language
):
    line = clean(" ".join(fragments) if len(fragments) % 2 else "".join(fragments))
    if not line:
        return
    direction = paragraph_direction(language)
    assert drawn_order(line, direction) == reference_order(line, direction)


@pytest.mark.parametrize(("character", "mirrored"), [("(", ")"), ("[", "]"), ("«", "»")])
def test_mirrored_characters_in_right_to_left_runs_are_drawn_mirrored_by_raqm(character, mirrored):
    """HarfBuzz draws a Bidi_Mirrored character of a right-to-left run with its
    Bidi_Mirroring_Glyph (UnicodeData BidiMirroring.txt: ( ↔ ), [ ↔ ], « ↔ »)."""
    font = truetype(faces_for("noto-sans")[0].regular, 60)  # Noto Sans

    def drawn(text: str, direction: str) -> Image.Image:
        image = Image.new("L", (120, 120))
        draw = ImageDraw.Draw(image)
        draw.text((30, 90), text, font=font, fill=255, anchor="ls", direction=direction)
        return image

    rtl = drawn(character, "rtl")
    assert rtl.getbbox() is not None
    assert ImageChops.difference(rtl, drawn(mirrored, "ltr")).getbbox() is None
    assert ImageChops.difference(rtl, drawn(character, "ltr")).getbbox() is not None


def test_quotation_marks_that_are_not_bidi_mirrored_keep_their_glyph_in_right_to_left_runs():
    font = truetype(faces_for("noto-sans")[0].regular, 60)
    images = []
    for direction in ("rtl", "ltr"):
        image = Image.new("L", (120, 120))
        ImageDraw.Draw(image).text(
            (30, 90), "“", font=font, fill=255, anchor="ls", direction=direction
        )
        images.append(image)
    assert images[0].getbbox() is not None
    assert ImageChops.difference(*images).getbbox() is None


def card(language: str, title: str) -> CardContent:
    return CardContent(
        title=title,
        kicker="",
        signatures="",
        brand="Broadside",
        language=language,
        direction=paragraph_direction(language),
    )


@pytest.mark.parametrize(("language", "title"), CORPUS, ids=CORPUS_IDS)
def test_every_corpus_title_is_drawn_with_no_missing_glyph_inside_the_card(language, title):
    variant = VARIANTS["og"]
    draws = []
    original = card_module.draw_run

    def spy(draw, xy, text, path, size, direction, language, fill):
        draws.append((xy, text, truetype(path, size), direction))
        return original(draw, xy, text, path, size, direction, language, fill)

    with mock.patch.object(card_module, "draw_run", spy):
        rendered = render_card(card(language, title), variant)
    assert rendered.dropped == []
    assert draws
    for (x, _y), text, font, direction in draws:
        missing = [c for c in text if ord(c) not in coverage(font.path) and c not in " \u200c"]
        assert not missing, (text, font.path, missing)
        width = font.getlength(text, direction=direction, language=language)
        assert PADDING - 0.5 <= x and x + width <= variant.width - PADDING + 0.5, (text, x)
