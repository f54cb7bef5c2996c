"""Telling translators: one email per translator and language, sent once per change."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task
from wagtail_localize.models import Translation

from .models import OutdatedSegment
from .status import edit_urls, public_sources
from .translators import translators_of

logger = logging.getLogger(__name__)


def absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


@task()
def notify_translators(translation_ids: list[int]) -> int:
    """Email the translators of each translation's language what changed in its source.

    Only segments not yet notified are sent, and they are marked as notified in the
    same transaction-free step after the send: running twice sends nothing new.
    Returns the number of emails sent. Uses Django's email backend (console in
    development, `EMAIL_*` settings in production).
    """
    by_language: dict[str, list[tuple[Translation, list[OutdatedSegment]]]] = {}
    for item in Translation.objects.filter(pk__in=translation_ids).select_related(
        "source", "target_locale"
    ):
        reviews = list(
            OutdatedSegment.objects.filter(translation=item, notified_at__isnull=True)
            .select_related("context")
            .order_by("context__path", "position")
        )
        if reviews:
            by_language.setdefault(item.target_locale.language_code, []).append((item, reviews))
    messages, notified = [], []
    urls = edit_urls(t for items in by_language.values() for t, _r in items)
    public = public_sources(t for items in by_language.values() for t, _r in items)
    for language, items in by_language.items():
        recipients = list(translators_of(language).values_list("email", flat=True))
        notified += [review.pk for _item, reviews in items for review in reviews]
        if not recipients:
            logger.info(
                "No translators for %s: %d translation(s) out of date", language, len(items)
            )
            continue
        with translation.override(language):
            context = {
                "items": [
                    {
                        "translation": t,
                        # A private letter's text never leaves the site by email.
                        "reviews": r if t.pk in public else [],
                        "private": t.pk not in public,
                        "url": absolute(urls.get(t.pk, "/admin/")),
                    }
                    for t, r in items
                ],
                "site_name": settings.WAGTAIL_SITE_NAME,
            }
            subject = render_to_string("translations/email_subject.txt", context).strip()
            body = render_to_string("translations/email_body.txt", context)
        messages += [EmailMessage(subject, body, to=[address]) for address in recipients]
    sent = get_connection().send_messages(messages) if messages else 0
    OutdatedSegment.objects.filter(pk__in=notified).update(notified_at=timezone.now())
    return sent or 0
