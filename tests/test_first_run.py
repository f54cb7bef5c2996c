"""`make run` on this machine: links follow where the demo is served."""

import subprocess
from pathlib import Path

from django_tasks import task
from wagtail.models import Site

from home.background import inline_tasks
from home.demo.loader import follow_base_url

ROOT = Path(__file__).resolve().parent.parent


def test_a_local_site_follows_the_served_address():
    for hostname, port in (("localhost", 80), ("127.0.0.1", 8000)):
        site = Site(hostname=hostname, port=port)
        follow_base_url(site, "http://127.0.0.1:19100")
        assert (site.hostname, site.port) == ("127.0.0.1", 19100)
    site = Site(hostname="127.0.0.1", port=8000)
    follow_base_url(site, "https://letters.example.org")
    assert (site.hostname, site.port) == ("letters.example.org", 443)


def test_an_operators_site_is_left_alone():
    site = Site(hostname="letters.example.org", port=443)
    follow_base_url(site, "http://127.0.0.1:19100")
    assert (site.hostname, site.port) == ("letters.example.org", 443)


def make_dry_run(*arguments):
    """The commands `make` would run (`-n` runs none of them)."""
    return subprocess.run(
        ["make", "-n", "--no-print-directory", *arguments],
        cwd=ROOT, capture_output=True, text=True, check=True,
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"},
    ).stdout  # fmt: skip


def test_make_run_passes_the_served_address_to_the_links():
    recipe = make_dry_run("run", "PORT=19100")
    assert "load_demo --create-admin --base-url http://127.0.0.1:19100" in recipe
    assert "BROADSIDE_BASE_URL=http://127.0.0.1:19100" in recipe
    assert "runserver 127.0.0.1:19100" in recipe
    proxied = make_dry_run("run", "HOST=0.0.0.0", "BASE_URL=https://letters.example.org")
    assert "--base-url https://letters.example.org" in proxied


calls = []


@task()
def record_call(page_id: int) -> None:
    calls.append(page_id)


def test_set_up_steps_run_each_distinct_task_once_at_the_end(monkeypatch):
    monkeypatch.setattr("home.background.DEFERRED_MODULES", ("tests.",))
    calls.clear()
    with inline_tasks():
        for page_id in (1, 2, 1, 1, 2):
            record_call.enqueue(page_id)
        assert calls == []  # nothing runs before the last change
    assert calls == [1, 2]
