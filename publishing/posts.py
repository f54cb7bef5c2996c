"""What a post says: a page and an account in, a channel-ready `Post` out.

This is the only place that reads pages for the social pipeline; channels
receive the result and never see a page.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import ngettext

from home.models import LetterPage, OrganizationHandle, localized_topics
from home.signatories import resolve_signatories

from .channels.base import Card, Channel, Post
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


def card_for(letter: LetterPage, channel: Channel) -> Card | None:
    """The letter's share card in the channel's variant, rendered now if it is not yet."""
    from .models import ShareImage
    from .share_images.service import render_share_images
    from .share_images.storage import share_image_storage

    if not channel.card_variant:
        return None
    render_share_images(letter)
    image = ShareImage.objects.filter(
        page=letter, variant=channel.card_variant, stale=False
    ).first()
    if image is None:
        return None
    with share_image_storage().open(image.file_name) as file:
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
