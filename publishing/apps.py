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
        from . import checks  # noqa: F401  (registers the system checks)
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
        add_sharing_tab()


def add_sharing_tab() -> None:
    """Give the letter editor a "Sharing" tab (card previews, replacement image).

    Done from here so that `home` knows nothing of publishing.
    """
    from wagtail.admin.panels import InlinePanel, ObjectList, TabbedInterface

    from home.models import LetterPage

    from .panels import ShareCardPanel, SocialPostsPanel

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
