"""Strict feed validation for the tests, offline.

No W3C Feed Validator is packaged for Python (PyPI has none that runs offline), so:
- Atom is validated against RFC 4287's own RELAX NG schema (Appendix B, tests/data/), converted
  with rnc2rng and checked by lxml, plus the schema's two Schematron rules, which RELAX NG
  cannot express, and the W3C validator's warnings on self links;
- RSS is checked against the RSS 2.0 specification's rules (required and known elements, RFC 822
  dates, enclosures, image, atom:link rel=self) and the warnings of the W3C validator that apply;
- both against Media RSS 1.5.1 (media:content/thumbnail attributes; a media:group holds several
  alternatives of one item, so a group of one is reported).

Each function returns a list of problems (errors and warnings alike); [] means valid.
"""

from __future__ import annotations

import email.utils
import functools
from pathlib import Path
from urllib.parse import urlsplit

import rnc2rng
from lxml import etree

ATOM = "http://www.w3.org/2005/Atom"
MEDIA = "http://search.yahoo.com/mrss/"
RNC = Path(__file__).parent / "data" / "rfc4287-atom.rnc"

RSS_CHANNEL = {
    *("title", "link", "description", "language", "copyright", "managingEditor", "webMaster"),
    *("pubDate", "lastBuildDate", "category", "generator", "docs", "cloud", "ttl", "image"),
    *("rating", "textInput", "skipHours", "skipDays", "item"),
}
RSS_ITEM = {
    *("title", "link", "description", "author", "category", "comments", "enclosure", "guid"),
    *("pubDate", "source"),
}
MEDIA_MEDIUMS = {"image", "audio", "video", "document", "executable"}


@functools.cache
def atom_schema() -> etree.RelaxNG:
    rng = rnc2rng.dumps(rnc2rng.load(str(RNC)))
    # RFC 4287 declares `namespace local = ""`, which XML cannot bind to a prefix.
    rng = rng.replace(' xmlns:local=""', "")
    return etree.RelaxNG(etree.fromstring(rng.encode()))


def atom_problems(body: bytes, url: str) -> list[str]:
    """Problems of an Atom feed document served at `url`."""
    root = etree.fromstring(body)
    schema = atom_schema()
    problems = [str(error) for error in schema.error_log] if not schema.validate(root) else []
    a = {"a": ATOM}
    if root.xpath("not(a:author) and a:entry[not(a:author)]", namespaces=a):
        problems.append("An atom:feed must have an atom:author unless all entries have one.")
    for entry in root.iterfind(f"{{{ATOM}}}entry"):
        if not entry.xpath(
            "a:link[@rel='alternate'] or a:link[not(@rel)] or a:content", namespaces=a
        ):
            problems.append("An atom:entry must have an alternate link or content.")
    selves = root.findall(f"{{{ATOM}}}link[@rel='self']")
    if [link.get("href") for link in selves] != [url]:
        problems.append(f"Expected one rel=self link to {url}: {[s.get('href') for s in selves]}")
    for link in root.iter(f"{{{ATOM}}}link"):
        if not urlsplit(link.get("href", "")).scheme:
            problems.append(f"Relative link {link.get('href')!r}")
    return problems + media_problems(root)


def rss_problems(body: bytes, url: str) -> list[str]:
    """Problems of an RSS 2.0 feed served at `url` (RSS 2.0 specification, Media RSS)."""
    root = etree.fromstring(body)
    problems = []
    if root.tag != "rss" or root.get("version") != "2.0":
        return ['The root must be <rss version="2.0">.']
    channels = root.findall("channel")
    if len(channels) != 1:
        return ["An RSS document has exactly one <channel>."]
    channel = channels[0]
    problems += _known_children(channel, RSS_CHANNEL, "channel")
    for name in ("title", "link", "description"):
        if not (channel.findtext(name) or "").strip():
            problems.append(f"<channel> needs a <{name}>.")
    page = channel.findtext("link") or ""
    selves = channel.findall(f"{{{ATOM}}}link[@rel='self']")
    if [link.get("href") for link in selves] != [url]:
        problems.append(f"Expected one atom:link rel=self to {url}.")
    # RSS 2.0: <link> is "the URL to the HTML website corresponding to the channel".
    links_elsewhere = {link.get("href") for link in channel.findall(f"{{{ATOM}}}link")}
    if page in links_elsewhere or not urlsplit(page).scheme:
        problems.append(f"<channel><link> must be the HTML page, not {page!r}.")
    for name in ("pubDate", "lastBuildDate"):
        problems += _rfc822(channel.find(name))
    image = channel.find("image")
    if image is not None:
        for name in ("url", "title", "link"):
            if not (image.findtext(name) or "").strip():
                problems.append(f"<image> needs a <{name}>.")
        if image.findtext("link") != page:
            problems.append("<image><link> should be the channel's <link> (ImageLinkDoesntMatch).")
        if image.findtext("title") != channel.findtext("title"):
            problems.append("<image><title> should be the channel's title.")
    for item in channel.iterfind("item"):
        problems += _known_children(item, RSS_ITEM, "item")
        if item.find("title") is None and item.find("description") is None:
            problems.append("An <item> needs a <title> or a <description>.")
        problems += _rfc822(item.find("pubDate"))
        guid = item.find("guid")
        if guid is not None and guid.get("isPermaLink", "true") not in ("true", "false"):
            problems.append("guid isPermaLink must be true or false.")
        enclosures = item.findall("enclosure")
        if len(enclosures) > 1:
            problems.append("Several <enclosure> in one item (most readers take one).")
        for enclosure in enclosures:
            if not enclosure.get("url") or not enclosure.get("type"):
                problems.append("<enclosure> needs url, length and type.")
            if not (enclosure.get("length") or "").isdigit():
                problems.append("<enclosure> length must be a number of bytes.")
        author = item.findtext("author")
        if author is not None and "@" not in author:
            problems.append("<author> must be an e-mail address (use dc:creator for names).")
    return problems + media_problems(root)


def media_problems(root: etree._Element) -> list[str]:
    """Media RSS 1.5.1: attribute types, thumbnails with a url, groups of alternatives."""
    problems = []
    for group in root.iter(f"{{{MEDIA}}}group"):
        if len(group.findall(f"{{{MEDIA}}}content")) < 2:
            problems.append("A media:group holds several media:content alternatives, not one.")
    for content in root.iter(f"{{{MEDIA}}}content"):
        if not content.get("url"):
            problems.append("media:content needs a url.")
        for name in ("fileSize", "width", "height", "bitrate", "duration"):
            value = content.get(name)
            if value is not None and not value.isdigit():
                problems.append(f"media:content {name} must be a number, not {value!r}.")
        if content.get("medium") not in (None, *MEDIA_MEDIUMS):
            problems.append(f"media:content medium {content.get('medium')!r} is unknown.")
        if content.get("isDefault") not in (None, "true", "false"):
            problems.append("media:content isDefault must be true or false.")
    for thumbnail in root.iter(f"{{{MEDIA}}}thumbnail"):
        if not thumbnail.get("url"):
            problems.append("media:thumbnail needs a url.")
    return problems


def _known_children(element, known: set[str], where: str) -> list[str]:
    return [
        f"<{where}> has an unknown element <{child.tag}>."
        for child in element
        if isinstance(child.tag, str) and not child.tag.startswith("{") and child.tag not in known
    ]


def _rfc822(element) -> list[str]:
    if element is None:
        return []
    try:
        moment = email.utils.parsedate_to_datetime(element.text or "")
    except (TypeError, ValueError):
        return [f"<{element.tag}> is not an RFC 822 date: {element.text!r}."]
    return [] if moment.tzinfo else [f"<{element.tag}> has no time zone."]
