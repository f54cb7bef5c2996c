"""The social pipeline in the Wagtail admin: the accounts viewset and the deliveries report."""

from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.menus import MenuItem as ListMenuItem
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy

from publishing.channels import social_networks
from publishing.models import Delivery, SocialAccount

from .admin_columns import YesNoColumn
from .connect import connectable_channels, flow_for
from .connect.dashboard import construct_homepage_panels
from .connect.health import health_column
from .forms import SocialAccountForm
from .overview import is_letter, what_went_out_url
from .permissions import may_see_deliveries

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
    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if self.request.user.has_perm("publishing.add_socialaccount") and connectable_channels():
            buttons.append(
                HeaderButton(
                    _("Connect an account"),
                    url=reverse("publishing_admin:connect"),
                    icon_name="link-external",
                )
            )
        return buttons

    def get_list_more_buttons(self, instance):
        reconnect = []
        if flow_for(instance.channel) and self.request.user.has_perm(
            "publishing.change_socialaccount"
        ):
            url = reverse("publishing_admin:connect_start", args=[instance.channel])
            reconnect.append(
                ListMenuItem(
                    _("Reconnect"),
                    url=f"{url}?account={instance.pk}",
                    icon_name="repeat",
                    priority=20,
                )
            )
        return [
            *super().get_list_more_buttons(instance),
            *reconnect,
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
        health_column,
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


@hooks.register("broadside_social_networks")
def register_social_networks():
    """The networks organizations' handles are kept for (home reads this hook): objects
    with `key`, `label` and `clean_handle(value) -> str` (publishing.channels.networks)."""
    return social_networks()


@hooks.register("construct_homepage_panels")
def add_accounts_needing_attention_panel(request, panels):
    """The dashboard lists accounts needing attention (connect.dashboard)."""
    construct_homepage_panels(request, panels)


class WhatWentOutMenuItem(PageMenuItem):
    """ "What went out" (every language of a letter) in a page's more-actions menus."""

    label = _("What went out")
    icon_name = "link-external"

    @cached_property
    def url(self):
        return what_went_out_url(self.page)

    def is_shown(self, user):
        return is_letter(self.page) and may_see_deliveries(user, self.page)


@hooks.register("register_page_listing_more_buttons")
def what_went_out_in_page_listings(page, user, next_url=None):
    """In the page explorer's "more" menu of each letter, in every language: no query
    (the content type and the user's permissions are cached)."""
    yield WhatWentOutMenuItem(page=page, priority=58)


@hooks.register("register_page_header_buttons")
def what_went_out_in_page_headers(page, user, view_name, next_url=None):
    """In the page editor's header menu (the translation editor has its own link)."""
    yield WhatWentOutMenuItem(page=page, priority=68)
