"""The "Sharing" tab of the letter editor: card previews per language and variant."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel

from .share_images.card import VARIANTS

VARIANT_LABELS = {
    "og": _("Open Graph 1200×630 (Facebook, X, LinkedIn, Mastodon)"),
    "square": _("Square 1080×1080 (Instagram)"),
    "portrait": _("Portrait 1080×1350 (Instagram)"),
    "instagram": _("Instagram post (JPEG 1080×1350)"),
    "bluesky": _("Bluesky (JPEG under 1 MB)"),
}


class ShareCardPanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "publishing/panels/share_cards.html"

        def get_context_data(self, parent_context=None):
            from publishing.models import ShareImage

            context = super().get_context_data(parent_context)
            page = self.instance
            context["previews"] = []
            if page.pk:
                context["previews"] = [
                    {
                        "label": VARIANT_LABELS[key],
                        "url": reverse(
                            "publishing_admin:share_image_preview",
                            kwargs={"page_id": page.pk, "variant": key},
                        ),
                    }
                    for key in VARIANTS
                ]
                translations = page.get_translations(inclusive=True).select_related("locale")
                stored = ShareImage.objects.filter(page__in=translations).select_related(
                    "page__locale"
                )
                context["stored"] = sorted(
                    stored,
                    key=lambda image: (
                        image.page.locale.language_code,
                        list(VARIANTS).index(image.variant),
                    ),
                )
            return context


class SocialPostsPanel(Panel):
    """Each account's post for this letter (from the latest draft), and what went out."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "publishing/panels/social_posts.html"

        def get_context_data(self, parent_context=None):
            from .social_preview import social_panel_context

            context = super().get_context_data(parent_context)
            if self.instance.pk:
                context.update(social_panel_context(self.instance, self.request.user))
            return context
