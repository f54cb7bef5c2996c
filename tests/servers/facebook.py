"""A loopback stand-in for a Facebook Page on the Graph API: feed posts and re-scrapes.

`POST /{version}/{page-id}/feed` (message and/or link) answers ``{"id": "{page}_{post}"}``
(https://developers.facebook.com/docs/pages-api/posts); the Page token of that Page is
required. `GET /{page-id}/posts` lists the Page's posts, newest first; `POST /?id=&scrape=true`
re-scrapes a URL. There is no duplicate protection, as on Facebook. Never imports
Broadside's code.
"""

from __future__ import annotations

import time
from collections.abc import Container
from datetime import UTC, datetime
from typing import Any

from .base import Request, Response, find_urls, snowflake
from .meta import FakeGraph, graph_error

MESSAGE_LIMIT = 63206  # UTF-16 code units


class FakeFacebook(FakeGraph):
    def __init__(
        self, page_id: str = "1040", page_token: str | Container[str] = "fb-page-token", name="Page"
    ):
        super().__init__(page_token)
        self.page_id = page_id
        self.name = name
        self.posts: list[dict[str, Any]] = []
        self.scrapes: list[str] = []
        self.graph_route("POST", rf"/{page_id}/feed", self.create_post)
        self.graph_route("GET", rf"/{page_id}/posts", self.list_posts)
        self.graph_route("GET", rf"/{page_id}", self.page)
        self.graph_route("POST", r"/", self.scrape)

    def create_post(self, request: Request, params: dict[str, str]) -> Response:
        message, link = params.get("message", ""), params.get("link", "")
        if not message and not link:
            return graph_error(400, "(#100) Missing message or attachment", 100)
        if len(message.encode("utf-16-le")) // 2 > MESSAGE_LIMIT:
            return graph_error(400, "(#100) Param message must be at most 63206 characters", 100)
        if link and not find_urls(link):
            return graph_error(400, "(#100) Param link must be a valid URL", 100)
        post_id = f"{self.page_id}_{snowflake(8)}"
        self.posts.insert(
            0,
            {
                "id": post_id,
                "message": message,
                "link": link,
                "created_time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000"),
                "at": time.time(),
            },
        )
        return 200, {"id": post_id}, {}

    def list_posts(self, request: Request, params: dict[str, str]) -> Response:
        limit = int(params.get("limit", "25"))
        data = []
        for post in self.posts[:limit]:
            number = post["id"].split("_")[1]
            item = {
                "id": post["id"],
                "created_time": post["created_time"],
                "permalink_url": f"https://www.facebook.com/{self.page_id}/posts/{number}",
            }
            if post["message"]:
                item["message"] = post["message"]
            if post["link"]:
                item["attachments"] = {"data": [{"unshimmed_url": post["link"]}]}
            data.append(item)
        return 200, {"data": data}, {}

    def page(self, request: Request, params: dict[str, str]) -> Response:
        return 200, {"id": self.page_id, "name": self.name}, {}

    def scrape(self, request: Request, params: dict[str, str]) -> Response:
        if params.get("scrape") != "true" or not find_urls(params.get("id", "")):
            return graph_error(400, "(#100) The parameter id is required", 100)
        self.scrapes.append(params["id"])
        return 200, {"id": params["id"], "url": params["id"]}, {}
