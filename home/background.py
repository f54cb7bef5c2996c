"""Running background tasks inline, for set-up commands."""

from __future__ import annotations

import json
from contextlib import contextmanager

from django.test.utils import override_settings
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.utils import get_module_path

IMMEDIATE_TASKS = {"default": {"BACKEND": "home.background.OnceAtTheEndBackend"}}
# Broadside's own tasks: they take ids and re-read the database (and a missing page is
# nothing to do), so one run after the last change is all that counts.
DEFERRED_MODULES = ("publishing.", "home.")


class OnceAtTheEndBackend(ImmediateBackend):
    """Runs tasks in this process, each distinct call once, when the set-up step ends.

    A set-up step publishes many pages, several times each (source, translations,
    re-publishes), and every publish enqueues the same derived work: run immediately, the
    demo drew 772 card sets for its pages. Broadside's tasks (DEFERRED_MODULES) take ids
    and re-read the database, so running each distinct (task, arguments) once, after the
    last change, gives the same result. Tasks enqueued while running are run too, in
    order, until none is left; other tasks run at once.
    """

    def __init__(self, alias: str, params: dict):
        super().__init__(alias, params)
        self.pending: dict[str, object] = {}

    def enqueue(self, task, args, kwargs):
        path = get_module_path(task.func)
        if not path.startswith(DEFERRED_MODULES):
            # Wagtail's and modelsearch's tasks fail on an object the step has deleted
            # since (the placeholder page): they run at once, as before.
            return super().enqueue(task, args, kwargs)
        self.validate_task(task)
        key = json.dumps([path, args, kwargs], sort_keys=True, default=str)
        if key not in self.pending:
            from django_tasks.base import TaskResult, TaskResultStatus
            from django_tasks.utils import get_random_id

            self.pending[key] = TaskResult(
                task=task, id=get_random_id(), status=TaskResultStatus.READY,
                enqueued_at=None, started_at=None, last_attempted_at=None, finished_at=None,
                args=args, kwargs=kwargs, backend=self.alias, errors=[], worker_ids=[],
            )  # fmt: skip
        return self.pending[key]

    def run_pending(self) -> int:
        """Run every pending call once, oldest first; returns how many ran."""
        ran = 0
        while self.pending:
            key = next(iter(self.pending))
            self._execute_task(self.pending.pop(key))
            ran += 1
        return ran


@contextmanager
def inline_tasks():
    """Run the tasks enqueued inside the block (cards, search and reference indexing) in
    this process, each distinct call once, before the block ends.

    Set-up steps (`migrate`, `load_demo`) use it so their result is complete
    before any worker starts, and no task is left queued for objects the next
    set-up step removes.
    """
    from django_tasks import task_backends

    with override_settings(TASKS=IMMEDIATE_TASKS):
        yield
        task_backends["default"].run_pending()
