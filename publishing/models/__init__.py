"""Publishing state kept in the database: cache versions and share cards (cards.py),
social accounts and the delivery outbox (social.py), OAuth client registrations
(connect.py)."""

from .cards import (
    ContentVersion,
    ShareCardSettings,
    ShareImage,
    ShareImageOverride,
    font_family_choices,
    hex_colour,
)
from .connect import OAuthClient
from .social import Delivery, DeliveryStatus, LetterLaunch, SocialAccount

__all__ = [
    "ContentVersion",
    "Delivery",
    "DeliveryStatus",
    "LetterLaunch",
    "OAuthClient",
    "ShareCardSettings",
    "ShareImage",
    "ShareImageOverride",
    "SocialAccount",
    "font_family_choices",
    "hex_colour",
]
