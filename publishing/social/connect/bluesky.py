"""Connect Bluesky: a handle and an app password, checked at once with createSession.

Bluesky's OAuth is not used yet; an app password (Settings → Privacy and
security → App passwords) can be revoked on its own. The check is the channel's
own `verify()`, which opens a session (`com.atproto.server.createSession`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_variables

from publishing.channels import build_channel
from publishing.channels.base import DeliveryError, PermanentError
from publishing.outbound import check_outbound_url

from .base import ConnectError, ConnectFlow, Connection, TemporaryFailure


class BlueskyConnect(ConnectFlow):
    channel = "bluesky"
    kind = "password"
    required_settings = ()

    def extra_fields(self) -> dict[str, forms.Field]:
        return {
            "handle": forms.CharField(
                label=gettext_lazy("Handle"),
                max_length=253,
                help_text=gettext_lazy("e.g. ourorganization.bsky.social"),
            ),
            "app_password": forms.CharField(
                label=gettext_lazy("App password"),
                max_length=100,
                widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
                help_text=gettext_lazy(
                    "Create one in Bluesky: Settings → Privacy and security → App passwords. "
                    "Never your account's password."
                ),
            ),
            "pds": forms.URLField(
                label=gettext_lazy("Server"),
                required=False,
                assume_scheme="https",
                help_text=gettext_lazy("Leave empty for bsky.social."),
            ),
        }

    def clean_extra(self, data: dict[str, Any]) -> dict[str, Any]:
        if data.get("pds"):
            check_outbound_url(data["pds"])
        return {
            "handle": data["handle"].strip().lstrip("@"),
            "app_password": data["app_password"].strip(),
            "pds": data.get("pds") or "",
        }

    @sensitive_variables()
    def finish(
        self, *, callback_url: str, pending: dict[str, Any], params: dict[str, str]
    ) -> Connection:
        credentials = {"handle": pending["handle"], "app_password": pending["app_password"]}
        channel = build_channel("bluesky", base_url=pending["pds"], credentials=credentials)
        try:
            verified_as = channel.verify()
        except PermanentError as error:
            if error.status in (400, 401):
                raise ConnectError(
                    _("Bluesky refused this handle and app password: check both.")
                ) from None
            raise ConnectError(str(error)) from None
        except DeliveryError as error:
            raise TemporaryFailure(str(error)) from None
        return Connection(
            credentials=credentials,
            verified_as=verified_as,
            base_url=pending["pds"],
            state=channel.state,
        )
