"""Recording deliveries: which letters are shared, to which accounts, as which rows.

Runs inside the publishing transaction: nothing here talks to a network or enqueues
(the task layer does, `publishing.social.tasks`).
"""

from __future__ import annotations

import logging

from django.utils import timezone

from home.letters import shareable_letter
from publishing.channels import UnknownChannel, get_channel_class
from publishing.models import Delivery, DeliveryStatus, LetterLaunch, SocialAccount

logger = logging.getLogger(__name__)


def accounts_for(locale_id: int):
    """Enabled accounts posting in this language (a queryset)."""
    return SocialAccount.objects.filter(enabled=True, locales=locale_id)


def configured_accounts(locale_id: int) -> list[SocialAccount]:
    """Enabled accounts of the language whose channel is configured (others are logged)."""
    return [account for account in accounts_for(locale_id) if configured(account)]


def configured(account: SocialAccount) -> bool:
    """Whether the account's channel is in BROADSIDE_CHANNELS (an error is logged if not)."""
    try:
        get_channel_class(account.channel)
    except UnknownChannel:
        logger.error("Account %s names an unknown channel %r", account.pk, account.channel)
        return False
    return True


def new_deliveries(
    letter, accounts, *, publications: dict[int, int] | None = None, **fields
) -> list[Delivery]:
    """Unsaved Delivery rows of `letter` for `accounts`, each with its own new key.

    `publications` maps account id -> the publication number to use (1 when absent);
    `fields` (revision_id, reason, requested_by) are set on every row. The one place
    delivery rows are built: publishing, Post again and Post the latest letter use it.
    """
    publications = publications or {}
    return [
        Delivery(
            page_id=letter.pk,
            page_title=letter.title[:255],
            locale_id=letter.locale_id,
            account=account,
            publication=publications.get(account.pk, 1),
            idempotency_key=get_channel_class(account.channel).new_key(),
            **fields,
        )
        for account in accounts
    ]


def insert_new(deliveries: list[Delivery], page_id: int) -> list[int]:
    """Insert the rows, keeping the existing one where (page, account, publication) is taken
    (a concurrent publish or a double click); returns the ids of the rows inserted now."""
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    return list(
        Delivery.objects.filter(
            idempotency_key__in=[d.idempotency_key for d in deliveries], page_id=page_id
        ).values_list("pk", flat=True)
    )


def record_deliveries(page_id: int, revision_id: int | None = None) -> list[int]:
    """Record one delivery per account of the page's language when this publish launches
    the letter in that language (see `launch`); any later publish records nothing.

    Runs inside the publishing transaction, in a constant number of queries
    whatever the number of accounts. Returns the ids to enqueue after commit.
    """
    letter = shareable_letter(page_id)
    if letter is None or not letter.post_on_publish or not launch(letter):
        return []
    accounts = configured_accounts(letter.locale_id)
    if not accounts:
        return []
    # A concurrent publish of the same page may have recorded some: the
    # unique constraint keeps one, and only ours are returned.
    return insert_new(new_deliveries(letter, accounts, revision_id=revision_id), page_id)


def launch(letter) -> bool:
    """Record that `letter` (live, public, real, set to post) went live in its language;
    True only the first time. A letter is posted when it is launched, and never again by a
    publish: not when a typo is fixed, nor when an account was added since (which would
    post the back catalogue). *Post again* and `post_latest_letter` are the ways to repost.

    A concurrent publish of the same translation waits on the unique constraint, inserts
    nothing and gets False (two queries, no savepoint: the publish's query budget is
    tested). A letter first published with "post on publish" off is launched by the first
    publish that turns it on: that is the editor asking for the post.
    """
    now = timezone.now()
    key = {"translation_key": letter.translation_key, "locale_id": letter.locale_id}
    LetterLaunch.objects.bulk_create(
        [LetterLaunch(page_id=letter.pk, launched_at=now, **key)], ignore_conflicts=True
    )
    return LetterLaunch.objects.filter(page_id=letter.pk, launched_at=now, **key).exists()


def record_unpublished(page_id: int) -> int:
    """Posts stay on the networks; note on each that its page went offline."""
    return Delivery.objects.filter(
        page_id=page_id, status=DeliveryStatus.SENT, page_unpublished_at__isnull=True
    ).update(page_unpublished_at=timezone.now())
