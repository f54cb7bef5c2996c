"""When a card's input changes, anywhere: hide the cards that read it, then redraw them.

The inputs of a card are listed in `publishing.share_images.content`. Each
receiver below turns one kind of change into the set of letters whose cards
read it, in every language, and calls `invalidate_cards`, which in the same
transaction as the change marks stale those cards whose inputs changed (pages,
feeds and the API stop showing them and cached answers are dropped) and, once it
commits, enqueues their redraw. A card whose inputs did not change stays shown;
its redraw draws nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps as django_apps
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.signals import pre_delete
from wagtail.models import Page, PageViewRestriction, Site

from home.models import LetterPage, OrganizationPage
from home.signed_letters import letters_naming, letters_ruled_by


def enqueue_render(page_ids: Iterable[int]) -> None:
    """Enqueue the (idempotent) redraw of each letter's cards, one task per letter."""
    from publishing.share_images.tasks import render_share_images_for_page

    for page_id in page_ids:
        render_share_images_for_page.enqueue(page_id)


def invalidate_cards(letters: QuerySet[LetterPage], *, compare: bool = True) -> list[int]:
    """Hide now the cards of the live `letters` whose inputs changed; redraw after commit.

    A card whose input hash is still that of its inputs as they are now (the change,
    a republish say, touched nothing it shows) stays shown: hiding it would answer
    404 for its og:image until the redraw, and crawlers fetching meanwhile keep a
    preview without image. A card whose inputs changed is hidden, whatever changed:
    its hash cannot tell a new title from a withheld signatory, and an old card
    naming someone withheld or now private must never stay public. `compare=False`
    hides them all (before a deletion, the inputs still look unchanged).

    Every card's generation is bumped, so a redraw that read the inputs before this
    change cannot store its result. Returns the ids of the letters concerned. Bumps
    the content version when a card was hidden, so cached feeds and API answers drop it.
    """
    from publishing.models import ContentVersion, ShareImage

    ids = list(letters.filter(live=True).values_list("pk", flat=True))
    if not ids:
        return []
    cards = ShareImage.objects.filter(page_id__in=ids)
    shown = cards.filter(stale=False)
    current = _cards_still_current(shown) if compare else []
    cards.update(generation=F("generation") + 1)
    hidden = shown.exclude(pk__in=current).update(stale=True)
    if hidden:
        ContentVersion.bump()
    transaction.on_commit(lambda: enqueue_render(ids))
    return ids


def _cards_still_current(cards: QuerySet) -> list[int]:
    """Ids of these shown cards whose stored input hash matches their inputs now."""
    from publishing.share_images.service import input_digests

    stored: dict[int, dict[str, tuple[int, str]]] = {}
    for pk, page_id, variant, digest in cards.values_list("pk", "page_id", "variant", "input_hash"):
        stored.setdefault(page_id, {})[variant] = (pk, digest)
    current = []
    letters = LetterPage.objects.filter(pk__in=stored).select_related("locale")
    for letter in letters:
        override = letter.share_image_overrides.select_related("image").first()
        now = input_digests(letter, override)
        for variant, (pk, digest) in stored[letter.pk].items():
            if variant in now and now[variant][0] == digest:
                current.append(pk)
    return current


def letters_reading_pages(page: Page) -> QuerySet[LetterPage]:
    """Letters whose cards read `page` or a page under it: its signatories' pages
    (publication, privacy and place in the tree) and the letters themselves (their site)."""
    path = Page.objects.filter(pk=page.pk).values_list("path", flat=True).first() or page.path
    organizations = OrganizationPage.objects.filter(path__startswith=path)
    return LetterPage.objects.originals().filter(
        Q(pk__in=letters_naming(organizations).values("pk")) | Q(path__startswith=path)
    )


def letters_reading_images(image) -> QuerySet[LetterPage]:
    """Letters whose cards show `image`: as a signatory's logo (in any language of the
    organization page) or as the letter's replacement card."""
    shown = letters_naming(OrganizationPage.objects.filter(logo=image))
    return LetterPage.objects.originals().filter(
        Q(pk__in=shown.values("pk")) | Q(share_image_overrides__image=image)
    )


def letters_of_site(site: Site | None) -> QuerySet[LetterPage]:
    """Letters drawn with a site's settings and name, in every language: those under its
    root page or a translation of it (all letters when the site is unknown)."""
    letters = LetterPage.objects.originals()
    if site is None or site.root_page_id is None:
        return letters
    key = Page.objects.filter(pk=site.root_page_id).values("translation_key")
    roots = Page.objects.filter(translation_key__in=key).values_list("path", flat=True)
    under = Q(pk__in=[])
    for path in roots:
        under |= Q(path__startswith=path)
    return letters.filter(under)


# -- receivers (connected in share_images.receivers) ------------------------------


def on_page_published(sender, instance, alias: bool = False, **kwargs) -> None:
    """A letter in any language, or a signatory's page in any language, was published.

    Publishing the source-language letter redraws its translations too: it
    decides who they may name.
    """
    page = instance.specific_deferred
    if alias or page.alias_of_id:
        return  # an alias shows its original's card
    if isinstance(page, LetterPage):
        invalidate_cards(letters_ruled_by(page))
    elif isinstance(page, OrganizationPage):
        invalidate_cards(letters_naming(OrganizationPage.objects.filter(pk=page.pk)))


def on_facts_synchronised(sender, source, translations, **kwargs) -> None:
    """The translations app copied a source's facts into live translations without
    publishing them (home.signals.facts_synchronised): their cards may name a signatory
    the source has just withheld, so they are compared and hidden like a publish's."""
    ids = [page.pk for page in translations]
    if issubclass(sender, LetterPage):
        invalidate_cards(LetterPage.objects.filter(pk__in=ids))
    elif issubclass(sender, OrganizationPage):
        invalidate_cards(letters_naming(OrganizationPage.objects.filter(pk__in=ids)))


def on_page_unpublished(sender, instance, **kwargs) -> None:
    """An organization offline is not named on cards any more."""
    page = instance.specific_deferred
    if isinstance(page, OrganizationPage) and not page.alias_of_id:
        invalidate_cards(letters_naming(OrganizationPage.objects.filter(pk=page.pk)))


def on_page_moved(sender, instance, **kwargs) -> None:
    """A move can put organizations under a private section, or letters under another site."""
    invalidate_cards(letters_reading_pages(instance))


def on_source_letter_deleted(sender, instance, **kwargs) -> None:
    """Translations of a deleted source-language letter no longer follow its signatures."""
    if isinstance(instance, LetterPage) and not instance.alias_of_id:
        invalidate_cards(letters_ruled_by(instance).exclude(pk=instance.pk), compare=False)


def on_view_restriction_changed(sender, instance: PageViewRestriction, **kwargs) -> None:
    """A private organization page (or section) is not named on cards."""
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:
        invalidate_cards(letters_reading_pages(page))


# Wagtail fills these in lazily, from the same file, while serving: nothing drawn changes.
LAZY_IMAGE_FIELDS = frozenset({"file_size", "file_hash"})


def on_image_saved(sender, instance, update_fields=None, **kwargs) -> None:
    """A logo or replacement image edited (its file replaced, for example) or deleted."""
    if update_fields and set(update_fields) <= LAZY_IMAGE_FIELDS:
        return
    deleting = kwargs.get("signal") is pre_delete  # it still looks unchanged
    invalidate_cards(letters_reading_images(instance), compare=not deleting)


def on_card_settings_changed(sender, instance, **kwargs) -> None:
    """Colours, brand or font family of a site's cards."""
    invalidate_cards(letters_of_site(instance.site if instance.site_id else None))


def on_site_changed(sender, instance: Site, **kwargs) -> None:
    """The site name is the default brand; the root decides which letters belong to it."""
    invalidate_cards(letters_of_site(instance))


def on_migrated(sender, apps=None, **kwargs) -> None:
    """After every deploy's `migrate`: redraw cards whose inputs changed with the code or
    settings (renderer version, `BROADSIDE_SHARE_IMAGE_FONTS`). Unchanged ones cost a
    hash each; cards are not hidden meanwhile, as fonts reveal nothing."""
    try:
        stored = (apps or django_apps).get_model("publishing", "ShareImage")
    except LookupError:
        return  # migrated back to before cards existed
    ids = list(stored.objects.values_list("page_id", flat=True).distinct().order_by("page_id"))
    if ids:
        transaction.on_commit(lambda: enqueue_render(ids))
