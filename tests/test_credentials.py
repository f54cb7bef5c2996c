"""Credentials at rest: Fernet tokens under the configured keys, rotation, clear errors.

Checked with `cryptography`'s Fernet directly (the reference), never by decrypting with
the code under test alone. No database: these run in a fraction of a second, which is
what the mutation run (tests/mutation/) needs.
"""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.fernet import Fernet, InvalidToken

from publishing.models import SocialAccount
from publishing.social.credentials import (
    CredentialsError,
    decrypt_credentials,
    encrypt_credentials,
    keys_derive_from_secret_key,
    malformed_key_positions,
    malformed_keys_message,
    rotate,
)
from tests.social import assert_sealed

UNREADABLE = "The credentials cannot be decrypted: reconnect the account or re-enter them."
SECRET = {"access_token": "mastodon-token-s3cr3t", "nested": {"app_password": "abcd-efgh-ijkl"}}
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def test_credentials_are_a_fernet_token_only_the_configured_keys_open():
    token = encrypt_credentials(SECRET)
    assert_sealed(token, SECRET)
    assert decrypt_credentials(token) == SECRET


def test_each_encryption_is_fresh():
    assert encrypt_credentials(SECRET) != encrypt_credentials(SECRET)  # random IV


def test_nothing_stored_reads_as_no_credentials():
    assert decrypt_credentials("") == {}
    assert rotate("") == ""


def test_the_newest_key_encrypts_and_every_key_decrypts(settings):
    settings.BROADSIDE_CREDENTIAL_KEYS = [OLD_KEY]
    old_token = encrypt_credentials(SECRET)
    settings.BROADSIDE_CREDENTIAL_KEYS = [NEW_KEY, OLD_KEY]
    assert decrypt_credentials(old_token) == SECRET
    new_token = encrypt_credentials(SECRET)
    assert Fernet(NEW_KEY.encode()).decrypt(new_token.encode())
    with pytest.raises(InvalidToken):
        Fernet(OLD_KEY.encode()).decrypt(new_token.encode())


def test_rotation_re_encrypts_with_the_newest_key(settings):
    settings.BROADSIDE_CREDENTIAL_KEYS = [OLD_KEY]
    token = encrypt_credentials(SECRET)
    settings.BROADSIDE_CREDENTIAL_KEYS = [NEW_KEY, OLD_KEY]
    rotated = rotate(token)
    assert rotated != token
    settings.BROADSIDE_CREDENTIAL_KEYS = [NEW_KEY]
    assert decrypt_credentials(rotated) == SECRET
    with pytest.raises(CredentialsError) as error:
        decrypt_credentials(token)
    assert str(error.value) == UNREADABLE


def test_a_token_under_another_key_or_damaged_is_a_clear_error(settings):
    settings.BROADSIDE_CREDENTIAL_KEYS = [OLD_KEY]
    token = encrypt_credentials(SECRET)
    settings.BROADSIDE_CREDENTIAL_KEYS = [NEW_KEY]
    for stored in (token, token[:-4] + "AAAA", "not a token"):
        with pytest.raises(CredentialsError) as error:
            decrypt_credentials(stored)
        assert str(error.value) == UNREADABLE  # said to the editor as it is
    with pytest.raises(CredentialsError) as error:
        rotate(token)
    assert str(error.value) == UNREADABLE


def test_a_key_that_is_not_a_fernet_key_is_named(settings):
    settings.BROADSIDE_CREDENTIAL_KEYS = ["too-short"]
    with pytest.raises(CredentialsError) as error:
        encrypt_credentials(SECRET)
    assert str(error.value) == (
        "BROADSIDE_CREDENTIAL_KEYS holds an entry that is not a Fernet key (entry 1 of the "
        "comma-separated list): every entry must be 32 bytes in URL-safe base64."
    )
    assert "too-short" not in str(error.value)


def test_without_keys_the_key_is_derived_from_the_secret_key(settings):
    """docs/decisions.md: Fernet key = urlsafe base64 of SHA-256("broadside-credentials:" +
    SECRET_KEY), so development needs no key and a changed SECRET_KEY locks them away."""
    settings.BROADSIDE_CREDENTIAL_KEYS = []
    settings.SECRET_KEY = "a development secret key"
    token = encrypt_credentials(SECRET)
    digest = hashlib.sha256(b"broadside-credentials:a development secret key").digest()
    assert Fernet(base64.urlsafe_b64encode(digest)).decrypt(token.encode())
    settings.SECRET_KEY = "another secret key"
    with pytest.raises(CredentialsError):
        decrypt_credentials(token)


def test_an_account_keeps_credentials_and_state_sealed():
    account = SocialAccount(name="Mastodon", channel="mastodon")
    account.credentials = SECRET
    account.state = {"session": {"accessJwt": "eyJ-session-token-s3cr3t"}}
    assert_sealed(account.credentials_encrypted, SECRET)
    assert_sealed(account.state_encrypted, {"session": {"accessJwt": "eyJ-session-token-s3cr3t"}})
    assert account.credentials == SECRET
    assert account.state == {"session": {"accessJwt": "eyJ-session-token-s3cr3t"}}


def test_every_malformed_entry_is_named_by_its_position_and_none_by_its_value(settings):
    glued = NEW_KEY + OLD_KEY  # two keys without their comma: Fernet alone would accept it
    settings.BROADSIDE_CREDENTIAL_KEYS = ["too-short", NEW_KEY, glued]
    assert malformed_key_positions() == [1, 3]
    message = malformed_keys_message(malformed_key_positions())
    assert "(entry 1, 3 of the comma-separated list)" in message
    assert NEW_KEY not in message and "too-short" not in message


def test_keys_derive_from_the_secret_key_only_while_no_explicit_key_is_set(settings):
    settings.BROADSIDE_CREDENTIAL_KEYS = []
    assert keys_derive_from_secret_key() is True
    settings.BROADSIDE_CREDENTIAL_KEYS = [NEW_KEY]
    assert keys_derive_from_secret_key() is False
