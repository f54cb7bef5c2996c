"""Turning what a reader typed into a query every search backend accepts."""

import re

_NOT_WORD = re.compile(r"[^\w\s]+", re.UNICODE)


def words_only(text: str) -> str:
    """Letters, digits and marks of any script, separated by single spaces.

    Wagtail's SQLite backend hands the query to FTS5, whose own syntax makes
    quotes, semicolons or a lone hyphen a server error; readers do not use
    search operators, so punctuation is dropped.
    """
    return " ".join(_NOT_WORD.sub(" ", text).split())
