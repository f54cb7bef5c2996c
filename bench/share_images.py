"""Share-card figures: milliseconds per card, 13 logos, Latin, Arabic and Devanagari.

    .venv/bin/python bench/share_images.py [--repeat 15]

Every measurement of a script is taken interleaved in one loop (cold, warm, encoder
floor, CairoSVG, cold, warm, …), so machine load hits them alike; the ratios are
of medians. "cold" clears the font and layout caches before each card (a fresh
worker process); "warm" keeps them; "encode" saves the finished canvas of the same
card alone, in the format it is stored in (the floor a card cannot go under);
"cache hit" is a republish whose inputs did not change (hash only,
nothing drawn). The alternative is the same card as an SVG document rasterized
by CairoSVG — the second half of an HTML-to-SVG-to-PNG pipeline, so the ratio
understates what a browser-based pipeline would cost.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from _setup import load_demo, median_ms, setup_django

setup_django()

from PIL import Image  # noqa: E402

from publishing.share_images import card as card_module  # noqa: E402
from publishing.share_images import fonts, layout  # noqa: E402
from publishing.share_images.card import VARIANTS, CardContent, render_card  # noqa: E402

TITLES = {
    "Latin": ("en", "ltr", "Speak up for private messaging in Russia, and everywhere else"),
    "Arabic": ("ar", "rtl", "دافعوا عن المراسلة الخاصة في روسيا وفي كل مكان آخر"),
    "Devanagari": ("hi", "ltr", "रूस में और हर जगह निजी संदेश सेवा के पक्ष में आवाज़ उठाएँ"),
}
COLOURS = ["#c1121f", "#0a3161", "#2a9d8f", "#6a4c93", "#457b9d", "#e76f51", "#8d6e63"]


def logos() -> tuple[Image.Image, ...]:
    return tuple(Image.new("RGB", (128, 128), COLOURS[i % len(COLOURS)]) for i in range(13))


def content(key: str) -> CardContent:
    language, direction, title = TITLES[key]
    return CardContent(
        title=title,
        kicker="Open letter · 3 May 2018",
        signatures="Signed by 13 organizations",
        brand="Broadside demo",
        language=language,
        direction=direction,
        logos=logos(),
        more_logos="+5",
    )


def clear_caches() -> None:
    fonts.truetype.cache_clear()
    fonts.coverage.cache_clear()
    fonts._families.cache_clear()
    layout._laid_out.cache_clear()
    layout._levels.cache_clear()
    layout._length.cache_clear()
    card_module._TILES.clear()


def finished_canvas(card: CardContent, variant) -> Image.Image:
    """The canvas render_card encodes, captured at the encoder."""
    captured = []
    encode = card_module._encode

    def capture(canvas, variant):
        captured.append(canvas.copy())
        return encode(canvas, variant)

    card_module._encode = capture
    try:
        render_card(card, variant)
    finally:
        card_module._encode = encode
    return captured[0]


def interleaved(functions: dict, repeat: int) -> dict[str, tuple[float, float]]:
    """{name: (median ms, minimum ms)}, timing the functions in turn `repeat` times."""
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeat):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: (statistics.median(t), min(t)) for name, t in times.items()}


def svg_card(card: CardContent) -> str:
    anchor = "end" if card.direction == "rtl" else "start"
    x = 1136 if card.direction == "rtl" else 64
    tiles = []
    for index, logo in enumerate(card.logos[:8]):
        buffer = io.BytesIO()
        logo.save(buffer, format="PNG")
        data = base64.b64encode(buffer.getvalue()).decode()
        left = 1064 - index * 86 if card.direction == "rtl" else 64 + index * 86
        href = f"data:image/png;base64,{data}"
        tiles.append(f'<image x="{left}" y="430" width="72" height="72" href="{href}"/>')
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630">
<rect width="1200" height="630" fill="#1b1b1f"/>
<text x="{x}" y="100" font-family="Noto Sans" font-size="28" fill="#e4572e" text-anchor="{anchor}"
 direction="{card.direction}">{html.escape(card.kicker)}</text>
<text x="{x}" y="220" font-family="Noto Sans" font-weight="bold" font-size="64" fill="#fbfaf7"
 text-anchor="{anchor}" direction="{card.direction}">{html.escape(card.title)}</text>
<text x="{x}" y="400" font-family="Noto Sans" font-size="28" fill="#fbfaf7" text-anchor="{anchor}"
 direction="{card.direction}">{html.escape(card.signatures)}</text>
{"".join(tiles)}
</svg>"""


def html_card(card: CardContent) -> str:
    return f"""<!doctype html><html lang="{card.language}" dir="{card.direction}"><body
 style="margin:0;width:1200px;height:630px;background:#1b1b1f;color:#fbfaf7;
 font-family:'Noto Sans'">
<div style="padding:64px"><p style="color:#e4572e;font-size:28px">{html.escape(card.kicker)}</p>
<h1 style="font-size:64px;margin:0">{html.escape(card.title)}</h1>
<p style="font-size:28px">{html.escape(card.signatures)}</p></div></body></html>"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    try:
        import cairosvg
    except (ImportError, OSError) as error:
        cairosvg = None
        print(f"(CairoSVG unavailable: {error})")

    variant = VARIANTS["og"]
    print(
        f"Open Graph card 1200×630 ({variant.format}), 13 logos; median / minimum of {args.repeat},"
    )
    print("interleaved. Absolute times depend on machine load; read the ratios (of medians).")
    header = f"{'script':11} {'cold':>11} {'warm':>11} {'encode':>11} {'CairoSVG':>11}"
    print(f"{header} {'warm/enc':>8} {'SVG/warm':>8} {'cold/warm':>9}")
    warm_ms = 0.0
    for key in TITLES:
        card = content(key)
        render_card(card, variant)
        canvas = finished_canvas(card, variant)
        functions = {
            "cold": lambda card=card: (clear_caches(), render_card(card, variant)),
            "warm": lambda card=card: render_card(card, variant),
            "encode": lambda canvas=canvas: card_module._encode(canvas, variant),
        }
        if cairosvg is not None:
            document = svg_card(card).encode()
            functions["svg"] = lambda d=document: cairosvg.svg2png(bytestring=d)
        result = interleaved(functions, args.repeat)
        warm_ms = result["warm"][0]
        cells = " ".join(
            f"{result[n][0]:>5.1f}/{result[n][1]:<5.1f}" if n in result else f"{'—':>11}"
            for n in ("cold", "warm", "encode", "svg")
        )
        svg_ratio = f"{result['svg'][0] / warm_ms:>7.2f}x" if "svg" in result else f"{'—':>8}"
        print(
            f"{key:11} {cells} {warm_ms / result['encode'][0]:>7.2f}x {svg_ratio}"
            f" {result['cold'][0] / warm_ms:>8.2f}x"
        )

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser:
        card = content("Arabic")
        with tempfile.TemporaryDirectory() as folder:
            page = Path(folder) / "card.html"
            page.write_text(html_card(card), encoding="utf-8")
            command = [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--disable-background-networking",
                "--disable-component-update",
                f"--user-data-dir={folder}/profile",
                "--window-size=1200,630",
                f"--screenshot={folder}/card.png",
                page.as_uri(),
            ]
            runs = max(3, args.repeat // 5)
            shot_ms = median_ms(
                lambda: subprocess.run(command, capture_output=True, check=True), runs
            )
        print(
            f"HTML card screenshotted by headless Chromium (a process per card, median of {runs}):"
            f" {shot_ms:.0f} ms, {shot_ms / warm_ms:.0f}x the Pillow card"
        )

    load_demo()
    from home.models import LetterPage
    from publishing.share_images.service import render_share_images

    letter = LetterPage.objects.get(slug="private-messaging-russia", locale__language_code="ar")
    render_share_images(letter)
    hit_ms = median_ms(lambda: render_share_images(letter), args.repeat)
    print(f"cache hit (republish, unchanged inputs, 4 variants checked): {hit_ms:.1f} ms")


if __name__ == "__main__":
    main()
