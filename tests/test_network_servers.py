"""The loopback stand-ins of Facebook, Instagram, Threads and LinkedIn refuse what the real
APIs refuse. Plain HTTP with requests: this module never imports Broadside's code (the
servers stand for the networks, so they must not learn their rules from us)."""

from __future__ import annotations

import pytest
import requests

from tests.servers.facebook import FakeFacebook
from tests.servers.instagram import FakeInstagram
from tests.servers.linkedin import FakeLinkedIn, read_little_text
from tests.servers.threads import FakeThreads


@pytest.fixture
def facebook():
    with FakeFacebook(page_id="1040", page_token="page-token") as server:
        yield server


@pytest.fixture
def instagram():
    with FakeInstagram(ig_user_id="1784", access_token="ig-token") as server:
        yield server


@pytest.fixture
def threads():
    with FakeThreads(user_id="7310", access_token="th-token") as server:
        yield server


@pytest.fixture
def linkedin():
    with FakeLinkedIn(organization_id="2414183", access_token="li-token") as server:
        yield server


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def error(response) -> dict:
    return response.json()["error"]


# -- Graph API: versions and tokens ----------------------------------------------------------
def test_graph_refuses_a_missing_or_expired_version_and_a_wrong_token(facebook):
    url = facebook.url
    ok = requests.post(
        f"{url}/v25.0/1040/feed", data={"message": "hi"}, headers=bearer("page-token")
    )
    assert ok.status_code == 200 and ok.json()["id"].startswith("1040_")
    expired = requests.post(
        f"{url}/v20.0/1040/feed", data={"message": "hi"}, headers=bearer("page-token")
    )
    assert expired.status_code == 400 and error(expired)["code"] == 12
    unversioned = requests.post(
        f"{url}/1040/feed", data={"message": "hi"}, headers=bearer("page-token")
    )
    assert unversioned.status_code == 400 and error(unversioned)["code"] == 2500
    wrong = requests.post(f"{url}/v25.0/1040/feed", data={"message": "hi"}, headers=bearer("x"))
    assert wrong.status_code == 400 and error(wrong)["code"] == 190
    assert len(facebook.posts) == 1


def test_facebook_posts_have_no_duplicate_protection_and_scrapes_are_recorded(facebook):
    for _ in range(2):
        requests.post(
            f"{facebook.url}/v25.0/1040/feed",
            headers=bearer("page-token"),
            data={"message": "same", "link": "https://example.org/a"},
        )
    assert len(facebook.posts) == 2
    listed = requests.get(f"{facebook.url}/v25.0/1040/posts", headers=bearer("page-token"))
    assert [p["attachments"]["data"][0]["unshimmed_url"] for p in listed.json()["data"]] == [
        "https://example.org/a"
    ] * 2
    scraped = requests.post(
        f"{facebook.url}/v25.0/",
        headers=bearer("page-token"),
        data={"id": "https://example.org/a", "scrape": "true"},
    )
    assert scraped.status_code == 200 and facebook.scrapes == ["https://example.org/a"]
    empty = requests.post(f"{facebook.url}/v25.0/1040/feed", headers=bearer("page-token"))
    assert empty.status_code == 400


# -- Instagram: containers -------------------------------------------------------------------
def make_container(server, **fields):
    data = {"image_url": "https://letters.example.org/card.jpg", "caption": "hello", **fields}
    return requests.post(f"{server.url}/v25.0/1784/media", data=data, headers=bearer("ig-token"))


def test_instagram_refuses_publishing_before_finished_and_publishing_twice(instagram):
    instagram.containers.processing_polls = 2
    container = make_container(instagram).json()["id"]
    publish = f"{instagram.url}/v25.0/1784/media_publish"
    early = requests.post(publish, data={"creation_id": container}, headers=bearer("ig-token"))
    assert early.status_code == 400 and error(early)["error_subcode"] == 2207027
    statuses = [
        requests.get(
            f"{instagram.url}/v25.0/{container}",
            params={"fields": "status_code"},
            headers=bearer("ig-token"),
        ).json()["status_code"]
        for _ in range(2)
    ]
    assert statuses == ["IN_PROGRESS", "FINISHED"]
    done = requests.post(publish, data={"creation_id": container}, headers=bearer("ig-token"))
    assert done.status_code == 200
    again = requests.post(publish, data={"creation_id": container}, headers=bearer("ig-token"))
    assert again.status_code == 400 and len(instagram.posts) == 1
    status = requests.get(f"{instagram.url}/v25.0/{container}", headers=bearer("ig-token"))
    assert status.json()["status_code"] == "PUBLISHED"


def test_instagram_containers_expire_and_the_quota_is_enforced(instagram):
    container = make_container(instagram).json()["id"]
    instagram.containers.expire(container)
    status = requests.get(f"{instagram.url}/v25.0/{container}", headers=bearer("ig-token"))
    assert status.json()["status_code"] == "EXPIRED"
    refused = requests.post(
        f"{instagram.url}/v25.0/1784/media_publish",
        data={"creation_id": container},
        headers=bearer("ig-token"),
    )
    assert refused.status_code == 400
    instagram.containers.quota_total = 0
    quota = requests.get(
        f"{instagram.url}/v25.0/1784/content_publishing_limit", headers=bearer("ig-token")
    ).json()["data"][0]
    assert quota["quota_usage"] == 0 and quota["config"]["quota_total"] == 0
    fresh = make_container(instagram).json()["id"]
    over = requests.post(
        f"{instagram.url}/v25.0/1784/media_publish",
        data={"creation_id": fresh},
        headers=bearer("ig-token"),
    )
    assert over.status_code == 400 and error(over)["code"] == 9


def test_instagram_refuses_captions_over_its_limits(instagram):
    assert make_container(instagram, caption="x" * 2201).status_code == 400
    assert (
        make_container(instagram, caption=" ".join(f"#t{i}" for i in range(31))).status_code == 400
    )
    assert make_container(instagram, image_url="not a url").status_code == 400
    assert make_container(instagram, caption="x" * 2200).status_code == 200


# -- Threads -----------------------------------------------------------------------------------
def thread(server, text, **fields):
    data = {"media_type": "TEXT", "text": text, **fields}
    return requests.post(f"{server.url}/v1.0/7310/threads", data=data, headers=bearer("th-token"))


def test_threads_counts_utf8_bytes_and_five_links(threads):
    assert thread(threads, "a" * 500).status_code == 200
    over = thread(threads, "’" * 167)  # 167 characters, 501 bytes
    assert over.status_code == 400 and "500 characters" in error(over)["message"]
    links = " ".join(f"https://example.org/{i}" for i in range(5))
    assert thread(threads, links).status_code == 200
    assert thread(threads, links, link_attachment="https://example.org/0").status_code == 200
    six = thread(threads, links, link_attachment="https://example.org/other")
    assert six.status_code == 400
    assert error(six)["error_user_msg"] == "THREADS_API__LINK_LIMIT_EXCEEDED"
    graph_version = requests.post(
        f"{threads.url}/v25.0/7310/threads",
        headers=bearer("th-token"),
        data={"media_type": "TEXT", "text": "hi"},
    )
    assert graph_version.status_code == 400


def test_threads_publish_waits_for_the_container_and_happens_once(threads):
    threads.containers.processing_polls = 1
    container = thread(threads, "hello").json()["id"]
    publish = f"{threads.url}/v1.0/7310/threads_publish"
    early = requests.post(publish, data={"creation_id": container}, headers=bearer("th-token"))
    assert early.status_code == 400 and error(early)["message"] == "Media Not Found"
    status = requests.get(
        f"{threads.url}/v1.0/{container}", params={"fields": "status"}, headers=bearer("th-token")
    )
    assert status.json()["status"] == "FINISHED"
    assert (
        requests.post(
            publish, data={"creation_id": container}, headers=bearer("th-token")
        ).status_code
        == 200
    )
    assert (
        requests.post(
            publish, data={"creation_id": container}, headers=bearer("th-token")
        ).status_code
        == 400
    )
    assert len(threads.posts) == 1


# -- LinkedIn ----------------------------------------------------------------------------------
def linkedin_post(server, commentary, headers=None):
    body = {
        "author": "urn:li:organization:2414183",
        "commentary": commentary,
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
    }
    sent = {
        **bearer("li-token"),
        "Linkedin-Version": "202610",
        "X-Restli-Protocol-Version": "2.0.0",
        **(headers or {}),
    }
    return requests.post(
        f"{server.url}/rest/posts",
        json=body,
        headers={k: v for k, v in sent.items() if v is not None},
    )


def test_linkedin_needs_a_live_version_the_protocol_header_and_a_token(linkedin):
    ok = linkedin_post(linkedin, "Hello")
    assert ok.status_code == 201 and ok.headers["x-restli-id"].startswith("urn:li:share:")
    assert linkedin_post(linkedin, "a", {"Linkedin-Version": None}).status_code == 400
    assert linkedin_post(linkedin, "b", {"Linkedin-Version": "202401"}).status_code == 426
    assert linkedin_post(linkedin, "c", {"X-Restli-Protocol-Version": None}).status_code == 400
    assert linkedin_post(linkedin, "d", {"Authorization": "Bearer nope"}).status_code == 401
    assert len(linkedin.posts) == 1


def test_linkedin_cuts_unescaped_little_text_and_refuses_duplicates(linkedin):
    linkedin_post(linkedin, "Read this (now) #Rights")
    assert linkedin.posts[-1]["shown"] == "Read this " and linkedin.posts[-1]["truncated"]
    linkedin_post(linkedin, r"Read this \(now\) #Rights @[CCLA](urn:li:organization:9)")
    assert linkedin.posts[-1]["shown"] == "Read this (now) #Rights CCLA"
    assert linkedin.posts[-1]["mentions"] == ["urn:li:organization:9"]
    duplicate = linkedin_post(linkedin, r"Read this \(now\) #Rights @[CCLA](urn:li:organization:9)")
    assert duplicate.status_code == 422 and duplicate.json()["code"] == "DUPLICATE_POST"
    assert linkedin.posts[-1]["urn"] in duplicate.json()["message"]
    assert read_little_text("see https://x.org/a_(b) ok")[0] == "see https://x.org/a_(b) ok"
