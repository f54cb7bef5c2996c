"""Concurrent saves of one page (autosave, two tabs, two editors) are taken one at a time.

Wagtail 8's editor autosaves the whole form while the editor types, so a quick Publish
races its own autosave. Each of Wagtail's create and edit requests writes in several
transactions (the page, its child rows, the revision, the aliases of a synchronised tree),
so two of them interleave: both insert the same signatory rows (IntegrityError on
`organization_signs_letter_once`), or both create the same new page and the second fails
`Page.full_clean()` with "slug already in use", a 500 after validation passed.

`SerialisedPageSavesMiddleware` runs each page create or edit POST in one transaction
holding a lock on the page it writes (the parent, for a create): on PostgreSQL a row lock,
on SQLite the write lock every IMMEDIATE transaction takes. The second request then
sees what the first saved. A create that finds, under the same parent, the editor's own
autosaved and never-published draft with the same slug is the same editing session whose
form had not yet switched to the draft's edit URL: it is handed to the edit view of that
draft, so the Publish publishes what was typed instead of failing on its own draft.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.urls import resolve, reverse
from django.utils import timezone
from wagtail.models import Page

CREATE_VIEW = "wagtailadmin_pages:add"
EDIT_VIEW = "wagtailadmin_pages:edit"
# An autosaved draft younger than this may be the same editing session's.
OWN_DRAFT_WINDOW = timedelta(minutes=10)


class SerialisedPageSavesMiddleware:
    """Run page create/edit POSTs one at a time per page, in one transaction.

    Must come last in MIDDLEWARE: it calls the view itself from `process_view`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if request.method != "POST" or match is None:
            return None
        if match.view_name == CREATE_VIEW:
            locked_page_id = view_kwargs["parent_page_id"]
        elif match.view_name == EDIT_VIEW:
            locked_page_id = view_kwargs["page_id"]
        else:
            return None
        with transaction.atomic():
            # Evaluated for its lock; SQLite has no row locks, but the IMMEDIATE
            # transaction (config/settings/base.py) holds the database's write lock.
            list(Page.objects.select_for_update().filter(pk=locked_page_id).values("pk"))
            if match.view_name == CREATE_VIEW:
                draft = own_autosaved_draft(request, **view_kwargs)
                if draft is not None:
                    edit = resolve(reverse(EDIT_VIEW, args=[draft.pk]))
                    request.resolver_match = edit
                    view_func, view_args, view_kwargs = edit.func, edit.args, edit.kwargs
            # A TemplateResponse is rendered by Django after this, outside the lock.
            return view_func(request, *view_args, **view_kwargs)


def own_autosaved_draft(
    request, *, content_type_app_name: str, content_type_model_name: str, parent_page_id: int
) -> Page | None:
    """The page a create POST would clash with, when it is this editor's own fresh draft.

    That is: a child of the same parent, of the same type, with the slug being posted,
    never published, owned by the editor, with no revision by anyone else, last saved
    within OWN_DRAFT_WINDOW. Anything else is a real clash, for the form to report.
    """
    slug = request.POST.get("slug", "")
    parent = Page.objects.filter(pk=parent_page_id).first()
    if not slug or parent is None or not request.user.is_authenticated:
        return None
    draft = (
        Page.objects.child_of(parent)
        .filter(
            slug=slug,
            live=False,
            first_published_at__isnull=True,
            owner=request.user,
            content_type__app_label=content_type_app_name,
            content_type__model=content_type_model_name,
            latest_revision_created_at__gte=timezone.now() - OWN_DRAFT_WINDOW,
        )
        .first()
    )
    if draft is None or draft.revisions.exclude(user=request.user).exists():
        return None
    return draft
