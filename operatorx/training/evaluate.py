"""Score the planner on a dataset split: validity, semantic match, refusals, latency.

    .venv/bin/operatorx eval --split test --config configs/eval-scope.toml [--json out.json]

For each record the planner plans the question (with the record's previous call as the
conversation's last call, as a follow-up). The score per record:

* **valid JSON** — the model's final answer text is one JSON object;
* **valid call** — that text validated and is what the planner returned (not a retry's
  give-up reply); answers the planner's pre-checks gave without the model count as valid;
* **semantic match** — nmap: canonical forms equal (``canonical_nmap``: what nmap runs, so
  order, port spellings, nmap's defaults and -A's parts do not count); Elasticsearch:
  canonical forms equal, or, when a cluster with the fixture data answers and the
  expected search finds something, both searches return the same hits (ids when size > 0: in
  order when the expected search sorts, else as a set), the same total and the same buckets /
  cardinality, both run with ``now`` pinned to the instant the fixture batch stands for
  (``--load-fixtures`` loads the judge's batch, ``fixtures.JUDGE_NOW``), so that a verdict on
  "last hour" does not depend on when the eval runs; no tool: same ``kind``;
* **refusals** — for no-tool records, the right kind and no call; for call records, how
  often the planner declined (false refusals);
* **latency** — the planner's wall time per question, p50 and p95.

``evaluate`` depends only on ``plan_fn(question, previous) -> outcome`` (an object with
``plan``, ``raw_text``, ``attempts`` and ``timings``), so tests drive it with a scripted
backend and no model.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from operatorx.schemas.elastic import EsSearch
from operatorx.schemas.nmap import NmapScan
from operatorx.schemas.plan import Reply, parse_plan

TOOLS = ("nmap", "elasticsearch", "none")


class Outcome(Protocol):
    plan: Any
    raw_text: str
    attempts: int
    timings: dict[str, float]


PlanFn = Callable[[str, dict | None], Outcome]


# --- canonical forms --------------------------------------------------------------------------------


# nmap's own defaults and aliases (nmap(1)): -T3 and --version-intensity 7 are what runs without
# them, -F is --top-ports 100, no port option is --top-ports 1000, -p- is ports 1-65535, and -A
# is -O -sV -sC --traceroute.
_DEFAULT_TIMING = 3
_DEFAULT_INTENSITY = 7


def _ranges(ports: set[int]) -> str:
    """{22, 23, 24, 80} → '22-24,80'."""
    runs: list[list[int]] = []
    for p in sorted(ports):
        if runs and p == runs[-1][1] + 1:
            runs[-1][1] = p
        else:
            runs.append([p, p])
    return ",".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in runs)


def _probes(scan: NmapScan) -> dict | None:
    """Which ports each protocol probes: {"tcp": "1-1024", "udp": "53"} or {"tcp": "top 100"},
    the same for every spelling nmap treats alike (ranges or lists, T:/U: prefixes, -p- or
    1-65535, -F or --top-ports 100, no port option or --top-ports 1000). None for a ping
    sweep, which probes no ports."""
    if scan.technique == "ping":
        return None
    protocols = ("udp",) if scan.technique == "udp" else ("tcp", "udp") if scan.udp else ("tcp",)
    spec = scan.ports or ("1-65535" if scan.all_ports else None)
    if spec is None:
        top = 100 if scan.fast else scan.top_ports or 1000
        return {p: f"top {top}" for p in protocols}
    probed: dict[str, set[int]] = {p: set() for p in protocols}
    proto = ""  # a T:/U: prefix holds for the items after it, up to the next prefix (nmap(1))
    for item in spec.split(","):
        if ":" in item:
            proto, item = item.split(":")
        lo, _, hi = item.partition("-")
        for p in protocols:
            if not proto or proto == p[0].upper():  # T: tcp, U: udp; S: (sctp) is never scanned here
                probed[p].update(range(int(lo), int(hi or lo) + 1))
    return {p: _ranges(v) for p, v in probed.items()}


def canonical_nmap(scan: NmapScan) -> dict:
    """The scan as nmap runs it: order of targets, scripts and excludes ignored, ports as the
    set each protocol probes, nmap's defaults left out and -A as what it turns on (so "-T3"
    equals no -T, "-F" equals "--top-ports 100", "-p 22-24" equals "-p 22,23,24", and
    "-sS -sU -p 53" equals "-sS -sU -p T:53,U:53")."""
    d = scan.compact()
    for key in ("ports", "top_ports", "all_ports", "fast"):
        d.pop(key, None)
    probes = _probes(scan)
    if probes is not None:
        d["probes"] = probes
    if d.pop("aggressive", False):
        d.update(os_detection=True, service_version=True, traceroute=True)
        d["scripts"] = [*d.get("scripts", []), "default"]
    if d.get("timing") == _DEFAULT_TIMING:
        del d["timing"]
    if d.get("version_intensity") == _DEFAULT_INTENSITY:
        del d["version_intensity"]
    for key in ("targets", "scripts", "exclude"):
        if key in d:
            d[key] = sorted(set(d[key]))
    return d


def _cond_key(c: dict) -> str:
    return json.dumps(c, sort_keys=True, default=str)


def canonical_es(search: EsSearch) -> dict:
    """The search as the request body can tell it apart, order-insensitive where order is meaningless."""
    from operatorx.tools.elastic.body import canonical

    with contextlib.suppress(Exception):  # the compact form is a fine fallback
        search = canonical(search)
    d = search.compact()
    for key in ("where", "any_of", "exclude"):
        if key in d:
            for c in d[key]:
                if c.get("op") == "in" and len(c["value"]) == 1:  # terms [x] finds what term x finds
                    del c["op"]
                    c["value"] = c["value"][0]
                if isinstance(c.get("value"), list):
                    c["value"] = sorted(c["value"], key=str)
            d[key] = sorted(d[key], key=_cond_key)
    if "fields" in d:
        d["fields"] = sorted(d["fields"])
    return d


def canonical(plan) -> dict:
    if isinstance(plan, NmapScan):
        return canonical_nmap(plan)
    if isinstance(plan, EsSearch):
        return canonical_es(plan)
    return {"tool": "none", "kind": plan.kind}


# --- executing searches ----------------------------------------------------------------------------


_NOW_MATH = re.compile(r"^now(?=$|[-+/])")
_BOUNDS = frozenset({"gte", "gt", "lte", "lt", "min", "max"})


def pin_now(body: Any, now: datetime) -> Any:
    """``body`` with every ``now`` of its date math anchored on ``now`` (``now-1h`` becomes
    ``2026-06-17T14:00:00.000Z||-1h``), so a window means the same whenever the search runs.

    Only range bounds (and histogram bounds) are date math; a term value "now" is a word.
    """
    anchor = now.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(body, dict):
        return {k: (_NOW_MATH.sub(anchor + "||", v).removesuffix("||")
                    if k in _BOUNDS and isinstance(v, str) else pin_now(v, now)) for k, v in body.items()}
    if isinstance(body, list):
        return [pin_now(v, now) for v in body]
    return body


class SearchJudge:
    """Runs searches against a cluster with the fixture data and compares what they find.

    With ``now`` set (the instant the fixture batch was generated for) every search runs as if at
    that instant: the verdict does not move with the clock.
    """

    def __init__(self, client: Any, url: str, now: datetime | None = None):
        self.client = client
        self.url = url
        self.now = now
        self._cache: dict[str, tuple | str] = {}

    def signature(self, search: EsSearch) -> tuple | str:
        """(total, hit ids in order or None, buckets or None, value) — or an error string."""
        from operatorx.tools.elastic.body import AGG_NAMES, build_body

        key = json.dumps(search.compact(), sort_keys=True)
        if key in self._cache:
            return self._cache[key]
        body = build_body(search)
        if self.now is not None:
            body = pin_now(body, self.now)
        body.pop("_source", None)
        body["_source"] = False
        try:
            resp = self.client.search(index=search.index, body=body)
        except Exception as e:  # noqa: BLE001 - a failing search is a result, not a crash
            self._cache[key] = f"error: {type(e).__name__}: {e}"
            return self._cache[key]
        data = getattr(resp, "body", resp)
        hits = data.get("hits", {})
        total = (hits.get("total") or {}).get("value", 0)
        ids = tuple(h["_id"] for h in hits.get("hits", [])) if search.size > 0 else None
        buckets = value = None
        if search.agg:
            raw = (data.get("aggregations") or {}).get(AGG_NAMES[search.agg.type], {})
            value = raw.get("value")
            if "buckets" in raw:
                buckets = tuple((str(b.get("key")), b["doc_count"]) for b in raw["buckets"])
        self._cache[key] = (total, ids, buckets, value)
        return self._cache[key]

    @staticmethod
    def empty(sig: tuple | str) -> bool:
        return isinstance(sig, str) or (sig[0] == 0 and not sig[2] and not sig[3])

    @staticmethod
    def same(expected: tuple | str, planned: tuple | str, ordered: bool) -> bool:
        """Whether the plan found what the expected search found: its hits in the same order when
        the expected search sorts ("the biggest connections"), else the same set of hits."""
        def unordered(sig: tuple | str) -> tuple | str:
            if isinstance(sig, str) or sig[1] is None:
                return sig
            return (sig[0], frozenset(sig[1]), *sig[2:])

        return expected == planned if ordered else unordered(expected) == unordered(planned)


def connect_judge(config, url: str | None, load_fixtures: bool) -> tuple[SearchJudge | None, str]:
    """A judge for the cluster at ``url``, or None and the reason (the report says which).

    ``load_fixtures`` makes the fixture streams hold exactly the judge's batch (replacing them in
    a cluster OperatorX started; an OperatorXError elsewhere, and when no cluster answers: a run
    judged by form only would quietly score differently). Without it, searches are pinned to
    the instant of the one batch the streams hold, or run at the clock's "now" when they hold
    anything else (several batches, other data).
    """
    from operatorx.errors import OperatorXError
    from operatorx.tools.elastic import fixtures
    from operatorx.tools.elastic.client import make_client

    es_cfg = config.elasticsearch.model_copy(update={"request_timeout_s": 10.0})
    try:
        client = make_client(es_cfg, url=url)
        client.cluster.health(timeout="5s")
    except (OperatorXError, Exception) as e:  # noqa: BLE001
        if load_fixtures:
            raise OperatorXError(
                f"--load-fixtures needs a cluster, but no cluster answered at {url} ({type(e).__name__}). Start one "
                "with `make es-up` (or name it with --es-url), or judge by canonical form with --no-es.") from None
        return None, f"no cluster answered at {url} ({type(e).__name__}); searches compared by canonical form only"
    now = fixtures.ensure_judge_data(client) if load_fixtures else fixtures.batch_instant(client)
    try:
        n = client.count(index="logs-zeek-so*", ignore_unavailable=True, allow_no_indices=True).get("count", 0)
    except Exception:  # noqa: BLE001
        n = 0
    if not n:
        return None, f"{url} holds no fixture data (use --load-fixtures); searches compared by canonical form only"
    when = (f"now pinned to the fixture batch's {now.isoformat(timespec='seconds')}" if now is not None
            else "now is the clock's: the streams hold no single known fixture batch (use --load-fixtures)")
    return SearchJudge(client, url, now), f"searches executed against {url} (fixture data) and compared; {when}"


# --- scoring -------------------------------------------------------------------------------------------


@dataclass
class RecordResult:
    id: str
    intent: str
    family: str
    tool: str  # expected
    pred_tool: str
    pred_kind: str | None
    valid_json: bool
    valid_call: bool
    first_try: bool
    match: bool
    how: str  # canonical | execution | kind | mismatch | error
    precheck: bool
    seconds: float
    question: str
    plan: dict | None
    raw_text: str
    # whether the planner's first grammar admits the expected call (None: no call expected, or no
    # grammar ran): a record it refuses can never match, whatever the model does
    reachable: bool | None = None


@dataclass
class Report:
    split: str
    model: str
    es_mode: str
    results: list[RecordResult] = field(default_factory=list)

    def rows(self) -> list[dict]:
        out = []
        for tool in (*TOOLS, "all"):
            rs = [r for r in self.results if tool == "all" or r.tool == tool]
            if rs:
                out.append(_summary(tool, rs))
        return out

    def by_intent(self) -> list[dict]:
        groups: dict[str, list[RecordResult]] = defaultdict(list)
        for r in self.results:
            groups[r.intent].append(r)
        return [{"intent": k, "n": len(v), "match": _rate(v, lambda r: r.match)} for k, v in sorted(groups.items())]

    def to_dict(self) -> dict:
        return {"split": self.split, "model": self.model, "es_mode": self.es_mode, "summary": self.rows(),
                "by_intent": self.by_intent(), "records": [asdict(r) for r in self.results]}

    def markdown(self) -> str:
        lines = [f"## Planner evaluation: {self.split} ({len(self.results)} records)", "",
                 f"Model: {self.model}  ", f"Elasticsearch: {self.es_mode}", "",
                 "| tool | n | valid JSON | valid call | first try | semantic match | right refusal | no call "
                 "| false refusal | reachable | p50 s | p95 s |",
                 "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for row in self.rows():
            cells = [row["tool"], str(row["n"])]
            rates = ("valid_json", "valid_call", "first_try", "match", "right_refusal", "no_call",
                     "false_refusal", "reachable")
            cells += [_pct_str(row.get(k)) for k in rates]
            cells += [_secs(row["p50_s"]), _secs(row["p95_s"])]
            lines.append("| " + " | ".join(cells) + " |")
        how = defaultdict(int)
        for r in self.results:
            how[r.how] += 1
        lines += ["", "Match decided by: " + ", ".join(f"{k} {v}" for k, v in sorted(how.items())),
                  "", "| intent | n | semantic match |", "|---|---|---|"]
        lines += [f"| {row['intent']} | {row['n']} | {_pct_str(row['match'])} |" for row in self.by_intent()]
        return "\n".join(lines) + "\n"


def _rate(rs: list, pred) -> float | None:
    return sum(1 for r in rs if pred(r)) / len(rs) if rs else None


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def _summary(tool: str, rs: list[RecordResult]) -> dict:
    none_rs = [r for r in rs if r.tool == "none"]
    call_rs = [r for r in rs if r.tool != "none"]
    secs = sorted(r.seconds for r in rs)
    return {
        "tool": tool, "n": len(rs),
        "valid_json": _rate(rs, lambda r: r.valid_json), "valid_call": _rate(rs, lambda r: r.valid_call),
        "first_try": _rate(rs, lambda r: r.first_try), "match": _rate(rs, lambda r: r.match),
        "right_refusal": _rate(none_rs, lambda r: r.match), "no_call": _rate(none_rs, lambda r: r.pred_tool == "none"),
        "false_refusal": _rate(call_rs, lambda r: r.pred_tool == "none"),
        "reachable": _rate([r for r in rs if r.reachable is not None], lambda r: r.reachable),
        "p50_s": _pct(secs, 50), "p95_s": _pct(secs, 95),
    }


def _pct_str(v: float | None) -> str:
    return "–" if v is None else f"{v:.1%}"


def _secs(v: float | None) -> str:
    return "–" if v is None else f"{v:.2f}"


def judge_match(expected: dict, plan, judge: SearchJudge | None) -> tuple[bool, str]:
    exp = parse_plan(expected)
    if plan is None:
        return False, "error"
    if exp.tool != plan.tool:
        return False, "mismatch"
    if isinstance(exp, Reply):
        return (exp.kind == plan.kind), ("kind" if exp.kind == plan.kind else "mismatch")
    if canonical(exp) == canonical(plan):
        return True, "canonical"
    if isinstance(exp, EsSearch) and judge is not None:
        sig = judge.signature(exp)
        if not judge.empty(sig):
            same = judge.same(sig, judge.signature(plan), ordered=bool(exp.sort))
            return same, "execution" if same else "mismatch"
    return False, "mismatch"


def score(rec: dict, outcome: Outcome | None, seconds: float, judge: SearchJudge | None) -> RecordResult:
    plan = getattr(outcome, "plan", None)
    raw = getattr(outcome, "raw_text", "") or ""
    attempts = getattr(outcome, "attempts", 0) or 0
    precheck = outcome is not None and attempts == 0
    try:
        data = json.loads(raw)
        valid_json = isinstance(data, dict)
    except (json.JSONDecodeError, TypeError):
        data, valid_json = None, False
    valid_call = precheck
    if valid_json and plan is not None:
        try:
            valid_call = parse_plan(data).compact() == plan.compact()
        except Exception:  # noqa: BLE001 - invalid is the answer
            valid_call = False
    match, how = judge_match(rec["target"], plan, judge)
    return RecordResult(
        id=rec["id"], intent=rec["intent"], family=rec["family"], tool=rec["tool"],
        pred_tool=plan.tool if plan is not None else "error", pred_kind=getattr(plan, "kind", None),
        valid_json=valid_json or precheck, valid_call=valid_call, first_try=valid_call and attempts <= 1,
        match=match, how=how, precheck=precheck, seconds=seconds, question=rec["question"],
        plan=plan.compact() if plan is not None else None, raw_text=raw,
        reachable=reachable(rec, getattr(outcome, "grammar", None)),
    )


def reachable(rec: dict, grammar: dict | None) -> bool | None:
    """Whether ``grammar`` (the planner's first, for this record) admits the expected call."""
    if grammar is None or rec["tool"] == "none":
        return None
    from operatorx.agent.prompting import format_call
    from operatorx.backend.reach import admits

    return admits(grammar, format_call(rec["target"]))


def evaluate(records: Iterable[dict], plan_fn: PlanFn, *, judge: SearchJudge | None = None, split: str = "?",
             model: str = "?", es_mode: str = "canonical form only", progress=None) -> Report:
    """Plan every record and score it; a planner crash scores as an invalid answer, not a crash."""
    import time

    report = Report(split, model, es_mode)
    for i, rec in enumerate(records):
        t = time.perf_counter()
        try:
            outcome = plan_fn(rec["question"], rec["previous"])
        except Exception as e:  # noqa: BLE001 - one bad record must not end the run
            outcome = None
            if progress:
                progress(i, rec, f"planner failed: {e}")
        seconds = (getattr(outcome, "timings", {}) or {}).get("total", time.perf_counter() - t)
        report.results.append(score(rec, outcome, seconds, judge))
        if progress:
            progress(i, rec, report.results[-1])
    return report


# --- wiring the real planner -------------------------------------------------------------------------


def scope_resolver(config) -> Callable:
    """Resolve the scope's hostnames to an in-scope address, without DNS.

    The dataset's hostnames (ws-fin-07, dc01.corp.internal …) do not exist on the machine that
    runs the evaluation; the planner's policy would refuse them for not resolving. Anything else
    fails to resolve, as it would here anyway.
    """
    import fnmatch

    pats = [p.lower() for p in config.scope.hostnames]

    def resolve(host, port, *args, **kwargs):
        if any(fnmatch.fnmatch(str(host).lower(), p) for p in pats):
            if str(host).lower() == "localhost":
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 0))]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.255.0.1", 0))]
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    return resolve


def planner_fn(planner) -> PlanFn:
    """Adapt ``operatorx.agent.planner.Planner``: a record's previous call becomes the last call."""
    from operatorx.agent.conversation import Conversation
    from operatorx.schemas.plan import parse_call

    def plan(question: str, previous: dict | None):
        conv = Conversation()
        if previous is not None:
            conv.add_call("(previous request)", parse_call(previous))
        return planner.plan(question, conv, follow_up=previous is not None)

    return plan


def load_split(data_dir: Path, split: str, limit: int | None = None) -> list[dict]:
    path = Path(data_dir) / f"{split}.jsonl"
    with path.open(encoding="utf-8") as f:
        recs = [json.loads(line) for line in f if line.strip()]
    return recs[:limit] if limit else recs
