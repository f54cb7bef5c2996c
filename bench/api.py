"""API figures: requests per second and p95 latency under gunicorn, 4 concurrent clients.

    .venv/bin/python bench/api.py [--seconds 10] [--postgres postgres://postgres@127.0.0.1:5432/postgres]

For SQLite (a throw-away file) and, when --postgres is given, a scratch PostgreSQL
database: loads the demo plus 50 letters of 13 signatories, serves the site
with gunicorn (production settings, 2 workers: the machine has 2 cores), and
drives the letter list (50 items) and a letter detail from 4 client threads.
"cached" is the normal server (answers from the per-version cache); "built" is
the same server with a dummy cache (bench/bench_settings.py), so every request
builds its answer. Query counts are measured in-process for one built answer.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CLIENTS = 4


def prepare(env: dict) -> dict:
    """Migrate, load the demo and 50 letters; return the URLs and their query counts."""
    script = f"""
import sys, json
sys.path.insert(0, {str(ROOT / "bench")!r})
from _setup import setup_django, count_queries, load_demo
setup_django()
load_demo()
from feeds import make_letters
make_letters()
from django.core.cache import cache
from django.test import Client
from home.models import LetterPage
client = Client(HTTP_HOST="127.0.0.1")
letter = LetterPage.objects.get(slug="private-messaging-russia", locale__language_code="en")
urls = {{
    "list": "/api/v1/letters/?locale=en&limit=50",
    "detail": f"/api/v1/letters/{{letter.pk}}/",
}}
queries = {{}}
for name, url in urls.items():
    client.get(url)
    cache.clear()
    queries[name] = count_queries(lambda: client.get(url))
print(json.dumps({{"urls": urls, "queries": queries}}))
"""
    output = subprocess.run(
        [PYTHON, "-c", script], env=env, check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout
    import json

    return json.loads(output.strip().splitlines()[-1])


def drive(base: str, path: str, seconds: float) -> tuple[float, float, int]:
    latencies: list[float] = []
    errors = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client():
        session = requests.Session()
        while time.perf_counter() < deadline:
            url = base + path
            start = time.perf_counter()
            response = session.get(url, timeout=30)
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                if response.status_code == 200:
                    latencies.append(elapsed)
                else:
                    errors.append(response.status_code)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = time.perf_counter() - started
    if not latencies:
        raise RuntimeError(f"every request to {path} failed: {errors[:5]}")
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 20 else max(latencies)
    return len(latencies) / total, p95, len(errors)


def run(label: str, database_url: str, seconds: float) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on loopback, as bench/stampede.py: production redirects to HTTPS otherwise.
        "BROADSIDE_SSL_REDIRECT": "0",
        "INSECURE_COOKIES": "1",
        "LOG_LEVEL": "WARNING",
        "MEDIA_ROOT": tempfile.mkdtemp(prefix="broadside-bench-media-"),
        "STATIC_ROOT": tempfile.mkdtemp(prefix="broadside-bench-static-"),
    }
    prepared = prepare(env)
    print(f"\n{label}: gunicorn, 2 workers, {CLIENTS} concurrent clients, {seconds:.0f} s each")
    print(f"{'endpoint':24} {'queries':>8} {'req/s':>8} {'p95 ms':>8} {'errors':>7}")
    for mode, settings_module in (
        ("built", "bench_settings"),
        ("cached", "config.settings.production"),
    ):
        with serve({**env, "DJANGO_SETTINGS_MODULE": settings_module}) as base:
            for name, path in prepared["urls"].items():
                rps, p95, errors = drive(base, path, seconds)
                queries = prepared["queries"][name] if mode == "built" else 1
                label_ = f"{name} ({mode})"
                print(f"{label_:24} {queries:>8} {rps:>8.1f} {p95:>8.1f} {errors:>7}")


@contextmanager
def serve(env: dict):
    port = 8700 + (os.getpid() % 200)
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "config.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env={**env, "PYTHONPATH": str(ROOT / "bench")},
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(base + "/api/openapi.json", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def scratch_postgres(url: str) -> tuple[str, str]:
    """Create a scratch database next to the one in `url`; return (its URL, its name)."""
    import psycopg

    name = f"broadside_bench_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}")), name


def drop_postgres(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--postgres", help="URL of an existing PostgreSQL database to work beside")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="broadside-bench-")
    run("SQLite", f"sqlite:///{folder}/db.sqlite3", args.seconds)
    if args.postgres:
        url, name = scratch_postgres(args.postgres)
        try:
            run("PostgreSQL", url, args.seconds)
        finally:
            drop_postgres(args.postgres, name)


if __name__ == "__main__":
    main()
