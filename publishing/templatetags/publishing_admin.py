"""Admin template tags: the "What went out" link of a letter's editors (both Wagtail's and
wagtail-localize's, through their status side panel and the translation editor's header)."""

from django import template

from publishing.social.overview import delivery_summary, is_letter, what_went_out_url
from publishing.social.permissions import may_see_deliveries

register = template.Library()


@register.inclusion_tag("publishing/includes/what_went_out_link.html", takes_context=True)
def what_went_out_link(context, page=None, classes: str = "") -> dict:
    """A link to the letter's "What went out" view with how many posts went out in how
    many languages (one query); nothing for other objects or users who may not see it.
    `classes`: extra CSS classes of the paragraph (where it stands alone, in a header)."""
    request = context.get("request")
    if (
        page is None
        or request is None
        or not getattr(page, "pk", None)
        or not hasattr(page, "translation_key")
        or not hasattr(page, "specific_class")
        or not is_letter(page)
        or not may_see_deliveries(request.user, page)
    ):
        return {"show": False}
    # wagtail-localize's editor renders the status panel twice: count once per request.
    summaries = request.__dict__.setdefault("_broadside_delivery_summaries", {})
    if page.translation_key not in summaries:
        summaries[page.translation_key] = delivery_summary(page, request.user)
    summary = summaries[page.translation_key]
    return {"show": True, "classes": classes, "url": what_went_out_url(page), **summary}
