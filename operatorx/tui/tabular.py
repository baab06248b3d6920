"""Results as rows and columns: one definition shared by the tables on screen and CSV export.

No Textual here, so export and the table layout are testable without an app.
"""

from __future__ import annotations

import json
from typing import Any

SCAN_COLUMNS = ("host", "port", "protocol", "state", "service", "version")
BUCKET_COLUMNS = ("key", "count")


def is_scan(result: Any) -> bool:
    return hasattr(result, "hosts")


def lookup(row: dict, column: str) -> Any:
    """A value by column name: the flat key if present, else a dotted path into nested dicts
    (any split: ``dns.query.name`` finds ``{"dns.query": {"name": …}}`` too)."""
    if column in row:
        return row[column]
    parts = column.split(".")
    for i in range(len(parts) - 1, 0, -1):
        head = ".".join(parts[:i])
        if isinstance(row.get(head), dict):
            value = lookup(row[head], ".".join(parts[i:]))
            if value is not None:
                return value
    return None


def text(value: Any) -> str:
    """A cell as one line of text (lists joined, objects as compact JSON, None as empty)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return str(value)


def port_version(port: Any) -> str:
    parts = [getattr(port, "product", "") or "", getattr(port, "version", "") or ""]
    extra = getattr(port, "extrainfo", "") or ""
    out = " ".join(p for p in parts if p)
    return f"{out} ({extra})" if extra and out else (out or extra)


def host_label(host: Any) -> str:
    names = [n for n in (getattr(host, "hostnames", None) or []) if n]
    return f"{host.address} ({names[0]})" if names else str(host.address)


def scan_rows(result: Any) -> list[tuple[tuple[int, int], list[str]]]:
    """(key, cells) per port of every host; a host without listed ports gets one row.

    The key is (host index, port index; -1 for a host row) so a table row leads back to its
    host and port for the detail view.
    """
    rows = []
    for hi, host in enumerate(result.hosts):
        if not host.ports:
            rows.append(((hi, -1), [host_label(host), "", "", host.state, "", "no ports listed"]))
        for pi, port in enumerate(host.ports):
            rows.append(
                (
                    (hi, pi),
                    [
                        host_label(host),
                        str(port.port),
                        port.protocol,
                        port.state,
                        port.service or "",
                        port_version(port),
                    ],
                )
            )
    return rows


def search_columns(result: Any) -> list[str]:
    """The result's own columns; failing that, the keys of its first rows (document order)."""
    cols = list(getattr(result, "columns", None) or [])
    if cols:
        return cols
    seen: dict[str, None] = {}
    for row in result.rows[:20]:
        for key in row:
            if not key.startswith("_"):
                seen.setdefault(key, None)
    return list(seen)


def search_rows(result: Any) -> list[list[str]]:
    cols = search_columns(result)
    return [[text(lookup(row, c)) for c in cols] for row in result.rows]


def bucket_rows(result: Any) -> list[list[str]]:
    agg = getattr(result, "agg", None)
    if agg is None:
        return []
    return [
        [text(b.key_as_string if getattr(b, "key_as_string", None) else b.key), str(b.count)]
        for b in agg.buckets
    ]


def table_of(result: Any) -> tuple[list[str], list[list[str]]]:
    """Header and rows for CSV: ports of a scan, hits of a search, else its aggregation buckets."""
    if is_scan(result):
        return list(SCAN_COLUMNS), [cells for _, cells in scan_rows(result)]
    if result.rows:
        return search_columns(result), search_rows(result)
    agg = getattr(result, "agg", None)
    if agg is not None and agg.buckets:
        return list(BUCKET_COLUMNS), bucket_rows(result)
    if agg is not None and agg.value is not None:
        return ["field", "value"], [[agg.field, text(agg.value)]]
    return [], []
