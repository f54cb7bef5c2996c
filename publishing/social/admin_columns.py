"""Admin list columns whose cells say something in the editor's language.

Wagtail renders a boolean field as the raw word "True"/"False" (and `BooleanColumn`
titles its icons that way, untranslated), and a `TitleColumn` with no value as
"(blank)". These columns show "Yes"/"No" and a "View post" link or nothing.
"""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.translation import gettext as _
from wagtail.admin.ui.tables import Column

from home.links import http_url


class YesNoColumn(Column):
    """A boolean field as a translated "Yes" or "No"."""

    def get_value(self, instance):
        value = super().get_value(instance)
        return _("Yes") if value else _("No")


class PostLinkColumn(Column):
    """A delivery's post as a "View post" link; empty where no address exists (console)."""

    def get_value(self, instance):
        url = http_url(super().get_value(instance) or "")
        if not url:
            return ""
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("View post")
        )
