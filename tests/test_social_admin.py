"""Editors see each post before publishing and what went out after; accounts are guarded."""

from __future__ import annotations

import base64
import json
import threading
from datetime import timedelta
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.core.checks import Tags, run_checks
from django.core.management import CommandError, call_command
from django.core.management.base import SystemCheckError
from django.db import connections
from django.test import Client
from django.utils import timezone
from wagtail.models import Locale

from publishing.models import Delivery, DeliveryStatus, SocialAccount
from publishing.share_images.tasks import render_share_images_for_page
from tests.links import SCRIPT_URLS, linked
from tests.responses import text_of
from tests.social import MASTODON_TOKEN, SECRETS, X_CREDENTIALS, add_accounts, assert_sealed


def test_editors_cannot_manage_accounts_without_the_permission(editor_client, accounts):
    account = accounts["mastodon-en"]
    assert editor_client.get("/admin/social_accounts/").status_code in (302, 403)
    assert editor_client.get(f"/admin/social_accounts/edit/{account.pk}/").status_code in (302, 403)
    user = get_user_model().objects.get(username="editor")
    user.user_permissions.add(
        Permission.objects.get(codename="change_socialaccount"),
        Permission.objects.get(codename="view_delivery"),
    )
    assert editor_client.get("/admin/social_accounts/").status_code == 200
    assert editor_client.get("/admin/publishing/deliveries/").status_code == 200


def test_an_account_is_created_with_encrypted_credentials(superuser_client, tree, networks):
    english = Locale.objects.get(language_code="en")
    data = {
        "name": "Our Mastodon",
        "channel": "mastodon",
        "locales": [english.pk],
        "enabled": "on",
        "base_url": networks.mastodon.url,
        "post_template": "{title} {url}",
        "credentials_json": json.dumps({"access_token": MASTODON_TOKEN}),
    }
    response = superuser_client.post("/admin/social_accounts/new/", data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    account = SocialAccount.objects.get(name="Our Mastodon")
    assert account.credentials == {"access_token": MASTODON_TOKEN}
    assert MASTODON_TOKEN not in account.credentials_encrypted
    assert_sealed(account.credentials_encrypted, {"access_token": MASTODON_TOKEN})
    edit_response = superuser_client.get(f"/admin/social_accounts/edit/{account.pk}/")
    assert edit_response.status_code == 200
    edit = edit_response.content.decode()
    assert MASTODON_TOKEN not in edit
    # Saving without new credentials keeps the stored ones.
    data["credentials_json"] = ""
    superuser_client.post(f"/admin/social_accounts/edit/{account.pk}/", data)
    account.refresh_from_db()
    assert account.credentials == {"access_token": MASTODON_TOKEN}


def test_bad_account_input_gets_clear_errors_and_no_echo(superuser_client, tree):
    data = {
        "name": "Broken",
        "channel": "bluesky",
        "locales": [Locale.objects.get(language_code="fr").pk],
        "post_template": "{title} {nope}",
        "credentials_json": '{"handle": "someone.test", "app_password": "pw-s3cr3t"',
    }
    html = superuser_client.post("/admin/social_accounts/new/", data).content.decode()
    assert "This is not valid JSON." in html
    assert "nope" in html  # the unknown placeholder is named
    assert "pw-s3cr3t" not in html
    data["credentials_json"] = '{"handle": "someone.test"}'
    html = superuser_client.post("/admin/social_accounts/new/", data).content.decode()
    assert "This channel needs: handle, app_password." in html
    assert not SocialAccount.objects.exists()


def test_the_letter_editor_previews_each_post_and_shows_deliveries(
    superuser_client,
    accounts,
    networks,
    make_letter,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    from publishing.social import actions

    monkeypatch.setattr(actions, "POST_AGAIN_GUARD_SECONDS", 0)
    networks.x.drop_next(path="/2/tweets")
    with django_capture_on_commit_callbacks(execute=True):
        letter = make_letter("panel", title="Panel letter")
    html = text_of(superuser_client.get(f"/admin/pages/{letter.pk}/edit/"))
    assert "What each account will post" in html
    assert "x-en" in html and "mastodon-en" in html and "/ 280" in html and "/ 500" in html
    assert "What went out" in html and "View post" in html
    assert "Unconfirmed: check the account" in html and "Mark as posted" in html
    for secret in SECRETS:
        assert secret not in html

    unconfirmed = Delivery.objects.get(account__name="x-en")
    response = superuser_client.post(
        f"/admin/publishing/deliveries/{unconfirmed.pk}/mark-posted/",
        {f"posted_url_{unconfirmed.pk}": "https://x.com/i/web/status/42"},
    )
    assert response.status_code == 302
    unconfirmed.refresh_from_db()
    assert unconfirmed.status == DeliveryStatus.SENT
    assert unconfirmed.remote_url == "https://x.com/i/web/status/42"

    with django_capture_on_commit_callbacks(execute=True):
        refused = superuser_client.post(f"/admin/publishing/pages/{letter.pk}/post-again/", {})
        superuser_client.post(
            f"/admin/publishing/pages/{letter.pk}/post-again/",
            {"post_again_reason": "The first post had a typo"},
        )
    assert refused.status_code == 302
    assert Delivery.objects.filter(page=letter, publication=2).count() == 2
    assert len(networks.mastodon.statuses) == 2


def test_retry_from_the_editor(
    superuser_client, accounts, networks, make_letter, django_capture_on_commit_callbacks
):
    networks.mastodon.fail_next(422, path="/api/v1/statuses", body={"error": "Validation failed"})
    with django_capture_on_commit_callbacks(execute=True):
        letter = make_letter("retry")
    failed = Delivery.objects.get(page=letter, account__name="mastodon-en")
    assert failed.status == DeliveryStatus.FAILED and "Validation failed" in failed.error
    with django_capture_on_commit_callbacks(execute=True):
        superuser_client.post(f"/admin/publishing/deliveries/{failed.pk}/retry/")
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.SENT and len(networks.mastodon.statuses) == 1


def test_only_publishers_of_the_page_can_act(client, accounts, make_letter, db):
    letter = make_letter("guarded")
    delivery = Delivery.objects.filter(page=letter).first()
    user = get_user_model().objects.create_user("reader", "r@example.org", "pw")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED)
    # Wagtail answers a permission error with a redirect and a message.
    retry = client.post(f"/admin/publishing/deliveries/{delivery.pk}/retry/")
    assert retry.status_code in (302, 403)
    client.post(f"/admin/publishing/pages/{letter.pk}/post-again/", {"post_again_reason": "x"})
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert not Delivery.objects.filter(page=letter, publication=2).exists()


def test_the_deliveries_report_filters(
    superuser_client, accounts, make_letter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_letter("reported", title="Reported letter")
    html = text_of(superuser_client.get("/admin/publishing/deliveries/"))
    assert "Reported letter" in html and "mastodon-en" in html
    filtered = text_of(superuser_client.get("/admin/publishing/deliveries/?status=failed"))
    assert "Reported letter" not in filtered
    table = superuser_client.get(
        "/admin/publishing/deliveries/results/?network=mastodon"
    ).content.decode()
    assert "mastodon-en" in table and "x-en" not in table


def test_social_accounts_command(accounts, networks, capsys):
    call_command("social_accounts", "list")
    listed = capsys.readouterr().out
    assert "mastodon-en" in listed and "bluesky-fr" in listed
    call_command("social_accounts", "test", "bluesky-fr")
    assert "posts as @broadside.test" in capsys.readouterr().out
    call_command("social_accounts", "disable", "x-en")
    assert not SocialAccount.objects.get(name="x-en").enabled
    with pytest.raises(CommandError, match="Unknown language"):
        call_command("social_accounts", "add", "console", "--name", "c", "--locale", "xx")
    with pytest.raises(CommandError, match="missing: app_password"):
        call_command(
            "social_accounts",
            "add",
            "bluesky",
            "--name",
            "b",
            "--locale",
            "en",
            "--credentials-json",
            '{"handle": "h"}',
        )
    networks.mastodon.access_token = "rotated-elsewhere"
    with pytest.raises(CommandError, match="401"):
        call_command("social_accounts", "test", "mastodon-en")


def test_credential_keys_rotate(accounts, settings):
    old_key = settings.BROADSIDE_CREDENTIAL_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.BROADSIDE_CREDENTIAL_KEYS = [new_key, old_key]
    assert SocialAccount.objects.get(name="mastodon-en").credentials["access_token"]
    call_command("social_accounts", "rotate-key", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.BROADSIDE_CREDENTIAL_KEYS = [new_key]
    assert SocialAccount.objects.get(name="mastodon-en").credentials == {
        "access_token": MASTODON_TOKEN
    }
    settings.BROADSIDE_CREDENTIAL_KEYS = [Fernet.generate_key().decode()]
    from publishing.social.credentials import CredentialsError

    with pytest.raises(CredentialsError):
        _ = SocialAccount.objects.get(name="mastodon-en").credentials


def test_acting_on_deliveries_needs_its_own_permission(
    editor_client, accounts, networks, make_letter, django_capture_on_commit_callbacks
):
    networks.x.drop_next(path="/2/tweets")
    with django_capture_on_commit_callbacks(execute=True):
        letter = make_letter("permission")
    delivery = Delivery.objects.get(page=letter, account__name="x-en")
    assert delivery.status == DeliveryStatus.UNCONFIRMED
    editors = Group.objects.get(name="Editors")
    # Editors may act (granted by a migration) ...
    assert editors.permissions.filter(codename="retry_delivery").exists()
    editors.permissions.remove(Permission.objects.get(codename="retry_delivery"))
    # ... until the permission is taken away: then the panel offers nothing and the views refuse.
    html = text_of(editor_client.get(f"/admin/pages/{letter.pk}/edit/"))
    assert "data-broadside-action" not in html and "What went out" in html
    editor_client.post(f"/admin/publishing/deliveries/{delivery.pk}/mark-posted/")
    editor_client.post(f"/admin/publishing/deliveries/{delivery.pk}/retry/")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.UNCONFIRMED
    assert len(networks.x.tweets) == 1


def test_credentials_can_come_from_standard_input(tree, monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO('{"access_token": "from-stdin-s3cr3t"}'))
    call_command(
        "social_accounts",
        "add",
        "mastodon",
        "--name",
        "piped",
        "--locale",
        "en",
        "--credentials-json",
        "-",
    )
    assert SocialAccount.objects.get(name="piped").credentials == {
        "access_token": "from-stdin-s3cr3t"
    }
    assert "from-stdin-s3cr3t" not in capsys.readouterr().out


def test_a_network_answering_a_script_url_gets_no_link_in_the_admin(
    superuser_client, accounts, networks, make_letter, django_capture_on_commit_callbacks
):
    """A Mastodon instance answers a post with url: javascript:…; it is not stored, not linked."""
    networks.mastodon.route(
        "POST",
        "/api/v1/statuses",
        lambda request: (200, {"id": "1337", "url": "javascript:alert(1337)"}, {}),
    )
    with django_capture_on_commit_callbacks(execute=True):
        letter = make_letter("scripted", title="Scripted")
    delivery = Delivery.objects.get(page=letter, account__name="mastodon-en")
    assert delivery.status == DeliveryStatus.SENT and delivery.remote_id == "1337"
    assert delivery.remote_url == ""
    report = superuser_client.get("/admin/publishing/deliveries/").content.decode()
    sharing = superuser_client.get(f"/admin/pages/{letter.pk}/edit/").content.decode()
    assert linked(report) == [] and linked(sharing) == []


def test_outside_urls_already_stored_are_never_rendered_as_links(
    superuser_client, accounts, make_letter, django_capture_on_commit_callbacks
):
    """The render-time guard: rows stored before the storing-time check, or by other code."""
    with django_capture_on_commit_callbacks(execute=True):
        letter = make_letter("stored", title="Stored")
    for url in SCRIPT_URLS:
        Delivery.objects.filter(page=letter).update(remote_url=url)
        report = superuser_client.get("/admin/publishing/deliveries/").content.decode()
        sharing = superuser_client.get(f"/admin/pages/{letter.pk}/edit/").content.decode()
        assert linked(report) == [], url
        assert linked(sharing) == [], url
    Delivery.objects.filter(page=letter).update(remote_url="https://mastodon.test/@b/1337")
    sharing = superuser_client.get(f"/admin/pages/{letter.pk}/edit/").content.decode()
    assert "https://mastodon.test/@b/1337" in linked(sharing)


def test_mark_as_posted_takes_only_http_addresses(
    superuser_client, accounts, networks, make_letter, django_capture_on_commit_callbacks
):
    networks.x.drop_next(path="/2/tweets")
    with django_capture_on_commit_callbacks(execute=True):
        letter = make_letter("unconfirmed", title="Unconfirmed")
    delivery = Delivery.objects.get(page=letter, account__name="x-en")
    assert delivery.status == DeliveryStatus.UNCONFIRMED
    for url in SCRIPT_URLS:
        superuser_client.post(
            f"/admin/publishing/deliveries/{delivery.pk}/mark-posted/",
            {f"posted_url_{delivery.pk}": url},
        )
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.UNCONFIRMED and delivery.remote_url == "", url


# -- credential keys ------------------------------------------------------------------------
def _readable(name: str) -> dict:
    return SocialAccount.objects.get(name=name).credentials


def test_a_deploy_check_warns_while_credential_keys_derive_from_secret_key(settings):
    settings.BROADSIDE_CREDENTIAL_KEYS = []
    warned = run_checks(include_deployment_checks=True, tags=[Tags.security])
    assert "broadside.W001" in {message.id for message in warned}
    assert "broadside.W001" not in {message.id for message in run_checks(tags=[Tags.security])}
    settings.BROADSIDE_CREDENTIAL_KEYS = [Fernet.generate_key().decode()]
    quiet = run_checks(include_deployment_checks=True, tags=[Tags.security])
    assert "broadside.W001" not in {message.id for message in quiet}


def test_moving_to_explicit_keys_keeps_saved_credentials_readable_until_rotate_key(
    settings, tree, networks
):
    settings.BROADSIDE_CREDENTIAL_KEYS = []  # as installed: keys derived from SECRET_KEY
    add_accounts(networks)
    call_command("social_accounts", "test", "bluesky-fr", stdout=StringIO())  # a saved session
    new_key = Fernet.generate_key().decode()
    settings.BROADSIDE_CREDENTIAL_KEYS = [new_key]  # as the README says
    assert _readable("mastodon-en") == {"access_token": MASTODON_TOKEN}
    call_command("social_accounts", "rotate-key", stdout=(out := StringIO()))
    assert "4 account(s)" in out.getvalue()
    for account in SocialAccount.objects.all():  # now readable with the new key alone
        for token in filter(None, (account.credentials_encrypted, account.state_encrypted)):
            Fernet(new_key.encode()).decrypt(token.encode())
    settings.SECRET_KEY = "a-new-secret-key-that-derives-nothing-saved"
    assert _readable("x-en") == X_CREDENTIALS
    assert SocialAccount.objects.get(name="bluesky-fr").state["session"]


def test_a_new_secret_key_keeps_credentials_readable_through_secret_key_fallbacks(
    settings, tree, networks
):
    settings.BROADSIDE_CREDENTIAL_KEYS = []
    settings.SECRET_KEY = "the-first-secret-key-of-this-site"
    add_accounts(networks)
    # Rotated the way Django documents: the old key moves to SECRET_KEY_FALLBACKS.
    settings.SECRET_KEY = "the-second-secret-key-of-this-site"
    settings.SECRET_KEY_FALLBACKS = ["the-first-secret-key-of-this-site"]
    assert _readable("mastodon-en") == {"access_token": MASTODON_TOKEN}
    call_command("social_accounts", "rotate-key", stdout=StringIO())
    settings.SECRET_KEY_FALLBACKS = []
    assert _readable("mastodon-en") == {"access_token": MASTODON_TOKEN}


def test_a_malformed_credential_key_is_a_check_error_naming_the_setting_not_the_key(
    settings, superuser_client, tree, capsys
):
    good = Fernet.generate_key().decode()
    malformed = [
        "not-a-fernet-key-s3cr3t",
        base64.urlsafe_b64encode(b"sixteen-byte-s3c").decode(),  # a valid base64, too short
        good[:-2] + "!=",  # one character out of the alphabet
        good + good,  # two keys without the comma
    ]
    for bad in malformed:
        settings.BROADSIDE_CREDENTIAL_KEYS = [good, bad]
        with pytest.raises(SystemCheckError) as refused:
            call_command("check")
        assert "broadside.E004" in str(refused.value)
        assert "BROADSIDE_CREDENTIAL_KEYS" in str(refused.value) and "entry 2" in str(refused.value)
        assert bad not in str(refused.value) and good not in str(refused.value)
    data = {
        "name": "Our Mastodon",
        "channel": "mastodon",
        "locales": [Locale.objects.get(language_code="en").pk],
        "base_url": "https://mastodon.example",
        "credentials_json": json.dumps({"access_token": MASTODON_TOKEN}),
    }
    response = superuser_client.post("/admin/social_accounts/new/", data)
    html = response.content.decode()
    assert response.status_code == 200 and "BROADSIDE_CREDENTIAL_KEYS" in html
    assert bad not in html and MASTODON_TOKEN not in html
    assert 'value="Our Mastodon"' in html  # what was typed is still there
    with pytest.raises(CommandError, match="BROADSIDE_CREDENTIAL_KEYS") as refused:
        call_command(
            "social_accounts",
            *("add", "mastodon", "--name", "m", "--locale", "en"),
            *("--credentials-json", json.dumps({"access_token": MASTODON_TOKEN})),
        )
    assert bad not in str(refused.value)
    assert not SocialAccount.objects.exists()
    assert bad not in "".join(capsys.readouterr())


def test_an_account_no_key_decrypts_needs_attention_and_its_posts_are_skipped(
    superuser_client, accounts, networks, make_letter, django_capture_on_commit_callbacks
):
    lost_key = Fernet(Fernet.generate_key())  # e.g. a SECRET_KEY changed without fallbacks
    SocialAccount.objects.filter(name="mastodon-en").update(
        credentials_encrypted=lost_key.encrypt(b'{"access_token": "lost"}').decode()
    )
    needs_attention = "cannot be decrypted: reconnect the account or re-enter them"
    listing = superuser_client.get("/admin/social_accounts/").content.decode()
    assert listing.count(needs_attention) == 1
    call_command("social_accounts", "list", stdout=(out := StringIO()))
    [line] = [line for line in out.getvalue().splitlines() if needs_attention in line]
    assert line.startswith("mastodon-en\t")

    with django_capture_on_commit_callbacks(execute=True):
        letter = make_letter("unreadable")
    skipped = Delivery.objects.get(page=letter, account__name="mastodon-en")
    assert skipped.status == DeliveryStatus.SKIPPED and needs_attention in skipped.error
    assert Delivery.objects.get(page=letter, account__name="x-en").status == DeliveryStatus.SENT
    assert not networks.mastodon.statuses
    assert (
        needs_attention in superuser_client.get(f"/admin/pages/{letter.pk}/edit/").content.decode()
    )

    # rotate-key re-encrypts the others and names the account it cannot read.
    with pytest.raises(CommandError, match="mastodon-en"):
        call_command("social_accounts", "rotate-key", stdout=StringIO())
    assert _readable("x-en") == X_CREDENTIALS

    # Re-entering the credentials clears it; the skipped post is retried by a person.
    account = SocialAccount.objects.get(name="mastodon-en")
    edit = {
        "name": "mastodon-en",
        "channel": "mastodon",
        "locales": [Locale.objects.get(language_code="en").pk],
        "enabled": "on",
        "base_url": account.base_url_masked,
        "credentials_json": json.dumps({"access_token": MASTODON_TOKEN}),
    }
    saved = superuser_client.post(f"/admin/social_accounts/edit/{account.pk}/", edit)
    assert saved.status_code == 302
    assert needs_attention not in superuser_client.get("/admin/social_accounts/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        superuser_client.post(f"/admin/publishing/deliveries/{skipped.pk}/retry/")
    skipped.refresh_from_db()
    assert skipped.status == DeliveryStatus.SENT and len(networks.mastodon.statuses) == 1


# -- two clicks at once -----------------------------------------------------------------------
# Real concurrency: each thread has its own database connection, and a barrier lines the
# requests up. Transactional, so each sees what the other commits (serialized_rollback: the
# flush afterwards would take the data migrations made from the tests after these).
concurrent = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _at_once(*actions):
    """Run each action in its own thread, released together; return what each returned
    (or the exception it raised)."""
    barrier = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait(timeout=30)
            results[index] = action()
        except Exception as error:  # noqa: BLE001  (handed to the test, which fails on it)
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _clients(count: int) -> list[Client]:
    user = get_user_model().objects.create_superuser("clicker", "c@example.org", "pw")
    clients = [Client() for _ in range(count)]
    for client in clients:
        client.force_login(user)
    return clients


def _messages(response) -> list[tuple[str, str]]:
    assert not isinstance(response, Exception), repr(response)
    assert response.status_code == 302
    shown = [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]
    response.client.cookies.pop("messages", None)  # shown: the next page will not repeat them
    return shown


@concurrent
def test_two_simultaneous_post_again_clicks_make_one_posting_and_a_message(
    accounts, networks, make_letter, django_capture_on_commit_callbacks
):
    clients = _clients(2)
    for round_ in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            letter = make_letter(f"twice-{round_}")
        # The first posting is long over: only the two clicks are in each other's way.
        Delivery.objects.filter(page=letter).update(created_at=timezone.now() - timedelta(hours=1))
        url = f"/admin/publishing/pages/{letter.pk}/post-again/"
        responses = _at_once(
            *(lambda c=c, u=url: c.post(u, {"post_again_reason": "Corrected"}) for c in clients)
        )
        levels = sorted(level for response in responses for level, _text in _messages(response))
        assert levels == ["success", "warning"], responses
        [refused] = [text for r in responses for level, text in _messages(r) if level == "warning"]
        assert "being posted already" in refused
        assert Delivery.objects.filter(page=letter, publication=2).count() == 2  # x-en, mastodon-en
        assert not Delivery.objects.filter(page=letter, publication=3).exists()


@concurrent
def test_two_simultaneous_retry_or_mark_as_posted_clicks_act_once(
    accounts, networks, make_letter, django_capture_on_commit_callbacks
):
    clients = _clients(2)
    networks.mastodon.fail_next(422, path="/api/v1/statuses", body={"error": "Validation failed"})
    networks.x.drop_next(path="/2/tweets")
    with django_capture_on_commit_callbacks(execute=True):
        letter = make_letter("clicked")
    failed = Delivery.objects.get(page=letter, account__name="mastodon-en")
    unconfirmed = Delivery.objects.get(page=letter, account__name="x-en")
    assert failed.status == DeliveryStatus.FAILED
    assert unconfirmed.status == DeliveryStatus.UNCONFIRMED

    retry = f"/admin/publishing/deliveries/{failed.pk}/retry/"
    responses = _at_once(*(lambda c=c: c.post(retry) for c in clients))
    assert sorted(level for r in responses for level, _text in _messages(r)) == [
        "success",
        "warning",
    ]
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.SENT
    assert len(networks.mastodon.statuses) == 1

    # Retry and Mark as posted at once: one of them acts, the other is told.
    mark = f"/admin/publishing/deliveries/{unconfirmed.pk}/mark-posted/"
    responses = _at_once(
        lambda: clients[0].post(f"/admin/publishing/deliveries/{unconfirmed.pk}/retry/"),
        lambda: clients[1].post(mark, {f"posted_url_{unconfirmed.pk}": "https://x.com/i/1"}),
    )
    assert sorted(level for r in responses for level, _text in _messages(r)) == [
        "success",
        "warning",
    ]
    unconfirmed.refresh_from_db()
    tweets_sent = [r for r in networks.x.requests if r.method == "POST" and r.path == "/2/tweets"]
    if unconfirmed.remote_url == "https://x.com/i/1":  # Mark as posted won; nothing sent again
        assert unconfirmed.status == DeliveryStatus.SENT and len(tweets_sent) == 1
    else:  # Retry won and sent once more (X refuses the same text again as a duplicate)
        assert unconfirmed.status in (DeliveryStatus.SENT, DeliveryStatus.FAILED)
        assert len(tweets_sent) == 2


@concurrent
def test_two_sweeps_at_once_take_a_stale_delivery_over_once(
    accounts, networks, make_letter, django_capture_on_commit_callbacks, settings
):
    from publishing.social import tasks as social_tasks

    settings.BROADSIDE_DELIVERY_BACKOFF = (0.0, 0.0)
    with django_capture_on_commit_callbacks(execute=False):
        letter = make_letter("stale")
    # A worker claimed the Mastodon post and died before sending.
    stale = Delivery.objects.get(page=letter, account__name="mastodon-en")
    Delivery.objects.filter(pk=stale.pk).update(
        status=DeliveryStatus.SENDING,
        attempts=1,
        claim_token="dead-worker",
        claimed_until=timezone.now() - timedelta(minutes=1),
    )
    Delivery.objects.exclude(pk=stale.pk).update(status=DeliveryStatus.SKIPPED)
    counts = _at_once(social_tasks.resume_deliveries, social_tasks.resume_deliveries)
    assert not any(isinstance(count, Exception) for count in counts), counts
    assert sum(count["retried"] for count in counts) == 1
    stale.refresh_from_db()
    assert stale.status == DeliveryStatus.SENT and len(networks.mastodon.statuses) == 1


def test_an_account_added_after_a_launch_is_offered_the_latest_letter(
    superuser_client, networks, make_letter, django_capture_on_commit_callbacks
):
    english = Locale.objects.get(language_code="en")
    make_letter("older", title="An older letter")
    latest = make_letter("latest", title="The latest letter")
    render_share_images_for_page.call(latest.pk)  # the card task its publish enqueued
    data = {
        "name": "Late Mastodon",
        "channel": "mastodon",
        "locales": [english.pk],
        "enabled": "on",
        "base_url": networks.mastodon.url,
        "post_template": "{title} {url}",
        "credentials_json": json.dumps({"access_token": MASTODON_TOKEN}),
    }
    response = superuser_client.post("/admin/social_accounts/new/", data, follow=True)
    account = SocialAccount.objects.get(name="Late Mastodon")
    offer_url = f"/admin/publishing/accounts/{account.pk}/post-latest-letter/"
    assert offer_url in response.content.decode()  # offered, not done
    assert not Delivery.objects.exists()

    offer = superuser_client.get(offer_url).content.decode()
    assert "The latest letter" in offer and "An older letter" not in offer
    with django_capture_on_commit_callbacks(execute=True):
        superuser_client.post(offer_url)
    delivery = Delivery.objects.get()
    assert delivery.account == account and delivery.page.title == "The latest letter"
    assert delivery.status == DeliveryStatus.SENT and delivery.reason
    assert [s["text"] for s in networks.mastodon.statuses] == [delivery.text]
    superuser_client.post(offer_url)  # a second click posts nothing more
    assert Delivery.objects.count() == 1


def test_only_account_managers_are_offered_the_latest_letter(editor_client, accounts, make_letter):
    make_letter("latest")
    account = accounts["mastodon-en"]
    url = f"/admin/publishing/accounts/{account.pk}/post-latest-letter/"
    assert editor_client.get(url).status_code in (302, 403)
    assert editor_client.post(url).status_code in (302, 403)
    assert Delivery.objects.filter(page__slug="latest").count() == 2  # only the launch's own
