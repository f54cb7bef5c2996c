"""What a network is to the rest of Broadside, beyond posting: its key and label, how an
organization's handle on it is written (the `broadside_social_networks` hook's interface,
read by `home`), and the credential fields an account on it needs.

Each network's values are in its own file (x.py, mastodon.py, bluesky.py; facebook.py,
instagram.py, linkedin.py and threads.py for networks mentioned before they have a channel).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import regex
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Network:
    """A network organizations can be mentioned on.

    `handle` is a regular expression the handle (without a leading "@") must match in full;
    `prefix` is written before it when stored ("@" for most networks, "" for domain handles
    and page names); `example` is shown to whoever typed a handle that does not match.
    """

    key: str
    label: Any  # lazy-translatable
    handle: str
    example: str
    prefix: str = "@"
    lowercase: bool = False

    def clean_handle(self, value: str) -> str:
        """The handle as stored ("@aclu", "@iccl@mastodon.ie", "aclu.org").

        Raises django.core.exceptions.ValidationError, naming the network and an example,
        when `value` is not a handle on this network.
        """
        name = value.strip().removeprefix("@")
        if self.lowercase:
            name = name.lower()
        if not regex.fullmatch(self.handle, name):
            raise ValidationError(
                _("“%(value)s” is not a %(network)s handle. Write it like %(example)s.")
                % {"value": value.strip(), "network": self.label, "example": self.example},
                code="invalid_handle",
            )
        return self.prefix + name


@dataclass(frozen=True)
class CredentialField:
    """One key of an account's credentials JSON, with the help the form and README show."""

    name: str
    help_text: Any  # lazy-translatable


def credential_problems(label: Any, fields: tuple[CredentialField, ...], credentials) -> list[str]:
    """Messages for whoever typed `credentials` (a decoded JSON value) for a channel with
    these fields: [] when it is an object with every field non-empty."""
    if not isinstance(credentials, dict):
        return [_("Enter a JSON object: {…}.")]
    missing = [field.name for field in fields if not credentials.get(field.name)]
    if not missing:
        return []
    return [
        _("This channel needs: %(fields)s. Still missing: %(missing)s.")
        % {"fields": ", ".join(field.name for field in fields), "missing": ", ".join(missing)}
    ]
