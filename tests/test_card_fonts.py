"""The character map searched in place answers as fontTools' best cmap does."""

from __future__ import annotations

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

from publishing.share_images.fonts import character_map, font_families

# Up to U+2FFFF: the Basic Multilingual Plane and the supplementary ones fonts use.
CODES = range(0x30000)


def _built_font(path, mapping):
    """A TrueType font mapping `mapping` {code point: glyph name}; fontTools writes a
    format 12 subtable (and a format 4 one) when a code point is beyond U+FFFF."""
    names = [".notdef", *sorted(set(mapping.values()))]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap(mapping)
    pen = TTGlyphPen(None)
    pen.moveTo((0, 0)), pen.lineTo((0, 500)), pen.lineTo((500, 0)), pen.closePath()
    builder.setupGlyf({name: pen.glyph() for name in names})
    builder.setupHorizontalMetrics(dict.fromkeys(names, (600, 0)))
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Test", "styleName": "Regular"})
    builder.setupOS2(), builder.setupPost()
    builder.save(str(path))
    return str(path)


def _best(path):
    return frozenset(TTFont(path)["cmap"].getBestCmap())


def test_configured_fonts_answer_as_fonttools_for_every_code_point(settings):
    for face in (f for faces in font_families().values() for f in faces):
        for path in (face.regular, face.bold):
            expected, found = _best(path), character_map(path)
            assert [c for c in CODES if (c in found) != (c in expected)] == [], path


@pytest.mark.parametrize(
    "mapping",
    [
        {0x41: "A", 0x42: "B", 0x5D0: "alef", 0x1F600: "smile", 0x20000: "han", 0x20001: "han"},
        {0x41: "A", 0x2F800: "han"},
    ],
)
def test_format_12_subtables_answer_as_fonttools(tmp_path, mapping):
    path = _built_font(tmp_path / "test.ttf", mapping)
    assert {t.format for t in TTFont(path)["cmap"].tables} >= {12}
    expected, found = _best(path), character_map(path)
    assert expected == set(mapping)
    assert [c for c in CODES if (c in found) != (c in expected)] == []
