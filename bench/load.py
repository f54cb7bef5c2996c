"""Readers' load while editors publish, on the default and on the scaled set-up, side by side.

    .venv/bin/python bench/load.py [--paths sqlite,scaled] [--seconds 60] [--rate 40]
                                   [--publish-every 5] [--workers 4]

One command runs both set-ups one after the other and stops everything it started:

- **sqlite**: the default (SQLite in WAL mode, the page cache in files, one `db_worker`);
- **scaled**: PostgreSQL (a scratch database `broadside_load_<pid>` on `--postgres`'s
  server, dropped afterwards), a Redis server of its own on a free port (the cache, the page
  cache and the RQ queue; nothing is shared with another Redis user) and two RQ workers
  (`rqworker --with-scheduler --job-class django_tasks_rq.Job`).

Both serve with gunicorn and production settings. Readers arrive at `--rate` requests a
second, evenly mixed over pages (home, letter list, a letter with 13 signatories, an
organization, the French letter list), feeds (RSS, Atom) and the API, while an editor
(this process) publishes a new letter every `--publish-every` seconds. The task workers
draw each letter's cards and post it to three accounts: a loopback Mastodon and a loopback
webhook receiver (tests/servers/, real HTTP, started here) and the console channel.

Prints, per set-up and kind, requests, errors (any answer but 200, or a failed connection),
p50 and p95 in ms, throughput, the load average, and whether every publication produced
exactly its deliveries: one `Delivery` per account and letter, all sent, and exactly one
post per letter received by each loopback server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

from stampede import (
    HOST,
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
    "organization": "/en/organizations/ccla/",
    "letter list (fr)": "/fr/lettres/",
    "feed (RSS)": "/en/feeds/letters.rss",
    "feed (Atom, fr)": "/fr/feeds/letters.atom",
    "API letters": "/api/v1/letters/?locale=en",
}
PATHS = {
    "sqlite": "SQLite, 1 db_worker",
    "scaled": "PostgreSQL + Redis, 2 RQ workers",
}
MASTODON_TOKEN = "bench-mastodon-token"
WEBHOOK_SECRET = "bench-webhook-secret"


def manage(env: dict[str, str], *command: str) -> None:
    """Run `manage.py command` with `env`; exit, showing its errors, if it fails."""
    done = subprocess.run(
        [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(command)} failed:\n{done.stderr}")


def psql(server_url: str, sql: str) -> None:
    subprocess.run(["psql", server_url, "-q", "-c", sql], check=True, capture_output=True)


def start_redis(folder: Path, stack: ExitStack) -> str:
    """A Redis server of our own on a free port (no persistence), stopped on exit; its URL."""
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"]
        + ["--dir", str(folder)],
        stdout=open(folder / "redis.log", "w"),
        stderr=subprocess.STDOUT,
    )
    stack.callback(stop, [process])
    wait_for_port(port, process)
    return f"redis://{HOST}:{port}/0"


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def warm_up(port: int, seconds: float = 300) -> None:
    """Every address answered once per gunicorn worker: its workers have imported the app
    (the run measures serving, not start-up) and the cached pages exist."""
    deadline = time.monotonic() + seconds
    for path in READS.values():
        while asyncio.run(fetch(port, path, "warm-up")).status != 200:
            if time.monotonic() > deadline:
                raise SystemExit(f"{path} did not answer 200 within {seconds:.0f} s")
            time.sleep(0.5)

    async def each_worker() -> None:
        await asyncio.gather(
            *(fetch(port, path, "warm-up") for path in READS.values() for _ in range(8))
        )

    asyncio.run(each_worker())


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


def deliveries(slugs: list[str], networks, seconds: float = 300) -> dict:
    """Wait (up to `seconds`) until every letter has exactly one sent delivery per account
    and each loopback server received exactly one post per letter; what was found."""
    from home.models import LetterPage
    from publishing.models import Delivery, DeliveryStatus, SocialAccount

    accounts = sorted(SocialAccount.objects.values_list("name", flat=True))
    deadline = time.monotonic() + seconds
    while True:
        found = {}
        for slug in slugs:
            letter = LetterPage.objects.get(slug=slug, locale__language_code="en")
            path = letter.get_url()
            rows = Delivery.objects.filter(page=letter).values_list("account__name", "status")
            unsent = Delivery.objects.filter(page=letter).exclude(status=DeliveryStatus.SENT)
            found[slug] = {
                "deliveries": sorted(rows),
                # Why a delivery is not sent yet: the network's error, tries, next try.
                "unsent": [
                    (d.account.name, d.status, d.error, d.attempts, str(d.next_attempt_at))
                    for d in unsent.select_related("account")
                ],
                "mastodon posts": sum(path in s["text"] for s in networks["mastodon"].statuses),
                "webhook posts": sum(
                    h["json"]["url"].endswith(path) for h in networks["webhook"].received
                ),
            }
        exact = all(
            [name for name, _ in got["deliveries"]] == accounts
            and all(status == DeliveryStatus.SENT for _, status in got["deliveries"])
            and got["mastodon posts"] == 1
            and got["webhook posts"] == 1
            for got in found.values()
        )
        if exact or time.monotonic() > deadline:
            # Deliveries that needed more than one attempt (a card not drawn yet, a refusal):
            # their retries went through the task backend's deferral.
            retried = Delivery.objects.filter(page__slug__in=slugs, attempts__gt=1).count()
            return {"exact": exact, "accounts": accounts, "found": found, "retried": retried}
        time.sleep(1)


def run_one(path: str, args) -> dict:
    """One set-up from scratch to teardown; its figures."""
    from tests.servers.mastodon import FakeMastodon
    from tests.servers.webhook import FakeWebhook

    folder = Path(tempfile.mkdtemp(prefix=f"broadside-load-{path}-"))
    env = environment(folder, page_cache=True)
    # The loopback stand-ins of the networks are the accounts' servers.
    env["BROADSIDE_OUTBOUND_ADDRESSES"] = "loopback"
    database = None
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, folder, ignore_errors=True)
        if path == "scaled":
            database = f"broadside_load_{os.getpid()}"
            psql(args.postgres, f"CREATE DATABASE {database}")
            stack.callback(psql, args.postgres, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            env["DATABASE_URL"] = urlsplit(args.postgres)._replace(path=f"/{database}").geturl()
            env.update(REDIS_URL=start_redis(folder, stack), TASK_BACKEND="rq")
        networks = {
            "mastodon": stack.enter_context(FakeMastodon(access_token=MASTODON_TOKEN)),
            "webhook": stack.enter_context(FakeWebhook(secret=WEBHOOK_SECRET)),
        }
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "collectstatic", "--no-input", "-v", "0")
        manage(env, "load_demo")
        for channel, name, url, credentials in (
            ("console", "console", None, None),
            ("mastodon", "mastodon", networks["mastodon"].url, {"access_token": MASTODON_TOKEN}),
            ("webhook", "webhook", networks["webhook"].url + "/hook", {"secret": WEBHOOK_SECRET}),
        ):
            command = ["social_accounts", "add", channel, "--name", name, "--locale", "en"]
            if url:
                command += ["--base-url", url, "--credentials-json", json.dumps(credentials)]
            manage(env, *command)
        setup_django(env)
        port = free_port()
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"{HOST}:{port}"]
                + ["--workers", str(args.workers), "--backlog", "4096"],
                cwd=ROOT,
                env=env,
                stdout=open(folder / "gunicorn.log", "w"),
                stderr=subprocess.STDOUT,
            )
        ]
        if path == "scaled":
            rq = ["rqworker", "default", "--with-scheduler", "--job-class", "django_tasks_rq.Job"]
            workers = [rq, rq]
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
        stack.callback(stop, processes)
        wait_for_port(port, processes[0])
        warm_up(port)
        results: list = []
        published: list[str] = []

        async def both():
            await asyncio.gather(readers(args, port, results), editor(args, published))

        load_before = os.getloadavg()
        started = time.perf_counter()
        asyncio.run(both())
        elapsed = time.perf_counter() - started
        load_after = os.getloadavg()
        delivered = deliveries(published, networks)
        kinds = {}
        for kind in [*READS, "all"]:
            chosen = [r for r in results if kind == "all" or r.kind == kind]
            times = sorted(r.ms for r in chosen)
            kinds[kind] = {
                "requests": len(chosen),
                "errors": sum(1 for r in chosen if r.status != 200),
                "p50": percentile(times, 0.5),
                "p95": percentile(times, 0.95),
            }
        if not delivered["exact"] or kinds["all"]["errors"]:
            for log in sorted(folder.glob("*.log")):
                print(
                    f"--- {log.name} (last lines)\n" + "\n".join(log.read_text().splitlines()[-30:])
                )
        from django.db import connections

        connections.close_all()  # before the scratch database is dropped
        return {
            "label": PATHS[path],
            "kinds": kinds,
            "throughput": len(results) / elapsed,
            "published": len(published),
            "deliveries": delivered,
            "load": [load_before, load_after],
        }


def print_side_by_side(args, reports: dict[str, dict]) -> None:
    print(
        f"\n{args.rate:.0f} reads/s for {args.seconds:.0f} s, gunicorn --workers {args.workers}, "
        f"page cache on, an editor publishing every {args.publish_every:.0f} s; "
        "posts to a loopback Mastodon, a loopback webhook and the console\n"
    )
    paths = list(reports)
    print(f"{'':26}" + "".join(f"{reports[p]['label']:>36}" for p in paths))
    print(f"{'kind':26}" + f"{'requests errors  p50 ms  p95 ms':>36}" * len(paths))
    for kind in [*READS, "all"]:
        cells = []
        for p in paths:
            k = reports[p]["kinds"][kind]
            cells.append(f"{k['requests']:>12} {k['errors']:>6} {k['p50']:>7.1f} {k['p95']:>7.1f}")
        print(f"{kind:26}" + "".join(f"{cell:>36}" for cell in cells))
    print()
    for p in paths:
        report = reports[p]
        delivered = report["deliveries"]
        before, after = ("/".join(f"{v:.1f}" for v in load) for load in report["load"])
        print(
            f"{report['label']}: {report['throughput']:.1f} answered requests/s; "
            f"{report['published']} letters published, each with exactly one sent delivery "
            f"per account ({', '.join(delivered['accounts'])}) and one post on each loopback "
            f"server: {'yes' if delivered['exact'] else 'NO'} ({delivered['retried']} of them "
            f"after a retry); load average {before} before, "
            f"{after} after"
        )
        if not delivered["exact"]:
            print(json.dumps(delivered["found"], indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paths", default="sqlite,scaled", help="sqlite, scaled, or both")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=40, help="reader requests a second")
    parser.add_argument("--publish-every", type=float, default=5)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server (URL of any database on it): the scratch database goes there",
    )
    parser.add_argument("--report", help=argparse.SUPPRESS)  # one set-up, figures as JSON
    args = parser.parse_args()

    paths = args.paths.split(",")
    if unknown := set(paths) - set(PATHS):
        parser.error(f"unknown paths: {', '.join(sorted(unknown))}")
    if args.report:
        [path] = paths
        Path(args.report).write_text(json.dumps(run_one(path, args)))
        return
    # Each set-up in a process of its own: Django is set up once per process.
    reports = {}
    with tempfile.TemporaryDirectory(prefix="broadside-load-") as folder:
        for path in paths:
            report = Path(folder) / f"{path}.json"
            command = [sys.executable, __file__, *sys.argv[1:], "--paths", path]
            subprocess.run([*command, "--report", str(report)], check=True)
            reports[path] = json.loads(report.read_text())
    print_side_by_side(args, reports)
    if any(r["kinds"]["all"]["errors"] or not r["deliveries"]["exact"] for r in reports.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
