"""Social handles and post texts take their networks from the `broadside_social_networks`
hook at form time: a new network needs no `home` migration (home.networks)."""

from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from wagtail import hooks

from home.models import LetterSocialText, OrganizationHandle
from home.networks import HOOK, network_choices


@dataclass(frozen=True)
class Pigeon:
    """A network invented for the test: handles are lower case and start with "@"."""

    key: str = "pigeon"
    label: str = "Pigeon Post"

    def clean_handle(self, value: str) -> str:
        value = value.strip().lower()
        if not value.startswith("@"):
            raise ValidationError("A Pigeon handle starts with “@”.")
        return value


@pytest.fixture
def pigeon():
    with hooks.register_temporarily(HOOK, lambda: [Pigeon()]):
        yield Pigeon()


def test_the_networks_offered_are_the_hooks(pigeon):
    choices = network_choices()
    assert choices[0] == ("", "---------")
    assert ("pigeon", "Pigeon Post") in choices  # beside the networks publishing offers
    keys = [key for key, _ in choices[1:]]
    assert len(keys) == len(set(keys))


def test_a_handle_is_written_as_its_network_writes_it(pigeon, make_organization):
    handle = OrganizationHandle(
        organization=make_organization("ccla"), network="pigeon", handle=" @CCLA "
    )
    handle.full_clean()
    assert handle.handle == "@ccla"


def test_a_handle_its_network_refuses_is_an_error_on_the_handle(pigeon, make_organization):
    handle = OrganizationHandle(organization=make_organization("ccla"), network="pigeon")
    handle.handle = "ccla"
    with pytest.raises(ValidationError) as refused:
        handle.full_clean()
    assert refused.value.message_dict == {"handle": ["A Pigeon handle starts with “@”."]}


def test_a_network_no_hook_offers_is_an_error_on_the_network(pigeon, make_organization):
    handle = OrganizationHandle(
        organization=make_organization("ccla"), network="carrier", handle="@ccla"
    )
    with pytest.raises(ValidationError) as refused:
        handle.full_clean()
    assert list(refused.value.message_dict) == ["network"]
    text = LetterSocialText(network="carrier", text="{url}")
    with pytest.raises(ValidationError) as refused:
        text.clean()
    assert list(refused.value.message_dict) == ["network"]
    LetterSocialText(network="pigeon", text="{url}").clean()


def test_the_editor_picks_from_the_hooks_networks(pigeon, superuser_client, make_organization):
    organization = make_organization("ccla")
    html = superuser_client.get(f"/admin/pages/{organization.pk}/edit/").content.decode()
    assert '<option value="pigeon">Pigeon Post</option>' in html


def test_a_handle_shows_its_networks_label_or_its_key_once_gone(pigeon, client, make_organization):
    organization = make_organization("ccla")
    OrganizationHandle.objects.create(organization=organization, network="pigeon", handle="@c")
    OrganizationHandle.objects.create(organization=organization, network="gone", handle="@g")
    html = client.get(organization.url).content.decode()
    assert "Pigeon Post:" in html and "gone:" in html
