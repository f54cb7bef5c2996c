"""Plain-text rules shared by every output of publishing (feeds, posts).

Word processors paste control characters that *separate* words: a vertical tab (U+000B) for a
manual line break, a form feed (U+000C) for a page break, and the information separators
U+001C–U+001F. XML 1.0 forbids them, and networks drop or refuse them; removing them would glue
two words together ("Word\\x0bpaste" → "Wordpaste"), so they become a space. Which ones: the C0
controls that Python's `str.isspace()` (Unicode bidi classes B, S and WS) calls white space,
minus tab, newline and carriage return, which every output keeps.
"""

from __future__ import annotations

WORD_SEPARATING_CONTROLS = "\x0b\x0c\x1c\x1d\x1e\x1f"
_TO_SPACE = dict.fromkeys(map(ord, WORD_SEPARATING_CONTROLS), " ")


def separate_words(text: str) -> str:
    """`text` with each word-separating control character replaced by a space."""
    return text.translate(_TO_SPACE)
