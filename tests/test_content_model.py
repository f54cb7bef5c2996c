"""Page models, their validation, and who-signed-what rules."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from home.countries import country_name, validate_country_code
from home.models import LetterPage, LetterSignatory, SignatoryVisibility
from home.signatories import count_signatories, resolve_signatories
from home.signed_letters import letters_signed_by
from tests.responses import text_of


def test_country_names_are_localized():
    assert country_name("EG", "en") == "Egypt"
    assert country_name("EG", "fr") == "Égypte"
    assert country_name("EG", "ar") == "مصر"
    with translation.override("hu"):
        assert country_name("HU") == "Magyarország"


def test_unknown_country_code_is_refused_with_a_clear_message():
    validate_country_code("KE")
    with pytest.raises(ValidationError, match="not an ISO 3166-1 country code"):
        validate_country_code("XQ")
    with pytest.raises(ValidationError):
        validate_country_code("EU")  # a CLDR territory, not a country


def test_organization_with_bad_country_does_not_validate(make_organization):
    organization = make_organization("aclu", "American Civil Liberties Union", country="US")
    organization.country = "ZZ"
    with pytest.raises(ValidationError) as error:
        organization.full_clean()
    assert "country" in error.value.message_dict


def test_display_name_adds_the_acronym_only_when_it_says_something(make_organization):
    aclu = make_organization("aclu", "American Civil Liberties Union", acronym="ACLU")
    liberty = make_organization("liberty", "Liberty", acronym="Liberty")
    assert aclu.display_name == "American Civil Liberties Union (ACLU)"
    assert liberty.display_name == "Liberty"


def test_letter_requires_a_standfirst(tree):
    letter = LetterPage(title="No standfirst", slug="no-standfirst", body=[])
    with pytest.raises(ValidationError) as error:
        tree.letters.add_child(instance=letter)
    assert "standfirst" in error.value.message_dict


def test_an_organization_signs_a_letter_once(make_organization, make_letter):
    aclu = make_organization("aclu")
    letter = make_letter("one", signatories=[aclu])
    with pytest.raises(IntegrityError), transaction.atomic():
        LetterSignatory.objects.create(letter=letter, organization=aclu)


def test_signatory_order_and_visibility(make_organization, make_letter):
    a, b, c, d = (make_organization(slug, country="EG") for slug in "abcd")
    letter = make_letter(
        "ordered",
        signatories=[
            LetterSignatory(organization=c),
            LetterSignatory(organization=a, visibility=SignatoryVisibility.ANONYMOUS),
            LetterSignatory(organization=d, visibility=SignatoryVisibility.WITHHELD),
            LetterSignatory(organization=b, visibility=SignatoryVisibility.ANONYMOUS_WITH_COUNTRY),
        ],
    )
    shown = resolve_signatories(letter)
    assert [s.organization.slug if s.organization else None for s in shown] == ["c", None, None]
    # The anonymous follow the named (their place would tell their names), those with a
    # country first (home.signatories._without_telling_details).
    assert [s.country for s in shown] == ["EG", "EG", ""]
    assert count_signatories(letter) == 3


def test_organization_lists_only_letters_that_name_it_newest_first(make_organization, make_letter):
    from datetime import date

    org = make_organization("eipr")
    old = make_letter("old", signatories=[org], publication_date=date(2020, 1, 1))
    new = make_letter("new", signatories=[org], publication_date=date(2024, 1, 1))
    make_letter(
        "anonymous",
        signatories=[LetterSignatory(organization=org, visibility=SignatoryVisibility.ANONYMOUS)],
    )
    make_letter(
        "withheld",
        signatories=[LetterSignatory(organization=org, visibility=SignatoryVisibility.WITHHELD)],
    )
    draft = make_letter("draft", signatories=[org])
    draft.unpublish()

    from home.models import letters_for_listing

    assert list(letters_for_listing(letters_signed_by(org))) == [new, old]


def test_organization_page_does_not_reveal_anonymous_signatures(
    client, make_organization, make_letter
):
    org = make_organization("eipr", "Egyptian Initiative for Personal Rights")
    make_letter(
        "secret-letter",
        title="A letter signed in secret",
        signatories=[LetterSignatory(organization=org, visibility=SignatoryVisibility.ANONYMOUS)],
    )
    response = client.get(org.url)
    assert response.status_code == 200
    assert "A letter signed in secret" not in response.content.decode()


def test_withholding_on_the_source_protects_the_signatory_in_every_translation(
    client, make_organization, make_letter, translate
):
    """Translations copy the signatory list only when synchronised; the source rules meanwhile."""
    at_risk = make_organization("at-risk", "At Risk Org", country="EG")
    other = make_organization("other", "Other Org")
    letter = make_letter("risky", signatories=[at_risk, other])
    french = translate(letter, "fr")
    rows = list(letter.signatories.order_by("sort_order"))
    rows[0].visibility = SignatoryVisibility.WITHHELD
    letter.signatories = rows[:1]  # and the second signatory withdraws entirely
    letter.save_revision().publish()

    assert resolve_signatories(french) == []
    assert "At Risk Org" not in text_of(client.get(french.url))
    assert "Other Org" not in text_of(client.get(french.url))
    assert list(letters_signed_by(at_risk)) == []
    api = client.get(f"/api/v1/letters/{french.pk}/").json()
    assert api["signatories"] == [] and api["signatory_count"] == 0
    feed = text_of(client.get("/fr/feeds/letters.atom"))
    assert "At Risk Org" not in feed and "Other Org" not in feed


def test_unpublished_or_private_organizations_are_not_named(client, make_organization, make_letter):
    from wagtail.models import PageViewRestriction

    draft = make_organization("draft-org", "Draft Org")
    draft.unpublish()
    private = make_organization("private-org", "Private Org")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    letter = make_letter("mixed", signatories=[draft, private, make_organization("ok", "Ok Org")])
    assert [s.organization.title for s in resolve_signatories(letter)] == ["Ok Org"]
    html = text_of(client.get(letter.url))
    assert "Draft Org" not in html and "Private Org" not in html
    api = text_of(client.get(f"/api/v1/letters/{letter.pk}/"))
    assert "Draft Org" not in api and "Private Org" not in api


def test_api_never_points_a_signer_at_a_hidden_organization(client, make_organization, make_letter):
    from home.models import LetterSigner

    hidden = make_organization("hidden", "Hidden Org")
    letter = make_letter(
        "signed",
        signatories=[LetterSignatory(organization=hidden, visibility=SignatoryVisibility.WITHHELD)],
        signers=[LetterSigner(name="Jane", role="Director", organization=hidden)],
    )
    data = client.get(f"/api/v1/letters/{letter.pk}/").json()
    assert data["signers"] == [{"name": "Jane", "role": "Director", "organization_api_id": None}]
