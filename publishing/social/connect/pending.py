"""Flows between the editor's two visits: kept server-side, single-use, expiring.

A flow started in the admin is kept in the editor's session (database-backed:
only its key travels in the cookie), encrypted like credentials because it
can hold a PKCE verifier, an OAuth 1.0a request-token secret or Page tokens
waiting to be picked. The key is the OAuth `state` (OAuth 1.0a: the request
token): the callback finds the flow by it, in the session of the browser that
started it, and removes it before anything else, so a state is accepted once.
A state unknown to this session, used already or older than
`PENDING_SECONDS` is refused.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.views.decorators.debug import sensitive_variables

from publishing.social.credentials import CredentialsError, decrypt_credentials, encrypt_credentials

SESSION_KEY = "broadside_connect"
# Long enough to sign in and approve on the network's page; Meta's and LinkedIn's codes
# themselves live 10 minutes or less.
PENDING_SECONDS = 15 * 60
MAX_PENDING = 10


def new_state() -> str:
    """An unguessable state value (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


@sensitive_variables()
def keep(session, key: str, data: dict[str, Any]) -> None:
    """Store `data` under `key` in the session until it is taken or expires."""
    now = time.time()
    entries = {
        name: entry
        for name, entry in session.get(SESSION_KEY, {}).items()
        if entry.get("expires", 0) > now
    }
    # A person who starts many flows without finishing them keeps the newest few.
    for name in sorted(entries, key=lambda name: entries[name]["expires"])[: -MAX_PENDING + 1]:
        del entries[name]
    entries[key] = {"expires": now + PENDING_SECONDS, "data": encrypt_credentials(data)}
    session[SESSION_KEY] = entries


@sensitive_variables()
def take(session, key: str) -> dict[str, Any] | None:
    """The data kept under `key`, removed from the session; None when unknown or expired."""
    found = peek(session, key)
    entries = dict(session.get(SESSION_KEY, {}))
    if key:
        entries.pop(key, None)
    session[SESSION_KEY] = entries
    return found


def peek(session, key: str) -> dict[str, Any] | None:
    """Like `take`, without removing it (the pick page shown again after a wrong choice)."""
    entry = session.get(SESSION_KEY, {}).get(key) if key else None
    if entry is None or entry.get("expires", 0) <= time.time():
        return None
    try:
        return decrypt_credentials(entry["data"])
    except CredentialsError:
        return None
