"""Encryption at rest for social-account credentials.

Credentials (tokens, app passwords, webhook secrets) are a JSON object
encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`), through
`MultiFernet`: the first key encrypts, every key decrypts.

The keys, in that order:
1. `BROADSIDE_CREDENTIAL_KEYS` (newest first), when set;
2. a key derived from `SECRET_KEY`, then one from each of `SECRET_KEY_FALLBACKS`.

Without explicit keys the SECRET_KEY-derived key encrypts, and the deploy
check broadside.W001 says so. The derived keys keep decrypting after explicit
keys are set, so credentials saved before survive the switch (and a change of
SECRET_KEY that keeps the old one in SECRET_KEY_FALLBACKS, as Django
recommends); `manage.py social_accounts rotate-key` re-encrypts everything
with the first key. A malformed explicit key is the system-check error
broadside.E004, and a CredentialsError (never a traceback) where it is used.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

KEYS_SETTING = "BROADSIDE_CREDENTIAL_KEYS"
# Functions that hold keys or plaintext are @sensitive_variables() with no names: error
# reports hide every variable of the frames they call too (json's, cryptography's), which
# name the same data differently.


class CredentialsError(Exception):
    """Stored credentials cannot be read or written (wrong or malformed key, corrupt data)."""


def undecryptable_message() -> str:
    """What an editor or operator is told about credentials no configured key decrypts."""
    return _("The credentials cannot be decrypted: reconnect the account or re-enter them.")


@sensitive_variables()
def _derived_key(secret: str) -> bytes:
    digest = hashlib.sha256(b"broadside-credentials:" + secret.encode()).digest()
    return base64.urlsafe_b64encode(digest)


@sensitive_variables()
def malformed_key_positions() -> list[int]:
    """1-based positions of the entries of BROADSIDE_CREDENTIAL_KEYS that are not Fernet keys
    (32 bytes in URL-safe base64, as `Fernet.generate_key()` writes them). Never the keys."""
    positions = []
    for position, key in enumerate(settings.BROADSIDE_CREDENTIAL_KEYS, start=1):
        try:
            Fernet(key)
            # Fernet ignores what follows the padding (two keys without their comma):
            # only the exact form generate_key() writes is a key.
            canonical = base64.urlsafe_b64encode(base64.urlsafe_b64decode(key)).decode()
        except (TypeError, ValueError):
            positions.append(position)
        else:
            if canonical != key:
                positions.append(position)
    return positions


def malformed_keys_message(positions: list[int]) -> str:
    return _(
        "%(setting)s holds an entry that is not a Fernet key (entry %(positions)s of the "
        "comma-separated list): every entry must be 32 bytes in URL-safe base64."
    ) % {"setting": KEYS_SETTING, "positions": ", ".join(map(str, positions))}


@sensitive_variables()
def configured_keys() -> list[bytes]:
    """Every key in MultiFernet order: explicit keys, then SECRET_KEY's, then the fallbacks'.

    Shape: a list of URL-safe base64 Fernet keys, without repeats. The first
    one encrypts. Raises nothing; `malformed_key_positions` says which explicit
    keys are unusable.
    """
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    keys = [key.encode() for key in settings.BROADSIDE_CREDENTIAL_KEYS]
    keys += [_derived_key(secret) for secret in secrets if secret]
    return list(dict.fromkeys(keys))


def keys_derive_from_secret_key() -> bool:
    """True when no explicit key is set, so the SECRET_KEY-derived key encrypts."""
    return not settings.BROADSIDE_CREDENTIAL_KEYS


@sensitive_variables()
def _fernet() -> MultiFernet:
    malformed = malformed_key_positions()
    if malformed:
        raise CredentialsError(malformed_keys_message(malformed))
    return MultiFernet([Fernet(key) for key in configured_keys()])


@sensitive_variables()
def encrypt_credentials(credentials: dict[str, Any]) -> str:
    """A Fernet token of the JSON object. Raises CredentialsError on a malformed key."""
    return _fernet().encrypt(json.dumps(credentials).encode()).decode()


@sensitive_variables()
def decrypt_credentials(token: str) -> dict[str, Any]:
    """The JSON object in a token ({} for an empty one).

    Raises CredentialsError when no configured key decrypts it, or a key is malformed.
    """
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken as error:
        raise CredentialsError(undecryptable_message()) from error


@sensitive_variables()
def rotate(token: str) -> str:
    """Re-encrypt with the first key (MultiFernet.rotate keeps the timestamp).

    Raises CredentialsError as `decrypt_credentials` does.
    """
    if not token:
        return token
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken as error:
        raise CredentialsError(undecryptable_message()) from error
