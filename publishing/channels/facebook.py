"""Facebook: mentionable before it has a channel (settings.BROADSIDE_MENTION_ONLY_NETWORKS).

Its channel, when written, goes in this file and takes over this `NETWORK`.
"""

from django.utils.translation import gettext_lazy

from .networks import Network

# Usernames: letters, digits and ".", at least 5 (facebook.com/help/105399436216001).
NETWORK = Network(
    "facebook",
    gettext_lazy("Facebook"),
    handle=r"[A-Za-z0-9.]{5,50}",
    example="cancivlib",
    prefix="",
)
