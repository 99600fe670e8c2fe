"""A pass-through HTTP proxy in front of the real S3 server that fails chosen requests with 503.

The pipeline's `object_store` connection points at the proxy; the test uploads straight to the server.
A rule fails the first `times` GETs of an object key (a transient outage) or all of them (`times=None`:
an object that can never be read, like a version that vanished after discovery).
"""

from __future__ import annotations

import http.client
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FaultyProxy:
    def __init__(self):
        self.upstream = ""  # host:port of the real server, set by `start`
        self.rules: dict[str, int | None] = {}  # object key -> failures left (None: forever)
        self.failed: dict[str, int] = {}
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if self.command == "GET" and proxy._should_fail(self.path):
                    payload = b"<Error><Code>ServiceUnavailable</Code><Message>injected</Message></Error>"
                    self.send_response(503)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                conn = http.client.HTTPConnection(proxy.upstream, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                conn.request(self.command, self.path, body=body, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward  # noqa: N815

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def fail(self, key: str, times: int | None) -> None:
        with self.lock:
            self.rules[key] = times

    def _should_fail(self, path: str) -> bool:
        key = urllib.parse.unquote(urllib.parse.urlsplit(path).path).split("/", 2)[-1]
        with self.lock:
            if key not in self.rules:
                return False
            left = self.rules[key]
            if left is not None:
                if left <= 0:
                    return False
                self.rules[key] = left - 1
            self.failed[key] = self.failed.get(key, 0) + 1
            return True

    def start(self, upstream: str) -> str:
        """Forward to `upstream` (host:port); returns the proxy's own host:port."""
        self.upstream = upstream
        self.thread.start()
        return self.endpoint

    def stop(self) -> None:
        if self.thread.is_alive():
            self.server.shutdown()
        self.server.server_close()
