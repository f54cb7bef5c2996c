"""Translation with wagtail-localize: what is translated, what is synchronised,
and what a reader of a translation sees when a signatory is not translated."""

import re

import pytest
from wagtail.models import Locale
from wagtail_localize.models import LocaleSynchronization

from home.locales import ensure_locales
from home.models import LetterSignatory, SignatoryVisibility, Topic
from home.signatories import resolve_signatories
from tests.responses import text_of


def test_configured_languages_have_locales_synchronised_from_the_source(db, settings):
    codes = {code for code, _ in settings.LANGUAGES}
    assert set(Locale.objects.values_list("language_code", flat=True)) == codes
    synced = LocaleSynchronization.objects.select_related("locale", "sync_from")
    assert {s.locale.language_code for s in synced} == codes - {"en"}
    assert {s.sync_from.language_code for s in synced} == {"en"}
    ensure_locales()  # idempotent
    assert LocaleSynchronization.objects.count() == len(codes) - 1


def test_translating_a_letter_translates_text_and_synchronises_facts(
    make_organization, make_letter, translate
):
    aclu = make_organization("aclu", "American Civil Liberties Union", country="US")
    letter = make_letter("encryption", title="Protect encryption", signatories=[aclu])
    french = translate(letter, "fr", {"Protect encryption": "Protégez le chiffrement"})
    assert french.title == "Protégez le chiffrement"
    assert french.slug == "protegez-le-chiffrement"
    assert french.standfirst == "[fr] Standfirst of encryption."
    assert french.live and french.alias_of_id is None
    assert french.publication_date == letter.publication_date
    assert [s.organization_id for s in french.signatories.all()] == [aclu.pk]


def test_changing_the_source_signatories_reaches_the_translation_on_sync(
    make_organization, make_letter, translate
):
    from wagtail_localize.models import TranslationSource

    aclu, liberty = make_organization("aclu"), make_organization("liberty")
    letter = make_letter("sync", signatories=[aclu])
    translate(letter, "fr")
    letter.signatories = [
        LetterSignatory(organization=aclu, visibility=SignatoryVisibility.WITHHELD),
        LetterSignatory(organization=liberty),
    ]
    letter.save_revision().publish()

    source, _ = TranslationSource.update_or_create_from_instance(letter)
    french, _ = source.create_or_update_translation(
        Locale.objects.get(language_code="fr"), fallback=True
    )
    french.refresh_from_db()
    rows = french.signatories.order_by("sort_order")
    assert [(r.organization_id, r.visibility) for r in rows] == [
        (aclu.pk, SignatoryVisibility.WITHHELD),
        (liberty.pk, SignatoryVisibility.PUBLIC),
    ]


def test_translated_letter_shows_translated_organizations_else_the_source(
    client, make_organization, make_letter, translate
):
    ccla = make_organization("ccla", "Canadian Civil Liberties Association", acronym="CCLA")
    liberty = make_organization("liberty", "Liberty")
    letter = make_letter("rights", signatories=[ccla, liberty])
    french_ccla = translate(
        ccla,
        "fr",
        {
            "Canadian Civil Liberties Association": "Association canadienne des libertés civiles",
            "CCLA": "ACLC",
        },
    )
    french_letter = translate(letter, "fr")

    shown = resolve_signatories(french_letter)
    assert [s.organization for s in shown] == [french_ccla, liberty]

    html = text_of(client.get(french_letter.url))
    assert "Association canadienne des libertés civiles (ACLC)" in html
    assert f'href="{french_ccla.url}"' in html
    # Liberty has no French page: its English page is shown, and marked as English.
    assert re.search(r'<span class="signatory__name" lang="en" dir="ltr">\s*<a href="/en/', html)


def test_unpublished_translation_of_an_organization_is_not_used(
    make_organization, make_letter, translate
):
    ccla = make_organization("ccla", "CCLA")
    letter = make_letter("rights", signatories=[ccla])
    french_ccla = translate(ccla, "fr")
    french_ccla.unpublish()
    french_letter = translate(letter, "fr")
    assert resolve_signatories(french_letter)[0].organization == ccla


def test_topics_are_shown_in_the_readers_language(make_letter, translate, client):
    english = Locale.objects.get(language_code="en")
    privacy = Topic.objects.create(name="Privacy", slug="privacy", locale=english)
    letter = make_letter("topical")
    letter.topics.set([privacy])
    letter.save_revision().publish()
    translate(privacy, "fr", {"Privacy": "Vie privée"})
    french_letter = translate(letter, "fr")
    html = text_of(client.get(french_letter.url))
    assert "Vie privée" in html
    assert ">Privacy<" not in html


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_translation_only_of_strings_it_was_given(make_letter, translate, language):
    letter = make_letter("partial", title="Partial")
    translated = translate(letter, language, {"Partial": "X"})
    assert translated.title == "X"
    assert translated.locale.language_code == language


def test_starting_to_translate_an_alias_takes_it_offline_until_published(
    client, make_letter, translate
):
    from wagtail_localize.operations import translate_object
    from wagtail_localize.synctree import synchronize_tree

    from home.models import LetterPage

    letter = make_letter("started", title="Started in English")
    spanish_locale = Locale.objects.get(language_code="es")
    synchronize_tree(Locale.objects.get(language_code="en"), spanish_locale)
    translate_object(letter, [spanish_locale])  # what the admin's "Translate" button does
    spanish = LetterPage.objects.get(translation_key=letter.translation_key, locale=spanish_locale)
    assert spanish.alias_of_id is None
    assert not spanish.live  # not passed off as a Spanish letter while untranslated
    assert text_of(client.get("/es/feeds/letters.atom")).count("<entry>") == 0
    assert "es" not in [
        t["locale"] for t in client.get(f"/api/v1/letters/{letter.pk}/").json()["translations"]
    ]

    published = translate(letter, "es", {"Started in English": "Empezada en inglés"})
    assert published.live and published.title == "Empezada en inglés"


def test_renaming_a_letter_moves_its_untranslated_copies_and_redirects_the_old_address(
    client, make_letter, django_capture_on_commit_callbacks
):
    # Replayed report (wagtail/wagtail#7168): the Spanish copy kept the old slug, so
    # /letters/new/ with Accept-Language: es redirected to /es/letters/new/, a 404.
    from wagtail.models import Page
    from wagtail_localize.synctree import synchronize_tree

    letter = make_letter("old-name", title="Renamed letter")
    spanish_locale = Locale.objects.get(language_code="es")
    synchronize_tree(Locale.objects.get(language_code="en"), spanish_locale)
    letter.slug = "new-name"
    with django_capture_on_commit_callbacks(execute=True):
        letter.save_revision().publish()
    copy = Page.objects.get(alias_of=letter, locale=spanish_locale)
    assert copy.slug == "new-name"

    by_language = client.get("/letters/new-name/", HTTP_ACCEPT_LANGUAGE="es", follow=True)
    assert by_language.status_code == 200
    assert by_language.redirect_chain[-1][0].startswith("/es/letters/new-name/")
    for old in ("/es/letters/old-name/", "/en/letters/old-name/"):
        moved = client.get(old)
        assert moved.status_code in (301, 302) and moved["Location"].endswith(
            old.replace("old-name", "new-name")
        ), old
