"""Text layout for share cards: runs by font coverage, bidi order of runs, wrapping, fitting.

Pillow has no font fallback, so a line is drawn in runs, each with one face.
The whole line is resolved with the complete Unicode Bidirectional Algorithm
(UAX #9, ICU's implementation: explicit and weak types, paired brackets BD16/N0,
neutrals, numbers, trailing white space L1) at the card language's paragraph
level. Runs are then cut wherever the face or the resolved level changes, put in
visual order with rule L2, and each is shaped by raqm (HarfBuzz) in the
direction of its level; HarfBuzz mirrors brackets in right-to-left runs. Text is
never reshaped here: no arabic_reshaper or python-bidi display strings on top of
raqm (double shaping corrupts text).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import icu
import regex

from .fonts import Face, is_ignorable, truetype

ELLIPSIS = "…"
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_WHITESPACE = regex.compile(r"\s+")
_GRAPHEME = regex.compile(r"\X")


def graphemes(text: str) -> list[str]:
    """Extended grapheme clusters (UAX #29) of `text`, in order."""
    return _GRAPHEME.findall(text)


def clean(text: str) -> str:
    """One line of plain text: bidi embedding controls removed, white space folded."""
    text = unicodedata.normalize("NFC", text.translate(_BIDI_CONTROLS))
    return _WHITESPACE.sub(" ", text).strip()


@lru_cache(maxsize=65536)
def strength(grapheme: str) -> str:
    """'rtl', 'ltr' or '' (neutral) for a grapheme, from its first strong character."""
    for char in grapheme:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind in ("L", "EN", "AN"):
            return "ltr"
    return ""


@dataclass
class Run:
    text: str
    face: Face
    direction: str = ""  # resolved: "ltr" or "rtl"
    level: int = 0


@dataclass
class Line:
    runs: list[Run] = field(default_factory=list)  # in visual order, left to right
    width: float = 0.0


def split_runs(text: str, faces: list[Face]) -> tuple[list[Run], list[str]]:
    """Runs of consecutive graphemes drawn with one face; graphemes no face covers are dropped.

    A face is kept as long as it covers what follows, so punctuation and spaces
    stay in the run of the script around them (shaping and bidi need that).
    Returns the runs (logical order) and the dropped graphemes.
    """
    items = graphemes(text)
    fallback = tuple(faces)
    chosen: list[Face | None] = [None] * len(items)
    dropped = []
    current = None
    # Strong characters first: they decide the face.
    for index, grapheme in enumerate(items):
        if not strength(grapheme):
            continue
        if current is None or not current.covers(grapheme):
            first = _first_face(fallback, grapheme)
            if first is None:
                continue
            current = first
        chosen[index] = current
    # Neutrals join the run before them, else the one after, else any face that draws them.
    for index, grapheme in enumerate(items):
        if chosen[index] is not None:
            continue
        first = _first_face(fallback, grapheme)
        if first is None:
            if not all(is_ignorable(c) for c in grapheme):
                dropped.append(grapheme)
            continue
        before = next((chosen[i] for i in range(index - 1, -1, -1) if chosen[i]), None)
        after = next((chosen[i] for i in range(index + 1, len(items)) if chosen[i]), None)
        for option in (before, after):
            if option is not None and option.covers(grapheme):
                chosen[index] = option
                break
        else:
            chosen[index] = first
    runs: list[Run] = []
    for grapheme, face in zip(items, chosen, strict=True):
        if face is None:
            continue
        if runs and runs[-1].face is face:
            runs[-1].text += grapheme
        else:
            runs.append(Run(grapheme, face))
    return _detach_edge_spaces(runs), dropped


@lru_cache(maxsize=65536)
def _first_face(faces: tuple[Face, ...], grapheme: str) -> Face | None:
    """The first face in fallback order that draws `grapheme`, None if none does.

    Faces after it are not asked, so a worker reads the character maps of only the
    faces its titles reach (an Arabic title: Noto Sans, then Noto Sans Arabic).
    """
    return next((face for face in faces if face.covers(grapheme)), None)


def _detach_edge_spaces(runs: list[Run]) -> list[Run]:
    """Spaces at the edges of a run become runs of their own.

    They are neutral, so their direction comes from both neighbours (UBA N1/N2):
    a space between an English name and Arabic text in an Arabic title then sits
    between them, not at the far end of the name.
    """
    result = []
    for run in runs:
        core = run.text.strip(" ")
        if not core or core == run.text:
            result.append(run)
            continue
        leading = run.text[: len(run.text) - len(run.text.lstrip(" "))]
        trailing = run.text[len(run.text.rstrip(" ")) :]
        if leading:
            result.append(Run(leading, run.face))
        result.append(Run(core, run.face))
        if trailing:
            result.append(Run(trailing, run.face))
    return result


def paragraph_direction(text: str, language_direction: str) -> str:
    return language_direction or next((s for s in map(strength, graphemes(text)) if s), "ltr")


def bidi_levels(text: str, base: str) -> tuple[int, ...]:
    """The resolved UAX #9 embedding level of each code point of one line of `text`.

    `base` ("ltr" or "rtl") is the paragraph direction (rule P3 is not used: the
    card's language decides). Levels are those after rule L1 (trailing white space
    takes the paragraph level), from ICU's conformant implementation of the
    algorithm. Even levels are left to right, odd ones right to left.
    """
    return _levels(text, 1 if base == "rtl" else 0)


@lru_cache(maxsize=4096)
def _levels(text: str, paragraph_level: int) -> tuple[int, ...]:
    if not text:
        return ()
    if text.isascii() and paragraph_level == 0:
        # Only left-to-right letters and neutrals, in a left-to-right paragraph.
        return (0,) * len(text)
    utf16 = icu.UnicodeString(text)
    bidi = icu.Bidi()
    bidi.setPara(utf16, paragraph_level)
    levels = bidi.getLevels()
    if len(levels) == len(text):
        return tuple(levels)
    # Characters outside the BMP take two UTF-16 code units: keep the first one's level.
    result, unit = [], 0
    for char in text:
        result.append(levels[unit])
        unit += 2 if ord(char) > 0xFFFF else 1
    return tuple(result)


def order_runs(runs: list[Run], base: str) -> list[Run]:
    """Runs of one line (logical order) cut at level changes, in visual order (UAX #9 L2).

    Each run comes back with its resolved `level` and the `direction` raqm must
    shape it in (a run of one level is updated in place, others are cut into
    new runs). Returns the runs left to right.
    """
    levels = bidi_levels("".join(run.text for run in runs), base)
    pieces: list[Run] = []
    offset = 0
    for run in runs:
        cut: list[Run] = []
        # Cut only between graphemes: a mark keeps the level of its base (rule W1).
        for grapheme in graphemes(run.text):
            level = levels[offset]
            offset += len(grapheme)
            if cut and cut[-1].level == level:
                cut[-1].text += grapheme
            else:
                cut.append(Run(grapheme, run.face, "rtl" if level % 2 else "ltr", level))
        if len(cut) == 1:
            run.level, run.direction = cut[0].level, cut[0].direction
            cut = [run]
        pieces.extend(cut)
    return _reorder(pieces)


def _reorder(ordered: list[Run]) -> list[Run]:
    """Rule L2: from the highest level to the lowest odd one, reverse sequences at or above it."""
    highest = max((run.level for run in ordered), default=0)
    lowest_odd = min((run.level for run in ordered if run.level % 2), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):
        index = 0
        while index < len(ordered):
            if ordered[index].level >= level:
                end = index
                while end < len(ordered) and ordered[end].level >= level:
                    end += 1
                ordered[index:end] = reversed(ordered[index:end])
                index = end
            else:
                index += 1
    return ordered


@lru_cache(maxsize=8192)
def _laid_out(
    text: str, faces: tuple[Face, ...], base: str
) -> tuple[tuple[tuple[str, Face, str, int], ...], tuple[str, ...]]:
    """A line's runs in visual order as (text, face, direction, level), and dropped graphemes.

    Depends only on the text, the faces and the paragraph direction, not on the size,
    so fitting a title at each size splits and orders each candidate line once.
    """
    runs, dropped = split_runs(text, list(faces))
    merged: list[Run] = []
    for run in order_runs(runs, base):
        # Neighbours of one face and level were neighbours in logical order too: one
        # raqm call draws both (right to left, the logical order is the reverse).
        last = merged[-1] if merged else None
        if last is not None and last.face is run.face and last.level == run.level:
            last.text = last.text + run.text if last.direction == "ltr" else run.text + last.text
        else:
            merged.append(Run(run.text, run.face, run.direction, run.level))
    return tuple((r.text, r.face, r.direction, r.level) for r in merged), tuple(dropped)


@lru_cache(maxsize=16384)
def _length(path: str, size: int, text: str, direction: str, language: str) -> float:
    return truetype(path, size).getlength(text, direction=direction, language=language)


class TextStyle:
    """Measures and lays out text in one size and weight with a face fallback list."""

    def __init__(self, faces: list[Face], size: int, bold: bool, language: str, base: str):
        self.faces, self.size, self.bold, self.language, self.base = (
            faces,
            size,
            bold,
            language,
            base,
        )
        self.dropped: list[str] = []

    def font(self, face: Face):
        return truetype(face.path(self.bold), self.size)

    def line(self, text: str) -> Line:
        pieces, dropped = _laid_out(text, tuple(self.faces), self.base)
        self.dropped.extend(dropped)
        ordered = [Run(*piece) for piece in pieces]
        width = sum(self.run_width(run) for run in ordered)
        return Line(ordered, width)

    def shape(self, run: Run) -> tuple[str, int, str, str]:
        """(font file, size in px, direction, language): how raqm draws `run` in this style."""
        return run.face.path(self.bold), self.size, run.direction, self.language

    def run_width(self, run: Run) -> float:
        return _length(run.face.path(self.bold), self.size, run.text, run.direction, self.language)

    def width(self, text: str) -> float:
        return self.line(text).width

    @property
    def line_height(self) -> int:
        return round(self.size * 1.32)


def wrap(
    text: str,
    style: TextStyle,
    max_width: float,
    max_lines: int,
    measured: dict[str, tuple[int, float]] | None = None,
) -> tuple[list[str], bool]:
    """Break `text` into at most `max_lines` lines at spaces. Returns (lines, fits).

    Words are never split unless a single word is wider than a whole line, and
    then only between graphemes. Stops early once there are too many lines.
    Each candidate line measured is recorded in `measured` ({text: (size, width px)}).
    """

    def width(candidate: str) -> float:
        found = style.width(candidate)
        if measured is not None:
            measured[candidate] = (style.size, found)
        return found

    words = text.split(" ") if text else []
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if width(candidate) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
            if len(lines) >= max_lines:
                return lines, False
        if width(word) <= max_width:
            current = word
            continue
        pieces = _split_long_word(word, style, max_width, max_lines - len(lines) + 1)
        lines.extend(pieces[:-1])
        if len(lines) >= max_lines:
            return lines[:max_lines], False
        current = pieces[-1]
    if current:
        lines.append(current)
    return lines[:max_lines], len(lines) <= max_lines


def _split_long_word(word: str, style: TextStyle, max_width: float, limit: int) -> list[str]:
    """Split a word wider than a line between graphemes, into at most `limit` + 1 pieces.

    Each piece is the longest prefix that fits, found by bisection (widths grow
    with length), so a 2,000-character word costs a few dozen measurements.
    """
    items = graphemes(word)
    pieces = []
    while items and len(pieces) <= limit:
        low, high = 1, len(items)
        while low < high:
            middle = (low + high + 1) // 2
            if style.width("".join(items[:middle])) <= max_width:
                low = middle
            else:
                high = middle - 1
        pieces.append("".join(items[:low]))
        items = items[low:]
    return pieces or [""]


def truncate(line: str, style: TextStyle, max_width: float) -> str:
    """End `line` with an ellipsis, dropping whole words (or, in one long word, graphemes)."""
    text = line
    while text:
        if style.width(text + ELLIPSIS) <= max_width:
            return text + ELLIPSIS
        if " " in text:
            text = text[: text.rfind(" ")].rstrip()
        else:
            text = "".join(graphemes(text)[:-1])
    return ELLIPSIS


def fit(
    text: str,
    make_style,
    sizes: range,
    max_width: float,
    max_lines: int,
) -> tuple[TextStyle, list[str]]:
    """The largest size at which `text` fits in `max_lines`; else the smallest, truncated."""
    style = None
    lines: list[str] = []
    for size in sizes:
        style = make_style(size)
        lines, fits = wrap(text, style, max_width, max_lines)
        if fits:
            return style, lines
    if lines:
        lines[-1] = truncate(lines[-1], style, max_width)
    return style, lines


# How far a line's width at one size can be from its width at another scaled by the ratio
# of sizes, per character: HarfBuzz rounds each advance and adjustment to 1/64 px at each
# size (a glyph has at most a few of them). tests/test_card_layout.py checks it on titles.
_ROUNDING_PER_CHARACTER = 0.05  # px (seen: at most 0.033 on the Noto faces, sizes 24-102)


def fit_block(
    text: str,
    make_style,
    sizes: range,
    max_width: float,
    max_lines: int,
    height: int,
) -> tuple[TextStyle, list[str]]:
    """The title block: the largest of `sizes` at which `text` wraps into at most
    `max_lines` lines of `max_width` px that stack within `height` px; else the smallest
    size, wrapped into `max_lines` lines (taller than `height`) or cut with an ellipsis.

    `make_style(size)` gives the TextStyle of a size; `sizes` runs from large to small.
    Returns the style and the lines. The answer is the one trying every size in turn
    gives (tested), found with fewer measurements: a size is skipped without measuring
    when the widths measured at a larger one, scaled down and less their rounding, already
    need more lines than it allows (a line never gets narrower by holding more words).
    """
    measured: dict[str, tuple[int, float]] = {}
    words = text.split(" ") if text else []
    for size in sizes:
        style = make_style(size)
        allowed = max(0, min(max_lines, height // style.line_height))
        if _surely_too_long(words, style, max_width, allowed, measured):
            continue
        lines, fits = wrap(text, style, max_width, allowed, measured)
        if fits:
            return style, lines
    style = make_style(sizes[-1])
    lines, fits = wrap(text, style, max_width, max_lines)
    if not fits and lines:
        lines[-1] = truncate(lines[-1], style, max_width)
    return style, lines


def _surely_too_long(
    words: list[str],
    style: TextStyle,
    max_width: float,
    allowed: int,
    measured: dict[str, tuple[int, float]],
) -> bool:
    """True if `words` cannot wrap into `allowed` lines in `style`, judged from widths
    measured at another size only; False when unsure (a line never measured, a word
    wider than a line): `wrap` then measures.

    Replays `wrap` with each line at the least width it can have at this size, so its
    lines end no earlier than the real ones: needing more lines proves the real wrap does.
    """

    def least(candidate: str) -> float | None:
        found = measured.get(candidate)
        if found is None:
            return None
        size, width = found
        ratio = style.size / size
        return width * ratio - _ROUNDING_PER_CHARACTER * len(candidate) * (1 + ratio) - 1

    lines, current = 0, ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        width = least(candidate)
        if width is None:
            return False
        if width <= max_width:
            current = candidate
            continue
        if current:
            lines += 1
            if lines >= allowed:
                return True
        width = least(word)
        if width is None or width > max_width:
            return False
        current = word
    return False
