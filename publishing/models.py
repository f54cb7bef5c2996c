"""Publishing state kept in the database."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FeedsVersion(models.Model):
    """A counter bumped whenever anything a feed lists changes.

    Rendered feeds are cached under the current version, so a publish,
    unpublish, move or deletion invalidates them at once in every process
    (a version kept in a per-process cache would not), and a poll that can be
    answered with 304 costs one indexed read.
    """

    version = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("feeds version")

    @classmethod
    def current(cls) -> int:
        row = cls.objects.filter(pk=1).values_list("version", flat=True).first()
        return row or cls.objects.get_or_create(pk=1)[0].version

    @classmethod
    def bump(cls) -> None:
        if not cls.objects.filter(pk=1).update(version=models.F("version") + 1):
            cls.objects.get_or_create(pk=1, defaults={"version": 2})
