"""The social networks an organization's handle or a letter's own post text is for.

Content does not know which networks exist: the publishing pipeline says so through
the Wagtail hook `broadside_social_networks`. Every function registered for it
returns an iterable of networks, each an object with
- `key: str` — what is stored (e.g. "mastodon"),
- `label: str` — what an editor reads (e.g. "Mastodon"),
- `clean_handle(value: str) -> str` — the handle as that network writes it; raises
  `django.core.exceptions.ValidationError` for a handle the network cannot have.
So adding a network needs no `home` migration: the stored key is free text, offered
and checked at form time against what the hook answers.
"""

from __future__ import annotations

from typing import Protocol

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

HOOK = "broadside_social_networks"


class SocialNetwork(Protocol):
    """What the hook's functions return an iterable of (see the module docstring)."""

    key: str
    label: str

    def clean_handle(self, value: str) -> str: ...


def social_networks() -> dict[str, SocialNetwork]:
    """Every network the hook's functions offer, by key, in the order they give them.
    A key offered twice keeps its first offer."""
    networks: dict[str, SocialNetwork] = {}
    for offer in hooks.get_hooks(HOOK):
        for network in offer():
            networks.setdefault(network.key, network)
    return networks


def network_choices() -> list[tuple[str, str]]:
    """(key, label) of every network, after an empty choice: for a select box."""
    return [("", "---------")] + [(key, n.label) for key, n in social_networks().items()]


def network_label(key: str) -> str:
    """The label of network `key`, or the key itself for a network no longer offered
    (a stored handle outlives a network that is switched off)."""
    network = social_networks().get(key)
    return network.label if network is not None else key


def known_network(key: str) -> SocialNetwork:
    """The network `key`; ValidationError (for the `network` field) if none is offered."""
    network = social_networks().get(key)
    if network is None:
        raise ValidationError(
            {"network": _("“%(key)s” is not a network Broadside posts to.") % {"key": key}}
        )
    return network


def clean_handle(key: str, handle: str) -> str:
    """`handle` as network `key` writes it (the network's own rule).

    Raises ValidationError keyed by field: `network` for an unknown network, `handle`
    for a handle that network refuses.
    """
    network = known_network(key)
    try:
        return network.clean_handle(handle)
    except ValidationError as error:
        raise ValidationError({"handle": error.messages}) from None


class NetworkSelect(forms.Select):
    """A select box of the networks offered when the form is shown (not at start-up)."""

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=network_choices)
