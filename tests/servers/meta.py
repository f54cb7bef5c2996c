"""What the loopback stand-ins of Meta's APIs share: versioned paths, tokens, Graph errors,
and the container → publish machinery of Instagram and Threads.

Like the real Graph API (https://developers.facebook.com/docs/graph-api/guides/error-handling):
errors are ``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``; a
path without a version, or with one Meta no longer serves, is refused; the token comes as
``Authorization: Bearer`` (or OAuth) or ``access_token``; parameters come in the query or
a form body. Never imports Broadside's code.
"""

from __future__ import annotations

import re
import time
from collections.abc import Container
from typing import Any
from urllib.parse import parse_qsl

from .base import LoopbackServer, Request, Response, snowflake

# Graph API versions Meta answers in late 2026 (v20.0 stopped on 2026-09-24):
# https://developers.facebook.com/docs/graph-api/changelog/versions/
GRAPH_VERSIONS = frozenset({"v21.0", "v22.0", "v23.0", "v24.0", "v25.0", "v26.0"})
EXPIRED_VERSION = re.compile(r"v(?:1|2|3|4|5|6|7|8|9|1[0-9]|20)\.\d+")
DAY = 24 * 3600.0


def graph_error(
    status: int, message: str, code: int, subcode: int | None = None, **extra: Any
) -> Response:
    error: dict[str, Any] = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "A" + snowflake(8),
        **extra,
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return status, {"error": error}, {}


class FakeGraph(LoopbackServer):
    """A Graph-style API: routes are registered without the version prefix.

    ``access_token`` is the one token accepted, or a container of them: the live tokens
    a sign-in stand-in issued (``FakeMetaOAuth.live_tokens``), so that what a connect
    flow obtained is what posting accepts, as on Meta's single Graph host."""

    versions: frozenset[str] = GRAPH_VERSIONS

    def __init__(self, access_token: str | Container[str]) -> None:
        super().__init__()
        self.access_token = access_token
        self._graph_routes: list[tuple[str, re.Pattern[str], Any]] = []
        self.route("*", re.compile(r"/(?P<version>[^/]*)(?P<rest>/.*)?"), self._dispatch)

    def error_body(self, status: int, message: str):
        return {"error": {"message": message, "type": "GraphMethodException", "code": 100}}

    def _take_fault(self, path: str):
        """As the base, except that a fault path ending in "$" must end the request path:
        "threads_publish$" is not "threads_publishing_limit"."""
        for fault in self._faults:
            wanted = fault.path
            if wanted is None or (
                path.endswith(wanted[:-1]) if wanted.endswith("$") else wanted in path
            ):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None

    def graph_route(self, method: str, pattern: str, handler) -> None:
        self._graph_routes.append((method, re.compile(pattern), handler))

    def params(self, request: Request) -> dict[str, str]:
        """Query and form parameters together, as the Graph API reads them."""
        values = dict(request.query)
        if request.content_type == "application/x-www-form-urlencoded":
            values.update(parse_qsl(request.body.decode("utf-8"), keep_blank_values=True))
        elif isinstance(request.json, dict):
            values.update({k: str(v) for k, v in request.json.items()})
        return values

    def authenticate(self, request: Request) -> Response | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() not in ("bearer", "oauth") or not token:
            token = self.params(request).get("access_token", "")
        if not token:
            return graph_error(
                400, "An active access token must be used to query information.", 2500
            )
        if not self.accepts(token.strip()):
            return graph_error(400, "Invalid OAuth access token - Cannot parse access token", 190)
        return None

    def accepts(self, token: str) -> bool:
        """Whether ``token`` is one this API takes (see the class docstring)."""
        if isinstance(self.access_token, str):
            return token == self.access_token
        return token in self.access_token

    def serves(self, request: Request) -> bool:
        """A versioned path one of the Graph routes answers (the catch-all aside)."""
        match = re.fullmatch(r"/v\d+\.\d+(?P<rest>/.*)?", request.path)
        if match is None:
            return False
        rest = match.group("rest") or "/"
        return any(
            method == request.method and pattern.fullmatch(rest)
            for method, pattern, _handler in self._graph_routes
        )

    def _dispatch(self, request: Request) -> Response:
        version = request.params.get("version", "")
        if version not in self.versions:
            if EXPIRED_VERSION.fullmatch(version):
                return graph_error(
                    400, f"(#12) API version {version} is deprecated and no longer available", 12
                )
            return graph_error(400, "Unknown path components: /" + version, 2500)
        rest = request.params.get("rest") or "/"
        for method, pattern, handler in self._graph_routes:
            match = pattern.fullmatch(rest)
            if match and method == request.method:
                return handler(request, self.params(request), **match.groupdict())
        return graph_error(400, "Unsupported request - method type or path not supported", 100, 33)


class Containers:
    """Media containers as Instagram and Threads keep them: IN_PROGRESS for
    ``processing_polls`` status reads, then FINISHED; PUBLISHED once published; EXPIRED
    when not published within 24 hours (``expire()``); published at most once."""

    def __init__(self, status_field: str, quota_total: int) -> None:
        self.status_field = status_field
        self.quota_total = quota_total
        self.processing_polls = 0
        self.fail_processing = ""  # an error_message: the next container ends in ERROR
        self.items: dict[str, dict[str, Any]] = {}
        self.published: list[dict[str, Any]] = []

    def create(self, owner: str, fields: dict[str, str]) -> dict[str, Any]:
        container = {
            "id": snowflake(8),
            "owner": owner,
            "fields": fields,
            "status": "ERROR" if self.fail_processing else "IN_PROGRESS",
            "error_message": self.fail_processing,
            "polls_left": self.processing_polls,
            "created_at": time.time(),
            "media_id": "",
        }
        self.fail_processing = ""
        if container["status"] == "IN_PROGRESS" and not container["polls_left"]:
            container["status"] = "FINISHED"
        self.items[container["id"]] = container
        return container

    def status(self, container: dict[str, Any]) -> dict[str, Any]:
        if container["status"] == "IN_PROGRESS":
            if container["polls_left"] > 0:
                container["polls_left"] -= 1
            if container["polls_left"] == 0:
                container["status"] = "FINISHED"
        self.age(container)
        body = {"id": container["id"], self.status_field: container["status"]}
        if container["error_message"]:
            body["error_message"] = container["error_message"]
        return body

    def age(self, container: dict[str, Any]) -> None:
        """A container not published within 24 hours expires."""
        if container["status"] in ("IN_PROGRESS", "FINISHED"):
            if time.time() - container["created_at"] > DAY:
                container["status"] = "EXPIRED"

    def expire(self, container_id: str) -> None:
        self.items[container_id]["created_at"] -= DAY + 1

    def used(self) -> int:
        return sum(1 for media in self.published if time.time() - media["published_at"] < DAY)

    def quota(self) -> dict[str, Any]:
        return {
            "data": [
                {
                    "quota_usage": self.used(),
                    "config": {"quota_total": self.quota_total, "quota_duration": int(DAY)},
                }
            ]
        }
