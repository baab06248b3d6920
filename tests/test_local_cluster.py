"""The local Elasticsearch the demo and the tests run on (operatorx.tools.elastic.local_cluster)."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import urllib.request
import uuid

import pytest

from operatorx.errors import ToolUnavailable
from operatorx.tools.elastic import local_cluster


def _call(url: str, method: str = "GET", body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.elastic
def test_cluster_is_healthy(es_url):
    assert _call(f"{es_url}/_cluster/health")["status"] in ("green", "yellow")


@pytest.mark.elastic
def test_version_is_8(es_url):
    # This distribution has no GET / handler (405); the version comes from the local node.
    nodes = _call(f"{es_url}/_nodes/_local")["nodes"]
    assert next(iter(nodes.values()))["version"].startswith("8.")


@pytest.mark.elastic
def test_loopback_needs_no_credentials(es_url):
    """Security is off: write, search and delete without any auth header."""
    index = f"operatorx-test-{uuid.uuid4().hex[:8]}"
    try:
        _call(f"{es_url}/{index}/_doc?refresh=true", "POST", {"source": {"ip": "127.0.0.1"}, "n": 1})
        hits = _call(f"{es_url}/{index}/_search", "POST", {"query": {"match_all": {}}})["hits"]
        assert hits["total"]["value"] == 1
    finally:
        _call(f"{es_url}/{index}", "DELETE")


@pytest.mark.elastic
def test_official_client_talks_to_it(es_url):
    """The 8.x client's product check passes against this distribution."""
    from elasticsearch import Elasticsearch

    with Elasticsearch(es_url, request_timeout=30) as es:
        assert es.cluster.health()["status"] in ("green", "yellow")


@pytest.mark.elastic
def test_status_of_the_test_cluster(es_url):
    host, port = es_url.rsplit("/", 1)[1].rsplit(":", 1)
    if host not in ("127.0.0.1", "localhost"):
        pytest.skip(f"status() probes loopback; OPERATORX_TEST_ES_URL is {es_url}")
    port = int(port)
    st = local_cluster.status(port=port)
    assert st.health in ("green", "yellow") and st.version.startswith("8.")


def test_stop_when_nothing_runs_is_a_no_op(tmp_path):
    assert local_cluster.stop(tmp_path, _free_port()) is False
    assert not any(tmp_path.iterdir())


def test_start_on_a_port_held_by_something_else_says_so(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(ToolUnavailable, match=rf"Port {port} .* not a healthy Elasticsearch .*404"):
            local_cluster.start(tmp_path, port, "operatorx-test", timeout_s=5)
    finally:
        server.shutdown()
        server.server_close()
    assert not (tmp_path / f"elasticsearch-{local_cluster.VERSION}").exists()  # refused before installing


def test_config_keeps_security_off_and_loopback_only(tmp_path):
    yml = local_cluster.render_config(tmp_path, 9201, "operatorx-test")
    for line in (
        "xpack.security.enabled: false",
        "network.host: 127.0.0.1",
        "http.port: 9201",
        "discovery.type: single-node",
        f"path.data: {tmp_path / 'data'}",
    ):
        assert line in yml.splitlines()
