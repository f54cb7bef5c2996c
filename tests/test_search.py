"""Search over letters and organizations, in the reader's language only."""

from wagtail.models import Locale
from wagtail_localize.synctree import synchronize_tree

from tests.responses import text_of


def titles(response) -> list[str]:
    return [result.title for result in response.context["search_results"]]


def test_search_finds_letters_and_organizations_in_the_readers_language(
    client, make_organization, make_letter, translate
):
    org = make_organization("cels", "Centro de Estudios Legales y Sociales")
    letter = make_letter("encryption", title="Defend encryption", signatories=[org])
    translate(letter, "fr", {"Defend encryption": "Défendez le chiffrement"})

    english = client.get("/en/search/", {"query": "encryption"})
    assert english.status_code == 200
    assert titles(english) == ["Defend encryption"]

    french = client.get("/fr/search/", {"query": "chiffrement"})
    assert titles(french) == ["Défendez le chiffrement"]
    assert titles(client.get("/fr/search/", {"query": "Defend"})) == []
    assert titles(client.get("/en/search/", {"query": "chiffrement"})) == []

    assert titles(client.get("/en/search/", {"query": "Legales"})) == [
        "Centro de Estudios Legales y Sociales"
    ]


def test_untranslated_letters_are_found_once_and_labelled(client, make_letter):
    make_letter("only-english", title="Surveillance cameras")
    synchronize_tree(Locale.objects.get(language_code="en"), Locale.objects.get(language_code="es"))
    response = client.get("/es/search/", {"query": "cameras"})
    assert titles(response) == ["Surveillance cameras"]
    assert '<li lang="en" dir="ltr">' in text_of(response)


def test_drafts_are_not_found(client, make_letter):
    make_letter("draft", title="Unreleased statement").unpublish()
    assert titles(client.get("/en/search/", {"query": "Unreleased"})) == []


def test_empty_and_overlong_queries_get_a_clear_answer(client, tree):
    empty = client.get("/en/search/")
    assert empty.status_code == 200 and empty.context["search_results"] is None
    long = client.get("/fr/search/", {"query": "x" * 201})
    assert long.status_code == 200
    assert "200 caractères au maximum" in long.content.decode()


def test_search_page_switcher_offers_the_same_search_in_other_languages(client, tree):
    html = text_of(client.get("/en/search/", {"query": "privacy"}))
    assert 'href="/fr/search/?query=privacy"' in html
    assert 'href="/ar/search/?query=privacy"' in html


def test_punctuation_in_a_query_is_not_a_server_error(client, make_letter):
    make_letter("quoted", title="Quoted letter")
    for query in ['"quoted', "letter;", "-", "a*b OR (c", "';--"]:
        response = client.get("/en/search/", {"query": query})
        assert response.status_code == 200, query
    assert titles(client.get("/en/search/", {"query": '"Quoted" letter!'})) == ["Quoted letter"]
    assert titles(client.get("/en/search/", {"query": "?!"})) == []


def test_result_lists_do_not_query_per_result(client, make_letter):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/en/search/", {"query": "solidarity"}).status_code == 200
        return len(captured)

    for i in range(3):
        make_letter(f"few-{i}", title=f"Solidarity {i}")
    queries()  # the first search of a term also records it
    few = queries()
    for i in range(9):
        make_letter(f"more-{i}", title=f"Solidarity more {i}")
    assert queries() == few
