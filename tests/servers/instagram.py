"""A loopback stand-in for Instagram content publishing (Graph API, professional accounts).

`POST /{ig-user-id}/media` (image_url, caption, alt_text) makes a container whose
`status_code` is read with `GET /{container-id}`; `POST /{ig-user-id}/media_publish`
(creation_id) publishes a FINISHED container once; `GET /{ig-user-id}/content_publishing_limit`
reports the 50-a-day quota
(https://developers.facebook.com/docs/instagram-platform/content-publishing). A publish
before FINISHED is refused with code 9007 / subcode 2207027, as Meta does. Never imports
Broadside's code.
"""

from __future__ import annotations

import re
import time
from collections.abc import Container
from typing import Any

from .base import Request, Response, find_urls, snowflake
from .meta import Containers, FakeGraph, graph_error

CAPTION_LIMIT = 2200
MAX_HASHTAGS = 30
MAX_MENTIONS = 20
HASHTAG = re.compile(r"(?<![\w&/#])#\w+")
MENTION = re.compile(r"(?<![\w@/])@[\w.]+")


class FakeInstagram(FakeGraph):
    def __init__(
        self,
        ig_user_id: str = "1784",
        access_token: str | Container[str] = "ig-token",
        username="bs",
    ):
        super().__init__(access_token)
        self.ig_user_id = ig_user_id
        self.username = username
        self.containers = Containers("status_code", quota_total=50)
        self.media: dict[str, dict[str, Any]] = {}
        self.graph_route("POST", rf"/{ig_user_id}/media", self.create_container)
        self.graph_route("POST", rf"/{ig_user_id}/media_publish", self.publish)
        self.graph_route("GET", rf"/{ig_user_id}/content_publishing_limit", self.limit)
        self.graph_route("GET", rf"/{ig_user_id}", self.user)
        self.graph_route("GET", r"/(?P<object_id>\d+)", self.read)

    @property
    def posts(self) -> list[dict[str, Any]]:
        return self.containers.published

    def create_container(self, request: Request, params: dict[str, str]) -> Response:
        image_url = params.get("image_url", "")
        if not image_url:
            return graph_error(400, "(#100) The parameter image_url is required", 100)
        if not find_urls(image_url) or find_urls(image_url)[0] != (0, len(image_url)):
            return graph_error(
                400, "(#9004) Only photo or video can be accepted as media type.", 9004, 2207052
            )
        caption = params.get("caption", "")
        if len(caption.encode("utf-16-le")) // 2 > CAPTION_LIMIT:
            return graph_error(400, "The caption is too long", 100, 2207025)
        if len(HASHTAG.findall(caption)) > MAX_HASHTAGS:
            return graph_error(400, "The caption has too many hashtags", 100, 2207028)
        if len(MENTION.findall(caption)) > MAX_MENTIONS:
            return graph_error(400, "The caption has too many mentions", 100, 2207029)
        container = self.containers.create(self.ig_user_id, params)
        return 200, {"id": container["id"]}, {}

    def publish(self, request: Request, params: dict[str, str]) -> Response:
        container = self.containers.items.get(params.get("creation_id", ""))
        if container is None:
            return graph_error(400, "(#100) Param creation_id is not a valid container", 100)
        self.containers.age(container)
        if container["status"] == "PUBLISHED":
            return graph_error(400, "The media has already been published", 9007, 2207006)
        if container["status"] != "FINISHED":
            return graph_error(
                400,
                "Media ID is not available: the media is not ready for publishing, "
                "please wait for a moment",
                9007,
                2207027,
            )
        if self.containers.used() >= self.containers.quota_total:
            return graph_error(400, "Application request limit reached", 9, 2207042)
        media_id = snowflake(8)
        container["status"] = "PUBLISHED"
        container["media_id"] = media_id
        media = {
            "id": media_id,
            "container": container["id"],
            "caption": container["fields"].get("caption", ""),
            "image_url": container["fields"]["image_url"],
            "alt_text": container["fields"].get("alt_text", ""),
            "permalink": f"https://www.instagram.com/p/{media_id}/",
            "published_at": time.time(),
        }
        self.media[media_id] = media
        self.containers.published.append(media)
        return 200, {"id": media_id}, {}

    def limit(self, request: Request, params: dict[str, str]) -> Response:
        return 200, self.containers.quota(), {}

    def user(self, request: Request, params: dict[str, str]) -> Response:
        return 200, {"id": self.ig_user_id, "username": self.username}, {}

    def read(self, request: Request, params: dict[str, str], object_id: str) -> Response:
        if object_id in self.containers.items:
            return 200, self.containers.status(self.containers.items[object_id]), {}
        if object_id in self.media:
            media = self.media[object_id]
            return 200, {"id": object_id, "permalink": media["permalink"]}, {}
        return graph_error(
            400, f"Unsupported get request. Object with ID '{object_id}' does not exist", 100, 33
        )
