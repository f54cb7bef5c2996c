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
from .networks import Network


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


def social_networks() -> list[Network]:
    """The networks organizations can be mentioned on: each configured channel's (in
    BROADSIDE_CHANNELS order), then BROADSIDE_MENTION_ONLY_NETWORKS (dotted paths of
    `Network`s whose channel is not written or not configured). One per key."""
    networks: dict[str, Network] = {}
    for key in settings.BROADSIDE_CHANNELS:
        network = get_channel_class(key).social_network
        if network is not None:
            networks.setdefault(network.key, network)
    for path in getattr(settings, "BROADSIDE_MENTION_ONLY_NETWORKS", ()):
        network = import_string(path)
        networks.setdefault(network.key, network)
    return list(networks.values())


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
