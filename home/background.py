"""Running background tasks inline, for set-up commands."""

from __future__ import annotations

import json
from contextlib import contextmanager

from django.apps import apps
from django.test.utils import override_settings
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.utils import get_module_path

IMMEDIATE_TASKS = {"default": {"BACKEND": "home.background.OnceAtTheEndBackend"}}
# Broadside's own tasks: they take ids and re-read the database (and a missing page is
# nothing to do), so one run after the last change is all that counts.
DEFERRED_MODULES = ("publishing.", "home.")
# Wagtail's and modelsearch's indexing tasks take (app_label, model_name, pk) and re-read the
# object too, but fail on one that is gone; its deletion has already removed its entries
# (their post_delete handlers run at once), so a call for a missing object is dropped.
INDEXING_TASKS = (
    "wagtail.tasks.update_reference_index_task",
    "modelsearch.tasks.insert_or_update_object_task",
)


class OnceAtTheEndBackend(ImmediateBackend):
    """Runs tasks in this process, each distinct call once, when the set-up step ends.

    A set-up step publishes many pages, several times each (source, translations,
    re-publishes), and every publish enqueues the same derived work: run immediately, the
    demo drew 772 card sets for its pages and indexed each page a dozen times. Broadside's
    tasks (DEFERRED_MODULES) and Wagtail's indexing tasks (INDEXING_TASKS) take ids and
    re-read the database, so running each distinct (task, arguments) once, after the last
    change, gives the same result. Tasks enqueued while running are run too, in order, until
    none is left; other tasks run at once.
    """

    def __init__(self, alias: str, params: dict):
        super().__init__(alias, params)
        self.pending: dict[str, object] = {}

    def enqueue(self, task, args, kwargs):
        path = get_module_path(task.func)
        if not (path.startswith(DEFERRED_MODULES) or path in INDEXING_TASKS):
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

    def take(self, prefixes: tuple[str, ...]) -> list:
        """Remove and return the pending calls of tasks whose module path starts with one of
        `prefixes`, oldest first (for a worker to run instead); an indexing call for an object
        deleted since is dropped, as run_pending drops it."""
        taken = []
        for key, result in list(self.pending.items()):
            path = get_module_path(result.task.func)
            if not path.startswith(prefixes):
                continue
            del self.pending[key]
            if path in INDEXING_TASKS and not _exists(*result.args):
                continue
            taken.append(result)
        return taken

    def run_pending(self) -> int:
        """Run every pending call once, oldest first; returns how many ran (a dropped
        indexing call for an object deleted since does not count)."""
        ran = 0
        while self.pending:
            key = next(iter(self.pending))
            result = self.pending.pop(key)
            if get_module_path(result.task.func) in INDEXING_TASKS and not _exists(*result.args):
                continue
            self._execute_task(result)
            ran += 1
        return ran


def _exists(app_label: str, model_name: str, pk) -> bool:
    return apps.get_model(app_label, model_name)._default_manager.filter(pk=pk).exists()


@contextmanager
def inline_tasks(*, leave_to_worker: tuple[str, ...] = ()):
    """Run the tasks enqueued inside the block (cards, search and reference indexing) in
    this process, each distinct call once, before the block ends.

    Set-up steps (`migrate`, `load_demo`) use it so their result is complete
    before any worker starts, and no task is left queued for objects the next
    set-up step removes. `leave_to_worker` (module path prefixes, e.g.
    `("publishing.",)`) names tasks that are instead enqueued, each distinct call once,
    on the configured backend when the block ends, for the worker `make run` starts
    beside the server: the site answers without waiting for them.
    """
    from django_tasks import task_backends

    with override_settings(TASKS=IMMEDIATE_TASKS):
        yield
        backend = task_backends["default"]
        handed_over = backend.take(leave_to_worker) if leave_to_worker else []
        backend.run_pending()
    for result in handed_over:
        result.task.enqueue(*result.args, **result.kwargs)
