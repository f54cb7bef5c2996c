"""Threads: mentionable before it has a channel (settings.BROADSIDE_MENTION_ONLY_NETWORKS).

Its channel, when written, goes in this file and takes over this `NETWORK`.
"""

from django.utils.translation import gettext_lazy

from .networks import Network

# Threads profiles are Instagram usernames (Threads Help Center).
NETWORK = Network(
    "threads", gettext_lazy("Threads"), handle=r"[A-Za-z0-9._]{1,30}", example="@aclu", prefix="@"
)
