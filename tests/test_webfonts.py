"""The site serves the fonts its languages need, itself: subset WOFF2 with their licence.

Which letters a language needs comes from CLDR (ICU's exemplar characters), not from
the ranges the build script chose.
"""

from __future__ import annotations

import re
from pathlib import Path

import icu
import pytest
from django.conf import settings
from fontTools.ttLib import TTFont

STATIC = Path(settings.BASE_DIR) / "site" / "static"
FACE = re.compile(r"@font-face\s*{(.*?)}", re.S)


def faces() -> list[dict]:
    """The @font-face rules of fonts.css: family, weight, file and code points."""
    found = []
    for body in FACE.findall((STATIC / "css" / "fonts.css").read_text()):
        ranges = re.search(r"unicode-range:\s*([^;]+);", body).group(1)
        points = set()
        for part in ranges.split(","):
            first, _, last = part.strip().removeprefix("U+").partition("-")
            points.update(range(int(first, 16), int(last or first, 16) + 1))
        found.append(
            {
                "family": re.search(r'font-family:\s*"([^"]+)"', body).group(1),
                "weight": int(re.search(r"font-weight:\s*(\d+)", body).group(1)),
                "file": STATIC / "css" / re.search(r'url\("([^"]+)"\)', body).group(1),
                "points": points,
            }
        )
    return found


def exemplars(language: str) -> set[str]:
    standard = icu.LocaleData(language).getExemplarSet(
        0, icu.ULocaleDataExemplarSetType.ES_STANDARD
    )
    return {character for character in standard if len(character) == 1} | {
        character.upper() for character in standard if len(character.upper()) == 1
    }


@pytest.fixture(scope="module")
def cmaps() -> dict[Path, set[int]]:
    return {face["file"]: set(TTFont(face["file"]).getBestCmap()) for face in faces()}


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
@pytest.mark.parametrize("weight", [400, 700])
def test_every_letter_of_every_language_has_a_served_glyph(language, weight, cmaps):
    missing = []
    for character in sorted(exemplars(language)):
        point = ord(character)
        served = [f for f in faces() if f["weight"] == weight and point in f["points"]]
        if not any(point in cmaps[face["file"]] for face in served):
            missing.append(character)
    assert missing == [], (language, weight)


def test_font_files_are_local_woff2_with_their_licence_beside_them():
    found = faces()
    assert {face["family"] for face in found} >= {
        "Noto Sans",
        "Noto Sans Arabic",
        "Noto Sans Hebrew",
        "Noto Sans Devanagari",
    }
    for face in found:
        assert face["file"].resolve().parent == (STATIC / "fonts").resolve()
        assert face["file"].read_bytes()[:4] == b"wOF2", face["file"]
        # The OFL asks that the copyright and licence travel with the font.
        names = {record.nameID for record in TTFont(face["file"])["name"].names}
        assert {0, 13} <= names, face["file"]
    assert "SIL OPEN FONT LICENSE" in (STATIC / "fonts" / "OFL.txt").read_text().upper()


def test_the_site_stylesheet_names_the_families_that_are_served():
    css = (STATIC / "css" / "site.css").read_text()
    named = set(re.findall(r'"(Noto Sans[^"]*)"', css))
    assert named <= {face["family"] for face in faces()}


def test_every_page_links_the_font_rules(client, tree):
    page = client.get(tree.home.url).content.decode()
    assert re.search(r'<link rel="stylesheet" href="/static/css/fonts[^"]*\.css"', page)
