"""A loopback stand-in for LinkedIn's Posts API (organization pages).

`POST /rest/posts` needs a bearer token, a `Linkedin-Version` LinkedIn still serves (a
sunset one gets 426) and `X-Restli-Protocol-Version: 2.0.0`; it answers 201 with the
post's URN in `x-restli-id`
(https://learn.microsoft.com/linkedin/marketing/community-management/shares/posts-api).
The commentary is little text: an unescaped reserved character (``\\ | { } @ [ ] ( ) < >
# * _ ~``) outside a mention, hashtag or link ends the text there, silently, as LinkedIn
does; what a reader would see is kept in ``shown``. The same commentary twice from one
author within the window is refused with 422 DUPLICATE_POST. Never imports Broadside's
code.
"""

from __future__ import annotations

import re
import time
from collections.abc import Container
from typing import Any

from .base import LoopbackServer, Request, Response, find_urls, snowflake

# Versions served in late 2026 (each for a year: learn.microsoft.com/linkedin/marketing/
# integrations/migrations): 202511 … 202611.
VERSIONS = frozenset(f"2025{m:02d}" for m in (11, 12)) | frozenset(
    f"2026{m:02d}" for m in range(1, 12)
)
RESERVED = set("\\|{}@[]()<>#*_~")
MENTION = re.compile(r"@\[([^\[\]()\\]+)\]\((urn:li:(?:organization|person):[\w-]+)\)")
HASHTAG = re.compile(r"#\w+")
COMMENTARY_LIMIT = 3000
DUPLICATE_WINDOW = 3600.0
REQUIRED = ("author", "commentary", "visibility", "distribution", "lifecycleState")


def read_little_text(text: str) -> tuple[str, bool, list[str]]:
    """(what LinkedIn shows, whether it cut the text, mentioned URNs)."""
    shown, mentions, position = [], [], 0
    urls = dict(find_urls(text))
    while position < len(text):
        char = text[position]
        if position in urls:
            shown.append(text[position : urls[position]])
            position = urls[position]
            continue
        if char == "\\" and position + 1 < len(text) and text[position + 1] in RESERVED:
            shown.append(text[position + 1])
            position += 2
            continue
        if char == "@" and (match := MENTION.match(text, position)):
            shown.append(match.group(1))
            mentions.append(match.group(2))
            position = match.end()
            continue
        if char == "#" and (match := HASHTAG.match(text, position)):
            shown.append(match.group())
            position = match.end()
            continue
        if char in RESERVED:
            return "".join(shown), True, mentions
        shown.append(char)
        position += 1
    return "".join(shown), False, mentions


class FakeLinkedIn(LoopbackServer):
    def __init__(
        self, organization_id: str = "2414183", access_token: str | Container[str] = "li-token"
    ):
        super().__init__()
        self.organization_id = organization_id
        self.access_token = access_token
        self.versions = set(VERSIONS)
        self.posts: list[dict[str, Any]] = []
        self.route("POST", "/rest/posts", self.create_post)
        self.route("GET", re.compile(r"/rest/organizations/(?P<id>\d+)"), self.organization)

    def error_body(self, status: int, message: str):
        return {"status": status, "message": message}

    def authenticate(self, request: Request) -> Response | None:
        token = request.bearer() or ""
        accepted = self.access_token
        if not (token == accepted if isinstance(accepted, str) else token in accepted):
            return (
                401,
                {
                    "status": 401,
                    "serviceErrorCode": 65600,
                    "code": "INVALID_ACCESS_TOKEN",
                    "message": "Invalid access token",
                },
                {},
            )
        version = request.headers.get("Linkedin-Version", "")
        if not version:
            return (
                400,
                {
                    "status": 400,
                    "code": "VERSION_MISSING",
                    "message": "A version must be present. Please specify a version "
                    "by adding the LinkedIn-Version header.",
                },
                {},
            )
        if version not in self.versions:
            return (
                426,
                {
                    "status": 426,
                    "code": "NONEXISTENT_VERSION",
                    "message": f"Requested version {version} is not active",
                },
                {},
            )
        if request.headers.get("X-Restli-Protocol-Version") != "2.0.0":
            return (
                400,
                {
                    "status": 400,
                    "message": "Rest.li protocol version 2.0.0 required "
                    "(X-Restli-Protocol-Version)",
                },
                {},
            )
        return None

    def create_post(self, request: Request) -> Response:
        body = request.json
        if not isinstance(body, dict):
            return (
                400,
                {
                    "status": 400,
                    "code": "ILLEGAL_ARGUMENT",
                    "message": "Request body could not be converted to data map",
                },
                {},
            )
        missing = [
            f"ERROR :: /{name} :: field is required but not found and has no default value"
            for name in REQUIRED
            if name not in body
        ]
        if missing:
            return 422, {"status": 422, "message": "\n".join(missing)}, {}
        if body["author"] != f"urn:li:organization:{self.organization_id}":
            return (
                403,
                {
                    "status": 403,
                    "serviceErrorCode": 100,
                    "code": "ACCESS_DENIED",
                    "message": "Not enough permissions to access: partnerApiPostsExternal"
                    ".CREATE.20260301",
                },
                {},
            )
        commentary = body["commentary"]
        if len(commentary) > COMMENTARY_LIMIT:
            return (
                422,
                {
                    "status": 422,
                    "message": "ERROR :: /commentary :: length of "
                    f"{len(commentary)} exceeds the maximum of {COMMENTARY_LIMIT}",
                },
                {},
            )
        now = time.time()
        for post in self.posts:
            if (
                post["author"] == body["author"]
                and post["commentary"] == commentary
                and now - post["at"] < DUPLICATE_WINDOW
            ):
                return (
                    422,
                    {
                        "status": 422,
                        "code": "DUPLICATE_POST",
                        "message": f"Content is a duplicate of {post['urn']}",
                    },
                    {},
                )
        shown, truncated, mentions = read_little_text(commentary)
        urn = f"urn:li:share:{snowflake()}"
        self.posts.append(
            {
                "urn": urn,
                "author": body["author"],
                "commentary": commentary,
                "shown": shown,
                "truncated": truncated,
                "mentions": mentions,
                "content": body.get("content"),
                "at": now,
                "version": request.headers["Linkedin-Version"],
            }
        )
        return 201, None, {"x-restli-id": urn}

    def organization(self, request: Request) -> Response:
        if request.params["id"] != self.organization_id:
            return 404, {"status": 404, "message": "Not found"}, {}
        return 200, {"id": int(self.organization_id), "localizedName": "Broadside Network"}, {}
