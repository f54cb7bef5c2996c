"""What every loopback server does: refuse calls without or with wrong credentials on
every route, parse what clients send, misbehave and log when asked to.

Like every test of the loopback servers, an independent oracle: it checks the fake against the
network's published rules and never imports production code (no counting, signing or
posting code of `publishing`), so the fake cannot inherit our mistakes.
"""

from __future__ import annotations

import time

import pytest
import requests

from tests.server_clients import (
    auth,
    image_bytes,
    signed,
    x_session,
)
from tests.servers.base import find_urls, parse_multipart, sniff_image
from tests.servers.bluesky import FakeBluesky
from tests.servers.mastodon import FakeMastodon
from tests.servers.webhook import FakeWebhook
from tests.servers.x import FakeX

SERVERS = {"x": FakeX, "mastodon": FakeMastodon, "bluesky": FakeBluesky, "webhook": FakeWebhook}


# The OAuth token endpoints check the client's secret themselves (tests/test_fake_oauth_servers.py).
# Routes the real services answer without credentials (anything else must refuse them).
PUBLIC_ROUTES = {
    "x": {("GET", "/oauth/authorize"), ("GET", "/i/oauth2/authorize"), ("POST", "/2/oauth2/token")},
    "mastodon": {
        ("GET", "/api/v2/instance"),
        ("POST", "/api/v1/apps"),
        ("GET", "/oauth/authorize"),
        ("POST", "/oauth/token"),
    },
    "bluesky": {
        ("POST", "/xrpc/com.atproto.server.createSession"),
        ("GET", "/xrpc/com.atproto.identity.resolveHandle"),
        ("GET", "/xrpc/com.atproto.repo.getRecord"),
    },
    "webhook": set(),
}


# A concrete path for each route registered as a pattern.
SAMPLE_PATHS = {
    r"/api/v1/media/(?P<id>[^/]+)": "/api/v1/media/1",
    r"/api/v1/statuses/(?P<id>[^/]+)": "/api/v1/statuses/1",
    r"/api/v1/accounts/(?P<id>[^/]+)/statuses": "/api/v1/accounts/1/statuses",
    r"/2/users/(?P<id>[^/]+)/tweets": "/2/users/1/tweets",
    r"/.*": "/hooks/broadside",
}


# The PDS answers a refresh token it cannot verify with 400 InvalidToken, not 401.
REFUSED_WITH_400 = {("POST", "/xrpc/com.atproto.server.refreshSession")}


WEBHOOK_BODY = {"delivery": "d-1", "text": "Hello", "url": "https://x.org", "language": "en"}


def protected_routes(name: str, server) -> list[tuple[str, str]]:
    """(method, concrete path) of every route of `server` that needs credentials."""
    routes = []
    for route in server.routes():
        path = route.path if isinstance(route.path, str) else SAMPLE_PATHS[route.path.pattern]
        if route.public:
            assert (route.method, path) in PUBLIC_ROUTES[name], (route, "is public: why?")
            continue
        routes.append(("POST" if route.method == "*" else route.method, path))
    return routes


def wrong_credentials(name: str) -> tuple[requests.Session, dict]:
    """A session carrying credentials `name` must refuse, and the keyword arguments to send."""
    session = requests.Session()
    if name == "x":
        return x_session(client_secret="wrong"), {"json": {"text": "forged"}}
    if name == "webhook":
        body, headers = signed("another-secret", WEBHOOK_BODY)
        return session, {"data": body, "headers": headers}
    session.headers["Authorization"] = "Bearer not-a-token-it-issued"
    return session, {"json": {"text": "forged"}}


@pytest.mark.parametrize("name", SERVERS)
def test_every_endpoint_refuses_a_call_without_credentials(name: str) -> None:
    with SERVERS[name]() as server:
        routes = protected_routes(name, server)
        answers = {
            (method, path): requests.request(
                method, server.url + path, json={"text": "unsigned"}
            ).status_code
            for method, path in routes
        }
        assert answers and set(answers.values()) == {401}, answers
        assert server.errors == []


@pytest.mark.parametrize("name", SERVERS)
def test_every_endpoint_refuses_a_call_with_wrong_credentials(name: str) -> None:
    with SERVERS[name]() as server:
        session, arguments = wrong_credentials(name)
        answers = {
            (method, path): session.request(method, server.url + path, **arguments).status_code
            for method, path in protected_routes(name, server)
        }
        expected = {route: 400 if route in REFUSED_WITH_400 else 401 for route in answers}
        assert answers and answers == expected
        assert server.errors == []


def test_a_route_is_authenticated_or_public_not_both() -> None:
    with FakeWebhook() as hook, pytest.raises(ValueError):
        hook.route("GET", "/x", hook.receive, auth=hook.authenticate, public="because")


def test_helpers() -> None:
    assert find_urls("see https://example.com/a_(b). and http://x.org!") == [(4, 29), (35, 47)]
    assert find_urls("foohttps://example.com") == []
    assert sniff_image(image_bytes("JPEG"))[:1] == ("image/jpeg",)
    assert sniff_image(image_bytes("WEBP")) == ("image/webp", 40, 20)
    assert sniff_image(image_bytes()[:-20]) is None
    assert sniff_image(b"GIF89a not really") is None
    body = (
        b'--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n'
        b'--xyz\r\nContent-Disposition: form-data; name="f"; filename="f.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n\r\n--x\r\n\r\n--xyz--\r\n"
    )
    fields = parse_multipart("multipart/form-data; boundary=xyz", body)
    assert fields["a"][0].text == "1"
    assert fields["f"][0].data == b"\r\n--x\r\n" and fields["f"][0].filename == "f.bin"
    with pytest.raises(ValueError):
        parse_multipart("multipart/form-data; boundary=xyz", body[:-9])


def test_latency_and_request_log() -> None:
    with FakeWebhook() as hook:
        hook.latency = 0.2
        started = time.monotonic()
        response = requests.post(f"{hook.url}/x?y=1", json={})
        assert time.monotonic() - started >= 0.2
        assert response.status_code == 401
        logged = hook.requests[0]
        assert logged.url == f"{hook.url}/x?y=1" and logged.query == {"y": "1"}
        assert logged.json == {} and logged.headers["content-type"] == "application/json"
        local = hook.url.replace("127.0.0.1", "localhost")
        assert requests.get(f"{local}/a").status_code == 405
        assert hook.requests[-1].url == f"{local}/a"


def test_unknown_route_and_explicit_start_stop() -> None:
    server = FakeMastodon().start()
    try:
        missing = requests.get(f"{server.url}/api/v1/nothing", headers=auth())
        assert missing.status_code == 404
        assert missing.headers["Content-Type"] == "application/json"
    finally:
        server.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{server.url}/api/v2/instance", timeout=1)
