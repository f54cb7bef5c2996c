"""Fixtures: a small source-language site, and helpers to add organizations,
letters and wagtail-localize translations to it; signed-in clients; on-commit work.

One meaning per fixture name across the suite: `superuser_client` is signed in as a
superuser, `editor_client` as a member of Wagtail's Editors group (what an editor may
do, not more), `run_on_commit(action, *args)` runs an action and what it deferred
to after commit.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from django.db import transaction
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from wagtail.models import Locale, Page, Site

from home.demo.loader import remove_placeholder_pages, translate_from_strings
from home.models import (
    HomePage,
    LetterIndexPage,
    LetterPage,
    LetterSignatory,
    OrganizationIndexPage,
    OrganizationPage,
)

# Property-based tests: a fixed, reproducible set of examples by default, so CI cannot
# fail on a case no one has seen; HYPOTHESIS_PROFILE=explore searches far wider.
hypothesis_settings.register_profile(
    "broadside",
    max_examples=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
hypothesis_settings.register_profile(
    "explore", max_examples=400, deadline=None, suppress_health_check=list(HealthCheck)
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "broadside"))


def _skip_tree_sync_when_loading_raw_rows() -> None:
    """wagtail-localize synchronises trees whenever a LocaleSynchronization is saved, even
    by a raw fixture load. Restoring the database after a transactional test
    (serialized_rollback, tests/test_social_workers.py) loads rows raw, before the
    locales they point to: let those loads through untouched."""
    from django.db.models.signals import post_save
    from wagtail_localize.models import LocaleSynchronization, sync_trees_on_locale_sync_save

    post_save.disconnect(sync_trees_on_locale_sync_save, sender=LocaleSynchronization)

    def sync_unless_raw(instance, raw=False, **kwargs):
        if not raw:
            sync_trees_on_locale_sync_save(instance, **kwargs)

    post_save.connect(sync_unless_raw, sender=LocaleSynchronization, weak=False)


_skip_tree_sync_when_loading_raw_rows()


@contextmanager
def claim_database_slot(pool: Path) -> Iterator[Path]:
    """A SQLite test database file of `pool` (a directory) that no other live process holds.

    Slot N is `pool/test-N.sqlite3`, held through an exclusive flock on `pool/slot-N.lock`
    until the block ends (or the process dies: the kernel releases the lock). The first
    session to use a slot migrates it; later ones reuse it (`--reuse-db`). Raises
    RuntimeError when 64 processes already hold a slot each.
    """
    pool.mkdir(parents=True, exist_ok=True)
    for slot in range(64):
        lock = (pool / f"slot-{slot}.lock").open("w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        try:
            yield pool / f"test-{slot}.sqlite3"
        finally:
            lock.close()
        return
    raise RuntimeError(f"every test database slot of {pool} is in use")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """pytest-django's hook before the test databases are set up. With
    BROADSIDE_TEST_DATABASE_POOL (a directory; tests/mutation/run.py sets it), the SQLite
    test database is a pool slot this process holds alone, migrated once and reused by
    later sessions: mutmut runs one pytest session per mutant, two at a time."""
    pool = os.environ.get("BROADSIDE_TEST_DATABASE_POOL")
    from django.conf import settings

    database = settings.DATABASES["default"]
    if not pool or not database["ENGINE"].endswith("sqlite3"):
        yield
        return
    with claim_database_slot(Path(pool)) as name:
        database.setdefault("TEST", {})["NAME"] = str(name)
        yield


@dataclass
class Tree:
    home: HomePage
    letters: LetterIndexPage
    organizations: OrganizationIndexPage


def publish(page: Page) -> Page:
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture(autouse=True)
def site_language_at_start():
    """Each test starts with no language activated, as a worker or a command does: a request
    or an `activate()` in an earlier test leaves its language active in this thread (Django
    keeps it), and a message built lazily then came out in it (a logo refused in Spanish)."""
    from django.utils import translation

    translation.deactivate()
    yield


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (rendered feeds are cached per process)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@contextmanager
def rolled_back_after(django_db_blocker):
    """Rows made inside stay until the block ends, then are rolled back: for data that a
    whole module reads (the demo, a letter seen through every surface). Each test still
    runs in a savepoint inside it (pytest-django's `db`), so what a test changes is undone
    before the next test runs."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def tree(db) -> Tree:
    return build_tree()


def build_tree() -> Tree:
    """A published home page with a letter index and an organization index, in English."""
    remove_placeholder_pages()
    root = Page.get_first_root_node()
    home = HomePage(title="Home", slug="home", locale=Locale.objects.get(language_code="en"))
    root.add_child(instance=home)
    publish(home)
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home}
    )
    letters = LetterIndexPage(title="Letters", slug="letters")
    home.add_child(instance=letters)
    organizations = OrganizationIndexPage(title="Organizations", slug="organizations")
    home.add_child(instance=organizations)
    return Tree(home=home, letters=publish(letters), organizations=publish(organizations))


@pytest.fixture
def make_organization(tree):
    def make(slug: str, title: str | None = None, **fields) -> OrganizationPage:
        page = OrganizationPage(title=title or slug.upper(), slug=slug, **fields)
        tree.organizations.add_child(instance=page)
        return publish(page)

    return make


@pytest.fixture
def make_letter(tree):
    def make(
        slug: str,
        signatories=(),
        title: str | None = None,
        publication_date: date = date(2025, 1, 1),
        **fields,
    ) -> LetterPage:
        fields.setdefault("standfirst", f"Standfirst of {slug}.")
        fields.setdefault("body", [{"type": "paragraph", "value": f"<p>Body of {slug}.</p>"}])
        page = LetterPage(
            title=title or slug.replace("-", " ").title(),
            slug=slug,
            publication_date=publication_date,
            **fields,
        )
        page.signatories = [
            item if isinstance(item, LetterSignatory) else LetterSignatory(organization=item)
            for item in signatories
        ]
        tree.letters.add_child(instance=page)
        return publish(page)

    return make


@pytest.fixture
def translate(django_capture_on_commit_callbacks):
    """Translate a page or snippet through wagtail-localize; `strings` maps source to target.

    Strings missing from the mapping are translated as "[xx] source" so tests can
    see translated text without spelling every string out.
    """

    def run(instance, language: str, strings: dict[str, str] | None = None):
        locale = Locale.objects.get(language_code=language)
        catalogue = _PrefixingCatalogue(language, strings or {})
        with django_capture_on_commit_callbacks(execute=True):
            translate_from_strings(instance, locale, catalogue)
        return type(instance).objects.get(translation_key=instance.translation_key, locale=locale)

    return run


class _PrefixingCatalogue(dict):
    def __init__(self, language: str, strings: dict[str, str]):
        super().__init__(strings)
        self.language = language

    def __contains__(self, key) -> bool:
        return True

    def __missing__(self, key: str) -> str:
        return f"[{self.language}] {key}"

    def get(self, key, default=None):
        return self[key]


@pytest.fixture
def networks():
    """Loopback X, Mastodon, Bluesky and webhook servers (tests/servers/)."""
    from contextlib import ExitStack

    from tests.social import start_networks

    with ExitStack() as stack:
        yield start_networks(stack)


@pytest.fixture
def accounts(db, tree, networks):
    """English on X and Mastodon, French on Bluesky and the webhook."""
    from tests.social import add_accounts

    return add_accounts(networks)


@pytest.fixture
def superuser_client(client, db):
    """The test client, signed in as a superuser (may do anything in the admin)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser("admin", "admin@example.org", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def editor_client(client, db):
    """The test client, signed in as a member of Wagtail's Editors group: edits and
    publishes pages, does not manage social accounts."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user("editor", "editor@example.org", "pw")
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return client


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run what the code defers to after commit (the test's transaction never commits)."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def _restores_serialized_rows(item) -> bool:
    """Whether pytest-django runs `item` as a TransactionTestCase with serialized rollback:
    it commits, then flushes the database without re-running post_migrate."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("serialized_rollback"):
        return True
    return "django_db_serialized_rollback" in getattr(item, "fixturenames", ())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test leaves the database as migrations left it, not empty.

    Django flushes the database after a TransactionTestCase, and counts on running those
    last (pytest-django orders them so). `make test` spreads test files over processes
    (pytest-xdist, `--dist loadfile`), so a flushed database would meet the next file's
    tests (no root page, no locales): the rows migrations made, serialized before the
    first test, are loaded back. Their primary keys are kept, so the next serialized
    test's own reload updates them rather than inserting twice. Every transactional test
    here rolls back serialized, but the one that migrates back and forth, which runs last
    (its flush re-runs post_migrate, whose rows a reload would then duplicate). Nothing is
    loaded after a process's last test.
    """
    result = yield
    # After the session's last test (nextitem None) the session's fixtures are torn down in
    # this same teardown: the test databases are gone and the connections point at the
    # databases they were made from, which a reload would write into.
    if nextitem is not None and _restores_serialized_rows(item):
        from django.db import connections
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            for connection in connections.all(initialized_only=False):
                contents = getattr(connection, "_test_serialized_contents", None)
                if contents:
                    connection.creation.deserialize_db_from_string(contents)
                    connection.close()
    return result


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Tests that leave the database unlike migrations left it run last (after
    pytest-django's own ordering). The real-browser test: its live
    server's threads leave rows behind that the next transactional test's set-up trips on
    (seen as duplicate locales), and nothing runs after it to be disturbed."""
    items.sort(key=_run_last)


def _run_last(item) -> int:
    """0 for most tests; the browser test after them; a test that migrates the database back
    and forth (its data migrations run again, leaving rows the next set-up would duplicate)
    at the very end."""
    if item.get_closest_marker("migrates_back_and_forth") is not None:
        return 2
    return 1 if item.get_closest_marker("browser") is not None else 0
