"""Editors see each post before publishing and what went out after; accounts are guarded."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from wagtail.models import Locale

from publishing.models import Delivery, DeliveryStatus, SocialAccount
from tests.responses import text_of
from tests.social import MASTODON_TOKEN, SECRETS, assert_sealed


@pytest.fixture
def superuser_client(client, db):
    user = get_user_model().objects.create_superuser("admin", "admin@example.org", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def editor_client(client, db):
    """A member of Wagtail's Editors group: edits and publishes pages, not accounts."""
    user = get_user_model().objects.create_user("editor", "editor@example.org", "pw")
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return client


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
    from publishing import outbox

    monkeypatch.setattr(outbox, "POST_AGAIN_GUARD_SECONDS", 0)
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
    from publishing.credentials import CredentialsError

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
