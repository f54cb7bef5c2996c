"""A translator keeps the carried-over translations of a changed source as they are."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from wagtail.models import Page
from wagtail_localize.models import Translation

from .review import mark_reviewed


@require_POST
def mark_reviewed_view(request, translation_id: int):
    """POST from the translation editor's banner: clears the review flags (all, or the
    `review` ids posted) of one translation, for users who may edit its page."""
    translation = get_object_or_404(Translation, pk=translation_id)
    target = translation.get_target_instance()
    if not isinstance(target, Page) or not target.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    ids = [int(value) for value in request.POST.getlist("review") if value.isdigit()] or None
    cleared = mark_reviewed(translation, ids)
    messages.success(
        request,
        ngettext(
            "%(count)d passage marked as reviewed.",
            "%(count)d passages marked as reviewed.",
            cleared,
        )
        % {"count": cleared},
    )
    return redirect("wagtailadmin_pages:edit", target.pk)
