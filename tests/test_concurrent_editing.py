"""Concurrent saves of one page (autosave, two tabs, two editors) never give a 500 and never
lose what was typed.

The requests are the ones Wagtail 8's page editor sends (wagtail/admin/views/pages/create.py
and edit.py): autosave POSTs the whole form with `Accept: application/json` and no action
button; Publish POSTs the same form with `action-publish`. Before the autosave's answer
arrives the browser's form still points at the *create* URL, so a quick Publish after typing
is a second create of the same page. Each request runs in its own thread, with its own
database connection, released together by a barrier.
"""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.utils.text import slugify

from home.models import LetterPage

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Page titles hold 255 characters at most; a long one makes a long slug.
LONG_TITLE = ("An open letter on the right to private messaging in every country " * 10)[:250]


def letter_form(title: str, organizations, *, signatory_ids=(), publish: bool) -> dict:
    """The letter editor's form as the browser posts it."""
    data = {
        "title": title,
        "slug": slugify(title)[:255],
        "letter_type": "open_letter",
        "publication_date": "2026-11-28",
        "standfirst": "We ask for one thing.",
        "addressees": "Parliament",
        "body-count": "1",
        "body-0-type": "paragraph",
        "body-0-value": '{"blocks":[{"key":"a","text":"Body.","type":"unstyled","depth":0,'
        '"inlineStyleRanges":[],"entityRanges":[]}],"entityMap":{}}',
        "body-0-deleted": "",
        "body-0-order": "0",
        "contacts-count": "0",
        "signatories-TOTAL_FORMS": str(len(organizations)),
        "signatories-INITIAL_FORMS": str(len(signatory_ids)),
        "signatories-MIN_NUM_FORMS": "0",
        "signatories-MAX_NUM_FORMS": "1000",
        "signers-TOTAL_FORMS": "0",
        "signers-INITIAL_FORMS": "0",
        "signers-MIN_NUM_FORMS": "0",
        "signers-MAX_NUM_FORMS": "1000",
        "share_image_overrides-TOTAL_FORMS": "0",
        "share_image_overrides-INITIAL_FORMS": "0",
        "share_image_overrides-MIN_NUM_FORMS": "0",
        "share_image_overrides-MAX_NUM_FORMS": "1",
        "post_on_publish": "on",
        "social_texts-TOTAL_FORMS": "0",
        "social_texts-INITIAL_FORMS": "0",
        "social_texts-MIN_NUM_FORMS": "0",
        "social_texts-MAX_NUM_FORMS": "1000",
    }
    for index, organization in enumerate(organizations):
        data[f"signatories-{index}-organization"] = str(organization.pk)
        data[f"signatories-{index}-visibility"] = "public"
        data[f"signatories-{index}-ORDER"] = str(index + 1)
        if index < len(signatory_ids):
            data[f"signatories-{index}-id"] = str(signatory_ids[index])
    if publish:
        data["action-publish"] = "Publish"
    return data


def autosave(url: str, data: dict):
    return lambda client: client.post(url, data, HTTP_ACCEPT="application/json")


def publish(url: str, data: dict):
    return lambda client: client.post(url, data, HTTP_ACCEPT="text/html")


def at_once(user, *requests) -> list:
    """Send the requests from threads released together; their responses, in order."""
    barrier = threading.Barrier(len(requests))
    responses: list = [None] * len(requests)

    def run(index, request):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        try:
            barrier.wait()
            responses[index] = request(client)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, request))
        for index, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return responses


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_superuser("editor", "editor@example.org", "pw")


@pytest.fixture
def two_organizations(make_organization):
    return [
        make_organization("ccla", "Canadian Civil Liberties Association", country="CA"),
        make_organization("khrc", "Kenya Human Rights Commission", country="KE"),
    ]


def assert_published_as_typed(title: str, organizations) -> None:
    letters = LetterPage.objects.filter(slug=slugify(title)[:255], locale__language_code="en")
    assert letters.count() == 1, "one letter, not the autosaved draft beside a second one"
    letter = letters.get()
    assert letter.live and letter.title == title
    assert sorted(letter.signatories.values_list("organization_id", flat=True)) == sorted(
        o.pk for o in organizations
    )


@pytest.mark.parametrize("attempt", range(5))
def test_publishing_a_new_letter_while_its_first_autosave_runs_publishes_it(
    attempt, tree, editor, two_organizations
):
    title = f"{attempt} {LONG_TITLE}"[:255].strip()
    create_url = f"/admin/pages/add/home/letterpage/{tree.letters.pk}/"
    responses = at_once(
        editor,
        autosave(create_url, letter_form(title, two_organizations, publish=False)),
        publish(create_url, letter_form(title, two_organizations, publish=True)),
    )
    assert [r.status_code for r in responses if r.status_code >= 500] == []
    assert responses[1].status_code == 302, responses[1].content[-2000:]
    assert_published_as_typed(title, two_organizations)


@pytest.mark.parametrize("attempt", range(3))
def test_publishing_while_an_autosave_of_new_signatories_runs_never_fails(
    attempt, tree, editor, two_organizations, make_organization
):
    title = f"{attempt} {LONG_TITLE}"[:255].strip()
    create_url = f"/admin/pages/add/home/letterpage/{tree.letters.pk}/"
    created = Client()
    created.force_login(editor)
    first = created.post(
        create_url,
        letter_form(title, two_organizations[:1], publish=False),
        HTTP_ACCEPT="application/json",
    ).json()
    edit_url = first["url"]
    # The editor adds a second organization: the new row has no id in either request.
    organizations = [*two_organizations, make_organization(f"third-{attempt}", "Third")]
    responses = at_once(
        editor,
        autosave(edit_url, letter_form(title, organizations, publish=False)),
        publish(edit_url, letter_form(title, organizations, publish=True)),
        publish(edit_url, letter_form(title, organizations, publish=True)),  # a second tab
    )
    assert [r.status_code for r in responses if r.status_code >= 500] == []
    assert_published_as_typed(title, organizations)
