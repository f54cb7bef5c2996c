"""Share-card figures: milliseconds per card, 13 logos, Latin, Arabic and Devanagari.

    .venv/bin/python bench/share_images.py [--repeat 15]

Every measurement of a script is taken interleaved in one loop (cold, warmed up,
warm, new title, encoder floor, CairoSVG, cold, …), so machine load hits them
alike; ratios are given of medians and of minima. Times are the process's CPU
time (`time.process_time`), not wall time: on a shared machine the wall clock
also counts the time other processes held the core. The columns:
- "cold": the first card of a worker process: every font, coverage, layout, mask
  and logo-tile cache emptied before it, untimed (`warm.forget()`: a process that
  has drawn nothing yet, and has nothing to free; imports and Django set-up, paid
  once per process, are not counted, nor is decoding the logo files, which happens
  before drawing: the logos come as `content._decoded_logo` hands them over, RGBA at
  `logos.THUMBNAIL` px).
- "warmed up": the same, in a worker that ran `warm.warm_up()` when it started
  (fonts opened, character maps read, ICU started; untimed here: tens of ms once
  per process), as `regenerate_share_images` does before it forks.
- "new title": a warm worker drawing a letter whose title it has never drawn: fonts,
  the brand, kicker, signature line and logos were met before (the other cards of
  a site), every title line is laid out and rasterized afresh: each repetition
  draws a different title (the words rotated, a number in front), and before it
  every kept mask but those of the recurring runs is forgotten (untimed).
- "warm": the same card drawn again by a warm worker (the issue's definition: the
  Bluesky card after the Open Graph one reuses the same title lines).
- "encode": saving the finished canvas of the same card alone, in the format it is
  stored in: the floor a card cannot go under.
"cache hit" is a republish whose inputs did not change (hash only, nothing drawn).
The alternative is the same card as an SVG document rasterized by CairoSVG — the
second half of an HTML-to-SVG-to-PNG pipeline, so the ratio understates what a
browser-based pipeline would cost.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
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
from publishing.share_images import raster, warm  # noqa: E402
from publishing.share_images.card import VARIANTS, CardContent, render_card  # noqa: E402
from publishing.share_images.logos import THUMBNAIL  # noqa: E402

TITLES = {
    "Latin": ("en", "ltr", "Speak up for private messaging in Russia, and everywhere else"),
    "Arabic": ("ar", "rtl", "دافعوا عن المراسلة الخاصة في روسيا وفي كل مكان آخر"),
    "Devanagari": ("hi", "ltr", "रूस में और हर जगह निजी संदेश सेवा के पक्ष में आवाज़ उठाएँ"),
}
COLOURS = ["#c1121f", "#0a3161", "#2a9d8f", "#6a4c93", "#457b9d", "#e76f51", "#8d6e63"]


def logos() -> tuple[Image.Image, ...]:
    """13 logos as `content._decoded_logo` hands them to a card (RGBA, `THUMBNAIL` px)."""
    side = THUMBNAIL
    return tuple(Image.new("RGBA", (side, side), COLOURS[i % len(COLOURS)]) for i in range(13))


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
    """The state of a worker process that has drawn no card yet (`warm.forget`)."""
    warm.forget()


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
    """{name: (median ms, minimum ms)} of CPU time, timing the functions in turn `repeat` times.

    A function given as (prepare, call) has `prepare` run untimed before each call.
    """
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeat):
        for name, function in functions.items():
            if isinstance(function, tuple):  # (untimed preparation, timed call)
                function[0]()
                function = function[1]
            start = time.process_time()
            function()
            times[name].append((time.process_time() - start) * 1000)
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


def new_titles(card: CardContent, count: int):
    """`count` cards of `card` with titles never drawn before: words rotated, a number first."""
    words = card.title.split(" ")
    for index in range(count):
        shift = index % len(words)
        title = " ".join([str(1000 + index), *words[shift:], *words[:shift]])
        yield dataclasses.replace(card, title=title)


def ratio(numerator: tuple[float, float], denominator: tuple[float, float]) -> str:
    """ "median-ratio/minimum-ratio" of two (median, minimum) timings."""
    return f"{numerator[0] / denominator[0]:.2f}/{numerator[1] / denominator[1]:.2f}"


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
        f"Open Graph card 1200×630 ({variant.format}), 13 logos; ms, median/minimum of"
        f" {args.repeat}, interleaved (module docstring: what each column is)."
    )
    names = ("cold", "started", "new", "warm", "encode", "svg")
    headings = ("cold", "warmed up", "new title", "warm", "encode", "CairoSVG")
    print(f"{'script':11} " + " ".join(f"{h:>11}" for h in headings))
    ratios = []
    for key in TITLES:
        card = content(key)
        render_card(card, variant)
        canvas = finished_canvas(card, variant)
        fresh = new_titles(card, args.repeat)
        recurring = {card.kicker, card.signatures, card.brand, card.more_logos}

        def forget_titles(recurring=recurring):
            """Only runs of the texts that recur on the site's cards stay rasterized."""
            titles = [key for key in raster._MASKS if not any(key[2] in r for r in recurring)]
            for key in titles:
                raster._pixels -= raster._MASKS[key][0].size[0] * raster._MASKS[key][0].size[1]
                del raster._MASKS[key]

        functions = {
            # A new process has nothing to free: forgetting the last round's fonts (the
            # 152 `warm_up` opened, ~1.3 ms) is not part of its first card.
            "cold": (clear_caches, lambda card=card: render_card(card, variant)),
            "started": (
                lambda: (clear_caches(), warm.warm_up()),
                lambda card=card: render_card(card, variant),
            ),
            # Right after "warmed up" drew this very card: every cache holds it.
            "warm": lambda card=card: render_card(card, variant),
            "new": (forget_titles, lambda fresh=fresh: render_card(next(fresh), variant)),
            "encode": lambda canvas=canvas: card_module._encode(canvas, variant),
        }
        if cairosvg is not None:
            document = svg_card(card).encode()
            functions["svg"] = lambda d=document: cairosvg.svg2png(bytestring=d)
        result = interleaved(functions, args.repeat)
        cells = " ".join(
            f"{result[n][0]:>5.1f}/{result[n][1]:<5.1f}" if n in result else f"{'—':>11}"
            for n in names
        )
        print(f"{key:11} {cells}")
        ratios.append((key, result))
    goals = (
        ("warm/encode", "warm", "encode", "≤ 1.5"),
        ("new title/encode", "new", "encode", "≤ 1.5"),
        ("CairoSVG/warm", "svg", "warm", "≥ 2"),
        ("CairoSVG/new title", "svg", "new", "≥ 2"),
        ("cold/warm", "cold", "warm", "≤ 1.5"),
        ("cold/new title", "cold", "new", "≤ 1.5"),
        ("warmed up/new title", "started", "new", "≤ 1.5"),
    )
    print("Ratios, of medians/of minima (goal):")
    print(f"{'script':11} " + " ".join(f"{label:>18}" for label, *_ in goals))
    print(f"{'(goal)':11} " + " ".join(f"{goal:>18}" for *_, goal in goals))
    for key, result in ratios:
        cells = " ".join(
            f"{ratio(result[a], result[b]):>18}" if a in result and b in result else f"{'—':>18}"
            for _label, a, b, _goal in goals
        )
        print(f"{key:11} {cells}")
    warm_ms = ratios[-1][1]["warm"][0]

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

    from django.core.management import call_command

    print("regenerate_share_images --force over the demo (every card drawn again):")
    for processes in (1, 2):
        clear_caches()  # workers start from what warm_up gives them, not this script's caches
        out = io.StringIO()
        call_command(
            "regenerate_share_images", "--force", "--processes", str(processes), stdout=out
        )
        print("  " + " ".join(out.getvalue().split("\n")[-2:]).strip())


if __name__ == "__main__":
    main()
