"""The Elasticsearch tool against a real Elasticsearch 8 holding the seeded SO-like demo data.

The 25 hunting questions of the Security Onion reference (section 9) run as ``EsSearch``es:
each validates against the live ``_field_caps`` catalog and finds what ``fixtures.PLANTED``
hid. Assertions are relations (the top bucket, every hit matches), not exact totals, so a
cluster that already holds an earlier batch of demo data passes too.
"""

from __future__ import annotations

import ast
import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig

from operatorx.config import ElasticConfig
from operatorx.errors import ConfigError, ExecutionFailed, ToolUnavailable
from operatorx.schemas.elastic import EsSearch
from operatorx.tools.elastic import fixtures
from operatorx.tools.elastic.catalog import FieldCatalog
from operatorx.tools.elastic.client import cluster_info, make_client, translate_errors
from operatorx.tools.elastic.runner import SearchResult, count, run_search
from operatorx.tools.elastic.validate import validate_search

pytestmark = pytest.mark.elastic

P = fixtures.PLANTED
CFG = ElasticConfig()


@pytest.fixture(scope="module")
def es(es_url):
    client = make_client(CFG, url=es_url)
    fixtures.ensure_demo_data(client, max_age=__import__("datetime").timedelta(hours=6))
    return client


@pytest.fixture(scope="module")
def live_catalog(es) -> FieldCatalog:
    return FieldCatalog.load(es, "logs-*")


def keys(r: SearchResult) -> list:
    assert r.agg is not None
    return [b.key for b in r.agg.buckets]


def top(r: SearchResult):
    return keys(r)[0]


def col(r: SearchResult, field: str) -> list:
    return [row.get(field) for row in r.rows]


DAY, WEEK = "now-24h", "now-7d"


def eq(field: str, value) -> dict:
    return {"field": field, "value": value}


def op(field: str, kind: str, **kw) -> dict:
    return {"field": field, "op": kind, **kw}


def q(since: str, *where: dict, **kw) -> dict:
    """A search spec: the time window, the where conditions, then anything else."""
    return {"since": since, "where": list(where), **kw}


def by(field: str, size: int = 10, **kw) -> dict:
    return {"field": field, "size": size, **kw}


ALERT_RULE = "ET MALWARE Win32/Emotet CnC Activity (POST) M10"
ONION_RULE = "ET POLICY Observed DNS Query to .onion proxy Domain"
INTRANET_URIS = {"/", "/wiki/Main_Page", "/hr/benefits", "/login"}
ZEEK_CONN, DNS, HTTP = eq("event.dataset", "zeek.conn"), eq("tags", "dns"), eq("tags", "http")

# (question, search, check) — the 25 questions of the reference, in its order
QUESTIONS: list[tuple[str, dict, Callable[[SearchResult], bool]]] = [
    (
        "data sources",
        q(DAY, agg=by("event.dataset", 50), size=0),
        lambda r: {"zeek.conn", "zeek.dns", "suricata.alert", "windows.sysmon_operational"} <= set(keys(r)),
    ),
    ("sensors", q(DAY, agg=by("observer.name", 50), size=0), lambda r: set(keys(r)) == set(fixtures.SENSORS)),
    (
        "alerts by rule",
        q(DAY, eq("tags", "alert"), agg=by("rule.name", 25), size=0),
        lambda r: {ALERT_RULE, "Office_Macro_AutoOpen"} <= set(keys(r)),
    ),
    (
        "high and critical",
        q(
            DAY,
            eq("event.dataset", "suricata.alert"),
            op("event.severity_label", "in", value=["high", "critical"]),
        ),
        lambda r: r.total >= 30 and set(col(r, "event.severity_label")) == {"high", "critical"},
    ),
    (
        "one SID",
        q(DAY, eq("rule.uuid", P["onion_sid"])),
        lambda r: r.total >= 5 and set(col(r, "rule.name")) == {ONION_RULE},
    ),
    (
        "alerting hosts",
        q(DAY, eq("tags", "alert"), agg=by("source.ip"), size=0),
        lambda r: top(r) == P["top_alert_host"],
    ),
    (
        "two hosts",
        q(
            WEEK,
            eq("tags", "conn"),
            eq("source.ip", "10.20.4.17"),
            eq("destination.ip", fixtures.DC),
            agg=by("destination.port"),
        ),  # fmt: skip
        lambda r: {445, 3389, 22} <= set(keys(r)) and set(col(r, "source.ip")) == {"10.20.4.17"},
    ),
    ("top talkers", q(DAY, ZEEK_CONN, agg=by("source.ip"), size=0), lambda r: top(r) == P["scanner"]),
    (
        "biggest outbound",
        q(DAY, ZEEK_CONN, exclude=[eq("destination.ip", "10.0.0.0/8")], sort=[{"field": "client.bytes"}]),
        lambda r: (
            (r.rows[0]["source.ip"], r.rows[0]["client.bytes"]) == (P["big_upload"][0], P["big_upload"][2])
            and not any(ip.startswith("10.") for ip in col(r, "destination.ip"))
        ),
    ),
    (
        "non-HTTP on 80",
        q(WEEK, ZEEK_CONN, eq("destination.port", 80), exclude=[eq("network.protocol", "http")], size=200),
        lambda r: "ssh" in col(r, "network.protocol") and "http" not in col(r, "network.protocol"),
    ),
    (
        "S0 scanning",
        q(DAY, ZEEK_CONN, eq("connection.state", "S0"), agg=by("source.ip"), size=0),
        lambda r: top(r) == P["scanner"] and r.agg.buckets[0].count >= P["scan_ports"],
    ),
    (
        "who looked up a domain",
        q(WEEK, DNS, eq("dns.query.name", "updates.example-cdn.net"), agg=by("source.ip")),
        lambda r: r.total > 0 and set(col(r, "dns.query.name")) == {"updates.example-cdn.net"},
    ),
    (
        "subdomains",
        q(WEEK, op("dns.query.name", "wildcard", value="*.example-cdn.net"), size=200),
        lambda r: r.total > 0 and all(n.endswith(".example-cdn.net") for n in col(r, "dns.query.name")),
    ),
    (
        "rare domains",
        q(WEEK, DNS, agg=by("dns.highest_registered_domain", 50, order="asc"), size=0),
        lambda r: (
            r.agg.buckets[0].count == 1
            and [b.count for b in r.agg.buckets] == sorted(b.count for b in r.agg.buckets)
        ),
    ),
    (
        "NXDOMAIN by client",
        q(DAY, DNS, eq("dns.response.code_name", "NXDOMAIN"), agg=by("source.ip"), size=0),
        lambda r: top(r) == P["dga_host"] and r.agg.buckets[0].count >= P["dga_lookups"],
    ),
    (
        "URIs on a host",
        q(WEEK, HTTP, eq("http.virtual_host", "intranet.corp.internal"), agg=by("http.uri", 20)),
        lambda r: set(keys(r)) <= INTRANET_URIS and len(keys(r)) >= 2,
    ),
    (
        "curl user agents",
        q(WEEK, op("http.useragent", "wildcard", value="*CURL*")),
        lambda r: r.total >= 8 and set(col(r, "source.ip")) == {P["curl_host"]},
    ),
    (
        "executables over HTTP",
        q(DAY, HTTP, op("file.resp_mime_types", "wildcard", value="*exec*"), agg=by("http.virtual_host")),
        lambda r: keys(r) == [P["bad_domain"]],
    ),
    (
        "server errors",
        q(WEEK, HTTP, op("http.status_code", "range", gte=500, lte=599), size=200),
        lambda r: r.total > 0 and set(col(r, "http.virtual_host")) == {P["error_host"]},
    ),
    (
        "TLS versions",
        q(
            WEEK,
            eq("tags", "ssl"),
            eq("ssl.server_name", "login.partner-portal.example"),
            agg=by("ssl.version"),
        ),
        lambda r: r.total > 0 and set(keys(r)) <= {"TLSv12", "TLSv13", "TLS 1.2", "TLS 1.3"},
    ),
    (
        "notices",
        q(DAY, eq("event.dataset", "zeek.notice"), agg=by("notice.note", 20), size=0),
        lambda r: {"Scan::Port_Scan", "SSL::Invalid_Server_Cert"} <= set(keys(r)),
    ),
    (
        "SSH pairs",
        q(DAY, eq("tags", "ssh"), agg=by("source.ip"), size=0),
        lambda r: top(r) == P["ssh_brute"][0],
    ),
    (
        "processes on a host",
        q(
            DAY,
            eq("event.dataset", "windows.sysmon_operational"),
            eq("event.code", "1"),
            eq("host.name", P["powershell_host"]),
            fields=["@timestamp", "process.executable", "process.command_line"],
        ),  # fmt: skip
        lambda r: (
            r.columns == ["@timestamp", "process.executable", "process.command_line"]
            and any("-enc" in c for c in col(r, "process.command_line"))
        ),
    ),
    (
        "run from Temp",
        q(DAY, eq("event.category", "process"), op("process.executable", "wildcard", value="*\\\\temp\\\\*")),
        lambda r: set(col(r, "process.executable")) == {P["temp_exe"]},
    ),
    (
        "encoded PowerShell",
        q(DAY, eq("process.name", "powershell.exe"), op("process.command_line", "wildcard", value="*-enc*")),
        lambda r: r.total >= 2 and set(col(r, "host.name")) == {P["powershell_host"]},
    ),
]


def test_there_are_25_questions():
    assert len(QUESTIONS) == 25


@pytest.mark.parametrize(("question", "spec", "check"), QUESTIONS, ids=[q[0] for q in QUESTIONS])
def test_hunting_question(es, live_catalog, question, spec, check):
    search = EsSearch.model_validate(spec)
    assert validate_search(search, live_catalog, CFG) == []
    result = run_search(search, es, CFG)
    assert check(result), (question, result.total, result.agg, result.rows[:3])
    assert count(search, es) == result.total


# --- catalog -------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", list(fixtures.STREAMS))
def test_field_caps_catalog_matches_the_packaged_one(es, stream):
    live = FieldCatalog.load(es, stream)
    packaged = FieldCatalog.packaged().subset([stream])
    assert set(live.names()) == set(packaged.names())
    for name in packaged.names():
        assert live.family(name) == packaged.family(name), name
    assert live.datasets()  # borrowed from the packaged catalog


def test_catalog_of_a_pattern_with_no_indices(es):
    cat = FieldCatalog.load(es, "logs-nothing-here*")
    assert len(cat) == 0


# --- runner details ------------------------------------------------------------------------


def test_default_columns_follow_the_dataset(es):
    s = EsSearch.model_validate(
        {"since": DAY, "where": [{"field": "event.dataset", "value": "zeek.dns"}], "size": 5}
    )
    r = run_search(s, es, CFG)
    assert r.columns[:3] == ["@timestamp", "event.dataset", "source.ip"]
    assert "dns.query.name" in r.columns and "http.uri" not in r.columns
    assert all("." in k or k in ("@timestamp", "message", "tags") for k in r.rows[0])  # flattened
    assert r.total_relation == "eq" and r.took_ms >= 0 and r.index == "logs-*"
    assert r.digest() == SearchResult.model_validate(r.model_dump()).digest()


def test_histogram_and_cardinality(es):
    h = run_search(
        EsSearch.model_validate(
            {
                "index": "logs-zeek-so*",
                "since": DAY,
                "agg": {"type": "date_histogram", "field": "@timestamp", "interval": "1h"},
                "size": 0,
            }
        ),
        es,
        CFG,
    )
    assert h.agg.type == "date_histogram" and h.agg.buckets and h.agg.buckets[0].key_as_string.endswith("Z")
    assert sum(b.count for b in h.agg.buckets) == h.total
    c = run_search(
        EsSearch.model_validate(
            {"since": DAY, "agg": {"type": "cardinality", "field": "source.ip"}, "size": 0}
        ),
        es,
        CFG,
    )
    assert c.agg.value and c.agg.value >= 5 and c.rows == []


def test_runner_refuses_what_config_does_not_allow(es):
    from operatorx.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="outside the allowed"):
        run_search(EsSearch(index="metrics-*"), es, CFG)
    with pytest.raises(ValidationFailed, match="over the limit"):
        run_search(EsSearch(size=600), es, CFG)


def test_validation_against_the_live_catalog(live_catalog):
    def found(**kw):
        return validate_search(EsSearch.model_validate(kw), live_catalog, CFG)

    assert "did you mean destination.ip" in found(where=[{"field": "dest.ip", "value": "10.0.0.1"}])[0]
    assert (
        "wildcard needs a keyword or text field"
        in found(where=[{"field": "source.ip", "op": "wildcard", "value": "10.*"}])[0]
    )
    assert "outside the allowed indices" in found(index="*")[0]
    assert "over the limit of 500" in found(size=10000)[0]


def test_elasticsearch_rejections_are_explained(es):
    # bypassing validation: Elasticsearch itself refuses a wildcard on an ip field
    spec = {"index": "logs-zeek-so", "where": [{"field": "source.ip", "op": "wildcard", "value": "10.*"}]}
    with pytest.raises(ExecutionFailed, match=r"rejected the request.*\(400\).*source\.ip"):
        run_search(EsSearch.model_validate(spec), es, CFG)
    # across streams, the shards without the field answer and the others fail: a partial result
    r = run_search(EsSearch.model_validate({**spec, "index": "logs-*"}), es, CFG)
    assert r.notes and "shards failed" in r.notes[0] and "source.ip" in r.notes[0]
    with pytest.raises(ExecutionFailed, match=r"no such index.*\(404\)"):
        run_search(EsSearch(index="logs-does-not-exist"), es, CFG)


def test_cluster_info(es, es_url):
    info = cluster_info(es)
    assert info.version.startswith("8.") and info.health in ("green", "yellow") and info.url == es_url


# --- when Elasticsearch is not there ----------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_es_down_is_tool_unavailable():
    url = f"http://127.0.0.1:{_closed_port()}"
    client = make_client(ElasticConfig(request_timeout_s=3), url=url)
    for call in (
        lambda: run_search(EsSearch(), client, CFG),
        lambda: cluster_info(client),
        lambda: count(EsSearch(), client),
    ):
        with pytest.raises(ToolUnavailable) as err:
            call()
        assert url in str(err.value) and "check that the cluster is running" in str(err.value)
    with pytest.raises(ToolUnavailable):
        FieldCatalog.load(client, "logs-*")


def test_no_url_is_a_config_error():
    with pytest.raises(ConfigError, match="No Elasticsearch URL"):
        make_client(ElasticConfig())


class _FakeServer(BaseHTTPRequestHandler):
    """A real HTTP server that pretends to be some other product or version."""

    product: str | None = "Elasticsearch"
    version = "7.17.0"

    def do_GET(self):  # noqa: N802
        body = {"cluster_name": "old", "status": "green"}
        if self.path.startswith("/_nodes"):
            body = {"nodes": {"n1": {"version": self.version}}}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        if self.product:
            self.send_header("X-Elastic-Product", self.product)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_server() -> Iterator[Callable[[str | None, str], str]]:
    servers = []

    def start(product: str | None, version: str) -> str:
        handler = type("H", (_FakeServer,), {"product": product, "version": version})
        srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return f"http://127.0.0.1:{srv.server_address[1]}"

    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()


def test_wrong_major_version_is_refused(fake_server):
    client = make_client(CFG, url=fake_server("Elasticsearch", "7.17.0"))
    with pytest.raises(
        ToolUnavailable, match=r"runs Elasticsearch 7\.17\.0; OperatorX supports Elasticsearch 8\.x"
    ):
        cluster_info(client)
    assert cluster_info(make_client(CFG, url=fake_server("Elasticsearch", "8.15.1"))).version == "8.15.1"


def test_not_elasticsearch_is_refused(fake_server):
    client = make_client(CFG, url=fake_server(None, "8.0.0"))
    with pytest.raises(ToolUnavailable, match="is not Elasticsearch"):
        cluster_info(client)


@pytest.mark.parametrize(
    ("status", "kind", "words"),
    [
        (401, ToolUnavailable, "refused the credentials (401): check [elasticsearch] api_key"),
        (403, ToolUnavailable, "not allowed to search logs-* on http://es.example:9200 (403"),
        (404, ExecutionFailed, "no such index [x] (404)"),
        (429, ExecutionFailed, "overloaded (429)"),
        (500, ExecutionFailed, "failed trying to search logs-* (500): no such index [x]"),
    ],
)
def test_api_errors_are_translated(status, kind, words):
    import elasticsearch

    cls = {
        401: elasticsearch.AuthenticationException,
        403: elasticsearch.AuthorizationException,
        404: elasticsearch.NotFoundError,
    }.get(status, elasticsearch.ApiError)
    meta = ApiResponseMeta(status, "1.1", HttpHeaders(), 0.01, NodeConfig("http", "es.example", 9200))
    body = {"error": {"root_cause": [{"type": "x", "reason": "no such index [x]"}]}, "status": status}
    client = make_client(CFG, url="http://es.example:9200")
    with pytest.raises(kind) as err, translate_errors(client, "search logs-*"):
        raise cls("boom", meta, body)
    assert words in str(err.value)


# --- read-only by construction ------------------------------------------------------------------

READ_CALLS = {
    "search",
    "count",
    "field_caps",
    "cluster",
    "health",
    "nodes",
    "info",
    "options",
    "transport",
    "node_pool",
    "all",
}


def _client_calls(tree: ast.AST) -> list[list[str]]:
    """Every call chain rooted at a name ``client`` (``client.options(...).search`` → [options, search])."""
    chains = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        parts, cur = [], node.func
        while True:
            if isinstance(cur, ast.Attribute):
                parts.append(cur.attr)
                cur = cur.value
            elif isinstance(cur, ast.Call):
                cur = cur.func
            else:
                break
        if isinstance(cur, ast.Name) and cur.id == "client":
            chains.append(parts[::-1])
    return chains


@pytest.mark.parametrize("module", ["client", "runner", "catalog", "validate", "body"])
def test_runtime_modules_only_read(module):
    src = (Path(__file__).parents[1] / "operatorx" / "tools" / "elastic" / f"{module}.py").read_text()
    for chain in _client_calls(ast.parse(src)):
        assert set(chain) <= READ_CALLS, f"{module}.py calls client.{'.'.join(chain)}"
    assert not re.search(r"\bimport\b.*\bhelpers\b|\b(streaming_|parallel_)?bulk\(", src)
    assert "fixtures" not in src.replace("fixtures.py", "")


def test_the_read_only_check_catches_writes():
    tree = ast.parse("client.indices.delete(index='x')\nclient.options(x=1).index(index='a', document={})")
    bad = [".".join(c) for c in _client_calls(tree) if not set(c) <= READ_CALLS]
    assert bad == ["indices.delete", "options.index"]
