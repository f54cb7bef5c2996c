"""The headless API: contract, no leaks, filters, errors, caching, CORS, preview, budget."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Locale, PageViewRestriction

from home.models import LetterSignatory, OrganizationPage, SignatoryVisibility, Topic
from publishing.models import ContentVersion
from tests.links import SCRIPT_URLS
from tests.responses import text_of


@pytest.fixture
def content(make_organization, make_letter, translate):
    english = Locale.objects.get(language_code="en")
    privacy = Topic.objects.create(name="Privacy", slug="privacy", locale=english)
    logo = get_image_model().objects.create(title="logo", file=get_test_image_file())
    ccla = make_organization(
        "ccla", "Canadian Civil Liberties Association", acronym="CCLA", country="CA", logo=logo
    )
    eipr = make_organization("eipr", "Egyptian Initiative for Personal Rights", country="EG")
    make_organization("other-eg", "Other Egyptian Org", country="EG")  # so Egypt names neither
    hidden = make_organization("hidden", "Hidden Org", country="RU")
    letter = make_letter(
        "encryption",
        title="Protect encryption",
        publication_date=date(2025, 5, 1),
        signatories=[
            LetterSignatory(organization=ccla),
            LetterSignatory(
                organization=eipr, visibility=SignatoryVisibility.ANONYMOUS_WITH_COUNTRY
            ),
            LetterSignatory(organization=hidden, visibility=SignatoryVisibility.WITHHELD),
        ],
    )
    letter.topics.set([privacy])
    letter.save_revision().publish()
    older = make_letter(
        "assembly",
        title="Protest is a right",
        publication_date=date(2020, 1, 1),
        signatories=[eipr],
    )
    french_ccla = translate(
        ccla,
        "fr",
        {"Canadian Civil Liberties Association": "Association canadienne", "CCLA": "ACLC"},
    )
    french = translate(letter, "fr", {"Protect encryption": "Protégez le chiffrement"})
    return {
        "letter": letter,
        "older": older,
        "french": french,
        "ccla": ccla,
        "french_ccla": french_ccla,
        "eipr": eipr,
        "hidden": hidden,
    }


def get(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, (url, response.status_code, response.content[:300])
    return response.json() if response.content else None


def test_letter_list_contract(client, content):
    data = get(client, "/api/v1/letters/?locale=en")
    assert data["count"] == 2
    assert [item["title"] for item in data["items"]] == ["Protect encryption", "Protest is a right"]
    item = data["items"][0]
    assert item["api_id"] == content["letter"].pk and item["locale"] == "en"
    assert item["url"] == "http://localhost/en/letters/encryption/"
    assert item["letter_type_label"] == "Open letter"
    assert item["topics"] == [
        {
            "slug": "privacy",
            "name": "Privacy",
            "feeds": {
                "rss": "http://testserver/en/feeds/topics/privacy.rss",
                "atom": "http://testserver/en/feeds/topics/privacy.atom",
            },
        }
    ]
    assert item["signatory_count"] == 2
    assert {t["locale"]: t["api_id"] for t in item["translations"]} == {
        "en": content["letter"].pk,
        "fr": content["french"].pk,
    }


def test_letter_detail_contract_in_french(client, content):
    data = get(client, f"/api/v1/letters/{content['french'].pk}/")
    assert data["title"] == "Protégez le chiffrement" and data["locale"] == "fr"
    named, anonymous = data["signatories"]
    assert named["organization"]["name"] == "Association canadienne"
    assert named["organization"]["acronym"] == "ACLC"
    assert named["organization"]["country_name"] == "Canada"
    assert named["organization"]["api_id"] == content["french_ccla"].pk
    assert named["organization"]["logo"]["width"] == 160
    assert anonymous == {
        "anonymous": True,
        "organization": None,
        "country": "EG",
        "country_name": "Égypte",
    }
    assert data["body"][0]["type"] == "paragraph" and "<p>" in data["body"][0]["value"]
    assert {link["language"] for link in data["hreflang"]} == {"en", "fr", "x-default"}
    assert data["canonical_url"] == f"http://localhost{content['french'].url}"
    assert data["feeds"]["atom"] == "http://testserver/fr/feeds/letters.atom"


def test_nothing_hidden_leaks(client, content):
    response = client.get(f"/api/v1/letters/{content['letter'].pk}/")
    body = text_of(response)
    assert "Hidden Org" not in body and "Egyptian Initiative" not in body
    listed = [
        s["organization"]["api_id"] for s in response.json()["signatories"] if s["organization"]
    ]
    assert listed == [content["ccla"].pk]
    # A withheld signatory's letters are not listed under it.
    assert get(client, f"/api/v1/letters/?organization={content['hidden'].pk}")["count"] == 0
    assert (
        get(client, f"/api/v1/letters/?organization={content['eipr'].pk}")["count"] == 1
    )  # named on one


def test_drafts_private_pages_and_unpublished_translations_never_leak(client, content, tree):
    content["french"].unpublish()
    detail = get(client, f"/api/v1/letters/{content['letter'].pk}/")
    assert [t["locale"] for t in detail["translations"]] == ["en"]
    get(client, f"/api/v1/letters/{content['french'].pk}/", status=404)

    content["older"].unpublish()
    assert get(client, "/api/v1/letters/?locale=en")["count"] == 1
    get(client, f"/api/v1/letters/{content['older'].pk}/", status=404)

    PageViewRestriction.objects.create(page=content["letter"], restriction_type="login")
    assert get(client, "/api/v1/letters/?locale=en")["count"] == 0
    get(client, f"/api/v1/letters/{content['letter'].pk}/", status=404)


def test_filters(client, content):
    assert [i["title"] for i in get(client, "/api/v1/letters/?topic=privacy")["items"]] == [
        "Protect encryption"
    ]
    assert (
        get(client, "/api/v1/letters/?locale=fr&topic=privacy")["items"][0]["title"]
        == "Protégez le chiffrement"
    )
    # An organization's id in any language filters letters in the requested one.
    assert (
        get(client, f"/api/v1/letters/?locale=fr&organization={content['ccla'].pk}")["count"] == 1
    )
    assert get(client, "/api/v1/letters/?published_after=2024-01-01")["count"] == 1
    assert (
        get(client, "/api/v1/letters/?published_before=2024-01-01")["items"][0]["title"]
        == "Protest is a right"
    )
    oldest_first = get(client, "/api/v1/letters/?order=publication_date")["items"]
    assert [i["title"] for i in oldest_first] == ["Protest is a right", "Protect encryption"]
    assert [i["title"] for i in get(client, "/api/v1/letters/?search=encryption")["items"]] == [
        "Protect encryption"
    ]
    page = get(client, "/api/v1/letters/?limit=1&offset=1")
    assert page["count"] == 2 and [i["title"] for i in page["items"]] == ["Protest is a right"]
    orgs = get(client, "/api/v1/organizations/?locale=en&country=CA")
    assert [o["name"] for o in orgs["items"]] == ["Canadian Civil Liberties Association"]


@pytest.mark.parametrize(
    "query,words",
    [
        ("locale=xx", "locale: Input should be 'en'"),
        ("limit=0", "limit"),
        ("limit=1000", "limit"),
        ("offset=-1", "offset"),
        ("published_after=yesterday", "published_after"),
        ("order=title", "order"),
        ("search=" + "x" * 201, "search"),
    ],
)
def test_bad_parameters_get_a_400_that_says_why(client, content, query, words):
    data = get(client, f"/api/v1/letters/?{query}", status=400)
    assert words in data["message"]


def test_unknown_topic_or_organization_is_a_404_that_says_which(client, content):
    assert "Unknown topic" in get(client, "/api/v1/letters/?topic=nothing", status=404)["message"]
    data = get(client, "/api/v1/letters/?organization=999999", status=404)
    assert "No organization has API id 999999" in data["message"]
    empty = "/api/v1/letters/?published_after=2025-01-01&published_before=2020-01-01"
    assert get(client, empty)["count"] == 0


def test_conditional_get_and_invalidation_on_publish(client, content, make_letter):
    first = client.get("/api/v1/letters/")
    etag = first["ETag"]
    assert etag.startswith('"')
    again = client.get("/api/v1/letters/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    make_letter("new-one", title="A new letter")
    changed = client.get("/api/v1/letters/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and "A new letter" in changed.content.decode()


def test_cors_allow_list(client, settings, content):
    settings.CORS_ALLOWED_ORIGINS = ["https://front.example.org"]
    allowed = client.get("/api/v1/letters/", HTTP_ORIGIN="https://front.example.org")
    assert allowed["Access-Control-Allow-Origin"] == "https://front.example.org"
    other = client.get("/api/v1/letters/", HTTP_ORIGIN="https://evil.example.com")
    assert "Access-Control-Allow-Origin" not in other


def test_openapi_document(client, db):
    response = client.get("/api/openapi.json", follow=True)
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    assert {"/api/v1/letters/", "/api/v1/letters/{api_id}/", "/api/v1/organizations/"} <= set(
        document["paths"]
    )


def test_draft_preview_needs_an_editor(client, django_user_model, content):
    letter = content["letter"]
    letter.title = "Draft title"
    letter.save_revision()
    url = f"/api/v1/letters/{letter.pk}/draft/"
    assert client.get(url).status_code == 401
    client.force_login(django_user_model.objects.create_user("reader", "r@example.org", "pw"))
    assert client.get(url).status_code == 403
    client.force_login(django_user_model.objects.create_superuser("editor", "e@example.org", "pw"))
    response = client.get(url)
    assert response.status_code == 200 and response.json()["title"] == "Draft title"
    assert "no-store" in response["Cache-Control"]
    # The public API still shows the live version.
    assert get(client, f"/api/v1/letters/{letter.pk}/")["title"] == "Protect encryption"


def count_queries(client, url):
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


API_LIST_MAX_QUERIES = 19


def test_list_queries_do_not_depend_on_length(
    client, make_organization, make_letter, django_assert_max_num_queries
):
    logo = get_image_model().objects.create(title="logo", file=get_test_image_file())
    organizations = [
        make_organization(f"o{i}", f"Org {i}", logo=logo, country="KE") for i in range(13)
    ]
    for i in range(5):
        make_letter(f"few-{i}", signatories=organizations)
    client.get("/api/v1/letters/?limit=50")  # renditions are created on first use
    five = count_queries(client, "/api/v1/letters/?limit=50")
    for i in range(45):
        make_letter(f"many-{i}", signatories=organizations)
    fifty = count_queries(client, "/api/v1/letters/?limit=50")
    assert fifty == five
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(API_LIST_MAX_QUERIES):
        data = client.get("/api/v1/letters/?limit=50").json()
    assert len(data["items"]) == 50 and data["items"][0]["signatory_count"] == 13


def test_a_304_costs_one_query(client, content, django_assert_num_queries):
    etag = client.get("/api/v1/letters/")["ETag"]
    with django_assert_num_queries(1, info="only the content version is read"):
        assert client.get("/api/v1/letters/", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_unvalidated_production_answers_still_match_the_schema(client, settings, content):
    """Production skips the per-answer schema check for speed; what it sends must still fit."""
    from publishing.api import schemas

    settings.BROADSIDE_API_VALIDATE_RESPONSES = False
    schemas.LetterList.model_validate(get(client, "/api/v1/letters/?locale=fr"))
    schemas.LetterDetail.model_validate(get(client, f"/api/v1/letters/{content['french'].pk}/"))
    detail = get(client, f"/api/v1/organizations/{content['ccla'].pk}/")
    schemas.OrganizationDetail.model_validate(detail)


def test_organization_detail_contract(client, content):
    data = get(client, f"/api/v1/organizations/{content['french_ccla'].pk}/")
    assert data["name"] == "Association canadienne" and data["locale"] == "fr"
    assert data["content_language"] == "fr"
    assert {t["locale"] for t in data["translations"]} == {"en", "fr"}
    assert data["feeds"]["rss"] == "http://testserver/fr/feeds/organizations/ccla.rss"
    letters = client.get(data["letters_url"].replace("http://testserver", "")).json()
    assert [i["title"] for i in letters["items"]] == ["Protégez le chiffrement"]


def test_cache_is_keyed_on_host_and_known_parameters_only(client, settings, content):
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    first = get(client, "/api/v1/letters/")
    other = get(client, "/api/v1/letters/", HTTP_HOST="other.example")
    assert first["items"][0]["topics"][0]["feeds"]["rss"].startswith("http://testserver/")
    assert other["items"][0]["topics"][0]["feeds"]["rss"].startswith("http://other.example/")
    # Unknown parameters neither change the answer nor make new cache entries.
    assert client.get("/api/v1/letters/?junk=1")["ETag"] == client.get("/api/v1/letters/")["ETag"]
    # A reader's Accept-Language does not change a letter's links.
    french_first = get(
        client, f"/api/v1/letters/{content['letter'].pk}/", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert french_first["locale"] == "en" and "/fr/" not in french_first["body_html"]


def test_an_organizations_website_is_served_only_if_it_is_http(client, content):
    ccla = content["ccla"]
    for url in SCRIPT_URLS:
        OrganizationPage.objects.filter(pk=ccla.pk).update(website=url)
        ContentVersion.bump()
        data = get(client, f"/api/v1/organizations/{ccla.pk}/")
        assert data["website"] == "", url
    OrganizationPage.objects.filter(pk=ccla.pk).update(website="https://ccla.ca/")
    ContentVersion.bump()
    assert get(client, f"/api/v1/organizations/{ccla.pk}/")["website"] == "https://ccla.ca/"
