from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    """The publishing pipeline: feeds, share cards and social posts (issues 3–5).

    It depends on `home`, never the other way round: it listens to Wagtail's
    page signals and offers template tags.
    """

    name = "publishing"
    verbose_name = _("Publishing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the system checks of each subsystem.
        from .cdn import receivers as cdn_receivers
        from .feeds import receivers as feed_receivers
        from .share_images import checks as share_image_checks  # noqa: F401
        from .share_images import receivers as share_image_receivers
        from .social import checks as social_checks  # noqa: F401
        from .social import receivers as social_receivers

        # In this order: on commit, a letter's cards are enqueued before its deliveries.
        feed_receivers.register_signal_handlers()
        share_image_receivers.register_signal_handlers()
        social_receivers.register_signal_handlers()
        cdn_receivers.register_signal_handlers()
        add_sharing_tab()


def add_sharing_tab() -> None:
    """Give the letter editor a "Sharing" tab (card previews, replacement image).

    Done from here so that `home` knows nothing of publishing.
    """
    from wagtail.admin.panels import InlinePanel, ObjectList, TabbedInterface

    from home.models import LetterPage

    from .share_images.panels import ShareCardPanel
    from .social.panels import SocialPostsPanel

    LetterPage.edit_handler = TabbedInterface(
        [
            ObjectList(LetterPage.content_panels, heading=_("Content")),
            ObjectList(LetterPage.promote_panels, heading=_("Promote")),
            ObjectList(LetterPage.settings_panels, heading=_("Settings")),
            ObjectList(
                [
                    InlinePanel(
                        "share_image_overrides",
                        max_num=1,
                        label=_("Replacement share image"),
                        help_text=_("Upload an image to use instead of the generated card."),
                    ),
                    ShareCardPanel(heading=_("Share cards")),
                    *LetterPage.sharing_panels,
                    SocialPostsPanel(heading=_("Social posts")),
                ],
                heading=_("Sharing"),
            ),
        ]
    )
