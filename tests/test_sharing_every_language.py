"""An editor sees, from any language of a letter, what went out where in every language,
with the same actions (issue 15, "What editors see of each language")."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import GroupPagePermission, Locale, Page
from wagtail.users.models import UserProfile

from publishing.models import Delivery, DeliveryStatus
from tests.responses import text_of


@pytest.fixture
def letter_in_two_languages(accounts, networks, make_letter, translate, run_on_commit):
    """An English letter and its French translation, each posted to its language's two
    accounts (English: x-en, mastodon-en; French: bluesky-fr, webhook-fr)."""
    english = run_on_commit(make_letter, "encryption", title="Protect encryption")
    french = translate(english, "fr", {"Protect encryption": "Protégez le chiffrement"})
    assert Delivery.objects.filter(page=english).count() == 2
    assert Delivery.objects.filter(page=french).count() == 2
    return english, french


def _section(page: str, language: str) -> str:
    match = re.search(
        rf'class="broadside-language-deliveries" data-language="{language}">(.*?)</section>',
        page,
        re.S,
    )
    assert match, f"no {language} section"
    return match.group(1)


def _languages_in_order(page: str) -> list[str]:
    return re.findall(r'class="broadside-language-deliveries" data-language="([\w-]+)"', page)


def test_the_sharing_tab_of_either_language_lists_both_languages_current_first(
    superuser_client, letter_in_two_languages
):
    english, french = letter_in_two_languages
    Delivery.objects.filter(account__name="webhook-fr").update(
        status=DeliveryStatus.FAILED, error="The hook said no"
    )
    panel = html.unescape(text_of(superuser_client.get(f"/admin/pages/{english.pk}/edit/")))
    assert _languages_in_order(panel) == ["en", "fr"]
    english_part, french_part = _section(panel, "en"), _section(panel, "fr")
    assert "x-en" in english_part and "mastodon-en" in english_part
    assert "bluesky-fr" in french_part and "webhook-fr" in french_part
    assert "bluesky-fr" not in english_part
    # Names in the editor's admin language, the same actions on the other language's rows.
    assert "English" in english_part and "French" in french_part
    failed = Delivery.objects.get(account__name="webhook-fr")
    assert f"/admin/publishing/deliveries/{failed.pk}/retry/" in french_part
    assert f"/admin/publishing/pages/{french.pk}/post-again/" in french_part
    assert f"/admin/publishing/pages/{english.pk}/post-again/" in english_part


def test_language_names_follow_the_editors_admin_language(
    superuser_client, letter_in_two_languages
):
    english, _french = letter_in_two_languages
    profile = UserProfile.get_for_user(get_user_model().objects.get(username="admin"))
    profile.preferred_language = "fr"
    profile.save()
    page = html.unescape(
        text_of(superuser_client.get(f"/admin/publishing/pages/{english.pk}/what-went-out/"))
    )
    assert "Anglais" in _section(page, "en") and "Français" in _section(page, "fr")


def test_from_the_french_translation_editor_the_editor_reaches_every_language_and_acts(
    client, letter_in_two_languages, networks, run_on_commit
):
    english, french = letter_in_two_languages
    # A publisher (Wagtail's Moderators group; ours holds the delivery permission too).
    moderator = get_user_model().objects.create_user("moderator", "m@example.org", "pw")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    assert moderator.has_perm("publishing.retry_delivery")
    client.force_login(moderator)
    editor_client = client
    networks.webhook.received.clear()
    failed = Delivery.objects.get(account__name="webhook-fr")
    Delivery.objects.filter(pk=failed.pk).update(status=DeliveryStatus.FAILED, error="No")

    # The French page opens in wagtail-localize's editor (no Sharing tab): its header and
    # its status panel link to the view of every language.
    view_url = f"/admin/publishing/pages/{french.pk}/what-went-out/"
    translation_editor = text_of(editor_client.get(f"/admin/pages/{french.pk}/edit/"))
    assert "js-translation-editor" in translation_editor
    header, status_panel = translation_editor.split('data-side-panel="status"', 1)
    assert f'href="{view_url}"' in header and f'href="{view_url}"' in status_panel
    assert "4 posts · 2 languages." in translation_editor

    page = html.unescape(text_of(editor_client.get(view_url)))
    assert _languages_in_order(page) == ["fr", "en"]
    assert "x-en" in _section(page, "en") and "mastodon-en" in _section(page, "en")
    assert "bluesky-fr" in _section(page, "fr") and "webhook-fr" in _section(page, "fr")
    assert f"/admin/publishing/deliveries/{failed.pk}/retry/" in _section(page, "fr")
    assert f'data-broadside-next="{view_url}"' in page

    # The action works from there, and comes back to it.
    response = run_on_commit(
        editor_client.post,
        f"/admin/publishing/deliveries/{failed.pk}/retry/",
        {"next": view_url},
    )
    assert response.status_code == 302 and response["Location"] == view_url
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.SENT and len(networks.webhook.received) == 1

    # Post again, for the English version, from the French view (the field names its page).
    Delivery.objects.update(created_at=failed.created_at.replace(year=2020))
    response = run_on_commit(
        editor_client.post,
        f"/admin/publishing/pages/{english.pk}/post-again/",
        {f"post_again_reason_{english.pk}": "A typo", "next": view_url},
    )
    assert response["Location"] == view_url
    again = Delivery.objects.filter(page=english, publication=2)
    assert again.count() == 2 and {d.reason for d in again} == {"A typo"}


def test_an_outside_next_address_is_never_followed(superuser_client, letter_in_two_languages):
    english, _french = letter_in_two_languages
    delivery = Delivery.objects.get(account__name="x-en")
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED)
    response = superuser_client.post(
        f"/admin/publishing/deliveries/{delivery.pk}/retry/", {"next": "https://evil.test/"}
    )
    assert response["Location"] == f"/admin/pages/{english.pk}/edit/#tab-sharing"


def test_the_view_costs_the_same_queries_however_many_deliveries_and_languages(
    superuser_client, letter_in_two_languages
):
    english, french = letter_in_two_languages
    url = f"/admin/publishing/pages/{french.pk}/what-went-out/"
    superuser_client.get(url)  # warm the caches a first request fills (content types, site)
    with CaptureQueriesContext(connection) as first:
        text_of(superuser_client.get(url))
    for delivery in Delivery.objects.all():
        delivery.pk, delivery.publication = None, 2
        delivery.save()
    with CaptureQueriesContext(connection) as second:
        page = text_of(superuser_client.get(url))
    # Four rows in each language, one of them its heading row.
    assert [_section(page, code).count("<tr>") for code in ("fr", "en")] == [5, 5]
    assert len(first) == len(second)
    assert len(second) <= 12, [q["sql"] for q in second.captured_queries]


def test_a_translator_of_french_only_sees_and_acts_on_french_deliveries_only(
    client, letter_in_two_languages
):
    english, french = letter_in_two_languages
    french_home = Page.objects.get(
        translation_key=english.get_parent().get_parent().translation_key,
        locale=Locale.objects.get(language_code="fr"),
    )
    group = Group.objects.create(name="French publishers")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="retry_delivery"),
    )
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=group, page=french_home, permission=Permission.objects.get(codename=codename)
        )
    user = get_user_model().objects.create_user("traductrice", "t@example.org", "pw")
    user.groups.add(group)
    client.force_login(user)

    page = html.unescape(text_of(client.get(f"/admin/publishing/pages/{french.pk}/what-went-out/")))
    assert _languages_in_order(page) == ["fr"]
    assert "x-en" not in page and "bluesky-fr" in page
    assert "What went out in 1 other language is not shown" in page
    # The English letter is not theirs: neither its view nor its deliveries' actions.
    assert client.get(f"/admin/publishing/pages/{english.pk}/what-went-out/").status_code in (
        302,
        403,
    )
    english_delivery = Delivery.objects.get(account__name="x-en")
    Delivery.objects.filter(pk=english_delivery.pk).update(status=DeliveryStatus.FAILED)
    client.post(f"/admin/publishing/deliveries/{english_delivery.pk}/retry/")
    english_delivery.refresh_from_db()
    assert english_delivery.status == DeliveryStatus.FAILED


def test_letters_link_to_what_went_out_from_listings_and_headers(
    superuser_client, letter_in_two_languages
):
    english, french = letter_in_two_languages
    for version in (english, french):
        listing = text_of(superuser_client.get(f"/admin/pages/{version.get_parent().pk}/"))
        assert f"/admin/publishing/pages/{version.pk}/what-went-out/" in listing
    editor = text_of(superuser_client.get(f"/admin/pages/{english.pk}/edit/"))
    assert f'href="/admin/publishing/pages/{english.pk}/what-went-out/"' in editor
    # Not on pages that are not letters.
    index = text_of(superuser_client.get(f"/admin/pages/{english.get_parent().pk}/edit/"))
    assert "what-went-out" not in index
