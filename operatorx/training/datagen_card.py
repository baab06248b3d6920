"""DATASET_CARD.md: what the generated data holds and the conventions it teaches."""

from __future__ import annotations

from collections import Counter

from operatorx.training.datagen_none import MESSAGES

CONVENTIONS = """\
The model learns these rules from the data, so every family applies them the same way.

**Form.** Targets are the compact plan (`model_dump(exclude_defaults=True)`, keys in schema
order, rendered by `operatorx.agent.prompting.format_call`). Defaults never appear: no
`"index": "logs-*"`, no `"op": "eq"`, no terms `size: 10`, no `order: "desc"`.

**Elasticsearch.**
- *Index*: always the default `logs-*` (omitted) unless the question itself names an index or
  data stream (`in logs-zeek-so*`), which then becomes `index`.
- *Which records*: a record kind named without a sensor ("dns lookups", "alerts",
  "connections", "tls sessions", "http requests", "files", "notices") → `{"field":"tags","value":"dns"}`
  (cross-sensor, as SO's hunt queries do). Named with its sensor ("zeek dns logs",
  "suricata alerts", "NIDS alerts", "yara hits", "strelka scans") → `event.dataset`
  (`zeek.dns`, `suricata.alert`, `strelka.alert` …). Windows data has no tags:
  `event.dataset` always (`windows.sysmon_operational`, `system.security`). "processes" →
  `event.category: process`. Windows events are filtered on `event.code` (a string: `"4625"`),
  a Suricata SID on `rule.uuid` (a string). No kind named → no kind condition.
- *Direction*: "from X" → `source.ip`, "to X" → `destination.ip`, "involving X"/"for X" →
  `any_of` both. Subnets go in the same field as CIDR values (`10.20.0.0/16`).
  "external"/"leaving the network"/"to the internet" → `exclude` `destination.ip` `in`
  `[10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]`.
- *Time*: no time words → no window. "today"/"since midnight" → `since: now/d`; "last N
  hours/days/weeks/minutes" → `now-Nh`/`now-Nd`/`now-Nw`/`now-Nm` (N as said: "last 24 hours" →
  `now-24h`, "last day" → `now-1d`, "last week" → `now-1w`); "yesterday" → `since: now-1d/d,
  until: now/d`; "this week"/"this month" → `now/w`/`now/M`; "since D" → `since: D`; "on D" →
  `since: D, until: D+1`.
- *Shapes*: top-N / "most common" / "grouped by" / "who looked up" → terms `agg` with
  `size: 0`; no number → default 10 buckets; "least common"/"rarest" → `order: asc`; "how many
  distinct" → `cardinality`; "how many"/"count" alone → `size: 0`, no agg; "over time"/"per
  hour"/"hourly" → `date_histogram` on `@timestamp` with `interval` `1h` (per day `1d`, per
  minute `1m`, every N minutes `Nm`, weekly `week`); "biggest" → sort `network.bytes` desc,
  "uploads"/"data sent" → `client.bytes`, "downloads"/"received" → `server.bytes`, "longest"
  → `event.duration`; "oldest first" → sort `@timestamp` asc; "latest N" → `size: N` (the
  default sort is already newest first); "only show a, b" → `fields`.
- *Values*: "more than" → `gt`, "at least" → `gte`, "under/below" → `lt`, "a-b"/"between" →
  `gte`+`lte`; MB = 1,000,000 bytes; durations in seconds. Substrings → `wildcard` `*x*`
  (rendered case-insensitive), subdomains → `*.domain`, "starts with" → `prefix`, "has a"/"with
  an" → `exists`, "no"/"without" → `exclude` `exists`; free text in `message` → `match` (one
  word) or `phrase` (quoted words). Fields come only from `operatorx/data/so_catalog.json`.

**Nmap.** "open ports"/"what's open" → `open_only`; "is port N open" → `ports` only;
"quick"/"fast" → `fast`; "top N" → `top_ports`; "all ports"/`-p-` → `all_ports`; "which hosts
are up"/"ping sweep" → `technique: ping` (no port options); "udp scan"/`-sU` alone →
`technique: udp`; "tcp and udp"/"plus udp" → `udp: true` beside the TCP technique (the
schema makes that a SYN scan when no technique is named), ports then `T:…,U:…`; "aggressive scan"/`-A` → `aggressive`, but "aggressive timing"/`T4` → `timing: 4`;
timing names paranoid…insane → 0…5; "what's running" → `service_version`; NSE by purpose →
the allowlisted script plus its usual port ("TLS ciphers" → `ssl-enum-ciphers` on 443);
targets keep the order they were named in; `10.0.0.x` → `10.0.0.*` (as the planner's
grounding reads it). Every target is written in the question: the planner lets the model
name only addresses the analyst typed (or the previous call holds).

**Follow-ups.** `previous` is the last call; the target is the whole edited call. Relative
timing edits step from the previous value (default 3): "faster" +1, "slower" −1.

**No tool.** One fixed message per reason (the eval checks `tool` and `kind` only). A *scan*
of a public address in any spelling is refused; a *log search* about a public address is an
ordinary search. Numeric spellings (decimal, hex, octal) of any address get a *clarify*
(the planner's pre-check answers "scan <nothing readable>" the same way).
"""


def _table(header: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def card(cfg, splits: dict[str, list[dict]], tokens, digests: dict[str, str], families) -> str:
    from operatorx.training.datagen import SPLITS, coverage

    lines = ["# OperatorX planner dataset", "",
             "Generated by `operatorx/training/datagen.py`; do not edit by hand. Regenerate with:", "",
             "```", f".venv/bin/python -m operatorx.training.datagen --seed {cfg.seed} --out data/"
             + ("" if cfg.scale == 1 else f" --scale {cfg.scale}"), "```", "",
             "Each record: `{id, split, family, intent, tool, question, previous, target}`. Render it for "
             "training with `operatorx.agent.prompting.render_prompt(question, previous)` + "
             "`format_call(target)` + `end_of_answer()`.", "", "## Files", ""]
    lines.append(_table(["split", "records", "sha256"], [[s, len(splits[s]), f"`{digests[s][:16]}…`"] for s in SPLITS]))
    lines += ["", "## Records per split and tool", ""]
    tools = ["nmap", "elasticsearch", "none"]
    lines.append(_table(["split", *tools, "with previous"],
                        [[s, *[sum(r["tool"] == t for r in splits[s]) for t in tools],
                          sum(r["previous"] is not None for r in splits[s])] for s in SPLITS]))
    lines += ["", "## Records per intent", ""]
    intents = sorted({r["intent"] for s in SPLITS for r in splits[s]})
    counts = {s: Counter(r["intent"] for r in splits[s]) for s in SPLITS}
    lines.append(_table(["intent", *SPLITS], [[i, *[counts[s][i] for s in SPLITS]] for i in intents]))
    if tokens:
        lines += ["", "## Tokens (SmolLM2 tokenizer, prompt + answer + stop token)", ""]
        lines.append(_table(["split", "mean / example", "max", "mean answer", "total"],
                            [[s, f"{tokens[s]['mean']:.1f}", tokens[s]["max"], f"{tokens[s]['answer_mean']:.1f}",
                              tokens[s]["total"]] for s in SPLITS]))
    cov = coverage(splits["train"])
    lines += ["", "## Coverage in train", "",
              "NmapScan fields: " + ", ".join(f"`{k}` {v}" for k, v in sorted(cov["nmap_fields"].items())),
              "", "Techniques: " + ", ".join(f"{k} {v}" for k, v in sorted(cov["techniques"].items())),
              "", "Timing: " + ", ".join(f"T{k} {v}" for k, v in sorted(cov["timing"].items())),
              "", "Target kinds: " + ", ".join(f"{k} {v}" for k, v in sorted(cov["target_kinds"].items())),
              "", "Condition ops: " + ", ".join(f"`{k}` {v}" for k, v in sorted(cov["ops"].items())),
              "", "Aggregations: " + ", ".join(f"`{k}` {v}" for k, v in sorted(cov["aggs"].items())),
              "", "Search keys: " + ", ".join(f"`{k}` {v}" for k, v in sorted(cov["es_keys"].items())),
              "", "## Conventions", "", CONVENTIONS, "## No-tool messages", ""]
    lines.append(_table(["reason", "kind", "message"], [[k, v[0], v[1]] for k, v in MESSAGES.items()]))
    lines += ["", "## Template families", "",
              "`~s` families are held out: their phrasings appear only in `shifted`. `handwritten.*` are the "
              "hand-written shifted questions (the first 25 are the SO reference's section-9 hunting questions).", ""]
    fam_counts = {s: Counter(r["family"] for r in splits[s]) for s in SPLITS}
    names = [f.id for f in families] + sorted({r["family"] for r in splits["shifted"] if r["family"].startswith("hand")})
    intent_of = {f.id: f.intent for f in families}
    rows = [[f"`{n}`", intent_of.get(n, "various"), *[fam_counts[s][n] for s in SPLITS]] for n in names]
    lines.append(_table(["family", "intent", *SPLITS], rows))
    return "\n".join(lines) + "\n"
