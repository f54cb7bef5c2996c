"""What the translation workflow must never leak (an outside review's attacks, kept as tests).

- A private letter's title never leaves the site by email, nor reaches a dashboard of
  someone who may not edit it.
- An embargoed draft (scheduled, not live: wagtail#13959 still sends `page_published`) is
  neither emailed to translators nor synchronised into live translations.
- When facts synchronised from a source withhold a signatory, the translations' old cards,
  which name it, stop being served at once (the translations are not published, so only
  the `facts_synchronised` signal tells the cards).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.utils import timezone
from wagtail.models import PageViewRestriction

from home.models import LetterPage, LetterSignatory, SignatoryVisibility
from publishing.models import ShareImage
from translations.translators import translator_group_name
from translations.wagtail_hooks import OutdatedTranslationsPanel

OLD = "Governments must not weaken encryption."
NEW = "Embargoed text of the letter."


def hebrew_translator():
    user = get_user_model().objects.create_user("dana", "dana@example.org", "pw")
    user.groups.add(Group.objects.get(name=translator_group_name("he")))
    return user


def emails_to_dana():
    return [message for message in mail.outbox if message.to == ["dana@example.org"]]


def test_a_private_letters_title_is_not_emailed(
    make_letter, translate, django_capture_on_commit_callbacks
):
    letter = make_letter("sealed", title="Sealed letter to the ministry", standfirst=OLD)
    translate(letter, "he", {OLD: "ממשלות"})
    hebrew_translator()
    PageViewRestriction.objects.create(page=letter, restriction_type="login")
    letter = LetterPage.objects.get(pk=letter.pk)
    letter.standfirst = NEW
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        letter.save_revision().publish()
    (sent,) = emails_to_dana()  # told, with a link
    assert "/admin/" in sent.body
    assert "Sealed letter" not in sent.body + sent.subject and NEW not in sent.body


def test_an_embargoed_draft_is_neither_emailed_nor_synchronised(
    make_letter, translate, django_capture_on_commit_callbacks
):
    letter = make_letter("embargo", title="Embargoed letter", standfirst=OLD)
    hebrew = translate(letter, "he", {OLD: "ממשלות"})
    hebrew_translator()
    letter = LetterPage.objects.get(pk=letter.pk)
    letter.unpublish()
    letter = LetterPage.objects.get(pk=letter.pk)
    letter.standfirst = NEW
    letter.go_live_at = timezone.now() + timedelta(days=3)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        letter.save_revision().publish()
    assert not LetterPage.objects.get(pk=letter.pk).live  # still embargoed
    assert emails_to_dana() == []
    assert NEW not in str(LetterPage.objects.get(pk=hebrew.pk).standfirst)


def test_the_dashboard_names_only_translations_the_user_may_edit(
    make_letter, translate, django_capture_on_commit_callbacks
):
    letter = make_letter("sealed2", title="Sealed letter on the dashboard", standfirst=OLD)
    translate(letter, "he", {OLD: "ממשלות"})
    PageViewRestriction.objects.create(page=letter, restriction_type="login")
    letter = LetterPage.objects.get(pk=letter.pk)
    letter.standfirst = NEW
    with django_capture_on_commit_callbacks(execute=True):
        letter.save_revision().publish()
    outsider = get_user_model().objects.create_user("nobody", "n@example.org", "pw")
    outsider.user_permissions.add(Permission.objects.get(codename="access_admin"))
    assert "Sealed letter" not in OutdatedTranslationsPanel(outsider).render_html()
    admin = get_user_model().objects.create_superuser("root", "r@example.org", "pw")
    assert "Sealed letter" in OutdatedTranslationsPanel(admin).render_html()  # can fail


def test_withholding_on_a_non_default_source_hides_its_translations_old_cards(
    tree, make_organization, translate, django_capture_on_commit_callbacks, client
):
    aclu = make_organization("aclu", "American Civil Liberties Union", country="US")
    liberty = make_organization("liberty", "Liberty", country="GB")
    french_index = translate(tree.letters, "fr")
    letter = LetterPage(
        title="Lettre",
        slug="lettre",
        publication_date=date(2025, 1, 1),
        standfirst="Chapeau.",
        body=[{"type": "paragraph", "value": "<p>Corps.</p>"}],
    )
    letter.signatories = [LetterSignatory(organization=aclu), LetterSignatory(organization=liberty)]
    with django_capture_on_commit_callbacks(execute=True):
        french_index.add_child(instance=letter)
        letter.save_revision().publish()
    with django_capture_on_commit_callbacks(execute=True):
        english = translate(letter, "en")
    with django_capture_on_commit_callbacks(execute=True):
        english.save_revision().publish()
    shown = list(ShareImage.objects.filter(page=english, stale=False))
    assert shown and all(
        client.get(f"/share-images/{c.file_name}").status_code == 200 for c in shown
    )
    letter = LetterPage.objects.get(pk=letter.pk)
    rows = list(letter.signatories.all())
    letter.signatories = [
        LetterSignatory(
            organization=aclu,
            visibility=SignatoryVisibility.WITHHELD,
            translation_key=rows[0].translation_key,
            locale=rows[0].locale,
        ),
        LetterSignatory(
            organization=liberty, translation_key=rows[1].translation_key, locale=rows[1].locale
        ),
    ]
    with django_capture_on_commit_callbacks(execute=False):  # the redraw never runs here
        letter.save_revision().publish()
    for card in shown:  # the old cards name ACLU: none may still answer
        assert client.get(f"/share-images/{card.file_name}").status_code == 404
