"""What readers and crawlers get: lang/dir, hreflang, canonical, og:*, the switcher."""

import re

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Locale
from wagtail_localize.synctree import synchronize_tree

from home.links import http_url, validate_http_url
from home.models import LetterPage, LetterSignatory, OrganizationPage, SignatoryVisibility
from tests.links import SCRIPT_URLS, hrefs, linked
from tests.responses import text_of


def links(html: str, rel: str = "alternate") -> dict[str, str]:
    return dict(re.findall(rf'<link rel="{rel}" hreflang="([^"]+)" href="([^"]+)">', html))


def test_hreflang_set_includes_self_and_x_default(client, make_letter, translate):
    letter = make_letter("encryption")
    french = translate(letter, "fr")
    arabic = translate(letter, "ar")
    html = text_of(client.get(french.url))
    alternates = links(html)
    assert alternates == {
        "en": "http://localhost/en/letters/encryption/",
        "fr": f"http://localhost{french.url}",
        "ar": f"http://localhost{arabic.url}",
        "x-default": "http://localhost/en/letters/encryption/",
    }
    assert f'<link rel="canonical" href="http://localhost{french.url}">' in html


def test_arabic_page_is_right_to_left_and_says_so(client, make_letter, translate):
    arabic = translate(make_letter("encryption"), "ar", {"Encryption": "التشفير"})
    html = text_of(client.get(arabic.url))
    assert '<html lang="ar" dir="rtl">' in html
    assert '<article class="letter container" lang="ar" dir="rtl">' in html
    assert '<meta property="og:locale" content="ar_EG">' in html
    assert '<meta property="og:locale:alternate" content="en_US">' in html


def test_open_graph_and_twitter_meta(client, make_letter):
    letter = make_letter("meta", title="Meta letter", standfirst="What we ask.")
    html = text_of(client.get(letter.url))
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="Meta letter">' in html
    assert '<meta property="og:description" content="What we ask.">' in html
    assert '<meta property="og:url" content="http://localhost/en/letters/meta/">' in html
    assert '<meta property="og:locale" content="en_US">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html


def test_switcher_lists_live_translations_only(client, make_letter, translate):
    letter = make_letter("switch")
    french = translate(letter, "fr")
    translate(letter, "ar").unpublish()
    html = text_of(client.get(letter.url))
    switcher = html[html.index('class="language-switcher"') :]
    switcher = switcher[: switcher.index("</nav>")]
    assert '<span aria-current="page" lang="en">English</span>' in switcher
    assert f'href="{french.url}" hreflang="fr" lang="fr">Français</a>' in switcher
    assert "العربية" not in switcher
    assert "ar" not in links(html)


def test_untranslated_page_in_a_synchronised_tree_is_labelled_not_passed_off(
    client, tree, make_letter
):
    letter = make_letter("only-english", title="Only in English")
    synchronize_tree(Locale.objects.get(language_code="en"), Locale.objects.get(language_code="es"))
    alias = LetterPage.objects.get(
        translation_key=letter.translation_key, locale__language_code="es"
    )
    assert alias.alias_of_id == letter.pk

    html = text_of(client.get(alias.url))
    assert '<html lang="es" dir="ltr">' in html
    assert '<article class="letter container" lang="en" dir="ltr">' in html
    assert 'class="notice" role="note"' in html
    # Not announced as a Spanish translation; the canonical URL is the original.
    assert "es" not in links(html)
    assert '<link rel="canonical" href="http://localhost/en/letters/only-english/">' in html


def test_withheld_and_anonymous_signatories_reveal_nothing(client, make_organization, make_letter):
    named = make_organization("named", "Named Org", country="KE")
    anonymous = make_organization("anon", "Anonymous Org", country="EG")
    make_organization("other-eg", "Other Egyptian Org", country="EG")  # so Egypt names neither
    hidden = make_organization("hidden", "Hidden Org", country="RU")
    letter = make_letter(
        "at-risk",
        signatories=[
            LetterSignatory(organization=named),
            LetterSignatory(
                organization=anonymous, visibility=SignatoryVisibility.ANONYMOUS_WITH_COUNTRY
            ),
            LetterSignatory(organization=hidden, visibility=SignatoryVisibility.WITHHELD),
        ],
    )
    html = text_of(client.get(letter.url))
    assert "Named Org" in html
    assert "Anonymous Org" not in html and anonymous.url not in html
    assert "Hidden Org" not in html and hidden.url not in html and "Russia" not in html
    assert "An organization in <bdi>Egypt</bdi> (name withheld for its safety)" in html
    assert "Signed by 2 organizations" in html


def test_plural_rules_follow_the_language(client, make_organization, make_letter, translate):
    organizations = [make_organization(f"org{i}") for i in range(3)]
    letter = make_letter("plural", signatories=organizations)
    arabic = translate(letter, "ar")
    html = text_of(client.get(arabic.url))
    assert "وقّعتها 3 منظمات" in html  # Arabic "few" form, not the English plural


def test_language_root_redirects_and_missing_pages_are_404_in_the_readers_language(client, tree):
    assert client.get("/").status_code == 302
    assert client.get("/en/").status_code == 200
    assert client.get("/xx/", follow=True).status_code == 404
    missing = client.get("/fr/nothing-here/")
    assert missing.status_code == 404
    assert "Page introuvable" in missing.content.decode()  # UI strings are translated


@pytest.mark.parametrize("url", SCRIPT_URLS)
def test_only_http_urls_pass_the_link_check(url):
    assert http_url(url) == ""
    with pytest.raises(ValidationError):
        validate_http_url(url)


@pytest.mark.parametrize(
    "url", ["https://ccla.ca/", "http://example.org/a?b=c#d", "HTTPS://EXAMPLE.ORG", ""]
)
def test_http_urls_pass_the_link_check_unchanged(url):
    assert http_url(url) == url
    validate_http_url(url)


def test_an_organizations_website_links_only_if_it_is_http(client, make_organization):
    organization = make_organization("ccla", "CCLA", website="https://ccla.ca/")
    assert "https://ccla.ca/" in hrefs(client.get(organization.url).content.decode())
    for url in SCRIPT_URLS:
        OrganizationPage.objects.filter(pk=organization.pk).update(website=url)
        html = client.get(organization.url).content.decode()
        assert linked(html) == [], url


def test_an_editor_cannot_save_a_website_that_is_not_http(make_organization):
    organization = make_organization("eipr", "EIPR")
    for url in ("ftp://eipr.example/", "javascript:alert(1337)", "data:text/html,1337"):
        organization.website = url
        with pytest.raises(ValidationError) as refused:
            organization.full_clean()
        assert "website" in refused.value.message_dict, url
