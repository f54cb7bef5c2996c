"""Template tags the site layer uses to show what publishing offers (feed links)."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from home.models import OrganizationPage

register = template.Library()

_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml"}


@register.inclusion_tag("publishing/feed_links.html", takes_context=True)
def feed_links(context, page=None):
    """Autodiscovery links: the language's letters feed, plus the organization's on its page."""
    request = context.get("request")
    feeds = []
    try:
        for format, mime_type in _TYPES.items():
            feeds.append(
                {
                    "type": mime_type,
                    "title": _("Letters (%(format)s)") % {"format": format.upper()},
                    "href": reverse("publishing:feed_letters", kwargs={"format": format}),
                }
            )
        specific = getattr(page, "specific", None)
        if isinstance(specific, OrganizationPage):
            for format, mime_type in _TYPES.items():
                feeds.append(
                    {
                        "type": mime_type,
                        "title": _("Letters signed by %(name)s (%(format)s)")
                        % {"name": specific.title, "format": format.upper()},
                        "href": reverse(
                            "publishing:feed_organization",
                            kwargs={"slug": specific.slug, "format": format},
                        ),
                    }
                )
    except NoReverseMatch:
        return {"feeds": []}
    if request is not None:
        for feed in feeds:
            feed["href"] = request.build_absolute_uri(feed["href"])
    return {"feeds": feeds}


@register.inclusion_tag("publishing/share_image_meta.html", takes_context=True)
def share_image_meta(context, page=None):
    """og:image and twitter:image for the page's card (an alias shows its original's).

    A card marked stale (an input changed, the redraw is pending) is not shown.
    """
    if page is None:
        return {}
    from publishing.models import ShareImage

    source_id = page.alias_of_id or page.pk
    image = ShareImage.objects.filter(page_id=source_id, variant="og", stale=False).first()
    if image is None:
        return {}
    request = context.get("request")
    url = request.build_absolute_uri(image.url) if request else image.url
    return {"image": image, "url": url}
