"""What Meta's three APIs share: the pinned versions, the error format, containers.

Facebook Pages and Instagram (through its Facebook Page or Instagram Login)
speak the Graph API; Threads has its own host and version but the same error
body and the same two-step publishing (container, then publish).

The Graph API version is pinned here and nowhere else, with the day Meta stops
answering it (https://developers.facebook.com/docs/graph-api/changelog/versions/:
v25.0 released 2026-02-18, available until 2028-07-29; v20.0 stopped on
2026-09-24). Move it forward before that day; `graph_api_expires_within()` is
what account health uses to warn in time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import requests
from django.utils import timezone
from django.utils.translation import gettext as _

from .base import DeliveryError, OutcomeUnknown, PermanentError, SentPost, TemporaryError
from .http import HttpChannel, json_object, shorten

GRAPH_API_VERSION = "v25.0"
GRAPH_API_END_OF_SUPPORT = date(2028, 7, 29)
# graph.threads.net/v1.0 (https://developers.facebook.com/docs/threads/overview): one version.
THREADS_API_VERSION = "v1.0"

# Graph error codes meaning the token no longer works (the account must be reconnected):
# 190 invalid or expired token, 102 session, 10 and 200-299 permission missing
# (https://developers.facebook.com/docs/graph-api/guides/error-handling).
AUTH_ERROR_CODES = {102, 190}
PERMISSION_ERROR_CODES = {10, *range(200, 300)}

# Container states, the same on Instagram (`status_code`) and Threads (`status`):
# https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-container
# https://developers.facebook.com/docs/threads/troubleshooting
FINISHED, IN_PROGRESS, PUBLISHED, ERROR, EXPIRED = (
    "FINISHED",
    "IN_PROGRESS",
    "PUBLISHED",
    "ERROR",
    "EXPIRED",
)
CONTAINER_POLLS = 10
CONTAINER_POLL_SECONDS = 3.0


def graph_api_expires_within(days: int, *, today: date | None = None) -> bool:
    """Whether the pinned Graph API version stops working within `days` days."""
    today = today or timezone.now().date()
    return GRAPH_API_END_OF_SUPPORT - today <= timedelta(days=days)


def graph_error(response: requests.Response) -> dict[str, Any]:
    """The `error` object of a Graph API error answer ({} when there is none)."""
    error = json_object(response).get("error")
    return error if isinstance(error, dict) else {}


def graph_error_text(response: requests.Response) -> str:
    """The documented fields of a Graph error, for the editor: message (code/subcode)."""
    error = graph_error(response)
    message = error.get("error_user_msg") or error.get("message")
    if not isinstance(message, str) or not message:
        return ""
    codes = [
        str(error[key]) for key in ("code", "error_subcode") if isinstance(error.get(key), int)
    ]
    return f"{shorten(message, 160)} ({'/'.join(codes)})" if codes else shorten(message, 160)


class GraphChannel(HttpChannel):
    """A channel on a Meta API: bearer token, versioned paths, Graph error answers."""

    api_version: str = GRAPH_API_VERSION
    # The day Meta stops serving the pinned version (connection health warns ahead).
    api_version_ends: date | None = GRAPH_API_END_OF_SUPPORT
    token_field: str = "access_token"

    def path(self, path: str) -> str:
        return f"/{self.api_version}/{path.lstrip('/')}"

    def auth(self) -> dict[str, str]:
        # A header rather than ?access_token=: the token never lands in a URL or a log line.
        return {"Authorization": f"Bearer {self.credentials[self.token_field]}"}

    def graph(self, method: str, path: str, *, sending: bool = False, **kwargs):
        """One request to the versioned API; a Graph error becomes our exceptions."""
        headers = {**kwargs.pop("headers", {}), **self.auth()}
        response = self.request(method, self.path(path), sending=sending, headers=headers, **kwargs)
        self.check(response, sending=sending)
        return response

    def check(self, response: requests.Response, *, sending: bool = False) -> None:
        """raise_for_status, with an expired token or a missing permission said plainly."""
        if response.status_code < 400:
            self.raise_for_status(response, graph_error_text(response), sending=sending)
            return
        error = graph_error(response)
        code = error.get("code")
        if code in AUTH_ERROR_CODES or code in PERMISSION_ERROR_CODES:
            raise PermanentError(
                _(
                    "%(network)s refused the account's access token (%(detail)s): "
                    "reconnect the account."
                )
                % {"network": self.verbose_name, "detail": graph_error_text(response)},
                status=response.status_code,
            )
        # Graph answers "try later" errors with 400 too: 4, 9 and 17 app/user/post limits,
        # 32 and 613 call limits, 2 and 1 service temporarily unavailable.
        if code in (1, 2, 4, 9, 17, 32, 613) and response.status_code < 500:
            raise TemporaryError(
                _("%(network)s asked to slow down: %(detail)s")
                % {"network": self.verbose_name, "detail": graph_error_text(response)},
                status=response.status_code,
                retry_after=3600.0 if code in (4, 9, 17, 32, 613) else None,
            )
        self.raise_for_status(response, graph_error_text(response), sending=sending)

    # -- containers (Instagram, Threads) ---------------------------------------------------
    status_field: str = "status"

    def container_status(self, container_id: str) -> tuple[str, str]:
        """(status, error message) of a container; raises our exceptions."""
        response = self.graph(
            "GET", container_id, params={"fields": f"id,{self.status_field},error_message"}
        )
        body = json_object(response)
        return str(body.get(self.status_field) or ""), str(body.get("error_message") or "")

    def wait_for_container(self, container_id: str) -> tuple[str, str]:
        """Poll until the container is no longer IN_PROGRESS; returns (status, error message).

        Raises TemporaryError when it is still in progress after the last poll (the
        container id is kept: the next attempt goes on waiting for the same one).
        """
        polls = max(1, int(self.options.get("container_polls", CONTAINER_POLLS)))
        pause = float(self.options.get("container_poll_seconds", CONTAINER_POLL_SECONDS))
        for poll in range(polls):
            status, message = self.container_status(container_id)
            if status != IN_PROGRESS:
                return status, message
            if poll < polls - 1:
                time.sleep(pause)
        raise TemporaryError(
            _("%(network)s is still preparing the post; it will be published on the next try.")
            % {"network": self.verbose_name}
        )

    def find_post(
        self, *, key: str, url: str, since: datetime | None, known: frozenset[str]
    ) -> SentPost | None:
        """The post of this delivery's stored container, if that container is PUBLISHED
        (exact evidence: the container is this delivery's own)."""
        container = str(self.delivery_state.get("container_id") or "")
        if not container:
            return None
        status, _message = self.container_status(container)
        return SentPost(remote_id=f"container:{container}") if status == PUBLISHED else None

    def publish_in_two_steps(
        self,
        create: Callable[[], str],
        publish: Callable[[str], str],
        sent: Callable[[str, str], SentPost],
    ) -> SentPost:
        """Container, then publish, never twice.

        `create()` makes a container and returns its id, `publish(container)` publishes it
        and returns the media id, `sent(media_id, container)` builds the result ("" for a
        media id the network did not tell). The container id is remembered in the
        delivery's state *before* publishing: a later attempt (after a lost answer, a
        failure or a killed worker) finds it and asks its status. PUBLISHED means an
        earlier attempt went through; FINISHED is published now; ERROR or EXPIRED (never
        published within 24 hours) is forgotten and a new container made. Publishing right
        after creation fails ("media not found"), so the container is awaited first.
        """
        container = str(self.delivery_state.get("container_id") or "")
        status = ""
        if container:
            status, _message = self.wait_for_container(container)
            if status == PUBLISHED:
                return sent("", container)
            if status != FINISHED:
                container = ""  # ERROR or EXPIRED: it was never published
        if not container:
            container = create()
            self.remember(container_id=container)
            status, message = self.wait_for_container(container)
            if status == ERROR:
                raise PermanentError(
                    _("%(network)s could not prepare the post: %(detail)s")
                    % {"network": self.verbose_name, "detail": shorten(message, 160) or ERROR}
                )
            if status == PUBLISHED:  # cannot happen to a new container; believe it anyway
                return sent("", container)
            if status != FINISHED:
                raise TemporaryError(
                    _("%(network)s answered an unexpected container status: %(status)s.")
                    % {"network": self.verbose_name, "status": shorten(status, 40)}
                )
        try:
            media_id = publish(container)
        except (OutcomeUnknown, PermanentError):
            # The publish may have gone through (a lost answer), or was refused because it
            # had (a retry): the container says which.
            try:
                status, _message = self.container_status(container)
            except DeliveryError:
                status = ""
            if status == PUBLISHED:
                return sent("", container)
            raise
        return sent(media_id, container)

    def publish_container(self, user: str, edge: str, data: dict, *, quota: str) -> SentPost:
        """Instagram's and Threads' way to post: `POST {user}/{edge}` makes a container of
        `data`, `POST {user}/{edge}_publish` publishes it, by `publish_in_two_steps`; the
        `{user}/{quota}` limit is checked before a container is made."""

        def create() -> str:
            self.publishing_quota(f"{user}/{quota}")
            return self.answered_id(self.graph("POST", f"{user}/{edge}", data=data))

        def publish(container: str) -> str:
            response = self.graph(
                "POST", f"{user}/{edge}_publish", sending=True, data={"creation_id": container}
            )
            return self.answered_id(response)

        return self.publish_in_two_steps(create, publish, self.sent_with_permalink)

    def sent_with_permalink(self, media_id: str, container: str) -> SentPost:
        """The post with its permalink when the network tells it (a lookup, never fatal);
        `container:<id>` when only the published container is known."""
        if not media_id:
            return SentPost(remote_id=f"container:{container}")
        try:
            response = self.graph("GET", media_id, params={"fields": "id,permalink"})
        except DeliveryError:  # published already: the link is a nicety
            return SentPost(remote_id=media_id)
        return SentPost(remote_id=media_id, url=str(json_object(response).get("permalink") or ""))

    def answered_id(self, response: requests.Response) -> str:
        """The `id` of a Graph API answer; PermanentError when it has none."""
        value = json_object(response).get("id")
        if not value:
            raise PermanentError(
                _("%(network)s answered without an id.") % {"network": self.verbose_name}
            )
        return str(value)

    def publishing_quota(self, path: str) -> None:
        """Refuse to start when the account used up its publishing limit (a GET of the
        `content_publishing_limit` / `threads_publishing_limit` edge: quota_usage against
        config.quota_total over config.quota_duration seconds)."""
        response = self.graph("GET", path, params={"fields": "quota_usage,config"})
        data = json_object(response).get("data")
        entry = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}
        config = entry.get("config") if isinstance(entry.get("config"), dict) else {}
        used, total = entry.get("quota_usage"), config.get("quota_total")
        if isinstance(used, int) and isinstance(total, int) and used >= total:
            duration = config.get("quota_duration")
            raise TemporaryError(
                _("The account published its %(total)s posts allowed per day; retrying later.")
                % {"total": total},
                retry_after=float(duration) / 24 if isinstance(duration, int) else 3600.0,
            )
