"""The letters feeds: per language, per organization, per topic.

Each lists live, public letters *really written in* the feed's language: an
alias standing in for an untranslated letter is left out, and the letter
appears in that language's feed once it is translated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, time

from django.conf import settings
from django.http import Http404
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Locale, Site

from home.letters import live_translations, signatures_of, topics_of
from home.models import (
    LetterIndexPage,
    LetterPage,
    OrganizationPage,
    Topic,
    letters_for_listing,
)
from home.signatories import signature_rows
from home.signed_letters import letters_signed_by

from .base import FORMAT_NAMES, Alternate, Author, Category, Enclosure, Feed
from .text import absolutize_urls


def feed_letters(locale: Locale):
    """Letters a feed in `locale` may list: shareable (home.letters: live, gone live,
    public, not an alias) and so really written in that language."""
    return LetterPage.objects.shareable().filter(locale=locale)


class LetterFeed(Feed):
    """Shared hooks for every feed of letters.

    A concrete feed states its address and subject (read by `publishing.feeds.registry`):
    `url_name` and `route` (with `<str:format>`), `subject_model` (None: one feed per
    language; else one feed per instance, with `subject_url_kwargs`), and
    `subjects_listing(letter)`: the subjects whose feed lists the letter.
    """

    url_name: str = ""
    route: str = ""
    subject_model: type | None = None

    @classmethod
    def subject_url_kwargs(cls, subject) -> dict[str, str]:
        """The URL arguments of `subject`'s feed (its slug)."""
        return {"slug": subject.slug}

    @classmethod
    def subjects_listing(cls, letter: LetterPage) -> Iterable:
        """The subjects whose feed of this kind lists `letter` (None: the language's)."""
        return [None]

    @classmethod
    def discovery_title(cls, subject, format: str) -> str:
        """The title of an autodiscovery link to `subject`'s feed in `format`."""
        return _("Letters (%(format)s)") % {"format": FORMAT_NAMES[format]}

    def get_object(self, request, **kwargs):
        self.locale = Locale.get_active()
        self.site = Site.find_for_request(request)
        return self.locale

    def letters(self, obj):
        return feed_letters(self.locale)

    def items(self, obj):
        return letters_for_listing(self.letters(obj))

    def language(self, obj) -> str:
        return self.locale.language_code

    def site_name(self) -> str:
        return (self.site.site_name if self.site else "") or settings.WAGTAIL_SITE_NAME

    def author_name(self, obj) -> str:
        return self.site_name()

    def logo(self, obj) -> str:
        return self.request.build_absolute_uri(static("img/feed-logo.png"))

    def tag(self, specific: str, date: str | None = None) -> str:
        """A tag: URI (RFC 4151): stable when titles, slugs or addresses change."""
        authority = self.site.hostname if self.site else self.request.get_host().split(":")[0]
        return f"tag:{authority},{date or settings.BROADSIDE_TAG_DATE}:{specific}"

    def feed_id(self, obj) -> str:
        return self.tag(f"{self.feed_kind}/{self.language(obj)}")

    feed_kind = "letters"

    # -- batch loading: a handful of queries for the whole feed ------------------------
    def prepare(self, obj, items: Sequence[LetterPage]) -> None:
        translations = live_translations(items, LetterPage)
        self.translations = {
            key: [page for page in pages if page.locale_id != self.locale.pk]
            for key, pages in translations.items()
        }
        signatures = signatures_of(items)
        authors = {}  # each organization's Author built once however many letters it signed
        self.authors = defaultdict(list)
        for letter in items:
            for page in signatures.named(letter):
                if page.pk not in authors:
                    authors[page.pk] = Author(page.display_name, page.get_full_url(self.request))
                self.authors[letter.pk].append(authors[page.pk])

        from publishing.models import ShareImage

        self.share_images = {
            image.page_id: image
            for image in ShareImage.objects.filter(page__in=items, variant="og", stale=False)
        }
        self.topics = {
            letter_id: [shown for _filed, shown in topics]
            for letter_id, topics in topics_of(items).items()
        }

    # -- item hooks -------------------------------------------------------------------
    def item_id(self, letter: LetterPage) -> str:
        first = timezone.localdate(letter.first_published_at or timezone.now()).isoformat()
        return self.tag(f"letter/{letter.translation_key}/{letter.locale.language_code}", first)

    def item_title(self, letter: LetterPage) -> str:
        return letter.title

    def item_link(self, letter: LetterPage) -> str:
        return letter.get_full_url(self.request)

    def item_summary(self, letter: LetterPage) -> str:
        return letter.standfirst

    def item_content(self, letter: LetterPage) -> str:
        html = str(letter.body.render_as_block())
        return absolutize_urls(html, self.request.build_absolute_uri("/"))

    def item_published(self, letter: LetterPage) -> datetime:
        """The letter's publication date; its real first-publish time if that is the same day."""
        first = letter.first_published_at
        if first and timezone.localdate(first) == letter.publication_date:
            return first
        return timezone.make_aware(datetime.combine(letter.publication_date, time(0)))

    def item_updated(self, letter: LetterPage) -> datetime:
        return letter.last_published_at or self.item_published(letter)

    def item_authors(self, letter: LetterPage) -> Iterable[Author]:
        return self.authors.get(letter.pk, [])

    def item_categories(self, letter: LetterPage) -> Iterable[Category]:
        return [Category(topic.slug, topic.name) for topic in self.topics.get(letter.pk, [])]

    def item_enclosure(self, letter: LetterPage) -> Enclosure | None:
        image = self.share_images.get(letter.pk)
        if image is None:
            return None
        return Enclosure(
            url=self.request.build_absolute_uri(image.url),
            length=image.size,
            mime_type=image.mime_type,
            width=image.width,
            height=image.height,
            description=image.alt_text,
        )

    def item_alternates(self, letter: LetterPage) -> Iterable[Alternate]:
        return [
            Alternate(page.get_full_url(self.request), page.locale.language_code, page.title)
            for page in self.translations.get(letter.translation_key, [])
        ]


class LocaleLetterFeed(LetterFeed):
    """The latest letters in one language."""

    url_name = "feed_letters"
    route = "feeds/letters.<str:format>"

    def title(self, obj) -> str:
        return _("%(site)s: letters") % {"site": self.site_name()}

    def subtitle(self, obj) -> str:
        return _("Open letters and joint statements published by %(site)s.") % {
            "site": self.site_name()
        }

    def link(self, obj) -> str:
        index = LetterIndexPage.objects.live().public().filter(locale=self.locale).first()
        return index.get_full_url(self.request) if index else self.request.build_absolute_uri("/")


class OrganizationLetterFeed(LetterFeed):
    """The letters an organization signed, in the reader's language."""

    feed_kind = "organization"
    url_name = "feed_organization"
    route = "feeds/organizations/<uslug:slug>.<str:format>"
    subject_model = OrganizationPage

    @classmethod
    def subjects_listing(cls, letter: LetterPage) -> Iterable[OrganizationPage]:
        """The organizations the letter names as readers see it (the source-language letter
        rules), in the letter's language: pinging a hidden signatory's feed would tie it to
        the letter. A private organization's feed address names it: never listed either."""
        named = [row.organization_id for row in signature_rows([letter])[letter.pk] if row.is_named]
        return OrganizationPage.objects.public().filter(
            locale=letter.locale,
            translation_key__in=OrganizationPage.objects.filter(pk__in=named).values(
                "translation_key"
            ),
        )

    @classmethod
    def discovery_title(cls, organization: OrganizationPage, format: str) -> str:
        return _("Letters signed by %(name)s (%(format)s)") % {
            "name": organization.title,
            "format": FORMAT_NAMES[format],
        }

    def get_object(self, request, slug: str = "", **kwargs):
        super().get_object(request)
        organization = (
            OrganizationPage.objects.live().public().filter(locale=self.locale, slug=slug).first()
        )
        if organization is None:
            raise Http404(_("No such organization."))
        return organization

    def letters(self, organization: OrganizationPage):
        return letters_signed_by(organization).shareable()

    def feed_id(self, organization) -> str:
        return self.tag(f"organization/{organization.translation_key}/{self.language(None)}")

    def title(self, organization) -> str:
        return _("Letters signed by %(name)s") % {"name": organization.display_name}

    def link(self, organization) -> str:
        return organization.get_full_url(self.request)


class TopicLetterFeed(LetterFeed):
    """The letters filed under a topic, in the reader's language."""

    feed_kind = "topic"
    url_name = "feed_topic"
    route = "feeds/topics/<uslug:slug>.<str:format>"
    subject_model = Topic

    @classmethod
    def subjects_listing(cls, letter: LetterPage) -> Iterable[Topic]:
        """The topics the letter is filed under (source-language topics: their slug)."""
        return letter.topics.all()

    def get_object(self, request, slug: str = "", **kwargs):
        super().get_object(request)
        topics = Topic.objects.filter(slug=slug)
        topic = topics.filter(locale=self.locale).first() or topics.first()
        if topic is None:
            raise Http404(_("No such topic."))
        return topic

    def letters(self, topic: Topic):
        return feed_letters(self.locale).filter(topics__translation_key=topic.translation_key)

    def feed_id(self, topic) -> str:
        return self.tag(f"topic/{topic.translation_key}/{self.language(None)}")

    def title(self, topic) -> str:
        return _("%(site)s: letters on %(topic)s") % {"site": self.site_name(), "topic": topic.name}

    def link(self, topic) -> str:
        index = LetterIndexPage.objects.live().public().filter(locale=self.locale).first()
        return index.get_full_url(self.request) if index else self.request.build_absolute_uri("/")
