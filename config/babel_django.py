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
