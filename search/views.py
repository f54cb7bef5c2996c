"""Search over letters and organizations, in the reader's language.

Each language's tree is searched on its own: a French reader finds French
translations, and letters not yet translated (tree-synchronisation aliases,
labelled with their real language), never the same letter twice.
"""

from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.contrib.search_promotions.models import Query
from wagtail.models import Locale, Page

from home.models import LetterPage, OrganizationPage
from home.privacy import exclude_private

from .query import words_only

RESULTS_PER_PAGE = 20
MAX_QUERY_LENGTH = 200


def search(request):
    query = request.GET.get("query", "").strip()
    error = ""
    results = None
    if query and not words_only(query):
        results = Paginator([], RESULTS_PER_PAGE).get_page(1)
    if len(query) > MAX_QUERY_LENGTH:
        error = _("Please shorten your search to %(max)d characters or fewer.") % {
            "max": MAX_QUERY_LENGTH
        }
    elif words_only(query):
        pages = (
            exclude_private(Page.objects.live())
            .filter(locale=Locale.get_active())
            .type(LetterPage, OrganizationPage)
            .specific()
            .search(words_only(query))
        )
        results = Paginator(pages, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        # What the result list shows of each page, for the whole page at once.
        prefetch_related_objects(list(results), "locale", "alias_of__locale")
        Query.get(query).add_hit()
    return TemplateResponse(
        request,
        "search/search.html",
        {"search_query": query, "search_results": results, "search_error": error},
    )
