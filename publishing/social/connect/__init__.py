"""Connecting social accounts from the admin (issue 12), one flow per network.

`flow_for(channel)` gives the flow of a BROADSIDE_CHANNELS key, or None when
the network has none or its app credentials are not configured
(BROADSIDE_CONNECT). The views are in views.py, what is stored in save.py,
token refresh in refresh.py and the health flags in health.py.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from publishing.channels import get_channel_class

from .base import ConnectFlow


def flow_class(channel: str) -> type[ConnectFlow] | None:
    """The flow class named by the channel's `connect_flow` (a dotted path, so channel
    files import nothing of the social side), or by BROADSIDE_CONNECT_FLOWS[channel] where
    an installation overrides it; None when neither names one."""
    path = getattr(settings, "BROADSIDE_CONNECT_FLOWS", {}).get(channel)
    if path is None and channel in settings.BROADSIDE_CHANNELS:
        path = get_channel_class(channel).connect_flow
    return import_string(path) if path else None


def flow_for(channel: str) -> ConnectFlow | None:
    """The configured flow for `channel`, or None (no flow, no channel, no app credentials)."""
    if channel not in settings.BROADSIDE_CHANNELS:
        return None
    cls = flow_class(channel)
    if cls is None:
        return None
    flow = cls()
    return flow if flow.is_configured() else None


def connectable_channels() -> list[str]:
    """Channel keys with a configured flow, in BROADSIDE_CHANNELS order."""
    return [channel for channel in settings.BROADSIDE_CHANNELS if flow_for(channel)]
