"""Compose the text of a social-media post from a template, trimmed to a network's rules
(`TextRules`, publishing.channels.text; each network's own are in its channel file).

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

from publishing.channels.text import GRAPHEME, TAG_CHARS, TextRules, grapheme_count, hashtag_spans
from publishing.text import separate_words

PLACEHOLDERS: tuple[str, ...] = (
    *("title", "standfirst", "url", "signatories", "signatory_count", "hashtags", "mentions"),
)
ELLIPSIS = "\u2026"

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


# An elided article or preposition before its word (French "d’expression", "l’homme",
# "qu’il", Italian "dell’arte" aside): two words, whose second keeps its capital.
ELISION = regex.compile(r"(?<![\p{L}\p{M}])([cdjlmnst]|qu)['\u2019](?=\p{L})", regex.IGNORECASE)


def hashtag(name: str) -> str:
    """Topic name -> hashtag: "surveillance tech" -> "#SurveillanceTech".

    Words of cased scripts are joined in CamelCase, which keeps the word boundaries readable;
    scripts without case ("حرية التعبير") have no capitals to show them, so "_" joins them.
    An apostrophe inside a word goes ("People's" -> "Peoples"); one after an elided French
    article or preposition separates two words ("Liberté d’expression" ->
    "#LibertéDExpression", not "#LibertéDexpression").
    Returns "" when nothing usable is left (only punctuation, or only digits).
    """
    cleaned = ELISION.sub(r"\1 ", unicodedata.normalize("NFC", name))
    cleaned = cleaned.replace("'", "").replace("\u2019", "")
    body = ""
    for word in regex.findall(rf"[{TAG_CHARS}]+", cleaned):
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
            for cluster in GRAPHEME.findall(line):
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
    clusters = [(m.start(), m.end(), m.group().isspace()) for m in GRAPHEME.finditer(text)]
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
    if not stem or grapheme_count(tail + ELLIPSIS) != grapheme_count(tail) + 1:
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
            ends = [m.end() for m in GRAPHEME.finditer(first)][:-1]
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


# What a reader misses least first: standfirst, mentions, hashtags, title, then the
# template's own text (""). The URL is never touched: every post links to its page.
SHORTENING_ORDER = ("standfirst", "mentions", "hashtags", "title", "")


class _Draft:
    """A filled template: its literals and the placeholders' values, shortened step by step."""

    def __init__(self, literals: list[str], fields: list[str], context: PostContext, rules):
        self.fields, self.context, self.rules = fields, context, rules
        # A vertical tab pasted between two words must not glue them (publishing.text).
        self.literals = [separate_words(literal) for literal in literals]
        values = {name: separate_words(str(getattr(context, name))) for name in PLACEHOLDERS}
        values |= {"mentions": " ".join(context.mentions), "hashtags": " ".join(context.hashtags)}
        self.values = values

    def render(self, values: dict[str, str] | None = None, literals: list[str] | None = None):
        values, literals = values or self.values, literals or self.literals
        pieces = [
            literal + values[field] for literal, field in zip(literals, self.fields, strict=False)
        ]
        return _tidy("".join(pieces) + literals[-1])

    def fits(self, values=None, literals=None) -> bool:
        return self.rules.fits(self.render(values, literals))

    def _trimmable(self, key: str) -> _Trimmable:
        if key in ("mentions", "hashtags"):
            return _Trimmable(list(getattr(self.context, key)), items=True)
        return _Trimmable([self.values[key]] if key else self.literals, cut_word=key == "title")

    def shorten(self, key: str) -> bool:
        """Shorten one placeholder ("" for the template's text) as little as needed, or as
        far as possible; False when there is nothing to shorten."""
        if key and key not in self.fields:
            return False
        trimmable = self._trimmable(key)
        if not trimmable.words:
            return False

        def candidate(option: int) -> tuple[dict[str, str], list[str]]:
            parts = trimmable.build(option)
            if key:
                return {**self.values, key: " ".join(parts)}, self.literals
            return self.values, parts

        # Options run longest first: binary search for the first that fits, else take the last.
        low, high = 0, len(trimmable.options) - 1
        if self.fits(*candidate(high)):
            while low < high:
                middle = (low + high) // 2
                if self.fits(*candidate(middle)):
                    high = middle
                else:
                    low = middle + 1
        self.values, self.literals = candidate(high)
        return True


def _too_long(text: str, rules: TextRules) -> PostTooLong:
    length = rules.length(text)
    data = {"length": length, "limit": rules.limit, "counter": rules.describe(text)}
    if rules.limit is not None and length > rules.limit:
        message = _(
            "This post is %(length)s characters long even shortened; the limit is %(limit)s."
        )
    else:
        message = _("This post is too long even shortened: %(counter)s.")
    return PostTooLong(message % data, length, rules.limit)


def compose_text(template: str, context: PostContext, rules: TextRules) -> ComposedText:
    """Fill the template and shorten it until `rules` accept it (in SHORTENING_ORDER).

    Raises TemplateError for an unusable template and PostTooLong when even shortened as far
    as allowed the text does not fit.
    """
    literals, fields, errors = _parse(template)
    if errors:
        raise TemplateError(" ".join(errors))
    context = replace(context, hashtags=tuple(filter(rules.allows_hashtag, context.hashtags)))
    if "url" not in fields:
        literals, fields = [*literals[:-1], literals[-1] + "\n\n", ""], [*fields, "url"]
    draft = _Draft(literals, fields, context, rules)
    trimmed = False
    for key in SHORTENING_ORDER:
        if draft.fits():
            break
        trimmed = draft.shorten(key) or trimmed
    text = draft.render()
    if not rules.fits(text):
        raise _too_long(text, rules)
    return ComposedText(text=text, length=rules.length(text), limit=rules.limit, trimmed=trimmed)
