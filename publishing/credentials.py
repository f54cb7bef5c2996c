"""Encryption at rest for social-account credentials.

Credentials (tokens, app passwords, webhook secrets) are a JSON object
encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`). Keys
come from `BROADSIDE_CREDENTIAL_KEYS` (newest first): every key decrypts, the
first encrypts, so a key is rotated by putting a new one in front and running
`manage.py social_accounts rotate-key`. Without keys (development), one is
derived from SECRET_KEY; the system check broadside.W001 says so.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.translation import gettext as _


class CredentialsError(Exception):
    """Stored credentials cannot be read (wrong or missing key, corrupt data)."""


def _derived_key() -> bytes:
    digest = hashlib.sha256(b"broadside-credentials:" + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def configured_keys() -> list[bytes]:
    keys = [key.encode() for key in settings.BROADSIDE_CREDENTIAL_KEYS]
    return keys or [_derived_key()]


def _fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in configured_keys()])
    except ValueError as error:
        raise CredentialsError(
            _("BROADSIDE_CREDENTIAL_KEYS holds a key that is not a Fernet key.")
        ) from error


def encrypt_credentials(credentials: dict[str, Any]) -> str:
    return _fernet().encrypt(json.dumps(credentials).encode()).decode()


def decrypt_credentials(token: str) -> dict[str, Any]:
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken as error:
        raise CredentialsError(
            _("The stored credentials cannot be decrypted with the configured keys.")
        ) from error


def rotate(token: str) -> str:
    """Re-encrypt with the newest key (MultiFernet.rotate keeps the timestamp)."""
    if not token:
        return token
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken as error:
        raise CredentialsError(
            _("The stored credentials cannot be decrypted with the configured keys.")
        ) from error


def new_key() -> str:
    return Fernet.generate_key().decode()
