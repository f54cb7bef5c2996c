"""Connect Meta's networks: Facebook Pages, Instagram (Instagram Login) and Threads.

Facebook: server-side Facebook Login code flow → a long-lived user token
(`grant_type=fb_exchange_token`) → `GET /{user-id}/accounts` → the editor picks
a Page → its Page token, which does not expire when derived from a long-lived
user token. A Page on which the person lacks the "create content" task, or a
business-portfolio Page for which Facebook returns no token, is shown and
explained, not offered.

Instagram (professional accounts, Instagram Login with
`instagram_business_basic`, `instagram_business_content_publish`) and Threads:
code → short-lived token → 60-day token (`ig_exchange_token`,
`th_exchange_token`), refreshed (`ig_refresh_token`, `th_refresh_token`) by
`manage.py refresh_tokens` once it is at least 24 hours old.

The Graph API version is pinned once, in publishing/channels/meta.py (GRAPH_API_VERSION),
with the day Meta stops serving it (health.py warns 90 days before).

Sources: developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow,
/docs/facebook-login/guides/access-tokens/get-long-lived, /docs/pages-api/getting-started,
/docs/instagram-platform/instagram-api-with-instagram-login/business-login,
/docs/threads/get-started/get-access-tokens-and-permissions,
/docs/graph-api/changelog/versions (v25.0 available until 2028-07-29).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, ClassVar

import requests
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from publishing.channels.meta import GRAPH_API_END_OF_SUPPORT, GRAPH_API_VERSION

from .base import (
    Choice,
    ConnectError,
    ConnectFlow,
    Connection,
    TemporaryFailure,
    expired_code_message,
    expires_in,
    fetch_token,
    missing_scopes_message,
    network_error,
    refused_message,
)

# The Page task that allows publishing (Page roles became tasks: MANAGE, CREATE_CONTENT, …).
POSTING_TASK = "CREATE_CONTENT"


class MetaConnect(ConnectFlow):
    """Code flow against one of Meta's OAuth dialogs; Graph errors read as Meta documents."""

    network: ClassVar[str] = ""
    scopes: ClassVar[list[str]] = []
    api_version: ClassVar[str] = GRAPH_API_VERSION
    api_version_ends: ClassVar[date] = GRAPH_API_END_OF_SUPPORT

    def start(self, *, callback_url: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        session = self.oauth2(
            client_id=self.setting("CLIENT_ID"), redirect_uri=callback_url, scope=self.scope()
        )
        url, state = session.authorization_url(self.setting("AUTHORIZE_URL"))
        return url, {"state": state}

    def scope(self) -> str:
        """Meta's dialogs take scopes comma-separated."""
        return ",".join(self.scopes)

    def _session(self, callback_url: str):
        session = self.oauth2(
            client_id=self.setting("CLIENT_ID"), redirect_uri=callback_url, scope=self.scope()
        )
        session.register_compliance_hook("access_token_response", _flatten_data)
        return session

    def _check_callback(self, params: dict[str, str]) -> None:
        if params.get("error") or not params.get("code"):
            raise ConnectError(refused_message(self.network))

    @sensitive_variables()
    def graph(self, path: str, **params) -> dict[str, Any]:
        """GET graph URL + path with params; the JSON object, or our errors."""
        try:
            response = self.http().get(
                f"{self.setting('GRAPH_URL').rstrip('/')}{path}", params=params
            )
        except requests.RequestException as error:
            raise network_error(error, self.network) from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        if response.status_code == 200 and "error" not in body:
            return body
        error = body.get("error") if isinstance(body.get("error"), dict) else {}
        if response.status_code in (429,) or response.status_code >= 500:
            raise TemporaryFailure(
                _("%(network)s is unavailable (%(status)s). Try again in a few minutes.")
                % {"network": self.network, "status": response.status_code}
            )
        if error.get("code") == 190 or error.get("type") == "OAuthException":
            raise ConnectError(expired_code_message(self.network))
        raise ConnectError(
            _("%(network)s refused the request (%(status)s).")
            % {"network": self.network, "status": response.status_code}
        )


def _flatten_data(response):
    """Instagram Login answers {"data": [{access_token, user_id, permissions}]}: the token
    at the top, and `permissions` as the granted scope, for oauthlib to read."""
    try:
        body = response.json()
    except ValueError:
        return response
    if isinstance(body, dict) and isinstance(body.get("data"), list) and body["data"]:
        body = body["data"][0]
    if isinstance(body, dict) and "permissions" in body and "scope" not in body:
        permissions = body["permissions"]
        body["scope"] = permissions if isinstance(permissions, str) else ",".join(permissions)
    response._content = json.dumps(body).encode()
    return response


class FacebookConnect(MetaConnect):
    channel = "facebook"
    network = "Facebook"
    scopes = ["pages_show_list", "pages_manage_posts", "pages_read_engagement"]
    page_fields: ClassVar[str] = "id,name,access_token,tasks"
    defaults = {
        "AUTHORIZE_URL": f"https://www.facebook.com/{GRAPH_API_VERSION}/dialog/oauth",
        "GRAPH_URL": "https://graph.facebook.com",
    }

    @sensitive_variables()
    def finish(
        self, *, callback_url: str, pending: dict[str, Any], params: dict[str, str]
    ) -> Connection:
        self._check_callback(params)
        version = f"/{GRAPH_API_VERSION}"
        token = fetch_token(
            self._session(callback_url),
            self.network,
            [],  # Facebook's token answer names no scope: /me/permissions says
            f"{self.setting('GRAPH_URL').rstrip('/')}{version}/oauth/access_token",
            method="GET",
            code=params["code"],
            client_secret=self.setting("CLIENT_SECRET"),
            include_client_id=True,
        )
        long_lived = self.graph(
            f"{version}/oauth/access_token",
            grant_type="fb_exchange_token",
            client_id=self.setting("CLIENT_ID"),
            client_secret=self.setting("CLIENT_SECRET"),
            fb_exchange_token=token["access_token"],
        )
        user_token = long_lived["access_token"]
        granted = {
            item.get("permission")
            for item in self.graph(f"{version}/me/permissions", access_token=user_token).get(
                "data", []
            )
            if item.get("status") == "granted"
        }
        missing = [scope for scope in self.scopes if scope not in granted]
        if missing:
            raise ConnectError(missing_scopes_message(self.network, missing))
        me = self.graph(f"{version}/me", fields="id,name", access_token=user_token)
        pages = self.graph(
            f"{version}/{me['id']}/accounts", fields=self.page_fields, access_token=user_token
        ).get("data", [])
        if not pages:
            raise ConnectError(
                _(
                    "Facebook shows no Page for this person: sign in with someone who manages "
                    "the organization's Page, and tick the Page when Facebook asks which ones."
                )
            )
        choices = [self._choice(page) for page in pages]
        return Connection(choices=choices, base_url=self._base_url())

    def _base_url(self) -> str:
        graph = self.setting("GRAPH_URL").rstrip("/")
        return "" if graph == self.defaults["GRAPH_URL"] else graph

    @sensitive_variables()
    def _choice(self, page: dict[str, Any]) -> Choice:
        problem = ""
        if POSTING_TASK not in (page.get("tasks") or []):
            problem = _(
                'your role on this Page does not allow posting (Facebook\'s "create content" '
                "task): ask a Page admin for it, then connect again"
            )
        elif not page.get("access_token"):
            problem = _(
                "Facebook gave no Page token: the Page belongs to a business portfolio in "
                "which you lack full control. A portfolio admin can grant it in Meta Business "
                "Suite (Settings → Pages)"
            )
        return Choice(
            id=str(page["id"]),
            label=str(page.get("name") or page["id"]),
            credentials={"page_id": str(page["id"]), "page_access_token": page.get("access_token")},
            verified_as=str(page.get("name") or page["id"]),
            expires_at=None,
            problem=problem,
        )


class InstagramPageConnect(FacebookConnect):
    """Instagram through the Facebook Page it is linked to (Facebook Login for Business).

    Chosen per installation with BROADSIDE_CONNECT_FLOWS = {"instagram":
    "publishing.social.connect.meta.InstagramPageConnect"}, its app settings under
    BROADSIDE_CONNECT["instagram"]. The editor picks a Page; the account posts as the Page's
    `instagram_business_account` with the Page token, on graph.facebook.com (tokens from
    Facebook Login do not work on graph.instagram.com, the Instagram channel's default),
    so the base URL is always stored. A Page token derived from a long-lived user token
    does not expire: nothing to refresh.
    Source: developers.facebook.com/docs/instagram-platform/instagram-api-with-facebook-login
    (permissions instagram_basic, instagram_content_publish, pages_show_list,
    pages_read_engagement; GET /{user-id}/accounts?fields=instagram_business_account).
    """

    channel = "instagram"
    network = "Instagram"
    needs_public_media = True  # Meta fetches the image from our URL (health.py)
    scopes = [
        "instagram_basic",
        "instagram_content_publish",
        "pages_show_list",
        "pages_read_engagement",
    ]
    page_fields = "id,name,access_token,tasks,instagram_business_account{id,username}"

    def _base_url(self) -> str:
        return self.setting("GRAPH_URL").rstrip("/")

    @sensitive_variables()
    def _choice(self, page: dict[str, Any]) -> Choice:
        choice = super()._choice(page)
        linked = page.get("instagram_business_account") or {}
        if not linked.get("id"):
            problem = choice.problem or _(
                "no Instagram professional account is linked to this Page: link one in the "
                "Page's settings (Linked accounts), then connect again"
            )
            return Choice(
                id=choice.id,
                label=choice.label,
                credentials={},
                verified_as=choice.verified_as,
                problem=problem,
            )
        username = str(linked.get("username") or "")
        return Choice(
            id=choice.id,
            label=f"{choice.label} (@{username})" if username else choice.label,
            credentials={
                "ig_user_id": str(linked["id"]),
                "access_token": page.get("access_token"),
            },
            verified_as=f"@{username}" if username else str(linked["id"]),
            expires_at=None,
            problem=choice.problem,
        )


class LongLivedConnect(MetaConnect):
    """Instagram and Threads: code → short-lived token → 60-day token, refreshable."""

    exchange_grant: ClassVar[str] = ""
    refresh_grant: ClassVar[str] = ""
    me_path: ClassVar[str] = ""
    me_fields: ClassVar[str] = ""
    id_field: ClassVar[str] = ""  # the credential key of the network's user id
    api_user_id: ClassVar[str] = ""  # the /me field holding it

    @sensitive_variables()
    def finish(
        self, *, callback_url: str, pending: dict[str, Any], params: dict[str, str]
    ) -> Connection:
        self._check_callback(params)
        # Instagram appends "#_" to the code in the redirect; it is not part of the code.
        code = params["code"].removesuffix("#_")
        token = fetch_token(
            self._session(callback_url),
            self.network,
            self.scopes,
            self.setting("TOKEN_URL"),
            code=code,
            client_secret=self.setting("CLIENT_SECRET"),
            include_client_id=True,
        )
        long_lived = self.graph(
            "/access_token",
            grant_type=self.exchange_grant,
            client_secret=self.setting("CLIENT_SECRET"),
            access_token=token["access_token"],
        )
        return self._connection(long_lived)

    @sensitive_variables()
    def _connection(self, long_lived: dict[str, Any]) -> Connection:
        access_token = long_lived["access_token"]
        me = self.graph(self.me_path, fields=self.me_fields, access_token=access_token)
        graph = self.setting("GRAPH_URL").rstrip("/")
        return Connection(
            credentials={self.id_field: str(me[self.api_user_id]), "access_token": access_token},
            verified_as="@" + str(me.get("username") or me[self.api_user_id]),
            base_url="" if graph == self.defaults["GRAPH_URL"] else graph,
            expires_at=expires_in(long_lived.get("expires_in")),
        )

    @sensitive_variables()
    def refresh(self, credentials: dict[str, Any], base_url: str) -> Connection | None:
        refreshed = self.graph(
            "/refresh_access_token",
            grant_type=self.refresh_grant,
            access_token=credentials["access_token"],
        )
        return self._connection(refreshed)


class InstagramConnect(LongLivedConnect):
    channel = "instagram"
    network = "Instagram"
    needs_public_media = True  # Meta fetches the image from our URL (health.py)
    scopes = ["instagram_business_basic", "instagram_business_content_publish"]
    exchange_grant = "ig_exchange_token"
    refresh_grant = "ig_refresh_token"
    me_path = f"/{GRAPH_API_VERSION}/me"
    me_fields = "user_id,username"
    id_field = "ig_user_id"
    api_user_id = "user_id"
    defaults = {
        "AUTHORIZE_URL": "https://www.instagram.com/oauth/authorize",
        "TOKEN_URL": "https://api.instagram.com/oauth/access_token",
        "GRAPH_URL": "https://graph.instagram.com",
    }


class ThreadsConnect(LongLivedConnect):
    channel = "threads"
    network = "Threads"
    scopes = ["threads_basic", "threads_content_publish"]
    exchange_grant = "th_exchange_token"
    refresh_grant = "th_refresh_token"
    me_path = "/v1.0/me"
    me_fields = "id,username"
    id_field = "user_id"
    api_user_id = "id"
    api_version = "v1.0"
    api_version_ends = None  # Threads publishes no end date for v1.0
    defaults = {
        "AUTHORIZE_URL": "https://threads.net/oauth/authorize",
        "TOKEN_URL": "https://graph.threads.net/oauth/access_token",
        "GRAPH_URL": "https://graph.threads.net",
    }
