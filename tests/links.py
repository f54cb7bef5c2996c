"""URLs that must never become links, and a way to read the links of a page."""

from __future__ import annotations

import html
import re

# Each carries "1337", so a test can look for it in every href of a page.
SCRIPT_URLS = [
    "javascript:alert(1337)",
    "JavaScript:alert(1337)",
    "JAVASCRIPT:alert(1337)",
    "  javascript:alert(1337)",
    "\x01javascript:alert(1337)",
    "\tjavascript:alert(1337)",
    "java\tscript:alert(1337)",
    "java\nscript:alert(1337)",
    "javascript:alert(1337)\n",
    "data:text/html,<script>alert(1337)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxMzM3KTwvc2NyaXB0Pg==#1337",
    "vbscript:msgbox(1337)",
    "//evil1337.example/x",
    "\\\\evil1337.example/x",
    "https:evil1337.example",
    "&#106;avascript:alert(1337)",
    "&#x6A;avascript:alert(1337)",
    "javascript&#58;alert(1337)",
    "javascript&colon;alert(1337)",
    "ftp://evil1337.example/",
]


def hrefs(page: str) -> list[str]:
    """Every href of an HTML page, as the browser reads it (entities decoded)."""
    return [html.unescape(value) for value in re.findall(r"href\s*=\s*[\"']([^\"']*)", page)]


def linked(page: str, marker: str = "1337") -> list[str]:
    """The hrefs of a page that carry `marker`."""
    return [href for href in hrefs(page) if marker in href]
