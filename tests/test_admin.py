"""The Wagtail admin works for editors: page editors, translation editor, snippets."""

from wagtail.models import Locale
from wagtail_localize.models import Translation


def test_admin_dashboard_and_page_editors_render(
    superuser_client, tree, make_organization, make_letter
):
    org = make_organization("aclu", "American Civil Liberties Union", country="US")
    letter = make_letter("edit-me", signatories=[org], published_by=org)
    assert superuser_client.get("/admin/").status_code == 200
    for page in (tree.home, tree.letters, tree.organizations, org, letter):
        response = superuser_client.get(f"/admin/pages/{page.pk}/edit/")
        assert response.status_code == 200, page
    add_letter = superuser_client.get(f"/admin/pages/add/home/letterpage/{tree.letters.pk}/")
    assert add_letter.status_code == 200
    html = add_letter.content.decode()
    assert "Signatory organizations" in html and "Individually named signers" in html
    # Country names in the editor's language, sorted by name.
    add_org = superuser_client.get(
        f"/admin/pages/add/home/organizationpage/{tree.organizations.pk}/"
    )
    assert '<option value="EG">Egypt</option>' in add_org.content.decode()


def test_editor_can_create_a_letter_through_the_admin(superuser_client, tree, make_organization):
    org = make_organization("khrc", "Kenya Human Rights Commission", country="KE")
    data = {
        "title": "A new letter",
        "slug": "a-new-letter",
        "letter_type": "open_letter",
        "publication_date": "2026-11-28",
        "standfirst": "We ask for one thing.",
        "addressees": "Parliament",
        "body-count": "1",
        "body-0-type": "paragraph",
        "body-0-value": '{"blocks":[{"key":"a","text":"Body.","type":"unstyled","depth":0,'
        '"inlineStyleRanges":[],"entityRanges":[]}],"entityMap":{}}',
        "body-0-deleted": "",
        "body-0-order": "0",
        "contacts-count": "0",
        "signatories-TOTAL_FORMS": "1",
        "signatories-INITIAL_FORMS": "0",
        "signatories-MIN_NUM_FORMS": "0",
        "signatories-MAX_NUM_FORMS": "1000",
        "signatories-0-organization": str(org.pk),
        "signatories-0-visibility": "anonymous_country",
        "signatories-0-ORDER": "1",
        "signers-TOTAL_FORMS": "0",
        "signers-INITIAL_FORMS": "0",
        "signers-MIN_NUM_FORMS": "0",
        "signers-MAX_NUM_FORMS": "1000",
        "share_image_overrides-TOTAL_FORMS": "0",
        "share_image_overrides-INITIAL_FORMS": "0",
        "share_image_overrides-MIN_NUM_FORMS": "0",
        "share_image_overrides-MAX_NUM_FORMS": "1",
        "post_on_publish": "on",
        "social_texts-TOTAL_FORMS": "0",
        "social_texts-INITIAL_FORMS": "0",
        "social_texts-MIN_NUM_FORMS": "0",
        "social_texts-MAX_NUM_FORMS": "1000",
        "action-publish": "Publish",
    }
    response = superuser_client.post(
        f"/admin/pages/add/home/letterpage/{tree.letters.pk}/", data, follow=True
    )
    assert response.status_code == 200
    from home.models import LetterPage

    letter = LetterPage.objects.get(slug="a-new-letter", locale__language_code="en")
    assert letter.live
    # Synchronised trees: every other language gets an alias until it is translated.
    aliases = LetterPage.objects.filter(translation_key=letter.translation_key, alias_of=letter)
    assert aliases.count() == Locale.objects.count() - 1
    assert list(letter.signatories.values_list("organization_id", "visibility")) == [
        (org.pk, "anonymous_country")
    ]


def test_translation_editor_opens_for_a_translated_letter(superuser_client, make_letter, translate):
    letter = make_letter("to-translate")
    french = translate(letter, "fr")
    translation = Translation.objects.get(
        source__object_id=letter.translation_key,
        target_locale=Locale.objects.get(language_code="fr"),
    )
    assert translation.enabled
    response = superuser_client.get(f"/admin/pages/{french.pk}/edit/")
    assert response.status_code == 200
    assert "wagtail_localize/admin/edit_translation.html" in [t.name for t in response.templates]


def test_topics_snippet_listing(superuser_client, tree):
    assert superuser_client.get("/admin/snippets/home/topic/").status_code == 200
