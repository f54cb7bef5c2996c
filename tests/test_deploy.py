"""Production settings: Django's deploy check is clean, and gunicorn sends the security headers.

The environment used here is the minimal one docs/deploy.md lists; nothing else
is inherited, so a setting that only works because of a developer's shell fails.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "letters.example.org"
# docs/deploy.md, "One small server": the variables a real installation must set.
MINIMAL_PRODUCTION_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "kq3v9Jw2-Zx7Lp0rT5yN8bH1cF4gD6sA0eR3uI9oP2lK7jM5nB8vC1xZ4qW6tY_",
    "ALLOWED_HOSTS": HOST,
    "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
    "BROADSIDE_BASE_URL": f"https://{HOST}",
    "BROADSIDE_CREDENTIAL_KEYS": "yZ3n1bq2S6o9gq2l4Jt6qVJ8lFh0k2m4n6p8r0t2v4w=",
}


def production_environment(**extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        **MINIMAL_PRODUCTION_ENVIRONMENT,
        **extra,
    }


def manage(*args: str, **extra_env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=production_environment(**extra_env),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_deploy_check_is_clean_with_the_documented_production_environment():
    done = manage("check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_the_deploy_check_still_warns_when_an_operator_turns_hsts_off():
    done = manage("check", "--deploy", "--fail-level", "WARNING", BROADSIDE_HSTS_SECONDS="0")
    assert done.returncode != 0
    assert "security.W004" in done.stdout + done.stderr


def database_url() -> str:
    """The test database as a DATABASE_URL, so that gunicorn serves what the tests set up."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn(db, tmp_path) -> Iterator[str]:
    """gunicorn serving production settings behind one (simulated) TLS-terminating proxy."""
    env = {
        "DATABASE_URL": database_url(),
        "STATIC_ROOT": str(tmp_path / "static"),
        "BROADSIDE_PROXY_COUNT": "1",
    }
    collected = manage("collectstatic", "--no-input", "-v", "0", **env)
    assert collected.returncode == 0, collected.stderr
    port = free_port()
    log = open(tmp_path / "gunicorn.log", "w+")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env=production_environment(**env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"gunicorn did not start:\n{log.read()}")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def get(base: str, path: str, https: bool = True, **kwargs) -> requests.Response:
    headers = {"Host": HOST}
    if https:  # what the proxy in front adds
        headers["X-Forwarded-Proto"] = "https"
    return requests.get(base + path, headers=headers, timeout=30, **kwargs)


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for directive in filter(None, (part.strip() for part in policy.split(";"))):
        name, *values = directive.split()
        parsed[name] = values
    return parsed


def test_gunicorn_with_production_settings_sends_the_security_headers(gunicorn):
    plain = get(gunicorn, "/en/", https=False, allow_redirects=False)
    assert plain.status_code == 301 and plain.headers["Location"] == f"https://{HOST}/en/"

    public = get(gunicorn, "/en/search/", allow_redirects=False)
    assert public.status_code == 200
    admin = get(gunicorn, "/admin/login/", allow_redirects=False)
    assert admin.status_code == 200, admin.text[:500]
    for response in (public, admin):
        headers = response.headers
        # RFC 6797 §6.1: max-age in seconds, then includeSubDomains.
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "Content-Security-Policy" in headers
    strict = directives(public.headers["Content-Security-Policy"])
    assert strict["script-src"] == ["'self'"] and strict["style-src"] == ["'self'"]
    assert strict["object-src"] == ["'none'"] and strict["frame-ancestors"] == ["'none'"]
    assert strict["base-uri"] == ["'none'"] and strict["form-action"] == ["'self'"]
    workable = directives(admin.headers["Content-Security-Policy"])
    assert workable["object-src"] == ["'none'"] and workable["frame-ancestors"] == ["'self'"]
    assert "'unsafe-eval'" not in workable["script-src"]
    assert public.headers["X-Frame-Options"] == "DENY"
    cookies = admin.headers["Set-Cookie"]
    assert "csrftoken=" in cookies and "Secure" in cookies

    for path in ("/django-admin/", "/django-admin/login/"):
        response = get(gunicorn, path)
        assert response.status_code == 404, path
        assert "Django administration" not in response.text


# Content-Security-Policy, through the test client (every setting file sends it) ------


def test_public_pages_get_a_strict_policy_and_admin_pages_a_workable_one(client, tree, make_letter):
    letter = make_letter("open-letter")
    for path in ("/en/", letter.url, "/en/search/?query=x", "/api/v1/letters/?locale=en"):
        policy = directives(client.get(path)["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], path
        assert policy["style-src"] == ["'self'"], path
        assert policy["frame-ancestors"] == ["'none'"], path
    policy = directives(client.get("/admin/login/")["Content-Security-Policy"])
    # Wagtail 8's admin still has inline scripts and styles; nothing else is loosened.
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"]


def test_a_preview_gets_the_admin_policy_so_that_the_admin_can_frame_it(
    client, tree, make_letter, django_user_model
):
    letter = make_letter("preview-me")
    client.force_login(django_user_model.objects.create_superuser("e", "e@example.org", "pw"))
    # Wagtail renders a preview (here: "view draft") through the whole middleware stack
    # with a dummy request for the page's public URL.
    response = client.get(f"/admin/pages/{letter.pk}/view_draft/")
    assert response.status_code == 200 and b"preview-me" in response.content
    policy = directives(response["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]


def timer_commands() -> set[str]:
    """The management commands `make run` runs every minute (config/start.py)."""
    from config.start import server_commands

    timer = server_commands(sys.executable, "127.0.0.1", 8000)[2]
    return set(re.findall(r"manage\.py (\w+)", timer))


@pytest.mark.parametrize("procfile", ["Procfile", "Procfile.scaled"])
def test_each_procfile_runs_every_command_of_make_runs_minute_timer(procfile):
    # Without refresh_tokens a production installation let X's two-hour and Instagram's and
    # Threads' 60-day tokens lapse, though make run kept them fresh.
    lines = (BASE_DIR / procfile).read_text().splitlines()
    (housekeeping,) = [line for line in lines if line.startswith("housekeeping:")]
    assert timer_commands() <= set(re.findall(r"manage\.py (\w+)", housekeeping))


def test_the_deploy_guide_lists_every_command_of_the_minute_timer():
    guide = (BASE_DIR / "docs" / "deploy.md").read_text()
    assert timer_commands() <= set(re.findall(r"^\| `manage\.py (\w+)", guide, re.MULTILINE))
