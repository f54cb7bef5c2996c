"""Messages for editors that are stored now and read later, in each reader's language.

A card's problems are found when a task draws it, and read days later by editors whose admin
may be in French or Arabic: text written at drawing time would be in whatever language the
task had active. So Broadside stores *what* to say, not the sentence: the English msgid
(marked with `gettext_noop`, so `make messages` still extracts it) and its parameters, and
translates when the message is shown, in the language of the request that shows it.

A stored message is JSON: ``{"msgid": "...", "params": {"name": value}}``. A parameter is
either our own text (a nested message, translated too: a logo's refusal reason) or a value
shown as it is (an organization's name, the characters left out, a library's error).
Anything else stored, notably rows written before messages were structured (plain strings)
and text a network sent back, is shown exactly as stored.

A text column (a delivery's error or reason) holds lines that may mix both: `stored_text`
writes them as plain text when none is a message (so older rows and text columns read as
before) and as JSON ``{"lines": [...]}`` otherwise; `show_message` reads either.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.utils.translation import gettext

logger = logging.getLogger(__name__)

StoredMessage = dict[str, Any]
# A line of a text column: a message, or text shown as it is (a network's words).
Part = str | StoredMessage
_LINES = '{"lines": '


def message(msgid: str, **params: Any) -> StoredMessage:
    """A message to store: `msgid` is the English text, marked where it is written with
    `gettext_noop`; `params` fill its %(name)s placeholders when it is shown (a nested
    `message` is translated, anything else is shown as it is)."""
    return {"msgid": msgid, "params": params}


def is_message(value: Any) -> bool:
    """Whether `value` is a stored message (rather than text to show as it is)."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("msgid"), str)
        and isinstance(value.get("params", {}), dict)
    )


def stored_text(*parts: Part) -> str:
    """`parts`, one a line, as a text column stores them (see the module's docstring).
    A part may itself be stored text (an error passed on): its lines are kept as they are."""
    lines: list[Part] = []
    for part in parts:
        decoded = _decoded_lines(part) if isinstance(part, str) else None
        lines.extend(decoded if decoded is not None else [part])
    if all(isinstance(line, str) for line in lines):
        return "\n".join(lines)
    return json.dumps({"lines": lines}, ensure_ascii=False)


def _decoded_lines(text: str) -> list[Part] | None:
    """The lines of text written by `stored_text` as JSON; None for any other text."""
    if not text.startswith(_LINES):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    lines = value.get("lines") if isinstance(value, dict) else None
    if isinstance(lines, list) and all(isinstance(line, str) or is_message(line) for line in lines):
        return lines
    return None


def show_message(value: Any) -> str:
    """`value` as the reader should read it, in the active language (the request's).

    A stored message is translated, its nested messages too; text from `stored_text` is
    shown line by line; any other string (a row stored before messages were structured, a
    network's own words) is returned unchanged. A translation whose placeholders do not
    match the English falls back to the English, so a slip in a catalogue never hides a
    warning."""
    if isinstance(value, str):
        lines = _decoded_lines(value)
        return value if lines is None else "\n".join(show_message(line) for line in lines)
    if not is_message(value):
        return "" if value is None else str(value)
    params = {
        name: show_message(param) if isinstance(param, str) or is_message(param) else param
        for name, param in value.get("params", {}).items()
    }
    msgid = value["msgid"]
    if not params:
        return gettext(msgid)
    try:
        return gettext(msgid) % params
    except (KeyError, ValueError, TypeError):
        logger.warning("The translation of %r does not take its parameters", msgid)
    try:
        return msgid % params
    except (KeyError, ValueError, TypeError):
        return msgid
