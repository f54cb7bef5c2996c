"""A card worker's per-process state: paying its first-card costs at start, or forgetting it."""

from __future__ import annotations

from . import card, fonts, layout, raster
from .card import VARIANTS
from .fonts import _families, truetype
from .layout import bidi_levels


def warm_up() -> int:
    """Pay at a worker's start what its first card would: open every configured face in
    both weights at every size a card uses, read its character map, start ICU's bidi.

    Called before `regenerate_share_images` forks its workers (they inherit it all).
    Takes some tens of milliseconds; returns the number of fonts opened. Raises
    OSError when a configured font file cannot be read.
    """
    sizes = {26, 28} | {size for variant in VARIANTS.values() for size in variant.title_sizes}
    opened = 0
    for faces in _families().values():
        for face in faces:
            face.character_maps  # noqa: B018  (reads both weights' cmaps, kept on the face)
            for path in {face.regular, face.bold}:
                for size in sorted(sizes):
                    truetype(path, size)
                    opened += 1
    bidi_levels("\u05d0 (a)", "rtl")
    return opened


def forget() -> None:
    """Empty every cache drawing a card fills: opened fonts, character maps, faces, layouts,
    bidi levels, widths, rasterized runs and logo tiles — the state of a worker process
    that has drawn nothing yet (the bench's "cold" card, or fonts replaced on disk).

    Decoded logos (`content._decoded_logo`) are kept: they are read before drawing.
    """
    for cached in (
        fonts.truetype,
        fonts.coverage,
        fonts.character_map,
        fonts._families,
        fonts._file_digest,
        layout.strength,
        layout._first_face,
        layout._laid_out,
        layout._levels,
        layout._length,
    ):
        cached.cache_clear()
    card._TILES.clear()
    raster.clear()
