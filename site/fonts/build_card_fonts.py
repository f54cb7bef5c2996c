"""Build the fonts share cards are drawn with: this folder's Noto faces without glyph programs.

    .venv/bin/python site/fonts/build_card_fonts.py

Writes site/fonts/cards/<same name>.ttf for every .ttf here (and the licence beside them).
Each glyph's TrueType instructions (its hinting program) are removed, the font-wide
programs (`fpgm`, `prep`) are replaced by one that does nothing, and the control values
(`cvt `) they read are dropped; outlines, metrics, the character map and the OpenType
layout tables (joining, conjuncts, marks, kerning) are the source's. Why
(docs/decisions.md, "Share cards: fonts without hinting programs"): FreeType runs a glyph's
program every time Pillow loads it, twice per glyph drawn, and the font programs for every
new size, which made rasterizing a card's text three to four times slower than drawing the
outlines; at card sizes (26-100 px, shown scaled down by the networks) hinted and unhinted
glyphs are indistinguishable, and this site's web pages already use unhinted copies
(build_webfonts.py). The no-op programs are there on purpose: FreeType hands a TrueType
font without font programs to its auto-hinter, which is slower than hinting.

Widths do not change (HarfBuzz measures unhinted advances either way), so neither do line
breaks. Outputs are reproducible (the `head` timestamps are the source's) and committed;
run this again after replacing a source font (tests/test_card_fonts.py checks the copies).
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools.ttLib import TTFont, newTable
from fontTools.ttLib.tables import ttProgram

FONTS = Path(__file__).resolve().parent
OUTPUT = FONTS / "cards"
MODIFIED = (
    "Modified Versions (SIL OFL 1.1, section 1) of the fonts below: their TrueType hinting\n"
    "programs were removed by site/fonts/build_card_fonts.py; nothing else was changed.\n\n"
)


# PUSHB[0] 0, POP: a program that does nothing (OpenType spec, TrueType instructions).
NO_OP = bytes((0xB0, 0x00, 0x21))


def without_hinting_programs(source: Path | str) -> TTFont:
    """The font at `source` (a TrueType-outline .ttf) with no hinting program left to run.

    Raises fontTools' errors for a file that is not a TrueType font, and KeyError for a
    font without a 'glyf' table (CFF outlines have no programs: use them as they are).
    """
    font = TTFont(source, recalcTimestamp=False)
    glyphs = font["glyf"]
    for name in font.getGlyphOrder():
        glyphs[name].removeHinting()  # simple glyphs: program emptied; composites: flag cleared
    for tag in ("fpgm", "prep"):
        table = font[tag] = newTable(tag)
        table.program = ttProgram.Program()
        table.program.fromBytecode(NO_OP)
    if "cvt " in font:
        del font["cvt "]
    return font


def main(sources: list[Path] | None = None) -> None:
    OUTPUT.mkdir(exist_ok=True)
    for source in sources or sorted(FONTS.glob("*.ttf")):
        target = OUTPUT / source.name
        without_hinting_programs(source).save(target)
        print(f"{target.relative_to(FONTS.parent)}: {target.stat().st_size / 1024:.1f} kB")
    licence = (FONTS / "OFL.txt").read_text(encoding="utf-8")
    (OUTPUT / "OFL.txt").write_text(MODIFIED + licence, encoding="utf-8")


if __name__ == "__main__":
    main([Path(argument) for argument in sys.argv[1:]] or None)
