"""Drawing text runs on a card, with their rasterized masks kept for reuse.

FreeType rasterizing a run's glyphs is most of what drawing a card costs, and
most runs recur: the brand on every card, the kicker ("Open letter · 3 May
2018") and signature count across letters, the "+5 more" of a letter in each
language, and every title line of the Open Graph card again on the Bluesky
card (same size, same width). A run's coverage mask depends only on the font
file and size, the text, its direction and language, and the sub-pixel part of
where it starts, never on the colour or on where it lands; so masks are kept
(least recently used first out, bounded in pixels) and composited again.

`draw_run` draws exactly what ``ImageDraw.text(…, anchor="ls")`` draws (Pillow 13,
``ImageDraw.text`` → ``FreeTypeFont.getmask2`` → ``draw_bitmap``), byte for byte:
a test compares the two.
"""

from __future__ import annotations

import math
from collections import OrderedDict

from PIL import ImageDraw

from .fonts import truetype

# Masks kept per process, in pixels (one byte each): ~300 title lines or ~3,000
# short runs. A worker drawing a whole site keeps the recurring runs well inside.
MASK_BUDGET = 24_000_000

_MASKS: OrderedDict[tuple, tuple[object, tuple[int, int]]] = OrderedDict()
_pixels = 0


def draw_run(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, int],
    text: str,
    path: str,
    size: int,
    direction: str,
    language: str,
    fill: str,
) -> None:
    """Draw one run of `text` in the font file `path` at `size` px, its baseline left at `xy`.

    `xy` is (x in px, may be fractional; baseline y in px, whole). `direction`
    ("ltr"/"rtl") and `language` (BCP 47) go to raqm as in ``ImageDraw.text``.
    Pixels drawn are identical to ``draw.text(xy, text, font=…, fill=fill,
    anchor="ls", direction=direction, language=language)``.
    Raises OSError when the font file cannot be read.
    """
    x, y = xy
    start = (math.modf(x)[0], math.modf(y)[0])
    mask, offset = _mask(path, size, text, direction, language, draw.fontmode, start)
    ink, fill_ink = draw._getink(fill)
    draw.draw.draw_bitmap(
        (int(x) + offset[0], int(y) + offset[1]), mask, ink if ink is not None else fill_ink
    )


def _mask(
    path: str,
    size: int,
    text: str,
    direction: str,
    language: str,
    mode: str,
    start: tuple[float, float],
):
    global _pixels
    key = (path, size, text, direction, language, mode, start)
    found = _MASKS.get(key)
    if found is not None:
        _MASKS.move_to_end(key)
        return found
    font = truetype(path, size)
    # The call ImageDraw.text makes for one line of text. The ink only colours
    # colour (RGBA) glyphs; an "L" or "1" mask is coverage alone, whatever the fill.
    found = font.getmask2(
        text, mode, direction, None, language, 0, "ls", 0, start, stroke_filled=True
    )
    area = found[0].size[0] * found[0].size[1]
    if area <= MASK_BUDGET // 8:  # a huge one-off run is drawn, not kept
        _MASKS[key] = found
        _pixels += area
        while _pixels > MASK_BUDGET:
            _old_key, (old, _offset) = _MASKS.popitem(last=False)
            _pixels -= old.size[0] * old.size[1]
    return found


def clear() -> None:
    """Forget every kept mask (fonts changed, or a benchmark's cold start)."""
    global _pixels
    _MASKS.clear()
    _pixels = 0
