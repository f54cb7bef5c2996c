"""Who may see and who may act on a letter's deliveries (one home for both rules)."""

from __future__ import annotations

from wagtail.models import Page
from wagtail.permission_policies import ModelPermissionPolicy

from publishing.models import Delivery


def may_act_on_deliveries(user, page: Page) -> bool:
    """Retry, confirm or repeat posts: publishers of the page with the delivery permission."""
    return user.has_perm("publishing.retry_delivery") and (
        page.permissions_for_user(user).can_publish()
    )


def may_see_every_delivery(user) -> bool:
    """Holders of "view delivery" read every delivery in the deliveries report already."""
    return ModelPermissionPolicy(Delivery).user_has_permission(user, "view")


def may_see_deliveries(user, page: Page) -> bool:
    """See what went out for one language version of a letter: those who may edit that
    version (its Sharing tab or translation editor is theirs), and holders of "view
    delivery". No query once the user's permissions are cached on the user object."""
    return may_see_every_delivery(user) or page.permissions_for_user(user).can_edit()
