"""The one rule for URLs that come from outside before they become links: http(s) only.

Network answers (a post's URL), editor input ("Mark as posted", an
organization's website) and anything else not built by Broadside itself is
checked with `http_url()` when it is stored and again, through the `http_url`
template filter, when it is rendered as a link: a `javascript:`, `data:` or
`vbscript:` URL in an `href` runs in the reader's (or the editor's) session.

Browsers drop leading and trailing control characters and spaces and remove
tabs and newlines anywhere before they read the scheme (WHATWG URL Standard,
"basic URL parser"), so "\\tjava\\nscript:" is `javascript:`. Rather than
re-implement that parser, a URL holding any such character is refused.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SCHEMES = ("http", "https")


def http_url(value: object) -> str:
    """`value` if it is an absolute http(s) URL with a host, else "".

    Refused: other schemes in any case (`javascript:`, `JavaScript:`, `data:`,
    `vbscript:`), scheme-relative (`//host`) and relative URLs, entity-encoded
    schemes (`&#106;avascript:` has no scheme), and any URL holding a control
    character, a space or DEL (see the module docstring).
    """
    if not isinstance(value, str) or not value:
        return ""
    if any(ord(char) <= 0x20 or ord(char) == 0x7F for char in value):
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme.lower() not in SCHEMES or not parts.netloc or not parts.hostname:
        return ""
    if not value[: len(parts.scheme) + 3].lower().endswith("://"):
        return ""
    return value


def validate_http_url(value: str) -> None:
    """Form and model validator: raise ValidationError unless `value` is an http(s) URL."""
    if value and not http_url(value):
        raise ValidationError(
            _("Enter an address that starts with https:// (or http://)."), code="http_url"
        )
