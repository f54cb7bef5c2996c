"""Real workers killed between Instagram's and Threads' two steps: nothing published twice.

Instagram stalls its publish request after publishing (the worker dies waiting for the
answer); Threads keeps the container IN_PROGRESS (the worker dies between the container
and the publish). After each kill `resume_deliveries` runs, as cron would,
and a new worker finds the container id stored in the delivery: PUBLISHED means sent,
FINISHED is published now. Each network ends with exactly one post and one container.
"""

from __future__ import annotations

import signal
import time
from contextlib import ExitStack

import pytest
from wagtail.models import Site

from publishing.models import Delivery, DeliveryStatus
from publishing.social import tasks as social_tasks
from tests import test_social_workers
from tests.servers.instagram import FakeInstagram
from tests.servers.threads import FakeThreads
from tests.social import add_account
from tests.test_social_workers import STALL_SECONDS, all_final, kill, start_worker, wait_for

real_backend = test_social_workers.real_backend  # the fixture: database or RQ workers

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize("real_backend", ["database"], indirect=True)
def test_a_worker_killed_between_the_two_steps_publishes_once(
    real_backend, tree, make_letter, translate, tmp_path
):
    Site.objects.filter(is_default_site=True).update(hostname="letters.example.org")
    with ExitStack() as stack:
        instagram = stack.enter_context(FakeInstagram(ig_user_id="1784", access_token="ig-t0ken"))
        threads = stack.enter_context(FakeThreads(user_id="7310", access_token="th-t0ken"))
        add_account(
            "instagram",
            "instagram-en",
            ["en"],
            instagram.url,
            {"ig_user_id": "1784", "access_token": "ig-t0ken"},
        )
        add_account(
            "threads",
            "threads-fr",
            ["fr"],
            threads.url,
            {"user_id": "7310", "access_token": "th-t0ken"},
        )
        instagram.stall_next(STALL_SECONDS, path="media_publish$")  # after publishing
        threads.containers.processing_polls = 1000  # the worker waits on the container
        letter = make_letter("killed", title="A letter that survives its worker")
        translate(letter, "fr", {"A letter that survives its worker": "Une lettre qui survit"})
        assert Delivery.objects.count() == 2

        log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115
        stack.callback(log.close)
        kills, killed_on = 0, set()
        for _cycle in range(4):
            worker = start_worker(real_backend, log)
            stack.callback(kill, worker)
            held = wait_for(lambda: all_final() or held_up(instagram, threads, killed_on))
            assert held, (tmp_path / "worker.log").read_text(errors="replace")[-3000:]
            if all_final():
                kill(worker, signal.SIGTERM)
                worker.wait(20)
                break
            time.sleep(0.3)  # the worker is inside the stalled request
            kill(worker)
            worker.wait(10)
            kills += 1
            killed_on.add(held_up(instagram, threads, killed_on))
            for container in threads.containers.items.values():  # processing ends meanwhile
                container["polls_left"], container["status"] = 0, "FINISHED"
            social_tasks.resume_deliveries(stale_after=0)

        statuses = dict(Delivery.objects.values_list("account__name", "status"))
        assert statuses == dict.fromkeys(statuses, DeliveryStatus.SENT), statuses
        assert killed_on == {"instagram", "threads"}, killed_on
        assert len(instagram.posts) == 1 and len(instagram.containers.items) == 1
        assert len(threads.posts) == 1 and len(threads.containers.items) == 1
        state = dict(Delivery.objects.values_list("account__name", "channel_state"))
        assert state["instagram-en"]["container_id"] == instagram.posts[0]["container"]
        assert state["threads-fr"]["container_id"] == threads.posts[0]["container"]


def held_up(instagram: FakeInstagram, threads: FakeThreads, killed_on: set[str]) -> str:
    """Which network a worker is held on ("" for none): inside Instagram's stalled publish
    (published already), or waiting on a Threads container before publishing."""
    if "instagram" not in killed_on and instagram.pending_faults == 0 and instagram.posts:
        return "instagram"
    waiting = any(c["status"] == "IN_PROGRESS" for c in threads.containers.items.values())
    return "threads" if "threads" not in killed_on and waiting else ""
