"""The task worker and `make run`'s supervisor outlive what a small server throws at them.

A real `manage.py db_worker` process runs against the test database while the test
makes the database unusable for several times the worker's patience (a SQLite write
lock held past the busy timeout; PostgreSQL refusing and dropping connections); the
worker must still be there afterwards and run the next task. The supervisor that
`make run` uses must restart a process that dies and stop everything on Ctrl-C or
SIGTERM without a traceback.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django_tasks import task
from django_tasks_db.models import DBTaskResult

BASE_DIR = Path(__file__).resolve().parent.parent
WORKER_BUSY_TIMEOUT_SECONDS = 1.0
OUTAGE_SECONDS = 4.0


@task()
def record_that_the_worker_ran() -> str:
    """A task for the worker under test; its result proves the worker is alive."""
    return "ran"


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def worker(settings, tmp_path):
    """A `db_worker` process on the test database, and its log file."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "BROADSIDE_WORKER_DATABASE_NAME": connection.settings_dict["NAME"],
        "BROADSIDE_WORKER_DATABASE_TIMEOUT": str(WORKER_BUSY_TIMEOUT_SECONDS),
        "TASK_BACKEND": "database",
    }
    command = [sys.executable, "manage.py", "db_worker", "--interval", "0.1", "--no-reload"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        process.log_path = log_path
        try:
            assert wait_for(lambda: b"Starting worker" in log_path.read_bytes(), 30)
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(20)


def make_the_database_unusable_for_a_while(seconds: float) -> None:
    """What a busy or restarting database does to a worker that is idle."""
    if connection.vendor == "sqlite":
        # Another process holds the write lock: the worker's claiming transaction
        # waits out its busy timeout and gets "database is locked".
        holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        time.sleep(seconds)
        holder.execute("ROLLBACK")
        holder.close()
    elif connection.vendor == "postgresql":
        # The server drops the worker's connection and refuses new ones, as during a restart.
        import psycopg

        connection.ensure_connection()
        params = connection.get_connection_params()
        name = params.pop("dbname")
        params.pop("cursor_factory", None)
        params.pop("context", None)
        # A database cannot be closed from a session inside it.
        with psycopg.connect(**params, dbname="postgres", autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            try:
                deadline = time.monotonic() + seconds
                while time.monotonic() < deadline:
                    admin.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = %s AND pid <> %s",
                        [name, connection.connection.info.backend_pid],
                    )
                    time.sleep(0.2)
            finally:
                admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    else:
        pytest.skip(f"no outage recipe for {connection.vendor}")


# serialized_rollback: see tests/test_social_workers.py.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_outlives_a_database_it_cannot_use_and_runs_the_next_task(worker):
    make_the_database_unusable_for_a_while(OUTAGE_SECONDS)
    time.sleep(WORKER_BUSY_TIMEOUT_SECONDS + 0.5)  # the worker's last wait ends

    log = worker.log_path.read_text(errors="replace")
    assert worker.poll() is None, log[-3000:]
    assert "Database error in worker_id=" in log, log[-3000:]

    result = record_that_the_worker_ran.enqueue()
    done = wait_for(
        lambda: DBTaskResult.objects.get(id=result.id).status == "SUCCESSFUL",
        timeout=30,
    )
    assert done, worker.log_path.read_text(errors="replace")[-3000:]


def start_supervisor(*commands: str) -> subprocess.Popen:
    # A session of its own stands for the terminal's foreground process group.
    return subprocess.Popen(
        [sys.executable, "-m", "config.supervise", *commands],
        cwd=BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def times_started(starts) -> int:
    """How many times the supervised command wrote its line to `starts` (a Path)."""
    return len(starts.read_text().splitlines()) if starts.exists() else 0


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_the_supervisor_restarts_a_command_that_dies_and_stops_all_quietly(tmp_path, stop_signal):
    starts = tmp_path / "starts"
    long_pid = tmp_path / "long.pid"
    # A Python child would print a KeyboardInterrupt traceback if Ctrl-C reached it.
    long_running = f"echo $$ > {long_pid}; exec {sys.executable} -c 'import time; time.sleep(60)'"
    supervisor = start_supervisor(f"echo started >> {starts}; exit 3", long_running)
    try:
        assert wait_for(lambda: times_started(starts) >= 2, timeout=15)
        assert wait_for(lambda: long_pid.exists() and long_pid.read_text().strip(), timeout=5)
        pid = int(long_pid.read_text())
        os.killpg(supervisor.pid, stop_signal)  # what Ctrl-C in a terminal does
        output, _ = supervisor.communicate(timeout=15)
    finally:
        if supervisor.poll() is None:
            os.killpg(supervisor.pid, signal.SIGKILL)
    assert supervisor.returncode == 0, output
    assert b"Traceback" not in output, output
    assert b"exited with status 3; restarting" in output
    assert wait_for(lambda: not process_exists(pid), timeout=5)


def test_the_supervisor_restarts_the_development_server_at_once_when_a_file_changed(tmp_path):
    """Status 3 after a healthy run is Django's autoreloader asking to be started again
    (config/start.py runs runserver as the reloader's child): no pause, no warning."""
    starts = tmp_path / "starts"
    reloading = f"echo started >> {starts}; sleep 1.2; exit 3"
    supervisor = start_supervisor(reloading)
    try:
        assert wait_for(lambda: times_started(starts) >= 3, timeout=4.5)
        # with the pauses of a dying command (1 s, then 2 s) the third start comes at 5.4 s
        os.killpg(supervisor.pid, signal.SIGTERM)
        output, _ = supervisor.communicate(timeout=15)
    finally:
        if supervisor.poll() is None:
            os.killpg(supervisor.pid, signal.SIGKILL)
    assert supervisor.returncode == 0, output
    assert b"restarting in" not in output, output
