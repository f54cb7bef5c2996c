"""Running background tasks inline, for set-up commands."""

from contextlib import contextmanager

from django.test.utils import override_settings

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@contextmanager
def inline_tasks():
    """Run the tasks enqueued inside the block (search and reference indexing) right away.

    Set-up steps (`migrate`, `load_demo`) use it so their result is complete
    before any worker starts, and no task is left queued for objects the next
    set-up step removes.
    """
    with override_settings(TASKS=IMMEDIATE_TASKS):
        yield
