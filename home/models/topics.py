"""Topics letters are filed under, and showing them in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import TranslatableMixin
from wagtail_localize.fields import SynchronizedField, TranslatableField


class Topic(TranslatableMixin, models.Model):
    """A subject letters are filed under (and followed through its feed)."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(
        _("slug"), max_length=100, allow_unicode=False, help_text=_("Used in feed addresses.")
    )

    panels = [FieldPanel("name"), FieldPanel("slug")]
    translatable_fields = [TranslatableField("name"), SynchronizedField("slug")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["locale", "slug"], name="unique_topic_slug_per_locale")
        ]

    def __str__(self) -> str:
        return self.name


def source_language_only() -> dict:
    """Choices limited to the source language (used by the topic picker)."""
    return {"locale__language_code": settings.LANGUAGE_CODE}


def localize_topics(topics: Iterable[Topic], locale_ids: Iterable[int]) -> dict:
    """Each topic's translation into each of `locale_ids`, by (translation key, locale id).

    Letters are filed under source-language topics; a reader sees the topic's name in
    the letter's language, or the source name where it is not translated. One query
    for any number of topics and languages (none when there are no topics). Use with
    `topic_in`, which falls back to the topic itself.
    """
    keys = {topic.translation_key for topic in topics}
    if not keys:
        return {}
    return {
        (topic.translation_key, topic.locale_id): topic
        for topic in Topic.objects.filter(translation_key__in=keys, locale_id__in=set(locale_ids))
    }


def topic_in(translations: dict, topic: Topic, locale_id: int) -> Topic:
    """`topic` in `locale_id` from a `localize_topics` answer: its translation, else itself."""
    return translations.get((topic.translation_key, locale_id), topic)
