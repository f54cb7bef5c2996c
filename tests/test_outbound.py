"""Requests to configured addresses: public addresses only, checked when connecting; no
redirects; only the status and a network's documented error fields reach the editor.

The test settings allow loopback (the stand-in networks listen on 127.0.0.1); the tests
of the policy itself run with production's "public".
"""

from __future__ import annotations

import json
import re
import socket

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from wagtail.models import Locale

from publishing.feeds.tasks import WebSubPingFailed, ping_websub_hub
from publishing.models import Delivery, DeliveryStatus, SocialAccount
from publishing.outbound import outbound_session
from publishing.social.forms import SocialAccountForm
from tests.servers.base import LoopbackServer
from tests.servers.mastodon import FakeMastodon
from tests.servers.webhook import FakeWebhook
from tests.servers.websub import WebSubHub
from tests.social import add_account

Status = DeliveryStatus
PUBLIC_ADDRESS = "93.184.215.14"  # example.com's, a public address

REFUSED_BASE_URLS = [
    "http://127.0.0.1:8080/",
    "http://127.1.2.3/",
    "http://localhost:3000/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://0.0.0.0/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/",
    "http://10.0.0.5/",
    "http://172.16.3.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://[fd00::1]/",
    "http://224.0.0.1/",
]


@pytest.fixture
def public_only(settings):
    """Production's policy: public addresses only."""
    settings.BROADSIDE_OUTBOUND_ADDRESSES = "public"


@pytest.fixture
def resolver(monkeypatch):
    """Point host names at chosen addresses, the way a DNS server under an attacker's control can.

    `resolver["name"] = "1.2.3.4"` changes the answer for later look-ups.
    """
    real = socket.getaddrinfo
    answers: dict[str, str] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if isinstance(host, bytes):
            host = host.decode()
        if host in answers:
            return real(answers[host], port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def form_for(base_url: str, channel: str = "mastodon") -> SocialAccountForm:
    return SocialAccountForm(
        data={
            "name": "Somewhere",
            "channel": channel,
            "locales": [Locale.objects.get(language_code="en").pk],
            "enabled": "on",
            "base_url": base_url,
            "post_template": "",
            "credentials_json": json.dumps(
                {"access_token": "t"} if channel == "mastodon" else {"secret": "s"}
            ),
        }
    )


# -- refused up front --------------------------------------------------------------------------
@pytest.mark.parametrize("base_url", REFUSED_BASE_URLS)
def test_the_account_form_refuses_local_and_private_base_urls(tree, public_only, base_url):
    form = form_for(base_url)
    assert not form.is_valid()
    assert "local or private network address" in " ".join(form.errors["base_url"])


@pytest.mark.parametrize("base_url", REFUSED_BASE_URLS)
def test_the_command_refuses_local_and_private_base_urls(tree, public_only, base_url):
    with pytest.raises(CommandError, match="local or private network address"):
        add_account("mastodon", "somewhere", ["en"], base_url, {"access_token": "t"})
    assert not SocialAccount.objects.exists()


@pytest.mark.parametrize("policy", ["public", "loopback", "private"])
def test_base_urls_with_a_user_name_or_password_are_always_refused(tree, settings, policy):
    settings.BROADSIDE_OUTBOUND_ADDRESSES = policy
    for base_url in (
        "https://user:hunter2@mastodon.example/",
        "https://hunter2@mastodon.example/",
    ):
        form = form_for(base_url)
        assert not form.is_valid()
        errors = " ".join(form.errors["base_url"])
        assert "user name and password" in errors and "hunter2" not in errors
        with pytest.raises(CommandError) as refused:
            add_account("mastodon", "somewhere", ["en"], base_url, {"access_token": "t"})
        assert "user name and password" in str(refused.value)
        assert "hunter2" not in str(refused.value)


def test_base_urls_must_be_http_or_https(tree):
    form = form_for("ftp://files.example.org/")
    assert not form.is_valid()
    assert "http:// or https://" in " ".join(form.errors["base_url"])


def test_public_base_urls_are_accepted(tree, public_only, resolver):
    resolver["mastodon.example"] = PUBLIC_ADDRESS
    assert form_for("https://mastodon.example").is_valid()
    # A name that does not resolve yet is left to the check when connecting.
    assert form_for("https://not-yet-in-dns.invalid").is_valid()


def test_development_and_self_hosted_instances_may_allow_private_addresses(tree, settings):
    settings.BROADSIDE_OUTBOUND_ADDRESSES = "private"
    assert form_for("http://192.168.1.20:3000/").is_valid()
    settings.BROADSIDE_OUTBOUND_ADDRESSES = "loopback"  # the test suite's own setting
    assert form_for("http://127.0.0.1:3000/").is_valid()
    assert not form_for("http://192.168.1.20:3000/").is_valid()


def test_an_unknown_policy_is_a_configuration_error(settings):
    settings.BROADSIDE_OUTBOUND_ADDRESSES = "yes"
    with pytest.raises(ImproperlyConfigured, match="BROADSIDE_OUTBOUND_ADDRESSES"):
        outbound_session()


# -- refused when connecting -------------------------------------------------------------------
def test_a_name_that_resolves_to_loopback_when_connecting_is_refused(
    tree, public_only, resolver, make_letter, run_on_commit
):
    """DNS rebinding: public when the form checks the name, 127.0.0.1 when the worker connects."""
    with FakeWebhook(secret="s") as receiver:
        resolver["hooks.example.org"] = PUBLIC_ADDRESS
        form = form_for(f"http://hooks.example.org:{receiver.port}/hook", channel="webhook")
        assert form.is_valid(), form.errors
        form.save()
        resolver["hooks.example.org"] = "127.0.0.1"
        run_on_commit(make_letter, "rebound")
    delivery = Delivery.objects.get()
    assert delivery.status == Status.FAILED
    assert "local or private network address" in delivery.error
    assert receiver.requests == []


def test_an_account_saved_before_the_policy_is_refused_when_connecting(
    tree, public_only, make_letter, run_on_commit
):
    with FakeWebhook(secret="s") as receiver:
        account = SocialAccount(name="old", channel="webhook", base_url=receiver.url + "/hook")
        account.credentials = {"secret": "s"}
        account.save()
        account.locales.set([Locale.objects.get(language_code="en")])
        run_on_commit(make_letter, "refused")
    assert Delivery.objects.get().status == Status.FAILED
    assert receiver.requests == []


def test_the_websub_hub_is_pinged_only_at_a_public_address(settings, public_only):
    with WebSubHub() as hub:
        settings.BROADSIDE_WEBSUB_HUB = hub.url
        with pytest.raises(WebSubPingFailed, match="RefusedAddress|InvalidIPAddress"):
            ping_websub_hub.call(["http://localhost/en/feeds/letters.atom"])
    assert hub.pings == []


# -- no redirects ------------------------------------------------------------------------------
@pytest.fixture
def thief():
    """Where a redirect points: it records anything that reaches it."""
    server = LoopbackServer()
    server.route("*", re.compile(r"/.*"), lambda request: (200, {"id": "stolen"}, {}))
    with server:
        yield server


@pytest.mark.parametrize(
    ("status", "outcome"),
    [(307, Status.FAILED), (308, Status.FAILED), (302, Status.UNCONFIRMED)],
)
def test_a_redirect_to_a_publishing_request_is_not_followed(
    tree, thief, make_letter, run_on_commit, status, outcome
):
    """307/308 were not acted on: failed. A 302/303 to a POST may mean it was: a person checks."""
    with FakeWebhook(secret="s3cr3t") as receiver:
        add_account("webhook", "hook", ["en"], receiver.url + "/hook", {"secret": "s3cr3t"})
        receiver.fail_next(status, path="/hook", headers={"Location": thief.url + "/steal"})
        run_on_commit(make_letter, "redirected")
        assert len(receiver.requests) == 1
    assert thief.requests == []  # neither the body nor the signature went anywhere else
    delivery = Delivery.objects.get()
    assert delivery.status == outcome
    assert f"redirect ({status})" in delivery.error
    assert thief.url not in delivery.error


def test_a_redirect_on_a_mastodon_request_sends_its_token_nowhere(tree, thief):
    with FakeMastodon(access_token="tok-s3cr3t") as mastodon:
        add_account("mastodon", "masto", ["en"], mastodon.url, {"access_token": "tok-s3cr3t"})
        mastodon.fail_next(
            308, path="/api/v1/accounts/verify_credentials", headers={"Location": thief.url}
        )
        with pytest.raises(CommandError, match="redirect"):
            call_command("social_accounts", "test", "masto")
    assert thief.requests == []


# -- what an error says ------------------------------------------------------------------------
def test_an_error_answers_body_never_reaches_the_delivery(tree, make_letter, run_on_commit):
    page = b"<html><script>alert(document.cookie)</script><p>internal admin panel</p></html>"
    with FakeWebhook(secret="s") as receiver:
        add_account("webhook", "hook", ["en"], receiver.url + "/hook", {"secret": "s"})
        receiver.fail_next(400, path="/hook", body=page, headers={"Content-Type": "text/html"})
        run_on_commit(make_letter, "html-error")
    delivery = Delivery.objects.get()
    assert delivery.status == Status.FAILED
    assert "400" in delivery.error
    assert "<" not in delivery.error and "internal admin panel" not in delivery.error


def test_only_a_networks_documented_error_fields_are_shown_shortened(
    tree, make_letter, run_on_commit
):
    with FakeMastodon(access_token="t") as mastodon:
        add_account("mastodon", "masto", ["en"], mastodon.url, {"access_token": "t"})
        mastodon.fail_next(
            422,
            path="/api/v1/statuses",
            body={
                "error": "Validation failed:\n\x1b[31m" + "x" * 5000,
                "trace": "internal stack trace",
            },
        )
        run_on_commit(make_letter, "long-error")
    delivery = Delivery.objects.get()
    assert delivery.status == Status.FAILED
    assert "422" in delivery.error and "Validation failed: [31mxxx" in delivery.error
    assert "internal stack trace" not in delivery.error and "\x1b" not in delivery.error
    assert len(delivery.error) < 300


def test_an_error_answer_that_is_not_a_json_object_is_reported_by_its_status(
    tree, make_letter, run_on_commit
):
    with FakeMastodon(access_token="t") as mastodon:
        add_account("mastodon", "masto", ["en"], mastodon.url, {"access_token": "t"})
        mastodon.fail_next(422, path="/api/v1/statuses", body=["not", "an", "object"])
        run_on_commit(make_letter, "list-error")
    delivery = Delivery.objects.get()
    assert delivery.status == Status.FAILED and "422" in delivery.error
    assert "object" not in delivery.error
