"""Run several commands side by side, restart any that dies, stop them all on a signal.

`make run` serves the site with the task worker and a one-minute timer beside it:

    python -m config.supervise "manage.py runserver" "manage.py db_worker" "while sleep 60; ..."

Each command runs with `/bin/sh -c` in a session of its own, so Ctrl-C in the terminal
reaches only this supervisor, which then sends SIGTERM to each command's whole process
group (the development server's reloader child, the timer's `sleep`), waits for them, and
exits 0: no command sees a KeyboardInterrupt, so none prints a traceback. A command that
exits is started again after a pause that doubles while it keeps dying (up to 30 s); one
that exits with status 3 is started again at once: 3 is what Django's autoreloader exits
with when a source file changed, so supervise stands in for the reloader's parent process
(config/start.py runs the development server as the reloader's child, and saves a second
start of Django).
honcho and foreman were considered: they stop everything when one process exits, the
opposite of what is wanted here.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

FIRST_PAUSE_SECONDS = 1.0
LONGEST_PAUSE_SECONDS = 30.0
HEALTHY_RUN_SECONDS = 60.0  # a command that ran this long before dying restarts at once
STOP_GRACE_SECONDS = 10.0  # then SIGKILL
POLL_SECONDS = 0.2
# django.utils.autoreload.trigger_reload: "a file changed, start me again".
RELOAD_STATUS = 3


@dataclass
class Supervised:
    """One command, its running process and its restart pause."""

    command: str
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    pause: float = FIRST_PAUSE_SECONDS
    name: str = field(init=False)

    def __post_init__(self) -> None:
        self.name = self.command if len(self.command) <= 40 else self.command[:39] + "…"

    def start(self) -> None:
        self.process = subprocess.Popen(["/bin/sh", "-c", self.command], start_new_session=True)
        self.started_at = time.monotonic()
        self.restart_at = None

    def signal_group(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signum)
            except ProcessLookupError:
                return


def say(message: str) -> None:
    print(f"supervise: {message}", file=sys.stderr, flush=True)


def supervise(commands: list[str]) -> int:
    """Run `commands` until SIGINT or SIGTERM; returns the exit status (0 after a signal).

    Raises nothing on a signal: stopping is the normal way out.
    """
    children = [Supervised(command) for command in commands]
    stopping: list[int] = []

    def stop(signum, frame) -> None:
        if stopping:  # a second Ctrl-C: no more waiting
            for child in children:
                child.signal_group(signal.SIGKILL)
        stopping.append(signum)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for child in children:
        child.start()

    while not stopping:
        now = time.monotonic()
        for child in children:
            if child.restart_at is not None:
                if now >= child.restart_at and not stopping:
                    child.start()
                continue
            code = child.process.poll()
            if code is None:
                continue
            ran = now - child.started_at
            if code == RELOAD_STATUS and ran >= FIRST_PAUSE_SECONDS:
                child.start()
                continue
            if ran > HEALTHY_RUN_SECONDS:
                child.pause = FIRST_PAUSE_SECONDS
            say(f"{child.name!r} exited with status {code}; restarting in {child.pause:.0f} s")
            child.restart_at = now + child.pause
            child.pause = min(child.pause * 2, LONGEST_PAUSE_SECONDS)
        time.sleep(POLL_SECONDS)

    say("stopping")
    for child in children:
        child.signal_group(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for child in children:
        if child.process is None:
            continue
        try:
            child.process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"{child.name!r} did not stop in {STOP_GRACE_SECONDS:.0f} s; killing it")
            child.signal_group(signal.SIGKILL)
            child.process.wait()
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python -m config.supervise COMMAND [COMMAND ...]")
    sys.exit(supervise(sys.argv[1:]))
