"""Shared pieces of the Elasticsearch families: value drawers, record kinds, target builder.

Conventions (the model learns them, so every family follows them; DATASET_CARD lists them):

* The index stays ``logs-*`` (left out of the compact form) unless the question names an
  index or data stream itself ("in logs-zeek-so*").
* A record kind named without a sensor ("dns lookups", "alerts", "connections") restricts
  with ``tags`` (cross-sensor, as SO's own hunt queries do); a kind named with its sensor
  ("zeek dns logs", "suricata alerts", "NIDS alerts", "yara hits") restricts with
  ``event.dataset``. Windows data has no tags: ``event.dataset`` always. "processes" means
  ``event.category: process``. No kind named, no restriction.
* "from X" is ``source.ip``, "to X" is ``destination.ip``, "involving X" is either (any_of).
* Top-N is a terms aggregation with ``size: 0`` hits; "how many distinct" is cardinality;
  "how many"/"count" alone is ``size: 0`` with no aggregation; "over time"/"per hour" is a
  date_histogram on ``@timestamp``.
"""

from __future__ import annotations

import random
from functools import cache

from operatorx.schemas.elastic import EsSearch
from operatorx.training import datagen_values as V
from operatorx.training.datagen_phrasing import Bag, Reject, drawer
from operatorx.training.datagen_values import Phrase

# --- record kinds --------------------------------------------------------------------------------


def _tag(v: str) -> dict:
    return {"field": "tags", "value": v}


def _ds(v: str) -> dict:
    return {"field": "event.dataset", "value": v}


# kind → [(weight, phrases, condition)]; the first entry is the generic (tags) one.
KINDS: dict[str, list[tuple[int, list[str], dict]]] = {
    "conn": [(7, ["connections", "conns", "traffic", "flows", "network connections", "conn logs",
                  "connection logs", "sessions"], _tag("conn")),
             (2, ["zeek conn logs", "zeek connections", "zeek conn records"], _ds("zeek.conn")),
             (1, ["suricata flows", "suricata flow records"], _ds("suricata.conn"))],
    "dns": [(7, ["dns lookups", "DNS queries", "dns requests", "lookups", "dns logs", "dns traffic",
                 "dns records"], _tag("dns")),
            (2, ["zeek dns logs", "zeek dns queries"], _ds("zeek.dns")),
            (1, ["suricata dns events", "suricata dns logs"], _ds("suricata.dns"))],
    "http": [(7, ["http requests", "HTTP traffic", "web requests", "http logs", "http sessions"], _tag("http")),
             (2, ["zeek http logs", "zeek http requests"], _ds("zeek.http")),
             (1, ["suricata http events"], _ds("suricata.http"))],
    "ssl": [(7, ["tls sessions", "SSL connections", "TLS handshakes", "ssl logs", "tls connections"], _tag("ssl")),
            (2, ["zeek ssl logs", "zeek tls logs"], _ds("zeek.ssl")),
            (1, ["suricata tls events", "suricata ssl logs"], _ds("suricata.ssl"))],
    "file": [(6, ["file transfers", "files", "file logs", "files seen on the wire"], _tag("file")),
             (2, ["zeek files logs", "zeek file records"], _ds("zeek.file")),
             (2, ["strelka scans", "strelka results", "strelka file scans"], _ds("strelka.file"))],
    "alert": [(6, ["alerts", "alert events", "all alerts"], _tag("alert")),
              (3, ["suricata alerts", "NIDS alerts", "IDS alerts", "suricata alert events"], _ds("suricata.alert")),
              (1, ["yara hits", "strelka alerts", "yara matches"], _ds("strelka.alert"))],
    "notice": [(5, ["notices", "notice logs"], _tag("notice")),
               (5, ["zeek notices", "zeek notice logs"], _ds("zeek.notice"))],
    "ssh": [(7, ["ssh sessions", "ssh connections", "ssh logs", "ssh logins"], _tag("ssh")),
            (3, ["zeek ssh logs"], _ds("zeek.ssh"))],
    "smtp": [(7, ["emails", "smtp traffic", "mails", "smtp logs"], _tag("smtp")),
             (3, ["zeek smtp logs"], _ds("zeek.smtp"))],
    "x509": [(7, ["certificates", "x509 certs", "certs", "x509 records"], _tag("x509")),
             (3, ["zeek x509 logs"], _ds("zeek.x509"))],
    "sysmon": [(1, ["sysmon events", "sysmon logs", "sysmon records"], _ds("windows.sysmon_operational"))],
    "security": [(1, ["windows security events", "security log events", "windows security logs"],
                  _ds("system.security"))],
    "ps": [(1, ["powershell logs", "powershell operational events"], _ds("windows.powershell_operational"))],
    "osq": [(1, ["osquery results", "osquery rows"], _ds("osquery_manager.result"))],
    "endpoint": [(1, ["elastic defend process events", "endpoint process events"], _ds("endpoint.events.process"))],
    "process": [(1, ["processes", "process starts", "process executions", "programs run", "process events"],
              {"field": "event.category", "value": "process"})],
}
SHIFT_KINDS = {
    "conn": ["netflow records", "connection records"], "dns": ["name resolutions", "resolver logs"],
    "http": ["web hits"], "alert": ["detections", "alarms"], "process": ["executed programs"],
}


def kind(r: random.Random, name: str, shifted: bool) -> Phrase:
    options = KINDS[name]
    if shifted and name in SHIFT_KINDS and r.random() < 0.4:
        return Phrase(r.choice(SHIFT_KINDS[name]), {"cond": options[0][2]})
    _, phrases, cond = r.choices(options, [o[0] for o in options])[0]
    return Phrase(r.choice(phrases), {"cond": cond})


for _name in KINDS:
    drawer(_name)(lambda r, bag, _n=_name: kind(r, _n, bag.shifted))


drawer("sfile")(lambda r, bag: _no_zeek(kind(r, "file", bag.shifted), r, bag))


def _no_zeek(p: Phrase, r: random.Random, bag: Bag) -> Phrase:
    """File sizes live in Strelka/Suricata records (Zeek has file.bytes.*): no zeek kind."""
    while p.meaning["cond"]["value"] == "zeek.file":
        p = kind(r, "file", bag.shifted)
    return p


def k(bag: Bag, name: str = "kind") -> dict:
    """The condition of the kind phrase the question used."""
    return dict(bag[name].meaning["cond"])


# --- value drawers ---------------------------------------------------------------------------------

drawer("ip")(lambda r, b: V.ip4(r))
drawer("pip")(lambda r, b: r.choice(V.PUBLIC_IPS))
drawer("dip")(lambda r, b: r.choice(V.PUBLIC_IPS) if r.random() < 0.35 else V.ip4(r))
drawer("cidr")(lambda r, b: V.cidr_search(r))
drawer("port")(lambda r, b: V.port(r))
drawer("domain")(lambda r, b: V.domain(r))
drawer("base")(lambda r, b: r.choice(V.BASE_DOMAINS))
drawer("host")(lambda r, b: V.win_host(r))
drawer("user")(lambda r, b: r.choice(V.USERS))
drawer("proc")(lambda r, b: r.choice(V.PROCS))
drawer("parent")(lambda r, b: r.choice(V.PARENTS))
drawer("sid")(lambda r, b: r.choice(V.SIDS))
drawer("rule")(lambda r, b: r.choice(V.RULE_NAMES))
drawer("rprefix")(lambda r, b: r.choice(V.RULE_PREFIXES))
drawer("rword")(lambda r, b: r.choice(V.RULE_WORDS))
drawer("cat")(lambda r, b: r.choice(V.RULE_CATEGORIES))
drawer("sensor")(lambda r, b: r.choice(V.SENSORS))
drawer("ua")(lambda r, b: r.choice(V.USER_AGENT_BITS))
drawer("fullua")(lambda r, b: r.choice(V.USER_AGENTS))
drawer("uri")(lambda r, b: r.choice(V.URI_BITS))
drawer("path")(lambda r, b: r.choice(V.URIS))
drawer("method")(lambda r, b: r.choice(V.HTTP_METHODS))
drawer("sev")(lambda r, b: r.choice(V.SEVERITIES))
drawer("note")(lambda r, b: r.choice(V.NOTICES))
drawer("qtype")(lambda r, b: r.choice(V.DNS_TYPES))
drawer("rcode")(lambda r, b: r.choice(V.RCODES))
drawer("md5")(lambda r, b: V.hexstr(r, 32))
drawer("sha1")(lambda r, b: V.hexstr(r, 40))
drawer("sha256")(lambda r, b: V.hexstr(r, 64))
drawer("ja3")(lambda r, b: V.hexstr(r, 32))
drawer("ext")(lambda r, b: r.choice(V.FILE_EXTS))
drawer("fname")(lambda r, b: f"{r.choice(['invoice', 'update', 'setup', 'payload', 'report', 'scan'])}"
                             f"_{r.randint(1, 9999)}.{r.choice(V.FILE_EXTS)}")
drawer("cmd")(lambda r, b: r.choice(V.CMD_BITS))
drawer("sshclient")(lambda r, b: r.choice(V.SSH_CLIENTS))
drawer("country")(lambda r, b: r.choice(V.COUNTRIES))
drawer("mailfrom")(lambda r, b: r.choice(V.MAIL_FROM))
drawer("subj")(lambda r, b: r.choice(V.SUBJECTS))
drawer("vstatus")(lambda r, b: r.choice(V.VALIDATION))
drawer("n")(lambda r, b: r.choice([3, 5, 5, 10, 10, 10, 15, 20, 20, 25, 50]))
drawer("status")(lambda r, b: r.choice([200, 301, 302, 400, 401, 403, 404, 405, 500, 502, 503]))
drawer("word")(lambda r, b: r.choice(["error", "denied", "timeout", "failed", "refused", "invalid"]))
drawer("quote")(lambda r, b: r.choice(["failed password", "authentication failure", "connection refused",
                                       "access denied", "permission denied", "invalid user"]))
drawer("dga")(lambda r, b: V.dga_label(r))


@drawer("tls")
def _tls(r, b):
    value = r.choice(list(V.TLS_VERSIONS))
    return Phrase(r.choice(V.TLS_VERSIONS[value]), {"value": value})


@drawer("mime")
def _mime(r, b):
    value = r.choice(list(V.MIME))
    return Phrase(r.choice(V.MIME[value]), {"value": value})


@drawer("state")
def _state(r, b):
    value = r.choice(list(V.CONN_STATES))
    return Phrase(r.choice(V.CONN_STATES[value]), {"value": value})


@drawer("folder")
def _folder(r, b):
    value = r.choice(list(V.FOLDERS))
    return Phrase(r.choice(V.FOLDERS[value]), {"value": f"*{value}*"})


@drawer("scode")
def _scode(r, b):
    code = r.choice(list(V.SYSMON_CODES))
    text = r.choice(V.SYSMON_CODES[code] + [f"sysmon event {code}", f"event id {code}"])
    return Phrase(text, {"value": code})


@drawer("wcode")
def _wcode(r, b):
    code = r.choice(list(V.SECURITY_CODES))
    text = r.choice(V.SECURITY_CODES[code] + [f"event id {code}", f"{code} events"])
    return Phrase(text, {"value": code})


@drawer("bytes")
def _bytes(r, b):
    n = r.choice([100_000, 500_000, 1_000_000, 5_000_000, 10_000_000, 50_000_000, 100_000_000,
                  500_000_000, 1_000_000_000, 2_000_000_000])
    return Phrase(V.size_phrase(r, n), {"value": n})


@drawer("dur")
def _dur(r, b):
    secs, texts = r.choice([(30, ["30 seconds", "30s"]), (60, ["a minute", "1 minute", "60s"]),
                            (300, ["5 minutes", "5 min"]), (600, ["10 minutes"]), (1800, ["30 minutes", "half an hour"]),
                            (3600, ["an hour", "1 hour", "1h"]), (7200, ["2 hours"]), (86400, ["a day", "24 hours"])])
    return Phrase(r.choice(texts), {"value": secs})


@drawer("ports")
def _ports(r, b):
    ps = sorted(r.sample(V.COMMON_PORTS, r.randint(2, 4)), key=V.COMMON_PORTS.index)
    return Phrase(V.join_list(r, [str(p) for p in ps], conj=r.choice(["or", "and"])), {"value": ps})


@drawer("ips")
def _ips(r, b):
    ips = []
    while len(ips) < r.randint(2, 3):
        ip = V.ip4(r)
        if ip not in ips:
            ips.append(ip)
    return Phrase(V.join_list(r, ips, conj=r.choice(["or", "and"])), {"value": ips})


@drawer("sids")
def _sids(r, b):
    sids = r.sample(V.SIDS, r.randint(2, 3))
    return Phrase(V.join_list(r, sids, conj=r.choice(["or", "and"])), {"value": sids})


# --- conditions and the target ------------------------------------------------------------------------


def c(field: str, value=None, op: str = "eq", **bounds) -> dict:
    d: dict = {"field": field}
    if op != "eq":
        d["op"] = op
    if value is not None:
        d["value"] = value
    d.update(bounds)
    return d


def m(bag: Bag, key: str) -> object:
    """The meaning value of a Phrase placeholder."""
    return bag[key].meaning["value"]


@cache
def catalog_fields() -> frozenset[str]:
    return frozenset(_catalog().names())


def es(bag: Bag | None = None, *, where=(), any_of=(), exclude=(), agg=None, size=None, sort=None,
       fields=None, index=None, time: dict | None = None) -> dict:
    """Validated compact EsSearch; every field must be in the packaged SO catalog."""
    d: dict = {"tool": "elasticsearch"}
    if index:
        d["index"] = index
    window = time if time is not None else (bag.time() if bag is not None else {})
    d.update(window)
    for key, items in (("where", where), ("any_of", any_of), ("exclude", exclude)):
        if items:
            d[key] = [dict(x) for x in items]
    if agg:
        d["agg"] = agg
        d["size"] = 0 if size is None else size
    elif size is not None:
        d["size"] = size
    if sort:
        d["sort"] = [{"field": f, "order": o} for f, o in sort]
    if fields:
        d["fields"] = list(fields)
    search = EsSearch.model_validate(d)
    unknown = search.fields_used() - catalog_fields()
    assert not unknown, f"fields not in the SO catalog: {unknown} in {d}"
    problems = _validate(search)
    if problems:
        raise Reject("; ".join(problems))
    return search.compact()


def _validate(search: EsSearch) -> list[str]:
    """The runtime's own check (fields, types, caps, histogram size) with default settings."""
    from operatorx.config import ElasticConfig
    from operatorx.tools.elastic.validate import validate_search

    return validate_search(search, _catalog(), ElasticConfig())


@cache
def _catalog():
    from operatorx.tools.elastic.catalog import FieldCatalog

    return FieldCatalog.packaged()


def agg(field: str, *, type: str = "terms", size: int | None = None, order: str | None = None,
        interval: str | None = None) -> dict:
    a: dict = {"field": field}
    if type != "terms":
        a["type"] = type
    if size is not None:
        a["size"] = size
    if order:
        a["order"] = order
    if interval:
        a["interval"] = interval
    return a
