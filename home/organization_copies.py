"""Which copy of an organization a letter names: one per organization, in the letter's language.

Every language tree holds a copy of each organization page: a real translation, or an
alias standing in for one (wagtail-localize's synchronised trees). A signatory names one
real copy; readers then see the organization in their own language (`home.signatories`).
The copy chosen for a letter in language L is, per organization (`translation_key`):
1. its real (not alias) copy in L;
2. else its real copy in the default language (settings.LANGUAGE_CODE);
3. else its original, the oldest real copy.
The organization chooser's search finds an organization by the name of any of its copies
(an English name finds the Russian copy) and lists only these copies, marking those not in
L with their language, and a signatory row stores its organization's copy by the same rule
whichever copy was picked (browsing a language tree offers aliases too).
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.utils.translation import gettext as _


def _organization_model():
    return apps.get_model("home", "OrganizationPage")


def _rank(language_code: str, wanted: str, pk: int) -> tuple[int, int]:
    if language_code == wanted:
        return (0, pk)
    if language_code == settings.LANGUAGE_CODE:
        return (1, pk)
    return (2, pk)


def organization_copies_for(language_code: str) -> dict[int, tuple[object, str]]:
    """`{page id: (translation_key, language code)}` of each organization's copy for a
    letter in `language_code` (rules in the module docstring). One query, on ids and codes."""
    best: dict[object, tuple[tuple[int, int], int, str]] = {}
    rows = (
        _organization_model()
        .objects.filter(alias_of__isnull=True)
        .values_list("pk", "translation_key", "locale__language_code")
    )
    for pk, key, code in rows:
        rank = _rank(code, language_code, pk)
        if key not in best or rank < best[key][0]:
            best[key] = (rank, pk, code)
    return {pk: (key, code) for key, (_rank_, pk, code) in best.items()}


def organization_copy(organization, language_code: str):
    """The copy of `organization` (any copy, alias or not) a letter in `language_code`
    names. One query; `organization` itself when it is that copy already."""
    copies = (
        _organization_model()
        .objects.filter(translation_key=organization.translation_key, alias_of__isnull=True)
        .select_related("locale")
    )
    candidates = sorted(copies, key=lambda c: _rank(c.locale.language_code, language_code, c.pk))
    return candidates[0] if candidates else organization


def chooser_language(request) -> str:
    """The language the page chooser was opened for: Wagtail's choosers send the edited
    page's locale as `locale` (`ACTIVE_CONTENT_LOCALE`); the default language otherwise."""
    return request.GET.get("locale") or settings.LANGUAGE_CODE


CHOOSER_SEARCH = "wagtailadmin_choose_page_search"
CHOOSER_VIEWS = {"wagtailadmin_choose_page", "wagtailadmin_choose_page_child", CHOOSER_SEARCH}


def choosing_organizations(request, *, search_only: bool = False) -> bool:
    """Whether this request is the organization chooser (its search, with `search_only`)."""
    match = request.resolver_match
    from wagtail.admin.views.chooser import page_models_from_string  # admin only: not at import

    views = {CHOOSER_SEARCH} if search_only else CHOOSER_VIEWS
    if match is None or match.url_name not in views:
        return False
    try:
        models = page_models_from_string(request.GET.get("page_type") or "")
    except (ValueError, LookupError):
        return False
    return all(issubclass(model, _organization_model()) for model in models)


def copy_language(request, page) -> str:
    """The language of the copy a letter in the chooser's language would store for `page`
    (a chooser row), read once per request."""
    cache = getattr(request, "_organization_copy_languages", None)
    if cache is None:
        copies = organization_copies_for(chooser_language(request))
        cache = request._organization_copy_languages = dict(copies.values())
    return cache.get(page.translation_key, page.locale.language_code)


# How many copies a search reads to find the organizations it matched.
SEARCH_LIMIT = 1000


class _FindsEveryCopy:
    """A page queryset restricted to the chosen copies whose `autocomplete` matches the
    names of every copy: Wagtail's chooser search calls `autocomplete(q)` on it last."""

    def autocomplete(self, query, *args, **kwargs):
        matched = _organization_model().objects.all().autocomplete(query)[:SEARCH_LIMIT]
        keys = {page.translation_key for page in matched}
        return self.filter(translation_key__in=keys).order_by("title", "pk")


_classes: dict[type, type] = {}


def chosen_copies_only(pages, language_code: str):
    """`pages` (the chooser's queryset) narrowed to each organization's copy for a letter
    in `language_code`, searched by the names of all its copies."""
    narrowed = pages.filter(pk__in=list(organization_copies_for(language_code)))
    base = type(narrowed)
    if base not in _classes:
        _classes[base] = type(f"EveryCopy{base.__name__}", (_FindsEveryCopy, base), {})
    narrowed.__class__ = _classes[base]
    return narrowed


def refuse_an_organization_twice(formset) -> bool:
    """Add an error to each row of the signatories `formset` that names an organization an
    earlier row names already, through any copy (two copies become one once stored, and
    the database allows a letter one row per organization). Call it after the rows were
    validated (their `clean()` picked each organization's copy). True when none repeats."""
    seen: set[int] = set()
    alone = True
    for form in formset.forms:
        if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
            continue
        organization_id = getattr(form.instance, "organization_id", None)
        if organization_id is None:
            continue
        if organization_id in seen:
            form.add_error(
                "organization",
                _("This organization signs the letter already, in another row."),
            )
            alone = False
        seen.add(organization_id)
    return alone
