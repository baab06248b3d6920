"""Properties over random input, beyond the tables: whatever a string field holds, the argv
cannot gain an option or shell syntax; whatever JSON a body holds, no script gets through; and
no refusal echoes a raw control character to the terminal.

The argv and body round trips are properties in tests/test_nmap_argv.py and
tests/test_es_body.py and are not repeated here.
"""

from __future__ import annotations

import json
import re
import string

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from operatorx.errors import ValidationFailed
from operatorx.schemas import EsSearch, NmapScan, parse_call
from operatorx.schemas.nmap import (
    ALLOWED_SCRIPTS,
    HOST_TIMEOUT_RE,
    PORT_SPEC_RE,
    SCRIPT_CATEGORIES,
)
from operatorx.tools.elastic.body import FORBIDDEN, build_body, parse_body
from operatorx.tools.nmap.argv import OUTPUT_FLAGS, build_argv, parse_argv

# Every option build_argv can emit, and those that take the next element as their value.
FLAGS = {"-sS", "-sT", "-sU", "-sn", "-sA", "-sF", "-sN", "-sX", "-p-", "-F", "-sV", "-O", "-A", "-Pn"}
FLAGS |= {"--open", "-6", "--traceroute", *(f"-T{i}" for i in range(6))}
VALUED = {"-p", "--top-ports", "--version-intensity", "--exclude", "--min-rate", "--max-rate"}
VALUED |= {"--host-timeout", "-oX", "--stats-every"}
SHELL = set(";&|$`<>(){}[]\\'\"!#~?")
RAW_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

HOSTILE_CHARS = " \t\n\r\x00\x1b\x9b\u202e;&|$`<>(){}[]\\'\"!#~?*,=@%/:-."
VALID_BITS = ["127.0.0.1", "::1", "127.0.0.0/24", "127.0.0.1-9", "127.0.0.*", "localhost", "22", "1-1024"]
VALID_BITS += ["T:80,U:53", "30s", "500ms", "5m", "banner", "default", "vuln", "-oN", "-iL", "--script="]
VALID_BITS += ["/tmp/x", "x.nse", "8.8.8.8", "0x7f000001", "\n", " ", "-"]

hostile_text = st.one_of(
    st.text(alphabet=string.ascii_letters + string.digits + HOSTILE_CHARS, max_size=24),
    st.lists(st.sampled_from(VALID_BITS + list(HOSTILE_CHARS)), max_size=4).map("".join),
    st.text(max_size=12),  # anything at all, unicode included
)
STRING_FIELDS = ("targets", "exclude", "ports", "scripts", "host_timeout")
_octet = st.one_of(
    st.integers(0, 255).map(str),
    st.tuples(st.integers(0, 255), st.integers(0, 255)).map(lambda p: f"{min(p)}-{max(p)}"),
    st.just("*"),
)
_target = st.one_of(
    st.lists(_octet, min_size=4, max_size=4).map(".".join),
    st.sampled_from(["127.0.0.1", "::1", "127.0.0.0/28", "localhost", "db.corp.test", "fe80::1"]),
)
VALID = {
    "targets": _target,
    "exclude": _target,
    "ports": st.from_regex(PORT_SPEC_RE, fullmatch=True),
    "scripts": st.sampled_from([*ALLOWED_SCRIPTS, *SCRIPT_CATEGORIES]),
    "host_timeout": st.from_regex(HOST_TIMEOUT_RE, fullmatch=True),
}


@st.composite
def near_valid(draw, field: str) -> str:
    """A valid value with something hostile spliced in at a random place."""
    good = draw(VALID[field])
    i = draw(st.integers(0, len(good)))
    return good[:i] + draw(st.sampled_from(VALID_BITS + list(HOSTILE_CHARS))) + good[i:]


def field_values(field: str):
    """A few valid values and one that may be anything (valid, spliced, or plain hostile)."""
    last = st.one_of(VALID[field], near_valid(field), hostile_text)
    return st.tuples(st.lists(VALID[field], max_size=2), last).map(lambda t: [*t[0], t[1]])


def check_argv(argv: list[str]) -> None:
    assert argv[0] == "nmap"
    previous = "nmap"
    for tok in argv[1:]:
        if previous in VALUED:
            assert not tok.startswith("-") or (previous == "-oX" and tok == "-"), argv
        elif tok.startswith("-"):
            assert tok in FLAGS or tok in VALUED or tok.startswith("--script="), f"unexpected option {tok!r}"
        assert tok and not any(c.isspace() for c in tok), f"whitespace in {tok!r}"
        assert not (set(tok) & SHELL), f"shell syntax in {tok!r}"
        assert not RAW_CONTROL.search(tok), f"control character in {tok!r}"
        previous = tok
    if any(t.startswith("--script=") for t in argv):
        (script_tok,) = [t for t in argv if t.startswith("--script=")]
        names = script_tok.removeprefix("--script=").split(",")
        assert set(names) <= set(ALLOWED_SCRIPTS) | set(SCRIPT_CATEGORIES)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), field=st.sampled_from(STRING_FIELDS))
def test_no_string_field_can_add_an_option_or_shell_syntax_to_argv(data, field):
    values = data.draw(field_values(field))
    kwargs: dict = {"targets": ["127.0.0.1"]}
    kwargs[field] = values if field in ("targets", "exclude", "scripts") else values[0]
    try:
        scan = NmapScan(**kwargs)
    except ValidationError:
        event("refused")
        return
    event(f"valid {field}")
    argv = build_argv(scan)
    check_argv(argv)
    assert parse_argv(argv) == scan
    assert tuple(argv[-len(scan.targets) - len(OUTPUT_FLAGS) : -len(scan.targets)]) == OUTPUT_FLAGS


@settings(max_examples=300, deadline=None)
@given(data=st.data(), field=st.sampled_from(STRING_FIELDS))
def test_refusal_messages_never_echo_raw_control_characters(data, field):
    value = data.draw(st.one_of(near_valid(field), hostile_text))
    call = {"tool": "nmap", "targets": ["127.0.0.1"]}
    call[field] = [value] if field in ("targets", "exclude", "scripts") else value
    try:
        parse_call(call)
    except ValidationFailed as e:
        assert not RAW_CONTROL.search(str(e)), repr(str(e))


# --- Elasticsearch bodies ---------------------------------------------------------------------

DSL_KEYS = ["query", "bool", "filter", "must", "should", "must_not", "term", "terms", "range", "match"]
DSL_KEYS += ["match_all", "exists", "field", "value", "gte", "lte", "size", "aggs", "sort", "_source"]
DSL_KEYS += ["order", "source.ip", "@timestamp", "event.dataset", "fixed_interval", "index", "id", "path"]
HOSTILE_KEYS = [*FORBIDDEN, "Script", "_script", "script.source", "params", "lang", "inline", "stored"]
HOSTILE_KEYS += ["wrapper", "from", "search_after", "runtime_mappings"]

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 20000), st.text(max_size=8))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(DSL_KEYS + HOSTILE_KEYS), inner, max_size=3),
    ),
    max_leaves=12,
)
random_bodies = st.dictionaries(st.sampled_from(DSL_KEYS + HOSTILE_KEYS), json_values, max_size=4)

SEEDS = [
    EsSearch(size=5).to_body(),
    EsSearch(
        since="now-1h",
        where=[
            {"field": "source.ip", "op": "eq", "value": "10.0.0.1"},
            {"field": "message", "op": "match", "value": "x"},
        ],
        any_of=[{"field": "destination.port", "op": "in", "value": [22, 80]}],
        exclude=[{"field": "event.dataset", "op": "prefix", "value": "zeek"}],
        sort=[{"field": "source.ip", "order": "asc"}],
        fields=["source.ip"],
    ).to_body(),
    EsSearch(size=0, agg={"field": "source.ip", "size": 5}).to_body(),
    EsSearch(
        size=0, since="now-1d", agg={"type": "date_histogram", "field": "@timestamp", "interval": "1h"}
    ).to_body(),
]


def script_keys(node) -> list[str]:
    found = []
    if isinstance(node, dict):
        for k, v in node.items():
            if "script" in k.lower() or k in FORBIDDEN:
                found.append(k)
            found += script_keys(v)
    elif isinstance(node, list):
        for v in node:
            found += script_keys(v)
    return found


def dict_paths(node, path=()):
    """Every dict inside ``node``, as a path of keys/indices."""
    if isinstance(node, dict):
        yield path
        for k, v in node.items():
            yield from dict_paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from dict_paths(v, (*path, i))


def check_parsed(body) -> None:
    try:
        search = parse_body("logs-*", body)
    except ValidationFailed:
        event("refused")
        return
    event("parsed")
    rebuilt = build_body(search)
    assert script_keys(rebuilt) == [], rebuilt
    assert set(rebuilt) <= {"query", "size", "sort", "_source", "aggs", "track_total_hits", "timeout"}
    assert "script" not in json.dumps(rebuilt).lower() or "script" in json.dumps(body).lower()


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_bodies)
def test_random_bodies_never_parse_into_a_script(body):
    check_parsed(body)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(SEEDS),
    where=st.integers(0, 1000),
    key=st.sampled_from(HOSTILE_KEYS),
    value=json_values,
)
def test_a_script_inserted_anywhere_into_a_valid_body_is_refused(seed, where, key, value):
    body = json.loads(json.dumps(seed))
    paths = list(dict_paths(body))
    node = body
    for step in paths[where % len(paths)]:
        node = node[step]
    node[key] = value
    if key in FORBIDDEN or "script" in key.lower():
        try:
            parse_body("logs-*", body)
        except ValidationFailed as e:
            assert key in str(e) or "not allowed" in str(e)
        else:
            raise AssertionError(f"{key!r} inserted at {paths[where % len(paths)]} was accepted")
    else:
        check_parsed(body)
