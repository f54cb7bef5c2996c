"""No link Broadside produces leads to a 404 after a slug change, a move or a translation
being published (issue 16 item 7): real translations keep their own slugs, so addresses
built from another language's path must find them."""

from __future__ import annotations

from wagtail.models import Page
from wagtail_localize.models import StringTranslation, Translation, TranslationContext

from home.models import LetterIndexPage, LetterPage
from tests.conftest import publish
from tests.responses import text_of


def final(client, path: str, **headers):
    response = client.get(path, follow=True, **headers)
    return response.status_code, (
        response.redirect_chain[-1][0] if response.redirect_chain else path
    )


def test_the_language_redirect_finds_a_translation_with_its_own_slug(
    make_letter, translate, client
):
    letter = make_letter("encryption", title="Protect encryption")
    french = translate(letter, "fr", {"Protect encryption": "Protégez le chiffrement"})
    assert french.slug == "protegez-le-chiffrement"
    status, where = final(client, "/letters/encryption/", HTTP_ACCEPT_LANGUAGE="fr")
    assert (status, where) == (200, french.url)
    # The English path under the French prefix (a hand-edited or switched address) too.
    assert final(client, "/fr/letters/encryption/") == (200, french.url)


def test_a_translation_published_with_a_new_slug_redirects_its_old_address(
    make_letter, translate, client, django_capture_on_commit_callbacks
):
    letter = make_letter("encryption", title="Protect encryption")
    french = translate(letter, "fr", {"Protect encryption": "Protégez le chiffrement"})
    old = french.url
    translation = Translation.objects.get(
        source__object_id=letter.translation_key, target_locale=french.locale
    )
    context = TranslationContext.objects.get(object_id=letter.translation_key, path="slug")
    StringTranslation.objects.filter(context=context, locale=french.locale).update(
        data="chiffrement"
    )
    with django_capture_on_commit_callbacks(execute=True):
        translation.save_target(publish=True)
    french = LetterPage.objects.get(pk=french.pk)
    assert french.slug == "chiffrement"
    assert final(client, old) == (200, french.url)
    assert final(client, "/letters/encryption/", HTTP_ACCEPT_LANGUAGE="fr") == (200, french.url)


def test_moving_a_letter_redirects_every_language_of_it(
    tree, make_letter, translate, client, django_capture_on_commit_callbacks
):
    letter = make_letter("encryption", title="Protect encryption")
    french = translate(letter, "fr", {"Protect encryption": "Protégez le chiffrement"})
    archive = LetterIndexPage(title="Archive", slug="archive")
    tree.home.add_child(instance=archive)
    publish(archive)
    translate(archive, "fr", {"Archive": "Archives"})
    old = {"en": letter.url, "fr": french.url}
    with django_capture_on_commit_callbacks(execute=True):
        Page.objects.get(pk=letter.pk).move(archive, pos="last-child")
    moved = {
        code: LetterPage.objects.get(pk=p.pk).url for code, p in (("en", letter), ("fr", french))
    }
    assert moved["en"].startswith("/en/archive/")
    for code in ("en", "fr"):
        assert final(client, old[code]) == (200, moved[code]), code
    html = text_of(client.get(moved["en"]))
    assert moved["fr"] in html  # hreflang and the language switcher follow the move
