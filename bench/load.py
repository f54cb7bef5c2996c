"""Readers' load while editors publish: pages, feeds and the API, with workers posting.

    .venv/bin/python bench/load.py [--seconds 60] [--rate 40] [--publish-every 5]
    .venv/bin/python bench/load.py --postgres postgres://postgres@127.0.0.1:5432/postgres \\
        --redis redis://127.0.0.1:6379/13          # PostgreSQL + Redis cache + 2 RQ workers

Readers arrive at `--rate` requests a second (evenly mixed over the home page, the letter
list, two demo letters, the language's feed and the API's letter list) while an editor
publishes a new letter every `--publish-every` seconds; the task workers (one `db_worker`,
or two RQ workers) draw cards and post to a console account. Prints, per kind, requests,
errors, throughput and p50/p95; then whether every publication produced exactly one
delivery per account, all sent.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from stampede import (
    ROOT,
    environment,
    fetch,
    free_port,
    percentile,
    publish_letter,
    setup_django,
    wait_for_port,
)

READS = {
    "home": "/en/",
    "letter list": "/en/letters/",
    "letter (13 signatories)": "/en/letters/private-messaging-russia/",
    "letter list (fr)": "/fr/lettres/",
    "feed": "/en/feeds/letters.rss",
    "API letters": "/api/v1/letters/?locale=en",
}


def manage(env: dict[str, str], *command: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(command)} failed:\n{done.stderr}")


def scratch_postgres(url: str) -> str:
    """A new database beside the one `url` names; its URL."""
    name = f"broadside_load_{os.getpid()}"
    parts = urlsplit(url)
    subprocess.run(
        ["psql", url, "-q", "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True
    )
    return parts._replace(path=f"/{name}").geturl()


async def readers(args, port: int, results: list) -> None:
    kinds = list(READS.items())
    start = time.perf_counter()
    tasks = []
    for n in range(int(args.seconds * args.rate)):
        kind, path = kinds[n % len(kinds)]
        delay = start + n / args.rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(fetch(port, path, kind)))
    results.extend(await asyncio.gather(*tasks))


async def editor(args, published: list[str]) -> None:
    deadline = time.perf_counter() + args.seconds
    n = 0
    while time.perf_counter() + args.publish_every < deadline:
        await asyncio.sleep(args.publish_every)
        n += 1
        slug = f"load-{n}"
        await asyncio.to_thread(publish_letter, slug, f"Letter published under load {n}")
        published.append(slug)


def check_deliveries(slugs: list[str], seconds: float = 300) -> tuple[bool, dict]:
    """Exactly one delivery per account and letter, all sent (waits for the workers)."""
    from home.models import LetterPage
    from publishing.models import Delivery, DeliveryStatus, SocialAccount

    accounts = set(SocialAccount.objects.values_list("pk", flat=True))
    deadline = time.monotonic() + seconds
    while True:
        found = {}
        for slug in slugs:
            letter = LetterPage.objects.get(slug=slug, locale__language_code="en")
            found[slug] = list(
                Delivery.objects.filter(page=letter).values_list("account_id", "status")
            )
        exact = all(
            sorted(a for a, _s in rows) == sorted(accounts)
            and all(s == DeliveryStatus.SENT for _a, s in rows)
            for rows in found.values()
        )
        if exact or time.monotonic() > deadline:
            return exact, found
        time.sleep(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=40, help="reader requests a second")
    parser.add_argument("--publish-every", type=float, default=5)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--postgres", help="a PostgreSQL URL: a scratch database is made beside")
    parser.add_argument("--redis", help="a Redis URL (cache and RQ queue) for the PostgreSQL run")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="broadside-load-"))
    env = environment(folder, page_cache=True)
    label = "SQLite, db_worker"
    if args.postgres:
        env["DATABASE_URL"] = scratch_postgres(args.postgres)
        label = "PostgreSQL, 1 db_worker"
        if args.redis:
            env.update(REDIS_URL=args.redis, TASK_BACKEND="rq")
            subprocess.run(["redis-cli", "-u", args.redis, "flushdb"], capture_output=True)
            label = "PostgreSQL + Redis, 2 RQ workers"
    processes = []
    try:
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "collectstatic", "--no-input", "-v", "0")
        manage(env, "load_demo")
        manage(env, "social_accounts", "add", "console", "--name", "Console", "--locale", "en")
        setup_django(env)
        port = free_port()
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}"]
                + ["--workers", str(args.workers), "--backlog", "4096"],
                cwd=ROOT,
                env=env,
                stdout=open(folder / "gunicorn.log", "w"),
                stderr=subprocess.STDOUT,
            )
        )
        if env.get("TASK_BACKEND") == "rq":
            worker = ["rqworker", "default", "--with-scheduler", "--job-class"]
            workers = [worker + ["django_tasks_rq.Job"]] * 2
        else:
            workers = [["db_worker"]]
        for n, command in enumerate(workers):
            processes.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", *command],
                    cwd=ROOT,
                    env=env,
                    stdout=open(folder / f"worker-{n}.log", "w"),
                    stderr=subprocess.STDOUT,
                )
            )
        wait_for_port(port, processes[0])
        results: list = []
        published: list[str] = []

        async def both():
            await asyncio.gather(readers(args, port, results), editor(args, published))

        started = time.perf_counter()
        asyncio.run(both())
        elapsed = time.perf_counter() - started
        exact, found = check_deliveries(published)

        print(
            f"\n{label}: {args.rate:.0f} reads/s for {args.seconds:.0f} s, gunicorn --workers "
            f"{args.workers}, page cache on; {len(published)} letters published meanwhile\n"
        )
        print(f"{'kind':26} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8}")
        for kind in [*READS, None]:
            chosen = [r for r in results if kind is None or r.kind == kind]
            times = sorted(r.ms for r in chosen)
            errors = sum(1 for r in chosen if r.status != 200)
            print(
                f"{kind or 'all':26} {len(chosen):>8} {errors:>6} "
                f"{percentile(times, 0.5):>8.1f} {percentile(times, 0.95):>8.1f}"
            )
        print(f"\nthroughput: {len(results) / elapsed:.1f} answered requests/s")
        print(f"every publication produced exactly its deliveries, all sent: {exact}")
        if not exact:
            print(found)
        print("load average: " + "/".join(f"{value:.1f}" for value in os.getloadavg()))
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
