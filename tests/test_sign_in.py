"""Sign-in security: lockouts after failed sign-ins (django-axes) and two-step sign-in (django-otp).

Sign-ins go through the real Wagtail login form, so that the lockout backend and
middleware see what a browser would send. Failed attempts are database rows
(django-axes' database handler): each test's transaction is rolled back, so no
lockout leaks into the next test. Codes are computed with django-otp's own
`totp` from the device key, as an authenticator app computes them (RFC 6238).
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django_otp.oath import totp

BASE_DIR = Path(__file__).resolve().parent.parent
LOGIN_URL = "/admin/login/"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("alice", "alice@example.org", PASSWORD)


def sign_in(client, password: str = PASSWORD, username: str = "alice", **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password}, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def totp_devices():
    """django-otp's TOTP devices (looked up by name: the app is installed by settings)."""
    return apps.get_model("otp_totp", "TOTPDevice").objects


def code_for(key_hex: str, offset_steps: int = 0) -> str:
    """The code an authenticator app shows for a hex key (`offset_steps` later)."""
    return f"{totp(bytes.fromhex(key_hex), drift=offset_steps):06d}"


# Lockouts -------------------------------------------------------------------------


def test_failed_sign_ins_lock_out_the_account_from_that_address_even_with_the_right_password(
    client, editor
):
    limit = settings.AXES_FAILURE_LIMIT
    for attempt in range(limit - 1):
        response = sign_in(client, password=f"guess {attempt}")
        assert response.status_code == 200, attempt  # the form again, with its error
    locked = sign_in(client, password="last guess")
    assert locked.status_code == 429
    refused = sign_in(client)  # the N+1th, with the right password
    assert refused.status_code == 429
    assert not signed_in(client)
    html = refused.content.decode()
    assert "Too many failed sign-in attempts" in html
    assert "Try again in 30 minutes" in html
    assert client.get("/admin/").status_code == 302


def test_a_lockout_holds_only_for_that_address_and_that_username(client, editor, django_user_model):
    django_user_model.objects.create_user("bob", "bob@example.org", PASSWORD, is_staff=True)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, password=f"guess {attempt}")
    assert sign_in(client).status_code == 429
    # The same account from another address, and another account from this one.
    elsewhere = sign_in(client, REMOTE_ADDR="203.0.113.9")
    assert elsewhere.status_code == 302 and signed_in(client)
    client.logout()
    assert sign_in(client, username="bob").status_code == 302 and signed_in(client)


def test_a_right_password_before_the_limit_forgets_the_earlier_failures(client, editor):
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, password=f"guess {attempt}")
    assert sign_in(client).status_code == 302
    client.logout()
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, password=f"again {attempt}").status_code == 200
    assert sign_in(client).status_code == 302


def test_the_documented_unlock_command_lifts_a_lockout(client, editor):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, password=f"guess {attempt}")
    assert sign_in(client).status_code == 429
    call_command("axes_reset_username", "alice", stdout=open(os.devnull, "w"))
    assert sign_in(client).status_code == 302 and signed_in(client)


def client_address_under_production_settings(proxy_count: str | None, **meta: str) -> str:
    """The address django-axes counts failures against, with production settings."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "letters.example.org",
    }
    env.pop("BROADSIDE_PROXY_COUNT", None)
    if proxy_count is not None:
        env["BROADSIDE_PROXY_COUNT"] = proxy_count
    script = (
        "import django, json, sys; django.setup()\n"
        "from django.test import RequestFactory\n"
        "from axes.helpers import get_client_ip_address\n"
        "request = RequestFactory().post('/admin/login/', **json.loads(sys.argv[1]))\n"
        "print(get_client_ip_address(request))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(meta)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_behind_a_proxy_failures_count_against_the_address_the_proxy_saw():
    # nginx appends the address it saw to whatever X-Forwarded-For the browser sent.
    forged = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.1, 203.0.113.7"}
    assert client_address_under_production_settings("1", **forged) == "203.0.113.7"
    # Two proxies (a CDN, then nginx): the CDN's entry is the last one.
    two = {
        "REMOTE_ADDR": "10.0.0.2",
        "HTTP_X_FORWARDED_FOR": "198.51.100.1, 203.0.113.7, 192.0.2.4",
    }
    assert client_address_under_production_settings("2", **two) == "203.0.113.7"
    # Without a proxy, a browser's X-Forwarded-For is not believed.
    assert client_address_under_production_settings(None, **forged) == "10.0.0.2"


# Two-step sign-in -----------------------------------------------------------------


@pytest.fixture
def device(editor):
    return totp_devices().create(user=editor, name="Phone", confirmed=True)


def test_an_account_with_a_device_enters_a_code_before_any_admin_page(client, device):
    response = sign_in(client)
    assert response.status_code == 302 and signed_in(client)
    for path in ("/admin/", "/admin/pages/", "/admin/users/", "/admin/account/"):
        step = client.get(path)
        assert step.status_code == 302, path
        assert step["Location"].startswith("/admin/two-step/code/?next="), path
    form = client.get("/admin/two-step/code/?next=/admin/pages/")
    assert form.status_code == 200 and 'autocomplete="one-time-code"' in form.content.decode()

    wrong = f"{(int(code_for(device.key)) + 1) % 1_000_000:06d}"
    refused = client.post("/admin/two-step/code/?next=/admin/pages/", {"otp_token": wrong})
    assert refused.status_code == 200 and "wrong or has expired" in refused.content.decode()
    assert client.get("/admin/").status_code == 302

    device.refresh_from_db()
    device.throttling_failure_timestamp = None  # a person waits before typing again
    device.save()
    accepted = client.post(
        "/admin/two-step/code/?next=/admin/pages/", {"otp_token": code_for(device.key)}
    )
    assert accepted.status_code == 302 and accepted["Location"] == "/admin/pages/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/pages/").status_code == 200


def test_a_session_that_owes_a_code_is_signed_out_everywhere_else(
    client, device, tree, make_letter
):
    letter = make_letter("draft-me")
    sign_in(client)
    assert client.get(f"/api/v1/letters/{letter.pk}/draft/").status_code == 401
    # …and it cannot get around the code by enrolling an app of its own.
    enrol = client.get("/admin/two-step/enrol/")
    assert enrol.status_code == 302 and enrol["Location"].startswith("/admin/two-step/code/")
    client.post("/admin/two-step/code/", {"otp_token": code_for(device.key)})
    assert client.get(f"/api/v1/letters/{letter.pk}/draft/").status_code == 200


def test_a_code_is_accepted_once_and_guessing_is_slowed_down(client, device):
    sign_in(client)
    code = code_for(device.key)
    assert client.post("/admin/two-step/code/", {"otp_token": code}).status_code == 302
    client.logout()
    sign_in(client)
    replay = client.post("/admin/two-step/code/", {"otp_token": code})
    assert replay.status_code == 200  # the same code twice: refused (RFC 6238 §5.2)
    for guess in ("000000", "111111"):
        client.post("/admin/two-step/code/", {"otp_token": guess})
    throttled = client.post("/admin/two-step/code/", {"otp_token": code_for(device.key, 1)})
    assert throttled.status_code == 200 and "Too many wrong codes" in throttled.content.decode()
    assert client.get("/admin/").status_code == 302


def test_without_the_requirement_an_account_without_a_device_signs_in_with_its_password(
    client, editor
):
    assert not settings.BROADSIDE_REQUIRE_2FA
    sign_in(client)
    assert client.get("/admin/").status_code == 200


def test_when_required_an_account_without_a_device_enrols_before_anything_else(
    client, editor, settings
):
    settings.BROADSIDE_REQUIRE_2FA = True
    sign_in(client)
    step = client.get("/admin/pages/")
    assert step.status_code == 302
    assert step["Location"].startswith("/admin/two-step/enrol/?next=")
    page = client.get("/admin/two-step/enrol/?next=/admin/pages/")
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html
    # The key a person would type into the app instead of scanning the code.
    typed = re.search(r"<code>([A-Z2-7 ]+)</code>", html).group(1).replace(" ", "")
    key = base64.b32decode(typed).hex()
    assert not totp_devices().filter(user=editor).exists()  # nothing saved before a code

    bad = client.post("/admin/two-step/enrol/?next=/admin/pages/", {"otp_token": "12345"})
    assert bad.status_code == 200 and "six digits" in bad.content.decode()
    done = client.post("/admin/two-step/enrol/?next=/admin/pages/", {"otp_token": code_for(key)})
    assert done.status_code == 302 and done["Location"] == "/admin/pages/"
    device = totp_devices().get(user=editor)
    assert device.confirmed and device.key == key
    assert client.get("/admin/pages/").status_code == 200

    # The next sign-in asks for a code from the enrolled app.
    client.logout()
    sign_in(client)
    assert client.get("/admin/").status_code == 302
    accepted = client.post("/admin/two-step/code/", {"otp_token": code_for(key, 1)})
    assert accepted.status_code == 302 and client.get("/admin/").status_code == 200


def test_the_reset_command_removes_a_lost_device(client, device):
    call_command("two_factor_reset", "alice", stdout=open(os.devnull, "w"))
    assert not totp_devices().filter(user=device.user).exists()
    sign_in(client)
    assert client.get("/admin/").status_code == 200
