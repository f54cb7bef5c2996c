"""A channel that posts nowhere: it logs what would be posted (the development default)."""

from __future__ import annotations

import logging

from django.utils.translation import gettext_lazy as _

from .base import Channel, Post, SentPost

logger = logging.getLogger(__name__)


class ConsoleChannel(Channel):
    verbose_name = _("Console (development)")
    card_variant = "og"
    duplicate_safe = True

    def send(self, post: Post) -> SentPost:
        card = f"{post.card.mime_type}, {len(post.card.data)} bytes" if post.card else "none"
        logger.info(
            "Would post (%s, card: %s):\n%s",
            post.language,
            card,
            post.text,
            extra={"key": post.key},
        )
        return SentPost(remote_id=f"console-{post.key}")

    def verify(self) -> str:
        return str(_("the console"))
