"""The admin dashboard's panel of social accounts that need attention."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from wagtail.admin.ui.components import Component

from publishing.models import SocialAccount

from .health import needs_attention


class AccountsNeedingAttentionPanel(Component):
    name = "social_accounts_attention"
    order = 90

    def __init__(self, flagged):
        self.flagged = flagged

    def render_html(self, parent_context=None) -> str:
        items = format_html_join(
            "",
            '<li><a href="{}">{}</a>: {}</li>',
            (
                (
                    reverse("social_accounts:edit", args=[account.pk]),
                    account.name,
                    " ".join(found),
                )
                for account, found in self.flagged
            ),
        )
        return format_html(
            '<section class="panel"><h2>{}</h2><ul>{}</ul></section>',
            _("Social accounts that need attention"),
            items,
        )


def construct_homepage_panels(request, panels) -> None:
    """Add the panel for users who manage accounts, when an account is flagged."""
    if not request.user.has_perm("publishing.change_socialaccount"):
        return
    flagged = needs_attention(SocialAccount.objects.filter(enabled=True))
    if flagged:
        panels.append(AccountsNeedingAttentionPanel(flagged))
