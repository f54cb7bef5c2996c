"""The character map searched in place answers as fontTools' best cmap does."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import pytest
from django.conf import settings
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


def _build_card_fonts():
    """site/fonts/build_card_fonts.py, imported by path (the site layer is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "build_card_fonts", Path(settings.SITE_LAYER_DIR) / "fonts" / "build_card_fonts.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_card_fonts_are_the_sources_rebuilt_without_hinting_programs():
    """The committed copies are exactly what the script makes of the source fonts today
    (a replaced source without a rebuild fails here), and draw the same characters."""
    build = _build_card_fonts()
    configured = [
        p for faces in font_families().values() for f in faces for p in (f.regular, f.bold)
    ]
    assert configured and all(Path(p).parent == build.OUTPUT for p in configured)
    for path in configured:
        source = build.FONTS / Path(path).name
        rebuilt = io.BytesIO()
        build.without_hinting_programs(source).save(rebuilt)
        assert rebuilt.getvalue() == Path(path).read_bytes(), path
        assert _best(path) == _best(source)
        font = TTFont(path)
        assert "cvt " not in font
        assert (
            font["fpgm"].program.getBytecode() == build.NO_OP == font["prep"].program.getBytecode()
        )
        glyphs = font["glyf"]
        assert not any(
            glyphs[name].isComposite()
            and hasattr(glyphs[name], "program")
            or getattr(glyphs[name], "program", None)
            and glyphs[name].program.getBytecode()
            for name in font.getGlyphOrder()
        ), path
