"""home.i18n's language facts, called directly on a small tree (fast enough for mutation
testing; tests/test_page_output.py checks what the templates make of them).

Only live, public, real translations are announced; an alias standing in for a missing
translation is labelled as the source it shows (home/i18n.py).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from wagtail.models import Locale, Page, PageViewRestriction
from wagtail_localize.synctree import synchronize_tree

from home.i18n import local_language_name, og_locale, page_languages, text_direction
from home.models import LetterPage

pytestmark = pytest.mark.django_db


def version(page: Page, language: str, *, title: str | None = None) -> LetterPage:
    """`page` in `language`: a published, real translation (not an alias)."""
    locale = Locale.objects.get(language_code=language)
    Page.objects.filter(translation_key=page.translation_key, locale=locale).delete()
    copy = page.copy_for_translation(locale, copy_parents=True).specific
    copy.title = title or f"[{language}] {page.title}"
    copy.save_revision().publish()
    for ancestor in copy.get_ancestors().filter(depth__gt=1, live=False):
        ancestor.specific.save_revision().publish()
    copy.refresh_from_db()
    return copy


def url(page: Page) -> str:
    return page.get_full_url(None)


def test_a_translation_lists_every_language_version_in_the_sites_order(make_letter):
    letter = make_letter("encryption", title="Encryption")
    arabic = version(letter, "ar", title="التشفير")
    french = version(letter, "fr", title="Chiffrement")

    facts = page_languages(french)

    assert facts.content_language == "fr"
    assert facts.content_direction == "ltr"
    assert facts.is_untranslated is False
    assert facts.canonical_url == url(french)
    assert facts.x_default_url == url(letter)  # the site's language (LANGUAGE_CODE)
    assert [
        (a.language_code, a.language_name, a.url, a.title, a.is_current) for a in facts.alternates
    ] == [
        ("en", "English", url(letter), "Encryption", False),
        ("fr", "Français", url(french), "Chiffrement", True),
        ("ar", dict(settings.LANGUAGES)["ar"], url(arabic), "التشفير", False),
    ]
    assert facts.og_locale == "fr_FR"
    assert facts.og_locale_alternates == ["en_US", "ar_EG"]


def test_a_right_to_left_translation_says_so(make_letter):
    arabic = version(make_letter("encryption"), "ar")
    facts = page_languages(arabic)
    assert (facts.content_language, facts.content_direction) == ("ar", "rtl")
    assert facts.og_locale == "ar_EG"
    assert facts.og_locale_alternates == ["en_US"]
    assert [a.is_current for a in facts.alternates] == [False, True]


def test_an_unpublished_translation_is_not_announced(make_letter):
    """(A private one cannot be: a restriction covers every language version, home.privacy.)"""
    letter = make_letter("switch")
    version(letter, "ar").unpublish()

    facts = page_languages(letter)

    assert [(a.language_code, a.is_current) for a in facts.alternates] == [("en", True)]
    assert facts.canonical_url == facts.x_default_url == url(letter)
    assert facts.og_locale_alternates == []


def test_an_alias_shows_its_source_and_is_not_a_translation(tree, make_letter):
    letter = make_letter("only-english", title="Only in English")
    synchronize_tree(Locale.objects.get(language_code="en"), Locale.objects.get(language_code="es"))
    alias = LetterPage.objects.get(
        translation_key=letter.translation_key, locale__language_code="es"
    )
    assert alias.alias_of_id == letter.pk

    facts = page_languages(alias)

    assert facts.content_language == "en"
    assert facts.content_direction == "ltr"
    assert facts.is_untranslated is True
    assert facts.canonical_url == url(letter)
    assert facts.x_default_url == url(letter)
    assert [(a.language_code, a.is_current) for a in facts.alternates] == [("en", False)]
    assert facts.og_locale == "en_US"
    assert facts.og_locale_alternates == []


def test_an_alias_in_the_same_language_is_itself(tree, make_letter):
    """An alias elsewhere in the same tree is a copy, not a stand-in for a translation."""
    letter = make_letter("copied")
    alias = letter.create_alias(parent=tree.organizations, update_slug="copied-alias")
    facts = page_languages(alias)
    assert facts.is_untranslated is False
    assert facts.content_language == "en"


def test_a_letter_without_a_version_in_the_sites_language_defaults_to_its_own(tree):
    index = version(tree.letters, "fr")
    letter = LetterPage(
        title="Lettre", slug="lettre", publication_date="2025-01-01", standfirst="Chapeau."
    )
    index.add_child(instance=letter)
    letter.save_revision().publish()
    arabic = version(letter, "ar")

    facts = page_languages(arabic)

    assert facts.x_default_url == url(arabic)  # no English version: the page's own language
    assert [a.language_code for a in facts.alternates] == ["fr", "ar"]
    assert facts.canonical_url == url(arabic)


def test_a_page_no_reader_may_see_keeps_its_own_url_and_no_default(make_letter):
    letter = make_letter("sealed")
    PageViewRestriction.objects.create(page=letter, restriction_type="login")
    facts = page_languages(letter)
    assert facts.alternates == []
    assert facts.canonical_url == url(letter)
    assert facts.x_default_url == ""
    assert facts.content_language == "en"


@pytest.mark.parametrize(
    ("code", "direction"), [("ar", "rtl"), ("he", "rtl"), ("en", "ltr"), ("hi", "ltr")]
)
def test_text_direction_follows_djangos_language_info(code, direction):
    assert text_direction(code) == direction


def test_an_unknown_language_is_written_left_to_right():
    assert text_direction("xx-unknown") == "ltr"


def test_language_names_are_in_their_own_language():
    assert dict(settings.LANGUAGES)["fr"] == "Français"
    assert local_language_name("fr") == "Français"
    assert local_language_name("ar") == dict(settings.LANGUAGES)["ar"] == "العربيّة"
    assert local_language_name("de") == "Deutsch"  # not published here: Django's own name


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en", "en_US"),
        ("fr", "fr_FR"),
        ("ar", "ar_EG"),
        ("hi", "hi_IN"),
        ("he", "he_IL"),
        ("zh", "zh_CN"),  # likely subtags zh_Hans_CN: the script is skipped
        ("sr", "sr_RS"),  # sr_Cyrl_RS
        ("xx", "xx"),  # unknown to CLDR: the language alone
    ],
)
def test_og_locale_is_language_and_territory(code, expected):
    assert og_locale(code) == expected


def test_the_translations_cost_one_query_however_many(make_letter, django_assert_num_queries):
    letter = make_letter("counted")
    french = version(letter, "fr")
    version(letter, "ar")
    page_languages(french)  # Wagtail caches the sites' root paths
    fresh = LetterPage.objects.get(pk=french.pk)  # nothing cached on the instance
    with django_assert_num_queries(2):  # the translations, and home.privacy's sections
        assert len(page_languages(fresh).alternates) == 3


def test_links_are_on_the_site_the_reader_asked_for(tree, make_letter, rf):
    """Two sites share the tree (a mirror): each reader's links stay on their own host."""
    from wagtail.models import Site

    Site.objects.create(hostname="mirror.test", port=80, root_page=tree.home)
    letter = make_letter("mirrored")
    sealed = make_letter("sealed-mirror")
    PageViewRestriction.objects.create(page=sealed, restriction_type="login")
    request = rf.get("/", HTTP_HOST="mirror.test")

    [english] = page_languages(letter, request).alternates
    assert english.url == "http://mirror.test/en/letters/mirrored/"
    assert page_languages(sealed, request).canonical_url == (
        "http://mirror.test/en/letters/sealed-mirror/"
    )
