from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .admin_i18n import warn_about_foreign_scripts
from .models import Topic

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
