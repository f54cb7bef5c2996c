"""A loopback HTTP server base for fake remote APIs, with misbehaviour on demand.

Subclasses register routes and answer with ``(status, body, headers)``; the base
handles HTTP, logging of every request, latency and injected faults (errors,
rate limits, dropped and stalled responses).

Authentication is a property of the route, not something a handler must remember:
every route is checked by the server's ``authenticate`` hook (or the ``auth`` given
to ``route``) before its handler runs, unless it is registered ``public`` with the
reason the real API serves it to anyone.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesHeaderParser
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

from PIL import Image
from requests.structures import CaseInsensitiveDict

log = logging.getLogger(__name__)

Body = dict[str, Any] | list[Any] | bytes | None
Response = tuple[int, Body, dict[str, str]]
Handler = Callable[["Request"], Response]
# Checks a request's credentials: None to let it through, else the response refusing it.
Auth = Callable[["Request"], "Response | None"]


@dataclass(frozen=True)
class Route:
    method: str
    path: str | re.Pattern[str]
    handler: Handler
    public: str  # why the real API serves it without credentials; "" when it needs them


@dataclass
class Request:
    """One request as the server received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: CaseInsensitiveDict[str]
    body: bytes
    json: Any
    url: str
    params: dict[str, str] = field(default_factory=dict)
    received_at: float = field(default_factory=time.time)
    status: int | None = None
    dropped: bool = False

    @property
    def content_type(self) -> str:
        """The media type of the body, lower-cased, without parameters."""
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()

    def bearer(self) -> str | None:
        """The token of an ``Authorization: Bearer`` header, if any."""
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return token.strip()


@dataclass
class _Fault:
    kind: str
    remaining: int
    path: str | None
    status: int = 0
    body: Body = None
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


# ---------------------------------------------------------------- helpers


@dataclass
class Part:
    """One field of a multipart/form-data body."""

    name: str
    filename: str | None
    content_type: str | None
    data: bytes

    @property
    def text(self) -> str:
        """The field decoded as UTF-8."""
        return self.data.decode("utf-8")


class MultipartError(ValueError):
    """The body is not well-formed multipart/form-data."""


def parse_multipart(content_type: str, body: bytes) -> dict[str, list[Part]]:
    """Parse a multipart/form-data body strictly; raise MultipartError if malformed."""
    header = Message()
    header["Content-Type"] = content_type
    if header.get_content_type() != "multipart/form-data":
        raise MultipartError("Content-Type must be multipart/form-data")
    boundary = header.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        raise MultipartError("multipart boundary missing")
    chunks = (b"\r\n" + body).split(b"\r\n--" + boundary.encode("latin-1"))
    if len(chunks) < 3 or chunks[0] != b"":
        raise MultipartError("multipart body does not start with its boundary")
    if not chunks[-1].startswith(b"--"):
        raise MultipartError("multipart closing boundary missing")
    fields: dict[str, list[Part]] = {}
    for chunk in chunks[1:-1]:
        chunk = chunk.lstrip(b" \t")
        if not chunk.startswith(b"\r\n"):
            raise MultipartError("malformed multipart delimiter line")
        head, sep, data = chunk[2:].partition(b"\r\n\r\n")
        if not sep:
            raise MultipartError("multipart part without a header block")
        headers = BytesHeaderParser().parsebytes(head + b"\r\n\r\n")
        disposition = headers.get("Content-Disposition", "")
        if not disposition.lower().startswith("form-data"):
            raise MultipartError("multipart part without Content-Disposition: form-data")
        name = headers.get_param("name", header="content-disposition")
        if not isinstance(name, str) or not name:
            raise MultipartError("multipart part without a name")
        filename = headers.get_filename()
        part_type = headers.get("Content-Type")
        fields.setdefault(name, []).append(Part(name, filename, part_type, data))
    return fields


_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png", "PNG"),
    (b"\xff\xd8\xff", "image/jpeg", "JPEG"),
    (b"GIF87a", "image/gif", "GIF"),
    (b"GIF89a", "image/gif", "GIF"),
)


def sniff_image(data: bytes) -> tuple[str, int, int] | None:
    """Return ``(mime, width, height)`` if data is a complete PNG/JPEG/GIF/WebP image."""
    mime = fmt = None
    for magic, magic_mime, magic_fmt in _MAGIC:
        if data.startswith(magic):
            mime, fmt = magic_mime, magic_fmt
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        mime, fmt = "image/webp", "WEBP"
    if mime is None:
        return None
    try:
        with Image.open(BytesIO(data)) as image:
            if image.format != fmt:
                return None
            image.verify()  # checksums and chunk structure (PNG: through IEND)
        with Image.open(BytesIO(data)) as image:
            image.load()  # decodes every pixel: catches truncated data
            return mime, image.width, image.height
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None


_URL = re.compile(r"(?<![A-Za-z0-9@$#])https?://[^\s<>\"]+", re.IGNORECASE)
_TRAILING = ".,:;!?'\"*"


def find_urls(text: str) -> list[tuple[int, int]]:
    """Spans of http(s) URLs in text, without trailing punctuation or unbalanced brackets."""
    spans = []
    for match in _URL.finditer(text):
        start, end = match.span()
        while end > start:
            last = text[end - 1]
            url = text[start:end]
            if last in _TRAILING:
                end -= 1
            elif last == ")" and url.count("(") < url.count(")"):
                end -= 1
            elif last == "]" and url.count("[") < url.count("]"):
                end -= 1
            else:
                break
        if re.match(r"https?://[^\s/?#]+", text[start:end], re.IGNORECASE):
            spans.append((start, end))
    return spans


_TWEPOCH_MS = 1288834974657
_id_lock = threading.Lock()
_last_ids: dict[int, int] = {}


def snowflake(shift: int = 22) -> str:
    """A unique, increasing, time-based numeric id (19 digits with the default shift)."""
    with _id_lock:
        value = (int(time.time() * 1000) - _TWEPOCH_MS) << shift
        value = max(value, _last_ids.get(shift, 0) + 1)
        _last_ids[shift] = value
        return str(value)


def cid_for(data: bytes, codec: int = 0x55) -> str:
    """A CIDv1 (sha2-256, base32) for data: raw codec gives "bafkrei…", dag-cbor "bafyrei…"."""
    raw = bytes([0x01, codec, 0x12, 0x20]) + hashlib.sha256(data).digest()
    return "b" + base64.b32encode(raw).decode().lower().rstrip("=")


# ---------------------------------------------------------------- server


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    owner: LoopbackServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore clients that went away; record anything else."""
        if isinstance(sys.exc_info()[1], OSError):
            return
        self.owner.errors.append(traceback.format_exc())


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every keep-alive response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.owner._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.owner._track(self.connection, add=False)

    def serve(self) -> None:
        body = self._read_body()
        if body is None:
            self.send_error(400, "Bad request body")
            self.close_connection = True
            return
        self.server.owner._handle(self, body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = serve
    do_PURGE = serve  # caches' own method (tests/servers/cdn.py)

    def _read_body(self) -> bytes | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = bytearray()
            while True:
                line = self.rfile.readline(65537)
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    return None
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(data)
                data += self.rfile.read(size)
                self.rfile.readline(65537)
        try:
            length = int(self.headers.get("Content-Length", 0))
        except ValueError:
            return None
        return self.rfile.read(length) if length > 0 else b""

    def log_message(self, *args: Any) -> None:
        """Silenced."""


@dataclass(frozen=True)
class _Target:
    handler: Handler
    auth: Auth | None


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 with routes, a request log and faults on demand."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.requests: list[Request] = []
        self.errors: list[str] = []
        self.latency: float = 0.0
        self._faults: list[_Fault] = []
        self._exact: dict[tuple[str, str], _Target] = {}
        self._patterns: list[tuple[str, re.Pattern[str], _Target]] = []
        self._routes: list[Route] = []
        self._connections: set[socket.socket] = set()
        self._httpd = _HTTPServer(("127.0.0.1", 0), _RequestHandler)
        self._httpd.owner = self
        self.port: int = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        """Start serving in a daemon thread."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=type(self).__name__,
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the socket and any open keep-alive connections."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()
        with self.lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ routes

    def route(
        self,
        method: str,
        path: str | re.Pattern[str],
        handler: Handler,
        *,
        auth: Auth | None = None,
        public: str = "",
    ) -> None:
        """Register a handler for a method ("*" for any) and an exact path or a path regex.

        Named groups of a regex are passed in ``request.params``. The request is
        authenticated first by ``auth`` (default: ``self.authenticate``); a route the real
        API serves without credentials says why in ``public`` instead.
        """
        if auth is not None and public:
            raise ValueError("A route is either authenticated or public, not both")
        self._routes.append(Route(method.upper(), path, handler, public))
        target = _Target(handler, None if public else (auth or self.authenticate))
        if isinstance(path, str):
            self._exact[(method.upper(), path)] = target
        else:
            self._patterns.append((method.upper(), path, target))

    def routes(self) -> list[Route]:
        """Every registered route, in registration order."""
        return list(self._routes)

    def authenticate(self, request: Request) -> Response | None:
        """None if the request carries valid credentials, else the response refusing it.

        Every server with a route that is not public must override this.
        """
        raise NotImplementedError(f"{type(self).__name__} has no authenticate()")

    def _resolve(self, request: Request) -> tuple[_Target | None, bool]:
        """The handler (and its check) for a request, and whether its path is known at all."""
        for method in (request.method, "*"):
            handler = self._exact.get((method, request.path))
            if handler is not None:
                return handler, True
        path_known = any(path == request.path for _, path in self._exact)
        for method, pattern, candidate in self._patterns:
            match = pattern.fullmatch(request.path)
            if match is None:
                continue
            if method in ("*", request.method):
                request.params = {k: v for k, v in match.groupdict().items() if v is not None}
                return candidate, True
            path_known = True
        return None, path_known

    def serves(self, request: Request) -> bool:
        """Whether a route of this server answers the request's method and path."""
        target, _known = self._resolve(request)
        return target is not None

    # ------------------------------------------------------------ hooks

    def error_body(self, status: int, message: str) -> Body:
        """The JSON body this API uses for an error; subclasses override."""
        return {"error": message}

    def rate_limit_response(self, reset_after: float) -> Response:
        """This API's own 429 answer; subclasses override."""
        return (
            429,
            self.error_body(429, "Too Many Requests"),
            {"Retry-After": str(max(1, int(-(-reset_after // 1))))},
        )

    # ------------------------------------------------------------ misbehaviour

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        path: str | None = None,
        body: Body = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next ``times`` matching requests with ``status``, without processing."""
        self._add_fault(
            _Fault("fail", times, path, status=status, body=body, headers=dict(headers or {}))
        )

    def rate_limit_next(
        self, *, times: int = 1, path: str | None = None, reset_after: float = 2.0
    ) -> None:
        """Answer the next ``times`` matching requests with this API's 429, without processing."""
        self._add_fault(_Fault("rate_limit", times, path, seconds=reset_after))

    def fail_after_processing(
        self, status: int, *, times: int = 1, path: str | None = None
    ) -> None:
        """Process the next ``times`` matching requests, then answer ``status`` instead of
        their answer: a gateway that timed out after the application did the work."""
        self._add_fault(_Fault("fail_after", times, path, status=status))

    def drop_next(self, *, path: str | None = None) -> None:
        """Process the next matching request, then close the connection without answering."""
        self._add_fault(_Fault("drop", 1, path))

    def stall_next(self, seconds: float, *, path: str | None = None) -> None:
        """Process the next matching request, then wait ``seconds`` before answering."""
        self._add_fault(_Fault("stall", 1, path, seconds=seconds))

    def clear_faults(self) -> None:
        """Forget all pending injected faults."""
        with self.lock:
            self._faults.clear()

    @property
    def pending_faults(self) -> int:
        """How many injected faults have not fired yet."""
        with self.lock:
            return sum(fault.remaining for fault in self._faults)

    def _add_fault(self, fault: _Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("times must be at least 1")
        with self.lock:
            self._faults.append(fault)

    def _take_fault(self, path: str) -> _Fault | None:
        for fault in self._faults:
            if fault.path is None or fault.path in path:
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None

    # ------------------------------------------------------------ handling

    def _track(self, connection: socket.socket, *, add: bool) -> None:
        with self.lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def _handle(self, handler: _RequestHandler, body: bytes) -> None:
        split = urlsplit(handler.path)
        headers: CaseInsensitiveDict[str] = CaseInsensitiveDict(handler.headers.items())
        host = headers.get("Host") or f"127.0.0.1:{self.port}"
        target = split.path + (f"?{split.query}" if split.query else "")
        request = Request(
            method=handler.command.upper(),
            path=split.path,
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            headers=headers,
            body=body,
            json=_parse_json(headers, body),
            url=f"http://{host}{target}",
        )
        if self.latency > 0:
            time.sleep(self.latency)
        with self.lock:
            self.requests.append(request)
            fault = self._take_fault(request.path)
            if fault is not None and fault.kind == "fail":
                message = _phrase(fault.status)
                response: Response = (
                    fault.status,
                    fault.body
                    if fault.body is not None
                    else self.error_body(fault.status, message),
                    fault.headers,
                )
            elif fault is not None and fault.kind == "rate_limit":
                response = self.rate_limit_response(fault.seconds)
            else:
                response = self._process(request)
                if fault is not None and fault.kind == "fail_after":
                    status = fault.status
                    response = (status, self.error_body(status, _phrase(status)), {})
            request.status = response[0]
        if fault is not None and fault.kind == "drop":
            request.dropped = True
            handler.close_connection = True
            return
        if fault is not None and fault.kind == "stall":
            time.sleep(fault.seconds)
        self._send(handler, request, response)

    def _process(self, request: Request) -> Response:
        target, path_known = self._resolve(request)
        if target is None and path_known:
            return 405, self.error_body(405, "Method Not Allowed"), {}
        if target is None:
            return 404, self.error_body(404, "Not Found"), {}
        try:
            if target.auth is not None and (denied := target.auth(request)) is not None:
                return denied
            return target.handler(request)
        except Exception:
            log.exception("fake server handler failed")
            self.errors.append(traceback.format_exc())
            return 500, self.error_body(500, "Internal Server Error"), {}

    @staticmethod
    def _send(handler: _RequestHandler, request: Request, response: Response) -> None:
        status, payload, extra = response
        if payload is None or isinstance(payload, bytes):
            data = payload or b""
            content_type = "application/octet-stream" if data else None
        else:
            data = json.dumps(payload).encode()
            content_type = "application/json"
        try:
            handler.send_response(status)
            if content_type and not any(k.lower() == "content-type" for k in extra):
                handler.send_header("Content-Type", content_type)
            for key, value in extra.items():
                handler.send_header(key, str(value))
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            if request.method != "HEAD":
                handler.wfile.write(data)
            handler.wfile.flush()
        except OSError:
            handler.close_connection = True


def _parse_json(headers: CaseInsensitiveDict[str], body: bytes) -> Any:
    if not body or "json" not in headers.get("Content-Type", "").lower():
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


class SharedHost(LoopbackServer):
    """Several stand-ins behind one address, as one host of a network serves several APIs
    (graph.facebook.com answers Facebook Login's token exchange and Page posts alike;
    api.linkedin.com the organization lookups and /rest/posts).

    A request goes to the first member that ``serves`` its method and path, is logged in
    that member's ``requests`` too, and is checked and answered by it (its own
    credentials, errors and routes). Faults are injected on the host. The members are
    started as well, so each keeps its own address for tests that want it.
    """

    def __init__(self, *members: LoopbackServer) -> None:
        super().__init__()
        self.members = members

    def start(self) -> Self:
        for member in self.members:
            member.start()
        return super().start()

    def stop(self) -> None:
        super().stop()
        for member in self.members:
            member.stop()

    def _process(self, request: Request) -> Response:
        for member in self.members:
            if member.serves(request):
                with member.lock:
                    member.requests.append(request)
                    response = member._process(request)
                    request.status = response[0]
                return response
        return 404, self.error_body(404, "Not Found"), {}
