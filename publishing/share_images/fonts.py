"""Fonts for share cards, and which characters each one can draw.

Pillow has no font fallback: a character missing from the font is drawn as a
box (tofu). So cards are drawn in runs, each with a face whose character map
(read with fontTools) covers it. Faces are tried in the configured order.
"""

from __future__ import annotations

import hashlib
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

    def covers(self, grapheme: str) -> bool:
        cmap = self.coverage
        return all(ord(char) in cmap or is_ignorable(char) for char in grapheme)


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


def family_fingerprint(family: str) -> list[list[str]]:
    """What a card drawn in `family` takes from the font configuration.

    Returns [[face name, hash of the regular file, hash of the bold file], …] in
    fallback order, so changing `BROADSIDE_SHARE_IMAGE_FONTS` (a face added,
    removed, reordered, or a file replaced) changes the card's input hash.
    Raises OSError when a configured font file cannot be read.
    """
    return [
        [face.name, file_digest(face.regular), file_digest(face.bold)] for face in faces_for(family)
    ]


def file_digest(path: str) -> str:
    """SHA-256 of a font file, read once per process for each version of the file."""
    status = Path(path).stat()
    return _file_digest(path, status.st_size, status.st_mtime_ns)


@lru_cache(maxsize=128)
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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
