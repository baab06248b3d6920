"""The seeded Security-Onion-like demo data and its index templates."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from operatorx.tools.elastic import fixtures
from operatorx.tools.elastic.catalog import TYPE_FAMILY, FieldCatalog
from operatorx.tools.elastic.runner import flatten

NOW = datetime(2024, 10, 10, 9, 30, tzinfo=UTC)
DOCS = fixtures.generate(seed=7, now=NOW)
P = fixtures.PLANTED


def flat_docs(dataset: str | None = None) -> list[dict]:
    out = [flatten(d) for _, d in DOCS]
    return [d for d in out if dataset is None or d["event.dataset"] == dataset]


def ts(d: dict) -> datetime:
    return datetime.fromisoformat(d["@timestamp"].replace("Z", "+00:00"))


def test_generation_is_deterministic():
    assert fixtures.generate(seed=7, now=NOW) == DOCS
    assert fixtures.generate(seed=8, now=NOW) != DOCS


def test_size_and_coverage():
    assert 1000 <= len(DOCS) <= 5000
    datasets = Counter(d["event.dataset"] for d in flat_docs())
    expected = {
        "zeek.conn",
        "zeek.dns",
        "zeek.http",
        "zeek.ssl",
        "zeek.notice",
        "zeek.ssh",
        "zeek.file",
        "suricata.alert",
        "suricata.conn",
        "suricata.dns",
        "suricata.http",
        "suricata.ssl",
        "strelka.file",
        "strelka.alert",
        "windows.sysmon_operational",
        "system.security",
    }
    assert expected <= set(datasets)
    streams = {s for s, _ in DOCS}
    assert streams == set(fixtures.STREAMS)


def test_labels_follow_security_onion():
    cat = FieldCatalog.packaged()
    for stream, doc in DOCS:
        d = flatten(doc)
        info = cat.dataset(d["event.dataset"])
        assert info is not None and info.stream == stream and d["event.module"] == info.module
        if info.tags:
            assert d["tags"] == list(info.tags)
    zeek = flat_docs("zeek.conn")[0]
    suri = flat_docs("suricata.conn")[0]
    assert zeek["network.transport"].islower() and suri["network.transport"].isupper()


def test_every_field_is_in_the_catalog_for_its_stream():
    cat = FieldCatalog.packaged()
    for stream, doc in DOCS:
        for field in flatten(doc):
            info = cat.get(field)
            assert info is not None and stream in info.streams, (stream, field)


def test_values_use_private_and_documentation_ranges():
    import ipaddress

    for d in flat_docs():
        for key in ("source.ip", "destination.ip"):
            if key in d:
                ip = ipaddress.ip_address(d[key])
                assert ip.is_private, d[key]  # 10/8, 192.168/16, 203.0.113/24 and 198.51.100/24 all count


def test_time_spread_and_planted_today():
    times = [ts(d) for d in flat_docs()]
    assert min(times) >= NOW - timedelta(days=7) and max(times) <= NOW
    assert min(times) < NOW - timedelta(days=5)  # spread, not bunched
    midnight = NOW.replace(hour=0, minute=0)
    today = [d for d in flat_docs() if ts(d) >= midnight]
    assert any(d.get("http.virtual_host") == P["bad_domain"] for d in today)
    assert all(ts(d) >= midnight for d in flat_docs() if d.get("http.virtual_host") == P["bad_domain"])


def test_planted_findings():
    s0 = Counter(d["source.ip"] for d in flat_docs("zeek.conn") if d.get("connection.state") == "S0")
    assert s0.most_common(1) == [(P["scanner"], P["scan_ports"])]
    nx = Counter(d["source.ip"] for d in flat_docs() if d.get("dns.response.code_name") == "NXDOMAIN")
    assert nx.most_common(1)[0] == (P["dga_host"], P["dga_lookups"])
    curl = {d["source.ip"] for d in flat_docs() if "curl" in d.get("http.useragent", "")}
    assert curl == {P["curl_host"]}
    ps = [d for d in flat_docs("windows.sysmon_operational") if "-enc" in d.get("process.command_line", "")]
    assert ps and {d["host.name"] for d in ps} == {P["powershell_host"]}
    sev = Counter(d["event.severity_label"] for d in flat_docs("suricata.alert"))
    assert sev["high"] + sev["critical"] >= 30
    sni = [d for d in flat_docs("zeek.ssl") if d["ssl.server_name"] == P["suspicious_sni"]]
    assert sni and sni[0]["ssl.validation_status"] == "self signed certificate"
    failed = [d for d in flat_docs("system.security") if d["event.code"] == "4625"]
    assert {d["source.ip"] for d in failed} == {P["failed_logon_source"]}


def test_today_never_reaches_back_before_midnight():
    just_after = datetime(2024, 10, 10, 0, 2, tzinfo=UTC)
    docs = [flatten(d) for _, d in fixtures.generate(now=just_after)]
    bad = [ts(d) for d in docs if d.get("http.virtual_host") == P["bad_domain"]]
    assert bad and min(bad) >= just_after.replace(minute=0)


def test_templates_are_typed_by_the_catalog():
    templates = fixtures.index_templates()
    assert len(templates) == len(fixtures.STREAMS)
    zeek = templates["operatorx-so-zeek"]
    assert zeek["index_patterns"] == ["logs-zeek-so*"] and zeek["data_stream"] == {}
    props = zeek["template"]["mappings"]["properties"]
    assert props["source"]["properties"]["ip"] == {
        "type": "ip",
        "fields": {"keyword": {"type": "keyword", "ignore_above": 1024}},
    }
    assert props["destination"]["properties"]["port"]["type"] == "long"
    assert props["@timestamp"]["type"] == "date"
    # the fixture distribution has neither wildcard nor match_only_text
    assert props["message"]["type"] == "text"
    sysmon = templates["operatorx-windows-sysmon"]["template"]["mappings"]["properties"]
    assert sysmon["process"]["properties"]["command_line"]["type"] == "keyword"
    for body in templates.values():
        mapped = _leaf_types(body["template"]["mappings"]["properties"])
        assert all(t in TYPE_FAMILY for t in mapped.values())
        assert "wildcard" not in mapped.values() and "match_only_text" not in mapped.values()


def _leaf_types(props: dict, prefix: str = "") -> dict[str, str]:
    out = {}
    for k, v in props.items():
        if "properties" in v:
            out.update(_leaf_types(v["properties"], f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v["type"]
    return out


def test_data_from_before_midnight_is_stale_however_young():
    """A batch loaded at 23:50 has no "today" at 00:05: it must be loaded again."""
    six_hours = timedelta(hours=6)
    now = datetime(2026, 12, 8, 0, 5, tzinfo=UTC)
    at = lambda h, m, day=8: datetime(2026, 12, day, h, m, tzinfo=UTC)  # noqa: E731
    assert fixtures.is_stale([at(23, 50, 7), at(23, 40, 7)], now, six_hours)
    assert not fixtures.is_stale([at(0, 1), at(23, 40, 7)], now, six_hours)  # one stream today: fresh
    noon = at(12, 0)
    assert not fixtures.is_stale([at(6, 30), at(11, 0)], noon, six_hours)
    assert fixtures.is_stale([at(5, 30), at(11, 0)], noon, six_hours)  # one stream too old
    assert fixtures.is_stale([None, at(11, 0)], noon, six_hours)  # one stream empty


@pytest.mark.elastic
def test_ensure_demo_data_is_idempotent(es_url):
    from operatorx.config import ElasticConfig
    from operatorx.tools.elastic.client import make_client

    client = make_client(ElasticConfig(), url=es_url)
    fixtures.ensure_demo_data(client)
    before = client.count(index="logs-*")["count"]
    assert fixtures.ensure_demo_data(client) == {}
    assert client.count(index="logs-*")["count"] == before >= 1000


class _ForeignCluster:
    """Stands in for someone else's cluster: answers health with its name and records any other call."""

    def __init__(self):
        self.calls: list[str] = []
        self.cluster = self
        self.indices = self

    def health(self, **_):
        return {"cluster_name": "so-prod"}

    def __getattr__(self, name):
        self.calls.append(name)
        raise AssertionError(f"replace called {name} on a cluster it must not touch")


def test_replace_refuses_a_cluster_operatorx_did_not_start():
    from operatorx.errors import OperatorXError

    foreign = _ForeignCluster()
    with pytest.raises(OperatorXError, match="so-prod"):
        fixtures.replace(foreign)
    assert foreign.calls == []


@pytest.mark.elastic
def test_judge_data_is_one_batch_pinned_to_its_instant_and_the_demo_gets_fresh_data_back(es_url):
    """``--load-fixtures`` leaves exactly the judge's batch; the judge runs "last hour" as of its
    instant (the clock's "now" finds nothing there); stale data is replaced, never doubled."""
    from operatorx.config import Config, ElasticConfig
    from operatorx.schemas.elastic import EsSearch
    from operatorx.tools.elastic.client import make_client
    from operatorx.training import evaluate as ev

    client = make_client(ElasticConfig(), url=es_url)
    streams = ",".join(fixtures.STREAMS)
    size = len(fixtures.generate(seed=7, now=fixtures.JUDGE_NOW))
    fixtures.ensure_demo_data(client)
    try:
        assert fixtures.ensure_judge_data(client) == fixtures.JUDGE_NOW
        assert fixtures.batch_instant(client) == fixtures.JUDGE_NOW
        assert client.count(index=streams)["count"] == size
        backing = client.indices.resolve_index(name=streams)["data_streams"]
        fixtures.ensure_judge_data(client)  # already there: loads nothing
        assert client.indices.resolve_index(name=streams)["data_streams"] == backing
        assert client.count(index=streams)["count"] == size

        last_hour = EsSearch.model_validate({"since": "now-1h", "size": 0})
        pinned = ev.SearchJudge(client, es_url, fixtures.JUDGE_NOW).signature(last_hour)
        clock = ev.SearchJudge(client, es_url).signature(last_hour)
        assert pinned[0] > 0 and clock[0] == 0
        judge, mode = ev.connect_judge(Config(), es_url, load_fixtures=False)
        assert judge is not None and judge.now == fixtures.JUDGE_NOW and "2026-06-17T14:00:00" in mode
    finally:
        assert fixtures.ensure_demo_data(client)  # the judge's batch is stale: replaced
    assert client.count(index=streams)["count"] == size
    fresh = fixtures.batch_instant(client)
    assert fresh is not None and datetime.now(UTC) - fresh < timedelta(minutes=5)


def test_pinned_now_anchors_date_math_only():
    from operatorx.training.evaluate import pin_now

    body = {"query": {"bool": {"filter": [
        {"range": {"@timestamp": {"gte": "now-1h/h", "lte": "now"}}},
        {"range": {"@timestamp": {"gt": "now/d", "lt": "2026-01-02T00:00:00Z"}}},
        {"term": {"notice.note": "now"}},
        {"range": {"destination.port": {"gte": 1024}}},
    ]}}, "aggs": {"t": {"date_histogram": {"extended_bounds": {"min": "now-7d", "max": "now"}}}}}
    out = pin_now(body, datetime(2026, 6, 17, 14, 0, tzinfo=UTC))
    f = out["query"]["bool"]["filter"]
    assert f[0]["range"]["@timestamp"] == {"gte": "2026-06-17T14:00:00.000Z||-1h/h", "lte": "2026-06-17T14:00:00.000Z"}
    assert f[1]["range"]["@timestamp"] == {"gt": "2026-06-17T14:00:00.000Z||/d", "lt": "2026-01-02T00:00:00Z"}
    assert f[2] == {"term": {"notice.note": "now"}} and f[3] == {"range": {"destination.port": {"gte": 1024}}}
    assert out["aggs"]["t"]["date_histogram"]["extended_bounds"] == {
        "min": "2026-06-17T14:00:00.000Z||-7d", "max": "2026-06-17T14:00:00.000Z"}
    assert body["query"]["bool"]["filter"][0]["range"]["@timestamp"]["lte"] == "now"  # not changed in place
