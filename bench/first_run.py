"""`make run` on a fresh clone: seconds to the first page, then again on the second run.

    python3 bench/first_run.py [--repo PATH] [--port 19180] [--keep]

Clones PATH (default: this repository; commit first, a clone takes the last commit) into a
temporary folder, runs `make run PORT=…` there in a process group of its own, and times until
GET / answers 200 (redirects followed). It then stops the run as a terminal's Ctrl-C does
(SIGINT to the group), and does it again in the same clone (the second run). Prints, for each
run, the seconds to the first page, the load average then, the CPU seconds the whole run
used until it stopped (all its processes: the figure a busy machine does not inflate), the
number of output lines, the
seconds the stop took and its exit status, and whether the output holds a traceback or a
"Segmentation fault". The cache of uv (~/.cache/uv) is not cleared: pass UV_CACHE_DIR to
measure a cold one. Standard library only.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def first_page(port: int, process: subprocess.Popen, timeout: float) -> float | None:
    """Seconds until http://127.0.0.1:port/ answers 200, None on timeout or early exit."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            return None
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.25)
    return None


def redact(line: str) -> str:
    """The last line names the administrator's password: never print it."""
    head, separator, _password = line.partition(" — admin: admin / ")
    return head + separator + "…" if separator else line


def one_run(clone: Path, port: int, timeout: float) -> dict:
    log = clone / "var" / f"bench-run-{time.time_ns()}.log"
    log.parent.mkdir(exist_ok=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with log.open("w") as output:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "run", f"PORT={port}"],
            cwd=clone, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        seconds = first_page(port, process, timeout)
        load = os.getloadavg()[0]
        time.sleep(1)  # the last line follows the server's first answer
        stop_started = time.monotonic()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
        try:
            status = process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            status = process.wait()
        stopped = time.monotonic() - stop_started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    text = log.read_text(errors="replace")
    return {
        "seconds": seconds,
        "load": load,
        "cpu": cpu,
        "lines": len(text.splitlines()),
        "stop_seconds": stopped,
        "status": status,
        "traceback": "Traceback" in text,
        "segfault": "Segmentation fault" in text,
        "last_line": redact(text.strip().splitlines()[-1] if text.strip() else ""),
        "log": text,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", default=str(ROOT))
    parser.add_argument("--port", type=int, default=19180)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--keep", action="store_true", help="keep the clone and print its path")
    parser.add_argument("--show-output", action="store_true", help="print each run's output")
    arguments = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="broadside-first-run-"))
    clone = workdir / "broadside"
    subprocess.run(["git", "clone", "--quiet", arguments.repo, str(clone)], check=True)
    results = {}
    for name in ("first run", "second run"):
        results[name] = one_run(clone, arguments.port, arguments.timeout)
    print(
        f"{'':12}{'first page':>12}{'load avg':>10}{'CPU s':>8}{'lines':>7}{'stop':>7}{'exit':>6}"
        "  clean"
    )
    for name, result in results.items():
        page = "timeout" if result["seconds"] is None else f"{result['seconds']:.1f} s"
        clean = not (result["traceback"] or result["segfault"])
        print(
            f"{name:12}{page:>12}{result['load']:>10.1f}{result['cpu']:>8.0f}{result['lines']:>7}"
            f"{result['stop_seconds']:>6.1f}s{result['status']:>6}  {'yes' if clean else 'NO'}"
        )
    for name, result in results.items():
        print(f"{name} ends: {result['last_line'][:160]}")
        if arguments.show_output:
            print(f"--- {name} output ---")
            print("\n".join(redact(line) for line in result["log"].splitlines()))
    if arguments.keep:
        print(f"clone kept: {clone}")
    else:
        subprocess.run(["rm", "-rf", str(workdir)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
