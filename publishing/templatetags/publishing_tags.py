"""Template tags the site layer uses to show what publishing offers (feed links)."""

from django import template
from django.urls import NoReverseMatch
from django.utils.translation import get_language

from publishing.feeds.registry import feed_paths, feeds_about

register = template.Library()

_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml"}


@register.inclusion_tag("publishing/feed_links.html", takes_context=True)
def feed_links(context, page=None):
    """Autodiscovery links: the language's feeds, plus those about the page itself (an
    organization's letters on its page), as publishing.feeds.registry lists them."""
    request = context.get("request")
    language = get_language()
    specific = getattr(page, "specific", None)
    shown = [(feed, None) for feed in feeds_about(None)]
    if specific is not None:
        shown += [(feed, specific) for feed in feeds_about(type(specific))]
    feeds = []
    try:
        for feed, subject in shown:
            for format, href in feed_paths(feed, subject, language=language).items():
                feeds.append(
                    {
                        "type": _TYPES[format],
                        "title": feed.discovery_title(subject, format),
                        "href": href,
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
