"""``EsSearch`` ⇄ Query DSL body, and a plain-English description of a search.

``build_body`` emits one fixed shape::

    {"query": {"bool": {"filter": [time window, term/terms/range/wildcard/prefix/exists …],
                        "must": [match/match_phrase …],
                        "should": [any_of …], "minimum_should_match": 1,
                        "must_not": [exclude …]}},
     "size": N, "sort": [...], "_source": [...], "aggs": {...},
     "track_total_hits": true, "timeout": "30s"}

``parse_body`` accepts exactly that subset (plus a few equivalent spellings an analyst may
type: ``term`` with ``{"value": x}``, a single leaf as the whole query, ``sort`` as a string
or ``{"field": "desc"}``) and rejects everything else with ``ValidationFailed`` naming the
key: anything that could run a script, read another index (terms lookup,
``more_like_this``), reach every field (``query_string``) or return more than a search
should. The rule is an allow-list; the deny-list below only makes the messages clearer.

``parse_body(index, build_body(s)) == s`` holds for every search whose ``where`` lists
``match``/``phrase`` conditions last (they travel in ``must``), that does not spell out the
default sort (``@timestamp`` desc) and that keeps no range on ``@timestamp`` in ``where``
besides ``since``/``until``; otherwise the parsed search is the same search in canonical
form (see ``canonical``).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from operatorx.errors import ValidationFailed
from operatorx.schemas.elastic import DATE_RE, Aggregation, Condition, EsSearch, SortKey

TIMEOUT = "30s"
MAX_SIZE = 10000
MAX_DEPTH = 12  # the deepest body build_body makes is 7 levels
CALENDAR = ("minute", "hour", "day", "week", "month", "quarter", "year")
AGG_NAMES = {"terms": "top_values", "date_histogram": "over_time", "cardinality": "distinct"}
_AGG_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_TIMEOUT_RE = re.compile(r"^\d{1,4}(ms|s|m)$")
_FILTER_OPS = {"eq", "in", "range", "wildcard", "prefix", "exists"}

# Keys refused wherever they appear, with the reason given to the analyst.
FORBIDDEN = {
    "script": "scripts can run arbitrary code",
    "scripts": "scripts can run arbitrary code",
    "script_score": "scripts can run arbitrary code",
    "script_fields": "scripts can run arbitrary code",
    "scripted_metric": "scripts can run arbitrary code",
    "bucket_script": "scripts can run arbitrary code",
    "bucket_selector": "scripts can run arbitrary code",
    "runtime_mappings": "runtime fields run scripts",
    "function_score": "function_score can run scripts",
    "query_string": "query_string can reach any field and parse free text",
    "simple_query_string": "simple_query_string can reach any field",
    "more_like_this": "more_like_this reads other documents",
    "percolate": "percolate reads other documents",
    "stored_fields": "only _source fields are returned",
    "docvalue_fields": "only _source fields are returned",
    "pit": "point-in-time searches are not supported",
    "profile": "profiling is not supported",
}

# --- building ----------------------------------------------------------------------------


def _leaf(c: Condition) -> dict:
    f = c.field
    if c.op == "eq":
        return {"term": {f: c.value}}
    if c.op == "in":
        return {"terms": {f: list(c.value)}}  # type: ignore[arg-type]
    if c.op == "range":
        bounds = {k: getattr(c, k) for k in ("gte", "gt", "lte", "lt") if getattr(c, k) is not None}
        return {"range": {f: bounds}}
    if c.op == "match":
        return {"match": {f: c.value}}
    if c.op == "phrase":
        return {"match_phrase": {f: c.value}}
    if c.op == "wildcard":
        return {"wildcard": {f: {"value": c.value, "case_insensitive": True}}}
    if c.op == "prefix":
        return {"prefix": {f: c.value}}
    return {"exists": {"field": f}}


def _agg(a: Aggregation) -> dict:
    if a.type == "terms":
        return {"terms": {"field": a.field, "size": a.size, "order": {"_count": a.order}}}
    if a.type == "cardinality":
        return {"cardinality": {"field": a.field}}
    key = "calendar_interval" if a.interval in CALENDAR else "fixed_interval"
    return {"date_histogram": {"field": a.field, key: a.interval, "min_doc_count": 0}}


def build_body(search: EsSearch) -> dict:
    """The exact body sent to ``POST <index>/_search``."""
    filt: list[dict] = []
    if search.since or search.until:
        window = {"gte": search.since, "lte": search.until}
        filt.append({"range": {"@timestamp": {k: v for k, v in window.items() if v is not None}}})
    filt += [_leaf(c) for c in search.where if c.op in _FILTER_OPS]
    must = [_leaf(c) for c in search.where if c.op not in _FILTER_OPS]
    should = [_leaf(c) for c in search.any_of]
    must_not = [_leaf(c) for c in search.exclude]
    boolq: dict[str, Any] = {}
    for key, items in (("filter", filt), ("must", must), ("should", should), ("must_not", must_not)):
        if items:
            boolq[key] = items
        if key == "should" and items:
            boolq["minimum_should_match"] = 1
    body: dict[str, Any] = {"query": {"bool": boolq} if boolq else {"match_all": {}}, "size": search.size}
    if search.sort:
        body["sort"] = [{s.field: {"order": s.order}} for s in search.sort]
    elif search.size > 0:
        body["sort"] = [{"@timestamp": {"order": "desc"}}]
    if search.fields:
        body["_source"] = list(search.fields)
    if search.agg:
        body["aggs"] = {AGG_NAMES[search.agg.type]: _agg(search.agg)}
    body["track_total_hits"] = True
    body["timeout"] = TIMEOUT
    return body


def canonical(search: EsSearch) -> EsSearch:
    """The form ``parse_body(build_body(s))`` returns: what the body can tell apart."""
    return parse_body(search.index, build_body(search))


# --- parsing -----------------------------------------------------------------------------


def _fail(path: str, why: str) -> ValidationFailed:
    return ValidationFailed(f"The request body is not allowed: {path}: {why}.")


def _scan(node: Any, path: str, depth: int = 0) -> None:
    """Refuse forbidden keys anywhere, before the structured parse, for a precise message."""
    if depth > MAX_DEPTH:
        raise _fail(path, f"nested deeper than {MAX_DEPTH} levels")
    if isinstance(node, dict):
        for k, v in node.items():
            if not isinstance(k, str):
                raise _fail(path, "keys must be strings")
            if k in FORBIDDEN:
                raise _fail(f"{path}.{k}" if path else k, FORBIDDEN[k])
            _scan(v, f"{path}.{k}" if path else k, depth + 1)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _scan(v, f"{path}[{i}]", depth + 1)


def _one(node: Any, path: str, what: str) -> tuple[str, Any]:
    if not isinstance(node, dict) or len(node) != 1:
        raise _fail(path, f"expected an object with exactly one {what}")
    return next(iter(node.items()))


def _scalar(v: Any, path: str) -> Any:
    if v is None or isinstance(v, dict | list):
        raise _fail(path, "expected a single value (string, number or boolean)")
    return v


def _cond(**kw: Any) -> Condition:
    try:
        return Condition(**kw)
    except ValidationError as e:
        raise ValidationFailed(f"The request body is not allowed: {_pydantic_msg(e)}.") from e


def _parse_leaf(node: Any, path: str) -> Condition:
    kind, spec = _one(node, path, "query clause")
    p = f"{path}.{kind}"
    if kind == "exists":
        if not isinstance(spec, dict) or set(spec) != {"field"} or not isinstance(spec["field"], str):
            raise _fail(p, 'exists takes exactly {"field": name}')
        return _cond(field=spec["field"], op="exists")
    field, arg = _one(spec, p, "field")
    p = f"{p}.{field}"
    if kind == "term":
        if isinstance(arg, dict):
            if set(arg) != {"value"}:
                raise _fail(p, 'term takes a value or {"value": x}, nothing else')
            arg = arg["value"]
        return _cond(field=field, op="eq", value=_scalar(arg, p))
    if kind == "terms":
        if not isinstance(arg, list):
            raise _fail(p, "terms takes a list of values (lookups in other indices are not allowed)")
        return _cond(field=field, op="in", value=[_scalar(v, p) for v in arg])
    if kind == "range":
        if not isinstance(arg, dict) or not arg or not set(arg) <= {"gte", "gt", "lte", "lt"}:
            raise _fail(p, "range takes only gte, gt, lte and lt")
        return _cond(field=field, op="range", **{k: _scalar(v, p) for k, v in arg.items()})
    if kind in ("match", "match_phrase"):
        if isinstance(arg, dict):
            if set(arg) != {"query"}:
                raise _fail(p, f'{kind} takes a value or {{"query": x}}, nothing else')
            arg = arg["query"]
        return _cond(field=field, op="match" if kind == "match" else "phrase", value=_scalar(arg, p))
    if kind in ("wildcard", "prefix"):
        if isinstance(arg, dict):
            extra = set(arg) - {"value", "case_insensitive"}
            if "value" not in arg or extra or arg.get("case_insensitive", True) not in (True, False):
                raise _fail(p, f'{kind} takes a pattern or {{"value": x, "case_insensitive": true}}')
            arg = arg["value"]
        return _cond(field=field, op=kind, value=_scalar(arg, p))
    raise _fail(f"{path}.{kind}", "only term, terms, range, match, match_phrase, wildcard, prefix and exists")


def _items(node: Any, path: str) -> list[tuple[str, Any]]:
    if isinstance(node, dict):
        return [(path, node)]
    if isinstance(node, list):
        return [(f"{path}[{i}]", v) for i, v in enumerate(node)]
    raise _fail(path, "expected a clause or a list of clauses")


def _is_window(c: Condition) -> bool:
    return (
        c.field == "@timestamp"
        and c.op == "range"
        and c.gt is None
        and c.lt is None
        and all(isinstance(v, str) and DATE_RE.match(v) for v in (c.gte, c.lte) if v is not None)
    )


def _parse_query(q: Any, out: dict[str, Any]) -> None:
    kind, spec = _one(q, "query", "query type")
    if kind == "match_all":
        if spec != {}:
            raise _fail("query.match_all", "takes no options")
        return
    if kind != "bool":
        out["where"].append(_parse_leaf(q, "query"))
        return
    if not isinstance(spec, dict):
        raise _fail("query.bool", "expected an object")
    allowed = {"filter", "must", "should", "must_not", "minimum_should_match"}
    for k in spec:
        if k not in allowed:
            raise _fail(f"query.bool.{k}", "only filter, must, should, must_not, minimum_should_match")
    for key in ("filter", "must", "should", "must_not"):
        for path, item in _items(spec.get(key, []), f"query.bool.{key}"):
            if isinstance(item, dict) and "bool" in item:
                raise _fail(f"{path}.bool", "nested bool queries are not supported: use one bool")
            c = _parse_leaf(item, path)
            if key == "should":
                out["any_of"].append(c)
            elif key == "must_not":
                out["exclude"].append(c)
            elif key == "filter" and not out["windowed"] and _is_window(c):
                out["since"], out["until"], out["windowed"] = c.gte, c.lte, True
            else:
                out["where"].append(c)
    msm = spec.get("minimum_should_match")
    if "minimum_should_match" in spec and msm not in (1, "1"):
        raise _fail("query.bool.minimum_should_match", "only 1 (at least one any-of condition) is supported")
    if out["any_of"] and msm is None and (spec.get("filter") or spec.get("must")):
        raise _fail(
            "query.bool.should",
            'next to filter/must, should needs "minimum_should_match": 1 (else it is optional)',
        )
    if msm is not None and not out["any_of"]:
        raise _fail("query.bool.minimum_should_match", "only goes with should")


def _parse_sort(node: Any) -> list[SortKey]:
    out = []
    for path, item in _items(node, "sort") if not isinstance(node, str) else [("sort", node)]:
        if isinstance(item, str):
            field, order = item, "asc"  # Elasticsearch sorts a bare field name ascending
        else:
            field, spec = _one(item, path, "field")
            if isinstance(spec, str):
                order = spec
            elif isinstance(spec, dict) and set(spec) == {"order"}:
                order = spec["order"]
            else:
                raise _fail(f"{path}.{field}", 'sort takes "asc"/"desc" or {"order": "asc"|"desc"}')
        if order not in ("asc", "desc") or field.startswith("_"):
            raise _fail(f"{path}.{field}", "sort on a field, asc or desc")
        try:
            out.append(SortKey(field=field, order=order))
        except ValidationError as e:
            raise ValidationFailed(f"The request body is not allowed: {_pydantic_msg(e)}.") from e
    return out


def _parse_aggs(node: Any) -> Aggregation:
    name, spec = _one(node, "aggs", "named aggregation")
    p = f"aggs.{name}"
    if not _AGG_NAME_RE.match(name):
        raise _fail(p, "aggregation names are letters, digits, '_', '.', '-'")
    if isinstance(spec, dict) and ("aggs" in spec or "aggregations" in spec):
        raise _fail(f"{p}.aggs", "sub-aggregations are not supported (one aggregation per search)")
    kind, a = _one(spec, p, "aggregation type")
    p = f"{p}.{kind}"
    if kind not in AGG_NAMES:
        raise _fail(p, "only terms, date_histogram and cardinality aggregations")
    if not isinstance(a, dict) or not isinstance(a.get("field"), str):
        raise _fail(p, "needs a field")
    kw: dict[str, Any] = {"type": kind, "field": a["field"]}
    if kind == "terms":
        if not set(a) <= {"field", "size", "order"}:
            raise _fail(p, "terms takes only field, size and order")
        if "size" in a:
            size = a["size"]
            if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_SIZE:
                raise _fail(f"{p}.size", f"must be a whole number from 1 to {MAX_SIZE}")
            kw["size"] = size
        if "order" in a:
            order = a["order"][0] if isinstance(a["order"], list) and len(a["order"]) == 1 else a["order"]
            if (
                not isinstance(order, dict)
                or set(order) != {"_count"}
                or order["_count"] not in ("asc", "desc")
            ):
                raise _fail(f"{p}.order", 'only {"_count": "asc"|"desc"}')
            kw["order"] = order["_count"]
    elif kind == "date_histogram":
        keys = set(a) - {"field", "min_doc_count"}
        if len(keys) != 1 or not keys <= {"fixed_interval", "calendar_interval"}:
            raise _fail(p, "takes field, one of fixed_interval/calendar_interval, and min_doc_count")
        if a.get("min_doc_count", 0) not in (0, 1):
            raise _fail(f"{p}.min_doc_count", "only 0 or 1")
        key = keys.pop()
        interval = a[key]
        if not isinstance(interval, str) or (key == "calendar_interval") != (interval in CALENDAR):
            raise _fail(f"{p}.{key}", "fixed_interval is 30m/1h/1d …, calendar_interval is hour/day/week …")
        kw["interval"] = interval
    elif set(a) != {"field"}:
        raise _fail(p, "cardinality takes only field")
    try:
        return Aggregation(**kw)
    except ValidationError as e:
        raise ValidationFailed(f"The request body is not allowed: {_pydantic_msg(e)}.") from e


def _pydantic_msg(e: ValidationError) -> str:
    return "; ".join(
        (f"{'.'.join(str(x) for x in err['loc'])}: " if err["loc"] else "")
        + err["msg"].removeprefix("Value error, ")
        for err in e.errors()
    )


def parse_body(index: str, body: dict) -> EsSearch:
    """The ``EsSearch`` a body means; ``ValidationFailed`` for anything outside the subset."""
    if not isinstance(body, dict):
        raise ValidationFailed("The request body must be a JSON object.")
    _scan(body, "")
    allowed = {"query", "size", "sort", "_source", "aggs", "aggregations", "track_total_hits", "timeout"}
    for k in body:
        if k not in allowed:
            raise _fail(k, f"only {', '.join(sorted(allowed))} are supported")
    if "aggs" in body and "aggregations" in body:
        raise _fail("aggregations", "give aggs once")
    out: dict[str, Any] = {
        "where": [],
        "any_of": [],
        "exclude": [],
        "since": None,
        "until": None,
        "windowed": False,
    }
    if "query" in body:
        _parse_query(body["query"], out)
    kw: dict[str, Any] = {
        "index": index,
        **{k: out[k] for k in ("where", "any_of", "exclude", "since", "until")},
    }
    size = body.get("size", 10)  # Elasticsearch's own default
    if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= MAX_SIZE:
        raise _fail("size", f"must be a whole number from 0 to {MAX_SIZE}")
    kw["size"] = size
    if "sort" in body:
        sort = _parse_sort(body["sort"])
        default = [SortKey(field="@timestamp", order="desc")]
        kw["sort"] = [] if sort == default and size > 0 else sort
    if "_source" in body:
        src = body["_source"]
        src = [src] if isinstance(src, str) else src
        if not isinstance(src, list) or not all(isinstance(s, str) for s in src):
            raise _fail("_source", "only a list of field names (no includes/excludes, no false)")
        kw["fields"] = src
    aggs = body.get("aggs", body.get("aggregations"))
    if aggs is not None:
        kw["agg"] = _parse_aggs(aggs)
    tth = body.get("track_total_hits", True)
    if not isinstance(tth, bool | int):
        raise _fail("track_total_hits", "true, false or a number")
    if "timeout" in body and not (isinstance(body["timeout"], str) and _TIMEOUT_RE.match(body["timeout"])):
        raise _fail("timeout", "a duration such as 30s")
    try:
        return EsSearch(**kw)
    except ValidationError as e:
        raise ValidationFailed(f"The request body is not allowed: {_pydantic_msg(e)}.") from e


# --- describing --------------------------------------------------------------------------

_UNITS = {"s": "second", "m": "minute", "h": "hour", "d": "day", "w": "week", "M": "month", "y": "year"}
_REL_RE = re.compile(r"^now-(\d+)([smhdwMy])$")
_ROUND_RE = re.compile(r"^now/([smhdwMy])$")
_CIDR_RE = re.compile(r"^[0-9a-fA-F:.]+/\d{1,3}$")


def _when(since: str | None, until: str | None) -> str:
    def point(v: str) -> str:
        m = _REL_RE.match(v)
        if m:
            n, unit = int(m.group(1)), _UNITS[m.group(2)]
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
        return "now" if v == "now" else v

    if since and not until:
        m = _REL_RE.match(since)
        if m:
            n, unit = int(m.group(1)), _UNITS[m.group(2)]
            return f"the last {unit}" if n == 1 else f"the last {n} {unit}s"
        r = _ROUND_RE.match(since)
        if r:
            unit = _UNITS[r.group(1)]
            return "today (UTC)" if unit == "day" else f"this {unit} (UTC)"
        return f"the time since {since}"
    if since and until:
        return f"the time from {point(since)} to {point(until)}"
    if until:
        return f"all time up to {point(until)}"
    return "all time"


def _v(x: Any) -> str:
    return str(x).lower() if isinstance(x, bool) else str(x)


def _phrase(c: Condition) -> str:
    f, v = c.field, c.value
    if c.op == "eq":
        return f"{f} is {'in ' if isinstance(v, str) and _CIDR_RE.match(v) else ''}{_v(v)}"
    if c.op == "in":
        return f"{f} is one of {', '.join(_v(x) for x in v)}"  # type: ignore[union-attr]
    if c.op == "range":
        parts = []
        for key, word in (("gte", "at least"), ("gt", "above"), ("lte", "at most"), ("lt", "below")):
            if getattr(c, key) is not None:
                parts.append(f"{word} {_v(getattr(c, key))}")
        return f"{f} is {' and '.join(parts)}"
    if c.op == "match":
        return f"{f} matches '{v}'"
    if c.op == "phrase":
        return f"{f} contains the phrase '{v}'"
    if c.op == "prefix":
        return f"{f} starts with {v}"
    if c.op == "exists":
        return f"{f} is present"
    s = str(v)
    inner = s.strip("*")
    if "*" not in inner and "?" not in inner and inner:
        if s.startswith("*") and s.endswith("*") and len(s) > 2:
            return f"{f} contains {inner} (any case)"
        if s.startswith("*"):
            return f"{f} ends with {inner} (any case)"
        if s.endswith("*"):
            return f"{f} starts with {inner} (any case)"
    return f"{f} matches the pattern {s} (any case)"


def describe(search: EsSearch) -> str:
    """One plain-English sentence saying what the search does."""
    text = f"Search {search.index} for {_when(search.since, search.until)}"
    if search.where:
        text += " where " + " and ".join(_phrase(c) for c in search.where)
    if search.any_of:
        text += (
            (" and " if search.where else " where ")
            + "at least one of: "
            + "; ".join(_phrase(c) for c in search.any_of)
        )
    if search.exclude:
        text += ", excluding records where " + " or ".join(_phrase(c) for c in search.exclude)
    tail = []
    a = search.agg
    if a is not None:
        if a.type == "terms":
            tail.append(
                f"count the top {a.size} {a.field} values"
                if a.order == "desc"
                else f"list the {a.size} least common {a.field} values"
            )
        elif a.type == "cardinality":
            tail.append(f"count the distinct {a.field} values")
        else:
            tail.append(f"count events per {a.interval} over {a.field}")
    if search.size > 0:
        order = (
            ", ".join(f"{s.field} {'descending' if s.order == 'desc' else 'ascending'}" for s in search.sort)
            if search.sort
            else "newest first"
        )
        hits = f"return up to {search.size} records, {order}"
        if search.fields:
            hits += f", showing {', '.join(search.fields)}"
        tail.append(hits)
    return text + ("; " + " and ".join(tail) if tail else "") + "."
