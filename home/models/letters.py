"""Letters: the page, the organizations and people who sign it, its own post texts."""

from __future__ import annotations

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from home.blocks import ContactsBlock, LetterBodyBlock
from home.networks import NetworkSelect, known_network
from home.organization_copies import organization_copy
from home.privacy import PrivacyAwarePageMixin
from home.signatories import (
    SignatoryVisibility,
    localize_pages,
    organizations_hidden_by,
    resolve_signatories,
)

from .organizations import OrganizationPage
from .pages import PAGE_TRANSLATABLE_FIELDS, ContentPageManager, NumberedChildrenMixin
from .topics import Topic, localize_topics, source_language_only, topic_in


class LetterType(models.TextChoices):
    OPEN_LETTER = "open_letter", _("Open letter")
    JOINT_STATEMENT = "joint_statement", _("Joint statement")


class LetterPage(PrivacyAwarePageMixin, NumberedChildrenMixin, Page):
    """An open letter or joint statement and the organizations that sign it."""

    objects = ContentPageManager()

    letter_type = models.CharField(
        _("kind"), max_length=20, choices=LetterType.choices, default=LetterType.OPEN_LETTER
    )
    standfirst = models.TextField(
        _("standfirst"),
        max_length=600,
        help_text=_("One or two sentences that say what the letter asks. Used in feeds and posts."),
    )
    publication_date = models.DateField(_("publication date"), default=timezone.localdate)
    addressees = models.CharField(
        _("addressed to"),
        max_length=300,
        blank=True,
        help_text=_(
            "Who the letter is written to, for example “Google, Amazon, Microsoft and Apple”."
        ),
    )
    body = StreamField(LetterBodyBlock(), verbose_name=_("body"))
    published_by = models.ForeignKey(
        OrganizationPage,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "The organization or network that publishes the letter; its “about” text is shown."
        ),
    )
    contacts = StreamField(ContactsBlock(), verbose_name=_("contacts"), blank=True)
    post_on_publish = models.BooleanField(
        _("post on publish"),
        default=True,
        help_text=_(
            "Post to the social accounts of this language when the letter is published "
            "and has not been posted yet."
        ),
    )
    topics = ParentalManyToManyField(
        Topic,
        verbose_name=_("topics"),
        blank=True,
        related_name="+",
        # Letters are filed under source-language topics; readers see the
        # topic's translation (see localized_topics).
        limit_choices_to=source_language_only,
    )

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("letter_type"), FieldPanel("publication_date")]),
        FieldPanel("standfirst"),
        FieldPanel("addressees"),
        FieldPanel("body"),
        MultiFieldPanel(
            [InlinePanel("signatories", label=_("Signatory organization"))],
            heading=_("Signatory organizations"),
        ),
        MultiFieldPanel(
            [InlinePanel("signers", label=_("Named signer"))],
            heading=_("Individually named signers"),
        ),
        FieldPanel("published_by"),
        FieldPanel("contacts"),
        FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
    ]
    # Shown on the "Sharing" tab (which publishing builds).
    sharing_panels = [
        FieldPanel("post_on_publish"),
        InlinePanel(
            "social_texts",
            label=_("Post text for one network"),
            heading=_("Post texts"),
            help_text=_("Leave empty to use each account's own template."),
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("standfirst", boost=1.5),
        index.SearchField("addressees"),
        index.SearchField("body"),
        index.FilterField("publication_date"),
    ]
    translatable_fields = PAGE_TRANSLATABLE_FIELDS + [
        TranslatableField("standfirst"),
        TranslatableField("addressees"),
        TranslatableField("body"),
        TranslatableField("contacts"),
        TranslatableField("signers"),
        TranslatableField("social_texts"),
        SynchronizedField("letter_type"),
        SynchronizedField("publication_date"),
        SynchronizedField("published_by"),
        SynchronizedField("signatories"),
        SynchronizedField("topics"),
        SynchronizedField("post_on_publish"),
    ]
    parent_page_types = ["home.LetterIndexPage"]
    subpage_types: list[str] = []
    numbered_child_relations = ("signatories", "signers", "social_texts")
    keyed_child_relations = {"signatories": "organization"}

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")

    @cached_property
    def resolved_signatories(self):
        return resolve_signatories(self)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["signatories"] = self.resolved_signatories
        context["signers"] = list(self.signers.select_related("organization"))
        context["topics"] = localized_topics(self)
        context["publisher"], context["network"] = self.publisher_and_network()
        return context

    def publisher_and_network(self):
        """The publishing organization and its network, in the page's language (three queries).

        Neither is shown when it is private, or when the letter lists it anonymously or
        withholds it (`organizations_hidden_by`): "About …" would name the signatory the
        editor hid; nor is the network of a publisher so hidden.
        """
        if not self.published_by_id:
            return None, None
        publisher = (
            OrganizationPage.objects.select_related("locale", "member_of", "member_of__locale")
            .filter(pk=self.published_by_id)
            .first()
        )
        if publisher is None:
            return None, None
        shown = set(
            OrganizationPage.objects.live()
            .public()
            .filter(pk__in=[publisher.pk, publisher.member_of_id])
            .values_list("pk", flat=True)
        )
        hidden = organizations_hidden_by(self)
        if publisher.pk not in shown or publisher.translation_key in hidden:
            return None, None
        network = publisher.member_of if publisher.member_of_id in shown else None
        if network is not None and network.translation_key in hidden:
            network = None
        pages = [publisher, network] if network else [publisher]
        localized = localize_pages(pages, self.locale_id)
        return localized[0], (localized[1] if len(localized) > 1 else None)


class LetterSignatory(TranslatableMixin, Orderable):
    """One organization that signs a letter, in the order the letter lists them.

    An at-risk signatory can be anonymised (listed without its name, optionally
    with its country) or withheld (not listed, not counted, not linked from its
    own page): the record stays so the editor keeps track of who signed.

    Translatable only so that wagtail-localize keeps each row's primary key
    when it synchronises the list into translations; it has no text.
    """

    letter = ParentalKey(LetterPage, on_delete=models.CASCADE, related_name="signatories")
    organization = models.ForeignKey(
        OrganizationPage,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="signatures",
    )
    visibility = models.CharField(
        _("visibility"),
        max_length=20,
        choices=SignatoryVisibility.choices,
        default=SignatoryVisibility.PUBLIC,
        help_text=_("Protect an at-risk signatory by hiding its name, or withholding it entirely."),
    )

    panels = [FieldRowPanel([FieldPanel("organization"), FieldPanel("visibility")])]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("signatory organization")
        verbose_name_plural = _("signatory organizations")
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "organization"], name="organization_signs_letter_once"
            )
        ]

    @property
    def is_named(self) -> bool:
        return self.visibility == SignatoryVisibility.PUBLIC

    def clean(self) -> None:
        """Name the organization's copy in the letter's language, whichever copy the editor
        picked (an alias from browsing a language tree, another language's copy):
        `home.organization_copies`."""
        super().clean()
        # A row of the editor's form knows its page's locale before it knows its page
        # (home.admin_i18n.ContentLanguagePageForm sets `page_locale`).
        letter = getattr(self, "letter", None)
        locale = getattr(self, "page_locale", None) or getattr(letter, "locale", None)
        if self.organization_id and locale is not None:
            self.organization = organization_copy(self.organization, locale.language_code)


class LetterSigner(TranslatableMixin, Orderable):
    """A person who signs a letter in their own name (their role is translated)."""

    letter = ParentalKey(LetterPage, on_delete=models.CASCADE, related_name="signers")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    organization = models.ForeignKey(
        OrganizationPage,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [FieldRowPanel([FieldPanel("name"), FieldPanel("role")]), FieldPanel("organization")]
    translatable_fields = [
        SynchronizedField("name"),
        TranslatableField("role"),
        SynchronizedField("organization"),
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("named signer")
        verbose_name_plural = _("named signers")


class LetterSocialText(TranslatableMixin, Orderable):
    """The editor's own post text for one network, instead of the account's template.

    Content, not pipeline: it is translated with the letter, so each language's
    post says what its translator wrote.
    """

    letter = ParentalKey(LetterPage, on_delete=models.CASCADE, related_name="social_texts")
    # A network's key (home.networks), checked at form time: no migration per network.
    network = models.CharField(_("network"), max_length=20)
    text = models.TextField(
        _("post text"),
        help_text=_(
            "Placeholders: {title}, {standfirst}, {url}, {signatories}, {hashtags}, {mentions}. "
            "The link to the letter is added if you leave {url} out."
        ),
    )

    panels = [FieldPanel("network", widget=NetworkSelect), FieldPanel("text")]
    translatable_fields = [SynchronizedField("network"), TranslatableField("text")]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("social post text")
        verbose_name_plural = _("social post texts")

    def clean(self) -> None:
        """The network must be one Broadside posts to."""
        super().clean()
        known_network(self.network)


def localized_topics(letter: LetterPage) -> list[Topic]:
    """The letter's topics in its language, falling back to the source names (two queries)."""
    topics = list(letter.topics.all())
    translations = localize_topics(topics, [letter.locale_id])
    return [topic_in(translations, topic, letter.locale_id) for topic in topics]
