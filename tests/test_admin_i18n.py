"""The admin in the editor's language, content fields in the content's (issue 15)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from wagtail.models import Locale, Page
from wagtail.users.models import UserProfile

from home.admin_i18n import script_mismatch
from home.models import LetterPage
from publishing.models import Delivery
from tests.responses import text_of


@pytest.fixture
def arabic_editor(client, db):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "ar"
    profile.save()
    client.force_login(user)
    return client


def input_tag(html, name):
    match = re.search(rf'<(input|textarea)[^>]*name="{name}"[^>]*>', html)
    assert match, name
    return match.group(0)


def test_english_fields_read_left_to_right_in_the_arabic_admin(arabic_editor, make_letter):
    letter = make_letter("ltr-in-arabic-admin", addressees="The governments")
    response = arabic_editor.get(f"/admin/pages/{letter.pk}/edit/")
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl"' in html.replace("  ", " ") or 'dir="rtl"' in html
    for name in ("title", "standfirst", "addressees"):
        tag = input_tag(html, name)
        assert 'dir="ltr"' in tag and 'lang="en"' in tag, tag


def test_an_arabic_page_created_in_the_english_admin_reads_right_to_left(client, tree, db):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw")
    client.force_login(user)
    arabic = Locale.objects.get(language_code="ar")
    arabic_letters = Page.objects.filter(
        locale=arabic, translation_key=tree.letters.translation_key
    ).first()
    if arabic_letters is None:
        tree.home.copy_for_translation(arabic)
        arabic_letters = tree.letters.copy_for_translation(arabic)
    html = client.get(f"/admin/pages/add/home/letterpage/{arabic_letters.pk}/").content.decode()
    tag = input_tag(html, "title")
    assert 'dir="rtl"' in tag and 'lang="ar"' in tag


def test_a_title_over_the_limit_is_refused_with_the_limit_not_cut(arabic_editor, make_letter):
    letter = make_letter("long-title")
    html = arabic_editor.get(f"/admin/pages/{letter.pk}/edit/").content.decode()
    assert "maxlength" not in input_tag(html, "title")
    form = LetterPage.get_edit_handler().get_form_class()(instance=letter, for_user=None)
    with pytest.raises(ValidationError) as refused:
        form.fields["title"].clean("x" * 600)
    assert "255" in str(refused.value) and "600" in str(refused.value)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("رسالة مفتوحة إلى الحكومات", "en", "Arab"),
        ("Open letter to Google", "ar", "Latn"),
        ("رسالة مفتوحة إلى Google", "ar", None),  # Arabic naming a company is Arabic
        ("Открытое письмо", "ru", None),
        ("Open letter", "ru", "Latn"),
        ("खुला पत्र", "hi", None),
        ("מכתב פתוח", "ar", "Hebr"),
        ("2026 — 13", "en", None),  # no letters: nothing to say
    ],
)
def test_script_mismatch_follows_unicode_scripts(text, language, expected):
    assert script_mismatch(text, language) == expected


def test_an_arabic_title_in_an_english_letter_is_saved_with_a_warning(arabic_editor, make_letter):
    letter = make_letter("arabic-title")
    from tests.test_admin import test_editor_can_create_a_letter_through_the_admin  # noqa: F401

    data = edit_data(letter, title="رسالة مفتوحة")
    response = arabic_editor.post(f"/admin/pages/{letter.pk}/edit/", data, follow=True)
    assert response.status_code == 200
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert any("العربية" in w and "الإنجليزية" in w for w in warnings), warnings
    letter.refresh_from_db()
    assert letter.get_latest_revision_as_object().title == "رسالة مفتوحة"


def edit_data(letter, **changes):
    data = {
        "title": letter.title,
        "slug": letter.slug,
        "letter_type": letter.letter_type,
        "publication_date": letter.publication_date.isoformat(),
        "standfirst": letter.standfirst,
        "addressees": letter.addressees,
        "body-count": "0",
        "contacts-count": "0",
        "post_on_publish": "on",
    }
    for prefix in ("signatories", "signers", "social_texts", "share_image_overrides"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(changes)
    return data


def test_the_admin_language_can_be_changed_without_a_name(arabic_editor):
    user = get_user_model().objects.get(username="editor")
    assert not user.first_name and not user.last_name
    response = arabic_editor.get("/admin/account/")
    assert response.status_code == 200
    data = {
        "name_email-first_name": "",
        "name_email-last_name": "",
        "name_email-email": "editor@example.org",
        "locale-preferred_language": "fr",
        "locale-current_time_zone": "",
        "theme-theme": "system",
        "theme-density": "default",
        "theme-contrast": "system",
        "theme-keyboard_shortcuts": "on",
    }
    response = arabic_editor.post("/admin/account/", data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    assert UserProfile.get_for_user(user).preferred_language == "fr"


def test_lists_say_yes_and_leave_a_missing_post_empty_in_the_editors_language(
    client, make_letter, django_capture_on_commit_callbacks
):
    user = get_user_model().objects.create_superuser("admin", "admin@example.org", "pw")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "fr"
    profile.save()
    client.force_login(user)
    call_command("social_accounts", "add", "console", "--name", "Console", "--locale", "en")
    with django_capture_on_commit_callbacks(execute=True):
        make_letter("console-letter", title="Console letter")
    assert Delivery.objects.filter(account__name="Console").exists()
    report = client.get("/admin/publishing/deliveries/").content.decode()
    assert "Console letter" in report
    assert "(blank)" not in report and "(vide)" not in report
    accounts = text_of(client.get("/admin/social_accounts/"))
    assert "Oui" in accounts and "True" not in accounts


def test_a_logo_too_large_for_the_cards_is_refused_at_upload(arabic_editor):
    from io import BytesIO

    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image
    from wagtail.images import get_image_model

    assert settings.BROADSIDE_SHARE_IMAGE_MAX_LOGO_PIXELS == settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS
    buffer = BytesIO()
    Image.new("1", (6300, 6300)).save(buffer, "PNG")  # 40 Mpx, a few kB
    upload = SimpleUploadedFile("huge-logo.png", buffer.getvalue(), content_type="image/png")
    response = arabic_editor.post("/admin/images/add/", {"title": "Huge logo", "file": upload})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get("file", []))
    assert "6300" in errors or "39690000" in errors or "25" in errors, errors
    assert not get_image_model().objects.filter(title="Huge logo").exists()


def test_sharing_problems_are_warnings_not_form_errors():
    # Wagtail's editor counts `.error-message` and `.help-critical` as form errors on
    # the tab ("4 errors") although the page saved: card and post problems are warnings.
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    page = SimpleNamespace(locale=SimpleNamespace(language_code="en", get_display_name="English"))
    card = SimpleNamespace(
        page=page, variant="og", width=1200, height=630, size=1000, url="/card.png",
        alt_text="Alt", stale=False, problems=["No font can draw these characters: 🫠"],
    )  # fmt: skip
    cards = render_to_string(
        "publishing/panels/share_cards.html", {"previews": [{"url": "/p.png"}], "stored": [card]}
    )
    preview = SimpleNamespace(
        account=SimpleNamespace(name="Console"), network="X", text="Too long", count="300 / 280",
        fits=False, problems=["This post is too long even shortened: 300."], card_url="",
    )  # fmt: skip
    posts = render_to_string("publishing/panels/social_posts.html", {"previews": [preview]})
    for html in (cards, posts):
        assert "help-warning" in html
        assert "error-message" not in html and "help-critical" not in html
