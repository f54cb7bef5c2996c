"""Turning pages into API data, a fixed number of queries per list however long.

Each `*Batch` loads what its items need in one query per kind of thing
(translations, signatories, logos and their renditions, topics, share cards),
never one per item.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import translation
from wagtail.images import get_image_model
from wagtail.models import Page

from home.countries import country_name
from home.i18n import page_languages
from home.images import rendition_or_none
from home.letters import live_translations, signatures_of, topics_of
from home.links import http_url
from home.models import (
    LetterPage,
    OrganizationPage,
)
from home.signatories import localize_pages
from publishing.feeds.registry import feed_about, feed_paths

LOGO_FILTER = "fill-160x160"


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


def feeds(request, language: str, subject=None) -> dict:
    """{format: absolute URL} of the feed about `subject` (a topic, an organization; None:
    the language's letters) in `language`, as publishing.feeds.registry lists it."""
    feed = feed_about(type(subject) if subject is not None else None)
    paths = feed_paths(feed, subject, language=language)
    return {format: absolute(request, path) for format, path in paths.items()}


def content_language(page: Page) -> str:
    return (page.alias_of.locale if page.alias_of_id else page.locale).language_code


class OrganizationBatch:
    """Organization summaries: logos with renditions and handles, three queries."""

    def __init__(self, request, organizations: Sequence[OrganizationPage]):
        self.request = request
        ids = {o.pk for o in organizations if o is not None}
        renditions = get_image_model().get_rendition_model().objects.filter(filter_spec=LOGO_FILTER)
        loaded = (
            OrganizationPage.objects.filter(pk__in=ids)
            .select_related("locale", "logo")
            .prefetch_related("handles", Prefetch("logo__renditions", queryset=renditions))
        )
        self.by_id = {o.pk: o for o in loaded}
        self.summaries: dict[int, dict] = {}

    def summary(self, organization: OrganizationPage | None) -> dict | None:
        """The organization as the API shows it (worked out once per organization)."""
        if organization is None:
            return None
        if organization.pk not in self.summaries:
            self.summaries[organization.pk] = self._summary(organization)
        return self.summaries[organization.pk]

    def _summary(self, organization: OrganizationPage) -> dict:
        page = self.by_id.get(organization.pk, organization)
        logo = None
        if page.logo_id:
            # A missing or unreadable file: no logo, not a 500 (home/images.py).
            rendition = rendition_or_none(page.logo, LOGO_FILTER)
            if rendition is not None:
                logo = {
                    "url": absolute(self.request, rendition.url),
                    "width": rendition.width,
                    "height": rendition.height,
                }
        return {
            "api_id": page.pk,
            "name": page.title,
            "acronym": page.acronym,
            "country": page.country,
            "country_name": country_name(page.country, page.locale.language_code),
            "url": page.get_full_url(self.request),
            "locale": page.locale.language_code,
            "logo": logo,
            "handles": {h.network: h.handle for h in page.handles.all()},
        }


def translation_data(request, pages: Sequence[Page]) -> list[dict]:
    return [
        {
            "locale": page.locale.language_code,
            "title": page.title,
            "url": page.get_full_url(request),
            "api_id": page.pk,
        }
        for page in pages
    ]


class LetterBatch:
    """Everything a list of letters shows, loaded for all of them at once."""

    def __init__(self, request, letters: Sequence[LetterPage], draft: bool = False):
        """`draft`: the letters are unsaved revisions; read their in-memory relations."""
        from publishing.models import ShareImage

        self.request = request
        self.letters = list(letters)
        self.translations = live_translations(self.letters, LetterPage)

        # Effective signatures (see home.signatories.signature_rows), named organizations
        # in each letter's language; each organization is loaded once (home.letters).
        self.signatures = signatures_of(self.letters, draft=draft)
        everyone = {
            page.pk: page
            for by_locale in self.signatures.localized.values()
            for page in by_locale.values()
        }
        self.organizations = OrganizationBatch(request, list(everyone.values()))
        self.topics = topics_of(self.letters, draft=draft)
        source_ids = {letter.alias_of_id or letter.pk for letter in self.letters}
        self.share_images = defaultdict(list)
        for image in ShareImage.objects.filter(page_id__in=source_ids, stale=False).order_by(
            "variant"
        ):
            self.share_images[image.page_id].append(image)

    def signatories(self, letter: LetterPage) -> list[dict]:
        """Each signature as the API shows it. Whether its country shows is decided once,
        in `home.signatories.shown_country` (the row's `country` is already empty when
        hidden)."""
        result = []
        language = letter.locale.language_code
        for row in self.signatures.rows.get(letter.pk, []):
            named = row.is_named
            result.append(
                {
                    "anonymous": not named,
                    "organization": self.organizations.summary(
                        self.signatures.organization(letter, row)
                    )
                    if named
                    else None,
                    "country": row.country,
                    "country_name": country_name(row.country, language),
                }
            )
        return result

    def topic_data(self, letter: LetterPage) -> list[dict]:
        language = letter.locale.language_code
        data = []
        for topic, shown in self.topics.get(letter.pk, []):
            data.append(
                {
                    "slug": topic.slug,
                    "name": shown.name,
                    "feeds": feeds(self.request, language, topic),
                }
            )
        return data

    def summary(self, letter: LetterPage) -> dict:
        with translation.override(letter.locale.language_code):
            label = letter.get_letter_type_display()
        signatories = self.signatories(letter)
        return {
            "api_id": letter.pk,
            "locale": letter.locale.language_code,
            "content_language": content_language(letter),
            "title": letter.title,
            "slug": letter.slug,
            "url": letter.get_full_url(self.request),
            "letter_type": letter.letter_type,
            "letter_type_label": str(label),
            "standfirst": letter.standfirst,
            "addressees": letter.addressees,
            "publication_date": letter.publication_date,
            "first_published_at": letter.first_published_at,
            "last_published_at": letter.last_published_at,
            "topics": self.topic_data(letter),
            "signatory_count": len(signatories),
            "signatories": signatories,
            "translations": translation_data(
                self.request, self.translations.get(letter.translation_key, [])
            ),
            "share_images": [
                {
                    "variant": image.variant,
                    "url": absolute(self.request, image.url),
                    "width": image.width,
                    "height": image.height,
                    "mime_type": image.mime_type,
                    "size": image.size,
                    "alt": image.alt_text,
                }
                for image in self.share_images.get(letter.alias_of_id or letter.pk, [])
            ],
        }

    def detail(self, letter: LetterPage) -> dict:
        data = self.summary(letter)
        language = letter.locale.language_code
        publisher, network = letter.publisher_and_network()
        extra = OrganizationBatch(self.request, [o for o in (publisher, network) if o])
        languages = page_languages(letter, self.request)
        signers = letter.signers.all()
        named_ids = {
            row.organization_id for row in self.signatures.rows.get(letter.pk, []) if row.is_named
        }
        with translation.override(language):  # links in rich text follow the letter's language
            body_html = str(letter.body.render_as_block())
        data.update(
            {
                "body": [
                    {"id": block.id or "", "type": block.block_type, "value": _block_value(block)}
                    for block in letter.body
                ],
                "body_html": body_html,
                "signers": [
                    {
                        "name": signer.name,
                        "role": signer.role,
                        # Only an organization the letter names may be pointed at.
                        "organization_api_id": signer.organization_id
                        if signer.organization_id in named_ids
                        else None,
                    }
                    for signer in signers
                ],
                "contacts": [
                    {"id": block.id or "", "type": block.block_type, "value": _block_value(block)}
                    for block in letter.contacts
                ],
                "published_by": extra.summary(publisher),
                "network": extra.summary(network),
                "canonical_url": languages.canonical_url,
                "hreflang": _hreflang(languages),
                "feeds": feeds(self.request, language),
            }
        )
        return data


def _hreflang(languages) -> list[dict]:
    links = [{"language": a.language_code, "url": a.url} for a in languages.alternates]
    if languages.x_default_url:
        links.append({"language": "x-default", "url": languages.x_default_url})
    return links


def _block_value(block):
    """JSON for a StreamField block: rich text as HTML, structs as objects, images as renditions."""
    from wagtail.rich_text import RichText, expand_db_html

    value = block.value
    if isinstance(value, RichText):
        return expand_db_html(value.source)
    if hasattr(value, "get_rendition"):
        rendition = rendition_or_none(value, "width-1200")
        if rendition is None:
            return None
        return {
            "url": rendition.url,
            "width": rendition.width,
            "height": rendition.height,
            "alt": getattr(value, "contextual_alt_text", "") or value.default_alt_text,
        }
    if hasattr(value, "items"):
        return {key: _plain(item) for key, item in value.items()}
    return _plain(value)


def _plain(value):
    from wagtail.rich_text import RichText, expand_db_html

    if isinstance(value, RichText):
        return expand_db_html(value.source)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


class OrganizationDetailBuilder:
    def __init__(self, request, organization: OrganizationPage):
        self.request = request
        self.organization = organization

    def build(self) -> dict:
        organization = self.organization
        # The network is named only if everyone may read its page (home.privacy).
        network = (
            OrganizationPage.objects.live().public().filter(pk=organization.member_of_id).first()
            if organization.member_of_id
            else None
        )
        member_of = localize_pages([network], organization.locale_id)[0] if network else None
        batch = OrganizationBatch(self.request, [o for o in (organization, member_of) if o])
        data = batch.summary(organization)
        languages = page_languages(organization, self.request)
        language = organization.locale.language_code
        from wagtail.rich_text import expand_db_html

        with translation.override(language):
            letters_url = (
                absolute(self.request, reverse("broadside_api:list_letters"))
                + f"?locale={language}&organization={organization.pk}"
            )
        data.update(
            {
                "content_language": content_language(organization),
                "website": http_url(organization.website),
                "description_html": expand_db_html(organization.description),
                "member_of": batch.summary(member_of),
                "translations": translation_data(
                    self.request,
                    live_translations([organization], OrganizationPage).get(
                        organization.translation_key, []
                    ),
                ),
                "canonical_url": languages.canonical_url,
                "hreflang": _hreflang(languages),
                "feeds": feeds(self.request, language, organization),
                "letters_url": letters_url,
            }
        )
        return data
