"""Feed figures: a 50-entry feed with 13 signatories per letter.

    .venv/bin/python bench/feeds.py [--repeat 20]

Prints build time cold (cache empty) and warm (rendered feed cached), and the
time and query count of a 304 answer, for Broadside's feedgen feed and for the
obvious alternative: the same feed with django.contrib.syndication, which
rebuilds the feed for every request (a 304 there comes from comparing the
finished feed, as ConditionalGetMiddleware does).
"""

from __future__ import annotations

import argparse
from datetime import date, timedelta

from _setup import count_queries, load_demo, median_ms, setup_django

setup_django()

from django.contrib.syndication.views import Feed as SyndicationFeed  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.utils.cache import get_conditional_response  # noqa: E402
from django.utils.feedgenerator import Atom1Feed  # noqa: E402
from django.utils.translation import override  # noqa: E402
from wagtail.models import Locale  # noqa: E402

ENTRIES = 50


def make_letters() -> None:
    from home.models import LetterIndexPage, LetterPage, LetterSignatory, OrganizationPage

    english = Locale.objects.get(language_code="en")
    index = LetterIndexPage.objects.get(locale=english)
    organizations = list(
        OrganizationPage.objects.filter(locale=english, member_of__isnull=False)[:13]
    )
    existing = LetterPage.objects.filter(locale=english).count()
    for number in range(existing, ENTRIES):
        letter = LetterPage(
            title=f"Bench letter {number}",
            slug=f"bench-letter-{number}",
            standfirst="A standfirst long enough to look like one, written for the bench.",
            publication_date=date(2026, 1, 1) + timedelta(days=number),
            body=[{"type": "paragraph", "value": "<p>Paragraph one.</p><p>Paragraph two.</p>"}],
        )
        letter.signatories = [LetterSignatory(organization=o) for o in organizations]
        index.add_child(instance=letter)
        letter.save_revision().publish()


class SyndicationLetters(SyndicationFeed):
    """The same feed with Django's syndication framework: the alternative we measure against."""

    feed_type = Atom1Feed
    title = "Letters"
    link = "/en/letters/"
    description = "Letters"

    def get_object(self, request, *args, **kwargs):
        self.request = request

    def items(self):
        from home.models import LetterPage, letters_for_listing

        english = Locale.objects.get(language_code="en")
        letters = LetterPage.objects.live().public().filter(locale=english)
        # A fair alternative: the signatories are prefetched, not queried per item.
        return letters_for_listing(letters).prefetch_related("signatories__organization")[:ENTRIES]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.standfirst

    def item_link(self, item):
        return item.get_url(self.request)

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_author_name(self, item):
        return ", ".join(s.organization.title for s in item.signatories.all())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    load_demo()
    make_letters()

    client = Client(HTTP_HOST="localhost")
    url = "/en/feeds/letters.atom"

    def cold():
        cache.clear()
        assert client.get(url).status_code == 200

    response = client.get(url)
    etag = response["ETag"]
    entries = response.content.count(b"<entry>")

    def warm():
        assert client.get(url).status_code == 200

    def not_modified():
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    ours = {
        "cold": (median_ms(cold, args.repeat), count_queries(cold)),
        "warm": (median_ms(warm, args.repeat), count_queries(warm)),
        "304": (median_ms(not_modified, args.repeat), count_queries(not_modified)),
    }

    factory = RequestFactory(HTTP_HOST="localhost")
    view = SyndicationLetters()
    first = view(factory.get("/en/syndication.atom"))
    theirs_etag = '"x"'

    def syndication():
        with override("en"):
            assert view(factory.get("/en/syndication.atom")).status_code == 200

    def syndication_304():
        with override("en"):
            request = factory.get("/en/syndication.atom", HTTP_IF_NONE_MATCH=theirs_etag)
            full = view(request)
            assert (
                get_conditional_response(request, etag=theirs_etag, response=full).status_code
                == 304
            )

    theirs = {
        "cold": (median_ms(syndication, args.repeat), count_queries(syndication)),
        "warm": (median_ms(syndication, args.repeat), count_queries(syndication)),
        "304": (median_ms(syndication_304, args.repeat), count_queries(syndication_304)),
    }
    assert first.status_code == 200

    print(f"Atom feed, {entries} entries, 13 signatories each (median of {args.repeat})")
    print(f"{'':6} {'Broadside (feedgen)':>24} {'django.contrib.syndication':>30} {'ratio':>8}")
    for key in ("cold", "warm", "304"):
        (ms, queries), (their_ms, their_queries) = ours[key], theirs[key]
        print(
            f"{key:6} {ms:>9.2f} ms {queries:>3} queries "
            f"{their_ms:>15.2f} ms {their_queries:>3} queries {their_ms / ms:>7.1f}x"
        )


if __name__ == "__main__":
    main()
