"""Organizations that sign letters, and their social handles."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.fields import RichTextField
from wagtail.images import get_image_model_string
from wagtail.models import Orderable, Page, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from home.countries import country_name, validate_country_code
from home.links import validate_http_url
from home.networks import NetworkSelect, clean_handle, network_label
from home.privacy import PrivacyAwarePageMixin
from home.signed_letters import letters_signed_by
from home.widgets import CountrySelect

from .pages import (
    PAGE_TRANSLATABLE_FIELDS,
    ContentPageManager,
    NumberedChildrenMixin,
    letters_for_listing,
)


class OrganizationPage(PrivacyAwarePageMixin, NumberedChildrenMixin, Page):
    """An organization that signs letters: a member of a network, or the network itself."""

    objects = ContentPageManager()

    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        validators=[validate_country_code],
        help_text=_("Where the organization is based. Shown in the reader's language."),
    )
    logo = models.ForeignKey(
        get_image_model_string(),
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    website = models.URLField(_("website"), blank=True)
    description = RichTextField(_("description"), blank=True, features=["bold", "italic", "link"])
    member_of = models.ForeignKey(
        "home.OrganizationPage",
        verbose_name=_("member of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        help_text=_("The network this organization belongs to, if any."),
    )

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("acronym"), FieldPanel("country", widget=CountrySelect)]),
        FieldPanel("logo"),
        FieldPanel("website"),
        FieldPanel("description"),
        FieldPanel("member_of"),
        InlinePanel("handles", label=_("Social handles")),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("acronym", boost=2),
        index.AutocompleteField("acronym"),
        index.SearchField("description"),
        index.FilterField("country"),
    ]
    translatable_fields = PAGE_TRANSLATABLE_FIELDS + [
        TranslatableField("acronym"),
        TranslatableField("description"),
        SynchronizedField("country"),
        SynchronizedField("logo"),
        SynchronizedField("website"),
        SynchronizedField("member_of"),
        SynchronizedField("handles"),
    ]
    parent_page_types = ["home.OrganizationIndexPage"]
    subpage_types: list[str] = []
    numbered_child_relations = ("handles",)
    keyed_child_relations = {"handles": "network"}

    class Meta:
        verbose_name = _("organization page")

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    def clean(self) -> None:
        """The website becomes a link on the page and in the API: http(s) only (home.links)."""
        super().clean()
        try:
            validate_http_url(self.website)
        except ValidationError as error:
            raise ValidationError({"website": error.messages}) from None

    @property
    def display_name(self) -> str:
        """Name with acronym, as signatory lists show it: “Liberty” or “American … (ACLU)”."""
        if self.acronym and self.acronym.casefold() not in self.title.casefold():
            return f"{self.title} ({self.acronym})"
        return self.title

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["letters"] = letters_for_listing(letters_signed_by(self))
        return context


class OrganizationHandle(TranslatableMixin, Orderable):
    organization = ParentalKey(OrganizationPage, on_delete=models.CASCADE, related_name="handles")
    # A network's key (home.networks): offered and checked at form time, so adding a
    # network needs no migration here.
    network = models.CharField(_("network"), max_length=20)
    handle = models.CharField(
        _("handle"),
        max_length=200,
        help_text=_("As the network writes it: @aclu, @aclu@mastodon.social, aclu.org …"),
    )

    panels = [FieldRowPanel([FieldPanel("network", widget=NetworkSelect), FieldPanel("handle")])]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("social handle")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "network"], name="one_handle_per_network"
            )
        ]

    @property
    def network_label(self) -> str:
        return network_label(self.network)

    def clean(self) -> None:
        """The network must be one Broadside posts to; the handle is written its way."""
        super().clean()
        self.handle = clean_handle(self.network, self.handle)
