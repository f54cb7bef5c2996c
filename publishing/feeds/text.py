"""Text that XML 1.0 can carry.

XML 1.0 allows tab, newline, carriage return and the code points from U+0020
up, minus lone surrogates and U+FFFE/U+FFFF. Anything else (pasted control
characters, broken surrogate pairs) makes the whole feed malformed for every
reader, so it is removed before it reaches feedgen; a control that separates
words becomes a space instead.
"""

import re

from publishing.text import separate_words

_XML_ILLEGAL = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str | None) -> str:
    """Text without what XML 1.0 forbids: controls that separate words become a space
    (publishing.text), the rest is removed."""
    if not text:
        return ""
    return _XML_ILLEGAL.sub("", separate_words(str(text)))


def cdata_safe(html: str | None) -> str:
    """HTML for a CDATA section (RSS content:encoded): `]]>` would end it early."""
    return xml_safe(html).replace("]]>", "]]&gt;")


_ROOT_RELATIVE = re.compile(r'(\s(?:href|src)=")(/(?!/))')


def absolutize_urls(html: str, root_url: str) -> str:
    """Make root-relative links absolute: feed readers do not know the site's address."""
    return _ROOT_RELATIVE.sub(lambda m: f"{m.group(1)}{root_url.rstrip('/')}/", html)
