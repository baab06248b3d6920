"""OpenAIBackend against a tiny local HTTP server (stdlib http.server on 127.0.0.1)."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from operatorx.backend.openai_compat import OpenAIBackend
from operatorx.backend.scripted import ScriptedBackend
from operatorx.errors import PlannerError

SCHEMA = {"type": "object", "properties": {"tool": {"const": "none"}}, "required": ["tool"]}


class FakeServer:
    """Answers POSTs with whatever ``reply(path, body)`` returns: (status, bytes)."""

    def __init__(self, reply):
        self.requests: list[tuple[str, dict, dict]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append((self.path, body, dict(self.headers)))
                status, data = reply(self.path, body)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the timeout test)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def completion(text: str, finish: str = "stop") -> bytes:
    return json.dumps(
        {
            "choices": [{"text": text, "finish_reason": finish}],
            "usage": {"prompt_tokens": 42, "completion_tokens": 7},
        }
    ).encode()


def test_completion_sends_the_schema_and_reads_the_answer():
    answer = '{"tool":"none","kind":"clarify","message":"Which host?"}'
    with FakeServer(lambda path, body: (200, completion(answer))) as srv:
        backend = OpenAIBackend(srv.url, "smollm2", api_key="k3y", timeout_s=5)
        gen = backend.generate("PROMPT", SCHEMA, max_tokens=64)
    assert gen.text == answer
    assert (gen.prompt_tokens, gen.completion_tokens, gen.stop) == (42, 7, "end")
    path, body, headers = srv.requests[0]
    assert path == "/v1/completions"
    assert body["prompt"] == "PROMPT" and body["model"] == "smollm2" and body["max_tokens"] == 64
    assert body["temperature"] == 0
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"] == SCHEMA
    assert body["stop"] == ["<|im_end|>"]
    assert headers["Authorization"] == "Bearer k3y"


def test_chat_endpoint_and_length_stop():
    reply = {"choices": [{"message": {"content": '{"tool":"none"'}, "finish_reason": "length"}]}
    with FakeServer(lambda path, body: (200, json.dumps(reply).encode())) as srv:
        gen = OpenAIBackend(srv.url, chat=True, timeout_s=5).generate("P", SCHEMA)
    assert srv.requests[0][0] == "/v1/chat/completions"
    assert srv.requests[0][1]["messages"] == [{"role": "user", "content": "P"}]
    assert gen.stop == "length"


@pytest.mark.parametrize(
    "status,data,expect",
    [
        (500, b'{"error":"model crashed"}', "HTTP 500"),
        (404, b"not here", "HTTP 404"),
        (200, b"<html>proxy login</html>", "did not answer with JSON"),
        (200, b'{"choices":[]}', "without choices"),
    ],
)
def test_server_errors_name_the_url(status, data, expect):
    with FakeServer(lambda path, body: (status, data)) as srv, pytest.raises(PlannerError) as err:
        OpenAIBackend(srv.url, timeout_s=5).generate("P", SCHEMA)
    assert expect in str(err.value)
    assert srv.url in str(err.value)


def test_server_down_names_the_url():
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    with pytest.raises(PlannerError, match=rf"Cannot reach the model server at {url}/completions"):
        OpenAIBackend(url, timeout_s=2).generate("P", SCHEMA)


def test_timeout_names_the_url():
    def slow(path, body):
        time.sleep(1.5)
        return 200, completion("{}")

    with FakeServer(slow) as srv:
        t0 = time.monotonic()
        with pytest.raises(PlannerError, match="did not answer within 0.3 s") as err:
            OpenAIBackend(srv.url, timeout_s=0.3).generate("P", SCHEMA)
        assert time.monotonic() - t0 < 1.4
    assert srv.url in str(err.value)


def test_no_url_is_a_clear_error():
    with pytest.raises(PlannerError, match="openai_url"):
        OpenAIBackend("")


def test_scripted_backend_replays_and_records():
    backend = ScriptedBackend(["{broken", {"tool": "none", "kind": "refuse", "message": "no"}])
    assert backend.generate("p1", SCHEMA).text == "{broken"
    assert backend.generate("p2", SCHEMA).text == '{"tool":"none","kind":"refuse","message":"no"}'
    assert [c.prompt for c in backend.calls] == ["p1", "p2"]
    with pytest.raises(PlannerError, match="no reply left"):
        backend.generate("p3", SCHEMA)
    echo = ScriptedBackend(lambda prompt, schema: {"tool": "none", "kind": "clarify", "message": prompt})
    assert json.loads(echo.generate("hello", SCHEMA).text)["message"] == "hello"
