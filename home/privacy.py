"""Who may read a page: the one rule for view restrictions, across copies and translations.

THE RULE. A view restriction (password, login, groups) set on a page in the
Wagtail admin ("Privacy") applies to
- that page and its descendants (Wagtail's own rule),
- every other language version of those pages: real translations and the
  aliases wagtail-localize keeps for untranslated pages (same translation key),
- every alias of those pages (Wagtail's "alias" copies, in any tree or language),
and again to the descendants, language versions and aliases of all of those.
So a letter, an organization or a section made private is private in every
language at once, whichever language version the restriction was set on.

Wagtail's own `PageQuerySet.public()` and `Page.get_view_restrictions()` look
only at a page and its ancestors (and follow an alias one step): a restriction
on an English letter left its French translation public, and a restriction on
an index page did not reach the aliases of its letters elsewhere. Everything
that lists, serves, links or names a page goes through this module instead:
`exclude_private` for lists (our page models' `public()` calls it) and
`restrictions_for` for serving (our pages' `get_view_restrictions()`).

Both read the same computation, `private_sections()`: the subtrees (path
prefixes) the rule makes private, each with the restrictions that cover it. It
costs one query when no page is restricted, and a few more (not one per page)
when some are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from wagtail.models import Page, PageManager, PageViewRestriction
from wagtail.query import PageQuerySet


@dataclass(frozen=True)
class PrivateSection:
    """A subtree the rule makes private: its root's tree path and the restrictions on it."""

    path: str
    restriction_ids: frozenset[int]


_request_memo: ContextVar[dict | None] = ContextVar("broadside_private_sections", default=None)


def private_sections() -> list[PrivateSection]:
    """Every subtree that view restrictions make private, by THE RULE above.

    Starts from the restricted pages and spreads, a round at a time, to the
    language versions and aliases of everything already private, until a round
    adds nothing (the restrictions covering a page only ever grow, so it ends).
    Each section keeps the ids of the restrictions that reach it, so a page in
    two sections asks for both. Queries: one with no restriction at all; with
    some, one or two per round (usually two rounds), however many pages they
    cover. Within a request (see `PrivateSectionsMiddleware`) it is worked out once.
    """
    memo = _request_memo.get()
    if memo is not None and "sections" in memo:
        return memo["sections"]
    sections = _compute_private_sections()
    if memo is not None:
        memo["sections"] = sections
    return sections


def _compute_private_sections() -> list[PrivateSection]:
    seeds = list(PageViewRestriction.objects.values_list("pk", "page__path").order_by())
    if not seeds:
        return []
    sections: dict[str, set[int]] = defaultdict(set)
    for restriction_id, path in seeds:
        sections[path].add(restriction_id)
    every_id = frozenset(restriction_id for restriction_id, _path in seeds)
    while _spread(sections, every_id):
        pass
    return [PrivateSection(path, frozenset(ids)) for path, ids in sorted(sections.items())]


def _under(paths) -> Q:
    return reduce(or_, (Q(path__startswith=path) for path in paths), Q(pk__in=[]))


def _covering(sections: dict[str, set[int]], path: str) -> set[int]:
    return {i for root, ids in sections.items() if path.startswith(root) for i in ids}


def _spread(sections: dict[str, set[int]], every_id: frozenset[int]) -> bool:
    """One round: pages that are a language version or an alias of a private page
    inherit its restrictions. Returns whether anything was added."""
    private = Page.objects.filter(_under(list(sections))).order_by()
    # A page under a section that already has every restriction cannot gain any.
    complete = [path for path, ids in sections.items() if ids >= every_id]
    candidates = list(
        Page.objects.filter(
            Q(translation_key__in=private.values("translation_key"))
            | Q(alias_of__in=private.values("pk"))
        )
        .exclude(_under(complete))
        .values_list("path", "translation_key", "alias_of__path")
        .order_by("path")  # a section before what it holds: one section per subtree
    )
    if not candidates:
        return False
    holders = defaultdict(list)  # translation key -> private pages that have it
    for path, key in private.filter(
        translation_key__in={key for _path, key, _alias in candidates}
    ).values_list("path", "translation_key"):
        holders[key].append(path)
    reached_by = {path: _covering(sections, path) for paths in holders.values() for path in paths}
    changed = False
    for path, key, alias_of_path in candidates:
        reached = set().union(*(reached_by[holder] for holder in holders[key]))
        if alias_of_path:
            reached |= _covering(sections, alias_of_path)
        new = reached - _covering(sections, path)
        if new:
            sections[path] |= new
            changed = True
    return changed


def forget_private_sections(sender, instance=None, **kwargs) -> None:
    """A page or restriction saved, moved or deleted during a request: work the
    sections out again (receiver of post_save, post_delete and post_page_move)."""
    memo = _request_memo.get()
    if memo and isinstance(instance, Page | PageViewRestriction):
        memo.clear()


@contextmanager
def restrictions_read_once() -> Iterator[None]:
    """Within the block, `private_sections()` is worked out once, as within a request:
    for work outside requests (a task) that asks about many pages at one moment."""
    token = _request_memo.set({})
    try:
        yield
    finally:
        _request_memo.reset(token)


class PrivateSectionsMiddleware:
    """Works the private sections out once per request rather than once per list.

    A request sees one state of the restrictions; nothing is kept between
    requests, so a change applies to the next one in every process.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_memo.set({})
        try:
            return self.get_response(request)
        finally:
            _request_memo.reset(token)


def exclude_private(queryset: QuerySet) -> QuerySet:
    """`queryset` (of any page model) without the pages THE RULE makes private.

    What every list, search, feed, API answer, link and name shown to readers
    uses in place of Wagtail's `public()` (our page models' `public()` is this).
    """
    sections = private_sections()
    if not sections:
        return queryset
    return queryset.exclude(_under(section.path for section in sections))


def restrictions_for(page: Page) -> QuerySet[PageViewRestriction]:
    """The view restrictions a reader must pass to see `page`, by THE RULE.

    Includes Wagtail's own (the page's and its ancestors'), so it is never
    less strict than Wagtail.
    """
    sections = private_sections()
    if not sections:
        return PageViewRestriction.objects.none()
    ids = {
        restriction_id
        for section in sections
        if page.path.startswith(section.path)
        for restriction_id in section.restriction_ids
    }
    return PageViewRestriction.objects.filter(
        Q(pk__in=ids) | Q(pk__in=Page.get_view_restrictions(page).values("pk"))
    )


def readable_by(page: Page, request) -> bool:
    """Whether the reader of `request` may be sent to `page`: it is live and the reader
    passes every restriction THE RULE puts on it (a password entered, a sign-in, a group).

    For what points a reader at a page by its address without serving it (a redirect from
    its former address): the address names the page (its slug is often its title) and
    tells where it is (a private section's slug), so a reader who may not read the page
    must not be given it.
    """
    if not page.live:
        return False
    return all(restriction.accept_request(request) for restriction in restrictions_for(page))


class PrivacyAwarePageQuerySet(PageQuerySet):
    """`public()` and `not_public()` follow THE RULE rather than Wagtail's narrower one."""

    def public(self) -> PrivacyAwarePageQuerySet:
        """The pages everyone may read (see `exclude_private`)."""
        return exclude_private(self)

    def not_public(self) -> PrivacyAwarePageQuerySet:
        """The pages some restriction covers, by THE RULE."""
        return self.filter(_under(section.path for section in private_sections()))

    private = not_public


PrivacyAwarePageManager = PageManager.from_queryset(PrivacyAwarePageQuerySet)


class PrivacyAwarePageMixin:
    """Serving (Wagtail's `check_view_restrictions` hook) asks for the restrictions of THE RULE."""

    def get_view_restrictions(self) -> QuerySet[PageViewRestriction]:
        return restrictions_for(self)
