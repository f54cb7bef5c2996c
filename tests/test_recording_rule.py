"""publishing.social.recording, called directly (fast enough for mutation testing):
which letters are recorded for posting, to which accounts, as which rows and keys.

tests/test_social_pipeline.py follows the same rows through real publishes and the
loopback networks; these check the recording rules themselves, with no network.
"""

from __future__ import annotations

import logging

import pytest
from django.utils import timezone
from wagtail.models import Locale, PageViewRestriction

from home.models import LetterPage
from publishing.channels.bluesky import BlueskyChannel
from publishing.models import Delivery, DeliveryStatus, LetterLaunch, SocialAccount
from publishing.social import recording

pytestmark = pytest.mark.django_db


def account(name: str, channel: str = "console", languages=("en",), **fields) -> SocialAccount:
    made = SocialAccount.objects.create(name=name, channel=channel, **fields)
    made.locales.set(Locale.objects.filter(language_code__in=languages))
    return made


@pytest.fixture
def quiet_letter(make_letter):
    """A live letter published with "post on publish" off (so not launched yet), then
    switched on without a publish: `record_deliveries` decides as a publish would."""
    letter = make_letter("quiet", post_on_publish=False)
    LetterPage.objects.filter(pk=letter.pk).update(post_on_publish=True)
    letter.refresh_from_db()
    return letter


def test_accounts_of_a_language_are_the_enabled_ones_posting_in_it(db):
    english = Locale.objects.get(language_code="en")
    first = account("first")
    account("off", enabled=False)
    account("french", languages=("fr",))
    both = account("both", languages=("fr", "en"))
    assert set(recording.accounts_for(english.pk)) == {first, both}


def test_an_account_of_an_unknown_channel_is_left_out_and_logged(db, caplog):
    english = Locale.objects.get(language_code="en")
    known = account("known")
    unknown = account("gone", channel="no-such-network")
    with caplog.at_level(logging.ERROR, logger="publishing.social.recording"):
        assert recording.configured_accounts(english.pk) == [known]
    assert recording.configured(known) is True
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.getMessage() == (
        f"Account {unknown.pk} names an unknown channel 'no-such-network'"
    )


def test_new_rows_carry_the_letter_the_account_and_a_fresh_key_each(make_letter):
    letter = make_letter("rows")
    letter.title = "T" * 300  # longer than the row's field (in memory only)
    mastodon = account("m", channel="mastodon")
    bluesky = account("b", channel="bluesky")
    first, second = recording.new_deliveries(
        letter, [mastodon, bluesky], publications={bluesky.pk: 3}, reason="again"
    )
    assert (first.page_id, first.locale_id, first.account, first.publication) == (
        letter.pk,
        letter.locale_id,
        mastodon,
        1,
    )
    assert first.page_title == "T" * 255
    assert (second.account, second.publication, second.reason) == (bluesky, 3, "again")
    assert first.reason == "again"
    assert first.pk is None and second.pk is None  # unsaved
    assert len(first.idempotency_key) == 32 and first.idempotency_key != second.idempotency_key
    assert len(second.idempotency_key) == len(BlueskyChannel.new_key()) == 13  # a TID
    assert [d.publication for d in recording.new_deliveries(letter, [mastodon])] == [1]


def test_inserting_keeps_a_row_already_there_and_returns_only_the_new_ones(make_letter):
    letter = make_letter("twice")
    one, two = account("one"), account("two")
    [existing] = recording.new_deliveries(letter, [one])
    existing.save()
    rows = recording.new_deliveries(letter, [one, two])
    inserted = recording.insert_new(rows, letter.pk)
    assert inserted == [Delivery.objects.get(account=two).pk]
    assert Delivery.objects.get(account=one).idempotency_key == existing.idempotency_key
    assert recording.insert_new(recording.new_deliveries(letter, [two]), letter.pk + 1) == []


def test_a_launch_records_one_row_per_account_of_the_language(quiet_letter):
    english, other = account("en-1"), account("en-2")
    account("fr-1", languages=("fr",))
    account("broken", channel="no-such-network")
    ids = recording.record_deliveries(quiet_letter.pk, revision_id=quiet_letter.latest_revision_id)
    rows = Delivery.objects.filter(pk__in=ids)
    assert sorted(ids) == sorted(Delivery.objects.values_list("pk", flat=True))
    assert {row.account for row in rows} == {english, other}
    assert {row.revision_id for row in rows} == {quiet_letter.latest_revision_id}
    assert {row.status for row in rows} == {DeliveryStatus.PENDING}
    # launched now: the next publish records nothing
    assert recording.record_deliveries(quiet_letter.pk) == []
    assert Delivery.objects.count() == 2


def test_no_accounts_no_rows_but_the_letter_is_launched(quiet_letter):
    assert recording.record_deliveries(quiet_letter.pk) == []
    assert LetterLaunch.objects.filter(page_id=quiet_letter.pk).count() == 1


def test_a_letter_set_not_to_post_is_not_launched(make_letter):
    account("en")
    letter = make_letter("silent", post_on_publish=False)
    assert recording.record_deliveries(letter.pk) == []
    assert not LetterLaunch.objects.exists() and not Delivery.objects.exists()


@pytest.mark.parametrize("why", ["unpublished", "private", "scheduled", "missing"])
def test_a_letter_that_is_not_shareable_records_nothing(quiet_letter, why):
    account("en")
    page_id = quiet_letter.pk
    if why == "unpublished":
        quiet_letter.unpublish()
    elif why == "private":
        PageViewRestriction.objects.create(page=quiet_letter, restriction_type="login")
    elif why == "scheduled":
        LetterPage.objects.filter(pk=page_id).update(
            go_live_at=timezone.now() + timezone.timedelta(days=1)
        )
    else:
        page_id = quiet_letter.pk + 1000
    assert recording.record_deliveries(page_id) == []
    assert not LetterLaunch.objects.exists() and not Delivery.objects.exists()


def test_launch_is_true_once_per_translation(quiet_letter):
    assert recording.launch(quiet_letter) is True
    assert recording.launch(quiet_letter) is False
    [launched] = LetterLaunch.objects.all()
    assert (launched.page_id, launched.translation_key, launched.locale_id) == (
        quiet_letter.pk,
        quiet_letter.translation_key,
        quiet_letter.locale_id,
    )


def test_unpublishing_marks_only_the_sent_posts_not_yet_marked(make_letter):
    letter = make_letter("offline")
    earlier = timezone.now() - timezone.timedelta(days=2)
    sent, pending, marked = (account(name) for name in ("sent", "pending", "marked"))
    rows = recording.new_deliveries(letter, [sent, pending, marked])
    rows[0].status = rows[2].status = DeliveryStatus.SENT
    rows[2].page_unpublished_at = earlier
    Delivery.objects.bulk_create(rows)
    other = make_letter("other", post_on_publish=False)
    [elsewhere] = recording.new_deliveries(other, [sent], status=DeliveryStatus.SENT)
    elsewhere.save()

    assert recording.record_unpublished(letter.pk) == 1
    by_account = {d.account.name: d for d in Delivery.objects.filter(page_id=letter.pk)}
    assert by_account["sent"].page_unpublished_at is not None
    assert by_account["pending"].page_unpublished_at is None
    assert by_account["marked"].page_unpublished_at == earlier
    assert Delivery.objects.get(pk=elsewhere.pk).page_unpublished_at is None
