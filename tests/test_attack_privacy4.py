# ruff: noqa: F811 (pytest fixtures imported from tests/test_cdn_purge.py)
"""Attack (fourth outside review): what a reader can learn of private letters, anonymous
signatories and embargoed drafts from surfaces the earlier reviews did not cover.

Earlier reviews: tests/test_attack_cdn.py, tests/test_attack_sharing.py, tests/test_privacy.py,
tests/test_signatories.py.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from wagtail.models import PageViewRestriction

from home.models import LetterIndexPage, LetterSignatory
from home.signatories import SignatoryVisibility, signature_rows
from publishing.share_images.storage import (
    LEGACY_FOLDER,
    move_cards_out_of_media,
    share_image_storage,
)
from tests.conftest import publish
from tests.test_cdn_purge import content, content_ids, varnish  # noqa: F401 (fixtures)


# -- share card files -----------------------------------------------------------------------
def test_attack_cards_are_not_kept_where_the_web_server_serves_media_to_anyone():
    """docs/deploy.md has the web server serve MEDIA_ROOT (and `make run` serves it too):
    a card kept there answered at /media/share-images/<name> after its letter was made
    private, past the view that checks the letter is public."""
    cards = Path(share_image_storage().location).resolve()
    media = Path(settings.MEDIA_ROOT).resolve()
    assert not cards.is_relative_to(media), cards


def test_attack_cards_left_in_media_by_an_earlier_version_move_out_after_migrate():
    legacy = Path(settings.MEDIA_ROOT) / LEGACY_FOLDER
    (legacy / "ab").mkdir(parents=True)
    (legacy / "ab" / f"{'a' * 40}.png").write_bytes(b"card")
    storage = share_image_storage()

    assert move_cards_out_of_media() == 1
    assert not legacy.exists()
    assert storage.open(f"ab/{'a' * 40}.png").read() == b"card"
    storage.delete(f"ab/{'a' * 40}.png")
    assert move_cards_out_of_media() == 0  # nothing left to move: a later migrate is a no-op


# -- anonymous with its country -------------------------------------------------------------
def _anonymous(organization, visibility=SignatoryVisibility.ANONYMOUS_WITH_COUNTRY):
    return LetterSignatory(organization=organization, visibility=visibility)


def test_attack_an_anonymous_signatorys_country_is_not_shown_when_it_names_the_organization(
    client, make_organization, make_letter
):
    """The demo's case: "An organization in Egypt" while the organization index and the
    API list one Egyptian organization (EIPR) name it to anyone who looks."""
    eipr = make_organization("eipr", "Egyptian Initiative for Personal Rights", country="EG")
    aclu = make_organization("aclu", "American Civil Liberties Union", country="US")
    letter = make_letter("protest", [aclu, _anonymous(eipr)])

    html = client.get(letter.url).content.decode()
    assert "An organization whose name is withheld for its safety" in html
    assert "Egypt" not in html
    signatories = client.get(f"/api/v1/letters/{letter.pk}/").json()["signatories"]
    assert [(s["anonymous"], s["country"], s["country_name"]) for s in signatories] == [
        (False, "US", "United States"),
        (True, "", ""),
    ]


def test_attack_a_country_whose_other_organizations_the_letter_names_is_not_shown(
    make_organization, make_letter
):
    """Two Kenyan organizations on the site; the letter names one and has "an organization
    in Kenya": by elimination, the other one."""
    named = make_organization("khrc", "Kenya Human Rights Commission", country="KE")
    hidden = make_organization("kenya-two", "Second Kenyan Org", country="KE")
    letter = make_letter("kenya", [named, _anonymous(hidden)])

    rows = signature_rows([letter])[letter.pk]
    assert [(row.visibility, row.country) for row in rows] == [
        (SignatoryVisibility.PUBLIC, "KE"),
        (SignatoryVisibility.ANONYMOUS, ""),
    ]


def test_attack_a_country_shared_with_organizations_the_letter_does_not_name_is_shown(
    make_organization, make_letter
):
    """What "anonymous with its country" is for: the country leaves the reader a choice."""
    hidden = make_organization("kenya-one", "First Kenyan Org", country="KE")
    make_organization("kenya-two", "Second Kenyan Org", country="KE")
    two_anonymous = make_organization("kenya-three", "Third Kenyan Org", country="KE")
    letter = make_letter("kenya", [_anonymous(hidden)])
    rows = signature_rows([letter])[letter.pk]
    assert [(row.visibility, row.country) for row in rows] == [
        (SignatoryVisibility.ANONYMOUS_WITH_COUNTRY, "KE")
    ]
    # Two anonymous Kenyans among three: still a choice. Three among three: none.
    both = make_letter("both", [_anonymous(hidden), _anonymous(two_anonymous)])
    assert {row.country for row in signature_rows([both])[both.pk]} == {"KE"}


def test_attack_an_anonymous_signatory_is_not_placed_among_the_named_in_the_editors_order(
    client, make_organization, make_letter
):
    """An alphabetical list with an anonymous row between "Dejusticia" and "Hungarian Civil
    Liberties Union" tells its name starts with D to H: anonymous rows follow the named."""
    first = make_organization("dejusticia", "Dejusticia", country="CO")
    hidden = make_organization("eipr", "Egyptian Initiative for Personal Rights", country="EG")
    last = make_organization("hclu", "Hungarian Civil Liberties Union", country="HU")
    letter = make_letter(
        "alphabetical", [first, _anonymous(hidden, SignatoryVisibility.ANONYMOUS), last]
    )

    rows = signature_rows([letter])[letter.pk]
    assert [row.organization_id for row in rows[:2]] == [first.pk, last.pk]
    assert rows[2].visibility == SignatoryVisibility.ANONYMOUS
    api = client.get(f"/api/v1/letters/{letter.pk}/").json()["signatories"]
    assert [s["anonymous"] for s in api] == [False, False, True]


# -- redirects from former addresses --------------------------------------------------------
def _renamed(letter, slug: str, run_on_commit):
    """The letter published under a new slug; Wagtail makes the redirect on commit."""
    letter.slug = slug
    return run_on_commit(publish, letter)


def test_attack_a_public_letters_former_address_still_redirects_to_it(
    client, make_letter, run_on_commit
):
    letter = _renamed(make_letter("first-name"), "second-name", run_on_commit)
    response = client.get("/en/letters/first-name/")
    assert response.status_code == 301 and response["Location"] == letter.url


def test_attack_a_private_letters_former_address_does_not_give_its_new_one(
    client, make_letter, run_on_commit
):
    """A letter made private (taken down for a signatory's safety) and renamed answered
    its old, public address with a redirect to the new one, which names it."""
    letter = make_letter("open-letter")
    restriction = PageViewRestriction.objects.create(
        page=letter, restriction_type=PageViewRestriction.PASSWORD, password="sesame"
    )
    letter = _renamed(letter, "plan-against-minister-x", run_on_commit)

    response = client.get("/en/letters/open-letter/")
    assert response.status_code == 404
    assert "minister" not in response.get("Location", "") + response.content.decode()
    # A reader who has the password may still follow the old link.
    client.post(
        reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, letter.pk]),
        {"password": "sesame", "return_url": letter.url},
    )
    assert client.get("/en/letters/open-letter/")["Location"] == letter.url


def test_attack_a_letter_moved_into_a_private_section_leaves_no_way_to_it(
    client, tree, make_letter, run_on_commit
):
    section = LetterIndexPage(title="Partners only", slug="partners-only")
    tree.home.add_child(instance=section)
    publish(section)
    PageViewRestriction.objects.create(page=section, restriction_type=PageViewRestriction.LOGIN)
    letter = make_letter("encryption")
    run_on_commit(letter.move, section, pos="last-child")

    response = client.get("/en/letters/encryption/")
    assert response.status_code == 404
    assert "partners-only" not in response.get("Location", "")


# -- the letter's publisher and network -----------------------------------------------------
def test_attack_a_signatory_hidden_by_the_letter_is_not_named_as_its_publisher(
    client, make_organization, make_letter
):
    """An organization at risk is withheld (or anonymised) after publication; it was also
    the letter's publisher, so "About <it>" and the API's `published_by` still named it."""
    network = make_organization(
        "inclo", "Network of Liberties", description="<p>About the network.</p>"
    )
    at_risk = make_organization(
        "eipr", "Egyptian Initiative", country="EG", member_of=network,
        description="<p>Who we are.</p>",
    )  # fmt: skip
    named = make_organization("aclu", "American Union", country="US")
    for visibility in (SignatoryVisibility.WITHHELD, SignatoryVisibility.ANONYMOUS):
        letter = make_letter(
            f"letter-{visibility}",
            [named, _anonymous(at_risk, visibility)],
            published_by=at_risk,
        )
        html = client.get(letter.url).content.decode()
        assert "Egyptian Initiative" not in html and "Who we are" not in html, visibility
        detail = client.get(f"/api/v1/letters/{letter.pk}/").json()
        assert detail["published_by"] is None and detail["network"] is None, visibility
        assert "Egyptian Initiative" not in str(detail)

    # A hidden network is not named through a publisher the letter names.
    publisher = make_organization("cels", "Centro", country="AR", member_of=network)
    letter = make_letter("network-hidden", [publisher, _anonymous(network)], published_by=publisher)
    assert client.get(f"/api/v1/letters/{letter.pk}/").json()["network"] is None
    assert "Network of Liberties" not in client.get(letter.url).content.decode()


# -- shared caches ----------------------------------------------------------------------------
def test_attack_a_page_rendered_for_a_signed_in_editor_is_marked_private(
    superuser_client, make_letter
):
    """It carries the user bar (admin links); HTML pages send no Cache-Control of their own,
    so a CDN whose rule missed the session cookie would keep it and serve it to everyone."""
    letter = make_letter("public-letter")
    response = superuser_client.get(letter.url)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]


def test_attack_every_private_surface_tells_shared_caches_not_to_keep_it(client, make_letter):
    """What a reader gets of a private letter (the password form, the sign-in redirect)
    and what the reader who passed gets must never be kept by a shared cache."""
    letter = make_letter("private-letter")
    restriction = PageViewRestriction.objects.create(
        page=letter, restriction_type=PageViewRestriction.PASSWORD, password="sesame"
    )
    form = client.get(letter.url)
    assert "no-store" in form["Cache-Control"] and "private" in form["Cache-Control"]
    assert letter.title not in form.content.decode()  # Wagtail's form names no page
    client.post(
        reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, letter.pk]),
        {"password": "sesame", "return_url": letter.url},
    )
    page = client.get(letter.url)
    assert letter.title in page.content.decode()
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    restriction.restriction_type = PageViewRestriction.LOGIN
    restriction.save()
    client.logout()
    login = client.get(letter.url)
    assert login.status_code == 302 and "no-store" in login["Cache-Control"]


# -- embargoed (scheduled) drafts -------------------------------------------------------------
def test_attack_an_embargoed_letter_and_its_translation_show_nowhere_before_go_live(
    client, make_organization, make_letter, translate, run_on_commit
):
    """Confirmation (no fault found): a draft only scheduled (page_published fires for it,
    wagtail#13959), translated into French before its go-live (the translation takes the
    go-live time), is in no reader's surface in either language, and no card answers."""
    from datetime import timedelta

    from django.utils import timezone

    from home.models import LetterPage
    from publishing.models import ShareImage
    from publishing.social.recording import shareable_letter

    organization = make_organization("ccla", "Civil Liberties", country="CA")
    make_letter("public-one", [organization])
    index = LetterIndexPage.objects.get(slug="letters")
    draft = LetterPage(
        title="Quokka embargo", slug="quokka-embargo", standfirst="Quokka standfirst.",
        publication_date=date(2025, 1, 1), live=False,
    )  # fmt: skip
    draft.signatories = [LetterSignatory(organization=organization)]
    index.add_child(instance=draft)
    draft.go_live_at = timezone.now() + timedelta(days=2)
    run_on_commit(lambda: draft.save_revision().publish())
    french = translate(LetterPage.objects.get(pk=draft.pk), "fr")
    pages = [LetterPage.objects.get(pk=draft.pk), french]
    assert not any(page.live for page in pages)

    for language in ("en", "fr"):
        for url in (
            f"/api/v1/letters/?locale={language}",
            f"/api/v1/letters/?locale={language}&search=quokka",
            f"/api/v1/letters/?locale={language}&organization={organization.pk}",
            f"/{language}/feeds/letters.rss",
            "/en/feeds/organizations/ccla.atom",
            organization.url,
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            assert "quokka" not in response.content.decode().casefold(), url
        found = client.get(f"/{language}/search/", {"query": "quokka"}).context["search_results"]
        assert list(found) == [], language
    for page in pages:
        assert client.get(page.url).status_code == 404
        assert client.get(f"/api/v1/letters/{page.pk}/").status_code == 404
        assert shareable_letter(page.pk) is None
    for name in ShareImage.objects.filter(page__in=pages).values_list("file_name", flat=True):
        assert client.get(f"/share-images/{name}").status_code == 404


# -- CDN purges with two restrictions -------------------------------------------------------
@pytest.mark.parametrize("other", ["section", "translation"])
def test_attack_a_letter_still_private_after_one_of_its_two_restrictions_goes_is_not_named(
    varnish, content, django_capture_on_commit_callbacks, other
):
    """Confirmation (no fault found): a letter private on its own and through its section
    (or through its French translation's restriction); its own restriction removed, it is
    still private, so neither it nor its signatories' API lists are sent to the CDN."""
    holder = content.letter.get_parent() if other == "section" else content.french
    with django_capture_on_commit_callbacks(execute=True):
        own = PageViewRestriction.objects.create(
            page=content.letter, restriction_type=PageViewRestriction.LOGIN
        )
        PageViewRestriction.objects.create(page=holder, restriction_type=PageViewRestriction.LOGIN)
    varnish.purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        own.delete()
    sent = "\n".join(varnish.purged)
    for fragment in ("/encryption/", "/protegez-le-chiffrement/", "organization="):
        assert fragment not in sent, (other, fragment)


def test_attack_an_organization_leaving_purges_letters_whose_anonymous_country_it_covered(
    varnish, content, django_capture_on_commit_callbacks
):
    """The letter shows "an organization in Egypt" while another Egyptian organization is
    public; once that one is unpublished, the country would name the signatory, and the
    page no longer shows it: the CDN's copy, which still does, must go."""
    from home.models import OrganizationPage

    OrganizationPage.objects.filter(pk=content.eipr.pk).update(country="EG")
    LetterSignatory.objects.filter(organization=content.eipr).update(
        visibility=SignatoryVisibility.ANONYMOUS_WITH_COUNTRY
    )
    other = OrganizationPage(title="Other Egyptian", slug="other-eg", country="EG")
    with django_capture_on_commit_callbacks(execute=True):
        content.ccla.get_parent().add_child(instance=other)
        publish(other)
    varnish.purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        other.unpublish()
    assert "http://localhost/en/letters/encryption/" in varnish.purged
