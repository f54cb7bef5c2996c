"""Fonts for share cards, and which characters each one can draw.

Pillow has no font fallback: a character missing from the font is drawn as a
box (tofu). So cards are drawn in runs, each with a face whose character map
(read with fontTools) covers it. Faces are tried in the configured order.
"""

from __future__ import annotations

import bisect
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
    def character_maps(self) -> tuple[CharacterMap, CharacterMap]:
        return character_map(self.regular), character_map(self.bold)

    @cached_property
    def _covered(self) -> dict[str, bool]:
        return {}

    def covers(self, grapheme: str) -> bool:
        """True if both weights have a glyph for every character of `grapheme` (memoized:
        fitting a title measures the same graphemes at every size)."""
        known = self._covered.get(grapheme)
        if known is None:
            regular, bold = self.character_maps
            known = all(
                (ord(char) in regular and ord(char) in bold) or is_ignorable(char)
                for char in grapheme
            )
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


class CharacterMap:
    """Whether a font maps a code point to a glyph, looked up in its best cmap subtable.

    `code in character_map(path)` gives what `code in coverage(path)` gives (tested),
    but formats 4 and 12 are searched by bisection in the table's own arrays
    (OpenType spec, 'cmap'), so a fresh worker does not list every code point of
    every fallback font before its first card.
    """

    def __init__(self, table: bytes | None, fallback: frozenset[int] = frozenset()):
        self.fallback, self.kind = fallback, 0
        if table is None:
            return
        self.table = table
        offset = _best_subtable(table)
        kind = struct.unpack_from(">H", table, offset)[0] if offset is not None else 0
        if kind == 4:
            segments = struct.unpack_from(">H", table, offset + 6)[0] // 2
            self.ends = struct.unpack_from(f">{segments}H", table, offset + 14)
            self.starts = struct.unpack_from(f">{segments}H", table, offset + 16 + 2 * segments)
            self.deltas = struct.unpack_from(f">{segments}h", table, offset + 16 + 4 * segments)
            self.range_base = offset + 16 + 6 * segments
            self.ranges = struct.unpack_from(f">{segments}H", table, self.range_base)
        elif kind == 12:
            groups = struct.unpack_from(">I", table, offset + 12)[0]
            fields = struct.unpack_from(f">{3 * groups}I", table, offset + 16)
            self.starts, self.ends, self.glyphs = fields[0::3], fields[1::3], fields[2::3]
        else:
            raise ValueError("only cmap formats 4 and 12 are searched; pass the fallback set")
        self.kind = kind

    def __contains__(self, code: int) -> bool:
        if self.kind == 4:
            index = bisect.bisect_left(self.ends, code)
            if index == len(self.ends) or self.starts[index] > code or code >= 0xFFFF:
                return False
            delta, range_offset = self.deltas[index], self.ranges[index]
            if range_offset == 0:
                return (code + delta) & 0xFFFF != 0
            at = self.range_base + 2 * index + range_offset + 2 * (code - self.starts[index])
            glyph = struct.unpack_from(">H", self.table, at)[0]
            return glyph != 0 and (glyph + delta) & 0xFFFF != 0
        if self.kind == 12:
            index = bisect.bisect_right(self.starts, code) - 1
            if index < 0 or code > self.ends[index]:
                return False
            return not (self.glyphs[index] == 0 and code == self.starts[index])
        return code in self.fallback


@cache
def character_map(path: str) -> CharacterMap:
    """A `CharacterMap` of the font at `path`. Raises OSError or fontTools' errors for
    unreadable fonts."""
    table = _cmap_table(path)
    if table is not None:
        offset = _best_subtable(table)
        if offset is not None and struct.unpack_from(">H", table, offset)[0] in (4, 12):
            return CharacterMap(table)
    font = TTFont(path, lazy=True)
    try:
        return CharacterMap(None, frozenset(font["cmap"].getBestCmap()))
    finally:
        font.close()


def _cmap_table(path: str) -> bytes | None:
    """The 'cmap' table of a single TrueType/OpenType font file, read through its table
    directory (OpenType spec, "Organization of an OpenType font"); None for other
    containers (collections, WOFF) or when there is none: fontTools reads those."""
    with open(path, "rb") as file:
        header = file.read(12)
        if len(header) < 12 or header[:4] not in (b"\x00\x01\x00\x00", b"OTTO", b"true"):
            return None
        count = struct.unpack_from(">H", header, 4)[0]
        directory = file.read(16 * count)
        for index in range(min(count, len(directory) // 16)):
            tag, _checksum, offset, length = struct.unpack_from(">4sIII", directory, 16 * index)
            if tag == b"cmap":
                file.seek(offset)
                table = file.read(length)
                return table if len(table) == length else None
    return None


def _best_subtable(table: bytes) -> int | None:
    """Offset of the preferred Unicode subtable in a 'cmap' table, None if it has none."""
    count = struct.unpack_from(">H", table, 2)[0]
    records = {}
    for index in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", table, 4 + 8 * index)
        records.setdefault((platform, encoding), offset)
    return next((records[key] for key in _PREFERRED if key in records), None)


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
