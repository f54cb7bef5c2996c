"""Where translators work: the translation editor, the page listing, the Translations
report and the dashboard show translations whose source changed."""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.admin.widgets.button import ListingButton
from wagtail.permission_policies.pages import PagePermissionPolicy

from . import po_import, views
from .status import edit_urls, outdated_translations, page_is_outdated
from .translators import translator_group_name


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        # wagtail-localize's PO upload address, answered first (this app is listed before
        # wagtail_localize): the same import, plus which entries were not applied.
        path(
            "localize/translate/<int:translation_id>/pofile/upload/",
            po_import.upload_pofile_view,
            name="translations_upload_pofile",
        ),
        path(
            "translations/<int:translation_id>/reviewed/",
            views.mark_reviewed_view,
            name="translations_mark_reviewed",
        ),
    ]


@hooks.register("construct_explorer_page_queryset")
def annotate_outdated(parent_page, pages, request):
    """One subquery for the whole listing, read by `outdated_button` without a query."""
    return pages.annotate(broadside_translation_outdated=page_is_outdated())


@hooks.register("register_page_listing_buttons")
def outdated_button(page, user, next_url=None):
    if getattr(page, "broadside_translation_outdated", False):
        yield ListingButton(
            _("Translation out of date"),
            reverse("wagtailadmin_pages:edit", args=[page.pk]),
            priority=5,
            classname="broadside-translation-outdated",
            attrs={"title": _("The source text changed: review the changed passages.")},
        )


def editable_by(user, rows):
    """The (translation, count) rows whose translated page `user` may edit: the panel names
    pages, and a private letter's title is not for every admin user."""
    keys = {translation.source.object_id for translation, _count in rows}
    editable = set(
        PagePermissionPolicy()
        .instances_user_has_permission_for(user, "change")
        .filter(translation_key__in=keys)
        .values_list("translation_key", "locale_id")
    )
    return [
        (translation, count)
        for translation, count in rows
        if (translation.source.object_id, translation.target_locale_id) in editable
    ]


class OutdatedTranslationsPanel(Component):
    """Dashboard: translations to review, in the signed-in translator's languages."""

    name = "broadside_outdated_translations"
    order = 90
    template_name = "translations/dashboard_panel.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        groups = set(self.user.groups.values_list("name", flat=True))
        from django.conf import settings

        mine = [code for code, _n in settings.LANGUAGES if translator_group_name(code) in groups]
        rows = editable_by(self.user, outdated_translations(mine or None, limit=20))
        urls = edit_urls(translation for translation, _count in rows)
        return {
            "rows": [
                {
                    "translation": translation,
                    "count": count,
                    "summary": ngettext(
                        "%(count)d passage to review", "%(count)d passages to review", count
                    )
                    % {"count": count},
                    "url": urls.get(translation.pk, ""),
                }
                for translation, count in rows
            ]
        }

    def render_html(self, parent_context=None):
        context = self.get_context_data(parent_context)
        if not context["rows"]:
            return ""
        return super().render_html(parent_context)


@hooks.register("construct_homepage_panels")
def add_outdated_translations_panel(request, panels):
    panels.append(OutdatedTranslationsPanel(request.user))


@hooks.register("after_publish_page")
def tell_the_editor_about_translations(request, page):
    """The publish message of a source page says what happened to its translations."""
    from django.contrib import messages

    from .status import translations_summary

    summary = translations_summary(page)
    if summary:
        messages.info(request, summary)
