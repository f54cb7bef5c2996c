"""Which addresses a change leaves stale at the CDN: the one home of that rule.

Given the pages a committed change touched (publish, unpublish, a move, share cards
drawn; or a change of their privacy), `addresses_to_purge` returns the absolute
addresses, on the host of each page's site, that may hold what readers saw before:

LETTER, for each of its language versions (real translations, the aliases
wagtail-localize keeps for untranslated languages, and aliases elsewhere) that is live,
or was touched or is an alias of a touched page (as one just unpublished is):
- its page;
- the listings that show it: its letter index and its language's home page, and the
  page of each organization it names (publishing.feeds.registry's rule: named, public);
- its feeds, in both formats (the registry: its language's, those organizations', its
  topics');
- the API answers: its own, its language's letter list (and the bare list for the source
  language) and, for each organization it names, that organization's letter list at the
  address the API itself links to (`?locale=…&organization=…`).

ORGANIZATION, for each live language version: its page, its organization index, its
feeds, its API answer, its language's organization list; and everything of every letter
that names it (letters show their signatories' names), and of every letter with an
"anonymous with its country" signatory from its country (whether that country is shown
depends on the public organizations from it: home.signatories).

ANY OTHER PAGE (home, index pages): each live language version's page.

Privacy. A version that some view restriction covers (home.privacy's rule) is left out:
no public answer shows it, and its address (an organization's names it) is not sent to
the CDN for nothing. When the change *is* a change of privacy (`privacy_changed`), the
page's versions and everything under them count even though they are private now: the
CDN must drop the copies it took while they were public.

Not purged (they expire by their own `max-age`; docs/deploy.md, "CDN"): answers with
other query strings (`?page=2`, API `offset`/`limit`/`topic`/`search` filters), the
former address of a page whose slug changed (a moved page's is worked out before the
move: publishing.cdn.receivers.on_page_moving). A deleted page's rows
are gone by the time the task runs: its addresses are worked out before it goes
(publishing.cdn.receivers.on_page_deleting).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from wagtail.models import Page, PageViewRestriction

from home.models import LetterPage, OrganizationPage
from home.privacy import exclude_private, private_sections, restrictions_read_once
from home.signed_letters import letters_naming, letters_showing_countries
from publishing.feeds.changes import feed_urls
from publishing.feeds.registry import feeds_about, feeds_listing

API_NAMESPACE = "broadside_api"


def addresses_to_purge(page_ids: Iterable[int], *, privacy_changed: bool = False) -> set[str]:
    """The absolute addresses the change to `page_ids` leaves stale (see the module's rule).

    `page_ids`: pages the committed change touched; ids no longer in the database (a
    deleted page) are skipped. `privacy_changed`: the change was a view restriction
    added to or removed from these pages: their versions and descendants count even when
    private. Reads the database only; safe to call any number of times.
    """
    with restrictions_read_once():
        return _Collector(set(page_ids), privacy_changed).collect()


def organization_listings(organization_ids: Iterable[int], *, letter: Page) -> set[str]:
    """The addresses listing the letters of these organizations (each public, live
    language version's page, its feeds and its API list of letters), when `letter` is
    public: a letter that stopped naming them (a signatory withheld after publication)
    is still shown there at the CDN. Nothing for a private letter: it was in no public
    answer, and the batch would tie the organizations to it."""
    if not exclude_private(Page.objects.filter(pk=letter.pk)).exists():
        return set()
    with restrictions_read_once():
        collector = _Collector(set(), privacy_changed=False)
        for organization in OrganizationPage.objects.filter(pk__in=list(organization_ids)):
            for version in collector._versions(organization):
                root = collector._page(version)
                if root is None:
                    continue
                feeds = [(feed, version) for feed in feeds_about(OrganizationPage)]
                collector.urls.update(feed_urls(version, feeds, root_url=root))
                collector._api(
                    root,
                    "list_letters",
                    query={"locale": version.locale.language_code, "organization": version.pk},
                )
        return collector.urls


class _Collector:
    """Walks the touched pages once, remembering what it has already added."""

    def __init__(self, touched: set[int], privacy_changed: bool) -> None:
        self.touched = touched
        self.privacy_changed = privacy_changed
        # The pages whose privacy changed (with their versions and descendants): counted
        # even when private now. Nothing else private is ever counted.
        self.privacy_scope: set[int] = set()
        self.urls: set[str] = set()
        self.done: set[tuple[str, int]] = set()
        # Wagtail keeps the sites' root paths on this object (Page.get_full_url(request)).
        self.url_cache = _UrlCache()
        self._restricted_pages: dict[int, int] | None = None

    def collect(self) -> set[str]:
        pages = list(Page.objects.filter(pk__in=self.touched).specific())
        if self.privacy_changed:
            pages = self._with_versions_and_descendants(pages)
        for page in pages:
            if isinstance(page, LetterPage):
                self._letter(page)
            elif isinstance(page, OrganizationPage):
                self._organization(page, with_letters=True)
            else:
                for version in self._versions(page):
                    self._page(version)
        return self.urls

    # -- what counts ----------------------------------------------------------------------
    def _with_versions_and_descendants(self, pages: list[Page]) -> list[Page]:
        """A restriction reaches every language version and alias of a page and what is
        under them (home.privacy's rule): all of those changed for readers."""
        roots = [version for page in pages for version in self._all_versions(page)]
        if not roots:
            return pages
        under = Q()
        for root in roots:
            under |= Q(path__startswith=root.path)
        pages = list(Page.objects.filter(under).specific())
        self.privacy_scope = {page.pk for page in pages}
        return pages

    def _all_versions(self, page: Page) -> list[Page]:
        """The page's language versions and aliases, itself included (any state)."""
        key = page.alias_of.translation_key if page.alias_of_id else page.translation_key
        model = type(page)
        return list(
            model.objects.filter(Q(translation_key=key) | Q(alias_of__translation_key=key))
            .select_related("locale")
            .order_by("pk")
        )

    def _versions(self, page: Page) -> list[Page]:
        """The versions whose addresses readers may have been given: live (or touched, as
        one just unpublished is), and public, or within the change of privacy."""
        versions = [
            version
            for version in self._all_versions(page)
            if version.live
            or (self.touched & {version.pk, version.alias_of_id} and _was_ever_live(version))
        ]
        if not versions:
            return versions
        public = set(
            exclude_private(Page.objects.filter(pk__in=[v.pk for v in versions])).values_list(
                "pk", flat=True
            )
        )
        return [
            v
            for v in versions
            if v.pk in public or (v.pk in self.privacy_scope and not self._private_apart(v))
        ]

    def _private_apart(self, page: Page) -> bool:
        """Whether a restriction on a page whose privacy did not change covers `page` (a
        letter private on its own, in a section made private or public again): it was in
        no public answer before the change nor after, and its address names it."""
        ids = {
            restriction_id
            for section in private_sections()
            if page.path.startswith(section.path)
            for restriction_id in section.restriction_ids
        }
        if not ids:
            return False
        if self._restricted_pages is None:
            self._restricted_pages = dict(
                PageViewRestriction.objects.values_list("pk", "page_id").order_by()
            )
        return any(self._restricted_pages.get(i) not in self.touched for i in ids)

    def _first_time(self, kind: str, page: Page) -> bool:
        if (kind, page.pk) in self.done:
            return False
        self.done.add((kind, page.pk))
        return True

    # -- pages ----------------------------------------------------------------------------
    def _letter(self, letter: LetterPage) -> None:
        for version in self._versions(letter):
            if not self._first_time("letter", version):
                continue
            root = self._page(version)
            if root is None:  # not routable: no site serves it
                continue
            language = version.locale.language_code
            ancestors = version.get_ancestors().filter(depth__gte=2)  # home, letter index
            for listing in exclude_private(ancestors.live()):
                self._page(listing)
            feeds = feeds_listing(version)
            self.urls.update(feed_urls(version, feeds, root_url=root))
            self._api(root, "letter_detail", api_id=version.pk)
            self._api_list(root, "list_letters", language)
            for organization in (s for _f, s in feeds if isinstance(s, OrganizationPage)):
                if organization.live:
                    self._page(organization)
                    self._api(
                        root,
                        "list_letters",
                        query={"locale": language, "organization": organization.pk},
                    )

    def _organization(self, organization: OrganizationPage, *, with_letters: bool) -> None:
        for version in self._versions(organization):
            if not self._first_time("organization", version):
                continue
            root = self._page(version)
            if root is None:
                continue
            index = version.get_ancestors().filter(depth=version.depth - 1)
            for listing in exclude_private(index.live()):
                self._page(listing)
            feeds = [(feed, version) for feed in feeds_about(OrganizationPage)]
            self.urls.update(feed_urls(version, feeds, root_url=root))
            language = version.locale.language_code
            self._api(root, "organization_detail", api_id=version.pk)
            self._api_list(root, "list_organizations", language)
            self._api(root, "list_letters", query={"locale": language, "organization": version.pk})
        if with_letters:
            for letter in letters_naming(OrganizationPage.objects.filter(pk=organization.pk)):
                self._letter(letter.specific)
            # Letters whose anonymous signatory's country shows or not with this organization.
            for letter in letters_showing_countries({organization.country}):
                self._letter(letter.specific)

    def _page(self, page: Page) -> str | None:
        """Add the page's address; return its site's root URL (None: no site serves it)."""
        parts = page.get_url_parts(self.url_cache)
        if parts is None:
            return None
        _site_id, root, path = parts
        self.urls.add(root + path)
        return root

    # -- the API --------------------------------------------------------------------------
    def _api_list(self, root: str, name: str, language: str) -> None:
        """A language's list, as the API gives it: `?locale=xx`, and bare for the source
        language (the default locale)."""
        self._api(root, name, query={"locale": language})
        if language == settings.LANGUAGE_CODE:
            self._api(root, name)

    def _api(self, root: str, name: str, *, query: dict | None = None, **kwargs) -> None:
        try:
            path = reverse(f"{API_NAMESPACE}:{name}", kwargs=kwargs or None)
        except NoReverseMatch:  # the API is not mounted in this URLconf
            return
        self.urls.add(root + path + (f"?{urlencode(query)}" if query else ""))


def _was_ever_live(page: Page) -> bool:
    """Whether readers may ever have been given the page (one just unpublished was): a
    page never published (a draft, an embargoed letter only scheduled) never was, and its
    address, which names it, is not sent to the CDN."""
    return page.first_published_at is not None or page.last_published_at is not None


class _UrlCache:
    """Any object Wagtail may keep the sites' root paths on while building addresses."""
