"""The one feed class every Broadside feed is a small subclass of.

Like `django.contrib.syndication.views.Feed`, the HTTP work is done once here
and subclasses override named hooks (`items`, `title`, `item_title` …). What
this adds: feedgen for the XML, RSS 2.0 and Atom 1.0 from one definition, text
made safe for XML, a rendered-feed cache keyed on the content version, strong
ETags and Last-Modified with 304 answers that never rebuild the feed, and a
fix for feedgen's lost Atom link attributes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem
from lxml import etree

from publishing.models import ContentVersion

from .text import cdata_safe, xml_safe

ATOM_NS = "http://www.w3.org/2005/Atom"

FORMATS = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
}
# How readers see each format named in link titles: "Atom" is a name, "RSS" an acronym.
FORMAT_NAMES = {"rss": "RSS", "atom": "Atom"}
CACHE_SECONDS = 24 * 60 * 60  # entries are keyed on the version; this only frees memory


@dataclass(frozen=True)
class Author:
    name: str
    uri: str = ""


@dataclass(frozen=True)
class Category:
    term: str
    label: str


@dataclass(frozen=True)
class Alternate:
    """The same entry in another language."""

    url: str
    language: str
    title: str


@dataclass(frozen=True)
class Enclosure:
    """A file attached to an entry (the share card): real byte length and MIME type."""

    url: str
    length: int
    mime_type: str
    width: int | None = None
    height: int | None = None
    description: str = ""


class LinkPreservingFeedEntry(FeedEntry):
    """feedgen 1.0.0 drops rel/type/hreflang/title/length from Atom entry links (feedgen#135).

    Its loop rebinds `link` to the new XML element before reading the
    attributes back from it. This re-emits every link from the entry's own data.
    """

    _LINK_ATTRIBUTES = ("href", "rel", "type", "hreflang", "title", "length")

    def atom_entry(self, extensions=True):
        entry = super().atom_entry(extensions=extensions)
        for element in entry.findall("link"):
            entry.remove(element)
        for link in self.link() or []:
            attributes = {name: str(link[name]) for name in self._LINK_ATTRIBUTES if link.get(name)}
            xml_elem("link", entry, **attributes)
        return entry


@dataclass(frozen=True)
class RenderedFeed:
    body: bytes
    content_type: str
    etag: str
    last_modified: datetime


class Feed:
    """Subclass and override the hooks; route with `as_view()`.

    One instance serves one request, so hooks may keep per-request state
    (`prepare` loads what all items need in a few queries).
    """

    max_items = 50
    generator = "Broadside"

    # -- routing -------------------------------------------------------------------
    @classmethod
    def as_view(cls):
        def view(request: HttpRequest, format: str, **kwargs) -> HttpResponse:
            return cls().serve(request, format, **kwargs)

        view.feed_class = cls
        return view

    # -- hooks (override these) -----------------------------------------------------
    def get_object(self, request: HttpRequest, **kwargs):
        """What the feed is about; raise Http404 when it does not exist."""
        return None

    def items(self, obj) -> Sequence:
        raise NotImplementedError

    def prepare(self, obj, items: Sequence) -> None:
        """Load what the item hooks need, for all items at once."""

    def title(self, obj) -> str:
        raise NotImplementedError

    def subtitle(self, obj) -> str:
        return self.title(obj)

    def link(self, obj) -> str:
        """The HTML page the feed mirrors."""
        raise NotImplementedError

    def language(self, obj) -> str:
        return settings.LANGUAGE_CODE

    def feed_id(self, obj) -> str:
        return self.self_url

    def logo(self, obj) -> str:
        return ""

    def author_name(self, obj) -> str:
        """Feed-level author: Atom needs one whenever an entry has none."""
        return self.title(obj)

    def item_id(self, item) -> str:
        raise NotImplementedError

    def item_title(self, item) -> str:
        return str(item)

    def item_link(self, item) -> str:
        raise NotImplementedError

    def item_summary(self, item) -> str:
        return ""

    def item_content(self, item) -> str:
        """HTML."""
        return ""

    def item_published(self, item) -> datetime | None:
        return None

    def item_updated(self, item) -> datetime:
        raise NotImplementedError

    def item_authors(self, item) -> Iterable[Author]:
        return ()

    def item_categories(self, item) -> Iterable[Category]:
        return ()

    def item_alternates(self, item) -> Iterable[Alternate]:
        return ()

    def item_enclosure(self, item) -> Enclosure | None:
        return None

    # -- HTTP --------------------------------------------------------------------------
    def serve(self, request: HttpRequest, format: str, **kwargs) -> HttpResponse:
        if format not in FORMATS:
            raise Http404("Unknown feed format.")
        self.request = request
        self.format = format
        self.self_url = request.build_absolute_uri(request.path)
        key = self.cache_key(request)
        rendered = cache.get(key)
        if rendered is None:
            rendered = self.render(self.get_object(request, **kwargs))
            cache.set(key, rendered, CACHE_SECONDS)
        not_modified = get_conditional_response(
            request,
            etag=rendered.etag,
            last_modified=int(rendered.last_modified.timestamp()),
        )
        response = not_modified or HttpResponse(rendered.body, content_type=rendered.content_type)
        response["ETag"] = rendered.etag
        response["Last-Modified"] = http_date(rendered.last_modified.timestamp())
        response["Cache-Control"] = "public, max-age=60"
        response["Vary"] = "Accept-Encoding"
        return response

    def cache_key(self, request: HttpRequest) -> str:
        location = hashlib.sha256(self.self_url.encode()).hexdigest()[:32]
        return f"broadside:feed:{ContentVersion.current()}:{location}"

    # -- rendering ---------------------------------------------------------------------
    def render(self, obj) -> RenderedFeed:
        self.obj = obj
        items = list(self.items(obj)[: self.max_items])
        self.prepare(obj, items)
        feed = FeedGenerator()
        feed.load_extension("media")
        feed.load_extension("dc")
        feed.id(self.feed_id(obj))
        feed.title(xml_safe(self.title(obj)))
        feed.subtitle(xml_safe(self.subtitle(obj)) or xml_safe(self.title(obj)))
        feed.link(href=self.self_url, rel="self", type=FORMATS[self.format].split(";")[0])
        hub = getattr(settings, "BROADSIDE_WEBSUB_HUB", "")
        if hub:
            feed.link(href=hub, rel="hub")
        # feedgen makes the *last* link() RSS's <channel><link> and <image><link>, which RSS 2.0
        # defines as the HTML page of the channel: the letters' page goes last.
        feed.link(href=self.link(obj), rel="alternate", type="text/html")
        feed.language(self.language(obj))
        if logo := self.logo(obj):
            feed.logo(logo)
        feed.author(name=xml_safe(self.author_name(obj)))
        feed.generator(self.generator)

        updated = [self.add_entry(feed, item) for item in items]
        # A letter leaving the feed, a new card or a renamed topic changes the feed too.
        changed = ContentVersion.last_changed()
        candidates = [moment for moment in [*updated, changed] if moment]
        last_modified = max(candidates, default=None) or timezone.now().replace(microsecond=0)
        feed.updated(last_modified)
        body = feed.atom_str() if self.format == "atom" else rss_with_hub(feed.rss_str(), hub)
        etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
        return RenderedFeed(body, FORMATS[self.format], etag, last_modified)

    def add_entry(self, feed: FeedGenerator, item) -> datetime:
        entry = feed.add_entry(LinkPreservingFeedEntry(), order="append")
        entry.id(self.item_id(item))
        entry.guid(self.item_id(item), permalink=False)
        entry.title(xml_safe(self.item_title(item)))
        link = self.item_link(item)
        for alternate in self.item_alternates(item):
            entry.link(
                href=alternate.url,
                rel="alternate",
                type="text/html",
                hreflang=alternate.language,
                title=xml_safe(alternate.title),
            )
        # RSS takes the last rel=alternate as its <link>: the item's own link goes last.
        entry.link(href=link, rel="alternate", type="text/html", hreflang=self.language(self.obj))
        if summary := xml_safe(self.item_summary(item)):
            entry.summary(summary)
        if content := self.item_content(item):
            entry.content(cdata_safe(content), type="CDATA" if self.format == "rss" else "html")
        updated = self.item_updated(item)
        entry.updated(updated)
        if published := self.item_published(item):
            entry.published(published)
        for author in self.item_authors(item):
            entry.author(name=xml_safe(author.name), uri=author.uri or None)
            entry.dc.dc_creator(xml_safe(author.name))
        for category in self.item_categories(item):
            entry.category(term=category.term, label=xml_safe(category.label))
        if enclosure := self.item_enclosure(item):
            entry.enclosure(enclosure.url, str(enclosure.length), enclosure.mime_type)
            # One card, so no <media:group>: in Media RSS a group holds alternatives of one
            # item, and a group of one is flagged by validators.
            entry.media.content(
                group=None,
                url=enclosure.url,
                fileSize=str(enclosure.length),
                type=enclosure.mime_type,
                medium="image",
                width=str(enclosure.width or ""),
                height=str(enclosure.height or ""),
            )
            entry.media.thumbnail(
                group=None,
                url=enclosure.url,
                width=str(enclosure.width or ""),
                height=str(enclosure.height or ""),
            )
        return updated


def rss_with_hub(body: bytes, hub: str) -> bytes:
    """feedgen writes only the rel=self atom:link into RSS; WebSub subscribers find the hub
    through a rel=hub atom:link beside it (W3C WebSub, 4. Discovery)."""
    if not hub:
        return body
    root = etree.fromstring(body)
    self_link = root.find(f"channel/{{{ATOM_NS}}}link[@rel='self']")
    self_link.addnext(etree.Element(f"{{{ATOM_NS}}}link", href=hub, rel="hub"))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
