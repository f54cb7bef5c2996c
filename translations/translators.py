"""Who translates a language: the members of that language's translator group.

One group per configured language other than the source, named
"Translators (<code>)" — "Translators (he)", "Translators (hi)". Administrators put
translators in the group (and give it page permissions as they see fit); its
members are emailed when a translation into that language goes out of date. The
groups are created by `migrate` for every configured language.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

GROUP_NAME = "Translators ({code})"


def translator_group_name(language_code: str) -> str:
    return GROUP_NAME.format(code=language_code)


def translators_of(language_code: str):
    """Active users with an email address in the language's translator group."""
    return (
        get_user_model()
        .objects.filter(groups__name=translator_group_name(language_code), is_active=True)
        .exclude(email="")
        .distinct()
    )


def ensure_translator_groups(sender=None, **kwargs) -> None:
    """Create each configured language's translator group, able to sign in to the admin."""
    access = Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    ).first()
    for code, _name in settings.LANGUAGES:
        if code == settings.LANGUAGE_CODE:
            continue
        group, created = Group.objects.get_or_create(name=translator_group_name(code))
        if created and access is not None:
            group.permissions.add(access)
