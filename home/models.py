"""Content: the pages and snippets an editor writes.

This app knows nothing of the publishing pipeline (feeds, share cards, social
posts): `publishing` listens to Wagtail's signals and offers template tags.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model_string
from wagtail.models import Orderable, Page, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from .blocks import ContactsBlock, LetterBodyBlock
from .countries import country_name, validate_country_code
from .links import validate_http_url
from .privacy import PrivacyAwarePageManager, PrivacyAwarePageMixin
from .widgets import CountrySelect

PAGE_TRANSLATABLE_FIELDS = [
    TranslatableField("title"),
    TranslatableField("slug"),
    TranslatableField("seo_title"),
    TranslatableField("search_description"),
]
LETTERS_PER_PAGE = 20


class SocialNetwork(models.TextChoices):
    """Networks on which an organization can be mentioned by its handle."""

    X = "x", "X"
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    LINKEDIN = "linkedin", "LinkedIn"
    THREADS = "threads", "Threads"


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


class NumberedChildrenMixin:
    """Number child rows that were added in code without a `sort_order`.

    The editor's formsets number them; rows built in code (imports, the demo)
    would be saved with none, and PostgreSQL returns unnumbered rows in any order.
    """

    numbered_child_relations: tuple[str, ...] = ()
    # Child relations whose rows are unique per page by a field: {relation: field name}.
    keyed_child_relations: dict[str, str] = {}

    def save(self, *args, **kwargs):
        for relation, key in self.keyed_child_relations.items():
            self._merge_new_rows_into_stored_ones(relation, key)
        for relation in self.numbered_child_relations:
            children = list(getattr(self, relation).all())
            if any(child.sort_order is None for child in children):
                for index, child in enumerate(children):
                    child.sort_order = index
        return super().save(*args, **kwargs)

    def _merge_new_rows_into_stored_ones(self, relation: str, key: str) -> None:
        """A new row whose key (e.g. its organization) already has a stored row updates that
        row instead of inserting a duplicate the unique constraint refuses.

        The editor's form sends stored rows with their ids; a row arrives without one when
        another save of the page (its autosave, a second tab, another editor) stored it
        after this form was loaded. Its values are the latest typed, so they win; the stored
        row's id and translation key are kept, so translations stay linked to it.
        """
        if self.pk is None:
            return
        children = list(getattr(self, relation).all())
        if all(child.pk is not None for child in children):
            return
        parental_key = self._meta.get_field(relation).field
        attname = parental_key.model._meta.get_field(key).attname
        stored = {
            getattr(row, attname): row
            for row in parental_key.model._default_manager.filter(**{parental_key.name: self.pk})
        }
        merged: dict = {}
        for child in children:
            value = getattr(child, attname)
            if child.pk is None and value in stored:
                child.pk = stored[value].pk
                if hasattr(child, "translation_key"):
                    child.translation_key = stored[value].translation_key
                merged[value] = child  # the new values replace the stored row's
            elif value not in merged:
                merged[value] = child
        if len(merged) != len(children):
            setattr(self, relation, list(merged.values()))


class IntroPage(PrivacyAwarePageMixin, Page):
    """A page that is a title and a short introduction above a listing."""

    # Every page model: `public()` and serving follow home.privacy's rule.
    objects = PrivacyAwarePageManager()

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    translatable_fields = PAGE_TRANSLATABLE_FIELDS + [TranslatableField("intro")]

    class Meta:
        abstract = True


class HomePage(IntroPage):
    """The root of one language's tree."""

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["home.LetterIndexPage", "home.OrganizationIndexPage"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_letters"] = letters_for_listing(
            LetterPage.objects.live().public().descendant_of(self)
        )[:5]
        return context


class LetterIndexPage(IntroPage):
    parent_page_types = ["home.HomePage"]
    subpage_types = ["home.LetterPage"]

    class Meta:
        verbose_name = _("letter index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        letters = letters_for_listing(LetterPage.objects.live().public().child_of(self))
        context["letters"] = Paginator(letters, LETTERS_PER_PAGE).get_page(request.GET.get("page"))
        return context


class OrganizationIndexPage(IntroPage):
    parent_page_types = ["home.HomePage"]
    subpage_types = ["home.OrganizationPage"]

    class Meta:
        verbose_name = _("organization index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["organizations"] = (
            OrganizationPage.objects.live()
            .public()
            .child_of(self)
            .order_by("title")
            .select_related("logo", "locale")
        )
        return context


class OrganizationPage(PrivacyAwarePageMixin, NumberedChildrenMixin, Page):
    """An organization that signs letters: a member of a network, or the network itself."""

    objects = PrivacyAwarePageManager()

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
        from .signatories import letters_signed_by

        context = super().get_context(request, *args, **kwargs)
        context["letters"] = letters_for_listing(letters_signed_by(self))
        return context


class OrganizationHandle(TranslatableMixin, Orderable):
    organization = ParentalKey(OrganizationPage, on_delete=models.CASCADE, related_name="handles")
    network = models.CharField(_("network"), max_length=20, choices=SocialNetwork.choices)
    handle = models.CharField(
        _("handle"),
        max_length=200,
        help_text=_("As the network writes it: @aclu, @aclu@mastodon.social, aclu.org …"),
    )

    panels = [FieldRowPanel([FieldPanel("network"), FieldPanel("handle")])]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("social handle")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "network"], name="one_handle_per_network"
            )
        ]


class LetterType(models.TextChoices):
    OPEN_LETTER = "open_letter", _("Open letter")
    JOINT_STATEMENT = "joint_statement", _("Joint statement")


class LetterPage(PrivacyAwarePageMixin, NumberedChildrenMixin, Page):
    """An open letter or joint statement and the organizations that sign it."""

    objects = PrivacyAwarePageManager()

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
        from .signatories import resolve_signatories

        return resolve_signatories(self)

    def get_context(self, request, *args, **kwargs):

        context = super().get_context(request, *args, **kwargs)
        context["signatories"] = self.resolved_signatories
        context["signers"] = list(self.signers.select_related("organization"))
        context["topics"] = localized_topics(self)
        context["publisher"], context["network"] = self.publisher_and_network()
        return context

    def publisher_and_network(self):
        """The publishing organization and its network, in the page's language (two queries)."""
        from .signatories import localize_pages

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
        if publisher.pk not in shown:
            return None, None
        network = publisher.member_of if publisher.member_of_id in shown else None
        pages = [publisher, network] if network else [publisher]
        localized = localize_pages(pages, self.locale_id)
        return localized[0], (localized[1] if len(localized) > 1 else None)


class SignatoryVisibility(models.TextChoices):
    PUBLIC = "public", _("Named")
    ANONYMOUS_WITH_COUNTRY = "anonymous_country", _("Anonymous, country shown")
    ANONYMOUS = "anonymous", _("Anonymous")
    WITHHELD = "withheld", _("Withheld: not listed or counted anywhere")


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
    network = models.CharField(_("network"), max_length=20, choices=SocialNetwork.choices)
    text = models.TextField(
        _("post text"),
        help_text=_(
            "Placeholders: {title}, {standfirst}, {url}, {signatories}, {hashtags}, {mentions}. "
            "The link to the letter is added if you leave {url} out."
        ),
    )

    panels = [FieldPanel("network"), FieldPanel("text")]
    translatable_fields = [SynchronizedField("network"), TranslatableField("text")]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("social post text")
        verbose_name_plural = _("social post texts")


def letters_for_listing(queryset):
    """Letters newest first, with what a listing shows fetched up front."""
    return queryset.select_related("locale", "alias_of").order_by(
        "-publication_date", "-first_published_at", "-pk"
    )


def localized_topics(letter: LetterPage) -> list[Topic]:
    """The letter's topics in the active language, falling back to the source names."""
    topics = list(letter.topics.all())
    if not topics:
        return []
    translated = {
        topic.translation_key: topic
        for topic in Topic.objects.filter(
            translation_key__in=[t.translation_key for t in topics], locale_id=letter.locale_id
        )
    }
    return [translated.get(topic.translation_key, topic) for topic in topics]


__all__ = [
    "HomePage",
    "LetterIndexPage",
    "LetterPage",
    "LetterSignatory",
    "LetterSigner",
    "OrganizationHandle",
    "OrganizationIndexPage",
    "OrganizationPage",
    "SignatoryVisibility",
    "SocialNetwork",
    "Topic",
]
