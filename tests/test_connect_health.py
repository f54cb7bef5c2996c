"""Connection health: flags, where they show, and an authentication failure (issue 12)."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from publishing.models import Delivery, DeliveryStatus, SocialAccount
from publishing.social.connect import health


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def test_a_healthy_account_has_no_flag(accounts):
    assert health.problems(accounts["mastodon-en"]) == []


def test_expiry_within_seven_days_and_past_expiry_are_flagged(accounts):
    account = accounts["mastodon-en"]
    account.token_expires_at = timezone.now() + timedelta(days=8)
    assert health.problems(account) == []
    account.token_expires_at = timezone.now() + timedelta(days=6, hours=23)
    assert ["expires on" in problem for problem in health.problems(account)] == [True]
    account.token_expires_at = timezone.now() - timedelta(minutes=1)
    assert ["expired on" in problem for problem in health.problems(account)] == [True]


def test_an_api_version_near_its_end_is_flagged(accounts, monkeypatch):
    from publishing.channels.mastodon import MastodonChannel

    monkeypatch.setattr(MastodonChannel, "api_version", "v1", raising=False)
    monkeypatch.setattr(
        MastodonChannel, "api_version_ends", date.today() + timedelta(days=120), raising=False
    )
    assert health.problems(accounts["mastodon-en"]) == []
    monkeypatch.setattr(MastodonChannel, "api_version_ends", date.today() + timedelta(days=60))
    (problem,) = health.problems(accounts["mastodon-en"])
    assert "API version v1" in problem


def test_the_graph_api_pin_is_flagged_90_days_before_meta_ends_it():
    from publishing.social.connect.meta import FacebookConnect

    account = SocialAccount(name="fb", channel="facebook")
    assert health.api_version(account) == ("v25.0", date(2028, 7, 29))
    ends = FacebookConnect.api_version_ends
    assert health.problems(account, now=timezone.make_aware(_noon(ends - timedelta(days=91)))) == []
    late = timezone.make_aware(_noon(ends - timedelta(days=89)))
    assert any("v25.0" in problem for problem in health.problems(account, now=late))


def _noon(day: date):
    from datetime import datetime

    return datetime(day.year, day.month, day.day, 12)


def test_an_authentication_failure_fails_the_delivery_and_flags_the_account(
    make_letter, accounts, networks, run_on_commit, client
):
    networks.mastodon.access_token = "revoked-on-the-network"
    run_on_commit(make_letter, "auth")
    delivery = Delivery.objects.get(account__name="mastodon-en")
    assert delivery.status == DeliveryStatus.FAILED
    assert "Reconnect the account" in delivery.error
    account = SocialAccount.objects.get(name="mastodon-en")
    assert account.auth_failed_at is not None and account.last_failure_at is not None
    # The others posted, and recorded it.
    assert SocialAccount.objects.get(name="x-en").last_success_at is not None
    # Flagged in the command, the account list and the dashboard.
    out = StringIO()
    call_command("social_accounts", "list", stdout=out)
    line = next(line for line in out.getvalue().splitlines() if line.startswith("mastodon-en"))
    assert "NEEDS ATTENTION: The network refused the credentials" in line
    user = get_user_model().objects.create_superuser("admin", "a@example.org", "pw")
    client.force_login(user)
    listing = client.get("/admin/social_accounts/").content.decode()
    assert "The network refused the credentials: reconnect the account." in listing
    dashboard = client.get("/admin/").content.decode()
    assert "Social accounts that need attention" in dashboard
    assert "mastodon-en" in dashboard
    # A successful check clears the flag.
    networks.mastodon.access_token = "mastodon-token-s3cr3t"
    call_command("social_accounts", "test", "mastodon-en", stdout=StringIO())
    assert SocialAccount.objects.get(name="mastodon-en").auth_failed_at is None


def test_the_dashboard_panel_is_absent_when_all_is_well(accounts, client):
    user = get_user_model().objects.create_superuser("admin", "a@example.org", "pw")
    client.force_login(user)
    assert "Social accounts that need attention" not in client.get("/admin/").content.decode()


def test_other_refusals_are_the_last_failure_without_a_reconnect_flag(
    make_letter, accounts, networks, run_on_commit
):
    networks.x.fail_next(403, path="/2/tweets")
    run_on_commit(make_letter, "refused")
    assert Delivery.objects.get(account__name="x-en").status == DeliveryStatus.FAILED
    account = SocialAccount.objects.get(name="x-en")
    assert "403" in account.last_failure and account.last_failure_at is not None
    assert account.auth_failed_at is None
    assert health.problems(account) == []


def test_the_account_list_with_health_costs_the_same_queries_for_more_accounts(
    accounts, client, networks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.social import add_account

    user = get_user_model().objects.create_superuser("admin", "a@example.org", "pw")
    client.force_login(user)
    client.get("/admin/social_accounts/")  # warm caches (permissions, site)
    with CaptureQueriesContext(connection) as four:
        assert client.get("/admin/social_accounts/").status_code == 200
    for number in range(3):
        add_account(
            "mastodon", f"more-{number}", ["en"], networks.mastodon.url, {"access_token": "t"}
        )
    with CaptureQueriesContext(connection) as seven:
        client.get("/admin/social_accounts/")
    assert len(seven) == len(four)
