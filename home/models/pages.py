"""What every page model of the site shares: translated fields, child-row numbering,
the privacy-aware manager with the one "shareable" rule, the intro pages."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page, PageManager
from wagtail.query import PageQuerySet
from wagtail_localize.fields import TranslatableField

from home.privacy import PrivacyAwarePageMixin, PrivacyAwarePageQuerySet, exclude_private

PAGE_TRANSLATABLE_FIELDS = [
    TranslatableField("title"),
    TranslatableField("slug"),
    TranslatableField("seo_title"),
    TranslatableField("search_description"),
]
LETTERS_PER_PAGE = 20


def gone_live() -> Q:
    """Live pages that have gone live: no go-live time, or it has passed, or the page was
    published at or after it (by `publish_scheduled`, whose clock decided). `live` alone is
    not trusted: `page_published` can fire for a draft only *scheduled* with `go_live_at`
    (wagtail#13959). A condition for any queryset of pages."""
    return Q(live=True) & (
        Q(go_live_at__isnull=True)
        | Q(go_live_at__lte=timezone.now())
        | Q(last_published_at__gte=F("go_live_at"))
    )


def shareable_pages(pages: PageQuerySet) -> PageQuerySet:
    """THE RULE for "a live, public, original page", on any queryset of pages: live and
    gone live, no view restriction reaching it (home.privacy), not an alias.

    What feeds list, what is posted and announced, what the API and the language
    switcher give as a page's translations. Gone live: no go-live time, or it has
    passed, or the page was published at or after it (by `publish_scheduled`, whose
    clock decided). `live` alone is not trusted: `page_published` can fire for a draft
    only *scheduled* with `go_live_at` (wagtail#13959). An alias stands in for a page
    of another tree or language; it is not that page's original. Adds conditions to
    one query (home.privacy's own runs once per request).
    """
    return exclude_private(pages.filter(gone_live())).filter(alias_of__isnull=True)


class ContentPageQuerySet(PrivacyAwarePageQuerySet):
    """Our pages' queryset: `public()` by home.privacy's rule, and `shareable()`."""

    def originals(self) -> ContentPageQuerySet:
        """Pages that are not aliases (an alias shows the content of a page elsewhere)."""
        return self.filter(alias_of__isnull=True)

    def shareable(self) -> ContentPageQuerySet:
        """Live, public, original pages: see `shareable_pages`."""
        return shareable_pages(self)


ContentPageManager = PageManager.from_queryset(ContentPageQuerySet)


def letters_for_listing(queryset):
    """Letters newest first, with what a listing shows fetched up front."""
    return queryset.select_related("locale", "alias_of").order_by(
        "-publication_date", "-first_published_at", "-pk"
    )


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
    objects = ContentPageManager()

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    translatable_fields = PAGE_TRANSLATABLE_FIELDS + [TranslatableField("intro")]

    class Meta:
        abstract = True
