"""A NUL character anywhere in a request that could reach a query is a 400, never a 500.

PostgreSQL refuses text containing NUL, so on it each of these was a 500; SQLite let
them through. Both databases now answer 400 before any view runs (config/middleware.py).
"""

import pytest
from django.contrib.auth import get_user_model

PUBLIC_URLS = [
    "/en/search/?query=a%00b",
    "/fr/search/?query=%00",
    "/en/search/?qu%00ery=a",  # in a parameter's name
    "/api/v1/letters/?topic=%00",
    "/api/v1/letters/?search=a%00",
    "/api/v1/letters/?locale=e%00n",
    "/api/v1/organizations/?country=a%00",
    "/api/v1/organizations/?search=%00",
    "/en/feeds/topics/a%00b.rss",
    "/en/feeds/organizations/a%00b.atom",
    "/en/letters/a%00b/",  # a page path
    "/en/letters/?page=%00",
]
ADMIN_URLS = [
    "/admin/pages/search/?q=a%00b",
    "/admin/images/?q=%00",
    "/admin/reports/site-history/?action=%00",
]


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_a_nul_character_in_a_public_address_is_a_bad_request(client, tree, url):
    response = client.get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        body = response.json()
        assert "NUL" in body["message"] and body["errors"][0]["parameter"]


@pytest.mark.parametrize("url", ADMIN_URLS)
def test_a_nul_character_in_an_admin_filter_is_a_bad_request(client, tree, url):
    client.force_login(get_user_model().objects.create_superuser("e", "e@example.org", "pw"))
    assert client.get(url).status_code == 400


def test_a_nul_character_in_the_session_cookie_is_a_bad_request(client, tree):
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert client.get("/admin/").status_code == 400


def test_ordinary_addresses_still_work(client, tree):
    assert client.get("/en/search/?query=ab").status_code == 200
    assert client.get("/api/v1/letters/?search=ab").status_code == 200
