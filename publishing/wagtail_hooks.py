from django.urls import include, path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.menus import MenuItem as ListMenuItem
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from . import admin_urls
from .account_forms import SocialAccountForm
from .admin_columns import YesNoColumn
from .models import Delivery, SocialAccount


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("publishing/", include(admin_urls, namespace="publishing_admin"))]


# The credentials and URL (a webhook's path may be its secret) typed into the form never
# reach an error report or the debug page.
_secret_fields = method_decorator(
    sensitive_post_parameters("credentials_json", "base_url", "csrfmiddlewaretoken"),
    name="dispatch",
)


def post_latest_letter_url(account) -> str:
    return reverse("publishing_admin:post_latest_letter", args=[account.pk])


@_secret_fields
class SocialAccountCreateView(generic.CreateView):
    def get_success_buttons(self):
        # An account added minutes after a launch missed it: offer the letter, never post it
        # silently (decisions.md, "Public bug reports").
        return [
            *super().get_success_buttons(),
            messages.button(post_latest_letter_url(self.object), _("Post the latest letter")),
        ]


@_secret_fields
class SocialAccountEditView(generic.EditView):
    pass


@_secret_fields
class SocialAccountCopyView(generic.CopyView):
    pass


class SocialAccountIndexView(generic.IndexView):
    def get_list_more_buttons(self, instance):
        return [
            *super().get_list_more_buttons(instance),
            ListMenuItem(
                _("Post the latest letter"),
                url=post_latest_letter_url(instance),
                icon_name="link-external",
                priority=25,
            ),
        ]


class SocialAccountViewSet(ModelViewSet):
    """Accounts are managed by users with the social-account permissions only
    (add/change/delete "social account"), not by every editor."""

    model = SocialAccount
    icon = "link-external"
    menu_label = _("Social accounts")
    add_to_settings_menu = True
    list_display = [
        "name",
        "channel",
        YesNoColumn("enabled", label=_("enabled")),
        "verified_as",
        "credentials_problem",
        "updated_at",
    ]
    list_filter = ["channel", "enabled", "locales"]
    search_fields = ["name"]
    inspect_view_enabled = False
    add_view_class = SocialAccountCreateView
    edit_view_class = SocialAccountEditView
    copy_view_class = SocialAccountCopyView
    index_view_class = SocialAccountIndexView

    def get_form_class(self, for_update=False):
        return SocialAccountForm


social_account_viewset = SocialAccountViewSet("social_accounts")


@hooks.register("register_admin_viewset")
def register_social_account_viewset():
    return social_account_viewset


class DeliveriesMenuItem(MenuItem):
    def is_shown(self, request):
        return ModelPermissionPolicy(Delivery).user_has_permission(request.user, "view")


@hooks.register("register_reports_menu_item")
def register_deliveries_report_menu_item():
    return DeliveriesMenuItem(
        _("Social deliveries"),
        reverse("publishing_admin:deliveries"),
        name="social-deliveries",
        icon_name="link-external",
        order=1000,
    )
