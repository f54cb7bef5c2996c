"""The stampede a post brings: crawlers and readers fetching a new letter and its card.

    .venv/bin/python bench/stampede.py [--requests 2000] [--clients 200] [--seconds 60]
                                       [--workers 4] [--modes on,off]

On the default set-up (SQLite, gunicorn with production settings, `manage.py db_worker`),
once with the page cache on and once with it off, side by side:

1. an editor publishes a new letter; the worker draws its card and posts it (console
   account); the run starts once the delivery is sent;
2. `--requests` requests (half to the letter page, half to its `og:image`) arrive within
   `--seconds`, front-loaded as a fan-out is (arrival times exponential, mean a tenth of
   the window), from at most `--clients` open connections;
3. meanwhile the editor publishes another letter, from a process of its own (the worker
   draws and posts it): the very next request for the letter list must show it.

Prints errors (non-200 or failed connections), p50/p95/max in ms per kind, and whether
the first request after the publish showed the new content. The floor: the same page read
from the cache file in-process (no HTTP), printed below. The goal (issue 14) is zero
errors and p95 <= 50 ms with the cache on, on a 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def environment(folder: Path, page_cache: bool) -> dict[str, str]:
    """Production settings as docs/deploy.md lists them, on plain HTTP on loopback."""
    return {
        **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "CSRF_TRUSTED_ORIGINS": f"http://{HOST}",
        "BROADSIDE_BASE_URL": f"http://{HOST}",
        "BROADSIDE_CREDENTIAL_KEYS": "yZ3n1bq2S6o9gq2l4Jt6qVJ8lFh0k2m4n6p8r0t2v4w=",
        "BROADSIDE_SSL_REDIRECT": "0",
        "INSECURE_COOKIES": "1",
        "DATABASE_URL": f"sqlite:///{folder}/db.sqlite3",
        "MEDIA_ROOT": str(folder / "media"),
        "STATIC_ROOT": str(folder / "static"),
        "BROADSIDE_PAGE_CACHE_DIR": str(folder / "page-cache"),
        "BROADSIDE_PAGE_CACHE": "1" if page_cache else "0",
        "LOG_LEVEL": "WARNING",
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn stopped while starting")
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


# -- the editor (this process, Django set up on the same database) -----------------------------
def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def publish_letter(slug: str, title: str) -> str:
    """A new English letter signed by three demo organizations; the letter list's path."""
    from wagtail.models import Locale

    from home.models import LetterIndexPage, LetterPage, LetterSignatory, OrganizationPage

    english = Locale.objects.get(language_code="en")
    index = LetterIndexPage.objects.get(locale=english)
    organizations = list(OrganizationPage.objects.filter(locale=english).order_by("pk")[:3])
    letter = LetterPage(
        title=title,
        slug=slug,
        standfirst="A letter the whole fediverse is fetching.",
        body=[
            {"type": "paragraph", "value": "<p>We ask four companies to keep messages private.</p>"}
        ],
    )
    letter.signatories = [LetterSignatory(organization=org) for org in organizations]
    index.add_child(instance=letter)
    letter.save_revision().publish()
    return index.url


def publish_in_another_process(slug: str, title: str) -> str:
    """`publish_letter` run by a separate process, as an editor's request is: in a thread of
    this one, publishing would hold the readers' event loop (the GIL) and inflate their times.
    """
    done = subprocess.run(
        [sys.executable, __file__, "--publish", slug, title],
        cwd=ROOT,
        env=os.environ.copy(),  # setup_django() put the run's settings there
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"publishing {slug} failed:\n{done.stderr}")
    return done.stdout.strip().splitlines()[-1]


def wait_until_posted_and_drawn(slug: str, seconds: float = 180) -> None:
    from home.models import LetterPage
    from publishing.models import Delivery, DeliveryStatus, ShareImage

    letter = LetterPage.objects.get(slug=slug, locale__language_code="en")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sent = Delivery.objects.filter(page=letter, status=DeliveryStatus.SENT).exists()
        drawn = ShareImage.objects.filter(page=letter, variant="og", stale=False).exists()
        if sent and drawn:
            return
        time.sleep(0.5)
    raise SystemExit(f"the worker did not post {slug} with its card in {seconds:.0f} s")


def deliveries_of(slug: str) -> list[str]:
    from home.models import LetterPage
    from publishing.models import Delivery

    letter = LetterPage.objects.get(slug=slug, locale__language_code="en")
    return list(Delivery.objects.filter(page=letter).values_list("status", flat=True))


# -- the readers (asyncio, one connection per request, as crawlers do) ---------------------------
@dataclass
class Result:
    kind: str
    started: float
    ms: float
    status: int  # 0: the connection failed
    body: bytes = b""


@dataclass
class Run:
    page: str = ""
    results: list[Result] = field(default_factory=list)
    first_after_publish: bool | None = None
    deliveries: dict[str, list[str]] = field(default_factory=dict)
    floor: float | None = None
    alone: list[Result] = field(default_factory=list)


async def fetch(port: int, path: str, kind: str, keep_body: bool = False) -> Result:
    started = time.perf_counter()
    try:
        reader, writer = await asyncio.open_connection(HOST, port)
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nUser-Agent: Mastodon/4.3 (stampede)\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        await writer.drain()
        answer = await reader.read()
        writer.close()
        status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
    except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
        answer, status = b"", 0
    ms = (time.perf_counter() - started) * 1000
    return Result(kind, started, ms, status, answer if keep_body else b"")


def og_image_path(page: bytes) -> str:
    marker = b'property="og:image" content="'
    start = page.index(marker) + len(marker)
    url = page[start : page.index(b'"', start)].decode()
    return "/" + url.split("/", 3)[3]


async def stampede(args, port: int, page: str, image: str, slug: str, run: Run) -> None:
    rng = random.Random(14)
    pairs = args.requests // 2
    mean = args.seconds / 10
    arrivals = sorted(min(rng.expovariate(1 / mean), args.seconds * 0.98) for _ in range(pairs))
    limit = asyncio.Semaphore(args.clients)
    start = time.perf_counter()

    async def reader(at: float) -> None:
        await asyncio.sleep(max(0.0, start + at - time.perf_counter()))
        async with limit:
            run.results.append(await fetch(port, page, "page"))
        async with limit:
            run.results.append(await fetch(port, image, "og:image"))

    async def editor() -> None:
        # Another letter published mid-stampede (its card drawn and its post sent by the
        # worker meanwhile); the very next request for the letter list must show it.
        await asyncio.sleep(args.seconds * 0.2)
        title = f"Another letter, meanwhile {rng.randrange(10**6)}"
        index = await asyncio.to_thread(publish_in_another_process, f"{slug}-other", title)
        first = await fetch(port, index, "after publish", keep_body=True)
        run.first_after_publish = first.status == 200 and title.encode() in first.body

    await asyncio.gather(editor(), *(reader(at) for at in arrivals))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def summary(run: Run, kind: str | None) -> tuple[int, int, float, float, float]:
    chosen = [r for r in run.results if kind is None or r.kind == kind]
    times = [r.ms for r in chosen]
    errors = sum(1 for r in chosen if r.status != 200)
    return (
        len(chosen),
        errors,
        statistics.median(times),
        percentile(times, 0.95),
        max(times),
    )


def one_run(args, folder: Path, mode: str) -> Run:
    env = environment(folder, page_cache=mode == "on")
    os.environ["BROADSIDE_PAGE_CACHE"] = env["BROADSIDE_PAGE_CACHE"]
    port = free_port()
    log = open(folder / f"gunicorn-{mode}.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"{HOST}:{port}"]
        + ["--workers", str(args.workers), "--backlog", "4096"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker"],
        cwd=ROOT,
        env=env,
        stdout=open(folder / f"worker-{mode}.log", "w"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, server)
        slug = f"stampede-{mode}"
        publish_letter(slug, f"The letter everyone shares ({mode})")
        page = f"/en/letters/{slug}/"
        wait_until_posted_and_drawn(slug)
        first = asyncio.run(fetch(port, page, "warm-up", keep_body=True))
        image = og_image_path(first.body)
        run = Run(page=page)
        asyncio.run(stampede(args, port, page, image, slug, run))
        wait_until_posted_and_drawn(f"{slug}-other")
        run.deliveries = {
            slug: deliveries_of(slug),
            f"{slug}-other": deliveries_of(f"{slug}-other"),
        }
        # Service time without queueing: the same two addresses, one request at a time.
        for _ in range(args.sequential):
            for path, kind in ((page, "page, alone"), (image, "og:image, alone")):
                run.alone.append(asyncio.run(fetch(port, path, kind)))
        if mode == "on":
            asyncio.run(fetch(port, page, "floor"))  # stored under the current generation
            run.floor = floor_ms(page)
        return run
    finally:
        for process in (server, worker):
            process.send_signal(signal.SIGTERM)
        for process in (server, worker):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def prepare(folder: Path) -> None:
    env = environment(folder, page_cache=True)
    for command in (
        ["migrate", "--no-input", "-v", "0"],
        ["collectstatic", "--no-input", "-v", "0"],
        ["load_demo"],
        ["social_accounts", "add", "console", "--name", "Console", "--locale", "en"],
    ):
        done = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise SystemExit(f"manage.py {' '.join(command)} failed:\n{done.stderr}")
    setup_django(env)


def floor_ms(page: str) -> float | None:
    """A cached page read in-process from the file cache, no HTTP: the physical floor here."""
    from django.core.cache import caches
    from django.test import RequestFactory

    from page_cache.store import current_generation, page_key

    request = RequestFactory().get(page, HTTP_HOST=HOST)
    key = page_key(current_generation(), request)
    times = []
    for _ in range(200):
        started = time.perf_counter()
        stored = caches["pages"].get(key)
        times.append((time.perf_counter() - started) * 1000)
        if stored is None:
            return None
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--modes", default="on,off", help="page cache on, off, or both")
    parser.add_argument("--sequential", type=int, default=30, help="requests one at a time")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--publish", nargs=2, metavar=("SLUG", "TITLE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.publish:  # the editor's process (publish_in_another_process)
        setup_django({})
        print(publish_letter(*args.publish))
        return

    folder = Path(tempfile.mkdtemp(prefix="broadside-stampede-"))
    try:
        prepare(folder)
        runs, loads = {}, {}
        for mode in args.modes.split(","):
            runs[mode] = one_run(args, folder, mode)
            loads[mode] = "/".join(f"{value:.1f}" for value in os.getloadavg())
        print(
            f"\n{args.requests} requests (letter page + og:image) within {args.seconds:.0f} s, "
            f"at most {args.clients} connections, gunicorn --workers {args.workers}, SQLite\n"
        )
        header = f"{'page cache':11} {'kind':9} {'requests':>8} {'errors':>6} "
        print(header + f"{'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for mode, run in runs.items():
            for kind in ("page", "og:image", None):
                count, errors, p50, p95, worst = summary(run, kind)
                print(
                    f"{mode:11} {kind or 'all':9} {count:>8} {errors:>6} "
                    f"{p50:>8.1f} {p95:>8.1f} {worst:>8.1f}"
                )
        for mode, run in runs.items():
            for kind in ("page, alone", "og:image, alone"):
                times = [r.ms for r in run.alone if r.kind == kind]
                errors = sum(1 for r in run.alone if r.kind == kind and r.status != 200)
                print(
                    f"{mode:11} {kind:17} {len(times):>4} errors {errors}, "
                    f"p50 {statistics.median(times):.1f} ms, p95 {percentile(times, 0.95):.1f} ms"
                )
        print()
        for mode, run in runs.items():
            print(
                f"cache {mode}: the first request for the list after the editor's publish "
                "shows the new letter: "
                f"{'yes' if run.first_after_publish else 'NO'}; deliveries: {run.deliveries}"
            )
        if "on" in runs and runs["on"].floor is not None:
            print(
                f"floor (the page read from the file cache in-process): {runs['on'].floor:.2f} ms"
            )
        print(
            "load average during the runs: "
            + ", ".join(f"{m}: {load}" for m, load in loads.items())
        )
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    threading.current_thread().name = "stampede"
    main()
