"""Rendering cost does not grow with the number of signatories (or list entries)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from home.models import LetterSignatory, LetterSigner, SignatoryVisibility, Topic

# A letter page, measured: 12 queries are Wagtail's own serving (site, locale,
# routing down the tree, view restrictions); 21 are the page's: translations for
# hreflang, the effective signature rows (own rows, the source-language version
# and its rows, which organizations are live and public), organizations and
# their translations, signers, topics, publisher and network (with their
# publicness and translations), navigation, the share card. None repeats per
# signatory: the test compares 2 signatories with 13.
LETTER_PAGE_MAX_QUERIES = 33


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def make_signed_letter(make_organization, make_letter, translate, slug, how_many):
    logo = get_image_model().objects.create(title="logo", file=get_test_image_file())
    organizations = [
        make_organization(f"{slug}-org-{i}", f"Org {i}", country="KE", logo=logo, acronym=f"O{i}")
        for i in range(how_many)
    ]
    for organization in organizations[::2]:
        translate(organization, "fr")
    network = make_organization(f"{slug}-network", "Network")
    publisher = make_organization(f"{slug}-publisher", "Publisher", member_of=network)
    topic = Topic.objects.create(name=f"Topic {slug}", slug=slug, locale=publisher.locale)
    letter = make_letter(
        slug,
        published_by=publisher,
        signers=[LetterSigner(name="A. Person", role="Director", organization=publisher)],
        signatories=[
            LetterSignatory(
                organization=o,
                visibility=SignatoryVisibility.ANONYMOUS if i == 1 else SignatoryVisibility.PUBLIC,
            )
            for i, o in enumerate(organizations)
        ],
    )
    letter.topics.set([topic])
    letter.save_revision().publish()
    return letter, translate(letter, "fr")


def test_letter_page_queries_do_not_depend_on_signatory_count(
    client, make_organization, make_letter, translate, django_assert_max_num_queries
):
    small, small_fr = make_signed_letter(make_organization, make_letter, translate, "small", 2)
    large, large_fr = make_signed_letter(make_organization, make_letter, translate, "large", 13)
    for page in (small, small_fr, large, large_fr):
        count_queries(client, page.url)  # warm caches (site root paths, renditions)

    assert count_queries(client, large.url) == count_queries(client, small.url)
    assert count_queries(client, large_fr.url) == count_queries(client, small_fr.url)
    with django_assert_max_num_queries(LETTER_PAGE_MAX_QUERIES):
        client.get(large_fr.url)


def test_listings_do_not_query_per_letter(client, make_letter, tree):
    for i in range(3):
        make_letter(f"few-{i}")
    few = count_queries(client, tree.letters.url)
    for i in range(12):
        make_letter(f"many-{i}")
    assert count_queries(client, tree.letters.url) == few


def test_feed_queries_do_not_depend_on_entry_count(client, make_organization, make_letter):
    from django.core.cache import cache

    organizations = [make_organization(f"signer-{i}") for i in range(4)]
    for i in range(3):
        make_letter(f"feed-few-{i}", signatories=organizations)
    cache.clear()
    few = count_queries(client, "/en/feeds/letters.atom")
    for i in range(12):
        make_letter(f"feed-many-{i}", signatories=organizations)
    cache.clear()
    assert count_queries(client, "/en/feeds/letters.atom") == few
