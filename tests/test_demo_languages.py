"""The demo in all eight languages: the flagship letter and every organization are real
wagtail-localize translations (PO import), in each language's own script."""

import unicodedata

import pytest
from django.conf import settings

from home.demo.more_languages import FLAGSHIP_SLUG
from home.models import LetterPage, OrganizationPage
from tests.responses import text_of
from tests.test_demo import demo, demo_site  # noqa: F401  (the demo, loaded once)

pytestmark = pytest.mark.usefixtures("demo")
SCRIPTS = {"ru": "CYRILLIC", "he": "HEBREW", "hi": "DEVANAGARI", "ar": "ARABIC"}


def script_of(text):
    letters = [unicodedata.name(c, "").split(" ")[0] for c in text if c.isalpha()]
    return max(set(letters), key=letters.count)


@pytest.mark.parametrize("code", [code for code, _ in settings.LANGUAGES])
def test_the_flagship_letter_is_really_translated_into(code, client):
    letter = LetterPage.objects.get(slug=FLAGSHIP_SLUG, locale__language_code="en")
    page = LetterPage.objects.get(
        translation_key=letter.translation_key, locale__language_code=code
    )
    assert page.live and page.alias_of_id is None
    if code != "en":
        assert page.title != letter.title and page.standfirst != letter.standfirst
    if code in SCRIPTS:
        assert script_of(page.title) == SCRIPTS[code]
    html = text_of(client.get(page.url))
    assert f'<article class="letter container" lang="{code}"' in html
    assert 'class="notice" role="note"' not in html  # not the untranslated copy


@pytest.mark.parametrize("code", ["es", "ru", "he", "hi", "hu"])
def test_every_organization_has_its_name_and_description_in(code):
    sources = OrganizationPage.objects.filter(locale__language_code="en")
    for source in sources:
        page = OrganizationPage.objects.get(
            translation_key=source.translation_key, locale__language_code=code
        )
        assert page.alias_of_id is None and page.live, source.title
        assert str(page.description) != str(source.description), source.title
