"""Readers in every language: mixed directions isolated, the untranslated notice in the
reader's language, one language-switcher rule, punctuation of the reader's language."""

import re

from django.conf import settings
from wagtail.models import Locale
from wagtail_localize.synctree import synchronize_tree

from home.models import LetterPage, LetterSigner
from tests.responses import text_of


def switcher_of(html):
    switcher = html[html.index('class="language-switcher"') :]
    return switcher[: switcher.index("</nav>")]


def synchronise_all():
    source = Locale.objects.get(language_code=settings.LANGUAGE_CODE)
    for locale in Locale.objects.exclude(pk=source.pk):
        synchronize_tree(source, locale)


def test_an_untranslated_arabic_page_isolates_arabic_interface_text(client, tree, make_letter):
    letter = make_letter("english-only", addressees="The governments")
    synchronise_all()
    alias = LetterPage.objects.get(
        translation_key=letter.translation_key, locale__language_code="ar"
    )
    html = text_of(client.get(alias.url))
    assert '<article class="letter container" lang="en" dir="ltr">' in html
    # The notice, the date and the kicker are Arabic inside English: each isolates itself.
    notice = re.search(r'<p class="notice" role="note"([^>]*)>([^<]*)</p>', html)
    assert notice and 'lang="ar" dir="rtl"' in notice.group(1)
    assert "الإنجليزية" in notice.group(2)  # the source language named in Arabic
    assert re.search(r'<time lang="ar" dir="rtl" datetime="2025-01-01">', html)
    assert '<p class="kicker" lang="ar" dir="rtl">' in html
    assert "<bdi>The governments</bdi>" in html


def test_the_untranslated_label_in_lists_names_the_language_in_the_readers_language(
    client, tree, make_letter
):
    make_letter("listed-english-only")
    synchronise_all()
    html = text_of(client.get("/fr/letters/"))
    assert "Pas encore traduit\u00a0: en anglais" in html


def test_every_page_offers_every_language_and_marks_the_current_one(
    client, tree, make_letter, translate
):
    letter = make_letter("switch-everywhere")
    french = translate(letter, "fr")
    synchronise_all()
    alias = LetterPage.objects.get(
        translation_key=letter.translation_key, locale__language_code="hi"
    )
    for url, current in ((letter.url, "en"), (french.url, "fr"), (alias.url, "hi")):
        switcher = switcher_of(text_of(client.get(url)))
        codes = re.findall(r'(?<!href)lang="([a-z-]+)"', switcher)
        assert codes == [code for code, _name in settings.LANGUAGES], url
        assert f'<span aria-current="page" lang="{current}">' in switcher, url
    search = switcher_of(text_of(client.get("/hi/search/")))
    assert re.findall(r'(?<!href)lang="([a-z-]+)"', search) == [c for c, _ in settings.LANGUAGES]


def test_a_signer_and_role_are_joined_with_the_languages_comma(
    client, tree, make_letter, translate, make_organization
):
    publisher = make_organization("pub", "Publisher")
    letter = make_letter(
        "signed-by-people",
        published_by=publisher,
        signers=[LetterSigner(name="A. Person", role="Director", organization=publisher)],
    )
    arabic = translate(letter, "ar", {"Director": "مديرة"})
    html = text_of(client.get(arabic.url))
    assert (
        '<bdi class="signer__name">A. Person</bdi>، <bdi class="signer__role">مديرة</bdi>' in html
    )
    english = text_of(client.get(letter.url))
    assert (
        '<bdi class="signer__name">A. Person</bdi>, <bdi class="signer__role">Director</bdi>'
        in english
    )


def test_the_search_box_is_as_wide_as_its_placeholder_in_every_language(client, tree):
    for code, _name in settings.LANGUAGES:
        html = text_of(client.get(f"/{code}/search/"))
        field = re.search(r'<input id="site-search-query"[^>]*>', html).group(0)
        placeholder = re.search(r'placeholder="([^"]*)"', field).group(1)
        size = int(re.search(r'size="(\d+)"', field).group(1))
        assert size >= len(placeholder), code


def test_a_contacts_name_and_role_are_isolated_inside_a_letter_of_the_other_direction(
    client, tree, make_letter, translate
):
    # "Jean-Luc (CCLA)" inside Arabic: without isolation the closing parenthesis joins the
    # Arabic run and is drawn at the wrong end of the name.
    letter = make_letter(
        "with-a-contact",
        contacts=[
            {
                "type": "contact",
                "value": {
                    "label": "Media enquiries",
                    "name": "Jean-Luc (CCLA)",
                    "role": "Press officer",
                    "email": "press@example.org",
                    "phone": "+1 555 0100",
                },
            }
        ],
    )
    arabic = translate(
        letter,
        "ar",
        {
            "Jean-Luc (CCLA)": "Jean-Luc (CCLA)",
            "Press officer": "مسؤول الصحافة",
            "+1 555 0100": "+1 555 0100",
        },
    )
    html = text_of(client.get(arabic.url))
    assert '<bdi class="contact__name">Jean-Luc (CCLA)</bdi>' in html
    assert '<bdi class="contact__role">مسؤول الصحافة</bdi>' in html
    assert '<a href="tel:+15550100" dir="ltr">+1 555 0100</a>' in html


def test_an_untranslated_organization_in_a_list_of_the_other_direction_keeps_its_own(
    client, tree, make_organization
):
    # An English name ending in punctuation ("Example Inc.") in a right-to-left list: with
    # `lang` but no `dir`, the full stop is drawn before the name.
    make_organization("example", "Example Inc.")
    synchronise_all()
    html = text_of(client.get("/he/organizations/"))
    assert re.search(r'<li lang="en" dir="ltr">\s*<a href="/he/organizations/example/">', html)


def test_the_site_name_in_the_footer_is_isolated(client, tree):
    # A Latin site name ending in a number or punctuation ("Broadside 2.0") inside Arabic.
    html = text_of(client.get("/ar/"))
    footer = html[html.index("<footer") :]
    assert re.search(r"<bdi>[^<]+</bdi>", footer)
