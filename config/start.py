"""`make run`: prepare what is missing, serve the site and its worker, say how to sign in.

    python -m config.start --host 127.0.0.1 --port 8000 --base-url http://127.0.0.1:8000

In one process, so that Django starts once for all the set-up steps:

1. the database is migrated when a migration is pending (a progress bar, one step a migration);
   with none pending, nothing is done (the second run);
2. on a database without a home page, the demo is loaded, with a console social account
   (it logs what it would post); a database with one is left as it is (an editor's deletions
   stay deleted), only its local site follows the served address;
3. the administrator 'admin' is created with a generated password when there is no superuser,
   and the password is kept in var/admin-password (mode 0600, gitignored) so that every run
   can say it again; nothing else prints or logs it;
4. config/supervise.py serves the site and runs the task worker and the minute timer, and, once
   the site answers, the last line says where it is and how to sign in.

The demo's cards, posts and feed pings are left to the worker (each distinct task once): the
first page does not wait for them. Ctrl-C or SIGTERM at any step stops quietly, status 0.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shlex
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD_FILE = ROOT / "var" / "admin-password"
ADMIN_USERNAME = "admin"
DEMO_LOCALES = ("en", "fr", "es", "ru", "ar", "he", "hi", "hu")
SETUP_LOGGERS = ("django_tasks", "wagtail", "wagtail_localize", "modelsearch")


class Stopped(Exception):
    """SIGTERM during a set-up step (Ctrl-C raises KeyboardInterrupt)."""


def say(message: str) -> None:
    print(f"Broadside: {message}", flush=True)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m config.start", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--base-url", help="Where readers reach the site (default: http://HOST:PORT)."
    )
    return parser.parse_args(argv)


def server_commands(python: str, host: str, port: int) -> list[str]:
    """The commands config/supervise.py runs: the development server, the task worker and
    the one-minute timer (scheduled publishing, delivery retries, token renewal).

    The development server starts as the autoreloader's child (`RUN_MAIN=true`, the
    variable `django.utils.autoreload.DJANGO_AUTORELOAD_ENV` names): it watches the source
    and exits with status 3 when a file changes, and supervise, not a parent `runserver`
    that would start Django once more for nothing, starts it again.
    """
    from django.utils.autoreload import DJANGO_AUTORELOAD_ENV

    manage = f"{shlex.quote(python)} manage.py"
    return [
        f"{DJANGO_AUTORELOAD_ENV}=true {manage} runserver {shlex.quote(host)}:{port}",
        # The worker in its main thread: under the autoreloader it runs in a daemon thread,
        # which a stop left drawing a card while the interpreter shut down (a segfault), or
        # waiting forever after its graceful stop. Restart `make run` after changing a task.
        f"{manage} db_worker --no-reload -v 0",
        f"while sleep 60; do {manage} publish_scheduled > /dev/null; "
        f"{manage} resume_deliveries -v 0; {manage} refresh_tokens -v 0; done",
    ]


@contextmanager
def quiet_loggers(names=SETUP_LOGGERS):
    """One INFO line per published page and per task (thousands) would bury the address."""
    import logging

    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def pending_migrations() -> list:
    """The migrations `migrate` would apply, in order ([] when the database is up to date)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


def migrate(count: int) -> None:
    """Apply every pending migration with a progress bar of `count` steps."""
    from django.core.management import call_command
    from django.core.management.commands.migrate import Command as Migrate
    from tqdm import tqdm

    bar = tqdm(total=count, desc="  database", unit=" migrations", leave=True, ncols=80)

    class ProgressMigrate(Migrate):
        def migration_progress_callback(self, action, migration=None, fake=False):
            if action == "apply_success":
                bar.update(1)

    try:
        call_command(ProgressMigrate(), interactive=False, verbosity=0)
    finally:
        bar.close()


def has_site_content() -> bool:
    """Whether the database already has a home page (the demo's or an editor's)."""
    from home.models import HomePage

    return HomePage.objects.exists()


def load_demo(base_url: str) -> None:
    """The console account, then the demo (publishing posts to it); the demo's cards, posts,
    pings and search and reference indexing are queued for the worker, each once: the first
    page does not wait for them (search finds the demo a few seconds after it opens)."""
    from django.core.management import call_command

    from home.background import INDEXING_TASKS, inline_tasks
    from home.demo.loader import DemoLoader

    call_command(
        "social_accounts", "add", "console", "--name", "Console",
        *[argument for code in DEMO_LOCALES for argument in ("--locale", code)],
        stdout=open(os.devnull, "w"),  # noqa: SIM115 - closed with the process
    )  # fmt: skip
    with inline_tasks(leave_to_worker=("publishing.", *INDEXING_TASKS)):
        DemoLoader(log=lambda message: None, base_url=base_url).load()


def follow_served_address(base_url: str) -> None:
    """A local default site follows `base_url` (home.demo.loader.follow_base_url)."""
    from wagtail.models import Site

    from home.demo.loader import follow_base_url

    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return
    before = (site.hostname, site.port)
    follow_base_url(site, base_url)
    if (site.hostname, site.port) != before:
        site.save(update_fields=["hostname", "port"])


def admin_credentials(password_file: Path = PASSWORD_FILE) -> tuple[str, str | None]:
    """(username, password) to print: creates the administrator when there is no superuser.

    The generated password is written to `password_file` (created 0600) and read back on
    later runs; None when it is unknown (an administrator made otherwise, or a password
    changed since). The demo administrator has a first and last name, which the admin's
    account settings require before anything else can be saved.
    """
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if not User.objects.filter(is_superuser=True).exists():
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(
            ADMIN_USERNAME, "admin@example.org", password,
            first_name="Demo", last_name="Administrator",
        )  # fmt: skip
        write_secret(password_file, password)
        return ADMIN_USERNAME, password
    user = User.objects.filter(username=ADMIN_USERNAME, is_superuser=True).first()
    if user is None:
        name = User.objects.filter(is_superuser=True).order_by("pk").first().get_username()
        return name, None
    try:
        stored = password_file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ADMIN_USERNAME, None
    return ADMIN_USERNAME, stored if user.check_password(stored) else None


def write_secret(path: Path, value: str) -> None:
    """Write `value` to `path`, readable by its owner only (0600), replacing it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".new")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write(value + "\n")
    os.replace(temporary, path)


def sign_in_line(base_url: str, username: str, password: str | None) -> str:
    """The last line of the start-up: where the site is, and how to sign in."""
    address = base_url.rstrip("/") + "/"
    if password is None:
        return (
            f"running at {address} — admin: {address}admin/ as {username} "
            f"(password: run .venv/bin/python manage.py changepassword {username})"
        )
    return f"running at {address} — admin: {username} / {password}"


def wait_until_answering(url: str, stop: threading.Event, timeout: float = 300.0) -> bool:
    """Poll `url` until it answers (any HTTP status), `stop` is set or `timeout` (s) passes."""
    deadline = time.monotonic() + timeout
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return True
        except urllib.error.HTTPError:
            return True
        except (OSError, urllib.error.URLError):
            stop.wait(0.25)
    return False


def local_url(host: str, port: int) -> str:
    """Where this machine reaches a server listening on `host`:`port`."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def queued_tasks() -> int:
    """Tasks the database worker has still to run (ready or running); 0 for another backend."""
    from django_tasks import task_backends
    from django_tasks.base import TaskResultStatus

    if not type(task_backends["default"]).__module__.startswith("django_tasks_db"):
        return 0
    from django_tasks_db.models import DBTaskResult

    ready = [TaskResultStatus.READY, TaskResultStatus.RUNNING]
    return DBTaskResult.objects.filter(status__in=ready).count()


def wait_for_the_worker(stop: threading.Event, timeout: float = 600.0) -> bool:
    """Wait until the worker has run every queued task (the demo's cards and posts), `stop`
    is set or `timeout` (s) passes; True when the queue is empty."""
    from django.db import connection

    deadline = time.monotonic() + timeout
    try:
        while not stop.is_set() and time.monotonic() < deadline:
            if queued_tasks() == 0:
                return True
            stop.wait(2.0)
        return False
    finally:
        connection.close()


def prepare(base_url: str) -> tuple[str, str | None, bool]:
    """Steps 1 to 3 of the module docstring; returns the sign-in credentials and whether the
    demo was loaded (its cards and posts then wait for the worker)."""
    import django

    django.setup()
    with quiet_loggers():
        plan = pending_migrations()
        if plan:
            say(f"preparing the database ({len(plan)} migrations, first run only)…")
            migrate(len(plan))
        if not has_site_content():
            say("loading the demo: letters and organizations in eight languages…")
            started = time.monotonic()
            load_demo(base_url)
            say(
                f"demo loaded in {time.monotonic() - started:.0f} s "
                "(the worker draws its share cards and logs its console posts)"
            )
            loaded = True
        else:
            follow_served_address(base_url)
            loaded = False
        return (*admin_credentials(), loaded)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    base_url = arguments.base_url or f"http://{arguments.host}:{arguments.port}"
    os.environ["BROADSIDE_BASE_URL"] = base_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.chdir(ROOT)

    def stop_setup(signum, frame):
        raise Stopped

    signal.signal(signal.SIGTERM, stop_setup)
    try:
        username, password, loaded = prepare(base_url)
    except (KeyboardInterrupt, Stopped):
        print(file=sys.stderr)
        say("stopped before the site started (what was done is kept; run `make run` again).")
        return 0
    say(f"starting the server and the task worker on {arguments.host}:{arguments.port}…")

    from config.supervise import supervise

    started = threading.Event()

    def announce() -> None:
        if not wait_until_answering(local_url(arguments.host, arguments.port), started):
            return
        say(sign_in_line(base_url, username, password))
        # The worker's first lines (the demo's console posts) follow: say it again after them.
        if loaded and wait_for_the_worker(started):
            say("the demo's share cards are drawn and its posts logged.")
            say(sign_in_line(base_url, username, password))

    announcer = threading.Thread(target=announce, daemon=True)
    announcer.start()
    try:
        return supervise(server_commands(sys.executable, arguments.host, arguments.port))
    finally:
        started.set()
        announcer.join(5.0)  # not left inside a query while the interpreter shuts down


if __name__ == "__main__":
    sys.exit(main())
