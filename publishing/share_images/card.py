"""Drawing a share card. A pure function of its inputs: same inputs, same bytes."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageDraw

from .fonts import Face, faces_for
from .layout import Line, TextStyle, clean, fit_block, paragraph_direction
from .raster import draw_run

# Bump when the drawing changes, so stored cards are rendered again.
RENDERER_VERSION = 5


@dataclass(frozen=True)
class Variant:
    key: str
    width: int
    height: int
    format: str  # "PNG" or "JPEG"
    max_bytes: int | None = None
    title_sizes: range = range(76, 35, -4)
    title_lines: int = 4
    logos: int = 8
    # What the Sharing tab calls it (lazy-translatable); not an input of the card.
    label: Any = field(default="", compare=False)

    @property
    def mime_type(self) -> str:
        return f"image/{self.format.lower()}"

    @property
    def extension(self) -> str:
        return {"PNG": "png", "JPEG": "jpg"}[self.format]


VARIANTS = {
    # Facebook, X (summary_large_image), LinkedIn, Mastodon: Open Graph 1200×630 (1.91:1).
    "og": Variant(
        "og", 1200, 630, "PNG", label=_("Open Graph 1200×630 (Facebook, X, LinkedIn, Mastodon)")
    ),
    # Instagram: square and portrait (4:5).
    "square": Variant(
        "square",
        1080,
        1080,
        "PNG",
        title_sizes=range(92, 43, -4),
        title_lines=6,
        logos=7,
        label=_("Square 1080×1080 (Instagram)"),
    ),
    "portrait": Variant(
        "portrait",
        1080,
        1350,
        "PNG",
        title_sizes=range(100, 47, -4),
        title_lines=8,
        logos=7,
        label=_("Portrait 1080×1350 (Instagram)"),
    ),
    # Instagram posts: JPEG only, 4:5 portrait (the tallest it shows uncropped).
    "instagram": Variant(
        "instagram",
        1080,
        1350,
        "JPEG",
        title_sizes=range(100, 47, -4),
        title_lines=8,
        logos=7,
        label=_("Instagram post (JPEG 1080×1350)"),
    ),
    # Bluesky: blobs up to 1,000,000 bytes.
    "bluesky": Variant(
        "bluesky", 1200, 630, "JPEG", max_bytes=1_000_000, label=_("Bluesky (JPEG under 1 MB)")
    ),
}


@dataclass(frozen=True)
class Colours:
    background: str = "#1b1b1f"
    text: str = "#fbfaf7"
    accent: str = "#e4572e"


@dataclass(frozen=True)
class CardContent:
    """Everything a card shows, already localized."""

    title: str
    kicker: str  # "Open letter · 3 May 2018"
    signatures: str  # "Signed by 13 organizations"
    brand: str
    language: str
    direction: str  # "ltr" / "rtl" of the language
    logos: tuple[Image.Image, ...] = ()
    more_logos: str = ""  # "+5 more", when not all logos fit
    colours: Colours = field(default_factory=Colours)
    font_family: str = "noto-sans"


@dataclass
class RenderedCard:
    data: bytes
    width: int
    height: int
    mime_type: str
    dropped: list[str]  # graphemes no configured font could draw (left out, never tofu)


PADDING = 64
LOGO_SIZE = 72  # the white tile, px
LOGO_INSIDE = LOGO_SIZE - 8  # the largest side of the logo on it
LOGO_GAP = 14


def render_card(content: CardContent, variant: Variant) -> RenderedCard:
    faces = faces_for(content.font_family)
    canvas = Image.new("RGB", (variant.width, variant.height), content.colours.background)
    draw = ImageDraw.Draw(canvas)
    painter = _Painter(draw, faces, content, variant)
    painter.paint()
    data = _encode(canvas, variant)
    return RenderedCard(data, variant.width, variant.height, variant.mime_type, painter.dropped)


class _Painter:
    def __init__(self, draw: ImageDraw.ImageDraw, faces: list[Face], content, variant):
        self.draw, self.faces, self.content, self.variant = draw, faces, content, variant
        self.width = variant.width - 2 * PADDING
        self.rtl = content.direction == "rtl"
        self.dropped: list[str] = []

    def style(self, text: str, size: int, bold: bool) -> TextStyle:
        base = paragraph_direction(text, self.content.direction)
        return TextStyle(self.faces, size, bold, self.content.language, base)

    def paint(self) -> None:
        content, variant = self.content, self.variant
        self.draw.rectangle((0, 0, variant.width, 12), fill=content.colours.accent)
        y = PADDING + 8
        kicker = clean(content.kicker)
        if kicker:
            style = self.style(kicker, 28, bold=False)
            y = self.text_line(style, style.line(kicker), y, content.colours.accent)
            y += 18

        bottom_block = LOGO_SIZE + 3 * 40 if content.logos else 3 * 40
        title = clean(content.title)
        available = variant.height - y - PADDING - bottom_block
        sizes = variant.title_sizes

        def make(size: int) -> TextStyle:
            return self.style(title, size, bold=True)

        style, lines = fit_block(title, make, sizes, self.width, variant.title_lines, available)
        # The title sits in the middle of the space it has.
        y += max(0, (available - len(lines) * style.line_height) // 2)
        for text in lines:
            y = self.text_line(style, style.line(text), y, content.colours.text)
        self.dropped.extend(style.dropped if style else [])

        footer_y = variant.height - PADDING
        brand = clean(content.brand)
        if brand:
            brand_style = self.style(brand, 26, bold=True)
            self.text_line(
                brand_style, brand_style.line(brand), footer_y - 30, content.colours.text, end=True
            )
        signatures = clean(content.signatures)
        if content.logos:
            logos_y = footer_y - 40 - LOGO_SIZE - 24
            self.logo_strip(logos_y)
        if signatures:
            sig_style = self.style(signatures, 28, bold=False)
            sig_y = footer_y - 40 - (LOGO_SIZE + 24 if content.logos else 0) - 48
            self.text_line(sig_style, sig_style.line(signatures), sig_y, content.colours.text)

    def text_line(self, style: TextStyle, line: Line, y: int, fill: str, end: bool = False) -> int:
        """Draw a line at top `y`, at the start (right in RTL) or the end. Returns the next y."""
        align_right = self.rtl != end
        x = PADDING + (self.width - line.width if align_right else 0)
        baseline = y + round(style.size * 1.05)
        for run in line.runs:
            draw_run(self.draw, (x, baseline), run.text, *style.shape(run), fill)
            x += style.run_width(run)
        self.dropped.extend(style.dropped)
        style.dropped.clear()
        return y + style.line_height

    def logo_strip(self, y: int) -> None:
        content = self.content
        step = LOGO_SIZE + LOGO_GAP
        logos = list(content.logos[: self.variant.logos])
        more = content.more_logos
        for index, logo in enumerate(logos):
            offset = index * step
            x = PADDING + self.width - LOGO_SIZE - offset if self.rtl else PADDING + offset
            self.draw._image.paste(_logo_tile(logo), (x, y))
        if more:
            style = self.style(more, 26, bold=True)
            line = style.line(more)
            used = len(logos) * step
            x = PADDING + self.width - used - line.width if self.rtl else PADDING + used
            baseline = y + LOGO_SIZE // 2 + 9
            for run in line.runs:
                draw_run(
                    self.draw, (x, baseline), run.text, *style.shape(run), content.colours.text
                )
                x += style.run_width(run)
            self.dropped.extend(style.dropped)


_TILES: OrderedDict[tuple, Image.Image] = OrderedDict()


def _logo_tile(logo: Image.Image) -> Image.Image:
    """The logo fitted on its white tile (at most `LOGO_INSIDE` px, centred), cached
    by the logo's pixels (a site has a few hundred logos, each drawn on every card of every
    letter it signed)."""
    key = (logo.mode, logo.size, hashlib.blake2b(logo.tobytes(), digest_size=16).digest())
    tile = _TILES.get(key)
    if tile is not None:
        _TILES.move_to_end(key)
        return tile
    tile = Image.new("RGB", (LOGO_SIZE, LOGO_SIZE), "#ffffff")
    fitted = logo
    if max(logo.size) > LOGO_INSIDE:  # decoded logos come this size already (logos.THUMBNAIL)
        fitted = logo.copy()
        fitted.thumbnail((LOGO_INSIDE, LOGO_INSIDE))
    position = ((LOGO_SIZE - fitted.width) // 2, (LOGO_SIZE - fitted.height) // 2)
    tile.paste(fitted, position, fitted if fitted.mode == "RGBA" else None)
    _TILES[key] = tile
    if len(_TILES) > 1024:
        _TILES.popitem(last=False)
    return tile


def _encode(canvas: Image.Image, variant: Variant) -> bytes:
    if variant.format == "PNG":
        return _png(canvas)
    for quality in (90, 82, 74, 66, 58, 50):
        buffer = io.BytesIO()
        canvas.save(buffer, format="JPEG", quality=quality, optimize=True, progressive=True)
        if variant.max_bytes is None or buffer.tell() <= variant.max_bytes:
            return buffer.getvalue()
    raise ValueError(f"Cannot encode the {variant.key} card under {variant.max_bytes} bytes.")


_BAND = 32  # rows per slice of the canvas read at once (~115 kB for 1200 px)


def _png(canvas: Image.Image) -> bytes:
    """A lossless PNG of an RGB canvas: filter type 0 on every row, zlib level 1.

    Pillow's PNG encoder tries every row filter (adaptive filtering), which is two
    thirds of its time; a card's flat background and few hundred colours compress
    as well without it (docs/decisions.md). Chunk layout: PNG spec (ISO/IEC 15948),
    sections 5 and 11; decoded pixels are identical to the canvas.
    """
    if canvas.mode != "RGB":
        canvas = canvas.convert("RGB")
    width, height = canvas.size
    stride = width * 3
    # Rows are fed to zlib a band at a time, each after its filter byte: no copy of the
    # whole canvas is made. Two 2 MB buffers per card (the canvas's bytes, then the rows
    # with their filter bytes) were handed back to the system and page-faulted in again
    # on the next card, which cost up to as much as compressing (bench/share_images.py).
    compressor = zlib.compressobj(1)
    compressed = []
    for top in range(0, height, _BAND):
        bottom = min(top + _BAND, height)
        band = memoryview(canvas.crop((0, top, width, bottom)).tobytes())
        for row in range(bottom - top):
            compressed.append(compressor.compress(b"\x00"))  # filter type 0 (None)
            compressed.append(compressor.compress(band[row * stride : (row + 1) * stride]))
    compressed.append(compressor.flush())

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(data, zlib.crc32(kind))
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit truecolour
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", header),
            chunk(b"IDAT", b"".join(compressed)),
            chunk(b"IEND", b""),
        )
    )
