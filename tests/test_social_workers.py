"""Real task workers (database and RQ backends), killed with SIGKILL mid-send.

Each network stalls its first create-post request after acting on it, so a
worker is killed while the post exists and its answer has not arrived. After
every kill, `resume_deliveries` runs (as cron would) and a new worker starts.
At the end nothing is lost, Mastodon and Bluesky have exactly one post each
(Idempotency-Key, stored record key), and X's delivery waits for a person.

Then RQ's scheduler with retries due at any fraction of a second: each is run once due.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from publishing.models import Delivery, DeliveryStatus
from publishing.social import tasks as social_tasks
from tests.social import MASTODON_TOKEN, add_account, add_accounts, start_networks

BASE_DIR = Path(__file__).resolve().parent.parent
BACKENDS = {
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
}
FINAL = {DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.UNCONFIRMED}
STALL_SECONDS = 60

# serialized_rollback: the flush after a transactional test would take the data
# migrations made (root page, root collection, groups) from the tests after it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def worker_command(backend: str) -> list[str]:
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    if backend == "database":
        return [*manage, "db_worker", "--interval", "0.1", "--no-startup-delay"]
    return [
        *manage,
        "rqworker",
        "default",
        "--with-scheduler",
        "--job-class",
        "django_tasks_rq.Job",
    ]


def start_worker(backend: str, log) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "BROADSIDE_WORKER_DATABASE_NAME": connection.settings_dict["NAME"],
        # Workers share the site's storage (share cards), as in production.
        "BROADSIDE_WORKER_MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
        "TASK_BACKEND": backend,
    }
    # A session of its own: SIGKILL goes to the whole group, so RQ's scheduler
    # child dies with its worker, as on a crashed machine.
    return subprocess.Popen(
        worker_command(backend),
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def kill(worker: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    try:
        os.killpg(worker.pid, sig)
    except ProcessLookupError:
        return


def wait_for(condition, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


REDIS_DATABASES = range(1, 16)  # 0 is the development default; each run claims one of these
CLAIM_KEY = "broadside:test-run"


def claim_redis_database(base_url: str) -> tuple[str, object]:
    """A Redis database of this run's own, as (URL, connection); skips the test when Redis
    is unreachable or every database is taken.

    RQ names its keys after the queue ("default": the tasks' queue), so two runs sharing a
    database empty and take each other's jobs, and one run's scheduler may move the other's
    deferred jobs to its own worker. A claim is an atomic SET NX with an expiry.
    """
    import redis

    base = base_url.rstrip("/").rsplit("/", 1)[0] if base_url.count("/") > 2 else base_url
    try:
        redis.Redis.from_url(base, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        pytest.skip(f"Redis is not reachable at {base}: {error}")
    token = f"{os.getpid()}:{time.time_ns()}"
    for database in REDIS_DATABASES:
        client = redis.Redis.from_url(f"{base}/{database}")
        if client.set(CLAIM_KEY, token, nx=True, ex=3600):
            # Ours now: empty it of what an earlier run left (the worker's Django cache lives
            # here too, and Wagtail caches site ids in it: another run's would not exist).
            client.flushdb()
            client.set(CLAIM_KEY, token, ex=3600)
            return f"{base}/{database}", client
    pytest.skip(f"Every Redis database {REDIS_DATABASES} at {base} is claimed by another run")


@pytest.fixture
def real_backend(request, settings, monkeypatch):
    backend = request.param
    settings.TASKS = {"default": BACKENDS[backend]}
    if backend == "rq":
        import django_rq

        url, client = claim_redis_database(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379")
        settings.RQ_QUEUES = {"default": {"URL": url}}
        monkeypatch.setenv("REDIS_URL", url)  # the worker's settings build RQ_QUEUES from it
        queue = django_rq.get_queue("default")
        queue.empty()
        yield backend
        client.flushdb()  # its jobs, its cache entries and the claim
        return
    yield backend


@pytest.mark.parametrize("real_backend", ["database", "rq"], indirect=True)
def test_a_killed_worker_loses_nothing_and_doubles_nothing(
    real_backend, tree, make_letter, translate, tmp_path
):
    with ExitStack() as stack:
        networks = start_networks(stack)
        add_accounts(networks)
        stalled = {
            "x": (networks.x, "/2/tweets", lambda: len(networks.x.tweets)),
            "mastodon": (
                networks.mastodon,
                "/api/v1/statuses",
                lambda: len(networks.mastodon.statuses),
            ),
            "bluesky": (networks.bluesky, "createRecord", lambda: len(networks.bluesky.post_list)),
        }
        for server, path, _count in stalled.values():
            server.stall_next(STALL_SECONDS, path=path)

        letter = make_letter("killed", title="A letter that survives its worker")
        translate(letter, "fr", {"A letter that survives its worker": "Une lettre qui survit"})
        assert Delivery.objects.count() == 4

        log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115
        stack.callback(log.close)
        kills = 0
        for _cycle in range(len(stalled) + 2):
            before = {name: count() for name, (_server, _path, count) in stalled.items()}
            worker = start_worker(real_backend, log)
            stack.callback(kill, worker)
            held = wait_for(lambda b=before: all_final() or post_held(stalled, b))
            assert held, (tmp_path / "worker.log").read_text(errors="replace")[-3000:]
            if all_final():
                kill(worker, signal.SIGTERM)
                worker.wait(20)
                break
            time.sleep(0.3)  # the worker is inside the stalled request
            kill(worker)
            worker.wait(10)
            kills += 1
            social_tasks.resume_deliveries(stale_after=0)

        statuses = dict(Delivery.objects.values_list("account__name", "status"))
        assert kills == 3, statuses
        assert statuses == {
            "x-en": DeliveryStatus.UNCONFIRMED,  # no duplicate protection: a person checks
            "mastodon-en": DeliveryStatus.SENT,
            "bluesky-fr": DeliveryStatus.SENT,
            "webhook-fr": DeliveryStatus.SENT,
        }
        assert len(networks.x.tweets) == 1
        assert len(networks.mastodon.statuses) == 1
        assert len(networks.bluesky.post_list) == 1
        assert len(networks.webhook.received) == 1


def all_final() -> bool:
    return all(status in FINAL for status in Delivery.objects.values_list("status", flat=True))


def post_held(stalled, before) -> bool:
    """A stalled network has acted on a post and is holding its answer back."""
    return any(
        count() > before[name] and server.pending_faults == 0
        for name, (server, _path, count) in stalled.items()
    )


def rq_worker_ready(timeout: float = 60.0) -> bool:
    """Whether an RQ worker registered with Redis (it has set up its scheduler by then)."""
    import django_rq
    from rq import Worker

    connection = django_rq.get_connection("default")
    return wait_for(lambda: bool(Worker.all(connection=connection)), timeout)


def scheduled_for(delivery_id: int) -> float:
    """When RQ will release the deferred `deliver` job of `delivery_id` (a POSIX time)."""
    import django_rq
    from rq.registry import ScheduledJobRegistry

    queue = django_rq.get_queue("default")
    registry = ScheduledJobRegistry(queue=queue)
    (job_id,) = [
        job.id
        for job in queue.job_class.fetch_many(registry.get_job_ids(), connection=queue.connection)
        if job is not None and list(job.args) == [delivery_id]
    ]
    return registry.connection.zscore(registry.key, job_id)


def due_at(seconds: float) -> datetime:
    """A retry time `seconds` from the next whole second, as `_retry_later` returns it."""
    return datetime.fromtimestamp(math.floor(time.time()) + 1 + seconds, UTC)


@pytest.mark.parametrize("real_backend", ["rq"], indirect=True)
def test_rq_never_releases_a_retry_before_it_is_due(real_backend):
    """RQ keeps a deferred job's time in whole seconds, dropping the fraction: the job of a
    retry due at s.999 must be released at s+1, not at s (when the claim would refuse it)."""
    due = due_at(2.999)
    social_tasks.enqueue_delivery(424242, due)

    assert scheduled_for(424242) >= due.timestamp()


@pytest.mark.parametrize("real_backend", ["rq"], indirect=True)
def test_rq_runs_every_retry_once_it_is_due(real_backend, tree, make_letter, tmp_path):
    """Retries due at any fraction of a second are run by RQ's scheduler and claimed.

    Before `enqueue_delivery` rounded up, RQ's scheduler released a retry in the whole second
    it was due in, the claim refused it as not yet due, and the delivery stayed "retrying"
    until `resume_deliveries` ran (issue 14's scaled bench: 2 of 6 Mastodon deliveries)."""
    fractions = [0.999, 0.199, 0.399, 0.599, 0.799]
    with ExitStack() as stack:
        networks = start_networks(stack)
        for n in range(len(fractions)):
            credentials = {"access_token": MASTODON_TOKEN}
            add_account("mastodon", f"mastodon-{n}", ["en"], networks.mastodon.url, credentials)
        make_letter("early", title="A letter retried on the second")
        ids = sorted(Delivery.objects.values_list("pk", flat=True))
        assert len(ids) == len(fractions)
        # As first attempts that failed retryably leave them; the publish's own tasks,
        # run when the worker starts, find them not due.
        Delivery.objects.update(
            status=DeliveryStatus.RETRYING, attempts=1, next_attempt_at=due_at(3600), error="503"
        )
        log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115
        stack.callback(log.close)
        worker = start_worker(real_backend, log)
        stack.callback(kill, worker)
        assert rq_worker_ready(), (tmp_path / "worker.log").read_text(errors="replace")[-3000:]
        time.sleep(1)  # the publish's tasks have run

        for n, (delivery_id, fraction) in enumerate(zip(ids, fractions, strict=True)):
            due = due_at(2 + n + fraction)
            Delivery.objects.filter(pk=delivery_id).update(next_attempt_at=due)
            social_tasks.enqueue_delivery(delivery_id, due)

        sent = wait_for(
            lambda: set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT},
            30,
        )
        kill(worker, signal.SIGTERM)
        worker.wait(20)
        rows = list(Delivery.objects.values_list("status", "attempts", "next_attempt_at"))
        assert sent, rows
        assert len(networks.mastodon.statuses) == len(fractions)
