"""What a post says: a page and an account in, a channel-ready `Post` out.

This is the only place that reads pages for the social pipeline; channels
receive the result and never see a page.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_noop, ngettext

from home.models import LetterPage, OrganizationHandle, localized_topics
from home.signatories import resolve_signatories
from publishing.channels.base import Card, Channel, Post
from publishing.messages import message, stored_text
from publishing.models import ShareImage
from publishing.share_images.storage import share_image_storage

from .compose import ComposedText, PostContext, compose_text, hashtag


def post_context(letter: LetterPage, channel: Channel) -> PostContext:
    """The values a post template can use, in the letter's language."""
    signatories = resolve_signatories(letter)
    named = [s.organization for s in signatories if s.is_named]
    mentions: tuple[str, ...] = ()
    if channel.network and named:
        handles = {
            handle.organization_id: handle.handle
            for handle in OrganizationHandle.objects.filter(
                organization__in=named, network=channel.network
            )
        }
        mentions = tuple(channel.mention(handles[org.pk]) for org in named if handles.get(org.pk))
    count = len(signatories)
    with translation.override(letter.locale.language_code):
        phrase = ngettext("%(count)s organization", "%(count)s organizations", count) % {
            "count": count
        }
        topics = localized_topics(letter)
    return PostContext(
        title=letter.title,
        standfirst=letter.standfirst,
        url=post_url(letter),
        signatories=phrase,
        signatory_count=count,
        hashtags=tuple(tag for tag in (hashtag(topic.name) for topic in topics) if tag),
        mentions=mentions,
    )


def post_url(letter: LetterPage) -> str:
    """The address a post links to. Wagtail percent-encodes non-Latin slugs in it, which
    matters: twitter-text (so X) ends a raw URL at the first Arabic or Hebrew letter."""
    return letter.full_url or ""


def post_template(letter: LetterPage, account, channel: Channel) -> str:
    """The editor's text for this network on this page, else the account's, else the default."""
    if channel.network:
        for text in letter.social_texts.all():  # prefetched or cached by modelcluster
            if text.network == channel.network and text.text.strip():
                return text.text
    return account.post_template or channel.default_template


def compose_for(
    letter: LetterPage, account, channel: Channel, *, contexts: dict | None = None
) -> ComposedText:
    """The post text; raises compose.CompositionError when it cannot fit.

    `contexts` caches the context per network when composing for many accounts.
    """
    if contexts is None:
        context = post_context(letter, channel)
    else:
        if channel.network not in contexts:
            contexts[channel.network] = post_context(letter, channel)
        context = contexts[channel.network]
    return compose_text(post_template(letter, account, channel), context, channel.text_rules())


class CardNotReady(Exception):
    """The letter's card in the channel's variant is not drawn (or not current) yet: the
    card task enqueued on publish draws it, and the delivery waits for it."""


def card_for(letter: LetterPage, channel: Channel) -> Card | None:
    """The letter's current share card in the channel's variant; None when the channel
    posts no card. Only reads what the card task stored: a delivery never draws cards
    (drawing can bump the content version and empty every cached feed and API answer).
    Raises CardNotReady when there is no current card (or its file) yet."""
    if not channel.card_variant:
        return None
    image = ShareImage.objects.filter(
        page=letter, variant=channel.card_variant, stale=False
    ).first()
    storage = share_image_storage()
    if image is None or not storage.exists(image.file_name):
        raise CardNotReady(stored_text(message(gettext_noop("The share card is not ready yet."))))
    with storage.open(image.file_name) as file:
        data = file.read()
    return Card(
        data=data,
        mime_type=image.mime_type,
        alt=image.alt_text,
        width=image.width,
        height=image.height,
        url=absolute(letter, image.url),
    )


def absolute(letter: LetterPage, url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    root = letter.get_site().root_url if letter.get_site() else ""
    return f"{root}{url}"


def build_post(letter: LetterPage, account, channel: Channel, *, key: str, resumed: bool) -> Post:
    composed = compose_for(letter, account, channel)
    return Post(
        text=composed.text,
        url=post_url(letter),
        language=letter.locale.language_code,
        title=letter.title,
        description=letter.standfirst,
        card=card_for(letter, channel),
        key=key,
        resumed=resumed,
    )
