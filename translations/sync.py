"""Publishing a source page brings its facts to every live translation at once.

wagtail-localize copies synchronised fields (a letter's signatories, their order and
visibility, dates, topics; an organization's logo, country, website, handles) into a
translation only when that translation is published again, so the translations of a
letter showed 12 signatories against the source's 13 until each translator
republished. Here, when a page that is the source of translations is published:

1. its `TranslationSource` is updated (what *Sync translated pages* does), so the
   translation editor shows the new source and `review` carries previous translations
   over changed segments and flags them for translators;
2. the synchronised fields are copied into each live translation's page row in place,
   like wagtail-localize's own `copy_synchronised_fields`, keeping a translator's
   overrides of overridable fields. No revision is created or published: the
   translated text is not touched, a translator's draft stays the latest revision, and
   nothing is announced as a new publication.

Everything derived (cards, feeds, the API, organization pages) already follows the
source's publish: `publishing` receives the same `page_published` and invalidates the
translations' cards and cached answers in this transaction (and they are drawn after
commit, from these facts).
"""

from __future__ import annotations

import json
import logging

from django.db import models
from django.utils import timezone
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail_localize.fields import copy_synchronised_fields, get_translatable_fields
from wagtail_localize.models import OverridableSegment, TranslationSource, get_schema_version
from wagtail_localize.segments import OverridableSegmentValue
from wagtail_localize.segments.ingest import ingest_segments

from home.models.pages import gone_live
from home.signals import facts_synchronised

from .review import record_changes, segment_strings

logger = logging.getLogger(__name__)


def synchronised_field_names(model: type[models.Model]) -> set[str]:
    """Names of the fields wagtail-localize keeps identical in every language."""
    return {
        field.field_name
        for field in get_translatable_fields(model)
        if not field.is_translated(model) and field.is_synchronized(model)
    }


def live_translations(page: Page, source: TranslationSource):
    """The live, real (not alias) translations of `page` that still follow `source`.

    A translation whose translator stopped it (wagtail-localize's "Stop synced
    translation", `enabled=False`) is edited by hand and left alone.
    """
    following = source.translations.filter(enabled=True).values("target_locale_id")
    return (
        type(page)
        .objects.filter(translation_key=page.translation_key, live=True, alias_of__isnull=True)
        .filter(locale_id__in=following)
        .exclude(locale_id=page.locale_id)
        .select_related("locale")
    )


def apply_overrides(source: TranslationSource, original: Page, target: Page) -> None:
    """Re-apply a translator's overrides of synchronised plain fields (a logo, a website).

    Overrides inside text fields (a link in rich text) are left alone: ingesting
    one would rewrite the whole field from the source, translated text included.
    """
    names = synchronised_field_names(type(original))
    values = []
    for segment in (
        OverridableSegment.objects.filter(source=source)
        .annotate_override_json(target.locale_id)
        .filter(override_json__isnull=False)
        .select_related("context")
    ):
        field_name = segment.context.path.split(".")[0]
        if field_name not in names:
            continue
        field = type(target)._meta.get_field(field_name)
        if isinstance(field, StreamField | RichTextField):
            continue
        values.append(
            OverridableSegmentValue(
                segment.context.path, json.loads(segment.override_json), order=segment.order
            )
        )
    if values:
        ingest_segments(original, target, original.locale, target.locale, values)


def facts_of(page: Page, names: set[str]) -> dict:
    """The synchronised fields of `page` as stored (child rows and many-to-many included)."""
    data = page.serializable_data()
    return {name: data.get(name) for name in names}


def update_source(source: TranslationSource, page: Page) -> None:
    """`TranslationSource.update_from_db` for a page just published, refreshing its
    segments once: saving the source through the model would refresh them twice (the
    library after its save, `review` on the save signal)."""
    content_json = page.to_json()
    if json.loads(content_json) == json.loads(source.content_json):
        return
    before = segment_strings(source)
    TranslationSource.objects.filter(pk=source.pk).update(
        content_json=content_json,
        schema_version=get_schema_version(page._meta.app_label),
        object_repr=str(page)[:200],
        last_updated_at=timezone.now(),
    )
    source.refresh_from_db()
    source.refresh_segments()
    record_changes(source, before)


def synchronise_facts(page: Page) -> list[Page]:
    """Update the source of `page`'s translations and copy its facts into each live one.

    `page` is the specific, just-published source page. Returns the translations
    updated. Idempotent: a second run copies the same values.
    """
    source = TranslationSource.objects.filter(
        object_id=page.translation_key, locale_id=page.locale_id
    ).first()
    if source is None:
        return []  # nothing was ever translated from this page
    update_source(source, page)
    names = synchronised_field_names(type(page))
    updated = []
    for target in live_translations(page, source):
        before = facts_of(target, names)
        copy_synchronised_fields(page, target)
        apply_overrides(source, page, target)
        if facts_of(target, names) == before:
            continue  # a text-only edit: nothing to write
        target.save(clean=False)
        updated.append(target)
    if updated:
        facts_synchronised.send(sender=type(page), source=page, translations=updated)
        logger.info(
            "Facts of %s synchronised into %s",
            page.pk,
            ", ".join(t.locale.language_code for t in updated),
        )
    return updated


def on_page_published(sender, instance: Page, alias: bool = False, **kwargs) -> None:
    """`page_published`: an original page (never an alias) may be a translation source.

    Only a page that is live and has gone live: `page_published` also fires for a draft only
    *scheduled* with a go-live time (wagtail#13959), and an embargoed draft's text and
    facts must reach neither its live translations nor translators' email."""
    if alias or instance.alias_of_id:
        return
    if not Page.objects.filter(pk=instance.pk).filter(gone_live()).exists():
        return
    synchronise_facts(instance.specific)
