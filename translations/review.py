"""Carry previous translations over changed source segments, and flag them for review.

wagtail-localize keys a translation on the exact source string. When the source
text of a segment changes, the new string has no translation, and publishing the
translation (its editor, *Sync translated pages … Publish*) uses the source text
instead (`fallback=True`): a live Hindi page showed the English standfirst because
three English words changed. Here, whenever a `TranslationSource` is updated (the
source page published, *Sync translated pages*), each changed segment gets the
translation its previous source string had in the same place (context), so the
translation stays live in its own language, and an `OutdatedSegment` records the
source change for the translator. A translator saving the segment (editor or PO
import) clears the flag.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)

from .models import OutdatedSegment

# `tool_name` of a translation carried over from the previous source text; such a
# translation is not a translator's review of the new text.
CARRIED_TOOL = "broadside:previous-translation"


@dataclass(frozen=True)
class ChangedSegment:
    """A segment of the new source whose text is new: changed (`previous_*` set) or added."""

    context_id: int
    position: int  # index among the context's strings, in source order
    string_id: int
    text: str
    previous_string_id: int | None
    previous_text: str


def segment_strings(source: TranslationSource) -> dict[int, list[tuple[int, str]]]:
    """{context id: [(string id, text), …] in source order} for a source's string segments."""
    strings: dict[int, list[tuple[int, str]]] = defaultdict(list)
    rows = (
        StringSegment.objects.filter(source=source)
        .order_by("order")
        .values_list("context_id", "string_id", "string__data")
    )
    for context_id, string_id, text in rows:
        strings[context_id].append((string_id, text))
    return strings


def changed_segments(
    before: dict[int, list[tuple[int, str]]], after: dict[int, list[tuple[int, str]]]
) -> list[ChangedSegment]:
    """The segments of `after` whose string is not where it was in `before`.

    Within one context (a field, a block; a rich text one holds several strings)
    old and new strings are aligned with difflib: a replaced string is paired with
    the one it replaced, an inserted one has no previous text. Removed strings are
    not listed: their text leaves the translation with them.
    """
    changed = []
    for context_id, new in after.items():
        old = before.get(context_id, [])
        matcher = difflib.SequenceMatcher(a=[s for s, _ in old], b=[s for s, _ in new])
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag in ("equal", "delete"):
                continue
            for offset, j in enumerate(range(j1, j2)):
                i = i1 + offset
                previous = old[i] if tag == "replace" and i < i2 else (None, "")
                changed.append(
                    ChangedSegment(context_id, j, new[j][0], new[j][1], previous[0], previous[1])
                )
    return changed


def carry_previous_translations(
    source: TranslationSource, changed: list[ChangedSegment]
) -> list[int]:
    """Give each enabled translation of `source` its previous text for every changed segment, and
    record the segment for review. Returns the ids of the translations that got new flags.

    A segment whose new string is already translated in that place (the source went
    back to an earlier text, or a translator was quick) needs nothing. Queries: two per
    translation, plus one per carried segment.
    """
    flagged = []
    string_ids = {c.string_id for c in changed} | {
        c.previous_string_id for c in changed if c.previous_string_id
    }
    context_ids = {c.context_id for c in changed}
    translations = Translation.objects.filter(source=source, enabled=True)
    for translation in translations.select_related("target_locale"):
        existing = {
            (t.translation_of_id, t.context_id): t
            for t in StringTranslation.objects.filter(
                locale_id=translation.target_locale_id,
                context_id__in=context_ids,
                translation_of_id__in=string_ids,
                has_error=False,
            )
        }
        reviews = {
            (r.context_id, r.position): r
            for r in OutdatedSegment.objects.filter(translation=translation)
        }
        new_flags = False
        for change in changed:
            if (change.string_id, change.context_id) in existing:
                continue
            previous = existing.get((change.previous_string_id, change.context_id))
            if previous is not None:
                StringTranslation.objects.create(
                    translation_of_id=change.string_id,
                    locale_id=translation.target_locale_id,
                    context_id=change.context_id,
                    data=previous.data,
                    translation_type=previous.translation_type,
                    tool_name=CARRIED_TOOL,
                )
            review = reviews.get((change.context_id, change.position))
            if review is None:
                OutdatedSegment.objects.create(
                    translation=translation,
                    context_id=change.context_id,
                    position=change.position,
                    current_string_id=change.string_id,
                    current_source=change.text,
                    previous_source=change.previous_text,
                    previous_translation=previous.data if previous else "",
                )
            else:  # changed again before review: keep what the translator last saw
                review.current_string_id = change.string_id
                review.current_source = change.text
                review.notified_at = None
                review.save()
            new_flags = True
        if new_flags:
            flagged.append(translation.pk)
    return flagged


def forget_removed_segments(source: TranslationSource) -> None:
    """Reviews of segments the source no longer has are moot."""
    current = {
        (context_id, position)
        for context_id, strings in segment_strings(source).items()
        for position in range(len(strings))
    }
    for review in OutdatedSegment.objects.filter(translation__source=source).only(
        "pk", "context_id", "position"
    ):
        if (review.context_id, review.position) not in current:
            review.delete()


def on_translation_source_saved(sender, instance: TranslationSource, created, raw=False, **kw):
    """A source updated from its object (`update_or_create_from_instance`, `update_from_db`).

    Both save the new content first and refresh the segments right after: the stored
    segments are still the previous ones here. They are read, refreshed now (the
    second refresh finds nothing to do), and compared. (A source page's publish
    updates its source without this double refresh: `sync.update_source`.)
    """
    if created or raw:
        return
    before = segment_strings(instance)
    instance.refresh_segments()
    record_changes(instance, before)


def record_changes(source: TranslationSource, before: dict[int, list[tuple[int, str]]]) -> None:
    """After `source`'s segments were refreshed: carry previous translations over what
    changed since `before` (`segment_strings` of the old segments), flag it, and have
    the translators told after commit."""
    changed = changed_segments(before, segment_strings(source))
    forget_removed_segments(source)
    if not changed:
        return
    flagged = carry_previous_translations(source, changed)
    if flagged:
        from .tasks import notify_translators

        transaction.on_commit(lambda: notify_translators.enqueue(flagged))


def on_string_translated(sender, instance: StringTranslation, raw=False, **kwargs) -> None:
    """A translator saved a segment (translation editor, PO import): it is reviewed."""
    if raw or instance.tool_name == CARRIED_TOOL:
        return
    OutdatedSegment.objects.filter(
        context_id=instance.context_id,
        current_string_id=instance.translation_of_id,
        translation__target_locale_id=instance.locale_id,
    ).delete()


def mark_reviewed(translation: Translation, review_ids: list[int] | None = None) -> int:
    """A translator keeps the carried translations as they are. Returns how many were cleared.

    The carried translations become the translator's own (no longer `CARRIED_TOOL`).
    """
    reviews = OutdatedSegment.objects.filter(translation=translation)
    if review_ids is not None:
        reviews = reviews.filter(pk__in=review_ids)
    for review in reviews:
        StringTranslation.objects.filter(
            translation_of_id=review.current_string_id,
            context_id=review.context_id,
            locale_id=translation.target_locale_id,
            tool_name=CARRIED_TOOL,
        ).update(tool_name="")
    return reviews.delete()[0]
