"""The social panel of the letter editor's "Sharing" tab."""

from __future__ import annotations

from wagtail.admin.panels import Panel

from .preview import social_panel_context


class SocialPostsPanel(Panel):
    """Each account's post for this letter (from the latest draft), and what went out."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "publishing/panels/social_posts.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            if self.instance.pk:
                context.update(social_panel_context(self.instance, self.request.user))
            return context
