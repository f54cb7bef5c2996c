"""The delivery state machine (publishing.social.worker), driven directly through a
scripted channel: every transition, the doubt a lost answer leaves, the attempt cap.

Fast enough for mutation testing: no network, no share card (the scripted channel posts
none, except where a test waits for one). tests/test_social_pipeline.py follows the same
states through real publishes and the loopback networks.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import ClassVar

import pytest
from django.utils import timezone, translation
from wagtail.models import Locale

from home.models import LetterPage
from publishing.channels.base import (
    AuthenticationFailed,
    Channel,
    OutcomeUnknown,
    PermanentError,
    Post,
    SentPost,
    TemporaryError,
)
from publishing.messages import show_message
from publishing.models import Delivery, DeliveryStatus, SocialAccount
from publishing.social import recording, worker
from publishing.social.compose import CompositionError
from tests.conftest import build_tree, publish, rolled_back_after

Status = DeliveryStatus
pytestmark = pytest.mark.django_db
UNCONFIRMED = (
    "The network may have the post, and it offers no protection against duplicates: "
    "check the account, then choose Mark as posted or Retry."
)


class Scripted(Channel):
    """Does what the test scripted: each send takes the next outcome (a SentPost, or an
    exception to raise); `find_post` answers `found`. Records the posts it was given."""

    card_variant = None
    script: ClassVar[list] = []
    sent: ClassVar[list[Post]] = []
    found: ClassVar[SentPost | Exception | None] = None
    problems: ClassVar[list[str]] = []
    looked: ClassVar[list[dict]] = []
    leases: ClassVar[list] = []  # the delivery's lease as each send starts
    validated: ClassVar[list[Post]] = []
    on_validate: ClassVar = None

    def validate(self, post: Post) -> list[str]:
        Scripted.validated.append(post)
        if Scripted.on_validate is not None:
            Scripted.on_validate(self)
        return list(Scripted.problems)

    def send(self, post: Post) -> SentPost:
        Scripted.sent.append(post)
        Scripted.leases.append(Delivery.objects.get(idempotency_key=post.key).claimed_until)
        outcome = Scripted.script.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def find_post(self, *, key, url, since, known):
        Scripted.looked.append({"key": key, "url": url, "since": since, "known": known})
        if isinstance(Scripted.found, BaseException):
            raise Scripted.found
        return Scripted.found


class ScriptedSafe(Scripted):
    """A network with a duplicate-proof key remembered for an hour (Mastodon's kind)."""

    duplicate_safe = True
    duplicate_window = 3600.0


class ScriptedWithCard(Scripted):
    card_variant = "og"


class ScriptedSafeWithCard(ScriptedSafe):
    card_variant = "og"


@pytest.fixture(autouse=True)
def scripted_channels(settings):
    settings.BROADSIDE_CHANNELS = {
        **settings.BROADSIDE_CHANNELS,
        "scripted": {"BACKEND": f"{__name__}.Scripted"},
        "scripted-safe": {"BACKEND": f"{__name__}.ScriptedSafe"},
        "scripted-card": {"BACKEND": f"{__name__}.ScriptedWithCard"},
        "scripted-safe-card": {"BACKEND": f"{__name__}.ScriptedSafeWithCard"},
    }
    settings.BROADSIDE_DELIVERY_MAX_ATTEMPTS = 3
    settings.BROADSIDE_DELIVERY_BACKOFF = (0.0, 0.0)
    Scripted.script, Scripted.sent, Scripted.looked, Scripted.leases = [], [], [], []
    Scripted.validated = []
    Scripted.found, Scripted.problems, Scripted.on_validate = None, [], None


@pytest.fixture(scope="module")
def letter_once(django_db_setup, django_db_blocker):
    """One live letter for the module (each test's changes to it are rolled back)."""
    with rolled_back_after(django_db_blocker):
        tree = build_tree()
        letter = LetterPage(
            title="States",
            slug="states",
            standfirst="Standfirst of states.",
            publication_date=date(2025, 1, 1),
            post_on_publish=False,
        )
        tree.letters.add_child(instance=letter)
        yield publish(letter)


@pytest.fixture
def letter(letter_once, db):
    return LetterPage.objects.get(pk=letter_once.pk)


@pytest.fixture
def make_delivery(letter):
    def make(channel: str = "scripted", **fields) -> Delivery:
        account = SocialAccount.objects.create(name=f"{channel}-{Delivery.objects.count()}")
        SocialAccount.objects.filter(pk=account.pk).update(channel=channel)
        account.refresh_from_db()
        account.locales.set([Locale.objects.get(language_code="en")])
        [delivery] = recording.new_deliveries(letter, [account], **fields)
        delivery.save()
        return delivery

    return make


def reread(delivery: Delivery) -> Delivery:
    return Delivery.objects.select_related("account").get(pk=delivery.pk)


def test_a_sent_post_is_recorded_with_its_id_and_link(make_delivery, letter):
    delivery = make_delivery()
    Scripted.script = [SentPost("r" * 250, "https://network.test/post/1")]
    assert worker.deliver(delivery.pk) == worker.Attempt(Status.SENT)
    done = reread(delivery)
    assert done.status == Status.SENT
    assert done.remote_id == "r" * 200
    assert done.remote_url == "https://network.test/post/1"
    assert done.sent_at is not None and done.first_send_at is not None
    assert (
        done.send_started_at,
        done.claimed_until,
        done.claim_token,
        show_message(done.error),
    ) == (
        None,
        None,
        "",
        "",
    )
    assert done.attempts == 1
    [post] = Scripted.sent
    assert Scripted.validated == [post]
    assert done.text == post.text and post.url == letter.full_url in post.text
    assert post.key == delivery.idempotency_key and post.resumed is False
    assert post.card is None
    assert done.account.last_success_at is not None
    assert worker.deliver(delivery.pk) == worker.Attempt("not-claimed")  # twice: no harm
    assert len(Scripted.sent) == 1


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "https://network.test/" + "p" * 480, "ftp://network.test/1"]
)
def test_a_link_that_is_not_http_or_does_not_fit_is_dropped(make_delivery, link):
    delivery = make_delivery()
    Scripted.script = [SentPost("1", link)]
    worker.deliver(delivery.pk)
    assert reread(delivery).remote_url == ""


def test_a_link_that_just_fits_is_kept(make_delivery):
    delivery = make_delivery()
    link = "https://network.test/" + "p" * (500 - len("https://network.test/"))
    Scripted.script = [SentPost("1", link)]
    worker.deliver(delivery.pk)
    assert reread(delivery).remote_url == link


def test_only_pending_or_due_retrying_deliveries_are_claimed(make_delivery):
    later = timezone.now() + timedelta(hours=1)
    for status in (Status.SENT, Status.FAILED, Status.SENDING, Status.UNCONFIRMED):
        delivery = make_delivery(status=status)
        assert worker.claim(delivery.pk) is None
    waiting = make_delivery(status=Status.RETRYING, next_attempt_at=later)
    assert worker.claim(waiting.pk) is None
    due = make_delivery(
        status=Status.RETRYING, next_attempt_at=timezone.now() - timedelta(seconds=1), attempts=1
    )
    claimed = worker.claim(due.pk)
    assert claimed.status == Status.SENDING and claimed.attempts == 2
    assert len(claimed.claim_token) == 32
    lease = claimed.claimed_until - timezone.now()
    assert timedelta(seconds=290) < lease <= timedelta(seconds=300)
    assert claimed.account.name and claimed.locale.language_code == "en"
    assert worker.claim(due.pk) is None  # one worker at a time
    assert worker.claim(make_delivery().pk).status == Status.SENDING


def test_a_temporary_error_schedules_a_retry(make_delivery, settings):
    settings.BROADSIDE_DELIVERY_BACKOFF = (0.0, 0.0)
    delivery = make_delivery()
    Scripted.script = [TemporaryError("busy", retry_after=120.0)]
    before = timezone.now()
    attempt = worker.deliver(delivery.pk)
    row = reread(delivery)
    assert attempt.status == Status.RETRYING and attempt.retry_at == row.next_attempt_at
    assert before + timedelta(seconds=120) <= row.next_attempt_at
    assert row.next_attempt_at <= timezone.now() + timedelta(seconds=120)
    assert (row.status, show_message(row.error), row.send_started_at, row.claim_token) == (
        Status.RETRYING,
        "busy",
        None,
        "",
    )
    assert row.first_send_at is not None
    # due again: the next attempt sends, with the same key, as a resumed delivery
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    Scripted.script = [SentPost("2")]
    assert worker.deliver(delivery.pk).status == Status.SENT
    assert Scripted.sent[1].key == Scripted.sent[0].key and Scripted.sent[1].resumed is True
    assert reread(delivery).attempts == 2
    assert show_message(reread(delivery).error) == ""  # the retry's error is gone once sent


def test_temporary_errors_give_up_at_the_cap(make_delivery):
    delivery = make_delivery(attempts=2)  # the cap is 3
    Scripted.script = [TemporaryError("still busy")]
    assert worker.deliver(delivery.pk) == worker.Attempt(Status.FAILED)
    row = reread(delivery)
    assert row.status == Status.FAILED
    assert show_message(row.error) == "Gave up after 3 attempts. Last error: still busy"
    assert row.send_started_at is None


def test_a_refusal_fails_and_is_shown_on_the_account(make_delivery):
    delivery = make_delivery()
    Scripted.script = [PermanentError("text refused")]
    assert worker.deliver(delivery.pk) == worker.Attempt(Status.FAILED)
    row = reread(delivery)
    assert (row.status, show_message(row.error), row.send_started_at) == (
        Status.FAILED,
        "text refused",
        None,
    )
    assert row.account.last_failure == "text refused" and row.account.auth_failed_at is None


def test_refused_credentials_flag_the_account_for_reconnection(make_delivery):
    delivery = make_delivery()
    Scripted.script = [AuthenticationFailed("401 bad token")]
    worker.deliver(delivery.pk)
    row = reread(delivery)
    assert show_message(row.error) == "401 bad token Reconnect the account, then retry."
    assert row.account.auth_failed_at is not None


def test_a_lost_answer_without_duplicate_protection_needs_a_person(make_delivery, letter):
    delivery = make_delivery(remote_id="its-own-leftover")
    other, unsent = make_delivery(), make_delivery()
    Delivery.objects.filter(pk=other.pk).update(account=delivery.account_id, publication=2)
    Delivery.objects.filter(pk=other.pk).update(remote_id="earlier")
    Delivery.objects.filter(pk=unsent.pk).update(account=delivery.account_id, publication=3)
    other_account, other_page = make_delivery(), make_delivery()
    Delivery.objects.filter(pk=other_account.pk).update(remote_id="other-account")
    Delivery.objects.filter(pk=other_page.pk).update(
        account=delivery.account_id, page=letter.get_parent(), remote_id="other-page"
    )
    Scripted.script = [OutcomeUnknown("timed out")]
    assert worker.deliver(delivery.pk) == worker.Attempt(Status.UNCONFIRMED)
    row = reread(delivery)
    assert row.status == Status.UNCONFIRMED
    assert show_message(row.error) == f"timed out\n{UNCONFIRMED}"
    assert row.send_started_at is not None  # the doubt is kept
    [looked] = Scripted.looked
    assert looked == {
        "key": delivery.idempotency_key,
        "url": letter.full_url,
        "since": row.first_send_at,
        "known": frozenset({"earlier"}),
    }


def test_a_doubt_raised_before_the_send_mark_is_recorded_as_a_doubt(make_delivery):
    delivery = make_delivery()

    def lost(channel):
        raise OutcomeUnknown("the upload's answer was lost")

    Scripted.on_validate = lost
    assert worker.deliver(delivery.pk).status == Status.UNCONFIRMED
    assert reread(delivery).send_started_at is not None


def test_a_lost_answer_found_on_the_network_is_sent(make_delivery):
    delivery = make_delivery(error="an earlier attempt's error")
    Scripted.script = [OutcomeUnknown("timed out")]
    Scripted.found = SentPost("f" * 250, "https://network.test/found-1")
    assert worker.deliver(delivery.pk) == worker.Attempt(Status.SENT)
    row = reread(delivery)
    assert (row.status, row.remote_id, row.remote_url, show_message(row.error)) == (
        Status.SENT,
        "f" * 200,
        "https://network.test/found-1",
        "",
    )
    assert show_message(row.reason) == "The answer was lost; the post was found on the network."
    assert row.send_started_at is None and row.sent_at is not None


@pytest.mark.parametrize(
    "failure", [TemporaryError("503"), PermanentError("403"), OutcomeUnknown("reset")]
)
def test_looking_for_the_post_that_fails_keeps_the_doubt(make_delivery, failure, caplog):
    delivery = make_delivery()
    Scripted.script = [OutcomeUnknown("timed out")]
    Scripted.found = failure
    with caplog.at_level(logging.WARNING, logger="publishing.social.worker"):
        assert worker.deliver(delivery.pk).status == Status.UNCONFIRMED
    assert [r.getMessage() for r in caplog.records if r.name == "publishing.social.worker"] == [
        f"Delivery {delivery.pk}: could not look for the post: {failure}"
    ]


def test_a_lost_answer_with_a_duplicate_proof_key_is_retried(make_delivery):
    delivery = make_delivery("scripted-safe")
    Scripted.script = [OutcomeUnknown("timed out"), SentPost("9")]
    attempt = worker.deliver(delivery.pk)
    row = reread(delivery)
    assert attempt.status == Status.RETRYING and row.status == Status.RETRYING
    assert row.send_started_at is not None and show_message(row.error) == "timed out"
    assert worker.deliver(delivery.pk).status == Status.SENT
    assert Scripted.sent[1].resumed is True and Scripted.sent[1].key == Scripted.sent[0].key
    assert reread(delivery).send_started_at is None
    assert Scripted.looked == []


def test_a_lost_answer_whose_key_the_network_forgot_needs_a_person(make_delivery):
    long_ago = timezone.now() - timedelta(hours=2)
    delivery = make_delivery(
        "scripted-safe", status=Status.RETRYING, send_started_at=long_ago, first_send_at=long_ago
    )
    assert worker.deliver(delivery.pk).status == Status.UNCONFIRMED
    assert Scripted.sent == []  # never sent again
    row = reread(delivery)
    assert (
        row.send_started_at == long_ago
        and show_message(row.error) == f"{UNCONFIRMED}\n{UNCONFIRMED}"
    )
    assert [looked["url"] for looked in Scripted.looked] == [delivery.page.full_url]


def test_a_doubt_out_of_attempts_is_settled_by_looking(make_delivery, letter):
    delivery = make_delivery("scripted-safe", attempts=2)
    Scripted.script = [OutcomeUnknown("timed out")]
    assert worker.deliver(delivery.pk).status == Status.UNCONFIRMED
    [looked] = Scripted.looked
    assert looked["url"] == letter.full_url
    assert show_message(reread(delivery).error) == f"timed out\n{UNCONFIRMED}"


def test_a_doubt_out_of_attempts_on_a_letter_gone_offline_looks_without_a_link(
    make_delivery, letter
):
    delivery = make_delivery("scripted-safe", attempts=2)
    Scripted.script = [OutcomeUnknown("timed out")]
    Scripted.on_validate = lambda channel: letter.unpublish()  # while it was being sent
    assert worker.deliver(delivery.pk).status == Status.UNCONFIRMED
    assert [looked["url"] for looked in Scripted.looked] == [""]


def test_a_temporary_error_after_a_doubt_keeps_the_doubt(make_delivery):
    started = timezone.now() - timedelta(minutes=1)
    delivery = make_delivery(
        "scripted-safe", status=Status.RETRYING, send_started_at=started, first_send_at=started
    )
    Scripted.script = [TemporaryError("busy")]
    assert worker.deliver(delivery.pk).status == Status.RETRYING
    assert reread(delivery).send_started_at is not None


@pytest.mark.parametrize("failure", [PermanentError("403"), CompositionError("too long")])
def test_a_refusal_after_a_doubt_is_no_proof_nothing_was_posted(
    make_delivery, monkeypatch, failure
):
    started = timezone.now() - timedelta(minutes=1)
    delivery = make_delivery(
        "scripted-safe", status=Status.RETRYING, send_started_at=started, first_send_at=started
    )
    if isinstance(failure, CompositionError):
        monkeypatch.setattr(worker, "build_post", lambda *a, **k: (_ for _ in ()).throw(failure))
    else:
        Scripted.script = [failure]
    assert worker.deliver(delivery.pk).status == Status.UNCONFIRMED
    assert show_message(reread(delivery).error).startswith(str(failure))
    assert [looked["url"] for looked in Scripted.looked] == [delivery.page.full_url]


def test_a_post_that_cannot_be_composed_fails(make_delivery, monkeypatch):
    delivery = make_delivery()

    def too_long(*args, **kwargs):
        raise CompositionError("The title does not fit.")

    monkeypatch.setattr(worker, "build_post", too_long)
    assert worker.deliver(delivery.pk) == worker.Attempt(Status.FAILED)
    assert show_message(reread(delivery).error) == "The title does not fit."


def test_a_post_the_network_would_refuse_fails_before_sending(make_delivery):
    delivery = make_delivery()
    Scripted.problems = ["no alt text", "too many images"]
    assert worker.deliver(delivery.pk) == worker.Attempt(Status.FAILED)
    row = reread(delivery)
    assert show_message(row.error) == "no alt text\ntoo many images" and row.text
    assert Scripted.sent == [] and row.send_started_at is None


def test_problems_after_a_doubt_leave_it_for_a_person(make_delivery):
    started = timezone.now() - timedelta(minutes=1)
    delivery = make_delivery(
        "scripted-safe", status=Status.RETRYING, send_started_at=started, first_send_at=started
    )
    Scripted.problems = ["no alt text", "too many images"]
    assert worker.deliver(delivery.pk).status == Status.UNCONFIRMED
    assert show_message(reread(delivery).error) == f"no alt text\ntoo many images\n{UNCONFIRMED}"
    assert [looked["url"] for looked in Scripted.looked] == [delivery.page.full_url]


def test_a_disabled_account_or_an_offline_page_is_skipped(make_delivery, letter):
    disabled = make_delivery()
    SocialAccount.objects.filter(pk=disabled.account_id).update(enabled=False)
    offline = make_delivery()
    with translation.override("fr"):  # reasons are written in the site's language
        assert worker.deliver(disabled.pk) == worker.Attempt(Status.SKIPPED)
        letter.unpublish()
        assert worker.deliver(offline.pk) == worker.Attempt(Status.SKIPPED)
    assert show_message(reread(disabled).reason) == "The account was disabled."
    assert show_message(reread(offline).reason) == "The page is no longer live and public."
    assert reread(offline).status == Status.SKIPPED and Scripted.sent == []


def test_a_deleted_page_is_skipped(make_delivery):
    delivery = make_delivery()
    Delivery.objects.filter(pk=delivery.pk).update(page=None)
    assert worker.deliver(delivery.pk).status == Status.SKIPPED


def test_stopping_after_a_doubt_keeps_it(make_delivery, letter):
    started = timezone.now() - timedelta(minutes=1)
    disabled = make_delivery(send_started_at=started)
    SocialAccount.objects.filter(pk=disabled.account_id).update(enabled=False)
    assert worker.deliver(disabled.pk).status == Status.UNCONFIRMED
    offline = make_delivery(send_started_at=started)
    letter.unpublish()
    assert worker.deliver(offline.pk).status == Status.UNCONFIRMED


def test_unreadable_credentials_skip_and_an_unknown_channel_fails(make_delivery):
    unreadable = make_delivery()
    SocialAccount.objects.filter(pk=unreadable.account_id).update(
        credentials_encrypted="not-a-token"
    )
    assert worker.deliver(unreadable.pk).status == Status.SKIPPED
    assert show_message(reread(unreadable).error) == (
        "The credentials cannot be decrypted: reconnect the account or re-enter them."
    )
    gone = make_delivery("scripted")
    SocialAccount.objects.filter(pk=gone.account_id).update(channel="no-such-network")
    assert worker.deliver(gone.pk).status == Status.FAILED
    assert show_message(reread(gone).error) == "No channel 'no-such-network' in BROADSIDE_CHANNELS"


def test_doubt_stands_when_credentials_or_channel_break(make_delivery):
    started = timezone.now() - timedelta(minutes=1)
    unreadable = make_delivery(send_started_at=started)
    SocialAccount.objects.filter(pk=unreadable.account_id).update(
        credentials_encrypted="not-a-token"
    )
    assert worker.deliver(unreadable.pk).status == Status.UNCONFIRMED
    gone = make_delivery(send_started_at=started)
    SocialAccount.objects.filter(pk=gone.account_id).update(channel="no-such-network")
    assert worker.deliver(gone.pk).status == Status.UNCONFIRMED


def test_a_crash_loop_stops_at_the_cap(make_delivery):
    crashed = make_delivery(attempts=3)
    assert worker.deliver(crashed.pk) == worker.Attempt(Status.FAILED)
    assert (
        show_message(reread(crashed).error) == "Gave up: every attempt stopped before it finished."
    )
    doubtful = make_delivery(attempts=3, send_started_at=timezone.now())
    assert worker.deliver(doubtful.pk) == worker.Attempt(Status.UNCONFIRMED)
    assert reread(doubtful).status == Status.UNCONFIRMED and Scripted.sent == []
    under = make_delivery(attempts=2)
    Scripted.script = [SentPost("1")]
    assert worker.deliver(under.pk).status == Status.SENT


def test_a_bug_while_sending_leaves_a_doubt_not_a_stuck_delivery(make_delivery, caplog):
    delivery = make_delivery()
    Scripted.script = [KeyError("bug")]
    with caplog.at_level(logging.ERROR, logger="publishing.social.worker"):
        with pytest.raises(KeyError):
            worker.deliver(delivery.pk)
    assert [r.getMessage() for r in caplog.records if r.name == "publishing.social.worker"] == [
        f"Delivery {delivery.pk} crashed"
    ]
    row = reread(delivery)
    assert row.status == Status.UNCONFIRMED
    assert show_message(row.error) == "Broadside failed while sending; see the logs."


def test_a_bug_before_sending_fails(make_delivery):
    delivery = make_delivery()

    def crash(channel):
        raise KeyError("bug")

    Scripted.on_validate = crash
    with pytest.raises(KeyError):
        worker.deliver(delivery.pk)
    assert reread(delivery).status == Status.FAILED


def test_a_worker_that_lost_its_lease_does_not_send(make_delivery, caplog):
    delivery = make_delivery()

    def taken_over(channel):
        Delivery.objects.filter(pk=delivery.pk).update(claim_token="another-worker")

    Scripted.on_validate = taken_over
    with caplog.at_level(logging.WARNING, logger="publishing.social.worker"):
        assert worker.deliver(delivery.pk) == worker.Attempt("lease-lost")
    assert [r.getMessage() for r in caplog.records if r.name == "publishing.social.worker"] == [
        f"Delivery {delivery.pk} was taken over by another worker"
    ]
    assert Scripted.sent == []
    assert reread(delivery).claim_token == "another-worker"


def test_a_worker_past_its_lease_does_not_send(make_delivery):
    delivery = make_delivery()

    def expired(channel):
        Delivery.objects.filter(pk=delivery.pk).update(
            claimed_until=timezone.now() - timedelta(seconds=1)
        )

    Scripted.on_validate = expired
    assert worker.deliver(delivery.pk).status == "lease-lost"
    assert Scripted.sent == []


def test_the_sending_mark_renews_the_lease(make_delivery):
    delivery = make_delivery()

    def nearly_out(channel):  # composing took most of the lease
        Delivery.objects.filter(pk=delivery.pk).update(
            claimed_until=timezone.now() + timedelta(seconds=10)
        )

    Scripted.on_validate = nearly_out
    Scripted.script = [SentPost("1")]
    before = timezone.now()
    worker.deliver(delivery.pk)
    [lease] = Scripted.leases
    assert before + timedelta(seconds=300) <= lease <= timezone.now() + timedelta(seconds=300)


def test_what_a_channel_remembers_is_kept_and_refused_once_taken_over(make_delivery):
    delivery = make_delivery()

    def remember(channel):
        channel.remember(container="c-1")

    Scripted.on_validate = remember
    Scripted.script = [SentPost("1")]
    assert worker.deliver(delivery.pk).status == Status.SENT
    assert reread(delivery).channel_state == {"container": "c-1"}

    other = make_delivery()

    def taken_then_remember(channel):
        Delivery.objects.filter(pk=other.pk).update(claim_token="another-worker")
        channel.remember(container="c-2")

    Scripted.on_validate = taken_then_remember
    assert worker.deliver(other.pk).status == "lease-lost"
    assert reread(other).channel_state == {}


def test_a_delivery_waits_for_its_card(make_delivery, letter):
    delivery = make_delivery("scripted-card")
    before = timezone.now()
    attempt = worker.deliver(delivery.pk)
    assert attempt.status == Status.RETRYING and attempt.awaits_card_of == letter.pk
    row = reread(delivery)
    assert show_message(row.error) == "The share card is not ready yet."
    assert row.send_started_at is None  # nothing was sent: no doubt
    assert before + timedelta(seconds=5) <= row.next_attempt_at
    assert row.next_attempt_at <= timezone.now() + timedelta(seconds=5)


def test_may_resend_only_with_a_remembered_duplicate_proof_key(monkeypatch):
    now = timezone.now()
    assert worker.may_resend(Scripted, None) is False
    assert worker.may_resend(ScriptedSafe, None) is True
    assert worker.may_resend(ScriptedSafe, now - timedelta(seconds=3500)) is True
    assert worker.may_resend(ScriptedSafe, now - timedelta(seconds=3601)) is False
    monkeypatch.setattr(worker.timezone, "now", lambda: now)
    assert worker.may_resend(ScriptedSafe, now - timedelta(seconds=3600)) is False  # forgotten

    class Forever(ScriptedSafe):
        duplicate_window = None

    assert worker.may_resend(Forever, now - timedelta(days=300)) is True


@pytest.mark.parametrize(
    ("attempt", "low", "high"),
    [(0, 5.0, 10.0), (1, 5.0, 10.0), (2, 10.0, 20.0), (3, 20.0, 40.0), (9, 50.0, 100.0)],
)
def test_backoff_doubles_with_equal_jitter_up_to_the_longest(
    settings, monkeypatch, attempt, low, high
):
    settings.BROADSIDE_DELIVERY_BACKOFF = (10.0, 100.0)
    monkeypatch.setattr(worker.random, "uniform", lambda a, b: a)
    assert worker.backoff_seconds(attempt) == low
    monkeypatch.setattr(worker.random, "uniform", lambda a, b: b)
    assert worker.backoff_seconds(attempt) == high
    assert worker.backoff_seconds(attempt, retry_after=500.0) == 500.0
    assert worker.backoff_seconds(attempt, retry_after=1.0) == high


def test_attempts_left_below_the_cap(settings):
    settings.BROADSIDE_DELIVERY_MAX_ATTEMPTS = 3
    assert [worker.attempts_left(n) for n in (0, 2, 3, 4)] == [True, True, False, False]


def test_waiting_for_a_card_at_the_cap_settles_an_earlier_doubt(make_delivery, letter):
    started = timezone.now() - timedelta(minutes=1)
    delivery = make_delivery(
        "scripted-safe-card",
        status=Status.RETRYING,
        attempts=2,
        send_started_at=started,
        first_send_at=started,
    )
    assert worker.deliver(delivery.pk).status == Status.UNCONFIRMED
    assert [looked["url"] for looked in Scripted.looked] == [letter.full_url]


def test_a_temporary_error_at_the_cap_settles_an_earlier_doubt(make_delivery, letter):
    started = timezone.now() - timedelta(minutes=1)
    delivery = make_delivery(
        "scripted-safe",
        status=Status.RETRYING,
        attempts=2,
        send_started_at=started,
        first_send_at=started,
    )
    Scripted.script = [TemporaryError("busy")]
    assert worker.deliver(delivery.pk).status == Status.UNCONFIRMED
    assert [looked["url"] for looked in Scripted.looked] == [letter.full_url]
    assert show_message(reread(delivery).error) == f"busy\n{UNCONFIRMED}"


def test_a_worker_does_not_send_what_a_person_already_settled(make_delivery):
    delivery = make_delivery()

    def marked_as_posted(channel):  # by a person, while this worker composed
        Delivery.objects.filter(pk=delivery.pk).update(status=Status.SENT)

    Scripted.on_validate = marked_as_posted
    assert worker.deliver(delivery.pk).status == "lease-lost"
    assert Scripted.sent == []


def test_a_claim_loads_the_account_and_language_with_the_delivery(
    make_delivery, django_assert_num_queries
):
    delivery = make_delivery()
    with django_assert_num_queries(2):  # the claim, and the claimed row with both
        claimed = worker.claim(delivery.pk)
        assert (claimed.account.name, claimed.locale.language_code) == (
            delivery.account.name,
            "en",
        )


def test_what_an_earlier_attempt_kept_is_handed_to_the_channel(make_delivery):
    delivery = make_delivery(channel_state={"container": "c-0"})
    seen = []
    Scripted.on_validate = lambda channel: seen.append(dict(channel.delivery_state))
    Scripted.script = [SentPost("1")]
    worker.deliver(delivery.pk)
    assert seen == [{"container": "c-0"}]
