"""Follow-ups: a previous call plus a short edit ("same for 10.0.0.6", "now the top 20").

The previous call is the target of a record from an ordinary family; the answer is the
whole edited call (the planner replaces the last call with it). Each edit knows when it
applies (``ok``) and how (``apply``); a previous call it cannot edit is drawn again. A few
records carry a previous call but ask something new: the answer ignores the previous call.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass

from operatorx.schemas.nmap import target_kind
from operatorx.training import datagen_values as V
from operatorx.training.datagen_es_aggs import AGG_FIELDS, FIELD_SETS, FIELD_WORDS
from operatorx.training.datagen_es_common import es
from operatorx.training.datagen_nmap import inside, port_spec, scan, target
from operatorx.training.datagen_phrasing import (
    CHATTY_SUF,
    SHIFT_SUF,
    Bag,
    Example,
    Family,
    Reject,
    drawer,
    render,
    time_window,
    with_frame,
)
from operatorx.training.datagen_values import Phrase

PORT_SELECTION = ("ports", "top_ports", "all_ports", "fast")
PROBES = ("ports", "top_ports", "all_ports", "fast", "service_version", "version_intensity", "os_detection", "udp",
          "aggressive", "scripts", "open_only")


@dataclass
class Edit:
    id: str
    tool: str
    train: list[str]
    shifted: list[str]
    ok: Callable[[dict], bool]
    apply: Callable[[dict, Bag], dict]
    weight: float = 1.0


def _nmap(prev: dict, drop=(), **changes) -> dict:
    d = {k: v for k, v in prev.items() if k not in ("tool", "ipv6", *drop)}
    d.update(changes)
    return scan(**d)


def _net(prev: dict) -> bool:
    return len(prev["targets"]) == 1 and target_kind(prev["targets"][0]) in ("cidr4", "range4")


def _v4(prev: dict) -> bool:
    return all(":" not in t for t in prev["targets"])


drawer("one4")(lambda r, b: target(r, kinds=("ip", "host")))


@drawer("pspec")
def _pspec(r, b):
    text, spec = port_spec(r)
    return Phrase(text, {"value": spec})


@drawer("tw")
def _tw(r, b):
    p = time_window(r, b.shifted, lead=False)
    return Phrase(p.text.strip(), p.meaning)


drawer("tk")(lambda r, b: r.randint(0, 5))
drawer("top")(lambda r, b: r.choice([20, 50, 100, 200, 1000, 2000]))
drawer("rate")(lambda r, b: r.choice([20, 50, 100, 200, 500]))
drawer("hto")(lambda r, b: Phrase(*(lambda t: (t[0], {"value": t[1]}))(r.choice([("30s", "30s"), ("1 minute", "1m"), ("5m", "5m")]))))

NMAP_EDITS = [
    Edit("retarget", "nmap", ["same for {one4}", "now {one4}", "do the same on {one4}", "and {one4}?", "same scan against {one4}",
                              "repeat for {one4}"], ["rerun it pointed at {one4}"],
         lambda p: True, lambda p, b: _nmap(p, drop=("targets", "exclude"), targets=b["one4"].meaning["targets"]), 3),
    Edit("add_target", "nmap", ["also {one4}", "add {one4} too", "include {one4} as well", "plus {one4}"], ["throw {one4} in too"],
         lambda p: _v4(p) and len(p["targets"]) < 4, lambda p, b: _nmap(p, targets=p["targets"] + b["one4"].meaning["targets"]), 1.5),
    Edit("ports", "nmap", ["only {pspec}", "just port {pspec}", "only ports {pspec}", "just {pspec}", "ports {pspec} only"],
         ["limit it to {pspec}"], lambda p: True,
         lambda p, b: _nmap(p, drop=PORT_SELECTION + (("technique",) if p.get("technique") == "ping" else ()),
                            ports=b["pspec"].meaning["value"]), 2),
    Edit("add_sv", "nmap", ["add version detection", "with -sV", "also get versions", "add svc ver", "+ service versions"],
         ["and fingerprint versions too"], lambda p: not p.get("service_version") and p.get("technique") != "ping",
         lambda p, b: _nmap(p, service_version=True), 2),
    Edit("drop_sv", "nmap", ["without version detection", "no -sV", "no versions", "skip the version scan"],
         ["lose the version probing"], lambda p: p.get("service_version"),
         lambda p, b: _nmap(p, drop=("service_version", "version_intensity"))),
    Edit("add_os", "nmap", ["add os detection", "also -O", "with os det too", "and detect the os"], ["and tell me the platform too"],
         lambda p: not p.get("os_detection") and p.get("technique") != "ping", lambda p, b: _nmap(p, os_detection=True), 1.5),
    Edit("drop_os", "nmap", ["no os detection", "no -O", "skip the os part"], [],
         lambda p: p.get("os_detection"), lambda p, b: _nmap(p, drop=("os_detection",)), 0.6),
    Edit("timing", "nmap", ["use T{tk}", "make it -T{tk}", "timing {tk}", "T{tk} please"], ["speed level {tk} instead"],
         lambda p: True, lambda p, b: _nmap(p, timing=b["tk"]), 1.2),
    Edit("faster", "nmap", ["faster", "make it faster", "speed it up", "quicker timing"], ["turn the speed up a notch"],
         lambda p: p.get("timing", 3) < 5, lambda p, b: _nmap(p, timing=p.get("timing", 3) + 1)),
    Edit("slower", "nmap", ["slower", "slow it down", "make it quieter", "less noisy please"], ["ease off the speed a notch"],
         lambda p: p.get("timing", 3) > 0, lambda p, b: _nmap(p, timing=p.get("timing", 3) - 1)),
    Edit("all_ports", "nmap", ["all ports instead", "every port", "do all 65535", "-p- instead"], ["cover the whole port range instead"],
         lambda p: not p.get("all_ports") and p.get("technique") != "ping", lambda p, b: _nmap(p, drop=PORT_SELECTION, all_ports=True)),
    Edit("top", "nmap", ["top {top} instead", "just the top {top} ports", "top {top} ports"], [],
         lambda p: p.get("technique") != "ping", lambda p, b: _nmap(p, drop=PORT_SELECTION, top_ports=b["top"])),
    Edit("skip_ping", "nmap", ["add -Pn", "skip the ping", "they block ping, skip discovery", "assume they're up"],
         ["don't bother pinging first"], lambda p: not p.get("skip_discovery") and p.get("technique") != "ping",
         lambda p, b: _nmap(p, skip_discovery=True), 1.2),
    Edit("open_only", "nmap", ["only show open ones", "just the open ports", "--open", "hide closed ports"], ["only the ones that are open"],
         lambda p: not p.get("open_only") and p.get("technique") != "ping", lambda p, b: _nmap(p, open_only=True), 1.2),
    Edit("exclude", "nmap", ["exclude {x}", "skip {x}", "leave out {x}", "but not {x}", "without {x}"], ["spare {x}"],
         _net, lambda p, b: _nmap(p, exclude=sorted(set(p.get("exclude", []) + [b["x"]]))), 1.5),
    Edit("add_udp", "nmap", ["add udp", "udp too", "also scan udp", "+udp"], ["cover udp as well"],
         lambda p: p.get("technique", "default") in ("default", "syn", "connect") and not p.get("udp"),
         lambda p, b: _nmap(p, udp=True)),
    Edit("traceroute", "nmap", ["with traceroute", "add --traceroute", "trace the route too"], [],
         lambda p: not p.get("traceroute"), lambda p, b: _nmap(p, traceroute=True), 0.6),
    Edit("scripts", "nmap", ["run the default scripts too", "add -sC", "also run the {ncat} scripts"], ["throw in the {ncat} NSE set"],
         lambda p: p.get("technique") != "ping" and not p.get("scripts"),
         lambda p, b: _nmap(p, scripts=[b.get("ncat", "default")])),
    Edit("syn", "nmap", ["make it a syn scan", "use -sS instead", "switch to a stealth scan"], ["go half-open instead"],
         lambda p: p.get("technique") not in ("syn", "ping"), lambda p, b: _nmap(p, technique="syn")),
    Edit("connect", "nmap", ["switch to a connect scan", "use -sT", "no raw packets, connect scan"], [],
         lambda p: p.get("technique") not in ("connect", "ping"), lambda p, b: _nmap(p, technique="connect"), 0.6),
    Edit("ping_only", "nmap", ["just check which are up", "only host discovery", "make it a ping sweep", "-sn instead"],
         ["only tell me who's alive"], lambda p: p.get("technique") != "ping",
         lambda p, b: _nmap(p, drop=PROBES, technique="ping")),
    Edit("aggressive", "nmap", ["make it -A", "go aggressive (-A)", "add -A"], [],
         lambda p: not p.get("aggressive") and p.get("technique") != "ping", lambda p, b: _nmap(p, aggressive=True), 0.6),
    Edit("max_rate", "nmap", ["cap it at {rate} pps", "max rate {rate}", "no more than {rate} packets per second"], [],
         lambda p: "min_rate" not in p, lambda p, b: _nmap(p, max_rate=b["rate"]), 0.6),
    Edit("host_timeout", "nmap", ["give up on hosts after {hto}", "host timeout {hto}"], [],
         lambda p: "host_timeout" not in p, lambda p, b: _nmap(p, host_timeout=b["hto"].meaning["value"]), 0.5),
]
drawer("ncat")(lambda r, b: r.choice(["safe", "discovery", "vuln", "version"]))


# --- Elasticsearch edits -------------------------------------------------------------------------------

IP_FIELDS = ("source.ip", "destination.ip")


def _ip_conds(p: dict) -> list[dict]:
    return [c for key in ("where", "any_of") for c in p.get(key, [])
            if c["field"] in IP_FIELDS and c.get("op", "eq") == "eq" and "/" not in str(c.get("value"))]


def _es(p: dict, drop=(), **changes) -> dict:
    d = {k: copy.deepcopy(v) for k, v in p.items() if k not in ("tool", *drop)}
    d.update(changes)
    return es(None, time={k: d.pop(k) for k in ("since", "until") if k in d}, index=d.pop("index", None),
              where=d.pop("where", ()), any_of=d.pop("any_of", ()), exclude=d.pop("exclude", ()),
              agg=d.pop("agg", None), size=d.pop("size", None),
              sort=[(s["field"], s.get("order", "desc")) for s in d.pop("sort", [])], fields=d.pop("fields", None))


def _retarget(p, b):
    old = _ip_conds(p)[0]["value"]
    out = copy.deepcopy(p)
    for key in ("where", "any_of"):
        for c in out.get(key, []):
            if c["field"] in IP_FIELDS and c.get("value") == old:
                c["value"] = b["ip"]
    return _es(out)


def _set_where(p: dict, field: str, value) -> list[dict]:
    where = [c for c in copy.deepcopy(p.get("where", [])) if c["field"] != field]
    return where + [{"field": field, "value": value}]


def _kind_tag(p: dict) -> str | None:
    return next((c["value"] for c in p.get("where", []) if c["field"] == "tags"), None)


def _hits(p: dict) -> bool:
    return "agg" not in p and p.get("size", 20) > 0


def _terms(p: dict) -> bool:
    return "agg" in p and p["agg"].get("type", "terms") == "terms"


def _group_field(p: dict, b: Bag) -> tuple[str, str]:
    tag = _kind_tag(p)
    rows = [row for row in AGG_FIELDS if row[0] == tag] or [row for row in AGG_FIELDS if row[0] is None]
    _, field, _, singular = b.r.choice(rows)
    return field, b.r.choice(singular)


@drawer("gb")
def _gb(r, b):
    field, text = _group_field(b["prev"], b)
    return Phrase(text, {"value": field})


@drawer("flds")
def _flds(r, b):
    tag = _kind_tag(b["prev"]) or "conn"
    chosen = r.sample(FIELD_SETS.get(tag, FIELD_SETS["conn"]), r.randint(1, 3))
    return Phrase(V.join_list(r, [r.choice(FIELD_WORDS[f]) for f in chosen]), {"value": chosen})


def m_(b: Bag, key: str):
    return b[key].meaning["value"]


@drawer("hper")
def _hper(r, b):
    text, interval = r.choice([("over time", "1h"), ("per hour", "1h"), ("hourly", "1h"), ("per day", "1d"),
                               ("daily", "1d"), ("as a timeline", "1h"), ("per 10 minutes", "10m")])
    return Phrase(text, {"value": interval})


drawer("nn")(lambda r, b: r.choice([3, 5, 15, 20, 25, 50]))
drawer("lim")(lambda r, b: r.choice([5, 50, 100, 200]))
drawer("xip")(lambda r, b: V.ip4(r))
drawer("eport")(lambda r, b: V.port(r))

ES_EDITS = [
    Edit("retarget", "elasticsearch", ["same for {ip}", "now {ip}", "what about {ip}?", "do it for {ip} instead", "same but {ip}",
                                       "and for {ip}?"], ["swap in {ip}"], lambda p: bool(_ip_conds(p)), _retarget, 3),
    Edit("only_port", "elasticsearch", ["only {eport}", "just port {eport}", "only port {eport}", "port {eport} only"],
         ["narrow it to port {eport}"], lambda p: _kind_tag(p) in ("conn", "alert", None) and "exclude" not in p,
         lambda p, b: _es(p, where=_set_where(p, "destination.port", b["eport"])), 1.5),
    Edit("time", "elasticsearch", ["make it {tw}", "{tw} instead", "same but {tw}", "change the window to {tw}", "only {tw}"],
         ["rewind to {tw}"], lambda p: True,
         lambda p, b: _es(p, drop=("since", "until"), **b["tw"].meaning), 2.5),
    Edit("all_time", "elasticsearch", ["all time", "no time filter", "no time limit"], ["over the whole retention"],
         lambda p: "since" in p, lambda p, b: _es(p, drop=("since", "until")), 0.6),
    Edit("top_n", "elasticsearch", ["now the top {nn}", "top {nn} instead", "show {nn}", "give me {nn} buckets"],
         ["widen it to {nn} entries"], lambda p: _terms(p),
         lambda p, b: _es(p, agg={**p["agg"], "size": b["nn"]}), 2),
    Edit("rare", "elasticsearch", ["least common instead", "flip it, rarest first", "now the bottom ones"], ["the other end of the list"],
         lambda p: _terms(p) and p["agg"].get("order", "desc") == "desc",
         lambda p, b: _es(p, agg={**p["agg"], "order": "asc"})),
    Edit("exclude_ip", "elasticsearch", ["exclude {xip}", "without {xip}", "leave {xip} out of that", "ignore {xip}"],
         ["filter {xip} out"], lambda p: _terms(p) and p["agg"]["field"] in IP_FIELDS,
         lambda p, b: _es(p, exclude=p.get("exclude", []) + [{"field": p["agg"]["field"], "value": b["xip"]}]), 1.5),
    Edit("count", "elasticsearch", ["just count them", "how many?", "only the count", "count instead", "just the number"],
         ["just give me the total"], _hits, lambda p, b: _es(p, drop=("sort", "fields"), size=0), 2),
    Edit("group_by", "elasticsearch", ["group by {gb}", "break it down by {gb}", "by {gb}", "top {gb}s"], ["split that up per {gb}"],
         _hits, lambda p, b: _es(p, drop=("sort", "fields", "size"), agg={"field": m_(b, "gb")}), 2),
    Edit("histogram", "elasticsearch", ["{hper}", "show it {hper}", "now {hper}"], ["plot that {hper}"],
         lambda p: "agg" not in p or _terms(p),
         lambda p, b: _es(p, drop=("sort", "fields", "size", "agg"),
                          agg={"type": "date_histogram", "field": "@timestamp", "interval": m_(b, "hper")}), 1.5),
    Edit("fields", "elasticsearch", ["only show {flds}", "just the {flds}", "columns {flds}"], ["I only need {flds}"],
         lambda p: _hits(p) and "fields" not in p, lambda p, b: _es(p, fields=m_(b, "flds")), 1.2),
    Edit("sort_bytes", "elasticsearch", ["sort by bytes", "biggest first", "largest first"], ["order it by size, biggest on top"],
         lambda p: _hits(p) and _kind_tag(p) == "conn" and "sort" not in p,
         lambda p, b: _es(p, sort=[{"field": "network.bytes", "order": "desc"}]), 0.8),
    Edit("show_events", "elasticsearch", ["show me the events", "list the actual records", "show the raw logs"],
         ["let me see the underlying documents"], lambda p: "agg" in p, lambda p, b: _es(p, drop=("agg", "size")), 1.2),
    Edit("add_src", "elasticsearch", ["only from {ip}", "just from {ip}", "limit it to source {ip}"], [],
         lambda p: not any(c["field"] == "source.ip" for c in p.get("where", []) + p.get("any_of", [])),
         lambda p, b: _es(p, where=_set_where(p, "source.ip", b["ip"])), 1.2),
    Edit("exclude_port", "elasticsearch", ["exclude port {eport}", "not port {eport}", "without port {eport}"], [],
         lambda p: _kind_tag(p) == "conn", lambda p, b: _es(p, exclude=p.get("exclude", []) + [{"field": "destination.port", "value": b["eport"]}])),
    Edit("more", "elasticsearch", ["show {lim}", "give me {lim}", "{lim} results"], [],
         lambda p: _hits(p) and p.get("size", 20) != 0, lambda p, b: _es(p, size=b["lim"]), 0.8),
    Edit("zeek_only", "elasticsearch", ["only zeek", "just the zeek records", "zeek only"], ["restrict it to zeek's view"],
         lambda p: _kind_tag(p) in ("conn", "dns", "http", "ssl", "notice", "ssh", "smtp", "x509"),
         lambda p, b: _es(p, where=[c if c["field"] != "tags" else {"field": "event.dataset", "value": "zeek." + c["value"]}
                                    for c in p["where"]])),
    Edit("suricata_only", "elasticsearch", ["only suricata", "just suricata", "suricata only"], [],
         lambda p: _kind_tag(p) in ("conn", "dns", "http", "ssl", "alert"),
         lambda p, b: _es(p, where=[c if c["field"] != "tags" else {"field": "event.dataset", "value": "suricata." + c["value"]}
                                    for c in p["where"]]), 0.6),
]




# --- families ----------------------------------------------------------------------------------------

def make_followup(edit: Edit, held_out: bool, sources: list[Family]) -> Callable[[random.Random], Example]:
    def make(r: random.Random) -> Example:
        for _ in range(400):
            src = r.choices(sources, [f.weight for f in sources])[0]
            try:
                prev = src.make(r).target
            except Reject:
                continue
            if edit.ok(prev):
                break
        else:
            raise LookupError(f"no previous call fits edit {edit.id}")
        bag = Bag(r, shifted=held_out, prev=prev)
        if edit.id == "exclude":
            bag["x"] = inside(r, prev["targets"][0])
        template = r.choice(edit.shifted if held_out and edit.shifted else edit.train)
        q = render(template, bag)
        bag.frozen = True
        q = with_frame(r, q, [], SHIFT_SUF if held_out else CHATTY_SUF)
        return Example(q, edit.apply(prev, bag), previous=prev)

    return make


def families(nmap_sources: list[Family], es_sources: list[Family]) -> list[Family]:
    out = []
    for edit in NMAP_EDITS + ES_EDITS:
        sources = nmap_sources if edit.tool == "nmap" else es_sources
        intent = f"followup.{'nmap' if edit.tool == 'nmap' else 'es'}"
        out.append(Family(f"follow.{edit.tool[:5]}.{edit.id}", intent, edit.tool, edit.weight, False,
                          make_followup(edit, False, sources)))
        if edit.shifted:
            out.append(Family(f"follow.{edit.tool[:5]}.{edit.id}~s", intent, edit.tool, edit.weight * 0.5, True,
                              make_followup(edit, True, sources)))
    return out


def new_topic(sources: list[Family], prev_sources: list[Family], held_out: bool) -> Callable[[random.Random], Example]:
    """A previous call, but an unrelated new question: the answer ignores the previous call."""

    def make(r: random.Random) -> Example:
        while True:
            try:
                prev = r.choice(prev_sources).make(r).target
                break
            except Reject:
                continue
        ex = r.choices(sources, [f.weight for f in sources])[0].make(r)
        return Example(ex.question, ex.target, previous=prev)

    return make
