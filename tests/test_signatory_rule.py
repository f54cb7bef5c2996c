"""home.signatories' rules and home.signed_letters' queries, called directly (fast enough
for mutation testing): who is named, counted and shown with a country, in every language
version of a letter, and which letters an organization's signatures touch.

tests/test_signatories.py reads the same rules through every surface (page, feeds, API,
cards, posts, organization pages, search); these check the rules themselves.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Locale, Page, PageViewRestriction
from wagtail_localize.synctree import synchronize_tree

from home.models import LetterPage, LetterSignatory, OrganizationPage
from home.signatories import (
    Signatory,
    SignatoryVisibility,
    SignatureRow,
    count_signatories,
    localize_pages,
    resolve_signatories,
    shown_country,
    signature_rows,
)
from home.signed_letters import letters_naming, letters_ruled_by, letters_signed_by
from tests.conftest import Tree, build_tree, publish, rolled_back_after

pytestmark = pytest.mark.django_db
V = SignatoryVisibility


def version(page: Page, language: str, **fields) -> Page:
    """`page` in `language`: a published real translation; its rows keep their keys."""
    locale = Locale.objects.get(language_code=language)
    copy = page.copy_for_translation(locale, copy_parents=True).specific
    for name, value in fields.items():
        setattr(copy, name, value)
    copy.save_revision().publish()
    for ancestor in copy.get_ancestors().filter(depth__gt=1, live=False):
        ancestor.specific.save_revision().publish()
    return type(page.specific).objects.get(pk=copy.pk)


def rows_of(letter: LetterPage) -> list[tuple[str, str, str]]:
    """(organization slug, visibility, country shown) of each row `letter` may show."""
    slugs = dict(OrganizationPage.objects.values_list("pk", "slug"))
    return [
        (slugs[row.organization_id], row.visibility, row.country)
        for row in signature_rows([letter])[letter.pk]
    ]


def set_visibility(letter: LetterPage, slug: str, visibility: str) -> None:
    """As publishing the letter with that row changed would leave its rows."""
    LetterSignatory.objects.filter(letter=letter, organization__slug=slug).update(
        visibility=visibility
    )


ORGANIZATIONS = {
    "named": ("Named Org", "KE"),
    "withcountry": ("With Country Org", "EG"),
    "anon": ("Anonymous Org", "RU"),
    "withheld": ("Withheld Org", "HU"),
    "second": ("Second Org", ""),
    # Not signatories: public organizations from the same countries, so that "anonymous
    # with its country" does not single one out (home.signatories._without_telling_details).
    "other-ke": ("Other Kenyan Org", "KE"),
    "other-eg": ("Other Egyptian Org", "EG"),
    "other-ru": ("Other Russian Org", "RU"),
    "other-hu": ("Other Hungarian Org", "HU"),
}
ROWS = [
    ("named", V.PUBLIC),
    ("withcountry", V.ANONYMOUS_WITH_COUNTRY),
    ("anon", V.ANONYMOUS),
    ("withheld", V.WITHHELD),
    ("second", V.PUBLIC),
]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """A tree, five organizations and a letter signed by each, made once for the module
    (what a test changes is rolled back after it: conftest.rolled_back_after)."""
    with rolled_back_after(django_db_blocker):
        tree = build_tree()
        orgs = {}
        logo = get_image_model().objects.create(title="logo", file=get_test_image_file())
        for slug, (title, country) in ORGANIZATIONS.items():
            page = OrganizationPage(title=title, slug=slug, country=country, logo=logo)
            tree.organizations.add_child(instance=page)
            orgs[slug] = publish(page)
        letter = LetterPage(
            title="Signed",
            slug="signed",
            standfirst="Standfirst of signed.",
            publication_date=date(2025, 1, 1),
        )
        letter.signatories = [
            LetterSignatory(organization=orgs[slug], visibility=visibility)
            for slug, visibility in ROWS
        ]
        tree.letters.add_child(instance=letter)
        yield {"tree": tree, "orgs": orgs, "letter": publish(letter)}


@pytest.fixture
def tree(world, db) -> Tree:
    """The module's tree, read afresh (tree operations need current child counts)."""
    made = world["tree"]
    return Tree(
        home=type(made.home).objects.get(pk=made.home.pk),
        letters=type(made.letters).objects.get(pk=made.letters.pk),
        organizations=type(made.organizations).objects.get(pk=made.organizations.pk),
    )


@pytest.fixture
def orgs(world, tree) -> dict[str, OrganizationPage]:
    return {slug: OrganizationPage.objects.get(pk=page.pk) for slug, page in world["orgs"].items()}


@pytest.fixture
def letter(world, tree) -> LetterPage:
    return LetterPage.objects.get(pk=world["letter"].pk)


@pytest.mark.parametrize(
    ("visibility", "shown"),
    [(V.PUBLIC, "KE"), (V.ANONYMOUS_WITH_COUNTRY, "KE"), (V.ANONYMOUS, ""), (V.WITHHELD, "")],
)
def test_only_named_and_anonymous_with_country_show_a_country(visibility, shown):
    assert shown_country(visibility, "KE") == shown


def test_each_row_shows_what_its_visibility_allows_in_order(letter):
    # The named in the editor's order, then the anonymous: their place would tell their name.
    assert rows_of(letter) == [
        ("named", V.PUBLIC, "KE"),
        ("second", V.PUBLIC, ""),
        ("withcountry", V.ANONYMOUS_WITH_COUNTRY, "EG"),
        ("anon", V.ANONYMOUS, ""),
    ]
    rows = signature_rows([letter])[letter.pk]
    assert [row.is_named for row in rows] == [True, True, False, False]
    # the editor's order, not the order rows were made in
    LetterSignatory.objects.filter(letter=letter, organization__slug="named").update(sort_order=9)
    assert [slug for slug, _v, _c in rows_of(letter)] == ["second", "named", "withcountry", "anon"]
    assert {row.letter_id for row in rows} == {letter.pk}
    assert count_signatories(letter) == 4


def test_a_named_signatory_whose_page_is_offline_or_private_is_left_out(letter, orgs):
    orgs["named"].unpublish()
    PageViewRestriction.objects.create(page=orgs["second"], restriction_type="login")
    assert [slug for slug, _v, _c in rows_of(letter)] == ["withcountry", "anon"]
    # an anonymous one is listed whatever its page: its page is never shown
    orgs["anon"].unpublish()
    assert [slug for slug, _v, _c in rows_of(letter)] == ["withcountry", "anon"]


def test_a_letter_without_signatories_has_none(make_letter):
    empty = make_letter("empty")
    assert signature_rows([empty]) == {empty.pk: []}
    assert resolve_signatories(empty) == [] and count_signatories(empty) == 0


def test_a_translation_shows_no_row_more_openly_than_the_source(letter):
    french = version(letter, "fr")
    assert rows_of(french) == rows_of(letter)
    # The source hides "named" and drops "withcountry"; the translation was not synchronised.
    set_visibility(letter, "named", V.ANONYMOUS)
    LetterSignatory.objects.filter(letter=letter, organization__slug="withcountry").delete()
    assert rows_of(french)[0] == ("second", V.PUBLIC, "")
    assert sorted(rows_of(french)[1:]) == [("anon", V.ANONYMOUS, ""), ("named", V.ANONYMOUS, "")]
    # withheld at the source: gone from the translation too
    set_visibility(letter, "second", V.WITHHELD)
    assert sorted(slug for slug, _v, _c in rows_of(french)) == ["anon", "named"]
    # a translation may be more careful than its source
    set_visibility(french, "anon", V.WITHHELD)
    set_visibility(french, "named", V.ANONYMOUS_WITH_COUNTRY)
    set_visibility(letter, "named", V.ANONYMOUS_WITH_COUNTRY)
    set_visibility(letter, "anon", V.PUBLIC)
    assert rows_of(french) == [("named", V.ANONYMOUS_WITH_COUNTRY, "KE")]


def test_the_source_language_version_rules_itself(letter):
    version(letter, "fr")
    assert rows_of(letter)[0] == ("named", V.PUBLIC, "KE")
    french = LetterPage.objects.get(
        translation_key=letter.translation_key, locale__language_code="fr"
    )
    set_visibility(french, "named", V.WITHHELD)
    assert rows_of(letter)[0] == ("named", V.PUBLIC, "KE")  # the source is not ruled by it


def test_a_letter_written_in_another_language_rules_itself(tree, orgs):
    index = version(tree.letters, "fr")
    french = LetterPage(
        title="Lettre", slug="lettre", publication_date="2025-01-01", standfirst="Chapeau."
    )
    french.signatories = [
        LetterSignatory(organization=orgs["named"]),
        LetterSignatory(organization=orgs["anon"], visibility=V.ANONYMOUS),
    ]
    index.add_child(instance=french)
    french.save_revision().publish()
    arabic = version(french, "ar")
    assert rows_of(french) == [("named", V.PUBLIC, "KE"), ("anon", V.ANONYMOUS, "")]
    set_visibility(french, "named", V.ANONYMOUS)
    assert rows_of(arabic) == [("named", V.PUBLIC, "KE"), ("anon", V.ANONYMOUS, "")]


def test_many_letters_cost_a_fixed_number_of_queries(
    letter, make_letter, orgs, django_assert_num_queries
):
    french = version(letter, "fr")
    other = make_letter("other", signatories=[orgs["named"], orgs["second"]])
    letters = [letter, french, other]
    # the rows, the source versions, the source rows, the listable named pages, home.privacy
    with django_assert_num_queries(5):
        rows = signature_rows(letters)
    assert [len(rows[one.pk]) for one in letters] == [4, 4, 2]
    with django_assert_num_queries(4):  # a source-language letter alone: no source rows read
        signature_rows([other])
    unnamed = make_letter(
        "unnamed", signatories=[LetterSignatory(organization=orgs["anon"], visibility=V.ANONYMOUS)]
    )
    with django_assert_num_queries(2):  # nobody named: no page to check
        assert len(signature_rows([unnamed])[unnamed.pk]) == 1


def test_a_draft_reads_its_rows_in_memory(letter, orgs):
    draft = LetterPage.objects.get(pk=letter.pk)
    rows = list(draft.signatories.all())
    rows[1].visibility = V.WITHHELD
    rows[2].visibility = V.ANONYMOUS_WITH_COUNTRY
    extra = LetterSignatory(organization=orgs["withheld"], visibility=V.ANONYMOUS_WITH_COUNTRY)
    # an unsaved row first: no sort order yet, so it sorts as 0, before the first stored one
    draft.signatories = [extra, *rows]
    assert [
        (row.organization_id, row.visibility, row.country)
        for row in signature_rows([draft], draft=True)[draft.pk]
    ] == [
        (orgs["named"].pk, V.PUBLIC, "KE"),
        (orgs["second"].pk, V.PUBLIC, ""),
        (orgs["withheld"].pk, V.ANONYMOUS_WITH_COUNTRY, "HU"),
        (orgs["anon"].pk, V.ANONYMOUS_WITH_COUNTRY, "RU"),
    ]
    assert rows_of(letter)[2] == ("withcountry", V.ANONYMOUS_WITH_COUNTRY, "EG")  # untouched
    # without `draft`, the stored rows rule, whatever the instance holds in memory
    assert [s.visibility for s in resolve_signatories(draft)] == [
        V.PUBLIC,
        V.PUBLIC,
        V.ANONYMOUS_WITH_COUNTRY,
        V.ANONYMOUS,
    ]
    # with it, the preview shows the draft's rows: the newly withheld one gone, the others
    # as the draft has them
    assert [
        (s.visibility, s.organization, s.country) for s in resolve_signatories(draft, draft=True)
    ] == [
        (V.PUBLIC, orgs["named"], "KE"),
        (V.PUBLIC, orgs["second"], ""),
        (V.ANONYMOUS_WITH_COUNTRY, None, "HU"),
        (V.ANONYMOUS_WITH_COUNTRY, None, "RU"),
    ]


def test_resolved_signatories_name_the_organization_in_the_letters_language(letter, orgs):
    french_named = version(orgs["named"], "fr", title="Organisation nommée")
    french = version(letter, "fr")
    assert resolve_signatories(letter) == [
        Signatory(V.PUBLIC, orgs["named"], "KE"),
        Signatory(V.PUBLIC, orgs["second"], ""),
        Signatory(V.ANONYMOUS_WITH_COUNTRY, None, "EG"),
        Signatory(V.ANONYMOUS, None, ""),
    ]
    resolved = resolve_signatories(french)
    assert [s.organization for s in resolved] == [french_named, orgs["second"], None, None]
    assert [s.is_named for s in resolved] == [True, True, False, False]


def test_localized_pages_are_live_public_real_translations_or_the_source(tree, orgs):
    named, second, anon = orgs["named"], orgs["second"], orgs["anon"]
    french_named = version(named, "fr", title="Organisation nommée")
    version(second, "fr").unpublish()
    french = Locale.objects.get(language_code="fr")
    assert localize_pages([named, second, anon], french.pk) == [french_named, second, anon]
    assert localize_pages([french_named, named], Locale.objects.get(language_code="en").pk) == [
        named,
        named,
    ]
    with translation.override("fr"):
        assert localize_pages([named]) == [french_named]
    assert localize_pages([], french.pk) == []
    PageViewRestriction.objects.create(page=tree.organizations, restriction_type="login")
    assert localize_pages([named], french.pk) == [named]


def test_an_alias_is_not_a_translation_of_an_organization(tree, orgs):
    synchronize_tree(Locale.objects.get(language_code="en"), Locale.objects.get(language_code="es"))
    spanish = Locale.objects.get(language_code="es")
    alias = OrganizationPage.objects.get(
        translation_key=orgs["named"].translation_key, locale=spanish
    )
    assert alias.alias_of_id == orgs["named"].pk
    assert localize_pages([orgs["named"]], spanish.pk) == [orgs["named"]]


def test_an_organization_lists_the_letters_that_name_it_in_its_language(letter, orgs, make_letter):
    french = version(letter, "fr")
    french_named = version(orgs["named"], "fr")
    assert list(letters_signed_by(orgs["named"])) == [letter]
    assert list(letters_signed_by(french_named)) == [french]
    assert list(letters_signed_by(orgs["anon"])) == []
    assert list(letters_signed_by(orgs["withcountry"])) == []
    assert list(letters_signed_by(orgs["withheld"])) == []
    # anonymous in the translation only: that version does not list it
    set_visibility(french, "named", V.ANONYMOUS)
    assert list(letters_signed_by(french_named)) == []
    assert list(letters_signed_by(orgs["named"])) == [letter]
    set_visibility(french, "named", V.PUBLIC)
    # anonymous at the source: no version lists it, whatever the translation says
    set_visibility(letter, "named", V.ANONYMOUS)
    assert list(letters_signed_by(french_named)) == []
    assert list(letters_signed_by(orgs["named"])) == []
    # offline or private letters are not listed
    assert list(letters_signed_by(orgs["second"])) == [letter]
    PageViewRestriction.objects.create(page=letter, restriction_type="login")
    assert list(letters_signed_by(orgs["second"])) == []
    other = make_letter("other", signatories=[orgs["second"]])
    other.unpublish()
    assert list(letters_signed_by(orgs["second"])) == []


def test_a_letter_written_in_another_language_lists_its_named_signatories(tree, orgs, letter):
    index = version(tree.letters, "fr")
    french = LetterPage(
        title="Lettre", slug="lettre", publication_date="2025-01-01", standfirst="Chapeau."
    )
    french.signatories = [LetterSignatory(organization=orgs["named"])]
    index.add_child(instance=french)
    french.save_revision().publish()
    others = LetterPage(
        title="Autre", slug="autre", publication_date="2025-01-01", standfirst="Chapeau."
    )
    others.signatories = [
        LetterSignatory(organization=orgs["second"]),
        LetterSignatory(organization=orgs["anon"], visibility=V.ANONYMOUS),
    ]
    index.add_child(instance=others)
    others.save_revision().publish()
    french_named = version(orgs["named"], "fr")
    assert list(letters_signed_by(french_named)) == [french]
    assert list(letters_signed_by(version(orgs["anon"], "fr"))) == []
    # in English, only the English letter: the French one has no English version
    assert list(letters_signed_by(orgs["named"])) == [letter]


def test_letters_naming_follow_the_source_and_skip_aliases(letter, orgs, make_letter, tree):
    french = version(letter, "fr")
    named = OrganizationPage.objects.filter(pk=orgs["named"].pk)
    assert set(letters_naming(named)) == {letter, french}
    french_named = version(orgs["named"], "fr")
    assert set(letters_naming(OrganizationPage.objects.filter(pk=french_named.pk))) == {
        letter,
        french,
    }
    for hidden in ("anon", "withcountry", "withheld"):
        assert list(letters_naming(OrganizationPage.objects.filter(slug=hidden))) == []
    letter.create_alias(parent=tree.organizations, update_slug="signed-alias")
    assert set(letters_naming(named)) == {letter, french}
    set_visibility(french, "named", V.ANONYMOUS)  # more careful than the source
    assert list(letters_naming(named)) == [letter]
    set_visibility(letter, "named", V.ANONYMOUS)
    assert list(letters_naming(named)) == []
    # The source wins: made anonymous there, the translation not yet synchronised (still
    # public) does not name it either.
    set_visibility(french, "named", V.PUBLIC)
    assert list(letters_naming(named)) == []
    set_visibility(letter, "named", V.ANONYMOUS_WITH_COUNTRY)
    assert list(letters_naming(named)) == []


def test_letters_naming_a_signatory_of_a_letter_without_a_source_version(tree, orgs, letter):
    index = version(tree.letters, "fr")
    french = LetterPage(
        title="Lettre", slug="lettre", publication_date="2025-01-01", standfirst="Chapeau."
    )
    french.signatories = [LetterSignatory(organization=orgs["second"])]
    index.add_child(instance=french)
    french.save_revision().publish()
    second = OrganizationPage.objects.filter(pk=orgs["second"].pk)
    assert set(letters_naming(second)) == {letter, french}


def test_a_source_letter_rules_its_translations_and_a_translation_itself(letter, tree):
    french = version(letter, "fr")
    letter.create_alias(parent=tree.organizations, update_slug="signed-alias")
    assert set(letters_ruled_by(letter)) == {letter, french}
    assert list(letters_ruled_by(french)) == [french]


def test_rows_are_plain_data():
    row = SignatureRow(1, 2, V.ANONYMOUS, "")
    assert row.is_named is False and SignatureRow(1, 2, V.PUBLIC, "KE").is_named is True
    assert Signatory(V.ANONYMOUS, None, "").is_named is False


def test_resolved_organizations_come_with_their_language_and_logo(
    letter, django_assert_num_queries
):
    # the rows (4 queries, see above), the named organizations with locale and logo
    with django_assert_num_queries(5):
        named = [s.organization for s in resolve_signatories(letter) if s.is_named]
        assert [(page.locale.language_code, page.logo.title) for page in named] == [
            ("en", "logo"),
            ("en", "logo"),
        ]


def test_localized_organizations_come_with_their_language_and_logo(orgs, django_assert_num_queries):
    version(orgs["named"], "fr")
    version(orgs["second"], "fr")
    french = Locale.objects.get(language_code="fr")
    pages = [OrganizationPage.objects.get(pk=orgs[slug].pk) for slug in ("named", "second")]
    # the translations with their locale and logo, and home.privacy's sections
    with django_assert_num_queries(2):
        localized = localize_pages(pages, french.pk)
        assert [(page.locale.language_code, page.logo.title) for page in localized] == [
            ("fr", "logo"),
            ("fr", "logo"),
        ]


def test_an_anonymous_country_is_shown_only_while_it_leaves_readers_a_choice(letter, orgs):
    assert rows_of(letter)[2] == ("withcountry", V.ANONYMOUS_WITH_COUNTRY, "EG")
    # The other Egyptian organization named by the letter: by elimination, the anonymous one.
    LetterSignatory.objects.create(letter=letter, organization=orgs["other-eg"], sort_order=9)
    assert ("withcountry", V.ANONYMOUS, "") in rows_of(letter)
    LetterSignatory.objects.filter(letter=letter, organization=orgs["other-eg"]).delete()
    # ... or no longer public: the only Egyptian organization readers can see.
    PageViewRestriction.objects.create(page=orgs["other-eg"], restriction_type="login")
    assert ("withcountry", V.ANONYMOUS, "") in rows_of(letter)
    assert [row.country for row in signature_rows([letter])[letter.pk]] == ["KE", "", "", ""]


def test_two_anonymous_signatories_of_one_country_need_a_third_organization_from_it(letter, orgs):
    set_visibility(letter, "named", V.ANONYMOUS_WITH_COUNTRY)  # KE, as "other-ke" is
    assert {(slug, country) for slug, _v, country in rows_of(letter)} >= {("named", "KE")}
    LetterSignatory.objects.create(
        letter=letter, organization=orgs["other-ke"], visibility=V.ANONYMOUS_WITH_COUNTRY
    )
    shown = {slug: (v, country) for slug, v, country in rows_of(letter)}
    assert shown["named"] == shown["other-ke"] == (V.ANONYMOUS, "")


def test_anonymous_rows_follow_the_named_by_country_then_by_row_key(letter):
    rows = signature_rows([letter])[letter.pk]
    assert [row.visibility for row in rows] == [
        V.PUBLIC,
        V.PUBLIC,
        V.ANONYMOUS_WITH_COUNTRY,
        V.ANONYMOUS,
    ]
    # Their order does not follow the editor's: moving one first changes nothing.
    LetterSignatory.objects.filter(letter=letter, organization__slug="anon").update(sort_order=-1)
    assert signature_rows([letter])[letter.pk] == rows


def test_organizations_hidden_by_a_letter_are_its_anonymous_and_withheld_ones(letter, orgs):
    from home.signatories import organizations_hidden_by

    keys = {slug: page.translation_key for slug, page in orgs.items()}
    assert organizations_hidden_by(letter) == {keys["withcountry"], keys["anon"], keys["withheld"]}
    french = version(letter, "fr")
    set_visibility(letter, "named", V.ANONYMOUS)  # the source rules its translations
    assert keys["named"] in organizations_hidden_by(french)
    assert keys["second"] not in organizations_hidden_by(french)


def test_letters_showing_a_country_are_those_with_an_anonymous_signatory_from_it(letter):
    from home.signed_letters import letters_showing_countries

    assert list(letters_showing_countries({"EG"})) == [letter]
    assert list(letters_showing_countries({"KE", "RU", ""})) == []  # named, plainly anonymous


def test_a_lagging_translation_shows_the_country_its_source_allows(letter):
    french = version(letter, "fr")
    set_visibility(letter, "named", V.ANONYMOUS_WITH_COUNTRY)  # the French row stays named
    assert ("named", V.ANONYMOUS_WITH_COUNTRY, "KE") in rows_of(french)


def test_a_named_signatory_from_a_country_leaves_its_other_organizations_unnamed(letter, orgs):
    # Kenya: "named" is named; "other-ke" and "second" (made Kenyan) are not, so the one
    # anonymous Kenyan signatory is one of two unnamed ones and keeps its country (the named
    # row's own country does not count as one more anonymous signatory from there).
    set_visibility(letter, "second", V.ANONYMOUS_WITH_COUNTRY)
    OrganizationPage.objects.filter(pk=orgs["second"].pk).update(country="KE")
    assert ("second", V.ANONYMOUS_WITH_COUNTRY, "KE") in rows_of(letter)


def test_every_row_is_the_letters_own_even_when_its_country_is_hidden(letter, orgs):
    LetterSignatory.objects.create(letter=letter, organization=orgs["other-eg"], sort_order=9)
    rows = signature_rows([letter])[letter.pk]
    assert ("withcountry", V.ANONYMOUS, "") in rows_of(letter)  # downgraded
    assert {row.letter_id for row in rows} == {letter.pk}


def test_anonymous_rows_are_ordered_by_their_row_keys_not_by_the_editor(letter, orgs):
    for slug in ("other-ru", "other-hu", "other-ke"):
        LetterSignatory.objects.create(
            letter=letter, organization=orgs[slug], visibility=V.ANONYMOUS, sort_order=5
        )
    keys = dict(
        LetterSignatory.objects.filter(letter=letter).values_list("organization", "translation_key")
    )
    plain = [
        row.organization_id
        for row in signature_rows([letter])[letter.pk]
        if row.visibility == V.ANONYMOUS
    ]
    assert plain == sorted(plain, key=lambda pk: str(keys[pk]))
    for order, pk in enumerate(sorted(plain, key=lambda pk: str(keys[pk]), reverse=True)):
        LetterSignatory.objects.filter(letter=letter, organization=pk).update(sort_order=order)
    again = [
        row.organization_id
        for row in signature_rows([letter])[letter.pk]
        if row.visibility == V.ANONYMOUS
    ]
    assert again == plain


def test_a_publisher_is_hidden_by_its_own_letter_or_the_source_only(letter, orgs):
    from home.signatories import organizations_hidden_by

    keys = {slug: page.translation_key for slug, page in orgs.items()}
    french = version(letter, "fr")
    spanish = version(letter, "es")
    # A translation more careful than its source hides the organization there ...
    set_visibility(french, "named", V.ANONYMOUS)
    assert keys["named"] in organizations_hidden_by(french)
    # ... and only there: the source and its other translations name it anyway.
    assert keys["named"] not in organizations_hidden_by(spanish)
    assert keys["named"] not in organizations_hidden_by(letter)
    # Anonymous in another English letter: not hidden by this one.
    other = LetterPage(
        title="Other", slug="other", publication_date=date(2025, 1, 1), standfirst="Other."
    )
    other.signatories = [LetterSignatory(organization=orgs["second"], visibility=V.ANONYMOUS)]
    publish(letter.get_parent().add_child(instance=other))
    assert keys["second"] not in organizations_hidden_by(letter)
