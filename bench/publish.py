"""Publishing figures: what the pipeline adds to the editor's publish, and worker throughput.

    .venv/bin/python bench/publish.py [--repeat 7] [--deliveries 40] [--latency 0.1]

1. The editor's publish request (Wagtail's publish + commit, with the database
   task backend): without the social pipeline, then with 1 and 20 accounts.
   The obvious alternative — posting inline from the page_published handler —
   is measured too: its cost grows with every account and every slow network.
2. Deliveries per second through `db_worker` processes (1 and 4) against the
   loopback X, Mastodon, Bluesky and webhook servers answering after --latency
   seconds, from the publish until every delivery is sent.
"""

from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import sys
import time
from collections import Counter
from contextlib import ExitStack

from _setup import ROOT, count_queries, load_demo, setup_django

setup_django()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from wagtail.models import Locale  # noqa: E402
from wagtail.signals import page_published  # noqa: E402

from home.models import LetterIndexPage, LetterPage  # noqa: E402
from publishing.models import Delivery, DeliveryStatus, SocialAccount  # noqa: E402
from publishing.social import receivers, recording  # noqa: E402
from publishing.social import tasks as social_tasks  # noqa: E402

sys.path.insert(0, str(ROOT))
from tests.social import (  # noqa: E402
    BLUESKY_PASSWORD,
    MASTODON_TOKEN,
    WEBHOOK_SECRET,
    X_CREDENTIALS,
    start_networks,
)

FINAL = {
    DeliveryStatus.SENT,
    DeliveryStatus.FAILED,
    DeliveryStatus.UNCONFIRMED,
    DeliveryStatus.SKIPPED,
}
counter = itertools.count()


def new_draft() -> LetterPage:
    english = Locale.objects.get(language_code="en")
    index = LetterIndexPage.objects.get(locale=english)
    number = next(counter)
    letter = LetterPage(
        title=f"Bench letter {number} {time.time_ns()}",
        slug=f"bench-{number}-{time.time_ns()}",
        standfirst="A standfirst long enough to look like a real one, asking for something.",
        body=[{"type": "paragraph", "value": "<p>Body.</p>"}],
    )
    index.add_child(instance=letter)
    return letter


def publish(letter: LetterPage) -> None:
    with transaction.atomic():
        letter.save_revision().publish()


def set_accounts(networks, count: int, channels=("mastodon",)) -> None:
    Delivery.objects.all().delete()
    SocialAccount.objects.all().delete()
    english = Locale.objects.get(language_code="en")
    settings_for = {
        "x": (networks.x.url, X_CREDENTIALS),
        "mastodon": (networks.mastodon.url, {"access_token": MASTODON_TOKEN}),
        "bluesky": (
            networks.bluesky.url,
            {"handle": "broadside.test", "app_password": BLUESKY_PASSWORD},
        ),
        "webhook": (networks.webhook.url + "/hook", {"secret": WEBHOOK_SECRET}),
    }
    for number, channel in zip(range(count), itertools.cycle(channels), strict=False):
        base_url, credentials = settings_for[channel]
        # X refuses identical texts, even from different accounts of one user here.
        account = SocialAccount(
            name=f"{channel}-{number}",
            channel=channel,
            base_url=base_url,
            post_template=f"{{title}} ({number})\n\n{{url}}",
        )
        account.credentials = credentials
        account.save()
        account.locales.set([english])


def time_publish() -> tuple[float, int]:
    letter = new_draft()
    start = time.perf_counter()
    queries = count_queries(lambda: publish(letter))
    return (time.perf_counter() - start) * 1000, queries


def publish_request_figures(networks, repeat: int) -> None:
    print("Editor's publish request (Wagtail publish + commit; median of", repeat, "runs each,")
    print("  the three set-ups interleaved so that drift affects them alike)")
    configs = {"without the social pipeline": 0, "with  1 account": 1, "with 20 accounts": 20}
    times: dict[str, list[float]] = {name: [] for name in configs}
    queries: dict[str, int] = {}
    for _ in range(repeat):
        for name, count in configs.items():
            set_accounts(networks, count)
            if not count:
                page_published.disconnect(dispatch_uid="social-published")
            time_publish()  # untimed: absorbs the set-up's writes (SQLite WAL checkpoints)
            elapsed, queries[name] = time_publish()
            times[name].append(elapsed)
            page_published.connect(receivers.on_page_published, dispatch_uid="social-published")
    baseline = sorted(times["without the social pipeline"])[repeat // 2]
    base_queries = queries["without the social pipeline"]
    without = baseline
    for name in configs:
        median = sorted(times[name])[repeat // 2]
        print(
            f"  {name:28s} {median:7.1f} ms  {queries[name]} queries"
            f"  (+{median - baseline:.1f} ms, +{queries[name] - base_queries} queries)"
        )
    # The pipeline's own work in the request, alone: recording deliveries, many times.
    letter = new_draft()
    page_published.disconnect(dispatch_uid="social-published")
    publish(letter)
    for count in (1, 20):
        set_accounts(networks, count)
        times = []
        for _ in range(repeat * 10):
            with transaction.atomic():
                start = time.perf_counter()
                ids = recording.record_deliveries(letter.pk)
                times.append((time.perf_counter() - start) * 1000)
                transaction.set_rollback(True)
        times.sort()
        print(
            f"  recording the deliveries alone, {count:2d} account(s): "
            f"{times[len(times) // 2]:.2f} ms ({len(ids)} rows)"
        )
    # The obvious alternative: post from the signal handler, inside the request.
    set_accounts(networks, 20, channels=("mastodon", "bluesky", "x", "webhook"))
    with transaction.atomic():
        ids = recording.record_deliveries(letter.pk)
    start = time.perf_counter()
    for delivery_id in ids:
        social_tasks.deliver.call(delivery_id)
    inline = (time.perf_counter() - start) * 1000
    page_published.connect(receivers.on_page_published, dispatch_uid="social-published")
    print(
        f"  posting inline instead (20 accounts, {networks.mastodon.latency * 1000:.0f} ms "
        f"network latency): +{inline:.0f} ms, {inline / max(without, 1):.0f}× the whole publish"
    )


def start_workers(count: int) -> list[subprocess.Popen]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev", "LOG_LEVEL": "WARNING"}
    command = [
        sys.executable,
        str(ROOT / "manage.py"),
        "db_worker",
        "--interval",
        "0.05",
        "--no-startup-delay",
    ]
    return [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for _ in range(count)
    ]


def throughput_figures(networks, deliveries: int) -> None:
    print(
        f"Worker throughput: {deliveries} deliveries (X, Mastodon, Bluesky, webhook in turn), "
        f"servers answering after {networks.mastodon.latency * 1000:.0f} ms"
    )
    from django_tasks_db.models import DBTaskResult

    for workers in (1, 4):
        set_accounts(networks, deliveries, channels=("mastodon", "bluesky", "x", "webhook"))
        DBTaskResult.objects.all().delete()  # nothing left over from the request figures
        processes = start_workers(workers)
        try:
            # Let them start (Django import) so that only delivering is timed.
            time.sleep(3 + 2 * workers)
            letter = new_draft()
            start = time.perf_counter()
            publish(letter)
            while True:
                statuses = list(
                    Delivery.objects.filter(page=letter).values_list("status", flat=True)
                )
                if len(statuses) == deliveries and all(s in FINAL for s in statuses):
                    break
                if time.perf_counter() - start > 120:
                    summary = Counter(
                        Delivery.objects.filter(page=letter).values_list("status", "error")
                    )
                    raise SystemExit(f"Timed out waiting for deliveries: {summary}")
                time.sleep(0.02)
            elapsed = time.perf_counter() - start
            sent = sum(1 for s in statuses if s == DeliveryStatus.SENT)
            print(
                f"  {workers} worker(s): {elapsed:6.2f} s, {deliveries / elapsed:5.1f} deliveries/s"
                f" ({sent}/{deliveries} sent)"
            )
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(20)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--deliveries", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--skip-request", action="store_true", help="Only the worker figures.")
    parser.add_argument("--skip-workers", action="store_true", help="Only the request figures.")
    args = parser.parse_args()
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    load_demo()
    with ExitStack() as stack:
        networks = start_networks(stack)
        for server in (networks.x, networks.mastodon, networks.bluesky, networks.webhook):
            server.latency = args.latency
        # Every run creates fresh accounts, hence fresh Bluesky sessions.
        networks.bluesky.max_session_creations = 10_000
        if not args.skip_request:
            publish_request_figures(networks, args.repeat)
        if not args.skip_workers:
            throughput_figures(networks, args.deliveries)


if __name__ == "__main__":
    main()
