"""The share cards' panel of the letter editor's "Sharing" tab: previews per language and
variant (each variant's label is on its `Variant`, share_images/card.py)."""

from __future__ import annotations

from django.urls import reverse
from wagtail.admin.panels import Panel

from .card import VARIANTS


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
                        "label": variant.label or key,
                        "url": reverse(
                            "publishing_admin:share_image_preview",
                            kwargs={"page_id": page.pk, "variant": key},
                        ),
                    }
                    for key, variant in VARIANTS.items()
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
