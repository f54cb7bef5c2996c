"""Fonts for share cards, and which characters each one can draw.

Pillow has no font fallback: a character missing from the font is drawn as a
box (tofu). So cards are drawn in runs, each with a face whose character map
(read with fontTools) covers it. Faces are tried in the configured order.
"""

from __future__ import annotations

import hashlib
import struct
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
    """Code points the font at `path` maps to a glyph (its best Unicode cmap subtable).

    Formats 4 and 12 (what Noto and nearly every modern font use) are read straight
    from the table's bytes: fontTools also resolves glyph names, which made a fresh
    worker's first card several times slower than the next. Other formats go
    through fontTools. Raises OSError or fontTools' errors for unreadable fonts.
    """
    font = TTFont(path, lazy=True)
    try:
        table = font.reader["cmap"]
        codes = _fast_cmap(table)
        return codes if codes is not None else frozenset(font["cmap"].getBestCmap())
    finally:
        font.close()


# The subtables fontTools' getBestCmap prefers, in its order: (platform, encoding).
_PREFERRED = ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0))


def _fast_cmap(table: bytes) -> frozenset[int] | None:
    """Code points with a non-zero glyph in the preferred subtable (OpenType spec, 'cmap'
    formats 4 and 12); None when that subtable has another format."""
    count = struct.unpack_from(">H", table, 2)[0]
    records = {}
    for index in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", table, 4 + 8 * index)
        records.setdefault((platform, encoding), offset)
    offset = next((records[key] for key in _PREFERRED if key in records), None)
    if offset is None:
        return None
    kind = struct.unpack_from(">H", table, offset)[0]
    codes: set[int] = set()
    if kind == 12:
        groups = struct.unpack_from(">I", table, offset + 12)[0]
        for index in range(groups):
            start, end, glyph = struct.unpack_from(">III", table, offset + 16 + 12 * index)
            codes.update(range(start + (1 if glyph == 0 else 0), end + 1))
        return frozenset(codes)
    if kind != 4:
        return None
    segments = struct.unpack_from(">H", table, offset + 6)[0] // 2
    ends = struct.unpack_from(f">{segments}H", table, offset + 14)
    starts = struct.unpack_from(f">{segments}H", table, offset + 16 + 2 * segments)
    deltas = struct.unpack_from(f">{segments}h", table, offset + 16 + 4 * segments)
    range_base = offset + 16 + 6 * segments
    ranges = struct.unpack_from(f">{segments}H", table, range_base)
    for index in range(segments):
        start, end, delta, range_offset = starts[index], ends[index], deltas[index], ranges[index]
        end = min(end, 0xFFFE)
        if end < start:
            continue
        if range_offset == 0:
            codes.update(range(start, end + 1))
            unmapped = (-delta) & 0xFFFF  # the one code this segment may map to glyph 0
            if start <= unmapped <= end:  # (segments do not overlap)
                codes.discard(unmapped)
            continue
        at = range_base + 2 * index + range_offset
        glyphs = struct.unpack_from(f">{end - start + 1}H", table, at)
        codes.update(
            start + i for i, glyph in enumerate(glyphs) if glyph and (glyph + delta) & 0xFFFF
        )
    return frozenset(codes)


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
