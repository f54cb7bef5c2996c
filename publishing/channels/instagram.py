"""Instagram: mentionable before it has a channel (settings.BROADSIDE_MENTION_ONLY_NETWORKS).

Its channel, when written, goes in this file and takes over this `NETWORK`.
"""

from django.utils.translation import gettext_lazy

from .networks import Network

# Usernames: letters, digits, "." and "_", at most 30 (Instagram Help Center).
NETWORK = Network(
    "instagram",
    gettext_lazy("Instagram"),
    handle=r"[A-Za-z0-9._]{1,30}",
    example="@aclu_nationwide",
    prefix="@",
)
