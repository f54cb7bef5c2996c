"""The source letter changes after three translations exist (issue 17).

Facts reach every live translation at once, without a new revision or publication;
changed text keeps its previous translation live, flagged for review, until a
translator updates it; the translators of each language are told.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext, override
from wagtail.models import Locale, Revision
from wagtail.users.models import UserProfile
from wagtail_localize.models import StringTranslation, Translation

from home.models import LetterPage, LetterSignatory, SignatoryVisibility
from tests.responses import text_of
from translations.models import OutdatedSegment
from translations.review import CARRIED_TOOL
from translations.translators import translator_group_name

LANGUAGES = ("fr", "he", "ru")
OLD = "Governments must not weaken encryption."
NEW = "Governments must never weaken encryption."
TRANSLATED = {
    "fr": "Les États ne doivent pas affaiblir le chiffrement.",
    "he": "ממשלות אסור להן להחליש הצפנה.",
    "ru": "Правительства не должны ослаблять шифрование.",
}


@pytest.fixture
def journey(make_organization, make_letter, translate, django_capture_on_commit_callbacks):
    """A letter signed by aclu and liberty, live in French, Hebrew and Russian; then the
    English standfirst edited, ccla added first, aclu withheld, and English published."""
    aclu = make_organization("aclu", "American Civil Liberties Union", country="US")
    liberty = make_organization("liberty", "Liberty", country="GB")
    ccla = make_organization("ccla", "Canadian Civil Liberties Association", country="CA")
    letter = make_letter(
        "encryption", title="Protect encryption", standfirst=OLD, signatories=[aclu, liberty]
    )
    translations = {code: translate(letter, code, {OLD: TRANSLATED[code]}) for code in LANGUAGES}
    before = {
        code: (
            page.last_published_at,
            Revision.page_revisions.filter(object_id=str(page.pk)).count(),
        )
        for code, page in translations.items()
    }
    translator = get_user_model().objects.create_user("dana", "dana@example.org", "pw")
    translator.groups.add(Group.objects.get(name=translator_group_name("he")))
    mail.outbox.clear()

    letter = LetterPage.objects.get(pk=letter.pk)
    letter.standfirst = NEW
    letter.signatories = [
        LetterSignatory(organization=ccla),
        LetterSignatory(organization=liberty),
        LetterSignatory(organization=aclu, visibility=SignatoryVisibility.WITHHELD),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        letter.save_revision().publish()
    return {
        "letter": letter,
        "translations": translations,
        "before": before,
        "orgs": (aclu, liberty, ccla),
    }


def revisions(page) -> int:
    return Revision.page_revisions.filter(object_id=str(page.pk)).count()


def live(page) -> LetterPage:
    return LetterPage.objects.get(pk=page.pk)


def test_facts_reach_every_live_translation_without_republishing_it(journey):
    aclu, liberty, ccla = journey["orgs"]
    for code, page in journey["translations"].items():
        page = live(page)
        rows = [(r.organization_id, r.visibility) for r in page.signatories.order_by("sort_order")]
        assert rows == [
            (ccla.pk, SignatoryVisibility.PUBLIC),
            (liberty.pk, SignatoryVisibility.PUBLIC),
            (aclu.pk, SignatoryVisibility.WITHHELD),
        ], code
        published_at, count = journey["before"][code]
        assert page.last_published_at == published_at, code  # not published again
        assert revisions(page) == count, code
        assert page.standfirst == TRANSLATED[code], code  # its text untouched


def test_a_withheld_signatory_vanishes_from_every_translation_at_once(journey, client):
    for code, page in journey["translations"].items():
        page = live(page)
        html = text_of(client.get(page.url))
        assert "American Civil Liberties Union" not in html, code
        assert "Canadian Civil Liberties Association" in html, code
        api = client.get(f"/api/v1/letters/{page.pk}/").json()
        names = str(api["signatories"])
        assert "American Civil Liberties Union" not in names, code
        assert "Canadian Civil Liberties Association" in names, code
        feed = text_of(client.get(f"/{code}/feeds/letters.atom"))
        assert "American Civil Liberties Union" not in feed, code
        assert "Canadian Civil Liberties Association" in feed, code


def test_a_changed_segment_keeps_its_previous_translation_marked_for_review(journey):
    for code, page in journey["translations"].items():
        translation = Translation.objects.get(
            source__object_id=page.translation_key, target_locale__language_code=code
        )
        review = OutdatedSegment.objects.get(translation=translation)
        assert review.context.path == "standfirst"
        assert (review.previous_source, review.current_source) == (OLD, NEW)
        assert review.previous_translation == TRANSLATED[code]
        carried = StringTranslation.objects.get(
            translation_of=review.current_string, context=review.context, locale=page.locale
        )
        assert carried.data == TRANSLATED[code] and carried.tool_name == CARRIED_TOOL


def test_publishing_a_translation_after_the_change_keeps_its_translated_text(
    journey, django_capture_on_commit_callbacks
):
    page = journey["translations"]["ru"]
    translation = Translation.objects.get(
        source__object_id=page.translation_key, target_locale=page.locale
    )
    with django_capture_on_commit_callbacks(execute=True):
        translation.save_target(publish=True)  # the editor's Publish, "Sync … Publish"
    assert live(page).standfirst == TRANSLATED["ru"]
    assert OutdatedSegment.objects.filter(translation=translation).exists()  # still to review


def test_a_translator_updating_the_segment_clears_the_flag(
    journey, django_capture_on_commit_callbacks
):
    page = journey["translations"]["fr"]
    translation = Translation.objects.get(
        source__object_id=page.translation_key, target_locale=page.locale
    )
    review = OutdatedSegment.objects.get(translation=translation)
    new_french = "Les États ne doivent jamais affaiblir le chiffrement."
    StringTranslation.objects.update_or_create(  # what the translation editor saves
        translation_of=review.current_string,
        locale=page.locale,
        context=review.context,
        defaults={"data": new_french, "translation_type": "manual", "tool_name": ""},
    )
    assert not OutdatedSegment.objects.filter(translation=translation).exists()
    with django_capture_on_commit_callbacks(execute=True):
        translation.save_target(publish=True)
    assert live(page).standfirst == new_french


def test_the_translators_of_each_language_are_emailed_what_changed(journey):
    to_dana = [m for m in mail.outbox if m.to == ["dana@example.org"]]
    assert len(to_dana) == 1  # Hebrew only: she translates Hebrew
    body = to_dana[0].body
    assert OLD in body and NEW in body and TRANSLATED["he"] in body
    with override("he"):  # the email is in the translator's language
        standfirst = capfirst(gettext("standfirst"))
    assert f"* {standfirst}" in body  # the field as editors know it
    translation = Translation.objects.get(
        source__object_id=journey["letter"].translation_key, target_locale__language_code="he"
    )
    page = journey["translations"]["he"]
    assert "http://testserver" + reverse("wagtailadmin_pages:edit", args=[page.pk]) in body
    from translations.tasks import notify_translators

    mail.outbox.clear()
    notify_translators.call([translation.pk])  # a second run sends nothing again
    assert mail.outbox == []


def test_translators_see_the_flag_where_they_work(journey, client):
    admin = get_user_model().objects.create_superuser("editor", "e@example.org", "pw")
    client.force_login(admin)
    hebrew = journey["translations"]["he"]
    translation = Translation.objects.get(
        source__object_id=hebrew.translation_key, target_locale=hebrew.locale
    )
    editor = text_of(client.get(reverse("wagtailadmin_pages:edit", args=[hebrew.pk])))
    assert "passage to review" in editor and NEW in editor and TRANSLATED["he"] in editor
    report = text_of(client.get(reverse("wagtail_localize:translations_report")))
    assert "Out of date: 1 passage to review" in report
    listing = text_of(client.get(reverse("wagtailadmin_explore", args=[hebrew.get_parent().pk])))
    assert "Translation out of date" in listing
    dashboard = text_of(client.get(reverse("wagtailadmin_home")))
    assert "Translations out of date" in dashboard
    kept = client.post(reverse("translations_mark_reviewed", args=[translation.pk]))
    assert kept.status_code == 302
    assert not OutdatedSegment.objects.filter(translation=translation).exists()
    assert "Translation out of date" not in text_of(
        client.get(reverse("wagtailadmin_explore", args=[hebrew.get_parent().pk]))
    )


def test_nothing_is_flagged_when_only_facts_change(
    make_organization, make_letter, translate, django_capture_on_commit_callbacks
):
    aclu = make_organization("aclu")
    letter = make_letter("facts", signatories=[aclu])
    french = translate(letter, "fr")
    letter = LetterPage.objects.get(pk=letter.pk)
    letter.signatories = [LetterSignatory(organization=aclu, visibility="anonymous")]
    with django_capture_on_commit_callbacks(execute=True):
        letter.save_revision().publish()
    assert not OutdatedSegment.objects.exists()
    assert live(french).signatories.get().visibility == "anonymous"
    assert Locale.objects.filter(language_code="fr").exists()


def test_the_admin_offers_every_language_the_site_publishes_in(settings):
    from wagtail.admin.localization import get_available_admin_languages

    offered = {code for code, _name in get_available_admin_languages()}
    assert {code for code, _name in settings.LANGUAGES} <= offered  # he and hi included


def test_importing_an_outdated_po_file_says_which_entries_were_not_applied(
    make_letter, translate, client, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    letter = make_letter("po", title="Protect encryption", standfirst=OLD)
    french = translate(letter, "fr", {OLD: TRANSLATED["fr"]})
    translation = Translation.objects.get(
        source__object_id=letter.translation_key, target_locale=french.locale
    )
    po = translation.export_po()  # the translator takes the file away…
    for entry in po:
        entry.msgstr = f"{entry.msgstr} (revu)"
    letter = LetterPage.objects.get(pk=letter.pk)
    letter.standfirst = NEW  # …while the source changes
    with django_capture_on_commit_callbacks(execute=True):
        letter.save_revision().publish()

    client.force_login(get_user_model().objects.create_superuser("t", "t@example.org", "pw"))
    upload = SimpleUploadedFile("fr.po", str(po).encode(), content_type="text/x-gettext")
    response = client.post(
        reverse("wagtail_localize:upload_pofile", args=[translation.pk]),
        {"file": upload, "next": "/admin/"},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert any("1 entry was not applied" in m and "(standfirst)" in m for m in shown), shown
    assert any(OLD in m and "changed since the file was exported" in m for m in shown), shown
    title = StringTranslation.objects.get(
        context__path="title", locale=french.locale, translation_of__data="Protect encryption"
    )
    assert title.data.endswith("(revu)")  # the entries that still apply were imported


def test_before_publishing_source_text_on_a_live_translation_it_says_so_per_language(
    make_letter, translate, client, django_capture_on_commit_callbacks
):
    from wagtail_localize.models import TranslationSource

    letter = make_letter("fallback", title="Protect encryption", standfirst=OLD)
    french = translate(letter, "fr", {OLD: TRANSLATED["fr"]})
    letter = LetterPage.objects.get(pk=letter.pk)
    added = "A paragraph nobody has translated yet."
    letter.body = [*letter.body.raw_data, {"type": "paragraph", "value": f"<p>{added}</p>"}]
    with django_capture_on_commit_callbacks(execute=True):
        letter.save_revision().publish()

    client.force_login(get_user_model().objects.create_superuser("e", "e@example.org", "pw"))
    source = TranslationSource.objects.get(object_id=letter.translation_key)
    sync = text_of(client.get(reverse("wagtail_localize:update_translations", args=[source.pk])))
    assert "1 passage in English on the live page" in sync and added in sync
    assert "Français" in sync
    editor = text_of(client.get(reverse("wagtailadmin_pages:edit", args=[french.pk])))
    assert "Publishing now shows 1 passage in English" in editor and added in editor
    # In a French admin the source language is "anglais", not its own name "English".
    profile = UserProfile.get_for_user(get_user_model().objects.get(username="e"))
    profile.preferred_language = "fr"
    profile.save()
    sync = text_of(client.get(reverse("wagtail_localize:update_translations", args=[source.pk])))
    assert "1 passage en anglais sur la page en ligne" in sync
    assert LetterPage.objects.get(pk=french.pk).standfirst == TRANSLATED["fr"]


def test_a_unicode_slug_a_translator_types_is_kept(
    make_letter, translate, client, django_capture_on_commit_callbacks
):
    from wagtail_localize.models import TranslationContext

    letter = make_letter("encryption", title="Protect encryption")
    russian = translate(letter, "ru")
    context = TranslationContext.objects.get(object_id=letter.translation_key, path="slug")
    StringTranslation.objects.filter(context=context, locale=russian.locale).update(
        data="шифрование"
    )
    translation = Translation.objects.get(
        source__object_id=letter.translation_key, target_locale=russian.locale
    )
    with django_capture_on_commit_callbacks(execute=True):
        translation.save_target(publish=True)
    russian = LetterPage.objects.get(pk=russian.pk)
    assert russian.slug == "шифрование"
    assert text_of(client.get(russian.url)).count("<h1") >= 1


def test_the_publish_message_says_what_happened_to_the_translations(journey, rf):
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.fallback import FallbackStorage
    from wagtail import hooks

    request = rf.post("/admin/")
    request.session = {}
    request._messages = FallbackStorage(request)
    with override("en"):  # an earlier request may have left another language active
        for hook in hooks.get_hooks("after_publish_page"):
            hook(request, journey["letter"])
    shown = [str(m) for m in get_messages(request)]
    assert any(
        "facts of its 3 live translations were updated" in m and "French, Hebrew, Russian" in m
        for m in shown
    ), shown


def test_starting_a_translation_says_the_copy_goes_offline_until_published(make_letter, client):
    from wagtail_localize.synctree import synchronize_tree

    letter = make_letter("offline", title="Protect encryption")
    english = Locale.objects.get(language_code="en")
    synchronize_tree(english, Locale.objects.get(language_code="es"))
    client.force_login(get_user_model().objects.create_superuser("e", "e@example.org", "pw"))
    form = text_of(
        client.get(reverse("wagtail_localize:submit_page_translation", args=[letter.pk]))
    )
    # A language named inside a sentence is named in the editor's language (CLDR).
    assert "Readers of Spanish see this page today" in form
    spanish_copy = LetterPage.objects.get(
        translation_key=letter.translation_key, locale__language_code="es"
    )
    alias_editor = text_of(client.get(reverse("wagtailadmin_pages:edit", args=[spanish_copy.pk])))
    assert "Translating takes this page offline" in alias_editor


def test_a_stopped_translation_is_left_to_its_editor_but_withholding_still_holds(
    make_organization, make_letter, translate, client, django_capture_on_commit_callbacks
):
    aclu = make_organization("aclu", "American Civil Liberties Union")
    liberty = make_organization("liberty", "Liberty")
    letter = make_letter("stopped", signatories=[aclu, liberty])
    french = translate(letter, "fr")
    Translation.objects.filter(
        source__object_id=letter.translation_key, target_locale=french.locale
    ).update(enabled=False)  # "Stop synced translation": edited by hand from now on
    letter = LetterPage.objects.get(pk=letter.pk)
    letter.signatories = [
        LetterSignatory(organization=aclu, visibility=SignatoryVisibility.WITHHELD),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        letter.save_revision().publish()
    rows = [r.organization_id for r in live(french).signatories.order_by("sort_order")]
    assert rows == [aclu.pk, liberty.pk]  # its own list, untouched
    assert "American Civil Liberties Union" not in text_of(client.get(french.url))


def test_an_organizations_facts_reach_its_translations(
    make_organization, translate, client, django_capture_on_commit_callbacks
):
    from home.models import OrganizationPage

    ccla = make_organization("ccla", "Canadian Civil Liberties Association", country="CA")
    french = translate(ccla, "fr", {"Canadian Civil Liberties Association": "ACLC"})
    ccla = OrganizationPage.objects.get(pk=ccla.pk)
    ccla.country, ccla.website = "IE", "https://ccla.example.org/"
    with django_capture_on_commit_callbacks(execute=True):
        ccla.save_revision().publish()
    french = OrganizationPage.objects.get(pk=french.pk)
    assert (french.country, french.website) == ("IE", "https://ccla.example.org/")
    assert french.title == "ACLC"
    assert "Irlande" in text_of(client.get(french.url))  # the country, in French


def test_sync_translated_pages_carries_previous_translations_too(make_letter, translate):
    from wagtail_localize.models import TranslationSource

    letter = make_letter("synced", title="Protect encryption", standfirst=OLD)
    french = translate(letter, "fr", {OLD: TRANSLATED["fr"]})
    LetterPage.objects.filter(pk=letter.pk).update(standfirst=NEW)  # source row changed
    TranslationSource.objects.get(object_id=letter.translation_key).update_from_db()
    review = OutdatedSegment.objects.get(translation__target_locale=french.locale)
    assert (review.previous_source, review.current_source) == (OLD, NEW)
    assert review.previous_translation == TRANSLATED["fr"]


def test_a_private_letters_text_is_not_sent_by_email(
    make_letter, translate, django_capture_on_commit_callbacks
):
    from wagtail.models import PageViewRestriction

    letter = make_letter("sealed", title="Protect encryption", standfirst=OLD)
    translate(letter, "he", {OLD: TRANSLATED["he"]})
    translator = get_user_model().objects.create_user("dana", "dana@example.org", "pw")
    translator.groups.add(Group.objects.get(name=translator_group_name("he")))
    PageViewRestriction.objects.create(page=letter, restriction_type="login")
    letter = LetterPage.objects.get(pk=letter.pk)
    letter.standfirst = NEW
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        letter.save_revision().publish()
    (sent,) = [m for m in mail.outbox if m.to == ["dana@example.org"]]
    with override("he"):  # the email is in the translator's language
        private = gettext(
            "This page is private: its changes are shown in the translation editor only."
        )
    assert private in sent.body
    assert OLD not in sent.body and NEW not in sent.body and TRANSLATED["he"] not in sent.body
