"""LinkedIn: mentionable before it has a channel (settings.BROADSIDE_MENTION_ONLY_NETWORKS).

Its channel, when written, goes in this file and takes over this `NETWORK`.
"""

from django.utils.translation import gettext_lazy

from .networks import Network

# A public profile or page URL name: 3-100 letters, digits or "-" (LinkedIn Help).
NETWORK = Network(
    "linkedin", gettext_lazy("LinkedIn"), handle=r"[A-Za-z0-9-]{3,100}", example="aclu", prefix=""
)
