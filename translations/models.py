"""What a translator must review after the source of their translation changed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutdatedSegment(models.Model):
    """One segment of a translation whose source text changed since it was translated.

    The previous translation stays live (wagtail-localize is given it as the
    translation of the new source string) until a translator saves a new one,
    which deletes this row. `previous_source` is empty for a segment the source
    added; `previous_translation` is empty when there was none to carry over.
    """

    translation = models.ForeignKey(
        "wagtail_localize.Translation", on_delete=models.CASCADE, related_name="+"
    )
    context = models.ForeignKey(
        "wagtail_localize.TranslationContext", on_delete=models.CASCADE, related_name="+"
    )
    # Index among the strings of one context (a rich text field holds several).
    position = models.PositiveIntegerField(default=0)
    current_string = models.ForeignKey(
        "wagtail_localize.String", on_delete=models.CASCADE, related_name="+"
    )
    previous_source = models.TextField(_("previous source text"), blank=True)
    current_source = models.TextField(_("current source text"))
    previous_translation = models.TextField(_("previous translation"), blank=True)
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)
    # Set when the translators of the language were sent this change (tasks.py).
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("segment to review")
        verbose_name_plural = _("segments to review")
        ordering = ["translation_id", "context__path", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["translation", "context", "position"], name="one_review_per_segment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.context.path} → {self.translation.target_locale}"
