"""Build the demo site. Idempotent: what exists is left alone, what is missing is made.

Translations go through wagtail-localize's own machinery: a translation source
is extracted from each page, the translator's strings are imported as a PO file
(as a translator exporting/importing PO files would), and the translated page is
created and published by wagtail-localize, strictly (`fallback=False`): a demo
string without a translation is an error, never a silent copy of the English.
"""

from __future__ import annotations

import io
import uuid
from datetime import date
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils.text import slugify
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from wagtail.images import get_image_model
from wagtail.models import Locale, Page, Site
from wagtail.rich_text import RichText
from wagtail_localize.models import Translation, TranslationSource
from wagtail_localize.synctree import synchronize_tree

from home.demo import more_languages
from home.locales import ensure_locales
from home.models import (
    HomePage,
    LetterIndexPage,
    LetterPage,
    LetterSignatory,
    LetterSigner,
    OrganizationHandle,
    OrganizationIndexPage,
    OrganizationPage,
    Topic,
)

from . import content

DEMO_NAMESPACE = uuid.UUID("1b8f5a3c-4a3e-4b7e-9f3e-0d2c6f1e9a10")


class DemoTranslationMissing(Exception):
    pass


def block_id(*parts: str) -> str:
    """Stable StreamField block ids: wagtail-localize keys translations on them."""
    return str(uuid.uuid5(DEMO_NAMESPACE, "/".join(parts)))


class DemoLoader:
    def __init__(self, log=print, base_url: str | None = None):
        self.log = log
        self.created = 0
        self.base_url = base_url or settings.WAGTAILADMIN_BASE_URL

    # -- entry point ---------------------------------------------------------
    def load(self) -> None:
        with transaction.atomic():
            locales = ensure_locales()
            source = locales[0]
            topics = self.topics(source)
            home = self.home(source)
            letter_index = self.child(home, LetterIndexPage, content.LETTER_INDEX)
            organization_index = self.child(home, OrganizationIndexPage, content.ORGANIZATION_INDEX)
            network = self.organization(organization_index, content.NETWORK, member_of=None)
            organizations = {"inclo": network}
            for member in content.MEMBERS:
                organizations[member["slug"]] = self.organization(
                    organization_index, member, member_of=network
                )
            letters = [
                self.letter(letter_index, data, organizations, topics) for data in content.LETTERS
            ]
            for locale in locales[1:]:
                synchronize_tree(source, locale)
            sections = [home, letter_index, organization_index, *organizations.values()]
            flagship = [page for page in letters if page.slug == more_languages.FLAGSHIP_SLUG]
            plan = {language: [*sections, *letters] for language in content.LANGUAGES}
            plan.update({language: [*sections, *flagship] for language in more_languages.STRINGS})
            catalog = content.translations(tuple(plan))
            for language, pages in plan.items():
                if language not in dict(settings.LANGUAGES):
                    continue
                locale = Locale.objects.get(language_code=language)
                for topic in topics.values():
                    self.translate(topic, locale, catalog[language])
                for page in pages:
                    self.translate(page, locale, catalog[language])
        self.log(f"Demo content ready ({self.created} objects created).")

    # -- source content --------------------------------------------------------
    def topics(self, locale: Locale) -> dict[str, Topic]:
        topics = {}
        for data in content.TOPICS:
            topic, created = Topic.objects.get_or_create(
                locale=locale, slug=data["slug"], defaults={"name": str(data["name"])}
            )
            self.created += created
            topics[data["slug"]] = topic
        return topics

    def home(self, locale: Locale) -> HomePage:
        root = Page.get_first_root_node()
        home = HomePage.objects.filter(depth=2, locale=locale).first()
        if home is None:
            remove_placeholder_pages()
            home = HomePage(
                title=str(content.HOME["title"]), slug="home", intro=str(content.HOME["intro"])
            )
            root.add_child(instance=home)
            home.save_revision().publish()
            self.created += 1
        site = Site.objects.filter(is_default_site=True).first() or Site(
            hostname="localhost", port=80, is_default_site=True
        )
        follow_base_url(site, self.base_url)
        site.root_page = home
        site.site_name = content.SITE_NAME
        site.save()
        return home

    def child(self, parent: Page, model, data: dict) -> Page:
        page = model.objects.child_of(parent).filter(slug=data["slug"]).first()
        if page is None:
            page = model(title=str(data["title"]), slug=data["slug"], intro=str(data["intro"]))
            self.add(parent, page)
        return page

    def organization(self, parent: Page, data: dict, member_of) -> OrganizationPage:
        page = OrganizationPage.objects.child_of(parent).filter(slug=data["slug"]).first()
        if page is not None:
            return page
        page = OrganizationPage(
            title=str(data["title"]),
            slug=data["slug"],
            acronym=str(data["acronym"]),
            country=data["country"],
            website=data["website"],
            description=RichText(f"<p>{data['description']}</p>").source,
            member_of=member_of,
            logo=self.logo(data),
        )
        page.handles = [
            OrganizationHandle(network=network, handle=handle)
            for network, handle in data["handles"].items()
        ]
        return self.add(parent, page)

    def letter(self, parent: Page, data: dict, organizations: dict, topics: dict) -> LetterPage:
        page = LetterPage.objects.child_of(parent).filter(slug=data["slug"]).first()
        if page is not None:
            return page
        slug = data["slug"]
        body = []
        for index, (kind, text) in enumerate(data["body"]):
            value = {"paragraph": f"<p>{text}</p>", "heading": str(text)}.get(
                kind, {"quote": str(text), "attribution": ""}
            )
            body.append({"type": kind, "value": value, "id": block_id(slug, "body", str(index))})
        contacts = [
            {
                "type": "contact",
                "id": block_id(slug, "contacts", str(index)),
                "value": {
                    "label": str(contact["label"]),
                    "name": contact["name"],
                    "role": str(contact["role"]),
                    "email": contact["email"],
                    "phone": contact["phone"],
                },
            }
            for index, contact in enumerate(data["contacts"])
        ]
        page = LetterPage(
            title=str(data["title"]),
            slug=slug,
            letter_type=data["letter_type"],
            standfirst=str(data["standfirst"]),
            addressees=str(data["addressees"]),
            publication_date=date.fromisoformat(data["publication_date"]),
            body=body,
            contacts=contacts,
            published_by=organizations[content.PUBLISHER_SLUG],
        )
        page.signatories = [
            LetterSignatory(organization=organizations[org_slug], visibility=visibility)
            for org_slug, visibility in data["signatories"]
        ]
        page.signers = [
            LetterSigner(
                name=signer["name"],
                role=str(signer["role"]),
                organization=organizations.get(signer["organization"]),
            )
            for signer in data["signers"]
        ]
        page.topics = [topics[slug] for slug in data["topics"]]
        return self.add(parent, page)

    def add(self, parent: Page, page: Page) -> Page:
        parent.add_child(instance=page)
        page.save_revision().publish()
        self.created += 1
        return page

    def logo(self, data: dict):
        """A plain generated logo (initials on the organization's colour), made once."""
        Image = get_image_model()
        title = f"Logo: {data['title']}"
        existing = Image.objects.filter(title=title).first()
        if existing:
            return existing
        initials = str(data["acronym"]) or str(data["title"])[:2]
        canvas = PILImage.new("RGB", (256, 256), data["colour"])
        draw = ImageDraw.Draw(canvas)
        font = ImageFont.load_default(size=200 // max(2, len(initials)) + 20)
        draw.text((128, 128), initials, fill="white", font=font, anchor="mm")
        buffer = io.BytesIO()
        canvas.save(buffer, format="PNG", optimize=True)
        image = Image(title=title)
        image.file = ImageFile(buffer, name=f"logo-{data['slug']}.png")
        image.save()
        self.created += 1
        return image

    def translate(self, instance, locale: Locale, strings: dict[str, str]) -> None:
        if translate_from_strings(instance, locale, strings):
            self.created += 1


def remove_placeholder_pages() -> None:
    """Delete the bare "Welcome" page Wagtail's migrations create (and its aliases)."""
    for page in Page.get_first_root_node().get_children():
        if page.specific_class is Page and page.numchild == 0:
            page.delete()


def translate_from_strings(instance, locale: Locale, strings: dict[str, str]) -> bool:
    """Translate `instance` into `locale` through wagtail-localize, from a string catalogue.

    Does nothing (returns False) when a real translation is already live. Raises
    DemoTranslationMissing when the catalogue lacks one of the instance's strings.
    The translated page is published on commit, as wagtail-localize does it.
    """
    existing = instance.get_translation_or_none(locale)
    if (
        existing is not None
        and not getattr(existing, "alias_of_id", None)
        and getattr(existing, "live", True)
    ):
        return False
    source, _created = TranslationSource.get_or_create_from_instance(instance)
    translation, _created = Translation.objects.get_or_create(
        source=source, target_locale=locale, defaults={"enabled": True}
    )
    po = translation.export_po()
    titles = {entry.msgctxt: entry.msgid for entry in po}
    for entry in po:
        if entry.msgctxt == "slug":
            # Organizations keep their short source slug (/fr/organisations/ccla/).
            keep = isinstance(instance, OrganizationPage)
            title = strings.get(titles.get("title", ""), "")
            entry.msgstr = entry.msgid if keep else slugify(title) or entry.msgid
        elif entry.msgid in strings:
            entry.msgstr = strings[entry.msgid]
        else:
            raise DemoTranslationMissing(
                f"No {locale.language_code} translation for {entry.msgid!r} "
                f"({instance!r}, {entry.msgctxt})."
            )
    translation.import_po(po, tool_name="load_demo")
    source.create_or_update_translation(
        locale, publish=True, copy_parent_pages=True, fallback=False
    )
    return True


LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


def follow_base_url(site: Site, base_url: str) -> None:
    """Point a local `site` at `base_url` (BROADSIDE_BASE_URL), so that canonical links,
    og:url, hreflang, feeds and posts lead where `make run HOST=… PORT=…` serves the demo.

    Only a site on a loopback or placeholder host follows (Wagtail's placeholder is
    localhost:80; a previous run's is 127.0.0.1:8000); a site with a real host name is an
    operator's and is left alone. Does not save.
    """
    base = urlsplit(base_url)
    if site.hostname in LOCAL_HOSTS and base.hostname:
        site.hostname = base.hostname
        site.port = base.port or (443 if base.scheme == "https" else 80)
