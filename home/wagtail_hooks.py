from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .admin_i18n import warn_about_foreign_scripts
from .models import Topic
from .organization_copies import chooser_language, choosing_organizations, chosen_copies_only

hooks.register("after_create_page", warn_about_foreign_scripts)
hooks.register("after_edit_page", warn_about_foreign_scripts)


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["name", "slug", "locale"]
    search_fields = ["name"]


register_snippet(TopicViewSet)


@hooks.register("construct_page_chooser_queryset")
def one_row_per_organization(pages, request):
    """The organization chooser's search lists each organization once, in the letter's
    language or its fallback (home.organization_copies), instead of one row per copy."""
    if not choosing_organizations(request, search_only=True):
        return pages
    return chosen_copies_only(pages, chooser_language(request))
