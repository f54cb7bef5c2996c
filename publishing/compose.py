"""Compose the text of a social-media post from a template, trimmed to each network's rules.

Pure Python on purpose: the editor's live counter, the preview and the publishing task must all
agree on the same text, so none of this may depend on the database or a network call.
Everything that cuts text works on grapheme clusters (what a reader sees as one character), so
an emoji family, a Devanagari conjunct or a letter with its accent is never split.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from itertools import groupby
from operator import itemgetter

import regex
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from twitter_text import parse_tweet
from twitter_text.config import config as twitter_text_config
from twitter_text.has_invalid_characters import has_invalid_characters

from publishing.text import separate_words

PLACEHOLDERS: tuple[str, ...] = (
    *("title", "standfirst", "url", "signatories", "signatory_count", "hashtags", "mentions"),
)
DEFAULT_TEMPLATE = "{title}\n\n{standfirst}\n\n{url}\n\n{mentions} {hashtags}"
ELLIPSIS = "\u2026"

_GRAPHEME = regex.compile(r"\X")
_URL = regex.compile(r"https?://[^\s<>\"]+", regex.IGNORECASE)
_URL_TRAILING = ".,;:!?'\"\u2026\u2019\u201d\u00bb\u203a"
_CLOSERS = {")": "(", "]": "[", "}": "{"}
_TAG_CHARS = r"\p{L}\p{M}\p{Nd}\u200c\u200d"
_HASHTAG = regex.compile(rf"(?<![\w&/#@])#([{_TAG_CHARS}_]+)")
_NAME = r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?"
_MENTION = regex.compile(
    rf"(?<![\w@/.#])@({_NAME}(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)(?![\w@-])"
)
_FIELD = regex.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


class CompositionError(ValueError):
    """A post that cannot be composed; the message is shown to the editor."""


class TemplateError(CompositionError):
    """The template has an unknown placeholder or unbalanced braces."""


class PostTooLong(CompositionError):
    """Even shortened as far as allowed, the post exceeds the network's limit."""

    def __init__(self, message: str, length: int, limit: int | None) -> None:
        super().__init__(message)
        self.length = length
        self.limit = limit


def _grapheme_count(text: str) -> int:
    return len(_GRAPHEME.findall(text))


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


def hashtag(name: str) -> str:
    """Topic name -> hashtag: "surveillance tech" -> "#SurveillanceTech".

    Words of cased scripts are joined in CamelCase, which keeps the word boundaries readable;
    scripts without case ("حرية التعبير") have no capitals to show them, so "_" joins them.
    Returns "" when nothing usable is left (only punctuation, or only digits).
    """
    cleaned = unicodedata.normalize("NFC", name).replace("'", "").replace("\u2019", "")
    body = ""
    for word in regex.findall(rf"[{_TAG_CHARS}]+", cleaned):
        first = word[0]
        if first.upper() != first.lower():
            word = first.upper() + word[1:]
            separator = ""
        elif first.isdigit() and body and not body[-1].isdigit():
            separator = ""
        else:
            separator = "_"
        body = body + separator + word if body else word
    tag = "#" + body
    return tag if [(0, len(tag), body)] == hashtag_spans(tag) else ""


class TextRules:
    """How a network measures a post. The base counts grapheme clusters, which is what readers
    (and most networks) mean by "characters"; limit None means no limit."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit

    def __repr__(self) -> str:
        return f"{type(self).__name__}({vars(self)})"

    def length(self, text: str) -> int:
        """Length as the network counts it."""
        return _grapheme_count(text)

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


class XTextRules(TextRules):
    """X's weighted count, by twitter-text 3's own rules (`twitter-text-parser`, MIT, a port
    that passes twitter-text's conformance suite): NFC, every URL 23 whether or not it has a
    scheme ("broadside.org" is a URL), an emoji sequence 2 ("❤️" is 2, a family is 2), code
    points in the light ranges 1 and all others 2. Emoji newer than the library's table are
    counted per code point: too high, never too low. A text with characters X refuses
    (U+FFFE, U+FEFF, U+FFFF) never fits."""

    def __init__(self, limit: int = 280, url_length: int = 23) -> None:
        super().__init__(limit)
        self.url_length = url_length
        self._options = {
            **twitter_text_config["defaults"],
            "max_weighted_tweet_length": limit,
            "transformed_url_length": url_length,
        }

    def length(self, text: str) -> int:
        return parse_tweet(text, self._options).weightedLength

    def fits(self, text: str) -> bool:
        return super().fits(text) and not has_invalid_characters(text)


class MastodonTextRules(TextRules):
    """Mastodon counts graphemes, any http(s) URL as url_length, and a remote mention
    "@user@domain" as "@user": the domain part is free."""

    def __init__(self, limit: int = 500, url_length: int = 23) -> None:
        super().__init__(limit)
        self.url_length = url_length

    def length(self, text: str) -> int:
        replacements = [(s, e, "x" * self.url_length) for s, e, _url in link_spans(text)]
        replacements += [(s, e, "@" + h.split("@")[0]) for s, e, h in mention_spans(text)]
        pieces, position = [], 0
        for start, end, replacement in sorted(replacements):
            pieces += [text[position:start], replacement]
            position = end
        return _grapheme_count("".join(pieces) + text[position:])


# app.bsky.richtext.facet#tag: "tag": {"maxLength": 640, "maxGraphemes": 64} (UTF-8 bytes).
BLUESKY_TAG_GRAPHEMES = 64
BLUESKY_TAG_BYTES = 640


def bluesky_tag_fits(tag: str) -> bool:
    """Whether a tag (without "#") is within app.bsky.richtext.facet#tag's limits."""
    return _grapheme_count(tag) <= BLUESKY_TAG_GRAPHEMES and _utf8_size(tag) <= BLUESKY_TAG_BYTES


class BlueskyTextRules(TextRules):
    """Bluesky counts graphemes (URLs literally: the client shortens only what it displays)
    and also caps the UTF-8 size, which scripts of 3-4 byte characters can reach first
    (app.bsky.feed.post: text maxGraphemes 300, maxLength 3000 bytes). A hashtag longer than
    a tag facet allows is left out: the PDS would refuse the post."""

    def __init__(self, limit: int = 300, max_bytes: int = 3000) -> None:
        super().__init__(limit)
        self.max_bytes = max_bytes

    def allows_hashtag(self, tag: str) -> bool:
        return bluesky_tag_fits(tag.removeprefix("#"))

    def fits(self, text: str) -> bool:
        return super().fits(text) and _utf8_size(text) <= self.max_bytes

    def describe(self, text: str) -> str:
        counter, size = super().describe(text), _utf8_size(text)
        if size <= self.max_bytes:
            return counter
        values = {"counter": counter, "bytes": size, "max_bytes": self.max_bytes}
        return _("%(counter)s (%(bytes)s / %(max_bytes)s bytes)") % values


def _utf8_size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


class PlainTextRules(TextRules):
    """Graphemes, with no limit unless one is given (e-mail, a preview, a generic network)."""


@dataclass(frozen=True)
class PostContext:
    title: str
    standfirst: str
    url: str
    signatories: str = ""
    signatory_count: int = 0
    hashtags: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()


@dataclass(frozen=True)
class ComposedText:
    text: str
    length: int
    limit: int | None
    trimmed: bool


def _parse(template: str) -> tuple[list[str], list[str], list[str]]:
    """Template -> (literals, fields, errors), literals[i] preceding fields[i]. Parsed by hand
    rather than str.format, which would evaluate "{title.__class__}" on the editor's input."""
    literals, fields, errors, buffer, position = [], [], [], [], 0
    for match in _FIELD.finditer(template):
        buffer.append(template[position : match.start()])
        position, token, name = match.end(), match.group(), match.group(1)
        if token in ("{{", "}}"):
            buffer.append(token[0])
        elif name in PLACEHOLDERS:
            literals.append("".join(buffer))
            fields.append(name)
            buffer = []
        elif name is not None:
            available = ", ".join(f"{{{placeholder}}}" for placeholder in PLACEHOLDERS)
            message = _("Unknown placeholder “{%(name)s}”. Available placeholders: %(available)s.")
            errors.append(message % {"name": name, "available": available})
        else:
            message = _(
                "Unbalanced “%(brace)s” at character %(position)s; "
                "write “%(brace)s%(brace)s” for a literal brace."
            )
            errors.append(message % {"brace": token, "position": match.start() + 1})
    literals.append("".join(buffer) + template[position:])
    return literals, fields, errors


def validate_template(template: str) -> list[str]:
    """Messages for the editor, one per problem; [] when the template is usable."""
    return _parse(template)[2]


def _tidy(text: str) -> str:
    """Close the holes empty values leave: blank line runs, double and edge spaces. Works on
    whole grapheme clusters so that a space carrying a combining mark is never torn off."""
    lines = []
    for line in text.split("\n"):
        if line.strip() != line or "  " in line or "\t" in line:
            clusters: list[str] = []
            for cluster in _GRAPHEME.findall(line):
                if cluster.isspace() and (not clusters or clusters[-1].isspace()):
                    continue
                clusters.append(" " if cluster in " \t" else cluster)
            while clusters and clusters[-1].isspace():
                clusters.pop()
            line = "".join(clusters)
        lines.append(line)
    return regex.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def _words(text: str) -> list[tuple[int, int]]:
    """Spans of maximal runs of non-space grapheme clusters."""
    clusters = [(m.start(), m.end(), m.group().isspace()) for m in _GRAPHEME.finditer(text)]
    runs = (list(run) for space, run in groupby(clusters, key=itemgetter(2)) if not space)
    return [(run[0][0], run[-1][1]) for run in runs]


def _is_token(word: str) -> bool:
    """Words that may hold a link, mention or hashtag: dropped whole, never cut or followed by
    "…" (Bluesky would swallow it into a link; a cut handle would mention someone else)."""
    return "@" in word or "#" in word or "://" in word


def _with_ellipsis(stem: str) -> str | None:
    """stem + "…" without trailing punctuation, or None if that leaves nothing or the ellipsis
    would fuse into the stem's last grapheme cluster (after a prepended mark)."""
    stem = stem.rstrip(".,;:\u2013\u2014")
    tail = stem[-8:]
    if not stem or _grapheme_count(tail + ELLIPSIS) != _grapheme_count(tail) + 1:
        return None
    return stem + ELLIPSIS


class _Trimmable:
    """Words across one or more strings, shortened from the end. options[i] = (words kept, cut),
    longest first: cut None keeps the last word as it is, an int keeps that many code points of
    it and adds "…". Whitespace stays, so the layout around removed words survives for _tidy.
    With items=True each string is one word, dropped whole (mentions, hashtags)."""

    def __init__(self, parts: list[str], items: bool = False, cut_word: bool = False) -> None:
        self.parts = parts
        if items:
            self.words = [(i, 0, len(part)) for i, part in enumerate(parts) if part]
        else:
            self.words = [(i, s, e) for i, part in enumerate(parts) for s, e in _words(part)]
        self.options: list[tuple[int, int | None]] = []
        for kept in range(len(self.words) - 1, 0, -1):
            word = self._word(kept - 1)
            if items or _is_token(word):
                self.options.append((kept, None))
            elif _with_ellipsis(word) is not None:
                self.options.append((kept, len(word)))
        if cut_word and self.words and not _is_token(first := self._word(0)):
            ends = [m.end() for m in _GRAPHEME.finditer(first)][:-1]
            self.options += [(1, end) for end in reversed(ends) if _with_ellipsis(first[:end])]
        self.options.append((0, None))

    def _word(self, index: int) -> str:
        part, start, end = self.words[index]
        return self.parts[part][start:end]

    def build(self, option: int) -> list[str]:
        kept, cut = self.options[option]
        pieces: list[list[str]] = [[] for _part in self.parts]
        positions = [0] * len(self.parts)
        for index, (part, start, end) in enumerate(self.words):
            word = self.parts[part][start:end]
            pieces[part].append(self.parts[part][positions[part] : start])
            if index == kept - 1 and cut is not None:
                pieces[part].append(_with_ellipsis(word[:cut]) or "")
            elif index < kept:
                pieces[part].append(word)
            positions[part] = end
        return [
            "".join(p) + part[pos:]
            for p, part, pos in zip(pieces, self.parts, positions, strict=True)
        ]


def compose_text(template: str, context: PostContext, rules: TextRules) -> ComposedText:
    """Fill the template and shorten it until `rules` accept it.

    Shortened in order of what a reader misses least: standfirst, mentions, hashtags, title,
    then the template's own text. The URL is never touched: every post links to its page.
    """
    literals, fields, errors = _parse(template)
    if errors:
        raise TemplateError(" ".join(errors))
    context = replace(context, hashtags=tuple(filter(rules.allows_hashtag, context.hashtags)))
    if "url" not in fields:
        literals, fields = [*literals[:-1], literals[-1] + "\n\n", ""], [*fields, "url"]
    # A vertical tab pasted between two words must not glue them (publishing.text).
    literals = [separate_words(literal) for literal in literals]
    values = {name: separate_words(str(getattr(context, name))) for name in PLACEHOLDERS}
    values |= {"mentions": " ".join(context.mentions), "hashtags": " ".join(context.hashtags)}

    def render(values: dict[str, str], literals: list[str]) -> str:
        pieces = [literal + values[field] for literal, field in zip(literals, fields, strict=False)]
        return _tidy("".join(pieces) + literals[-1])

    def shorten(key: str) -> bool:
        """Shorten one placeholder ("" for the template's text) as little as needed, or as
        far as possible; False when there is nothing to shorten."""
        nonlocal values, literals
        if key and key not in fields:
            return False
        if key in ("mentions", "hashtags"):
            trimmable = _Trimmable(list(getattr(context, key)), items=True)
        else:
            trimmable = _Trimmable([values[key]] if key else literals, cut_word=key == "title")
        if not trimmable.words:
            return False

        def candidate(option: int) -> tuple[dict[str, str], list[str]]:
            parts = trimmable.build(option)
            return ({**values, key: " ".join(parts)}, literals) if key else (values, parts)

        # Options run longest first: binary search for the first that fits, else take the last.
        low, high = 0, len(trimmable.options) - 1
        if rules.fits(render(*candidate(high))):
            while low < high:
                middle = (low + high) // 2
                if rules.fits(render(*candidate(middle))):
                    high = middle
                else:
                    low = middle + 1
        values, literals = candidate(high)
        return True

    trimmed = False
    for key in ("standfirst", "mentions", "hashtags", "title", ""):
        if rules.fits(render(values, literals)):
            break
        trimmed = shorten(key) or trimmed
    text = render(values, literals)
    length = rules.length(text)
    if not rules.fits(text):
        data = {"length": length, "limit": rules.limit, "counter": rules.describe(text)}
        if rules.limit is not None and length > rules.limit:
            message = _(
                "This post is %(length)s characters long even shortened; the limit is %(limit)s."
            )
        else:
            message = _("This post is too long even shortened: %(counter)s.")
        raise PostTooLong(message % data, length, rules.limit)
    return ComposedText(text=text, length=length, limit=rules.limit, trimmed=trimmed)
