# ruff: noqa: F811 (pytest fixtures imported from tests/test_cdn_purge.py)
"""Attack: CDN purges must never name a page before it is public (an embargoed letter,
a draft made private) nor a letter that was private before and after a change."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone
from wagtail.models import PageViewRestriction

from home.models import LetterPage, LetterSignatory
from tests.test_cdn_purge import content, content_ids, varnish  # noqa: F401 (fixtures)

EMBARGOED = "embargoed-quokka"


def _draft_letter(content) -> LetterPage:
    letter = LetterPage(
        title="Embargoed quokka",
        slug=EMBARGOED,
        standfirst="Standfirst.",
        publication_date=date(2025, 1, 1),
        body=[{"type": "paragraph", "value": "<p>Body.</p>"}],
        live=False,
    )
    letter.signatories = [LetterSignatory(organization=content.ccla)]
    content.letter.get_parent().add_child(instance=letter)
    return letter


def _named(varnish) -> str:
    return "\n".join(varnish.purged)


def test_attack_a_scheduled_letter_is_not_named_to_the_cdn_before_it_goes_live(
    varnish, content, django_capture_on_commit_callbacks
):
    """Wagtail sends page_published for a draft only scheduled (wagtail#13959): the
    embargoed letter's address (its slug is its title) must not reach the CDN."""
    letter = _draft_letter(content)
    varnish.purged.clear()
    letter.go_live_at = timezone.now() + timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        letter.save_revision().publish()
    letter.refresh_from_db()
    assert not letter.live
    assert EMBARGOED not in _named(varnish)
    assert f"/letters/{letter.pk}/" not in _named(varnish)


def test_attack_a_draft_made_private_is_not_named_to_the_cdn(
    varnish, content, django_capture_on_commit_callbacks
):
    """A letter never published, given a password to show partners before the embargo
    ends, was never in a public answer: nothing to purge, and its address names it."""
    letter = _draft_letter(content)
    varnish.purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=letter, restriction_type=PageViewRestriction.PASSWORD, password="x"
        )
    assert EMBARGOED not in _named(varnish)


def test_attack_a_private_letters_new_password_names_nothing_to_the_cdn(
    varnish, content, django_capture_on_commit_callbacks
):
    """A private letter's restriction edited (a new password, other groups) leaves it
    private: it was in no public answer, and its addresses and its signatories' API
    lists (`organization=<id>`) would tie the organizations to it at the CDN."""
    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(
            page=content.letter, restriction_type=PageViewRestriction.PASSWORD, password="x"
        )
    varnish.purged.clear()
    restriction.password = "y"
    with django_capture_on_commit_callbacks(execute=True):
        restriction.save()
    assert varnish.purged == []


def test_attack_a_section_made_private_or_public_again_names_no_letter_private_on_its_own(
    varnish, content, django_capture_on_commit_callbacks
):
    """A letter private on its own was in no public answer before the letters' section
    was made private, nor after it is public again: its address, and its signatories' API
    lists, are not sent to the CDN with the section's."""
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=content.letter, restriction_type=PageViewRestriction.LOGIN
        )
    index = content.letter.get_parent()
    for change in ("made private", "public again"):
        varnish.purged.clear()
        with django_capture_on_commit_callbacks(execute=True):
            if change == "made private":
                restriction = PageViewRestriction.objects.create(
                    page=index, restriction_type=PageViewRestriction.LOGIN
                )
            else:
                restriction.delete()
        sent = _named(varnish)
        assert "/en/letters/" in sent, change  # the section itself goes
        for fragment in ("/encryption/", "/protegez-le-chiffrement/", "organization="):
            assert fragment not in sent, (change, fragment)


def test_attack_a_letter_moved_into_a_private_section_leaves_no_public_answer_showing_it(
    varnish, content, django_capture_on_commit_callbacks
):
    """Moving a letter under a private section makes it private without a restriction of
    its own changing: the feeds, listings and API answers that showed it while public (and
    its former address) must leave the CDN, as for a letter made private."""
    from home.models import LetterIndexPage
    from tests.conftest import publish

    home = content.letter.get_parent().get_parent()
    section = LetterIndexPage(title="Partners only", slug="partners-only")
    home.add_child(instance=section)
    with django_capture_on_commit_callbacks(execute=True):
        publish(section)
        PageViewRestriction.objects.create(page=section, restriction_type=PageViewRestriction.LOGIN)
    varnish.purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        content.letter.move(section, pos="last-child")
    sent = set(varnish.purged)
    site = "http://localhost"
    for url in (
        f"{site}/en/letters/encryption/",  # its former address
        f"{site}/en/feeds/letters.rss",
        f"{site}/en/feeds/topics/privacy.atom",
        f"{site}/api/v1/letters/?locale=en",
        f"{site}/api/v1/letters/{content.letter.pk}/",
    ):
        assert url in sent, url
    assert "partners-only/encryption" not in "\n".join(sent)  # its new, private address


def test_attack_a_signatory_withheld_after_publication_leaves_the_cdn_with_its_pages(
    varnish, content, django_capture_on_commit_callbacks
):
    """Withholding a named signatory after publication (it is at risk now) must drop from
    the CDN its page, feed and API list, which showed the letter while it was named: the
    purge worked out after the publish no longer finds them."""
    row = content.letter.signatories.get(organization=content.ccla)
    row.visibility = "withheld"
    row.save()
    varnish.purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        publish_again(content.letter)
    site = "http://localhost"
    for url in (
        f"{site}/en/organizations/ccla/",
        f"{site}/en/feeds/organizations/ccla.rss",
        f"{site}/api/v1/letters/?locale=en&organization={content.ccla.pk}",
    ):
        assert url in varnish.purged, url


def publish_again(letter):
    from tests.conftest import publish

    letter.refresh_from_db()
    return publish(letter)
