"""Social channels: one plug-in per network, configured by dotted path.

`get_channel_class(key)` reads `BROADSIDE_CHANNELS` the way Wagtail reads
WAGTAILFRONTENDCACHE; a channel never sees a page, only a composed `Post`
(see base.py and docs/channels.md).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .base import Channel


class UnknownChannel(ImproperlyConfigured):
    pass


def channel_config(key: str) -> dict[str, Any]:
    try:
        return dict(settings.BROADSIDE_CHANNELS[key])
    except KeyError as missing:
        raise UnknownChannel(f"No channel {key!r} in BROADSIDE_CHANNELS") from missing


def get_channel_class(key: str) -> type[Channel]:
    path = channel_config(key)["BACKEND"]
    try:
        return import_string(path)
    except ImportError as error:
        raise UnknownChannel(f"Could not import channel {path!r}: {error}") from error


def channel_choices() -> list[tuple[str, str]]:
    """(key, name) of every configured channel, for forms and the command line."""
    return [(key, str(get_channel_class(key).verbose_name)) for key in settings.BROADSIDE_CHANNELS]


def build_channel(
    key: str, *, base_url: str = "", credentials: dict | None = None, state: dict | None = None
) -> Channel:
    options = channel_config(key)
    options.pop("BACKEND")
    return get_channel_class(key)(
        base_url=base_url,
        credentials=credentials or {},
        state=state or {},
        options={name.lower(): value for name, value in options.items()},
    )
