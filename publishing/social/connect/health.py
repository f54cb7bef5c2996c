"""Connection health: what a person must know about an account before a post fails.

An account is flagged when its credentials cannot be decrypted, the network
refused them (401 on a delivery or a check: reconnect), its token expires
within `EXPIRY_WARNING` (or has), its channel's pinned API version ends within
`VERSION_WARNING`, or its network fetches images from our URL (Instagram) and
that URL is not a public https address. The flags show on the admin dashboard, in the
account list and in `manage.py social_accounts list`.

Channels say which API version they pin with two class attributes,
`api_version` ("v25.0", "202511") and `api_version_ends` (a `datetime.date`,
from the network's published schedule); flows may say it too (meta.py).
"""

from __future__ import annotations

import ipaddress
from datetime import date, datetime, timedelta
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.tables import Column

from publishing.channels import UnknownChannel, get_channel_class

EXPIRY_WARNING = timedelta(days=7)
VERSION_WARNING = timedelta(days=90)


def api_version(account) -> tuple[str, date | None]:
    """(pinned version, the day it stops working) of the account's channel, or ("", None)."""
    from . import flow_class

    for source in (_channel_class(account), flow_class(account.channel)):
        ends = getattr(source, "api_version_ends", None)
        if ends:
            return str(getattr(source, "api_version", "")), ends
    return "", None


def _channel_class(account):
    try:
        return get_channel_class(account.channel)
    except UnknownChannel:
        return None


def media_origin() -> str:
    """Where networks fetch share cards from: MEDIA_URL, absolute or on WAGTAILADMIN_BASE_URL."""
    return urljoin(settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/", settings.MEDIA_URL)


def media_not_public(account) -> str:
    """Why the network cannot fetch the account's images ("" when it can or need not).

    Channels (and flows) whose network fetches images from our URL, like Instagram, say
    so with `needs_public_media = True`."""
    from . import flow_class

    sources = (_channel_class(account), flow_class(account.channel))
    if not any(getattr(source, "needs_public_media", False) for source in sources):
        return ""
    url = media_origin()
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    try:
        private = not ipaddress.ip_address(host).is_global
    except ValueError:
        private = host == "localhost" or host.endswith((".localhost", ".local", ".internal"))
    if not private and urlsplit(url).scheme == "https":
        return ""
    return _(
        "The network fetches images from %(url)s, which is not a public https address: set "
        "BROADSIDE_BASE_URL (or MEDIA_URL) to the site's public address."
    ) % {"url": url}


def problems(account, now: datetime | None = None) -> list[str]:
    """Why a person must look at the account, in plain words; [] when it is healthy."""
    now = now or timezone.now()
    found = []
    unreadable = account.credentials_problem()
    if unreadable:
        found.append(unreadable)
    if account.auth_failed_at:
        found.append(_("The network refused the credentials: reconnect the account."))
    expires = account.token_expires_at
    if expires and expires <= now:
        found.append(
            _("The token expired on %(date)s: reconnect the account.")
            % {"date": date_format(timezone.localtime(expires), "DATE_FORMAT")}
        )
    elif expires and expires - now <= EXPIRY_WARNING:
        found.append(
            _(
                "The token expires on %(date)s: it is refreshed automatically where the network "
                "allows, otherwise reconnect the account."
            )
            % {"date": date_format(timezone.localtime(expires), "DATE_FORMAT")}
        )
    media = media_not_public(account)
    if media:
        found.append(media)
    version, ends = api_version(account)
    if ends and ends - now.date() <= VERSION_WARNING:
        found.append(
            _(
                "The network stops serving API version %(version)s on %(date)s: Broadside must "
                "be upgraded before then."
            )
            % {"version": version, "date": date_format(ends, "DATE_FORMAT")}
        )
    return found


def needs_attention(accounts, now: datetime | None = None) -> list[tuple[object, list[str]]]:
    """(account, problems) for each flagged account among `accounts`."""
    flagged = []
    for account in accounts:
        found = problems(account, now)
        if found:
            flagged.append((account, found))
    return flagged


def summary(account) -> str:
    """One line: connected as whom, token expiry, last success, last failure."""
    parts = [
        _("posts as %(who)s") % {"who": account.verified_as}
        if account.verified_as
        else _("not checked yet")
    ]
    if account.token_expires_at:
        parts.append(_("token expires %(date)s") % {"date": _when(account.token_expires_at)})
    if account.last_success_at:
        parts.append(_("last success %(date)s") % {"date": _when(account.last_success_at)})
    if account.last_failure_at:
        parts.append(
            _("last failure %(date)s: %(error)s")
            % {"date": _when(account.last_failure_at), "error": account.last_failure}
        )
    return "; ".join(parts)


def _when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


class HealthColumn(Column):
    """The account list's "Connection" column: the summary, then any problem."""

    def get_value(self, instance):
        found = problems(instance)
        if not found:
            return summary(instance)
        return format_html(
            "{}<br>{}",
            summary(instance),
            format_html_join(
                "", '<strong class="w-text-critical-200">⚠ {}</strong><br>', ((p,) for p in found)
            ),
        )


health_column = HealthColumn("health", label=gettext_lazy("Connection"))
