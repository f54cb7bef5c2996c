"""Cache versions and share cards."""

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.images import get_image_model_string

from page_cache.store import retire_pages

hex_colour = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Enter a colour as # and six hexadecimal digits, like #1b1b1f.")
)

# The settings.STORAGES alias cards are stored under (publishing.share_images.storage).
SHARE_IMAGES_STORAGE = "share_images"


def font_family_choices() -> list[tuple[str, str]]:
    return [(key, key) for key in settings.BROADSIDE_SHARE_IMAGE_FONTS]


class ContentVersion(models.Model):
    """A counter bumped whenever public content changes (publish, unpublish, move, delete,
    privacy, topics, share cards).

    Rendered feeds and API answers are cached under the current version, so a
    change invalidates them at once in every process (a version kept in a
    per-process cache would not), and a poll that can be answered with 304
    costs one indexed read.
    """

    version = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("content version")

    @classmethod
    def current(cls) -> int:
        row = cls.objects.filter(pk=1).values_list("version", flat=True).first()
        return row or cls.objects.get_or_create(pk=1)[0].version

    @classmethod
    def bump(cls) -> None:
        now = timezone.now()
        if not cls.objects.filter(pk=1).update(version=models.F("version") + 1, changed_at=now):
            cls.objects.get_or_create(pk=1, defaults={"version": 2})
        # Whole pages show the same content: retired once the change is visible to readers.
        transaction.on_commit(retire_pages)

    @classmethod
    def last_changed(cls):
        return cls.objects.filter(pk=1).values_list("changed_at", flat=True).first()


class ShareImage(models.Model):
    """The rendered share card of one page in one variant (og, square, portrait, bluesky).

    `input_hash` covers everything the card shows, so a republish with the same
    inputs renders nothing; the file name contains it, so its URL changes
    exactly when the image does and can be cached for ever.

    `stale` is set, in the transaction that changes any input of the card
    (`publishing.share_images.changes`), until the card is redrawn or confirmed:
    pages, feeds and the API show no card rather than a stale one, which could
    still show a signatory withheld since. `generation` counts those changes, so
    a redraw that read older inputs cannot mark a newer change done.
    """

    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="share_images"
    )
    variant = models.CharField(_("variant"), max_length=20)
    input_hash = models.CharField(max_length=64)
    file_name = models.CharField(max_length=255)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField(help_text=_("In bytes."))
    mime_type = models.CharField(max_length=50)
    alt_text = models.TextField(_("alternative text"))
    problems = models.JSONField(
        default=list,
        blank=True,
        help_text=_("What could not be drawn (bad logos, missing glyphs)."),
    )
    rendered_at = models.DateTimeField(auto_now=True)
    stale = models.BooleanField(
        default=False, help_text=_("An input changed since it was drawn; it is not shown.")
    )
    generation = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("share image")
        constraints = [
            models.UniqueConstraint(fields=["page", "variant"], name="one_share_image_per_variant")
        ]

    def __str__(self) -> str:
        return f"{self.page_id} {self.variant}"

    @property
    def url(self) -> str:
        return storages[SHARE_IMAGES_STORAGE].url(self.file_name)


class ShareImageOverride(models.Model):
    """An image the editor chose instead of the generated card, for one page."""

    page = ParentalKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="share_image_overrides"
    )
    image = models.ForeignKey(
        get_image_model_string(),
        verbose_name=_("image"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    alt_text = models.CharField(
        _("alternative text"),
        max_length=400,
        help_text=_("Describe the image for people who cannot see it."),
    )

    panels = [FieldPanel("image"), FieldPanel("alt_text")]

    class Meta:
        verbose_name = _("share image override")


@register_setting(icon="image")
class ShareCardSettings(BaseSiteSetting):
    """How generated share cards look."""

    background_colour = models.CharField(
        _("background colour"), max_length=7, default="#1b1b1f", validators=[hex_colour]
    )
    text_colour = models.CharField(
        _("text colour"), max_length=7, default="#fbfaf7", validators=[hex_colour]
    )
    accent_colour = models.CharField(
        _("accent colour"), max_length=7, default="#e4572e", validators=[hex_colour]
    )
    brand = models.CharField(
        _("brand"),
        max_length=80,
        blank=True,
        help_text=_("Shown on every card. Default: the site name."),
    )
    font_family = models.CharField(
        _("font family"), max_length=40, default="noto-sans", choices=font_family_choices
    )

    panels = [
        FieldPanel("brand"),
        FieldPanel("background_colour"),
        FieldPanel("text_colour"),
        FieldPanel("accent_colour"),
        FieldPanel("font_family"),
    ]

    class Meta:
        verbose_name = _("share cards")
