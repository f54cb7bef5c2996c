"""`make run` on this machine: links follow where the demo is served."""

import logging
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django_tasks import task, task_backends
from wagtail.models import Site

from config import start
from home.background import OnceAtTheEndBackend, inline_tasks
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
    assert "config.start --host 127.0.0.1 --port 19100 --base-url http://127.0.0.1:19100" in recipe
    proxied = make_dry_run("run", "HOST=0.0.0.0", "BASE_URL=https://letters.example.org")
    assert "--host 0.0.0.0 --port 8000 --base-url https://letters.example.org" in proxied
    server, worker, timer = start.server_commands("/venv/bin/python", "127.0.0.1", 19100)
    # The reloader's child: supervise restarts it when a file changes (status 3).
    assert server == "RUN_MAIN=true /venv/bin/python manage.py runserver 127.0.0.1:19100"
    assert worker.endswith("manage.py db_worker --no-reload -v 0")
    assert "publish_scheduled" in timer and "refresh_tokens" in timer


def test_make_run_installs_the_runtime_dependencies_only():
    recipe = make_dry_run("-B", "run")
    assert "-e ." in recipe and ".[dev]" not in recipe
    assert "uv pip install" in recipe and "pip install" in recipe.replace("uv pip install", "")
    assert recipe.count("-c constraints.txt") == 3  # uv from its cache, uv online, pip
    assert ".[dev]" in make_dry_run("-B", "install")


def test_every_dependency_is_pinned_in_the_constraints_within_what_pyproject_allows():
    """A dependency added to pyproject.toml without `make lock` would be installed at
    whatever version the index has that day, not the one the suite ran with."""
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [*project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        declared += [line for line in extra if not line.startswith("broadside[")]
    pinned = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith((" ", "#")):
            name, _, version = line.partition("==")
            pinned[canonicalize_name(name)] = version.strip()
    for line in declared:
        requirement = Requirement(line)
        version = pinned.get(canonicalize_name(requirement.name))
        assert version, f"{requirement.name} is not in constraints.txt: run `make lock`"
        assert requirement.specifier.contains(version, prereleases=True), (
            f"constraints.txt pins {requirement.name}=={version}, outside {line!r}: `make lock`"
        )


def test_the_start_up_ends_with_the_address_and_the_credentials():
    line = start.sign_in_line("http://127.0.0.1:19100", "admin", "s3cret")
    assert line == "running at http://127.0.0.1:19100/ — admin: admin / s3cret"
    unknown = start.sign_in_line("http://127.0.0.1:19100/", "admin", None)
    assert "http://127.0.0.1:19100/admin/ as admin" in unknown
    assert "changepassword admin" in unknown
    assert start.local_url("0.0.0.0", 8000) == "http://127.0.0.1:8000/"
    assert start.local_url("::", 8000) == "http://[::1]:8000/"


@pytest.mark.django_db
def test_the_administrator_is_created_once_and_the_password_kept_private(tmp_path):
    secret = tmp_path / "var" / "admin-password"
    username, password = start.admin_credentials(secret)
    assert username == "admin" and len(password) >= 16
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert secret.read_text().strip() == password
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.check_password(password)
    assert (user.first_name, user.last_name) == ("Demo", "Administrator")
    assert start.admin_credentials(secret) == ("admin", password)  # the second run says it again
    assert get_user_model().objects.count() == 1
    user.set_password("changed-since")
    user.save()
    assert start.admin_credentials(secret) == ("admin", None)  # never a stale password
    secret.unlink()
    assert start.admin_credentials(secret) == ("admin", None)


@pytest.mark.django_db
def test_a_second_run_has_nothing_to_migrate_and_keeps_the_site(tree):
    assert start.pending_migrations() == []
    assert start.has_site_content()  # so the demo is not loaded again


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


@task()
def record_other_call(page_id: int) -> None:
    calls.append(-page_id)


DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def test_tasks_left_to_the_worker_are_queued_once_each_when_the_step_ends(monkeypatch):
    """The demo's cards: queued once per page for make run's worker, drawn by none here."""
    monkeypatch.setattr("home.background.DEFERRED_MODULES", ("tests.",))
    calls.clear()
    with override_settings(TASKS=DUMMY_TASKS):
        with inline_tasks(leave_to_worker=("tests.test_first_run.record_call",)):
            for page_id in (1, 2, 1, 1, 2):
                record_call.enqueue(page_id)
                record_other_call.enqueue(page_id)
        queued = task_backends["default"].results
        assert [(result.task.func, result.args) for result in queued] == [
            (record_call.func, [1]),
            (record_call.func, [2]),
        ]
    assert calls == [-1, -2]  # the others ran here, once each


@pytest.mark.django_db
def test_indexing_runs_once_per_object_and_skips_one_deleted_since(tree, monkeypatch):
    from wagtail.tasks import update_reference_index_task

    backend = OnceAtTheEndBackend("default", {})
    executed = []
    monkeypatch.setattr(backend, "_execute_task", lambda result: executed.append(result.args))
    home = ["wagtailcore", "page", tree.home.pk]
    for _ in range(3):
        backend.enqueue(update_reference_index_task, home, {})
    backend.enqueue(update_reference_index_task, ["wagtailcore", "page", 10**9], {})
    assert backend.run_pending() == 1  # the missing page is dropped, not an error
    assert executed == [home]


@pytest.mark.django_db
def test_indexing_handed_to_the_worker_goes_once_per_object_that_still_exists(tree):
    from wagtail.tasks import update_reference_index_task

    from home.background import INDEXING_TASKS

    backend = OnceAtTheEndBackend("default", {})
    home = ["wagtailcore", "page", tree.home.pk]
    for _ in range(3):
        backend.enqueue(update_reference_index_task, home, {})
    backend.enqueue(update_reference_index_task, ["wagtailcore", "page", 10**9], {})
    taken = backend.take(INDEXING_TASKS)
    assert [result.args for result in taken] == [home]  # the missing page is not handed over
    assert backend.pending == {}


def pids(*arguments: str) -> list[int]:
    found = subprocess.run(["pgrep", *arguments], capture_output=True, text=True).stdout
    return [int(pid) for pid in found.split()]


def running(pid: int) -> bool:
    """Whether `pid` still runs (a zombie that no init reaps does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def run_supervisor(signum: int) -> tuple[subprocess.CompletedProcess, list[int]]:
    """config/supervise.py with two commands (one a shell with a child), stopped by `signum`
    once both run; returns the result and every process the commands had started."""
    process = subprocess.Popen(
        [
            sys.executable, "-m", "config.supervise",
            f"{sys.executable} -c 'import time; time.sleep(60)'",
            "while sleep 60; do true; done",
        ],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    started: list[int] = []
    while time.monotonic() < deadline and len(started) < 4:  # each sh, python, sleep
        time.sleep(0.2)
        started = [
            pid for leader in pids("-P", str(process.pid)) for pid in pids("-s", str(leader))
        ]
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=30)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr), started


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_supervise_stops_its_commands_quietly_on_ctrl_c_or_sigterm(signum):
    result, started = run_supervisor(signum)
    assert len(started) == 4
    assert result.returncode == 0
    assert "Traceback" not in result.stderr and "Segmentation" not in result.stderr
    assert not [pid for pid in started if running(pid)]


def test_the_quiet_worker_of_make_run_still_reports_failed_tasks():
    from publishing.management.commands.db_worker import Command

    loggers = [logging.getLogger(name) for name in ("django_tasks", "django_tasks_db")]
    levels = [logger.level for logger in loggers]
    try:
        Command().configure_logging(0)
        assert [logger.level for logger in loggers] == [logging.WARNING, logging.WARNING]
        Command().configure_logging(1)
        assert [logger.level for logger in loggers] == [logging.INFO, logging.INFO]
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def test_the_worker_stops_quietly_on_its_first_signal_and_loudly_on_a_second(caplog):
    # make run's Ctrl-C reaches the worker as SIGTERM from config/supervise.py: the normal
    # way out, not a warning (and "press Ctrl+C again" would kill everything there).
    from publishing.management.commands.db_worker import ResilientWorker

    worker = ResilientWorker(
        queue_names=["default"], interval=1, batch=False, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="test", excluded_queue_names=[],
    )  # fmt: skip
    worker.running_task = True  # a task is running: the first signal lets it finish
    with caplog.at_level(logging.INFO, logger="django_tasks_db"):
        worker.shutdown(signal.SIGTERM, None)
    assert worker.running is False
    assert [record.levelno for record in caplog.records] == [logging.INFO]
    caplog.clear()
    try:
        with caplog.at_level(logging.INFO, logger="django_tasks_db"), pytest.raises(SystemExit):
            worker.shutdown(signal.SIGTERM, None)
    finally:
        worker.reset_signals()
        signal.signal(signal.SIGINT, signal.default_int_handler)
    assert [record.levelno for record in caplog.records] == [logging.WARNING]


# serialized_rollback, as every transactional test here: a plain one's flush re-runs the
# post_migrate handlers, whose rows the next serialized test then inserts twice.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_sign_in_line_is_said_again_once_the_worker_has_emptied_the_queue():
    database_tasks = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    stop = threading.Event()
    with override_settings(TASKS=database_tasks):
        assert start.queued_tasks() == 0
        result = record_call.enqueue(7)
        assert start.queued_tasks() == 1
        assert start.wait_for_the_worker(stop, timeout=0.1) is False
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.filter(pk=result.id).update(status="SUCCESSFUL")
        assert start.wait_for_the_worker(stop, timeout=5) is True
    assert start.queued_tasks() == 0  # the immediate backend of the tests queues nothing
