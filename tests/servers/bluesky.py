"""A loopback stand-in for a Bluesky PDS: sessions, blobs and strictly validated posts."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import re
import secrets
import threading
import time
from datetime import datetime
from typing import Any

import regex

from .base import Body, LoopbackServer, Request, Response, cid_for, sniff_image

POST_COLLECTION = "app.bsky.feed.post"
MAX_GRAPHEMES = 300
MAX_TEXT_BYTES = 3000
MAX_BLOB_BYTES = 1_000_000
MAX_TAG_GRAPHEMES = 64
MAX_TAG_BYTES = 640
BLOB_MIME_TYPES = {"image/jpeg", "image/png"}
TID = re.compile(r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}")
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*|i-[A-Za-z0-9]{1,8}")
ACCESS_LIFETIME = 2 * 3600
REFRESH_LIFETIME = 90 * 86400

_tid_lock = threading.Lock()
_last_tid = [0]


def new_tid() -> str:
    """A fresh, increasing record key in the TID format (13 base32-sortable characters)."""
    with _tid_lock:
        value = max(int(time.time() * 1_000_000), _last_tid[0] + 1)
        _last_tid[0] = value
    number = (value << 10) | 0x1F
    chars = []
    for _ in range(13):
        chars.append(TID_ALPHABET[number & 31])
        number >>= 5
    return "".join(reversed(chars))


def graphemes(text: str) -> int:
    """Number of extended grapheme clusters."""
    return len(regex.findall(r"\X", text))


class _Invalid(Exception):
    """A record failed validation; the message names the problem."""


class FakeBluesky(LoopbackServer):
    """Bluesky XRPC subset: sessions, uploadBlob, resolveHandle, createRecord, getRecord."""

    def __init__(
        self,
        handle: str = "broadside.test",
        app_password: str = "abcd-efgh-ijkl-mnop",
        did: str = "did:plc:broadsidetest0000000000a",
        max_session_creations: int = 10,
    ) -> None:
        super().__init__()
        self.handle = handle
        self.app_password = app_password
        self.did = did
        self.max_session_creations = max_session_creations
        self.session_creations = 0
        self.known_handles: dict[str, str] = {handle: did}
        self.access_tokens: dict[str, dict[str, Any]] = {}
        self.refresh_tokens: dict[str, dict[str, Any]] = {}
        self.revoked_refresh_tokens: set[str] = set()
        self.blobs: dict[str, dict[str, dict[str, Any]]] = {}
        self.posts: dict[str, dict[str, Any]] = {}
        self.post_list: list[dict[str, Any]] = []
        self._secret = secrets.token_bytes(32)
        for nsid, method, handler, options in (
            (
                "com.atproto.server.createSession",
                "POST",
                self.create_session,
                {"public": "it logs in: the handler checks the app password"},
            ),
            (
                "com.atproto.server.refreshSession",
                "POST",
                self.refresh_session,
                {"auth": self._authenticate_refresh},
            ),
            ("com.atproto.server.getSession", "GET", self.get_session, {}),
            ("com.atproto.repo.uploadBlob", "POST", self.upload_blob, {}),
            (
                "com.atproto.identity.resolveHandle",
                "GET",
                self.resolve_handle,
                {"public": "handles resolve without a session (a public query)"},
            ),
            ("com.atproto.repo.createRecord", "POST", self.create_record, {}),
            (
                "com.atproto.repo.getRecord",
                "GET",
                self.get_record,
                {"public": "records of a public repository are readable without a session"},
            ),
        ):
            self.route(method, f"/xrpc/{nsid}", handler, **options)

    # ------------------------------------------------------------ hooks

    def error_body(self, status: int, message: str) -> Body:
        """XRPC's ``{"error", "message"}``."""
        names = {
            400: "InvalidRequest",
            401: "AuthenticationRequired",
            404: "MethodNotImplemented",
            429: "RateLimitExceeded",
        }
        name = names.get(status, "InternalServerError" if status >= 500 else "Error")
        return {"error": name, "message": message}

    def rate_limit_response(self, reset_after: float) -> Response:
        """The PDS's 429 with ratelimit-* headers (reset is a unix epoch)."""
        return (
            429,
            {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
            {
                "ratelimit-limit": "5000",
                "ratelimit-remaining": "0",
                "ratelimit-reset": str(math.ceil(time.time() + reset_after)),
                "ratelimit-policy": "5000;w=3600",
            },
        )

    # ------------------------------------------------------------ tokens

    def expire_access_tokens(self) -> None:
        """Make every access token issued so far expired; refresh tokens stay valid."""
        with self.lock:
            for token in self.access_tokens.values():
                token["expired"] = True

    def _jwt(self, scope: str, lifetime: int) -> str:
        now = int(time.time())
        claims = {
            "scope": scope,
            "sub": self.did,
            "aud": "did:web:127.0.0.1",
            "iat": now,
            "exp": now + lifetime,
            "jti": secrets.token_urlsafe(12),
        }
        parts = [
            _b64(json.dumps({"typ": "at+jwt", "alg": "HS256"}).encode()),
            _b64(json.dumps(claims).encode()),
        ]
        signing_input = ".".join(parts).encode()
        parts.append(_b64(hmac.new(self._secret, signing_input, hashlib.sha256).digest()))
        return ".".join(parts)

    def _new_session(self) -> dict[str, Any]:
        access = self._jwt("com.atproto.access", ACCESS_LIFETIME)
        refresh = self._jwt("com.atproto.refresh", REFRESH_LIFETIME)
        now = time.time()
        self.access_tokens[access] = {
            "did": self.did,
            "expired": False,
            "expires": now + ACCESS_LIFETIME,
        }
        self.refresh_tokens[refresh] = {"did": self.did, "expires": now + REFRESH_LIFETIME}
        return {
            "did": self.did,
            "handle": self.handle,
            "accessJwt": access,
            "refreshJwt": refresh,
            "active": True,
        }

    def _authenticate(self, request: Request) -> Response | str:
        """The session's did, or the error response to send."""
        token = request.bearer()
        if token is None:
            return 401, self._error("AuthenticationRequired", "Authentication Required"), {}
        if token in self.refresh_tokens or token in self.revoked_refresh_tokens:
            return 400, self._error("InvalidToken", "Bad token scope"), {}
        session = self.access_tokens.get(token)
        if session is None:
            return 401, self._error("InvalidToken", "Token could not be verified"), {}
        if session["expired"] or session["expires"] < time.time():
            return 400, self._error("ExpiredToken", "Token has expired"), {}
        return session["did"]

    def authenticate(self, request: Request) -> Response | None:
        """None for a live access token, else the PDS's refusal (every route needing one)."""
        did = self._authenticate(request)
        return None if isinstance(did, str) else did

    def _authenticate_refresh(self, request: Request) -> Response | None:
        """refreshSession takes the refresh token, never an access token."""
        token = request.bearer()
        if token is None:
            return 401, self._error("AuthenticationRequired", "Authentication Required"), {}
        if token in self.revoked_refresh_tokens:
            return 400, self._error("ExpiredToken", "Token has been revoked"), {}
        if token in self.access_tokens:
            return 400, self._error("InvalidToken", "Invalid token type"), {}
        if token not in self.refresh_tokens:
            return 400, self._error("InvalidToken", "Token could not be verified"), {}
        return None

    @staticmethod
    def _error(name: str, message: str) -> dict[str, str]:
        return {"error": name, "message": message}

    def _bad(self, message: str) -> Response:
        return 400, self._error("InvalidRequest", message), {}

    # ------------------------------------------------------------ sessions

    def create_session(self, request: Request) -> Response:
        """Log in with handle-or-did and app password; rate-limited per server."""
        self.session_creations += 1
        if self.session_creations > self.max_session_creations:
            limit = self.max_session_creations
            return (
                429,
                self._error("RateLimitExceeded", "Rate Limit Exceeded"),
                {
                    "ratelimit-limit": str(limit),
                    "ratelimit-remaining": "0",
                    "ratelimit-reset": str(math.ceil(time.time() + 86400)),
                    "ratelimit-policy": f"{limit};w=86400",
                },
            )
        payload = request.json
        if not isinstance(payload, dict):
            return self._bad("Request body must be a JSON object")
        identifier, password = payload.get("identifier"), payload.get("password")
        if not isinstance(identifier, str) or not isinstance(password, str):
            return self._bad("identifier and password are required strings")
        matches = identifier == self.did or identifier.lower() == self.handle.lower()
        if not matches or not hmac.compare_digest(password.encode(), self.app_password.encode()):
            return (
                401,
                self._error("AuthenticationRequired", "Invalid identifier or password"),
                {},
            )
        return 200, self._new_session(), {}

    def refresh_session(self, request: Request) -> Response:
        """Rotate the session: a new access and refresh token; the old refresh token dies."""
        token = request.bearer()
        if token is None:
            return 401, self._error("AuthenticationRequired", "Authentication Required"), {}
        if token in self.revoked_refresh_tokens:
            return 400, self._error("ExpiredToken", "Token has been revoked"), {}
        if token in self.access_tokens:
            return 400, self._error("InvalidToken", "Invalid token type"), {}
        session = self.refresh_tokens.pop(token, None)
        if session is None:
            return 400, self._error("InvalidToken", "Token could not be verified"), {}
        self.revoked_refresh_tokens.add(token)
        if session["expires"] < time.time():
            return 400, self._error("ExpiredToken", "Token has expired"), {}
        return 200, self._new_session(), {}

    def get_session(self, request: Request) -> Response:
        """The session behind an access token."""
        did = self._authenticate(request)
        if not isinstance(did, str):
            return did
        return 200, {"did": did, "handle": self.handle, "active": True}, {}

    # ------------------------------------------------------------ blobs and identity

    def upload_blob(self, request: Request) -> Response:
        """Store an image blob (JPEG or PNG, matching its Content-Type, at most 1,000,000 bytes)."""
        did = self._authenticate(request)
        if not isinstance(did, str):
            return did
        data = request.body
        if not data:
            return self._bad("Request body is empty")
        if len(data) > MAX_BLOB_BYTES:
            return (
                400,
                self._error(
                    "BlobTooLarge",
                    f"This file is too large. It is {len(data)} bytes "
                    f"but the maximum size is {MAX_BLOB_BYTES} bytes.",
                ),
                {},
            )
        declared = request.content_type
        if declared not in BLOB_MIME_TYPES:
            return self._bad(f"Unsupported blob Content-Type {declared!r}")
        image = sniff_image(data)
        if image is None or image[0] != declared:
            return self._bad(f"Blob bytes are not a valid {declared} image")
        cid = cid_for(data)
        self.blobs.setdefault(did, {})[cid] = {
            "mimeType": declared,
            "size": len(data),
            "data": data,
        }
        blob = {"$type": "blob", "ref": {"$link": cid}, "mimeType": declared, "size": len(data)}
        return 200, {"blob": blob}, {}

    def resolve_handle(self, request: Request) -> Response:
        """The did of a known handle."""
        handle = request.query.get("handle")
        if not handle:
            return self._bad('Error: Params must have the property "handle"')
        did = self._did_for(handle)
        if did is None:
            return self._bad("Unable to resolve handle")
        return 200, {"did": did}, {}

    def _did_for(self, handle: str) -> str | None:
        lowered = handle.lower()
        for known, did in self.known_handles.items():
            if known.lower() == lowered:
                return did
        return None

    # ------------------------------------------------------------ records

    def create_record(self, request: Request) -> Response:
        """Create a post after validating it strictly against app.bsky.feed.post."""
        did = self._authenticate(request)
        if not isinstance(did, str):
            return did
        payload = request.json
        if request.content_type != "application/json" or not isinstance(payload, dict):
            return self._bad("Request body must be a JSON object")
        repo = payload.get("repo")
        if repo != did and (not isinstance(repo, str) or self._did_for(repo) != did):
            return self._bad("Input/repo must be the authenticated account's did or handle")
        if payload.get("collection") != POST_COLLECTION:
            return self._bad(f"Input/collection must be {POST_COLLECTION}")
        rkey = payload.get("rkey")
        if rkey is not None:
            if not isinstance(rkey, str) or not TID.fullmatch(rkey):
                return self._bad("Input/rkey must be a valid TID")
            if rkey in self.posts:
                # What the real PDS does with a taken record key (bluesky-social/atproto#3718).
                return 500, {"error": "InternalServerError", "message": "Internal Server Error"}, {}
        record = payload.get("record")
        try:
            self._validate_post(did, record)
        except _Invalid as error:
            return self._bad(f"Invalid app.bsky.feed.post record: {error}")
        rkey = rkey or new_tid()
        while rkey in self.posts:
            rkey = new_tid()
        uri = f"at://{did}/{POST_COLLECTION}/{rkey}"
        cid = cid_for(json.dumps(record, sort_keys=True).encode(), codec=0x71)
        self.posts[rkey] = record
        self.post_list.append({"uri": uri, "cid": cid, "rkey": rkey, "value": record})
        commit = {"cid": cid_for(uri.encode(), codec=0x71), "rev": new_tid()}
        return 200, {"uri": uri, "cid": cid, "commit": commit, "validationStatus": "valid"}, {}

    def get_record(self, request: Request) -> Response:
        """A stored record (no authentication needed)."""
        repo = request.query.get("repo", "")
        collection = request.query.get("collection", "")
        rkey = request.query.get("rkey", "")
        if not repo or not collection or not rkey:
            return self._bad("repo, collection and rkey are required")
        did = repo if repo.startswith("did:") else self._did_for(repo)
        uri = f"at://{repo}/{collection}/{rkey}"
        if did != self.did or collection != POST_COLLECTION:
            return 400, self._error("RecordNotFound", f"Could not locate record: {uri}"), {}
        for entry in self.post_list:
            if entry["rkey"] == rkey:
                return 200, {"uri": entry["uri"], "cid": entry["cid"], "value": entry["value"]}, {}
        return 400, self._error("RecordNotFound", f"Could not locate record: {uri}"), {}

    def _validate_post(self, did: str, record: Any) -> None:
        if not isinstance(record, dict):
            raise _Invalid("record must be an object")
        if record.get("$type") != POST_COLLECTION:
            raise _Invalid(f'record/$type must be "{POST_COLLECTION}"')
        text = record.get("text")
        if not isinstance(text, str):
            raise _Invalid("record/text must be a string")
        if graphemes(text) > MAX_GRAPHEMES:
            raise _Invalid(f"record/text must not be longer than {MAX_GRAPHEMES} graphemes")
        encoded = text.encode("utf-8")
        if len(encoded) > MAX_TEXT_BYTES:
            raise _Invalid(f"record/text must not be longer than {MAX_TEXT_BYTES} bytes")
        created = record.get("createdAt")
        if not isinstance(created, str) or not DATETIME.fullmatch(created):
            raise _Invalid("record/createdAt must be an ISO 8601 datetime with a timezone")
        try:
            datetime.fromisoformat(created)
        except ValueError as error:
            raise _Invalid("record/createdAt must be a valid datetime") from error
        if "langs" in record:
            langs = record["langs"]
            if not isinstance(langs, list) or len(langs) > 3:
                raise _Invalid("record/langs must be a list of at most 3 languages")
            for lang in langs:
                if not isinstance(lang, str) or not LANGUAGE.fullmatch(lang):
                    raise _Invalid(f"record/langs: {lang!r} is not a language tag")
        if "facets" in record:
            self._validate_facets(record["facets"], encoded)
        if "embed" in record:
            self._validate_embed(did, record["embed"])

    def _validate_facets(self, facets: Any, encoded: bytes) -> None:
        if not isinstance(facets, list):
            raise _Invalid("record/facets must be a list")
        for number, facet in enumerate(facets):
            where = f"record/facets/{number}"
            if not isinstance(facet, dict):
                raise _Invalid(f"{where} must be an object")
            index = facet.get("index")
            if not isinstance(index, dict):
                raise _Invalid(f"{where}/index must be an object")
            start, end = index.get("byteStart"), index.get("byteEnd")
            if not _is_int(start) or not _is_int(end):
                raise _Invalid(f"{where}/index byteStart and byteEnd must be integers")
            if not 0 <= start < end <= len(encoded):
                raise _Invalid(
                    f"{where}/index [{start}, {end}) is outside the text's {len(encoded)} bytes"
                )
            try:
                covered = encoded[start:end].decode("utf-8")
            except UnicodeDecodeError as error:
                raise _Invalid(f"{where}/index splits a UTF-8 character") from error
            features = facet.get("features")
            if not isinstance(features, list) or not features:
                raise _Invalid(f"{where}/features must be a non-empty list")
            for feature in features:
                self._validate_feature(where, feature, covered)

    def _validate_feature(self, where: str, feature: Any, covered: str) -> None:
        if not isinstance(feature, dict):
            raise _Invalid(f"{where}/features must hold objects")
        kind = feature.get("$type")
        if kind == "app.bsky.richtext.facet#link":
            uri = feature.get("uri")
            if not isinstance(uri, str) or not re.match(r"[a-z][a-z0-9+.-]*:\S+$", uri, re.I):
                raise _Invalid(f"{where}: link uri must be a URI")
            if covered != uri:
                raise _Invalid(f"{where}: link covers {covered!r}, not its uri {uri!r}")
        elif kind == "app.bsky.richtext.facet#mention":
            target = feature.get("did")
            if not isinstance(target, str) or not target.startswith("did:"):
                raise _Invalid(f"{where}: mention did must be a DID")
            if not covered.startswith("@") or self._did_for(covered[1:]) != target:
                raise _Invalid(f"{where}: mention covers {covered!r}, which is not {target}")
        elif kind == "app.bsky.richtext.facet#tag":
            # app.bsky.richtext.facet#tag: {"maxLength": 640, "maxGraphemes": 64}
            tag = feature.get("tag")
            if not isinstance(tag, str) or not tag:
                raise _Invalid(f"{where}: tag must be a non-empty string")
            if len(tag.encode()) > MAX_TAG_BYTES:
                raise _Invalid(f"{where}/tag must not be longer than {MAX_TAG_BYTES} bytes")
            if graphemes(tag) > MAX_TAG_GRAPHEMES:
                raise _Invalid(f"{where}/tag must not be longer than {MAX_TAG_GRAPHEMES} graphemes")
            if covered != "#" + tag:
                raise _Invalid(f"{where}: tag covers {covered!r}, not '#{tag}'")
        else:
            raise _Invalid(f"{where}: unsupported facet feature {kind!r}")

    def _validate_embed(self, did: str, embed: Any) -> None:
        if not isinstance(embed, dict):
            raise _Invalid("record/embed must be an object")
        kind = embed.get("$type")
        if kind == "app.bsky.embed.external":
            external = embed.get("external")
            if not isinstance(external, dict):
                raise _Invalid("record/embed/external must be an object")
            for key in ("uri", "title", "description"):
                if not isinstance(external.get(key), str):
                    raise _Invalid(f"record/embed/external/{key} must be a string")
            if not re.match(r"[a-z][a-z0-9+.-]*:\S+$", external["uri"], re.I):
                raise _Invalid("record/embed/external/uri must be a URI")
            if "thumb" in external:
                self._validate_blob(did, "record/embed/external/thumb", external["thumb"])
        elif kind == "app.bsky.embed.images":
            images = embed.get("images")
            if not isinstance(images, list) or not 1 <= len(images) <= 4:
                raise _Invalid("record/embed/images must hold 1 to 4 images")
            for number, image in enumerate(images):
                where = f"record/embed/images/{number}"
                if not isinstance(image, dict):
                    raise _Invalid(f"{where} must be an object")
                if "alt" not in image:
                    raise _Invalid(f'{where} must have the property "alt"')
                if not isinstance(image["alt"], str):
                    raise _Invalid(f"{where}/alt must be a string")
                self._validate_blob(did, f"{where}/image", image.get("image"))
                ratio = image.get("aspectRatio")
                if ratio is not None and not (
                    isinstance(ratio, dict)
                    and all(_is_int(ratio.get(k)) and ratio[k] > 0 for k in ("width", "height"))
                ):
                    raise _Invalid(f"{where}/aspectRatio needs positive width and height")
        else:
            raise _Invalid(f"record/embed: unsupported embed type {kind!r}")

    def _validate_blob(self, did: str, where: str, blob: Any) -> None:
        if not isinstance(blob, dict) or blob.get("$type") != "blob":
            raise _Invalid(f'{where} must be a blob ref with $type "blob"')
        ref = blob.get("ref")
        link = ref.get("$link") if isinstance(ref, dict) else None
        stored = self.blobs.get(did, {}).get(link) if isinstance(link, str) else None
        if stored is None:
            raise _Invalid(f"{where}: blob {link!r} was not uploaded by this account")
        mime = blob.get("mimeType")
        if not isinstance(mime, str) or not mime.startswith("image/"):
            raise _Invalid(f"{where}/mimeType must be an image type")
        if mime != stored["mimeType"] or blob.get("size") != stored["size"]:
            raise _Invalid(f"{where}: mimeType/size do not match the uploaded blob")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
