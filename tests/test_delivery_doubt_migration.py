"""publishing 0009: "may already be posted" becomes one stored fact (`send_started_at`).

Rows are written with the models as they were at 0008 (three fields) and read after
0009: every delivery still says what it said about a possible post.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("publishing", "0008_connect_health")]
AFTER = [("publishing", "0009_delivery_outcome_unknown_from_send_started_at")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.migrates_back_and_forth
@pytest.mark.django_db(transaction=True)
def test_every_delivery_keeps_what_it_said_about_a_possible_post():
    old = migrate(BEFORE)
    Locale = old.get_model("wagtailcore", "Locale")
    locale = Locale.objects.get_or_create(language_code="en")[0]
    account = old.get_model("publishing", "SocialAccount").objects.create(
        name="doubts", channel="mastodon"
    )
    Delivery = old.get_model("publishing", "Delivery")
    first = timezone.now() - timedelta(hours=3)

    def row(key, **fields):
        return Delivery.objects.create(
            page_title=key, locale=locale, account=account, idempotency_key=key, **fields
        ).pk

    rows = {
        # A lost answer settled as unconfirmed: the old code cleared the start time.
        "unconfirmed": row("a", status="unconfirmed", outcome_unknown=True, first_send_at=first),
        # Retrying after a lost answer, the first send time never recorded.
        "retrying": row("b", status="retrying", outcome_unknown=True),
        # A crash mid-send (still "sending"): the start time was already the doubt.
        "sending": row("c", status="sending", send_started_at=first, first_send_at=first),
        # Sent: a start time left over meant nothing.
        "sent": row("d", status="sent", send_started_at=first, first_send_at=first),
        "failed": row("e", status="failed"),
    }
    new = migrate(AFTER)
    started = dict(
        new.get_model("publishing", "Delivery").objects.values_list("pk", "send_started_at")
    )
    assert started[rows["unconfirmed"]] == first
    assert started[rows["retrying"]] is not None
    assert started[rows["sending"]] == first
    assert started[rows["sent"]] is None
    assert started[rows["failed"]] is None
    # And back: the boolean is rebuilt from the one fact.
    back = migrate(BEFORE).get_model("publishing", "Delivery")
    unknown = dict(back.objects.values_list("pk", "outcome_unknown"))
    assert unknown[rows["unconfirmed"]] and unknown[rows["retrying"]]
    assert not unknown[rows["sent"]] and not unknown[rows["failed"]]
    migrate(executor_leaf())


def executor_leaf():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
