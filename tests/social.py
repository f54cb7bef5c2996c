"""Shared set-up for the social-pipeline tests: loopback networks and accounts on them."""

from __future__ import annotations

import base64
import binascii
import json
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.management import call_command

from publishing.models import SocialAccount
from tests.servers.bluesky import FakeBluesky
from tests.servers.mastodon import FakeMastodon
from tests.servers.webhook import FakeWebhook
from tests.servers.x import FakeX

X_CREDENTIALS = {
    "consumer_key": "x-consumer-key-0001",
    "consumer_secret": "x-consumer-secret-s3cr3t",
    "access_token": "x-access-token-0001",
    "access_token_secret": "x-access-token-secret-s3cr3t",
}
MASTODON_TOKEN = "mastodon-token-s3cr3t"
BLUESKY_PASSWORD = "abcd-efgh-ijkl-mnop"
WEBHOOK_SECRET = "webhook-secret-s3cr3t"
SECRETS = [
    X_CREDENTIALS["consumer_secret"],
    X_CREDENTIALS["access_token_secret"],
    MASTODON_TOKEN,
    BLUESKY_PASSWORD,
    WEBHOOK_SECRET,
]


@dataclass
class Networks:
    x: FakeX
    mastodon: FakeMastodon
    bluesky: FakeBluesky
    webhook: FakeWebhook


def start_networks(stack: ExitStack) -> Networks:
    return Networks(
        x=stack.enter_context(FakeX(**X_CREDENTIALS)),
        mastodon=stack.enter_context(FakeMastodon(access_token=MASTODON_TOKEN)),
        bluesky=stack.enter_context(
            FakeBluesky(handle="broadside.test", app_password=BLUESKY_PASSWORD)
        ),
        webhook=stack.enter_context(FakeWebhook(secret=WEBHOOK_SECRET)),
    )


def add_account(channel: str, name: str, locales: list[str], base_url: str, credentials) -> None:
    arguments = ["social_accounts", "add", channel, "--name", name, "--base-url", base_url]
    for locale in locales:
        arguments += ["--locale", locale]
    arguments += ["--credentials-json", json.dumps(credentials)]
    call_command(*arguments, stdout=open("/dev/null", "w"))  # noqa: SIM115


def add_accounts(networks: Networks) -> dict[str, SocialAccount]:
    """English on X and Mastodon, French on Bluesky and the webhook."""
    add_account("x", "x-en", ["en"], networks.x.url, X_CREDENTIALS)
    add_account(
        "mastodon", "mastodon-en", ["en"], networks.mastodon.url, {"access_token": MASTODON_TOKEN}
    )
    add_account(
        "bluesky",
        "bluesky-fr",
        ["fr"],
        networks.bluesky.url,
        {"handle": "broadside.test", "app_password": BLUESKY_PASSWORD},
    )
    add_account(
        "webhook", "webhook-fr", ["fr"], networks.webhook.url + "/hook", {"secret": WEBHOOK_SECRET}
    )
    return {account.name: account for account in SocialAccount.objects.all()}


def assert_sealed(stored: str, expected: dict[str, Any]) -> None:
    """`stored` is a Fernet token (spec: github.com/fernet/spec) that the configured
    BROADSIDE_CREDENTIAL_KEYS, and no other key, open to the JSON `expected`; neither the
    text nor its base64 decoding holds any of the secrets in clear."""
    raw = base64.urlsafe_b64decode(stored.encode())
    # version 0x80 | timestamp (8) | IV (16) | AES-CBC ciphertext (n × 16) | HMAC-SHA256 (32)
    assert raw[0] == 0x80 and len(raw) > 57 and (len(raw) - 57) % 16 == 0
    keys = MultiFernet([Fernet(key.encode()) for key in settings.BROADSIDE_CREDENTIAL_KEYS])
    assert json.loads(keys.decrypt(stored.encode())) == expected
    try:
        Fernet(Fernet.generate_key()).decrypt(stored.encode())
    except InvalidToken:
        pass
    else:
        raise AssertionError("another key opened the credentials")
    secrets = [str(value) for value in _leaves(expected) if len(str(value)) >= 8]
    decodings = [stored.encode(), raw]
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            decodings.append(decode(stored.encode() + b"=="))
        except (binascii.Error, ValueError):
            continue
    for secret in secrets:
        for text in decodings:
            assert secret.encode() not in text, "a secret is readable without the key"


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]
