"""Shared set-up for the social-pipeline tests: loopback networks and accounts on them."""

from __future__ import annotations

import json
from contextlib import ExitStack
from dataclasses import dataclass

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
