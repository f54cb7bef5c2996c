"""Attack: a translator of one language learns nothing of what went out in the languages
whose deliveries are hidden from them, not even how much (the status panel's count)."""

from __future__ import annotations

import html

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupPagePermission, Locale, Page

from tests.responses import text_of
from tests.test_sharing_every_language import letter_in_two_languages  # noqa: F401 (fixture)


def test_attack_the_status_panel_counts_only_the_deliveries_the_translator_may_see(
    client,
    letter_in_two_languages,  # noqa: F811
):
    english, french = letter_in_two_languages
    french_home = Page.objects.get(
        translation_key=english.get_parent().get_parent().translation_key,
        locale=Locale.objects.get(language_code="fr"),
    )
    group = Group.objects.create(name="French editors")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in ("add_page", "change_page"):
        GroupPagePermission.objects.create(
            group=group, page=french_home, permission=Permission.objects.get(codename=codename)
        )
    user = get_user_model().objects.create_user("traducteur", "t@example.org", "pw")
    user.groups.add(group)
    client.force_login(user)
    editor = html.unescape(text_of(client.get(f"/admin/pages/{french.pk}/edit/")))
    assert "4 posts" not in editor and "2 languages" not in editor
    assert "2 posts · 1 language." in editor
