"""Fonts for share cards, and which characters each one can draw.

Pillow has no font fallback: a character missing from the font is drawn as a
box (tofu). So cards are drawn in runs, each with a face whose character map
(read with fontTools) covers it. Faces are tried in the configured order.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from pathlib import Path

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from fontTools.ttLib import TTFont
from PIL import ImageFont


@dataclass(frozen=True, eq=False)
class Face:
    """One font family in two weights, e.g. Noto Sans Arabic Regular and Bold."""

    name: str
    regular: str
    bold: str

    def path(self, bold: bool) -> str:
        return self.bold if bold else self.regular

    @cached_property
    def coverage(self) -> frozenset[int]:
        return coverage(self.regular) & coverage(self.bold)

    @cached_property
    def _covered(self) -> dict[str, bool]:
        return {}

    def covers(self, grapheme: str) -> bool:
        """True if both weights have a glyph for every character of `grapheme` (memoized:
        fitting a title measures the same graphemes at every size)."""
        known = self._covered.get(grapheme)
        if known is None:
            cmap = self.coverage
            known = all(ord(char) in cmap or is_ignorable(char) for char in grapheme)
            if len(self._covered) < 65536:
                self._covered[grapheme] = known
        return known


# Characters that change how neighbours are drawn but have no glyph of their own
# that a font must provide (variation selectors, tag characters, bidi marks).
def is_ignorable(char: str) -> bool:
    code = ord(char)
    return (
        0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
        or 0xE0000 <= code <= 0xE007F
        or code in (0x200E, 0x200F, 0x061C)
    )


@cache
def coverage(path: str) -> frozenset[int]:
    font = TTFont(path, lazy=True)
    try:
        return frozenset(font["cmap"].getBestCmap())
    finally:
        font.close()


@lru_cache(maxsize=512)
def truetype(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.RAQM)


def font_families() -> dict[str, list[Face]]:
    """Configured families: {"noto-sans": [Face, …]}, each an ordered fallback list."""
    families = {}
    for key, faces in settings.BROADSIDE_SHARE_IMAGE_FONTS.items():
        families[key] = [
            Face(
                name=face["name"],
                regular=str(_resolve(face["regular"])),
                bold=str(_resolve(face["bold"])),
            )
            for face in faces
        ]
    return families


def faces_for(family: str) -> list[Face]:
    families = _families()
    return families.get(family) or next(iter(families.values()))


@cache
def _families() -> dict[str, list[Face]]:
    return font_families()


@receiver(setting_changed)
def clear_font_cache(*, setting: str, **kwargs) -> None:
    if setting == "BROADSIDE_SHARE_IMAGE_FONTS":
        _families.cache_clear()


def _resolve(path: str) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else Path(settings.SITE_LAYER_DIR) / "fonts" / path
