"""Loopback stand-ins for the caches a CDN purge reaches: an HTTP cache that takes PURGE
(as Varnish does) and Cloudflare's purge API. They record what was purged and refuse
what the real ones refuse; they never import Broadside's code.

Varnish, with the usual purge VCL (`if (req.method == "PURGE") { if (!client.ip ~ purge)
{ return (synth(405)); } return (purge); }`), answers 200 "Purged" to a PURGE from an
allowed client. This one also knows which sites it caches, as a Varnish fronting only
those hosts would (a PURGE for another host purges nothing): 404 for a host it does not
serve, 400 without a Host, 405 for any method other than PURGE (it serves no pages).

Cloudflare (POST /client/v4/zones/{zone}/purge_cache, documented at
developers.cloudflare.com/api/resources/cache): a Bearer token for that zone, a JSON
body `{"files": [...]}` of at most 30 absolute URLs on the zone's hosts; errors come as
`{"success": false, "errors": [{"code", "message"}]}`.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .base import LoopbackServer, Request, Response

CLOUDFLARE_MAX_FILES = 30


class FakeVarnish(LoopbackServer):
    """An HTTP cache's purge endpoint for `hosts`; `purged` lists absolute URLs, in order."""

    def __init__(self, hosts: list[str]) -> None:
        super().__init__()
        self.hosts = set(hosts)
        self.purged: list[str] = []
        self.route(
            "PURGE",
            re.compile(r"/.*"),
            self.purge,
            public="Varnish checks the client's address (an ACL), not credentials",
        )
        self.route("*", re.compile(r"/.*"), self.refuse, public="answers every client 405")

    def error_body(self, status: int, message: str) -> bytes:
        return f"{status} {message}\n".encode()

    def purge(self, request: Request) -> Response:
        host = request.headers.get("Host", "")
        if not host:
            return 400, b"400 Bad Request: no Host\n", {}
        if host not in self.hosts:
            return 404, f"404 Not a site cached here: {host}\n".encode(), {}
        self.purged.append(request.url)
        return 200, b"200 Purged\n", {}

    def refuse(self, request: Request) -> Response:
        return 405, b"405 Method Not Allowed\n", {"Allow": "PURGE"}


class FakeCloudflare(LoopbackServer):
    """Cloudflare's purge-by-URL API for one zone; `batches` lists each request's files."""

    def __init__(self, zone: str, token: str, hosts: list[str]) -> None:
        super().__init__()
        self.zone = zone
        self.token = token
        self.hosts = set(hosts)
        self.batches: list[list[str]] = []
        self.route("POST", f"/client/v4/zones/{zone}/purge_cache", self.purge)

    def error_body(self, status: int, message: str) -> dict:
        return {"success": False, "errors": [{"code": status, "message": message}]}

    def authenticate(self, request: Request) -> Response | None:
        if request.bearer() != self.token:
            return (
                403,
                {"success": False, "errors": [{"code": 10000, "message": "Authentication error"}]},
                {},
            )
        return None

    def purge(self, request: Request) -> Response:
        body = request.json
        if request.content_type != "application/json" or not isinstance(body, dict):
            return 400, self.error_body(1012, "Request must be JSON"), {}
        files = body.get("files")
        if not isinstance(files, list) or not files:
            return 400, self.error_body(1012, "files must be a non-empty list"), {}
        if len(files) > CLOUDFLARE_MAX_FILES:
            return 400, self.error_body(1015, f"At most {CLOUDFLARE_MAX_FILES} files a request"), {}
        for url in files:
            parts = urlsplit(url) if isinstance(url, str) else None
            if (
                parts is None
                or parts.scheme not in ("http", "https")
                or parts.hostname not in self.hosts
            ):
                return 400, self.error_body(1016, f"Not a URL of this zone: {url!r}"), {}
        self.batches.append(list(files))
        return 200, {"success": True, "errors": [], "messages": [], "result": {"id": self.zone}}, {}
