"""The feeds Broadside publishes, listed once; everything else reads this list.

Each feed class states its own address (`url_name`, `route`) and what one feed is about
(`subject_model`: None for a language's feed, else the model with one feed per
instance). From `FEEDS` come the URL patterns (`urlpatterns`), the feeds a letter
appears in (WebSub pings, `publishing.feeds.changes`), a page's autodiscovery links
(`publishing_tags.feed_links`) and the feed addresses the API gives. A new feed is a
subclass added here, never a URL name added to lists elsewhere; `tests/test_feeds.py`
fails for a feed view routed without being listed.
"""

from __future__ import annotations

from django.urls import URLPattern, path, reverse
from django.utils import translation

from .letters import LetterFeed, LocaleLetterFeed, OrganizationLetterFeed, TopicLetterFeed

FEEDS: tuple[type[LetterFeed], ...] = (LocaleLetterFeed, OrganizationLetterFeed, TopicLetterFeed)
# The formats every feed is served in (the keys of publishing.feeds.base.FORMATS).
FEED_FORMATS = ("rss", "atom")
NAMESPACE = "publishing"


def namespaced(feed: type[LetterFeed]) -> str:
    """The namespaced URL name of `feed`, for `reverse`: "publishing:feed_topic"."""
    return f"{NAMESPACE}:{feed.url_name}"


def feed_paths(feed: type[LetterFeed], subject=None, *, language: str) -> dict[str, str]:
    """{format: path} of the feed of `subject` (None for a language's feed) in `language`,
    e.g. {"rss": "/fr/feeds/topics/climat.rss", "atom": …}.

    Raises NoReverseMatch when the publishing URLs are not mounted."""
    kwargs = feed.subject_url_kwargs(subject) if feed.subject_model else {}
    with translation.override(language):
        return {
            format: reverse(namespaced(feed), kwargs={**kwargs, "format": format})
            for format in FEED_FORMATS
        }


def feeds_about(model: type | None) -> list[type[LetterFeed]]:
    """The feeds with one feed per instance of `model` (per language, for None).
    An instance of a subclass of a feed's subject model matches it too."""
    if model is None:
        return [feed for feed in FEEDS if feed.subject_model is None]
    return [feed for feed in FEEDS if feed.subject_model and issubclass(model, feed.subject_model)]


def feed_about(model: type | None) -> type[LetterFeed]:
    """The first feed about `model` (see `feeds_about`); LookupError if there is none."""
    for feed in feeds_about(model):
        return feed
    raise LookupError(f"No feed is about {model!r}.")


def feeds_listing(letter) -> list[tuple[type[LetterFeed], object]]:
    """Every (feed, subject) whose feed lists `letter`, in the order of `FEEDS`."""
    return [(feed, subject) for feed in FEEDS for subject in feed.subjects_listing(letter)]


def urlpatterns() -> list[URLPattern]:
    """The URL pattern of every feed, for the `publishing` URLconf."""
    return [path(feed.route, feed.as_view(), name=feed.url_name) for feed in FEEDS]
