"""Fitting a title: the fewer measurements give the answer trying every size gives."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from publishing.share_images import card, fonts, layout, raster, warm
from publishing.share_images.card import VARIANTS, CardContent, render_card
from publishing.share_images.fonts import faces_for, truetype
from publishing.share_images.layout import TextStyle, clean, fit, fit_block, paragraph_direction

from .test_card_bidi import CORPUS

TITLES = [
    ("en", "Speak up for private messaging in Russia, and everywhere else"),
    ("ar", "دافعوا عن المراسلة الخاصة في روسيا وفي كل مكان آخر"),
    ("hi", "रूस में और हर जगह निजी संदेश सेवा के पक्ष में आवाज़ उठाएँ"),
    ("en", "Short"),
    ("en", "x " * 300),
    ("en", "Antidisestablishmentarianism" * 6 + " and more words after it"),
    ("en", ""),
    *CORPUS,
]
WIDTH = 1200 - 2 * card.PADDING


def _make(title: str, language: str):
    direction = "rtl" if language in ("ar", "he", "fa") else "ltr"
    base = paragraph_direction(title, direction)
    return lambda size: TextStyle(faces_for("noto-sans"), size, True, language, base)


def _every_size(title, make, sizes, max_lines, height):
    """What cards did before fit_block: the largest size that fits in `max_lines`, then
    smaller ones while the block is taller than `height` (card.py until renderer 5)."""
    style, lines = fit(title, make, sizes, WIDTH, max_lines)
    while lines and len(lines) * style.line_height > height and style.size > sizes.stop:
        smaller = range(style.size - 4, sizes.stop, sizes.step)
        if not len(smaller):
            break
        style, lines = fit(title, make, smaller, WIDTH, max_lines)
    return style.size, lines


def _check(title, language, variant, height):
    make = _make(clean(title), language)
    sizes, lines = variant.title_sizes, variant.title_lines
    expected = _every_size(clean(title), make, sizes, lines, height)
    style, found = fit_block(clean(title), make, sizes, WIDTH, lines, height)
    assert (style.size, found) == expected


@pytest.mark.parametrize(("language", "title"), TITLES)
@pytest.mark.parametrize("variant", ["og", "portrait"])
@pytest.mark.parametrize("height", [40, 120, 247, 400, 900])
def test_the_title_block_is_the_one_trying_every_size_gives(language, title, variant, height):
    _check(title, language, VARIANTS[variant], height)


WORDS = ["Speak", "up", "for", "private", "messaging", "Russia,", "و", "المراسلة", "الخاصة"]
WORDS += ["निजी", "संदेश", "(EFF)", "2024", "«حرية»", "WWWWWWWWWW", "a", "Antidisestablishment"]


@settings(max_examples=60, deadline=None)
@given(
    words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=40),
    language=st.sampled_from(["en", "ar", "hi"]),
    height=st.integers(min_value=0, max_value=700),
)
def test_any_title_block_is_the_one_trying_every_size_gives(words, language, height):
    _check(" ".join(words), language, VARIANTS["og"], height)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("NotoSans-Bold", "Speak up for private messaging in Russia, and everywhere else"),
        ("NotoSans-Bold", 'AVATAR WAVE To. Ty, LT "Quote" 1234567890'),
        ("NotoSansArabic-Bold", "دافعوا عن المراسلة الخاصة في روسيا وفي كل مكان آخر"),
        ("NotoSansDevanagari-Bold", "रूस में और हर जगह निजी संदेश सेवा के पक्ष में आवाज़ उठाएँ"),
        ("NotoSansHebrew-Bold", "הגנו על התכתבות פרטית (ארגון) 2024"),
    ],
)
def test_widths_scale_with_the_size_within_the_rounding_fit_block_allows(name, text):
    path = str(fonts._resolve(f"cards/{name}.ttf"))
    direction = "rtl" if "Arabic" in name or "Hebrew" in name else "ltr"
    sizes = range(36, 104, 4)
    widths = {s: truetype(path, s).getlength(text, direction=direction) for s in sizes}
    for reference in sizes:
        for size in sizes:
            ratio = size / reference
            error = abs(widths[size] - widths[reference] * ratio)
            assert error <= layout._ROUNDING_PER_CHARACTER * len(text) * (1 + ratio), (size, ratio)


def test_forget_empties_every_cache_drawing_a_card_fills():
    content = CardContent(
        title="رسالة إلى Google!",
        kicker="Open letter",
        signatures="Signed by 2",
        brand="Broadside",
        language="ar",
        direction="rtl",
    )
    render_card(content, VARIANTS["og"])
    warm.forget()
    modules = (fonts, layout, raster, card)
    caches = [
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, functools._lru_cache_wrapper)
    ]
    assert caches and all(cache.cache_info().currsize == 0 for cache in caches)
    assert not raster._MASKS and not card._TILES
