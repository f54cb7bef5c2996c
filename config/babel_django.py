"""Babel extraction of Django templates, so `make messages` needs no GNU gettext.

Django's own ``makemessages`` turns each template into Python-like text with
:func:`django.utils.translation.template.templatize` and hands it to ``xgettext``.
This module does the same with Babel: it runs Django's ``templatize`` (so
``{% translate %}``, ``{% blocktranslate %}`` with ``count``/``context``/``trimmed``
and ``_("…")`` in tags give exactly the msgids Django looks up at run time) and
reads the result with Babel's Python extractor. Referenced from
``config/babel.cfg`` as ``config.babel_django:extract_django``.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Generator, Mapping
from typing import IO, Any

from babel.messages.extract import extract_python
from django.utils.translation.template import templatize


def extract_django(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Generator[tuple[int, str | tuple[str, ...], list[str], str | None], None, None]:
    """Yield ``(lineno, message, comments, context)`` for each translatable string.

    ``fileobj`` is a Django template opened in binary mode (``options["encoding"]``,
    UTF-8 by default); the tuples have the shape of Babel's extraction methods
    (``message`` is a tuple for plural forms). ``templatize`` keeps line numbers,
    so references point at the template's lines. Raises ``UnicodeDecodeError``
    for a template that is not in the declared encoding.
    """
    encoding = options.get("encoding", "utf-8")
    source = fileobj.read().decode(encoding)
    # templatize blanks out the template around the gettext calls but keeps the
    # indentation, which Python's tokenizer (unlike xgettext) rejects on dedent.
    python = "\n".join(line.lstrip() for line in templatize(source).splitlines())
    python = python.encode("utf-8")
    yield from extract_python(io.BytesIO(python), keywords, comment_tags, {"encoding": "utf-8"})


# What `make messages` extracts: Django's translation functions beyond Babel's
# defaults (gettext, ngettext, pgettext, npgettext, _), and the folders that hold
# Broadside's code and templates. Read by the Makefile and tests/test_catalogues.py.
KEYWORDS = (
    "gettext_lazy",
    "ngettext_lazy:1,2",
    "pgettext_lazy:1c,2",
    "npgettext_lazy:1c,2,3",
    "gettext_noop",
)
SOURCE_DIRS = (
    "config",
    "home",
    "page_cache",
    "publishing",
    "search",
    "security",
    "site",
    "translations",
)
MAPPING_FILE = "config/babel.cfg"


def extract_template(output: str) -> None:
    """Write the message template (POT) of every marked string to ``output``.

    Paths are relative to the project root (the current directory). Raises
    ``SystemExit`` if Babel's command line fails (a syntax error in a file).
    """
    from babel.messages.frontend import CommandLineInterface

    keyword_args = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    CommandLineInterface().run(
        ["pybabel", "--quiet", "extract", "-F", MAPPING_FILE, *keyword_args]
        + ["--project", "Broadside", "--no-wrap", "--sort-by-file", "-o", output]
        + list(SOURCE_DIRS)
    )


if __name__ == "__main__":
    import sys

    extract_template(sys.argv[1])
