"""`manage.py db_worker` that outlives transient database errors.

django_tasks_db's worker dies on the first database error outside a task: a SQLite
write lock held longer than the busy timeout ("database is locked" while it opens its
claiming transaction) or a dropped PostgreSQL connection. Deliveries then stay pending
until someone notices. This command keeps every option of the library's and wraps its
loop: on such an error it logs a warning, drops the broken connections, waits (with a
growing pause) and carries on. Other errors still stop it, for the supervisor to see.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from types import FrameType

from django.db import InterfaceError, OperationalError, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger("django_tasks_db")

# Pause after a database error: doubled for each error in a row, up to the longest.
FIRST_PAUSE_SECONDS = 1.0
LONGEST_PAUSE_SECONDS = 30.0
# A loop that ran this long before failing starts again from the first pause.
HEALTHY_RUN_SECONDS = 60.0


class ResilientWorker(db_worker.Worker):
    """The library's worker, restarted in-process after transient database errors."""

    def run(self) -> None:
        """Run tasks until stopped (signal, `--batch`, `--max-tasks`).

        Raises whatever the library's loop raises except `OperationalError` and
        `InterfaceError`, which Django raises for lost connections and locked databases.
        """
        pause = FIRST_PAUSE_SECONDS
        while True:
            started = time.monotonic()
            try:
                return super().run()
            except (OperationalError, InterfaceError) as error:
                if not self.running:
                    return None
                if time.monotonic() - started > HEALTHY_RUN_SECONDS:
                    pause = FIRST_PAUSE_SECONDS
                logger.warning(
                    "Database error in worker_id=%s (%s: %s); trying again in %.0f s.",
                    self.worker_id,
                    type(error).__name__,
                    error,
                    pause,
                )
                # A broken connection must not be reused; Django opens a new one.
                connections.close_all()
                time.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE_SECONDS)
                # Skip the library's random start-up delay on the way back in.
                self.startup_delay = False

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        """Stop after the running task. A first SIGINT or SIGTERM is how a supervised worker
        is meant to stop (`make run`'s Ctrl-C, a deploy), so it is logged at INFO and a quiet
        worker (-v 0) stops quietly; the library says it as a warning, with "press Ctrl+C
        again", which under config/supervise.py kills every process. A second signal is the
        library's forced stop, still a warning."""
        if not self.running:
            super().shutdown(signum, frame)
            return
        logger.info("Received %s - stopping after the current task.", signal.strsignal(signum))
        self.running = False
        if not self.running_task:
            sys.exit(0)


class Command(db_worker.Command):
    help = "Run a database background worker that survives transient database errors"

    def configure_logging(self, verbosity: int) -> None:
        """As the library's, except that -v 0 keeps warnings and errors (a task that failed,
        a database error) where the library silences everything but CRITICAL: `make run`
        runs the worker with -v 0 so that one line per task does not bury its last line."""
        super().configure_logging(verbosity)
        if verbosity == 0:
            logging.getLogger(db_worker.TASKS_LOGGER).setLevel(logging.WARNING)
            db_worker.logger.setLevel(logging.WARNING)

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options,
    ) -> None:
        self.configure_logging(verbosity)
        if reload and batch:
            logger.warning("--reload and --batch cannot be specified together: not reloading.")
            reload = False
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise db_worker.CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                # Only the reloaded child handles signals, as in the library's command.
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
