"""No page, admin included, makes a browser ask another host for anything.

Readers and editors of these sites are watched: an avatar from Gravatar or a font from a
font CDN tells a third party who reads or edits what. This checks what the HTML asks a
browser to load (scripts, styles, images, fonts, frames, icons); the real-browser test
records the requests themselves.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings

# What a browser fetches by itself: src/srcset of any element, <link> whose rel makes it
# load (styles, icons, preloads; not canonical/alternate), and url() in inline styles.
LOADED = re.compile(
    r"""<(?:script|img|iframe|source|video|audio|embed|input)\b[^>]*?\ssrc(?:set)?=["']([^"']+)["']"""
    r"""|url\(\s*["']?([^"')]+)["']?\s*\)""",
    re.I,
)
LINK = re.compile(r"<link\b[^>]*>", re.I)
LOADING_RELS = {"stylesheet", "icon", "preload", "modulepreload", "prefetch", "manifest"}


def foreign_loads(html: str, host: str = "testserver") -> list[str]:
    urls = [next(filter(None, match)) for match in LOADED.findall(html)]
    for tag in LINK.findall(html):
        rel = re.search(r"""\srel=["']([^"']+)["']""", tag)
        href = re.search(r"""\shref=["']([^"']+)["']""", tag)
        if rel and href and LOADING_RELS & set(rel.group(1).lower().split()):
            urls.append(href.group(1))
    found = []
    for url in urls:
        for candidate in url.split(","):
            address = candidate.strip().split(" ")[0]
            netloc = urlsplit(address).netloc
            if netloc and netloc != host:
                found.append(address)
    return found


def test_the_checker_sees_a_third_party_load():
    assert foreign_loads('<img src="https://www.gravatar.com/avatar/x">') == [
        "https://www.gravatar.com/avatar/x"
    ]
    assert foreign_loads('<link rel="stylesheet" href="//fonts.example/css">') == [
        "//fonts.example/css"
    ]
    assert foreign_loads('<img src="/media/a.png"> <a href="https://eff.org/">') == []
    assert foreign_loads('<link rel="canonical" href="https://elsewhere.example/en/">') == []


def test_avatars_are_never_asked_of_gravatar():
    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/pages/", "/admin/account/", "/admin/users/", "/admin/reports/aging-pages/"],
)
def test_admin_pages_load_nothing_from_another_host(admin_client, tree, path):
    response = admin_client.get(path)
    assert response.status_code == 200, path
    html = response.content.decode()
    assert foreign_loads(html) == [], path
    assert "gravatar" not in html.lower()


def test_the_page_editor_loads_nothing_from_another_host(admin_client, make_letter):
    letter = make_letter("on-messaging")
    response = admin_client.get(f"/admin/pages/{letter.pk}/edit/")
    assert response.status_code == 200
    assert foreign_loads(response.content.decode()) == []


def test_public_pages_load_nothing_from_another_host(client, tree, make_letter):
    letter = make_letter("on-messaging")
    for url in (tree.home.url, tree.letters.url, tree.organizations.url, letter.url):
        response = client.get(url, HTTP_HOST="testserver")
        assert response.status_code == 200, url
        assert foreign_loads(response.content.decode()) == [], url
