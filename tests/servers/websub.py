"""A loopback WebSub hub that checks publish pings the way a hub does.

A publish ping carries no credentials: WebSub (W3C, section 7) leaves publishing to the hub,
and hubs take unauthenticated pings and re-fetch the topic themselves.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class WebSubHub:
    def __init__(self):
        self.pings: list[str] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = parse_qs(self.rfile.read(length).decode())
                content_type = self.headers.get("Content-Type", "")
                if not content_type.startswith("application/x-www-form-urlencoded"):
                    return self.reply(400, "hub expects a form")
                if form.get("hub.mode") != ["publish"] or not form.get("hub.url"):
                    return self.reply(400, "hub.mode=publish and hub.url are required")
                hub.pings.extend(form["hub.url"])
                self.reply(204, "")

            def reply(self, status: int, text: str):
                self.send_response(status)
                self.end_headers()
                self.wfile.write(text.encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
