"""The pages above the content: a language's home page and the two listings."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _

from .letters import LetterPage
from .organizations import OrganizationPage
from .pages import LETTERS_PER_PAGE, IntroPage, letters_for_listing


class HomePage(IntroPage):
    """The root of one language's tree."""

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["home.LetterIndexPage", "home.OrganizationIndexPage"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_letters"] = letters_for_listing(
            LetterPage.objects.live().public().descendant_of(self)
        )[:5]
        return context


class LetterIndexPage(IntroPage):
    parent_page_types = ["home.HomePage"]
    subpage_types = ["home.LetterPage"]

    class Meta:
        verbose_name = _("letter index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        letters = letters_for_listing(LetterPage.objects.live().public().child_of(self))
        context["letters"] = Paginator(letters, LETTERS_PER_PAGE).get_page(request.GET.get("page"))
        return context


class OrganizationIndexPage(IntroPage):
    parent_page_types = ["home.HomePage"]
    subpage_types = ["home.OrganizationPage"]

    class Meta:
        verbose_name = _("organization index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["organizations"] = (
            OrganizationPage.objects.live()
            .public()
            .child_of(self)
            .order_by("title")
            .select_related("logo", "locale")
        )
        return context
