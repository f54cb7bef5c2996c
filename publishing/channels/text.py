"""How networks measure text: grapheme clusters, links, hashtags, mentions, UTF-8 sizes.

The contract's half of text rules: `TextRules` (what a channel's `text_rules()` returns) and
the span finders channels use for facets and counting. Each network's own counting lives
in its channel file (x.py, mastodon.py, bluesky.py). Pure Python, no database.
"""

from __future__ import annotations

import regex
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

GRAPHEME = regex.compile(r"\X")
_URL = regex.compile(r"https?://[^\s<>\"]+", regex.IGNORECASE)
_URL_TRAILING = ".,;:!?'\"\u2026\u2019\u201d\u00bb\u203a"
_CLOSERS = {")": "(", "]": "[", "}": "{"}
TAG_CHARS = r"\p{L}\p{M}\p{Nd}\u200c\u200d"
_HASHTAG = regex.compile(rf"(?<![\w&/#@])#([{TAG_CHARS}_]+)")
_NAME = r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?"
_MENTION = regex.compile(
    rf"(?<![\w@/.#])@({_NAME}(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)(?![\w@-])"
)


def grapheme_count(text: str) -> int:
    """Grapheme clusters (UAX #29 extended, as `regex`'s \\X): what a reader calls characters."""
    return len(GRAPHEME.findall(text))


def _overlaps(start: int, end: int, spans: list[tuple[int, int, str]]) -> bool:
    return any(start < span_end and span_start < end for span_start, span_end, _url in spans)


def link_spans(text: str) -> list[tuple[int, int, str]]:
    """http(s) URLs as (start, end, url) in code point offsets, for link facets and counting.

    Trailing punctuation (and an unbalanced closing bracket) belongs to the sentence, not the
    URL, as on every network: "see https://x.org/a." links to "https://x.org/a".
    """
    spans = []
    for match in _URL.finditer(text):
        url = match.group()
        while url and (
            url[-1] in _URL_TRAILING
            or (url[-1] in _CLOSERS and url.count(url[-1]) > url.count(_CLOSERS[url[-1]]))
        ):
            url = url[:-1]
        if len(url) > url.index("://") + 3:
            spans.append((match.start(), match.start() + len(url), url))
    return spans


def _token_spans(pattern: regex.Pattern, text: str) -> list[tuple[int, int, str]]:
    links = link_spans(text)
    return [
        (match.start(), match.end(), match.group(1))
        for match in pattern.finditer(text)
        if not _overlaps(*match.span(), links)
    ]


def hashtag_spans(text: str) -> list[tuple[int, int, str]]:
    """Hashtags as (start, end, tag without '#'); numbers alone ("#1") are not hashtags, and
    neither is a URL's "#fragment"."""
    return [span for span in _token_spans(_HASHTAG, text) if not span[2].isdigit()]


def mention_spans(text: str) -> list[tuple[int, int, str]]:
    """Mentions as (start, end, handle without the first '@'): "@aclu", "@name.bsky.social",
    "@user@domain". E-mail addresses and the "@user" inside a profile URL are not mentions."""
    return _token_spans(_MENTION, text)


def utf8_offsets(text: str, start: int, end: int) -> tuple[int, int]:
    """Code point offsets -> UTF-8 byte offsets: Bluesky facets index the encoded bytes."""
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"Invalid span ({start}, {end}) for a text of length {len(text)}")
    byte_start = len(text[:start].encode("utf-8", "surrogatepass"))
    return byte_start, byte_start + len(text[start:end].encode("utf-8", "surrogatepass"))


class TextRules:
    """How a network measures a post. The base counts grapheme clusters, which is what readers
    (and most networks) mean by "characters"; limit None means no limit."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit

    def __repr__(self) -> str:
        return f"{type(self).__name__}({vars(self)})"

    def length(self, text: str) -> int:
        """Length as the network counts it."""
        return grapheme_count(text)

    def fits(self, text: str) -> bool:
        """Whether the network would accept the text."""
        return self.limit is None or self.length(text) <= self.limit

    def allows_hashtag(self, tag: str) -> bool:
        """Whether the network accepts this hashtag ("#Name") as a tag; others are dropped
        from {hashtags}. Any tag by default."""
        return True

    def describe(self, text: str) -> str:
        """The editor's counter, e.g. "287 / 280"."""
        length = self.length(text)
        if self.limit is None:
            return ngettext("%(n)s character", "%(n)s characters", length) % {"n": length}
        return _("%(length)s / %(limit)s") % {"length": length, "limit": self.limit}


class PlainTextRules(TextRules):
    """Graphemes, with no limit unless one is given (e-mail, a preview, a generic network)."""


def utf8_size(text: str) -> int:
    """Size in bytes, UTF-8 encoded (lone surrogates counted as their 3 bytes)."""
    return len(text.encode("utf-8", "surrogatepass"))
