"""Run a validated ``EsSearch`` (``_search`` / ``_count``) and return typed results.

Only read APIs are called. The executor validates against the catalog before it gets here;
``run_search`` still re-checks the scope and the size caps from config so that no other
path can send a wider search.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel, Field

from operatorx.config import ElasticConfig
from operatorx.errors import ValidationFailed
from operatorx.schemas.elastic import EsSearch
from operatorx.tools.elastic.body import AGG_NAMES, build_body
from operatorx.tools.elastic.client import translate_errors
from operatorx.tools.elastic.validate import index_allowed

BASE_COLUMNS = [
    "@timestamp",
    "event.dataset",
    "source.ip",
    "source.port",
    "destination.ip",
    "destination.port",
    "network.protocol",
]
# Extra columns by the last part of event.dataset (zeek.dns → dns) or the whole dataset.
DATASET_COLUMNS = {
    "conn": ["connection.state", "client.bytes", "server.bytes"],
    "dns": ["dns.query.name", "dns.query.type_name", "dns.response.code_name"],
    "http": ["http.method", "http.virtual_host", "http.uri", "http.status_code", "http.useragent"],
    "ssl": ["ssl.server_name", "ssl.version"],
    "alert": ["rule.name", "rule.uuid", "event.severity_label"],
    "notice": ["notice.note", "notice.message"],
    "ssh": ["ssh.client", "ssh.authentication.success"],
    "file": ["file.name", "file.mime_type", "hash.sha256"],
    "sysmon_operational": ["host.name", "user.name", "process.executable", "process.command_line"],
    "security": ["host.name", "event.code", "user.name", "event.outcome"],
}
MAX_COLUMNS = 12


class Bucket(BaseModel):
    key: str | int | float | bool
    key_as_string: str | None = None
    count: int


class AggResult(BaseModel):
    type: str
    field: str
    buckets: list[Bucket] = Field(default_factory=list)
    value: int | float | None = None  # cardinality
    other_count: int = 0  # terms: documents in values beyond the top N


class SearchResult(BaseModel):
    index: str
    total: int
    total_relation: str  # "eq" or "gte"
    took_ms: int
    columns: list[str]
    rows: list[dict[str, Any]]
    agg: AggResult | None = None
    notes: list[str] = Field(default_factory=list)  # timed out, shard failures

    def digest(self) -> str:
        """sha256 of the canonical JSON, for the audit log."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(blob.encode()).hexdigest()


def flatten(doc: dict, prefix: str = "") -> dict[str, Any]:
    """Nested ``_source`` → dotted keys (``{"source": {"ip": x}}`` → ``{"source.ip": x}``)."""
    out: dict[str, Any] = {}
    for k, v in doc.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and v:
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def pick_columns(rows: list[dict[str, Any]], requested: list[str]) -> list[str]:
    """The requested fields, else the usual columns for the datasets present in the rows."""
    if requested:
        return list(requested)
    present: dict[str, int] = {}
    for row in rows:
        for k in row:
            present[k] = present.get(k, 0) + 1
    wanted = list(BASE_COLUMNS)
    for ds in dict.fromkeys(str(r.get("event.dataset", "")) for r in rows):
        tail = ds.rsplit(".", 1)[-1]
        wanted += DATASET_COLUMNS.get(ds, DATASET_COLUMNS.get(tail, []))
    cols = [c for c in dict.fromkeys(wanted) if c in present]
    if len(cols) < 3:  # not Security Onion data: the most common keys
        cols += [k for k, _ in sorted(present.items(), key=lambda kv: (-kv[1], kv[0])) if k not in cols]
    return cols[:MAX_COLUMNS]


def _agg_result(search: EsSearch, aggs: dict) -> AggResult | None:
    if search.agg is None:
        return None
    a = search.agg
    raw = aggs.get(AGG_NAMES[a.type], {})
    if a.type == "cardinality":
        return AggResult(type=a.type, field=a.field, value=raw.get("value"))
    buckets = [
        Bucket(key=b["key"], key_as_string=b.get("key_as_string"), count=b["doc_count"])
        for b in raw.get("buckets", [])
    ]
    return AggResult(
        type=a.type, field=a.field, buckets=buckets, other_count=raw.get("sum_other_doc_count", 0)
    )


def _guard(search: EsSearch, config: ElasticConfig) -> None:
    if not index_allowed(search.index, config.allowed_indices):
        raise ValidationFailed(
            f"Index {search.index!r} is outside the allowed indices; nothing was searched."
        )
    if search.size > config.max_size:
        raise ValidationFailed(
            f"Size {search.size} is over the limit of {config.max_size}; nothing was searched."
        )
    if search.agg and search.agg.type == "terms" and search.agg.size > config.max_buckets:
        raise ValidationFailed(
            f"Aggregation size {search.agg.size} is over the limit of {config.max_buckets}; nothing was searched."
        )


def run_search(search: EsSearch, client: Any, config: ElasticConfig) -> SearchResult:
    """POST <index>/_search with ``build_body(search)``; typed, flattened results."""
    _guard(search, config)
    body = build_body(search)
    with translate_errors(client, f"search {search.index}"):
        resp = client.options(request_timeout=config.request_timeout_s).search(index=search.index, body=body)
    data = getattr(resp, "body", resp)
    hits = data.get("hits", {})
    total = hits.get("total") or {"value": 0, "relation": "eq"}
    rows = [flatten(h.get("_source") or {}) for h in hits.get("hits", [])]
    notes = []
    if data.get("timed_out"):
        notes.append(f"the search timed out after {body['timeout']}: results are partial")
    shards = data.get("_shards", {})
    if shards.get("failed"):
        reasons = {str((f.get("reason") or {}).get("reason", "")) for f in shards.get("failures", [])} - {""}
        why = f" ({'; '.join(sorted(reasons)[:3])})" if reasons else ""
        notes.append(
            f"{shards['failed']} of {shards.get('total', '?')} shards failed{why}: results are partial"
        )
    return SearchResult(
        index=search.index,
        total=int(total.get("value", 0)),
        total_relation=str(total.get("relation", "eq")),
        took_ms=int(data.get("took", 0)),
        columns=pick_columns(rows, search.fields),
        rows=rows,
        agg=_agg_result(search, data.get("aggregations") or {}),
        notes=notes,
    )


def count(search: EsSearch, client: Any) -> int:
    """How many documents the search's query matches (the 'reach' on the confirmation card)."""
    query = build_body(search)["query"]
    with translate_errors(client, f"count documents in {search.index}"):
        resp = client.count(index=search.index, body={"query": query})
    return int(getattr(resp, "body", resp).get("count", 0))
