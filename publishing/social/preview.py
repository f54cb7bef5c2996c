"""What the editor's "Social posts" panel shows: previews per account, deliveries, actions."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from publishing.channels import UnknownChannel, build_channel
from publishing.models.social import RETRYABLE

from .compose import CompositionError
from .credentials import CredentialsError
from .overview import deliveries_by_language
from .posts import compose_for
from .recording import accounts_for


@dataclass
class PostPreview:
    account: object
    network: str
    text: str = ""
    count: str = ""
    fits: bool = True
    problems: tuple[str, ...] = ()
    card_url: str = ""


def preview_posts(letter) -> list[PostPreview]:
    """The post each account would get for the latest draft, without calling any network."""
    draft = letter.get_latest_revision_as_object() if letter.has_unpublished_changes else letter
    previews, contexts = [], {}
    for account in accounts_for(letter.locale_id).order_by("name"):
        try:
            channel = account.build_channel(build_channel)
        except (CredentialsError, UnknownChannel) as error:
            previews.append(PostPreview(account, account.channel, problems=(str(error),)))
            continue
        channel.offline = True
        preview = PostPreview(account, str(channel.verbose_name))
        if channel.card_variant:
            preview.card_url = reverse(
                "publishing_admin:share_image_preview",
                kwargs={"page_id": letter.pk, "variant": channel.card_variant},
            )
        try:
            composed = compose_for(draft, account, channel, contexts=contexts)
        except CompositionError as error:
            preview.problems = (str(error),)
            preview.fits = False
        else:
            preview.text = composed.text  # composition checked that it fits
            preview.count = channel.text_rules().describe(composed.text)
        previews.append(preview)
    return previews


def social_panel_context(letter, user) -> dict:
    """The Sharing tab's social panel: this language's previews, and what went out in
    every language of the letter with the actions the user may take on each."""
    every_language = deliveries_by_language(letter, user)
    return {
        "page_id": letter.pk,
        "post_on_publish": getattr(letter, "post_on_publish", True),
        "previews": preview_posts(letter),
        "every_language": every_language,
        **delivery_actions_context(),
        "overview_url": reverse("publishing_admin:what_went_out", args=[letter.pk]),
        "next_url": reverse("wagtailadmin_pages:edit", args=[letter.pk]) + "#tab-sharing",
    }


def delivery_actions_context() -> dict:
    """What the deliveries' template needs to offer each action."""
    return {"retryable": RETRYABLE}
