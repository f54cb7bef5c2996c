"""The social account and delivery models' own rules (publishing/models/social.py):
sealed credentials and state, what is safe to print of a base URL, the account's health,
and the one fact "may already be posted". Fast enough for mutation testing.
"""

from __future__ import annotations

import logging

import pytest
from cryptography.fernet import Fernet

from publishing.messages import show_message
from publishing.models import Delivery, SocialAccount
from publishing.social.credentials import CredentialsError

pytestmark = pytest.mark.django_db
OTHER_KEY = Fernet.generate_key().decode()


def test_credentials_and_state_are_sealed_and_read_back():
    account = SocialAccount(name="a", channel="console")
    account.credentials = {"token": "s3cr3t"}
    account.state = {"session": "abc"}
    assert "s3cr3t" not in account.credentials_encrypted
    assert "abc" not in account.state_encrypted
    assert account.credentials == {"token": "s3cr3t"} and account.state == {"session": "abc"}
    assert account.credentials_problem() == ""
    assert SocialAccount(name="b").credentials == {} and SocialAccount(name="b").state == {}


def test_credentials_no_key_opens_are_a_problem_a_person_sees(settings):
    account = SocialAccount(name="a", channel="console", pk=7)
    settings.BROADSIDE_CREDENTIAL_KEYS = [OTHER_KEY]
    account.credentials = {"token": "s3cr3t"}
    account.state = {"session": "abc"}
    settings.BROADSIDE_CREDENTIAL_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CredentialsError):
        account.credentials  # noqa: B018
    assert account.credentials_problem() == (
        "The credentials cannot be decrypted: reconnect the account or re-enter them."
    )


def test_a_state_no_key_opens_is_dropped_not_fatal(settings, caplog):
    account = SocialAccount(name="a", channel="console", pk=7)
    settings.BROADSIDE_CREDENTIAL_KEYS = [OTHER_KEY]
    account.state = {"session": "abc"}
    settings.BROADSIDE_CREDENTIAL_KEYS = [Fernet.generate_key().decode()]
    with caplog.at_level(logging.WARNING, logger="publishing.models.social"):
        assert account.state == {}
    assert [r.getMessage() for r in caplog.records] == [
        "Account 7: its saved session cannot be decrypted; dropped."
    ]


@pytest.mark.parametrize(
    ("base_url", "origin", "masked"),
    [
        ("", "", "/…"),
        ("https://hooks.test/T0/B0/secret", "https://hooks.test", "https://hooks.test/…"),
        ("https://user:pw@mastodon.test", "https://mastodon.test", "https://mastodon.test/…"),
        ("https://mastodon.test/", "https://mastodon.test", "https://mastodon.test"),
        ("http://pds.test:2583", "http://pds.test:2583", "http://pds.test:2583"),
    ],
)
def test_only_the_origin_of_a_base_url_is_printed(base_url, origin, masked):
    account = SocialAccount(name="a", base_url=base_url)
    assert account.base_url_origin == origin
    if base_url:
        assert account.base_url_masked == masked


def test_the_channel_is_built_with_the_accounts_credentials_and_state():
    account = SocialAccount(name="a", channel="console", base_url="https://x.test")
    account.credentials = {"token": "t"}
    account.state = {"session": "s"}
    calls = []

    def build(key, **kwargs):
        calls.append((key, kwargs))
        return "channel"

    assert account.build_channel(build) == "channel"
    assert calls == [
        (
            "console",
            {
                "base_url": "https://x.test",
                "credentials": {"token": "t"},
                "state": {"session": "s"},
            },
        )
    ]


class _Channel:
    def __init__(self, state):
        self.state = state


def test_a_changed_state_is_saved_and_an_unchanged_one_is_not():
    account = SocialAccount.objects.create(name="a", channel="console")
    account.state = {"session": "old"}
    SocialAccount.objects.filter(pk=account.pk).update(state_encrypted=account.state_encrypted)
    stored = account.state_encrypted

    account.keep_state(_Channel({"session": "old"}))
    assert SocialAccount.objects.get(pk=account.pk).state_encrypted == stored  # not rewritten

    account.keep_state(_Channel({"session": "new"}))
    assert SocialAccount.objects.get(pk=account.pk).state == {"session": "new"}
    assert account.state == {"session": "new"}


def test_health_records_success_and_failure():
    account = SocialAccount.objects.create(name="a", channel="console")
    other = SocialAccount.objects.create(name="b", channel="console")
    SocialAccount.record_success(account.pk)
    assert SocialAccount.objects.get(pk=account.pk).last_success_at is not None
    assert SocialAccount.objects.get(pk=other.pk).last_success_at is None

    message = SocialAccount.record_failure(account.pk, "x" * 600)
    assert message == "x" * 600
    row = SocialAccount.objects.get(pk=account.pk)
    assert row.last_failure == "x" * 500 and row.last_failure_at is not None
    assert row.auth_failed_at is None
    assert SocialAccount.objects.get(pk=other.pk).last_failure_at is None

    message = SocialAccount.record_failure(account.pk, "401 revoked.", authentication=True)
    assert show_message(message) == "401 revoked. Reconnect the account, then retry."
    row = SocialAccount.objects.get(pk=account.pk)
    assert row.auth_failed_at == row.last_failure_at and row.last_failure == "401 revoked."


def test_an_outcome_is_unknown_while_a_send_started_and_did_not_end():
    from django.utils import timezone

    assert Delivery().outcome_unknown is False
    assert Delivery(send_started_at=timezone.now()).outcome_unknown is True
