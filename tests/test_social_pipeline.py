"""Publish → one post per account, in its language, with its card; every outcome recorded.

Tasks run in-process (the immediate backend) against loopback stand-ins of
each network; tests/test_social_workers.py runs real workers.
"""

from __future__ import annotations

import json
import logging
import sys
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.signals import got_request_exception
from django.db import DatabaseError, connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.views.debug import ExceptionReporter
from wagtail.models import Locale, PageViewRestriction, Site

from home.models import LetterPage, LetterSignatory, LetterSocialText, OrganizationHandle, Topic
from publishing.messages import show_message
from publishing.models import ContentVersion, Delivery, DeliveryStatus, ShareImage, SocialAccount
from publishing.share_images.tasks import render_share_images_for_page
from publishing.social import actions, recording, worker
from publishing.social import tasks as social_tasks
from tests.responses import text_of
from tests.servers.mastodon import FakeMastodon
from tests.social import BLUESKY_PASSWORD, SECRETS, WEBHOOK_SECRET, add_account, assert_sealed

Status = DeliveryStatus


@pytest.fixture
def letter_pair(make_organization, make_letter, translate, run_on_commit, accounts):
    english = Locale.objects.get(language_code="en")
    topic = Topic.objects.create(name="Digital rights", slug="digital-rights", locale=english)
    ccla = make_organization("ccla", "Canadian Civil Liberties Association", acronym="CCLA")
    OrganizationHandle.objects.create(
        organization=ccla, network="mastodon", handle="@ccla@mastodon.test", locale=english
    )
    OrganizationHandle.objects.create(
        organization=ccla, network="bluesky", handle="ccla.test", locale=english
    )
    letter = run_on_commit(
        make_letter,
        "encryption",
        title="Protect encryption",
        standfirst="We ask lawmakers to keep end-to-end encryption strong.",
        signatories=[LetterSignatory(organization=ccla)],
    )
    letter.topics.set([topic])
    french = run_on_commit(
        translate, letter, "fr", {"Protect encryption": "Protégez le chiffrement"}
    )
    return letter, french


def test_publishing_posts_once_per_account_in_its_language(letter_pair, networks):
    english, french = letter_pair
    deliveries = {d.account.name: d for d in Delivery.objects.select_related("account", "page")}
    assert set(deliveries) == {"x-en", "mastodon-en", "bluesky-fr", "webhook-fr"}
    assert {d.status for d in deliveries.values()} == {Status.SENT}

    [tweet] = networks.x.tweets
    assert english.full_url in tweet["text"] and tweet["media_ids"]
    assert tweet["alt_texts"][0]  # the card's alt text, through /2/media/metadata
    [status] = networks.mastodon.statuses
    assert status["language"] == "en" and english.full_url in status["text"]
    assert "@ccla@mastodon.test" in status["text"]
    assert status["json"]["media_attachments"][0]["description"]  # the card's alt text
    [post] = [item["value"] for item in networks.bluesky.post_list]
    assert post["langs"] == ["fr"] and french.full_url in post["text"]
    assert "Protégez le chiffrement" in post["text"]
    assert post["embed"]["external"]["uri"] == french.full_url
    assert post["embed"]["external"]["thumb"]["mimeType"] == "image/jpeg"
    [hook] = networks.webhook.received
    assert hook["json"]["language"] == "fr" and hook["json"]["url"] == french.full_url

    assert deliveries["mastodon-en"].remote_url == status["json"]["url"]
    assert deliveries["bluesky-fr"].remote_url.endswith(
        "/post/" + deliveries["bluesky-fr"].remote_id
    )
    assert deliveries["x-en"].remote_url.endswith(tweet["id"])


def test_republishing_posts_nothing_new(letter_pair, networks, run_on_commit):
    english, french = letter_pair
    run_on_commit(english.save_revision().publish)
    run_on_commit(french.save_revision().publish)
    assert Delivery.objects.count() == 4
    assert len(networks.x.tweets) == len(networks.mastodon.statuses) == 1
    assert len(networks.bluesky.post_list) == len(networks.webhook.received) == 1


def test_aliases_are_not_posted(make_letter, accounts, networks, run_on_commit):
    from wagtail.models import Page
    from wagtail_localize.synctree import synchronize_tree

    add_account(
        "mastodon",
        "mastodon-es",
        ["es"],
        networks.mastodon.url,
        {"access_token": networks.mastodon.access_token},
    )
    letter = run_on_commit(make_letter, "aliased")
    run_on_commit(
        synchronize_tree,
        Locale.objects.get(language_code="en"),
        Locale.objects.get(language_code="es"),
    )
    alias = Page.objects.get(alias_of=letter, locale__language_code="es")
    assert alias.live
    run_on_commit(letter.save_revision().publish)  # updates the alias: page_published(alias=True)
    assert recording.record_deliveries(alias.pk) == []  # even if a signal forgot to say so
    assert not Delivery.objects.filter(account__name="mastodon-es").exists()


def draft_letter(tree, slug: str, **fields) -> LetterPage:
    """A letter saved as a draft, never published."""
    letter = LetterPage(
        title=slug.title(),
        slug=slug,
        standfirst=f"Standfirst of {slug}.",
        body=[{"type": "paragraph", "value": f"<p>Body of {slug}.</p>"}],
        **fields,
    )
    tree.letters.add_child(instance=letter)
    letter.save_revision()
    return letter


def test_scheduled_private_and_opted_out_letters_are_not_posted(
    accounts, networks, run_on_commit, tree
):
    scheduled = draft_letter(tree, "scheduled", live=False)
    scheduled.go_live_at = timezone.now() + timedelta(days=1)
    run_on_commit(scheduled.save_revision().publish)  # only schedules it (wagtail#13959)
    assert not Delivery.objects.filter(page=scheduled).exists()

    private = draft_letter(tree, "private", live=False)
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    run_on_commit(private.save_revision().publish)
    private.refresh_from_db()
    assert private.live and not Delivery.objects.filter(page=private).exists()

    quiet = draft_letter(tree, "quiet", live=False, post_on_publish=False)
    run_on_commit(quiet.save_revision().publish)
    assert not Delivery.objects.filter(page=quiet).exists()

    # Switched on later, it is posted by its next publish: it was never shared.
    quiet.post_on_publish = True
    run_on_commit(quiet.save_revision().publish)
    assert Delivery.objects.filter(page=quiet, status=Status.SENT).count() == 2


def test_a_scheduled_letter_is_posted_when_it_goes_live(accounts, networks, run_on_commit, tree):
    letter = draft_letter(tree, "later", live=False)
    letter.go_live_at = timezone.now() + timedelta(hours=1)
    run_on_commit(letter.save_revision().publish)
    assert not Delivery.objects.exists()
    quiet = open("/dev/null", "w")  # noqa: SIM115
    run_on_commit(call_command, "publish_scheduled", stdout=quiet)
    assert not Delivery.objects.exists()  # not yet: publish_scheduled before go_live_at
    # Time is driven, not waited for: the clock Wagtail and the outbox read says it is past
    # go_live_at (a sleep flakes on a loaded machine).
    later = letter.go_live_at + timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        run_on_commit(call_command, "publish_scheduled", stdout=quiet)
    assert Delivery.objects.filter(page=letter, status=Status.SENT).count() == 2


def test_an_account_added_later_does_not_get_old_letters(
    accounts, networks, run_on_commit, make_letter
):
    letter = run_on_commit(make_letter, "old-news")
    add_account("console", "late-console", ["en"], "", {})
    run_on_commit(letter.save_revision().publish)
    assert not Delivery.objects.filter(account__name="late-console").exists()


def test_a_letter_live_before_any_account_is_not_posted_when_a_typo_is_fixed(
    networks, run_on_commit, make_letter
):
    # Replayed report: published before any account existed, posted on the next typo fix.
    letter = run_on_commit(make_letter, "back-catalogue", title="An old letter")
    add_account("console", "new-console", ["en"], "", {})
    letter.title = "An old letter, typo fixed"
    run_on_commit(letter.save_revision().publish)
    letter.unpublish()
    run_on_commit(letter.save_revision().publish)  # back online after a while: still not new
    assert not Delivery.objects.exists()


def test_a_translation_is_posted_when_it_first_goes_live_in_its_language(
    accounts, networks, run_on_commit, make_letter, translate
):
    letter = run_on_commit(make_letter, "launch", title="Launch")
    assert Delivery.objects.filter(page=letter).count() == 2  # English: X and Mastodon
    french = run_on_commit(translate, letter, "fr")  # was an alias, same row: launched now
    assert set(Delivery.objects.filter(page=french).values_list("account__name", flat=True)) == {
        "bluesky-fr",
        "webhook-fr",
    }
    run_on_commit(french.save_revision().publish)
    assert Delivery.objects.count() == 4


def test_the_back_catalogue_of_an_existing_site_counts_as_launched(
    networks, run_on_commit, make_letter
):
    import importlib

    from django.apps import apps

    from publishing.models import LetterLaunch

    backfill = importlib.import_module("publishing.migrations.0005_letterlaunch")
    letter = run_on_commit(make_letter, "before-upgrade")
    LetterLaunch.objects.all().delete()  # as on a site upgraded from before launches
    backfill.launch_the_back_catalogue(apps, None)
    add_account("console", "after-upgrade", ["en"], "", {})
    run_on_commit(letter.save_revision().publish)
    assert not Delivery.objects.exists()


def test_unpublishing_keeps_posts_and_records_it(letter_pair):
    english, _ = letter_pair
    english.unpublish()
    delivery = Delivery.objects.get(account__name="x-en")
    assert delivery.status == Status.SENT and delivery.page_unpublished_at is not None


def test_recording_costs_the_same_queries_for_one_or_twenty_accounts(make_letter, networks, tree):
    add_account("console", "console-0", ["en"], "", {})
    from publishing.models import LetterLaunch

    letter = make_letter("budget")
    # Start again as if the letter had not been launched (only a launch records deliveries).
    Delivery.objects.all().delete()
    LetterLaunch.objects.all().delete()
    with CaptureQueriesContext(connection) as one:
        recording.record_deliveries(letter.pk)
    Delivery.objects.all().delete()
    LetterLaunch.objects.all().delete()
    for number in range(1, 20):
        add_account("console", f"console-{number}", ["en"], "", {})
    with CaptureQueriesContext(connection) as twenty:
        ids = recording.record_deliveries(letter.pk)
    assert len(ids) == 20
    assert len(twenty) == len(one) <= 8


# -- failures -------------------------------------------------------------------------------
def publish_new(make_letter, run_on_commit, slug="failing", **fields):
    return run_on_commit(make_letter, slug, **fields)


def resume_due(run_on_commit):
    Delivery.objects.filter(status=Status.RETRYING).update(next_attempt_at=timezone.now())
    return run_on_commit(social_tasks.resume_deliveries)


def test_server_errors_are_retried_with_backoff(
    make_letter, accounts, networks, run_on_commit, settings
):
    settings.BROADSIDE_DELIVERY_BACKOFF = (60.0, 3600.0)
    networks.mastodon.fail_next(503, path="/api/v1/statuses")
    publish_new(make_letter, run_on_commit)
    delivery = Delivery.objects.get(account__name="mastodon-en")
    assert delivery.status == Status.RETRYING and "503" in delivery.error
    assert timezone.now() + timedelta(seconds=29) < delivery.next_attempt_at
    assert delivery.next_attempt_at < timezone.now() + timedelta(seconds=61)
    resume_due(run_on_commit)
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and delivery.attempts == 2
    assert len(networks.mastodon.statuses) == 1


def test_rate_limits_are_honoured(make_letter, accounts, networks, run_on_commit):
    networks.x.rate_limit_next(path="/2/tweets", reset_after=600)
    publish_new(make_letter, run_on_commit)
    delivery = Delivery.objects.get(account__name="x-en")
    assert delivery.status == Status.RETRYING
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=590)


def test_giving_up_after_the_last_attempt(make_letter, accounts, networks, run_on_commit, settings):
    settings.BROADSIDE_DELIVERY_MAX_ATTEMPTS = 2
    # 503: the server says it did not take the request (a 500/502/504 may hide a post).
    networks.mastodon.fail_next(503, times=5, path="/api/v1/statuses")
    publish_new(make_letter, run_on_commit)
    resume_due(run_on_commit)
    delivery = Delivery.objects.get(account__name="mastodon-en")
    assert delivery.status == Status.FAILED and "2 attempts" in show_message(delivery.error)


def test_a_lost_answer_from_x_is_found_in_the_accounts_timeline(
    make_letter, accounts, networks, run_on_commit
):
    # X links (and so lists in entities.urls) only hosts with a real top-level domain.
    Site.objects.filter(is_default_site=True).update(hostname="broadside.org")
    networks.x.drop_next(path="/2/tweets")
    publish_new(make_letter, run_on_commit)
    delivery = Delivery.objects.get(account__name="x-en")
    [tweet] = networks.x.tweets  # it did go out, and was never sent again
    assert delivery.status == Status.SENT and delivery.reason
    assert delivery.remote_id == tweet["id"] and not delivery.outcome_unknown
    assert networks.x.timeline_reads == 1


def test_a_lost_answer_from_x_needs_a_person(make_letter, accounts, networks, run_on_commit):
    networks.x.timeline_access = False  # an access level that cannot read timelines
    networks.x.drop_next(path="/2/tweets")
    publish_new(make_letter, run_on_commit)
    delivery = Delivery.objects.get(account__name="x-en")
    assert delivery.status == Status.UNCONFIRMED and "check the account" in delivery.error
    assert len(networks.x.tweets) == 1  # it did go out
    resume_due(run_on_commit)
    assert len(networks.x.tweets) == 1  # and is never sent blindly again
    assert actions.mark_as_posted(delivery.pk, url="https://x.com/i/web/status/1")
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT


def test_a_lost_answer_from_mastodon_is_retried_with_its_idempotency_key(
    make_letter, accounts, networks, run_on_commit
):
    networks.mastodon.drop_next(path="/api/v1/statuses")
    publish_new(make_letter, run_on_commit)
    delivery = Delivery.objects.get(account__name="mastodon-en")
    assert delivery.status == Status.RETRYING
    resume_due(run_on_commit)
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT
    assert len(networks.mastodon.statuses) == 1
    assert delivery.remote_url == networks.mastodon.statuses[0]["json"]["url"]


def test_a_mastodon_status_behind_a_gateway_error_is_found_not_failed(
    make_letter, accounts, networks, run_on_commit, settings
):
    # Replayed report mastodon/mastodon#40399: 504 after creating the status, then 500 on
    # every retry with the same Idempotency-Key.
    settings.BROADSIDE_DELIVERY_MAX_ATTEMPTS = 3
    networks.mastodon.fail_after_processing(504, path="/api/v1/statuses")
    networks.mastodon.fail_next(500, times=10, path="/api/v1/statuses")
    publish_new(make_letter, run_on_commit)
    for _attempt in range(3):
        resume_due(run_on_commit)
    delivery = Delivery.objects.get(account__name="mastodon-en")
    [status] = networks.mastodon.statuses
    assert delivery.status == Status.SENT and delivery.attempts == 3
    assert delivery.remote_url == status["json"]["url"] and delivery.reason


def test_a_doubt_never_becomes_a_failure_without_evidence(
    make_letter, accounts, networks, run_on_commit, settings
):
    settings.BROADSIDE_DELIVERY_MAX_ATTEMPTS = 2
    networks.mastodon.fail_next(504, times=5, path="/api/v1/statuses")  # never created
    publish_new(make_letter, run_on_commit)
    resume_due(run_on_commit)
    delivery = Delivery.objects.get(account__name="mastodon-en")
    assert delivery.status == Status.UNCONFIRMED and "check the account" in delivery.error
    assert networks.mastodon.statuses == []

    # A refusal after a doubt does not prove the earlier attempt posted nothing either.
    networks.mastodon.clear_faults()
    networks.mastodon.fail_next(502, path="/api/v1/statuses")
    networks.mastodon.fail_next(422, path="/api/v1/statuses")
    publish_new(make_letter, run_on_commit, "refused-later")
    resume_due(run_on_commit)
    later = Delivery.objects.get(account__name="mastodon-en", page__slug="refused-later")
    assert later.status == Status.UNCONFIRMED and "422" in later.error


def test_an_earlier_posting_is_not_taken_for_a_lost_one(
    make_letter, accounts, networks, run_on_commit, settings
):
    settings.BROADSIDE_DELIVERY_MAX_ATTEMPTS = 1
    letter = publish_new(make_letter, run_on_commit)
    assert len(networks.mastodon.statuses) == 1  # the first posting carries the same link
    Delivery.objects.filter(page=letter).update(created_at=timezone.now() - timedelta(hours=1))
    networks.mastodon.fail_next(504, path="/api/v1/statuses")
    run_on_commit(actions.post_again, letter.pk, reason="Corrected title")
    again = Delivery.objects.get(account__name="mastodon-en", publication=2)
    assert again.status == Status.UNCONFIRMED


def test_a_topic_too_long_for_a_bluesky_tag_is_left_out_not_refused(
    networks, run_on_commit, make_letter, tree
):
    import regex

    add_account(
        "bluesky",
        "bluesky-en",
        ["en"],
        networks.bluesky.url,
        {"handle": "broadside.test", "app_password": BLUESKY_PASSWORD},
    )
    english = Locale.objects.get(language_code="en")
    long_topic = Topic.objects.create(
        name="Protection of human rights defenders and independent journalists worldwide",
        slug="defenders",
        locale=english,
    )
    short_topic = Topic.objects.create(name="Press freedom", slug="press", locale=english)
    letter = make_letter("defenders", post_on_publish=False)
    letter.topics.set([long_topic, short_topic])
    letter.post_on_publish = True
    run_on_commit(letter.save_revision().publish)
    delivery = Delivery.objects.get(account__name="bluesky-en")
    assert delivery.status == Status.SENT, delivery.error
    [post] = [item["value"] for item in networks.bluesky.post_list]
    tags = [f["features"][0]["tag"] for f in post["facets"] if "tag" in f["features"][0]]
    assert tags == ["PressFreedom"]
    # app.bsky.richtext.facet#tag: maxGraphemes 64, maxLength 640.
    assert all(len(regex.findall(r"\X", tag)) <= 64 and len(tag.encode()) <= 640 for tag in tags)


def test_a_timed_out_bluesky_post_is_found_by_its_record_key(
    make_letter, accounts, networks, run_on_commit, translate
):
    letter = publish_new(make_letter, run_on_commit)
    networks.bluesky.stall_next(3.0, path="createRecord")
    run_on_commit(translate, letter, "fr")
    resume_due(run_on_commit)
    delivery = Delivery.objects.get(account__name="bluesky-fr")
    assert networks.bluesky.pending_faults == 0  # the stall happened
    assert delivery.attempts == 2
    assert delivery.status == Status.SENT and delivery.remote_id == delivery.idempotency_key
    assert len(networks.bluesky.post_list) == 1


def test_refusals_fail_with_the_networks_reason(make_letter, networks, run_on_commit, tree):
    add_account("mastodon", "bad-token", ["en"], networks.mastodon.url, {"access_token": "wrong"})
    publish_new(make_letter, run_on_commit)
    delivery = Delivery.objects.get()
    assert delivery.status == Status.FAILED
    assert "401" in delivery.error and "access token is invalid" in delivery.error
    assert networks.mastodon.statuses == []


def test_over_long_texts_are_trimmed_and_impossible_ones_refused(
    make_letter, accounts, networks, run_on_commit
):
    letter = make_letter("too-long", post_on_publish=False)
    letter.social_texts = [LetterSocialText(network="x", text="{url} " + "🙂 " * 200)]
    letter.post_on_publish = True
    run_on_commit(letter.save_revision().publish)
    assert Delivery.objects.get(account__name="x-en").status == Status.SENT
    assert networks.x.tweets[0]["text"].endswith("…")

    with FakeMastodon(access_token="tiny", max_characters=20) as tiny:
        add_account("mastodon", "tiny-en", ["en"], tiny.url, {"access_token": "tiny"})
        publish_new(make_letter, run_on_commit, "cannot-fit")
        delivery = Delivery.objects.get(account__name="tiny-en")
        assert delivery.status == Status.FAILED and "the limit is 20" in delivery.error
        assert tiny.statuses == []


def test_disabled_accounts_and_unpublished_pages_are_skipped(
    make_letter, accounts, networks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        letter = make_letter("skipped")
    SocialAccount.objects.filter(name="x-en").update(enabled=False)
    letter.unpublish()
    for delivery in Delivery.objects.filter(page=letter):
        social_tasks.deliver.call(delivery.pk)
    reasons = dict(Delivery.objects.values_list("account__name", "reason"))
    assert set(Delivery.objects.values_list("status", flat=True)) == {Status.SKIPPED}
    assert "disabled" in reasons["x-en"] and "no longer live" in reasons["mastodon-en"]


def test_a_delivery_runs_once_even_if_its_task_runs_twice(
    make_letter, accounts, networks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        letter = make_letter("twice")
    render_share_images_for_page.call(letter.pk)  # what the publish enqueued first
    delivery = Delivery.objects.get(page=letter, account__name="mastodon-en")
    assert social_tasks.deliver.call(delivery.pk) == Status.SENT
    assert social_tasks.deliver.call(delivery.pk) == "not-claimed"
    assert len(networks.mastodon.statuses) == 1


def test_a_delivery_waits_for_its_card_and_never_draws_it(
    make_letter, accounts, networks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        letter = make_letter("card-first")
    delivery = Delivery.objects.get(page=letter, account__name="mastodon-en")
    version = ContentVersion.current()
    attempt = worker.deliver(delivery.pk)  # the delivery alone, without the task layer
    assert attempt.status == Status.RETRYING and attempt.awaits_card_of == letter.pk
    delivery.refresh_from_db()
    assert "not ready" in delivery.error and not networks.mastodon.statuses
    assert not ShareImage.objects.filter(page=letter).exists()
    assert ContentVersion.current() == version  # cached feeds and API answers stay
    render_share_images_for_page.call(letter.pk)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)
    version = ContentVersion.current()
    assert social_tasks.deliver.call(delivery.pk) == Status.SENT
    assert ContentVersion.current() == version
    assert len(networks.mastodon.statuses) == 1 and networks.mastodon.media


def test_a_delivery_without_its_card_has_the_card_task_draw_it(
    make_letter, accounts, networks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        letter = make_letter("card-lost")  # as if its card task had been lost
    delivery = Delivery.objects.get(page=letter, account__name="mastodon-en")
    assert social_tasks.deliver.call(delivery.pk) == Status.RETRYING
    assert ShareImage.objects.filter(page=letter, stale=False).exists()  # the card task ran
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)
    assert social_tasks.deliver.call(delivery.pk) == Status.SENT


def test_post_again_makes_a_new_publication_with_its_reason(
    letter_pair, networks, run_on_commit, monkeypatch
):
    english, _ = letter_pair
    with pytest.raises(actions.PostAgainRefused, match="just posted"):  # a double click
        run_on_commit(actions.post_again, english.pk, reason="Too soon")
    monkeypatch.setattr(actions, "POST_AGAIN_GUARD_SECONDS", 0)
    created = run_on_commit(actions.post_again, english.pk, reason="Corrected the title")
    assert len(created) == 2
    assert len(networks.mastodon.statuses) == 2
    again = Delivery.objects.get(account__name="mastodon-en", publication=2)
    assert again.status == Status.SENT and again.reason == "Corrected the title"


# -- sessions and secrets ----------------------------------------------------------------------
def test_bluesky_sessions_are_reused_and_refreshed(
    make_letter, accounts, networks, run_on_commit, translate
):
    first = publish_new(make_letter, run_on_commit, "first")
    run_on_commit(translate, first, "fr")
    networks.bluesky.expire_access_tokens()
    second = publish_new(make_letter, run_on_commit, "second")
    run_on_commit(translate, second, "fr")
    assert networks.bluesky.session_creations == 1
    assert Delivery.objects.filter(account__name="bluesky-fr", status=Status.SENT).count() == 2


# A webhook whose path is its secret, as Slack's and Discord's are.
WEBHOOK_PATH_SECRET = "T0001/B0002/webhook-path-s3cr3t"
CSRF_TOKEN = "csrf-token-s3cr3t-0123456789abcdef"


def test_secrets_are_encrypted_and_never_logged_or_shown(
    letter_pair, networks, caplog, capsys, admin_client, run_on_commit, make_letter, monkeypatch
):
    """Everything a run prints, logs at DEBUG, renders and reports: no secret in it."""
    caplog.set_level(logging.DEBUG)  # what LOG_LEVEL=DEBUG gives an operator
    english = Locale.objects.get(language_code="en")
    relay_url = f"{networks.webhook.url}/services/{WEBHOOK_PATH_SECRET}"
    form = {
        "name": "relay-en",
        "channel": "webhook",
        "locales": [english.pk],
        "enabled": "on",
        "base_url": relay_url,
        "post_template": "",
        "credentials_json": json.dumps({"secret": WEBHOOK_SECRET}),
        "csrfmiddlewaretoken": CSRF_TOKEN,
    }
    reports = []
    # The admin create and edit, each failing once with a 500 while saving.
    encrypt = "publishing.social.credentials.MultiFernet.encrypt"
    with _reporting_failures(monkeypatch, encrypt) as failed:
        with pytest.raises(DatabaseError):
            admin_client.post("/admin/social_accounts/new/", form)
        reports += _error_reports(failed, settings_debug=(False, True))
    assert admin_client.post("/admin/social_accounts/new/", form).status_code == 302
    relay = SocialAccount.objects.get(name="relay-en")
    edit_url = f"/admin/social_accounts/edit/{relay.pk}/"
    shown = admin_client.get(edit_url).content.decode()
    assert f"{networks.webhook.url}/…" in shown  # the URL's origin, its path masked
    edited = {**form, "base_url": relay.base_url_masked, "post_template": "{title} {url}"}
    with _reporting_failures(monkeypatch, "publishing.models.SocialAccount.save") as failed:
        with pytest.raises(DatabaseError):
            admin_client.post(edit_url, edited)
        reports += _error_reports(failed, settings_debug=(False, True))
    assert admin_client.post(edit_url, edited).status_code == 302
    relay.refresh_from_db()
    assert relay.base_url == relay_url and relay.post_template == "{title} {url}"

    networks.mastodon.fail_next(503, path="/api/v1/statuses")
    letter = publish_new(make_letter, run_on_commit, "logged")
    resume_due(run_on_commit)
    assert networks.webhook.received[-1]["path"] == f"/services/{WEBHOOK_PATH_SECRET}"
    call_command("social_accounts", "list", stdout=(out := _Buffer()))
    pages = [
        text_of(admin_client.get(url))
        for url in (
            "/admin/social_accounts/",
            "/admin/publishing/deliveries/",
            f"/admin/pages/{letter.pk}/edit/",
        )
    ]
    for account in SocialAccount.objects.all():
        call_command("social_accounts", "test", account.name, stdout=out)
        response = admin_client.get(f"/admin/social_accounts/edit/{account.pk}/")
        assert response.status_code == 200
        pages.append(response.content.decode())
        for secret in SECRETS:
            assert secret not in account.credentials_encrypted
        assert_sealed(account.credentials_encrypted, account.credentials)
        if account.state:
            assert_sealed(account.state_encrypted, account.state)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT credentials_encrypted, state_encrypted FROM publishing_socialaccount"
        )
        stored = " ".join(" ".join(row) for row in cursor.fetchall())
    printed = capsys.readouterr()
    logged = caplog.text + out.getvalue() + printed.out + printed.err
    logged += " ".join(Delivery.objects.values_list("error", flat=True))
    assert caplog.records  # the run did log
    assert "relay-en" in out.getvalue() and networks.webhook.url in out.getvalue()
    assert len(reports) == 4 and all("DatabaseError" in report for report in reports)
    session = SocialAccount.objects.get(name="bluesky-fr").state["session"]
    jwts = [session["accessJwt"], session["refreshJwt"]]
    for token in jwts:
        assert token not in stored
    session_cookie = admin_client.cookies[django_settings.SESSION_COOKIE_NAME].value
    everywhere = {"logs and output": logged, "pages": " ".join(pages), **dict(enumerate(reports))}
    for where, text in everywhere.items():
        for secret in [*SECRETS, WEBHOOK_PATH_SECRET, *jwts, session_cookie, CSRF_TOKEN]:
            assert secret not in text, f"a secret in {where}"
    for secret in SECRETS:
        assert secret not in stored


@contextmanager
def _reporting_failures(monkeypatch, target: str):
    """Make `target` fail with a DatabaseError, and collect (request, exc_info) of each 500."""
    failures = []

    def fail(*args, **kwargs):
        raise DatabaseError("could not write")

    def record(sender, request, **kwargs):
        failures.append((request, sys.exc_info()))

    with monkeypatch.context() as patched:
        patched.setattr(target, fail)
        got_request_exception.connect(record)
        try:
            yield failures
        finally:
            got_request_exception.disconnect(record)


def _error_reports(failures, *, settings_debug) -> list[str]:
    """What the DEBUG page shows and what an error e-mail to ADMINS says of each failure."""
    reports = []
    for request, exc_info in failures:
        for debug in settings_debug:
            with override_settings(DEBUG=debug):
                reporter = ExceptionReporter(request, *exc_info)
                reports.append(reporter.get_traceback_html() + reporter.get_traceback_text())
    return reports


class _Buffer:
    def __init__(self):
        self.parts = []

    def write(self, text):
        self.parts.append(text)

    def flush(self):
        pass

    def getvalue(self):
        return "".join(self.parts)


# -- what the review asked for --------------------------------------------------------------
def test_a_gateway_error_on_x_is_not_retried_blindly(
    make_letter, accounts, networks, run_on_commit
):
    networks.x.fail_next(502, path="/2/tweets")
    publish_new(make_letter, run_on_commit)
    delivery = Delivery.objects.get(account__name="x-en")
    assert delivery.status == Status.UNCONFIRMED and delivery.outcome_unknown


def test_a_temporary_error_after_a_lost_answer_keeps_the_doubt(
    make_letter, accounts, networks, run_on_commit
):
    networks.mastodon.drop_next(path="/api/v1/statuses")
    networks.mastodon.rate_limit_next(path="/api/v1/statuses", reset_after=1)
    publish_new(make_letter, run_on_commit)
    resume_due(run_on_commit)  # the 429
    delivery = Delivery.objects.get(account__name="mastodon-en")
    assert delivery.status == Status.RETRYING and delivery.outcome_unknown
    resume_due(run_on_commit)
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and len(networks.mastodon.statuses) == 1


def test_a_persons_retry_of_a_bluesky_post_that_exists_finds_it(
    make_letter, accounts, networks, run_on_commit, translate
):
    letter = publish_new(make_letter, run_on_commit)
    networks.bluesky.drop_next(path="createRecord")
    run_on_commit(translate, letter, "fr")
    delivery = Delivery.objects.get(account__name="bluesky-fr")
    Delivery.objects.filter(pk=delivery.pk).update(status=Status.FAILED)  # as if it had failed
    run_on_commit(actions.retry, delivery.pk)  # a person: no longer "resumed"
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT  # the taken record key (a 500) was looked up
    assert len(networks.bluesky.post_list) == 1


def test_a_worker_that_outlived_its_lease_cannot_send(
    make_letter, accounts, networks, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(social_tasks, "enqueue_delivery", lambda *args: None)
    with django_capture_on_commit_callbacks(execute=False):
        letter = make_letter("slow-worker")
    delivery = Delivery.objects.get(page=letter, account__name="x-en")
    slow = worker.claim(delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(send_started_at=None)
    social_tasks.resume_deliveries(stale_after=0)  # the sweep hands it on
    fresh = worker.claim(delivery.pk)
    assert fresh is not None and fresh.claim_token != slow.claim_token
    with pytest.raises(worker.LeaseLost):
        worker._start_sending(slow, "late")
    assert not worker._finish(slow, Status.SENT)
    assert social_tasks.deliver.call(delivery.pk) == "not-claimed"


def test_a_crash_loop_ends(
    make_letter, accounts, networks, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=False):
        letter = make_letter("crashing")
    delivery = Delivery.objects.get(page=letter, account__name="mastodon-en")
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=settings.BROADSIDE_DELIVERY_MAX_ATTEMPTS, status=Status.RETRYING
    )
    assert social_tasks.deliver.call(delivery.pk) == Status.FAILED
    assert networks.mastodon.statuses == []


def test_an_account_whose_channel_was_removed_breaks_nothing(
    make_letter, accounts, networks, run_on_commit
):
    SocialAccount.objects.filter(name="x-en").update(channel="gone")
    letter = publish_new(make_letter, run_on_commit, "still-published")
    assert letter.live
    assert not Delivery.objects.filter(account__name="x-en").exists()
    assert Delivery.objects.get(account__name="mastodon-en").status == Status.SENT


def test_errors_show_a_webhooks_host_not_its_secret_path(make_letter, tree, run_on_commit):
    add_account(
        "webhook",
        "hooks",
        ["en"],
        "http://127.0.0.1:9/services/T000/B000/s3cr3tpath",
        {"secret": "x"},
    )
    publish_new(make_letter, run_on_commit)
    delivery = Delivery.objects.get(account__name="hooks")
    assert delivery.status == Status.RETRYING
    assert "127.0.0.1:9" in delivery.error and "s3cr3tpath" not in delivery.error


class _WorkerKilled(BaseException):
    """Stands for SIGKILL: not an Exception, so nothing in the worker records it."""


def test_a_post_a_dead_worker_left_behind_is_looked_for_not_left_to_a_person(
    make_letter, accounts, networks, run_on_commit, monkeypatch
):
    """The worker died right after Mastodon created the status, and the Idempotency-Key's
    hour is over: the sweep must neither send again nor leave a post it can find unconfirmed."""
    from publishing.channels.mastodon import MastodonChannel

    real_send = MastodonChannel.send

    def send_then_die(self, post):
        real_send(self, post)
        raise _WorkerKilled

    monkeypatch.setattr(MastodonChannel, "send", send_then_die)
    publish_new(make_letter, run_on_commit, "dead-worker")  # the task backend logs the death
    monkeypatch.setattr(MastodonChannel, "send", real_send)
    delivery = Delivery.objects.get(account__name="mastodon-en", page__slug="dead-worker")
    assert delivery.status == Status.SENDING and delivery.send_started_at is not None
    Delivery.objects.filter(pk=delivery.pk).update(
        first_send_at=timezone.now() - timedelta(hours=2)  # past the key's one-hour window
    )

    counts = run_on_commit(social_tasks.resume_deliveries, stale_after=0)

    assert counts["doubts"] == 1
    [status] = networks.mastodon.statuses
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and delivery.remote_url == status["json"]["url"]
