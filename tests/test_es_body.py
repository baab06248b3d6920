"""EsSearch ⇄ Query DSL body: the fixed shape, the round trip, the refusals, the sentence."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from operatorx.errors import ValidationFailed
from operatorx.schemas.elastic import EsSearch
from operatorx.tools.elastic.body import build_body, canonical, describe, parse_body


def S(**kw) -> EsSearch:
    return EsSearch.model_validate(kw)


# --- the body shape -----------------------------------------------------------------------


def test_full_body_shape():
    s = S(
        index="logs-zeek-so*",
        since="now-24h",
        where=[
            {"field": "event.dataset", "value": "zeek.dns"},
            {"field": "dns.query.name", "op": "wildcard", "value": "*.example-cdn.net"},
            {"field": "message", "op": "phrase", "value": "bad thing"},
        ],
        any_of=[{"field": "destination.port", "op": "in", "value": [53, 5353]}],
        exclude=[{"field": "source.ip", "value": "10.20.6.66"}],
        agg={"field": "source.ip", "size": 10},
        size=0,
    )
    assert build_body(s) == {
        "query": {
            "bool": {
                "filter": [
                    {"range": {"@timestamp": {"gte": "now-24h"}}},
                    {"term": {"event.dataset": "zeek.dns"}},
                    {
                        "wildcard": {
                            "dns.query.name": {"value": "*.example-cdn.net", "case_insensitive": True}
                        }
                    },
                ],
                "must": [{"match_phrase": {"message": "bad thing"}}],
                "should": [{"terms": {"destination.port": [53, 5353]}}],
                "minimum_should_match": 1,
                "must_not": [{"term": {"source.ip": "10.20.6.66"}}],
            }
        },
        "size": 0,
        "aggs": {"top_values": {"terms": {"field": "source.ip", "size": 10, "order": {"_count": "desc"}}}},
        "track_total_hits": True,
        "timeout": "30s",
    }


def test_empty_search_is_match_all_newest_first():
    assert build_body(S()) == {
        "query": {"match_all": {}},
        "size": 20,
        "sort": [{"@timestamp": {"order": "desc"}}],
        "track_total_hits": True,
        "timeout": "30s",
    }


@pytest.mark.parametrize(
    ("cond", "leaf"),
    [
        ({"field": "a", "value": 1}, {"term": {"a": 1}}),
        ({"field": "a", "op": "in", "value": ["x", "y"]}, {"terms": {"a": ["x", "y"]}}),
        ({"field": "a", "op": "range", "gte": 500, "lt": 600}, {"range": {"a": {"gte": 500, "lt": 600}}}),
        ({"field": "a", "op": "match", "value": "x y"}, {"match": {"a": "x y"}}),
        ({"field": "a", "op": "phrase", "value": "x y"}, {"match_phrase": {"a": "x y"}}),
        (
            {"field": "a", "op": "wildcard", "value": "*x*"},
            {"wildcard": {"a": {"value": "*x*", "case_insensitive": True}}},
        ),
        ({"field": "a", "op": "prefix", "value": "x"}, {"prefix": {"a": "x"}}),
        ({"field": "a", "op": "exists"}, {"exists": {"field": "a"}}),
    ],
)
def test_each_op_becomes_its_clause(cond, leaf):
    body = build_body(S(exclude=[cond], size=0))
    assert body["query"]["bool"]["must_not"] == [leaf]


@pytest.mark.parametrize(
    ("agg", "expected"),
    [
        (
            {"type": "cardinality", "field": "source.ip"},
            {"distinct": {"cardinality": {"field": "source.ip"}}},
        ),
        (
            {"type": "date_histogram", "field": "@timestamp", "interval": "30m"},
            {
                "over_time": {
                    "date_histogram": {"field": "@timestamp", "fixed_interval": "30m", "min_doc_count": 0}
                }
            },
        ),
        (
            {"type": "date_histogram", "field": "@timestamp", "interval": "day"},
            {
                "over_time": {
                    "date_histogram": {"field": "@timestamp", "calendar_interval": "day", "min_doc_count": 0}
                }
            },
        ),
        (
            {"field": "dns.highest_registered_domain", "size": 50, "order": "asc"},
            {
                "top_values": {
                    "terms": {
                        "field": "dns.highest_registered_domain",
                        "size": 50,
                        "order": {"_count": "asc"},
                    }
                }
            },
        ),
    ],
)
def test_aggregations(agg, expected):
    assert build_body(S(agg=agg, size=0))["aggs"] == expected


def test_sort_and_source():
    body = build_body(S(sort=[{"field": "client.bytes"}], fields=["source.ip", "client.bytes"]))
    assert body["sort"] == [{"client.bytes": {"order": "desc"}}]
    assert body["_source"] == ["source.ip", "client.bytes"]
    assert "sort" not in build_body(S(size=0))


# --- round trip ---------------------------------------------------------------------------

ROUND_TRIPS = [
    S(),
    S(index="logs-zeek-so*", since="now-7d", until="now-1d", size=5),
    S(since="now/d", where=[{"field": "http.virtual_host", "value": "bad.domain.com"}]),
    S(
        where=[
            {"field": "source.ip", "value": "10.20.0.0/16"},
            {"field": "message", "op": "match", "value": "x"},
        ]
    ),
    S(any_of=[{"field": "a", "value": True}, {"field": "b", "op": "exists"}], size=0),
    S(
        exclude=[{"field": "destination.ip", "value": "10.0.0.0/8"}],
        sort=[{"field": "client.bytes"}],
        size=20,
    ),
    S(agg={"type": "date_histogram", "field": "@timestamp", "interval": "week"}, size=0),
    S(agg={"type": "cardinality", "field": "source.ip"}, size=0, since="2024-10-09T14:03:21Z"),
    S(fields=["@timestamp", "source.ip"], sort=[{"field": "@timestamp", "order": "asc"}]),
    S(where=[{"field": "http.status_code", "op": "range", "gte": 500, "lte": 599}], size=0),
    S(since="now-24h", where=[{"field": "@timestamp", "op": "range", "gte": "now-30d"}]),
    S(where=[{"field": "event.severity", "op": "range", "gt": 2.5}], size=10000),
]


@pytest.mark.parametrize("search", ROUND_TRIPS, ids=range(len(ROUND_TRIPS)))
def test_round_trip_table(search):
    assert parse_body(search.index, build_body(search)) == search


def test_canonical_forms():
    # match/phrase travel in must, so they come back after the filter conditions
    s = S(where=[{"field": "m", "op": "match", "value": "x"}, {"field": "a", "value": 1}])
    assert [c.field for c in canonical(s).where] == ["a", "m"]
    # the default sort spelled out is the default sort
    assert canonical(S(sort=[{"field": "@timestamp"}])).sort == []
    # a lone @timestamp window in where becomes since/until
    c = canonical(S(where=[{"field": "@timestamp", "op": "range", "gte": "now-1h"}]))
    assert (c.since, c.where) == ("now-1h", [])


_names = st.sampled_from(
    ["source.ip", "event.dataset", "dns.query.name", "destination.port", "message", "tags"]
)
_scalars = st.one_of(
    st.text("abcxyz.-*_ 019", min_size=1, max_size=12),
    st.integers(-(2**40), 2**40),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
)
_texts = st.text("abcxyz.-*_ 019", min_size=1, max_size=12)


@st.composite
def _conditions(draw, filter_only: bool = False):
    ops = ["eq", "in", "range", "wildcard", "prefix", "exists"] + ([] if filter_only else ["match", "phrase"])
    op, field = draw(st.sampled_from(ops)), draw(_names)
    if op == "eq":
        return {"field": field, "value": draw(_scalars)}
    if op == "in":
        return {"field": field, "op": "in", "value": draw(st.lists(_scalars, min_size=1, max_size=4))}
    if op == "range":
        keys = draw(st.sets(st.sampled_from(["gte", "gt", "lte", "lt"]), min_size=1))
        return {"field": field, "op": "range", **{k: draw(st.integers(0, 10**6)) for k in keys}}
    if op == "exists":
        return {"field": field, "op": "exists"}
    return {"field": field, "op": op, "value": draw(_texts)}


_dates = st.sampled_from([None, "now-24h", "now-7d", "now/d", "2024-10-09", "2024-10-09T14:03:21Z"])


@st.composite
def searches(draw):
    size = draw(st.integers(0, 10000))
    kw = {
        "index": draw(
            st.sampled_from(["logs-*", "logs-zeek-so*", "*:logs-*", "logs-zeek-so,logs-suricata-so"])
        ),
        "since": draw(_dates),
        "until": draw(_dates),
        # filter-type conditions first, then match/phrase: the order the body keeps
        "where": draw(st.lists(_conditions(filter_only=True), max_size=3))
        + draw(
            st.lists(
                st.builds(
                    lambda f, v, o: {"field": f, "op": o, "value": v},
                    _names,
                    _texts,
                    st.sampled_from(["match", "phrase"]),
                ),
                max_size=2,
            )
        ),
        "any_of": draw(st.lists(_conditions(), max_size=3)),
        "exclude": draw(st.lists(_conditions(), max_size=3)),
        "size": size,
        "fields": draw(st.lists(_names, max_size=3)),
    }
    if draw(st.booleans()):
        kw["sort"] = draw(
            st.lists(st.builds(dict, field=_names, order=st.sampled_from(["asc", "desc"])), max_size=2)
        )
    agg = draw(st.sampled_from([None, "terms", "date_histogram", "cardinality"]))
    if agg == "terms":
        kw["agg"] = {
            "field": draw(_names),
            "size": draw(st.integers(1, 10000)),
            "order": draw(st.sampled_from(["asc", "desc"])),
        }
    elif agg == "date_histogram":
        kw["agg"] = {
            "type": agg,
            "field": "@timestamp",
            "interval": draw(st.sampled_from(["30m", "1h", "1d", "day", "month"])),
        }
    elif agg == "cardinality":
        kw["agg"] = {"type": agg, "field": draw(_names)}
    return EsSearch.model_validate(kw)


@settings(max_examples=300, deadline=None)
@given(searches())
def test_round_trip_property(search):
    assert parse_body(search.index, build_body(search)) == search


@settings(max_examples=100, deadline=None)
@given(searches())
def test_canonical_is_a_fixed_point(search):
    once = canonical(search)
    assert canonical(once) == once
    assert build_body(once) == build_body(canonical(once))


# --- equivalent spellings -------------------------------------------------------------------


def test_equivalent_spellings():
    s = parse_body(
        "logs-*",
        {
            "query": {
                "bool": {
                    "filter": {"term": {"rule.uuid": {"value": "2022048"}}},
                    "must": [{"match": {"message": {"query": "emotet"}}}],
                }
            },
            "sort": ["client.bytes", {"server.bytes": "desc"}],
            "aggregations": {"x": {"terms": {"field": "source.ip", "order": [{"_count": "asc"}]}}},
        },
    )
    assert s.where[0].model_dump(exclude_defaults=True) == {"field": "rule.uuid", "value": "2022048"}
    assert s.where[1].op == "match" and s.where[1].value == "emotet"
    assert [(k.field, k.order) for k in s.sort] == [("client.bytes", "asc"), ("server.bytes", "desc")]
    assert s.size == 10  # Elasticsearch's default when size is absent
    assert s.agg is not None and s.agg.order == "asc"


def test_single_leaf_query_and_short_wildcard():
    s = parse_body("logs-*", {"query": {"wildcard": {"http.useragent": "*curl*"}}, "size": 0})
    assert s.where[0].op == "wildcard" and s.where[0].value == "*curl*"
    s = parse_body("logs-*", {"query": {"bool": {"should": [{"term": {"a": 1}}]}}})
    assert s.any_of[0].field == "a"


# --- refusals -----------------------------------------------------------------------------

HOSTILE = [
    ({"query": {"script": {"script": "1==1"}}}, "script"),
    ({"query": {"bool": {"filter": [{"script": {"script": {"source": "true"}}}]}}}, "script"),
    ({"query": {"script_score": {"query": {"match_all": {}}, "script": {"source": "1"}}}}, "script_score"),
    ({"query": {"function_score": {"query": {"match_all": {}}}}}, "function_score"),
    ({"runtime_mappings": {"x": {"type": "keyword", "script": "emit('a')"}}}, "runtime_mappings"),
    ({"script_fields": {"x": {"script": "params._source"}}}, "script_fields"),
    ({"aggs": {"m": {"scripted_metric": {"map_script": "state.x=1"}}}}, "scripted_metric"),
    ({"aggs": {"t": {"terms": {"script": "doc['a'].value"}}}}, "script"),
    ({"sort": {"_script": {"type": "number", "script": "1"}}}, "script"),
    ({"query": {"query_string": {"query": "*"}}}, "query_string"),
    ({"query": {"simple_query_string": {"query": "x"}}}, "simple_query_string"),
    ({"query": {"more_like_this": {"like": [{"_index": "so-case", "_id": "1"}]}}}, "more_like_this"),
    ({"query": {"terms": {"user.name": {"index": "users", "id": "1", "path": "names"}}}}, "lookups"),
    ({"size": 10001}, "size"),
    ({"size": 10**9}, "size"),
    ({"size": -1}, "size"),
    ({"size": "10"}, "size"),
    ({"_source": {"includes": ["*"], "excludes": []}}, "_source"),
    ({"_source": False}, "_source"),
    ({"stored_fields": ["*"]}, "stored_fields"),
    ({"docvalue_fields": ["source.ip"]}, "docvalue_fields"),
    ({"from": 10}, "from"),
    ({"search_after": [1]}, "search_after"),
    ({"highlight": {"fields": {"*": {}}}}, "highlight"),
    ({"suggest": {"s": {"text": "x", "term": {"field": "a"}}}}, "suggest"),
    ({"pit": {"id": "abc"}}, "pit"),
    ({"query": {"bool": {"filter": [{"bool": {"must": [{"term": {"a": 1}}]}}]}}}, "nested bool"),
    (
        {"query": {"bool": {"filter": [{"term": {"a": 1}}], "should": [{"term": {"b": 1}}]}}},
        "minimum_should_match",
    ),
    (
        {"query": {"bool": {"should": [{"term": {"b": 1}}], "minimum_should_match": 2}}},
        "minimum_should_match",
    ),
    ({"query": {"bool": {"boost": 2}}}, "boost"),
    ({"query": {"ids": {"values": ["1"]}}}, "ids"),
    ({"query": {"term": {"a": {"value": 1, "boost": 3}}}}, "term"),
    ({"query": {"range": {"@timestamp": {"gte": "now-1d", "format": "x"}}}}, "range"),
    ({"aggs": {"a": {"terms": {"field": "x"}}, "b": {"terms": {"field": "y"}}}}, "aggs"),
    (
        {"aggs": {"a": {"terms": {"field": "x"}, "aggs": {"b": {"terms": {"field": "y"}}}}}},
        "sub-aggregations",
    ),
    ({"aggs": {"a": {"percentiles": {"field": "x"}}}}, "percentiles"),
    ({"aggs": {"a": {"terms": {"field": "x", "size": 20000}}}}, "size"),
    ({"aggs": {"a": {"date_histogram": {"field": "@timestamp", "interval": "1h"}}}}, "date_histogram"),
    ({"query": {"term": {"a;rm -rf": 1}}}, "field"),
    ({"timeout": "-1"}, "timeout"),
    ({"profile": True}, "profile"),
    ({"sort": [{"_score": "desc"}]}, "sort"),
]


@pytest.mark.parametrize(("body", "named"), HOSTILE, ids=[h[1] + str(i) for i, h in enumerate(HOSTILE)])
def test_hostile_bodies_are_refused(body, named):
    with pytest.raises(ValidationFailed) as err:
        parse_body("logs-*", copy.deepcopy(body))
    assert named in str(err.value)


@pytest.mark.parametrize(
    "index",
    [
        "_all",
        "logs-*/_delete_by_query",
        "_update",
        "logs-x/_doc/1",
        ".security",
        "*:.kibana",
        "LOGS",
        "a b",
        "",
    ],
)
def test_hostile_index_names_are_refused(index):
    with pytest.raises(ValidationFailed):
        parse_body(index, {"size": 0})


def test_absurd_nesting_is_refused_not_crashing():
    body: dict = {"term": {"a": 1}}
    for _ in range(5000):
        body = {"bool": {"filter": [body]}}
    with pytest.raises(ValidationFailed, match="nested deeper"):
        parse_body("logs-*", {"query": body})


def test_non_object_body():
    with pytest.raises(ValidationFailed):
        parse_body("logs-*", [])  # type: ignore[arg-type]


# --- the sentence -------------------------------------------------------------------------


def test_describe_reads_like_the_brief():
    s = S(
        index="logs-zeek-so*",
        since="now-24h",
        where=[
            {"field": "event.dataset", "value": "zeek.dns"},
            {"field": "dns.query.name", "op": "wildcard", "value": "*.example-cdn.net"},
        ],
        exclude=[{"field": "source.ip", "value": "10.0.0.0/8"}],
        agg={"field": "source.ip", "size": 10},
        size=0,
    )
    assert describe(s) == (
        "Search logs-zeek-so* for the last 24 hours where event.dataset is zeek.dns and "
        "dns.query.name ends with .example-cdn.net (any case), excluding records where source.ip "
        "is in 10.0.0.0/8; count the top 10 source.ip values."
    )


@pytest.mark.parametrize(
    ("kw", "part"),
    [
        ({}, "Search logs-* for all time; return up to 20 records, newest first."),
        ({"since": "now-1h"}, "for the last hour"),
        ({"since": "now/d"}, "for today (UTC)"),
        ({"since": "now-7d", "until": "now-1d"}, "from 7 days ago to 1 day ago"),
        ({"where": [{"field": "a", "op": "in", "value": [1, 2]}]}, "a is one of 1, 2"),
        ({"where": [{"field": "a", "op": "range", "gte": 5, "lt": 9}]}, "a is at least 5 and below 9"),
        ({"where": [{"field": "a", "op": "wildcard", "value": "*curl*"}]}, "a contains curl"),
        ({"where": [{"field": "a", "op": "prefix", "value": "C:"}]}, "a starts with C:"),
        ({"where": [{"field": "a", "op": "exists"}]}, "a is present"),
        (
            {"any_of": [{"field": "a", "value": 1}, {"field": "b", "value": 2}]},
            "at least one of: a is 1; b is 2",
        ),
        ({"agg": {"type": "cardinality", "field": "x"}, "size": 0}, "count the distinct x values."),
        ({"agg": {"field": "x", "order": "asc", "size": 5}, "size": 0}, "list the 5 least common x values."),
        (
            {"sort": [{"field": "client.bytes"}], "fields": ["source.ip"]},
            "client.bytes descending, showing source.ip",
        ),
    ],
)
def test_describe_parts(kw, part):
    assert part in describe(S(**kw))


def test_model_methods_delegate():
    s = S(where=[{"field": "a", "value": 1}])
    assert s.to_body() == build_body(s)
    assert EsSearch.from_body("logs-*", s.to_body()) == s
    assert s.describe() == describe(s)
    assert s.to_command().startswith("GET logs-*/_search\n{")
