"""Field catalog and search validation against the packaged Security Onion catalog (no cluster)."""

from __future__ import annotations

import pytest

from operatorx.config import ElasticConfig
from operatorx.errors import ValidationFailed
from operatorx.schemas.elastic import EsSearch
from operatorx.tools.elastic.catalog import FieldCatalog
from operatorx.tools.elastic.validate import ensure_valid, index_allowed, validate_search

CAT = FieldCatalog.packaged()
CFG = ElasticConfig()


def problems(**kw) -> list[str]:
    return validate_search(EsSearch.model_validate(kw), CAT, CFG)


# --- the packaged catalog -----------------------------------------------------------------


def test_packaged_catalog_knows_security_onion():
    assert CAT.family("source.ip") == "ip"
    assert CAT.family("destination.port") == "number"
    assert CAT.family("event.duration") == "number"
    assert CAT.family("@timestamp") == "date"
    assert CAT.family("ssl.established") == "boolean"
    assert CAT.family("dns.query.name") == "keyword"
    assert CAT.family("nope") is None
    # production types are kept, families fold them
    assert CAT.get("process.command_line").type == "wildcard"
    assert CAT.family("process.command_line") == "keyword"
    assert CAT.get("message").type == "match_only_text"
    assert CAT.family("message") == "text"
    assert not CAT.get("message").aggregatable
    # SO's .keyword multi-fields
    assert CAT.family("source.ip.keyword") == "keyword"
    assert "source.ip.keyword" in CAT.names() and "source.ip.keyword" not in CAT.names(subfields=False)
    # Suricata's SID is a string, there is no rule.uid
    assert CAT.family("rule.uuid") == "keyword" and "rule.uid" not in CAT


def test_packaged_datasets_and_streams():
    by_name = {d.dataset: d for d in CAT.datasets()}
    assert by_name["zeek.conn"].stream == "logs-zeek-so" and by_name["zeek.conn"].tags == ("conn",)
    assert by_name["suricata.alert"].stream == "logs-suricata.alerts-so"
    assert by_name["windows.sysmon_operational"].stream == "logs-windows.sysmon_operational-default"
    assert by_name["zeek.file"].module == "zeek"  # singular since SO PR #9662
    assert {d.dataset for d in CAT.datasets("dns.query.name")} == {"zeek.dns", "suricata.dns"}
    assert "connection.state" in CAT.for_dataset("zeek.conn")
    sub = CAT.subset(["logs-zeek-so"])
    assert "process.command_line" not in sub and "dns.query.name" in sub


def test_packaged_is_a_copy():
    c = FieldCatalog.packaged()
    c.fields.clear()
    assert len(FieldCatalog.packaged()) > 100


def test_from_field_caps_skips_metadata_objects_and_notes_conflicts():
    resp = {
        "indices": ["a", "b"],
        "fields": {
            "_id": {
                "_id": {"type": "_id", "metadata_field": True, "searchable": True, "aggregatable": False}
            },
            "_tier": {"keyword": {"type": "keyword", "metadata_field": True}},
            "source": {"object": {"type": "object", "metadata_field": False}},
            "source.ip": {
                "ip": {"type": "ip", "metadata_field": False, "searchable": True, "aggregatable": True}
            },
            "message": {"text": {"type": "text", "searchable": True, "aggregatable": False}},
            "n": {"long": {"type": "long"}, "integer": {"type": "integer"}},
            "x": {"ip": {"type": "ip", "indices": ["a"]}, "keyword": {"type": "keyword", "indices": ["b"]}},
        },
    }
    cat = FieldCatalog.from_field_caps(resp, source="a,b")
    assert cat.names() == ["message", "n", "source.ip", "x"]
    assert cat.family("source.ip") == "ip"
    assert not cat.get("message").aggregatable
    assert cat.get("n").conflicting and cat.family("n") == "number"  # same family: usable
    assert cat.get("x").conflicting and cat.family("x") is None and cat.get("x").type == "conflict"


# --- index scope ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "ok"),
    [
        ("logs-*", True),
        ("logs-zeek-so*", True),
        ("logs-zeek-so", True),
        ("logs-zeek-so,logs-suricata.alerts-so", True),
        ("*:logs-*", True),
        ("so-case*", True),
        ("*", False),
        ("*:*", False),
        ("logs*", False),  # wider than logs-*
        ("*-so", False),
        ("metrics-*", False),
        ("logs-*,metrics-*", False),
    ],
)
def test_index_containment(index, ok):
    assert index_allowed(index, CFG.allowed_indices) is ok


def test_star_is_refused_even_when_allowed():
    assert not index_allowed("*", ["*"])
    assert index_allowed("logs-x", ["*"])


# --- problems ---------------------------------------------------------------------------------


def test_a_good_search_has_no_problems():
    assert (
        problems(
            index="logs-zeek-so*",
            since="now-24h",
            where=[
                {"field": "event.dataset", "value": "zeek.conn"},
                {"field": "source.ip", "value": "10.20.0.0/16"},
                {"field": "destination.port", "op": "range", "gte": 1, "lte": 1024},
                {"field": "message", "op": "match", "value": "x"},
                {"field": "process.command_line", "op": "wildcard", "value": "*-enc*"},
            ],
            agg={"type": "date_histogram", "field": "@timestamp", "interval": "1h"},
            sort=[{"field": "client.bytes"}],
        )
        == []
    )


def test_unknown_field_suggests_the_closest():
    (p,) = problems(where=[{"field": "dest.ip", "value": "10.0.0.1"}])
    assert p.startswith("no field 'dest.ip' in logs-*; did you mean destination.ip")
    (p,) = problems(where=[{"field": "rule.uid", "value": "2022048"}])
    assert "rule.uuid" in p
    (p,) = problems(fields=["zzzzzz"])
    assert p == "no field 'zzzzzz' in logs-*"


@pytest.mark.parametrize(
    ("cond", "words"),
    [
        ({"field": "event.dataset", "op": "range", "gte": 1}, "range needs a number or date or ip field"),
        ({"field": "source.ip", "op": "wildcard", "value": "10.*"}, "wildcard needs a keyword or text field"),
        ({"field": "destination.port", "op": "prefix", "value": "44"}, "prefix needs"),
        ({"field": "destination.port", "op": "match", "value": "443"}, "match needs"),
        ({"field": "source.ip", "value": "not-an-ip"}, "not an IP address or CIDR"),
        ({"field": "source.ip", "op": "in", "value": ["10.0.0.1", "x"]}, "'x' is not an IP"),
        ({"field": "destination.port", "value": "https"}, "is not a number"),
        ({"field": "destination.port", "op": "range", "gte": "low"}, "is not a number"),
        ({"field": "@timestamp", "op": "range", "gte": "yesterday"}, "is not a date"),
        ({"field": "ssl.established", "value": "yes"}, "true/false"),
        ({"field": "message", "value": "x"}, "use match or phrase"),
    ],
)
def test_type_mismatches(cond, words):
    found = problems(where=[cond])
    assert len(found) == 1 and words in found[0], found


@pytest.mark.parametrize(
    "cond",
    [
        {"field": "source.ip", "value": "10.20.4.17"},
        {"field": "source.ip", "value": "2001:db8::/32"},
        {"field": "destination.port", "value": "443"},  # Elasticsearch coerces numeric strings
        {"field": "destination.port", "op": "in", "value": [80, 8080]},
        {"field": "@timestamp", "op": "range", "gte": "2024-10-09", "lt": "now/d"},
        {"field": "source.ip", "op": "range", "gte": "10.20.0.0", "lte": "10.20.255.255"},
        {"field": "ssl.established", "value": True},
        {"field": "rule.uuid", "value": 2022048},
        {"field": "message", "op": "phrase", "value": "failed password"},
        {"field": "process.executable", "op": "prefix", "value": "C:\\Users"},
        {"field": "network.protocol", "op": "exists"},
    ],
)
def test_values_that_fit(cond):
    assert problems(where=[cond]) == []


def test_aggregation_and_sort_types():
    assert "needs a date field" in problems(agg={"type": "date_histogram", "field": "source.ip"}, size=0)[0]
    assert "not aggregatable" in problems(agg={"field": "message"}, size=0)[0]
    assert "not aggregatable" in problems(agg={"type": "cardinality", "field": "message"}, size=0)[0]
    assert "cannot sort on message" in problems(sort=[{"field": "message"}])[0]
    assert problems(agg={"type": "cardinality", "field": "source.ip"}, size=0) == []


def test_caps_and_scope():
    found = problems(index="*", size=5000, agg={"field": "source.ip", "size": 1000})
    assert any("outside the allowed indices" in p for p in found)
    assert any("size 5000 is over the limit of 500" in p for p in found)
    assert any("aggregation size 1000 is over the limit of 100" in p for p in found)
    found = problems(
        since="now-365d", agg={"type": "date_histogram", "field": "@timestamp", "interval": "1m"}
    )
    assert any("use a larger interval" in p for p in found)


def test_empty_catalog_and_conflicts():
    s = EsSearch(index="logs-nothing*")
    assert validate_search(s, FieldCatalog({}), CFG) == [
        "logs-nothing* matches no indices with mapped fields"
    ]
    cat = FieldCatalog.from_field_caps(
        {"fields": {"x": {"ip": {"type": "ip"}, "keyword": {"type": "keyword"}}}}
    )
    (p,) = validate_search(EsSearch.model_validate({"where": [{"field": "x", "value": "a"}]}), cat, CFG)
    assert "different types" in p


def test_ensure_valid_raises_one_sentence():
    with pytest.raises(ValidationFailed, match=r"^The search does not fit the index: no field 'dest\.ip'"):
        ensure_valid(EsSearch.model_validate({"where": [{"field": "dest.ip", "value": "x"}]}), CAT, CFG)
