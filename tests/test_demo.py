"""`manage.py load_demo`: the demo site, translated through wagtail-localize, idempotent."""

import pytest
from django.core.management import call_command
from django.test import TestCase
from wagtail.images import get_image_model
from wagtail.models import Page, Revision, Site

from home.models import LetterPage, OrganizationPage, SignatoryVisibility, Topic
from tests.conftest import rolled_back_after
from tests.responses import text_of


def snapshot() -> dict:
    pages = [
        (
            p.locale.language_code,
            p.url_path,
            p.title,
            p.content_type.model,
            p.live,
            bool(p.alias_of_id),
        )
        for p in Page.objects.select_related("locale", "content_type").order_by("path")
    ]
    return {
        "pages": pages,
        "revisions": Revision.objects.count(),
        "images": get_image_model().objects.count(),
        "topics": sorted(Topic.objects.values_list("locale__language_code", "name")),
        "site": list(Site.objects.values_list("site_name", "root_page__url_path")),
    }


def load_demo() -> None:
    """Run `manage.py load_demo` and what it defers to after commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    """The demo, loaded once for this module (a load takes ~20 s), rolled back after it."""
    with rolled_back_after(django_db_blocker):
        load_demo()
        yield


@pytest.fixture
def demo(demo_site, db):
    """The demo site, for one test."""


def test_load_demo_twice_gives_the_same_content(demo):
    first = snapshot()
    load_demo()
    assert snapshot() == first


def test_demo_has_thirteen_signatories_and_french_and_arabic_translations(demo, client):
    letter = LetterPage.objects.get(slug="private-messaging-russia", locale__language_code="en")
    assert letter.signatories.count() == 13
    members = OrganizationPage.objects.filter(locale__language_code="en", member_of__slug="inclo")
    assert members.count() == 13
    assert set(members.values_list("country", flat=True)) == {
        "RU",
        "US",
        "IL",
        "CA",
        "AR",
        "CO",
        "EG",
        "IN",
        "HU",
        "IE",
        "KE",
        "ZA",
        "GB",
    }
    for language, title in [
        ("fr", "Défendez la messagerie privée en Russie"),
        ("ar", "دافعوا عن المراسلة الخاصة في روسيا"),
    ]:
        translated = letter.get_translation(
            letter.locale.__class__.objects.get(language_code=language)
        )
        assert translated.title == title and translated.live and not translated.alias_of_id
        response = client.get(translated.url)
        assert response.status_code == 200
        assert title in response.content.decode()
    # In the other configured languages the letters not translated there (all but the
    # flagship: tests/test_demo_languages.py) mirror the source tree as labelled aliases.
    other = LetterPage.objects.get(slug="protest-is-a-right", locale__language_code="en")
    spanish = LetterPage.objects.get(
        translation_key=other.translation_key, locale__language_code="es"
    )
    assert spanish.alias_of_id == other.pk


def test_demo_shows_an_anonymised_signatory(demo, client):
    letter = LetterPage.objects.get(slug="protest-is-a-right", locale__language_code="en")
    assert letter.signatories.filter(visibility=SignatoryVisibility.ANONYMOUS_WITH_COUNTRY).exists()
    html = text_of(client.get(letter.url))
    assert "Egyptian Initiative for Personal Rights" not in html
    # The demo's only Egyptian organization: its country would name it (the organization
    # index lists it), so the row is shown without it (home.signatories).
    assert "Egypt" not in html
    assert "An organization whose name is withheld for its safety" in html


def test_every_demo_page_renders(demo, client):
    for page in Page.objects.live().filter(depth__gt=1).specific():
        response = client.get(page.url)
        assert response.status_code == 200, page.url_path


def test_the_demos_french_puts_a_no_break_space_before_high_punctuation():
    # As the UI catalogues do (tests/test_catalogues.py): a plain space lets a line break
    # leave ":" alone at the start of the next line.
    import re

    from home.demo.content import translations

    wrong = [
        text
        for text in translations(("fr",))["fr"].values()
        if re.search(
            r"(?<![\u00a0\u202f])[:;!?»]|«(?![\u00a0\u202f])", re.sub(r"\S+://\S*", "", text)
        )
    ]
    assert not wrong
