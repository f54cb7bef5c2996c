"""A loopback stand-in for the Threads API: text containers with a link, then publish.

`POST /v1.0/{user}/threads` (media_type=TEXT, text, link_attachment) makes a container;
`GET /v1.0/{container}?fields=status` reads it; `POST /v1.0/{user}/threads_publish`
(creation_id) publishes a FINISHED one once (earlier: "Media Not Found", code 24 /
subcode 4279009); `GET /v1.0/{user}/threads_publishing_limit` reports the 250-a-day quota
(https://developers.facebook.com/docs/threads/posts, .../threads/troubleshooting). Text
over 500 UTF-8 bytes is refused ("Param text must be at most 500 characters long"), and
more than 5 unique links with THREADS_API__LINK_LIMIT_EXCEEDED. Never imports Broadside's
code.
"""

from __future__ import annotations

import time
from collections.abc import Container
from typing import Any

from .base import Request, Response, find_urls, snowflake
from .meta import Containers, FakeGraph, graph_error

TEXT_LIMIT_BYTES = 500
MAX_LINKS = 5


class FakeThreads(FakeGraph):
    versions = frozenset({"v1.0"})

    def __init__(
        self, user_id: str = "7310", access_token: str | Container[str] = "th-token", username="bs"
    ):
        super().__init__(access_token)
        self.user_id = user_id
        self.username = username
        self.containers = Containers("status", quota_total=250)
        self.media: dict[str, dict[str, Any]] = {}
        for user in (user_id, "me"):
            self.graph_route("POST", rf"/{user}/threads", self.create_container)
            self.graph_route("POST", rf"/{user}/threads_publish", self.publish)
            self.graph_route("GET", rf"/{user}/threads_publishing_limit", self.limit)
        self.graph_route("GET", r"/me", self.user)
        self.graph_route("GET", r"/(?P<object_id>\d+)", self.read)

    @property
    def posts(self) -> list[dict[str, Any]]:
        return self.containers.published

    def create_container(self, request: Request, params: dict[str, str]) -> Response:
        if params.get("media_type") != "TEXT":
            return graph_error(
                400, "(#100) Param media_type must be one of {TEXT, IMAGE, VIDEO, CAROUSEL}", 100
            )
        text = params.get("text", "")
        if not text:
            return graph_error(400, "(#100) Param text is required for TEXT posts", 100)
        if len(text.encode("utf-8")) > TEXT_LIMIT_BYTES:
            return graph_error(400, "Param text must be at most 500 characters long", 100)
        links = {text[start:end] for start, end in find_urls(text)}
        attachment = params.get("link_attachment", "")
        if attachment:
            if find_urls(attachment) != [(0, len(attachment))]:
                return graph_error(400, "(#100) Param link_attachment must be a URL", 100)
            links.add(attachment)
        if len(links) > MAX_LINKS:
            return graph_error(
                400,
                "The post has more than 5 links",
                100,
                error_user_msg="THREADS_API__LINK_LIMIT_EXCEEDED",
            )
        container = self.containers.create(self.user_id, params)
        return 200, {"id": container["id"]}, {}

    def publish(self, request: Request, params: dict[str, str]) -> Response:
        container = self.containers.items.get(params.get("creation_id", ""))
        if container is not None:
            self.containers.age(container)
        if container is None or container["status"] not in ("FINISHED", "PUBLISHED"):
            return graph_error(400, "Media Not Found", 24, 4279009)
        if container["status"] == "PUBLISHED":
            return graph_error(400, "The media has already been published", 24, 4279009)
        if self.containers.used() >= self.containers.quota_total:
            return graph_error(400, "Application request limit reached", 9, 2207042)
        media_id = snowflake(8)
        container["status"] = "PUBLISHED"
        container["media_id"] = media_id
        media = {
            "id": media_id,
            "container": container["id"],
            "text": container["fields"]["text"],
            "link_attachment": container["fields"].get("link_attachment", ""),
            "permalink": f"https://www.threads.net/@{self.username}/post/{media_id}",
            "published_at": time.time(),
        }
        self.media[media_id] = media
        self.containers.published.append(media)
        return 200, {"id": media_id}, {}

    def limit(self, request: Request, params: dict[str, str]) -> Response:
        return 200, self.containers.quota(), {}

    def user(self, request: Request, params: dict[str, str]) -> Response:
        return 200, {"id": self.user_id, "username": self.username}, {}

    def read(self, request: Request, params: dict[str, str], object_id: str) -> Response:
        if object_id in self.containers.items:
            return 200, self.containers.status(self.containers.items[object_id]), {}
        if object_id in self.media:
            return 200, {"id": object_id, "permalink": self.media[object_id]["permalink"]}, {}
        return graph_error(400, "Object does not exist", 100, 33)
