"""System checks of the social pipeline: are account credentials encrypted with keys of
their own, and are those keys well formed?"""

from __future__ import annotations

from django.core import checks

from .credentials import (
    KEYS_SETTING,
    keys_derive_from_secret_key,
    malformed_key_positions,
    malformed_keys_message,
)


@checks.register(checks.Tags.security)
def check_credential_keys(app_configs=None, **kwargs):
    """A malformed BROADSIDE_CREDENTIAL_KEYS entry stops `check` (and every command) with an
    error naming the setting and the entry's position, never the key."""
    malformed = malformed_key_positions()
    if not malformed:
        return []
    return [
        checks.Error(
            malformed_keys_message(malformed),
            hint=f"Replace that entry of {KEYS_SETTING} with a key made by: python -c "
            '"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())" '
            "(and keep a comma between keys).",
            id="broadside.E004",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def check_credential_keys_are_explicit(app_configs=None, **kwargs):
    if not keys_derive_from_secret_key():
        return []
    return [
        checks.Warning(
            "Social-account credentials are encrypted with a key derived from SECRET_KEY: "
            "whoever learns SECRET_KEY can read them, and changing SECRET_KEY without keeping "
            "the old one in SECRET_KEY_FALLBACKS makes them unreadable.",
            hint=f"Set {KEYS_SETTING} (see README), then run "
            f"manage.py social_accounts rotate-key: saved credentials stay readable meanwhile.",
            id="broadside.W001",
        )
    ]
