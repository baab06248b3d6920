"""An Elasticsearch that errs on demand, and a port nobody listens on (127.0.0.1 only)."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FIELDS = {
    "@timestamp": "date",
    "source.ip": "ip",
    "destination.ip": "ip",
    "destination.port": "long",
    "event.dataset": "keyword",
}
HITS = [
    {"@timestamp": "2026-01-01T00:00:00Z", "event": {"dataset": "zeek.conn"}, "source": {"ip": "10.0.0.1"}},
    {"@timestamp": "2026-01-01T00:00:01Z", "event": {"dataset": "zeek.conn"}, "source": {"ip": "10.0.0.2"}},
]


def _error(kind: str, reason: str, status: int, caused_by: dict | None = None) -> dict:
    err = {"root_cause": [{"type": kind, "reason": reason}], "type": kind, "reason": reason}
    if caused_by:
        err["caused_by"] = caused_by
    return {"error": err, "status": status}


class FakeES:
    """A stdlib HTTP server that speaks just enough Elasticsearch 8 — or fails like one.

    ``mode``: ok · 500 · 429 · 401 · hang (accepts, never answers until released) ·
    not-es (no X-Elastic-Product header) · v7 (refuses 8.x media types, as a 7.x server does) ·
    and ``version`` is what ``_nodes`` reports.
    """

    def __init__(self, port: int = 0) -> None:
        self.mode = "ok"
        self.version = "8.19.21"
        self.requests: list[tuple[str, str]] = []
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                outer.requests.append((self.command, self.path))
                status, body, product = outer.answer(self.path, self.headers.get("Accept", ""))
                if status is None:  # hang: hold the connection, say nothing
                    outer.release.wait(30)
                    return
                payload = json.dumps(body).encode()
                self.send_response(status)
                if product:
                    self.send_header("X-Elastic-Product", "Elasticsearch")
                if status == 401:
                    self.send_header("WWW-Authenticate", 'Basic realm="security"')
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_HEAD = _any

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, path: str, accept: str) -> tuple[int | None, dict, bool]:
        mode = self.mode
        if mode == "hang":
            return None, {}, True
        if mode == "500":
            return 500, _error("null_pointer_exception", "something broke inside the node", 500), True
        if mode == "429":
            reason = "rejected execution of search (queue capacity 1000)"
            return 429, _error("es_rejected_execution_exception", reason, 429), True
        if mode == "401":
            reason = "unable to authenticate user [analyst] for REST request [/_search]"
            return 401, _error("security_exception", reason, 401), True
        if mode == "v7" and "compatible-with=8" in accept:
            cause = {
                "type": "status_exception",
                "reason": f"Accept version must be either version 7 or 6, but found 8. Accept={accept}",
            }
            reason = "Invalid media-type value on headers [Content-Type, Accept]"
            return 400, _error("media_type_header_exception", reason, 400, cause), True
        product = mode != "not-es"
        route = path.split("?", 1)[0]
        if route.endswith("/_field_caps"):
            fields = {
                name: {t: {"type": t, "searchable": True, "aggregatable": True}} for name, t in FIELDS.items()
            }
            return 200, {"indices": ["logs-fake"], "fields": fields}, product
        if route.endswith("/_count"):
            return 200, {"count": len(HITS)}, product
        if route.endswith("/_search"):
            hits = [{"_index": "logs-fake", "_id": str(i), "_source": h} for i, h in enumerate(HITS)]
            body = {
                "took": 1,
                "timed_out": False,
                "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
                "hits": {"total": {"value": len(HITS), "relation": "eq"}, "hits": hits},
            }
            return 200, body, product
        if route.startswith("/_cluster/health"):
            return 200, {"cluster_name": "fake", "status": "green"}, product
        if route.startswith("/_nodes"):
            return 200, {"nodes": {"n1": {"version": self.version, "name": "n1"}}}, product
        return 404, _error("resource_not_found_exception", f"no handler for {route}", 404), product

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
