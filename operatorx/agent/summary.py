"""Short summaries and plain-text tables of results, built from the data alone.

No model is involved, on purpose: scan banners and log documents are attacker-controlled
text, and here they are only ever counted, quoted (cleaned of control characters, cut to
length) and printed — never read as instructions and never turned into a tool call.
"""

from __future__ import annotations

import re
from collections import Counter

from operatorx.tools.elastic.runner import SearchResult
from operatorx.tools.nmap.results import ScanResult

# A whole CSI sequence first (else its ESC alone goes and "[31m" stays), then single C0/C1
# controls and the Unicode bidi controls that can reorder what a line appears to say.
_CONTROL = re.compile(
    r"\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def clean(value: object, limit: int = 80) -> str:
    """Untrusted text made safe to show: no escape sequences or control characters, bounded."""
    text = _CONTROL.sub("", str(value)).replace("\n", " ").replace("\t", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summarize(result: ScanResult | SearchResult) -> str:
    if isinstance(result, ScanResult):
        return summarize_scan(result)
    return summarize_search(result)


def summarize_scan(r: ScanResult) -> str:
    up = [h for h in r.hosts if h.state == "up"]
    open_ports = r.open_ports()
    parts = [f"{len(up)} host(s) up" + (f", {r.hosts_down} down" if r.hosts_down else "")]
    if not open_ports:
        parts.append("no open ports found")
    else:
        parts.append(f"{len(open_ports)} open port(s)")
        services = Counter(clean(p.service or "unknown", 20) for _, p in open_ports).most_common(5)
        parts.append("services: " + ", ".join(f"{s} ×{n}" if n > 1 else s for s, n in services))
    os_guesses = [(h.address, h.os_matches[0]) for h in up if h.os_matches]
    for addr, m in os_guesses[:3]:
        parts.append(f"{addr} looks like {clean(m.name, 40)} ({m.accuracy}%)")
    text = "; ".join(parts) + f". Took {r.elapsed_s:.1f} s."
    if not r.finished:
        text += " The scan did not finish."
    return text


def summarize_search(r: SearchResult) -> str:
    rel = "at least " if r.total_relation == "gte" else ""
    text = f"{rel}{r.total:,} matching document(s) in {r.index} ({r.took_ms} ms)."
    if r.agg is not None:
        a = r.agg
        if a.type == "cardinality":
            text += f" {a.value:,} distinct value(s) of {a.field}."
        elif a.type == "terms" and a.buckets:
            top = ", ".join(f"{clean(b.key, 40)} ({b.count:,})" for b in a.buckets[:3])
            text += f" Top {a.field}: {top}."
        elif a.type == "date_histogram" and a.buckets:
            peak = max(a.buckets, key=lambda b: b.count)
            busy = sum(1 for b in a.buckets if b.count)
            text += (
                f" {busy} of {len(a.buckets)} intervals have events; the busiest is "
                f"{clean(peak.key_as_string or peak.key, 30)} with {peak.count:,}."
            )
    elif r.total == 0:
        text += " Nothing matched; widen the time window or check the values."
    text += "".join(f" Note: {clean(n, 120)}" for n in r.notes)
    return text


def text_table(result: ScanResult | SearchResult, max_rows: int = 50) -> str:
    """A plain-text table for the command line (the TUI draws its own widgets)."""
    if isinstance(result, ScanResult):
        header = ["HOST", "PORT", "STATE", "SERVICE", "VERSION"]
        rows = [
            [
                h.address,
                f"{p.port}/{p.protocol}",
                p.state,
                p.service,
                " ".join(x for x in (p.product, p.version) if x),
            ]
            for h in result.hosts
            for p in h.ports
        ]
        if not rows:
            rows = [[h.address, "", h.state, "", ""] for h in result.hosts]
    elif result.agg is not None and result.agg.buckets:
        header = [result.agg.field, "COUNT"]
        rows = [[b.key_as_string or b.key, f"{b.count:,}"] for b in result.agg.buckets]
    elif result.agg is not None:
        header, rows = ["DISTINCT " + result.agg.field], [[f"{result.agg.value:,}"]]
    else:
        header = result.columns
        rows = [[row.get(c, "") for c in header] for row in result.rows]
    return _grid(header, rows[:max_rows], extra=max(0, len(rows) - max_rows))


def _grid(header: list[str], rows: list[list[object]], extra: int = 0) -> str:
    cells = [[clean(c if c is not None else "", 60) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    if extra:
        lines.append(f"… and {extra} more row(s)")
    return "\n".join(lines)
