"""Check a search against the fields an index really has and the configured limits.

Every problem is a sentence for the analyst (and for the planner's one retry): which field,
what is wrong, what would fit. An empty list means the search may be proposed.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from fnmatch import fnmatchcase
from typing import Any

from operatorx.config import ElasticConfig
from operatorx.errors import ValidationFailed
from operatorx.schemas.elastic import DATE_RE, Condition, EsSearch
from operatorx.tools.elastic.catalog import FieldCatalog

# A date_histogram over a long window with a small interval returns a bucket per step.
MAX_HISTOGRAM_BUCKETS = 10000
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "M": 2592000, "y": 31536000}
_CAL = {"minute": 60, "hour": 3600, "day": 86400, "week": 604800, "month": 2592000, "quarter": 7776000}
_CAL["year"] = 31536000
_REL_RE = re.compile(r"^now-(\d+)([smhdwMy])(/[smhdwMy])?$")
_FAMILY_WORDS = {
    "range": ("number", "date", "ip"),
    "wildcard": ("keyword", "text"),
    "prefix": ("keyword", "text"),
    "match": ("text", "keyword"),
    "phrase": ("text", "keyword"),
}
_FAMILY_HINT = {
    "ip": "use eq with an address or a CIDR such as 10.20.0.0/16",
    "number": "use eq, in or range",
    "date": "use since/until or range",
    "keyword": "use eq, in, wildcard or prefix",
    "text": "use match or phrase",
    "boolean": "use eq with true or false",
}


def index_allowed(index: str, allowed: list[str]) -> bool:
    """True when every comma-separated part of ``index`` falls inside one allowed pattern.

    Containment, not overlap: ``logs-zeek-so*`` is inside ``logs-*`` because each ``*`` of the
    narrower pattern lands inside a ``*`` of the wider one (index names have no other
    wildcard characters), while ``logs*`` or ``*`` are wider than ``logs-*``.
    """
    parts = index.split(",")
    if any(p in ("*", "_all", "*:*", "*:_all") for p in parts):
        return False
    return all(any(fnmatchcase(p, pat) for pat in allowed) for p in parts)


def _is_number(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int | float):
        return True
    try:
        float(str(v))
    except ValueError:
        return False
    return True


def _is_ip(v: Any) -> bool:
    try:
        ipaddress.ip_network(str(v), strict=False)
    except ValueError:
        return False
    return isinstance(v, str)


def _value_problem(field: str, family: str, v: Any) -> str | None:
    if family == "ip" and not _is_ip(v):
        return f"{field} is an IP field; {v!r} is not an IP address or CIDR (like 10.20.0.0/16)"
    if family == "number" and not _is_number(v):
        return f"{field} is numeric; {v!r} is not a number"
    if family == "date" and not (_is_number(v) or (isinstance(v, str) and DATE_RE.match(v))):
        return f"{field} is a date; {v!r} is not a date (use now-24h, now/d or an ISO date)"
    if family == "boolean" and v not in (True, False, "true", "false"):
        return f"{field} is true/false; {v!r} is neither"
    return None


def _condition_problems(c: Condition, family: str) -> list[str]:
    f = c.field
    if c.op in _FAMILY_WORDS and family not in _FAMILY_WORDS[c.op]:
        need = " or ".join(_FAMILY_WORDS[c.op])
        return [f"{c.op} needs a {need} field, but {f} is {family}; {_FAMILY_HINT[family]}"]
    if c.op in ("eq", "in") and family == "text":
        return [f"{f} is analysed text: eq/in compare single tokens; use match or phrase"]
    values: list[Any] = []
    if c.op == "eq":
        values = [c.value]
    elif c.op == "in":
        values = list(c.value)  # type: ignore[arg-type]
    elif c.op == "range":
        values = [b for b in (c.gte, c.gt, c.lte, c.lt) if b is not None]
    out = []
    for v in values:
        problem = _value_problem(f, family, v)
        if problem:
            out.append(problem)
    return out


def _histogram_buckets(search: EsSearch) -> int | None:
    """Rough bucket count of a date_histogram over a relative window; None when unknown."""
    agg = search.agg
    if agg is None or agg.interval is None or not search.since or search.until:
        return None
    m = _REL_RE.match(search.since)
    if not m:
        return None
    window = int(m.group(1)) * _SECONDS[m.group(2)]
    iv = agg.interval
    step = _CAL[iv] if iv in _CAL else int(iv[:-1]) * _SECONDS[iv[-1]]
    return window // max(step, 1) + 1


def validate_search(search: EsSearch, catalog: FieldCatalog, config: ElasticConfig) -> list[str]:
    """Problems with ``search`` against ``catalog`` (fields, types) and ``config`` (scope, caps)."""
    problems: list[str] = []
    if not index_allowed(search.index, config.allowed_indices):
        problems.append(
            f"index {search.index!r} is outside the allowed indices ({', '.join(config.allowed_indices)}); "
            "name a data stream or a narrower pattern such as logs-zeek-so*"
        )
    if search.size > config.max_size:
        problems.append(f"size {search.size} is over the limit of {config.max_size} hits")
    agg = search.agg
    if agg and agg.type == "terms" and agg.size > config.max_buckets:
        problems.append(f"aggregation size {agg.size} is over the limit of {config.max_buckets} buckets")
    buckets = _histogram_buckets(search)
    if buckets is not None and buckets > MAX_HISTOGRAM_BUCKETS:
        problems.append(
            f"a {agg.interval} histogram over {search.since} makes about {buckets} buckets "  # type: ignore[union-attr]
            f"(limit {MAX_HISTOGRAM_BUCKETS}); use a larger interval"
        )
    if len(catalog) == 0:
        problems.append(f"{search.index} matches no indices with mapped fields")
        return problems

    names = catalog.names()
    for field in sorted(search.fields_used()):
        if field in catalog:
            info = catalog.get(field)
            if info is not None and info.family is None:
                problems.append(
                    f"{field} has different types across {search.index} ({', '.join(info.types)}); "
                    "name a narrower index"
                )
            continue
        close = difflib.get_close_matches(field, names, n=3, cutoff=0.6)
        hint = ""
        if close:
            hint = (
                f"; did you mean {close[0]}?"
                if len(close) == 1
                else (f"; did you mean {', '.join(close[:-1])} or {close[-1]}?")
            )
        problems.append(f"no field {field!r} in {search.index}{hint}")

    for c in (*search.where, *search.any_of, *search.exclude):
        family = catalog.family(c.field)
        if family is not None:
            problems += _condition_problems(c, family)
    if agg is not None:
        family = catalog.family(agg.field)
        info = catalog.get(agg.field)
        if family is not None and info is not None:
            if agg.type == "date_histogram" and family != "date":
                problems.append(f"a date_histogram needs a date field, but {agg.field} is {family}")
            elif agg.type != "date_histogram" and (family == "text" or not info.aggregatable):
                keyword = f"{agg.field}.keyword"
                alt = f"; use {keyword}" if keyword in catalog else ""
                problems.append(f"{agg.field} is not aggregatable ({family}) so it cannot be counted{alt}")
    for s in search.sort:
        info = catalog.get(s.field)
        if info is not None and (info.family == "text" or not info.aggregatable):
            problems.append(f"cannot sort on {s.field}: it is analysed text")
    return problems


def ensure_valid(search: EsSearch, catalog: FieldCatalog, config: ElasticConfig) -> None:
    """``validate_search`` that raises ``ValidationFailed`` with every problem in one sentence."""
    problems = validate_search(search, catalog, config)
    if problems:
        raise ValidationFailed("The search does not fit the index: " + "; ".join(problems) + ".")
