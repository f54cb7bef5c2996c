"""A network is one file: what the rest of Broadside reads from the channel registry.

Handle rules are checked against the networks' own published rules (cited in each channel
file), with handles that the networks accept and refuse, not against our code's output.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from wagtail import hooks

from publishing.channels import get_channel_class, social_networks
from publishing.share_images.card import VARIANTS

README = Path(__file__).resolve().parent.parent / "README.md"


def _readme_channel_rows() -> dict[str, list[str]]:
    """The rows of README's table of channels (the one headed "| channel |"), by key."""
    text = README.read_text()
    table = text[text.index("| channel |") :].split("\n\n")[0]
    rows = {}
    for line in table.splitlines():
        match = re.match(r"\| `(\w+)` \|", line)
        if match:
            rows[match.group(1)] = [cell.strip() for cell in line.strip("|").split("|")]
    return rows


def test_the_readme_table_lists_every_configured_channel_and_its_credentials():
    rows = _readme_channel_rows()
    assert list(rows) == list(settings.BROADSIDE_CHANNELS)
    for key, cells in rows.items():
        documented = re.findall(r"`(\w+)`", cells[-1])
        assert documented == [f.name for f in get_channel_class(key).credential_fields], key


def test_the_networks_hook_keeps_todays_seven_mentionable_networks():
    networks = [
        network for hook in hooks.get_hooks("broadside_social_networks") for network in hook()
    ]
    todays_seven = ["bluesky", "facebook", "instagram", "linkedin", "mastodon", "threads", "x"]
    assert sorted(n.key for n in networks) == todays_seven
    for network in networks:
        assert str(network.label) and callable(network.clean_handle)


def test_a_channel_network_comes_from_its_channel_file():
    by_key = {network.key: network for network in social_networks()}
    for key in ("x", "mastodon", "bluesky"):
        channel = get_channel_class(key)
        assert by_key[key] is channel.social_network and channel.network == key


@pytest.mark.parametrize(
    "network, typed, stored",
    [
        ("x", "@ACLU", "@ACLU"),
        ("x", " cancivlib ", "@cancivlib"),
        ("mastodon", "@ICCL@mastodon.ie", "@ICCL@mastodon.ie"),
        ("mastodon", "ccla@mastodon.test", "@ccla@mastodon.test"),
        ("bluesky", "ACLU.org", "aclu.org"),
        ("bluesky", "@name.bsky.social", "name.bsky.social"),
        ("instagram", "@aclu_nationwide", "@aclu_nationwide"),
        ("facebook", "cancivlib", "cancivlib"),
        ("threads", "aclu", "@aclu"),
        ("linkedin", "american-civil-liberties-union", "american-civil-liberties-union"),
    ],
)
def test_a_handle_is_stored_as_the_network_writes_it(network, typed, stored):
    by_key = {n.key: n for n in social_networks()}
    assert by_key[network].clean_handle(typed) == stored


@pytest.mark.parametrize(
    "network, typed",
    [
        ("x", "@this_is_sixteen_c"),  # X: at most 15 characters
        ("x", "@aclu.org"),  # X: no dots
        ("mastodon", "@iccl"),  # no server: cannot be mentioned from another one
        ("bluesky", "aclu"),  # a handle is a domain name
        ("bluesky", "-aclu.org"),  # labels do not start with "-"
        ("instagram", "@" + "a" * 31),
        ("facebook", "abc"),  # at least 5 characters
    ],
)
def test_a_handle_the_network_refuses_gets_a_clear_error(network, typed):
    by_key = {n.key: n for n in social_networks()}
    with pytest.raises(ValidationError) as refused:
        by_key[network].clean_handle(typed)
    message = " ".join(refused.value.messages)
    assert str(by_key[network].label) in message and by_key[network].example in message


def test_every_card_variant_has_a_label_for_the_sharing_tab():
    assert all(str(variant.label) for variant in VARIANTS.values())


def test_every_channel_card_variant_exists():
    for key in settings.BROADSIDE_CHANNELS:
        variant = get_channel_class(key).card_variant
        assert variant is None or variant in VARIANTS, key


def test_the_command_refuses_a_template_the_form_refuses(tree):
    with pytest.raises(CommandError, match="Unknown placeholder"):
        call_command(
            "social_accounts",
            "add",
            "console",
            "--name",
            "Console",
            "--locale",
            "en",
            "--template",
            "{title} {nope}",
        )
