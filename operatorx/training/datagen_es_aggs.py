"""Elasticsearch families, part 3: top-N, rare, distinct counts, counts, histograms, sort,
returned fields, result size and explicit index.

Conventions: see ``datagen_es_common``. A top-N without a number keeps the default 10
buckets; an aggregation always sets ``size: 0``; "latest N" is ``size: N`` (the default sort
is already newest first); intervals: per hour/hourly/over time → 1h, per day/daily → 1d,
per minute → 1m, every N minutes → Nm, weekly → week.
"""

from __future__ import annotations

from operatorx.training.datagen_es_common import agg, c, es, k, kind, m
from operatorx.training.datagen_phrasing import Family, drawer, template_families
from operatorx.training.datagen_values import Phrase

FAMILIES: list[Family] = []


def F(fid, intent, build, train, shifted=(), weight=1.0, setup=None):
    FAMILIES.extend(template_families(fid, intent, "elasticsearch", build, train, shifted, weight, setup))


# (record kind or None, field, plural phrases, singular phrases for "by X")
AGG_FIELDS = [
    ("conn", "source.ip", ["source ips", "talkers", "sources", "src ips", "clients"], ["source ip", "source"]),
    ("conn", "destination.ip", ["destination ips", "destinations", "servers", "dst ips"], ["destination ip", "destination"]),
    ("conn", "destination.port", ["destination ports", "ports", "dst ports"], ["destination port", "port"]),
    ("conn", "network.protocol", ["protocols", "services", "app protocols"], ["protocol", "service"]),
    ("conn", "connection.state", ["connection states", "conn states"], ["connection state"]),
    ("dns", "dns.query.name", ["queried domains", "domains", "query names"], ["query name", "domain"]),
    ("dns", "dns.highest_registered_domain", ["registered domains", "parent domains"], ["registered domain"]),
    ("dns", "dns.query.type_name", ["query types", "record types"], ["query type"]),
    ("dns", "dns.response.code_name", ["response codes", "rcodes"], ["response code"]),
    ("dns", "source.ip", ["clients", "source ips", "querying hosts"], ["client", "source ip"]),
    ("http", "http.useragent", ["user agents", "UAs", "user-agent strings"], ["user agent"]),
    ("http", "http.virtual_host", ["hosts", "virtual hosts", "sites", "host headers"], ["host", "virtual host"]),
    ("http", "http.uri", ["uris", "url paths", "requested paths"], ["uri"]),
    ("http", "http.status_code", ["status codes", "response statuses"], ["status code", "status"]),
    ("http", "http.method", ["methods", "http verbs"], ["method"]),
    ("ssl", "ssl.server_name", ["server names", "SNIs", "tls server names"], ["server name", "sni"]),
    ("ssl", "ssl.version", ["tls versions", "protocol versions"], ["tls version", "version"]),
    ("ssl", "hash.ja3", ["ja3 hashes", "ja3 fingerprints"], ["ja3"]),
    ("alert", "rule.name", ["signatures", "rules", "alert names", "rule names"], ["signature", "rule", "rule name"]),
    ("alert", "rule.uuid", ["sids", "signature ids"], ["sid"]),
    ("alert", "source.ip", ["source ips", "sources", "offending hosts"], ["source ip", "source"]),
    ("alert", "destination.ip", ["targets", "destination ips"], ["destination ip"]),
    ("alert", "rule.category", ["categories", "alert categories"], ["category"]),
    ("alert", "event.severity_label", ["severities", "severity levels"], ["severity"]),
    ("alert", "observer.name", ["sensors"], ["sensor"]),
    ("notice", "notice.note", ["notice types", "notes"], ["notice type", "note"]),
    ("ssh", "ssh.client", ["ssh clients", "client versions"], ["ssh client", "client"]),
    ("ssh", "destination.ip", ["ssh servers", "servers"], ["server"]),
    ("file", "file.mime_type", ["mime types", "file types"], ["mime type", "file type"]),
    ("file", "file.name", ["file names"], ["file name"]),
    ("smtp", "smtp.mail_from", ["senders", "mail from addresses"], ["sender"]),
    ("x509", "x509.certificate.issuer", ["issuers", "certificate issuers"], ["issuer"]),
    ("process", "process.name", ["process names", "programs", "executables"], ["process name", "program"]),
    ("process", "process.parent.name", ["parent processes", "parents"], ["parent process"]),
    ("process", "user.name", ["users", "accounts"], ["user"]),
    ("process", "host.name", ["hosts", "machines"], ["host"]),
    ("sysmon", "event.code", ["event ids", "event codes"], ["event id"]),
    ("sysmon", "host.name", ["hosts", "computers"], ["host"]),
    ("security", "user.name", ["users", "accounts"], ["user", "account"]),
    ("security", "event.code", ["event ids", "event codes"], ["event id"]),
    (None, "observer.name", ["sensors", "reporting sensors"], ["sensor"]),
    (None, "event.dataset", ["datasets", "data sources", "log sources"], ["dataset", "data source"]),
    (None, "event.module", ["modules"], ["module"]),
    (None, "source.ip", ["source ips overall", "sources across all logs"], ["source ip"]),
]


def _pick_agg(kinded: bool | None):
    """setup: choose an AGG_FIELDS row, fill {kind}, {fp} (plural) and {fs} (singular)."""

    def setup(bag):
        rows = [row for row in AGG_FIELDS if kinded is None or (row[0] is not None) == kinded]
        kname, field, plural, singular = bag.r.choice(rows)
        bag["field"] = field
        bag["fp"] = bag.r.choice(plural)
        bag["fs"] = bag.r.choice(singular)
        if kname:
            bag["kind"] = kind(bag.r, kname, bag.shifted)

    return setup


def _where(bag, name: str = "kind") -> list:
    """The kind condition when the question named a kind, else none."""
    return [k(bag, name)] if name in bag else []


def _n(bag):
    return bag.get("n")


TOP_K = ["top {n} {fp} in {kind}{t}", "~the most common {fp} in {kind}{t}", "{T}which {fp} show up most in {kind}?",
         "~{kind} grouped by {fs}{t}", "~{kind} by {fs}{t}", "~count of {kind} per {fs}{t}", "~top {fp} for {kind}{t}",
         "~{kind}: top {n} {fp}{t}"]
TOP_K_S = ["rank the {fp} seen in {kind}{t}", "~a breakdown of {kind} by {fs}{t}"]
F("es.top.kind", "es.top",
  lambda b: es(b, where=_where(b), agg=agg(b["field"], size=_n(b))),
  TOP_K, TOP_K_S, weight=5, setup=_pick_agg(True))
F("es.top.plain", "es.top",
  lambda b: es(b, agg=agg(b["field"], size=_n(b))),
  ["top {n} {fp}{t}", "~the most common {fp}{t}", "{T}which {fp} show up the most?", "~counts by {fs}{t}"],
  ["rank the {fp}{t}"], weight=1.2, setup=_pick_agg(False))
F("es.rare.kind", "es.rare",
  lambda b: es(b, where=_where(b), agg=agg(b["field"], size=_n(b), order="asc")),
  ["~least common {fp} in {kind}{t}", "~the rarest {fp} in {kind}{t}", "bottom {n} {fp} in {kind}{t}",
   "{T}which {fp} are rarest in {kind}?", "~{n} least frequent {fp} in {kind}{t}"],
  ["~the long tail of {fp} in {kind}{t}", "~{fp} that barely ever appear in {kind}{t}"], weight=2.5, setup=_pick_agg(True))
F("es.rare.plain", "es.rare",
  lambda b: es(b, agg=agg(b["field"], size=_n(b), order="asc")),
  ["~least common {fp}{t}", "~the rarest {fp}{t}", "bottom {n} {fp}{t}"], weight=0.5, setup=_pick_agg(False))
F("es.distinct.kind", "es.distinct",
  lambda b: es(b, where=_where(b), agg=agg(b["field"], type="cardinality")),
  ["how many distinct {fp} in {kind}{t}?", "~number of unique {fp} in {kind}{t}", "~count unique {fp} in {kind}{t}",
   "{T}how many different {fp} appear in {kind}?", "~distinct count of {fs} in {kind}{t}"],
  ["what's the cardinality of {fs} across {kind}{t}?"], weight=2.5, setup=_pick_agg(True))
F("es.distinct.plain", "es.distinct",
  lambda b: es(b, agg=agg(b["field"], type="cardinality")),
  ["how many distinct {fp}{t}?", "~number of unique {fp}{t}"], weight=0.5, setup=_pick_agg(False))

# filtered top-N with natural wording
F("es.top.talkto", "es.top",
  lambda b: es(b, where=[c("source.ip", b["ip"])], agg=agg("destination.ip", size=_n(b))),
  ["what did {ip} talk to{t}?", "{T}who has {ip} been talking to?", "top {n} destinations of {ip}{t}",
   "~the destinations {ip} contacted most{t}"], ["where has {ip} been reaching out to{t}?"])
F("es.top.talkfrom", "es.top",
  lambda b: es(b, where=[c("destination.ip", b["ip"])], agg=agg("source.ip", size=_n(b))),
  ["who talks to {ip} the most{t}?", "{T}top {n} sources hitting {ip}", "~which hosts connect to {ip} most{t}"])
F("es.top.ports.src", "es.top",
  lambda b: es(b, where=[k(b, "conn"), c("source.ip", b["ip"])], agg=agg("destination.port", size=_n(b))),
  ["~top {n} destination ports in {conn} from {ip}{t}", "{T}which ports does {ip} hit most in {conn}?",
   "~{conn} from {ip} by destination port{t}"])
F("es.top.who.domain", "es.top",
  lambda b: es(b, where=[c("tags", "dns"), c("dns.query.name", b["domain"])], agg=agg("source.ip", size=_n(b))),
  ["who looked up {domain}{t}?", "{T}which hosts resolved {domain}?", "who queried {domain}{t}",
   "~which clients asked for {domain}{t}", "top {n} clients querying {domain}{t}"],
  ["find the machines that asked DNS about {domain}{t}", "{domain} - who resolved it{t}?"], weight=1.5)
F("es.top.domains.src", "es.top",
  lambda b: es(b, where=[c("tags", "dns"), c("source.ip", b["ip"])], agg=agg("dns.query.name", size=_n(b))),
  ["top {n} domains looked up by {ip}{t}", "{T}what domains did {ip} query most?", "~domains queried by {ip}{t}"])
F("es.top.who.sid", "es.top",
  lambda b: es(b, where=[k(b, "alert"), c("rule.uuid", b["sid"])], agg=agg("source.ip", size=_n(b))),
  ["which hosts triggered {alert} for sid {sid}{t}?", "{T}top {n} sources of sid {sid} {alert}"],
  ["who keeps setting off sid {sid} in {alert}{t}?"])
F("es.top.failed.users", "es.top",
  lambda b: es(b, where=[c("event.dataset", "system.security"), c("event.code", "4625")], agg=agg("user.name", size=_n(b))),
  ["which users failed to log on{t}?", "{T}top {n} accounts with failed logons", "~failed logons by user{t}"],
  ["whose passwords keep failing{t}?"])
F("es.top.hosts.proc", "es.top",
  lambda b: es(b, where=[c("process.name", b["proc"])], agg=agg("host.name", size=_n(b))),
  ["which hosts ran {proc}{t}?", "{T}top {n} machines running {proc}", "~hosts where {proc} ran{t}"],
  ["on which boxes did {proc} execute{t}?"])
F("es.top.sensors", "es.top",
  lambda b: es(b, agg=agg("observer.name", size=_n(b))),
  ["which sensors are reporting{t}?", "{T}which sensors are sending data?", "~event counts per sensor{t}"], weight=0.6)
F("es.top.datasets", "es.top",
  lambda b: es(b, agg=agg("event.dataset", size=_n(b))),
  ["what data sources are reporting{t}?", "{T}which datasets have data?", "~event counts per dataset{t}"], weight=0.6)

# counts
F("es.count.src", "es.count",
  lambda b: es(b, where=[k(b), c("source.ip", b["ip"])], size=0),
  ["how many {kind} from {ip}{t}?", "~number of {kind} from {ip}{t}", "{T}count the {kind} from {ip}",
   "just count {kind} from {ip}{t}"], ["tally up {kind} from {ip}{t}"], weight=1.5,
  setup=lambda b: b.__setitem__("kind", kind(b.r, b.r.choice(["conn", "dns", "http", "alert", "ssl"]), b.shifted)))
F("es.count.port", "es.count",
  lambda b: es(b, where=[k(b, "conn"), c("destination.port", b["port"])], size=0),
  ["how many {conn} to port {port}{t}?", "{T}count {conn} on port {port}", "~number of {conn} to port {port}{t}"])
F("es.count.alert.sev", "es.count",
  lambda b: es(b, where=[k(b, "alert"), c("event.severity_label", b["sev"])], size=0),
  ["how many {sev} {alert}{t}?", "{T}count the {sev} severity {alert}", "~number of {sev} {alert}{t}"],
  ["give me a total of {sev} {alert}{t}"])
F("es.count.wcode", "es.count",
  lambda b: es(b, where=[c("event.dataset", "system.security"), c("event.code", m(b, "wcode")), c("user.name", b["user"])], size=0),
  ["how many {wcode} for {user}{t}?", "{T}count {wcode} for user {user}"])
F("es.count.rcode", "es.count",
  lambda b: es(b, where=[k(b, "dns"), c("dns.response.code_name", b["rcode"])], size=0),
  ["how many {rcode} {dns}{t}?", "{T}count {dns} that returned {rcode}"], weight=0.6)


# histograms
@drawer("per")
def _per(r, bag):
    n = r.choice([5, 10, 15, 30])
    options = [(["per hour", "hourly", "over time", "by hour", "each hour"], "1h"),
               (["per day", "daily", "by day"], "1d"), (["per minute", "by minute"], "1m"),
               ([f"every {n} minutes", f"per {n} minutes", f"in {n}-minute buckets"], f"{n}m"),
               (["per week", "weekly"], "week"), (["every 6 hours", "in 6h buckets"], "6h")]
    phrases, interval = r.choices(options, [8, 4, 1, 2, 1, 1])[0]
    return Phrase(r.choice(phrases), {"value": interval})


HIST = ["~{kind} {per}{t}", "~{T}{kind} {per}", "~{per} count of {kind}{t}", "~a histogram of {kind} {per}{t}",
        "~{kind} {per} as a timeline{t}"]
F("es.hist.kind", "es.histogram",
  lambda b: es(b, where=[k(b)], agg=agg("@timestamp", type="date_histogram", interval=m(b, "per"))),
  HIST, ["~chart {kind} {per}{t}", "~the trend of {kind}, {per}{t}"], weight=2.5,
  setup=lambda b: b.__setitem__("kind", kind(b.r, b.r.choice(["conn", "dns", "http", "alert", "alert", "ssl",
                                                              "security", "notice", "process"]), b.shifted)))
F("es.hist.src", "es.histogram",
  lambda b: es(b, where=[k(b), c("source.ip", b["ip"])], agg=agg("@timestamp", type="date_histogram", interval=m(b, "per"))),
  ["~{kind} from {ip} {per}{t}", "~{T}{kind} from {ip} {per}", "~timeline of {kind} from {ip}, {per}{t}"],
  ["~how {kind} from {ip} evolve {per}{t}"],
  setup=lambda b: b.__setitem__("kind", kind(b.r, b.r.choice(["conn", "dns", "alert", "http"]), b.shifted)))
F("es.hist.domain", "es.histogram",
  lambda b: es(b, where=[k(b, "dns"), c("dns.query.name", b["domain"])], agg=agg("@timestamp", type="date_histogram", interval=m(b, "per"))),
  ["~{dns} for {domain} {per}{t}", "~{T}{dns} for {domain} {per}"], weight=0.6)
F("es.hist.sid", "es.histogram",
  lambda b: es(b, where=[k(b, "alert"), c("rule.uuid", b["sid"])], agg=agg("@timestamp", type="date_histogram", interval=m(b, "per"))),
  ["~{alert} for sid {sid} {per}{t}", "~{T}sid {sid} {alert} {per}"], weight=0.6)

# sort and size
F("es.sort.bytes", "es.sort",
  lambda b: es(b, where=[k(b, "conn")], sort=[("network.bytes", "desc")], size=_n(b)),
  ["~the {n} biggest {conn}{t}", "~biggest {conn}{t}", "~{T}the {n} largest {conn} by bytes", "~{conn} sorted by bytes, largest first{t}"],
  ["~the fattest {conn}{t}"], weight=1.2)
F("es.sort.upload", "es.sort",
  lambda b: es(b, where=[k(b, "conn")], sort=[("client.bytes", "desc")], size=_n(b)),
  ["~the {n} biggest uploads in {conn}{t}", "~{conn} with the most data sent{t}", "~{T}top {n} {conn} by bytes sent"])
F("es.sort.download", "es.sort",
  lambda b: es(b, where=[k(b, "conn")], sort=[("server.bytes", "desc")], size=_n(b)),
  ["~the {n} biggest downloads in {conn}{t}", "~{conn} with the most data received{t}"], weight=0.6)
F("es.sort.leaving", "es.sort",
  lambda b: es(b, where=_where(b, "conn"), exclude=[c("destination.ip", ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"], "in")],
               sort=[("client.bytes", "desc")], size=_n(b)),
  ["~the {n} biggest uploads leaving the network{t}", "~{T}{conn} to external addresses with the most data sent"], weight=0.6)
F("es.sort.duration", "es.sort",
  lambda b: es(b, where=[k(b, "conn")], sort=[("event.duration", "desc")], size=_n(b)),
  ["~the {n} longest {conn}{t}", "~longest {conn}{t}", "~{T}{conn} sorted by duration, longest first"],
  ["~{conn} that ran the longest{t}"])
F("es.sort.oldest", "es.sort",
  lambda b: es(b, where=[k(b)], sort=[("@timestamp", "asc")], size=_n(b)),
  ["~{kind} oldest first{t}", "~the {n} earliest {kind}{t}", "~{T}{kind} in chronological order"],
  setup=lambda b: b.__setitem__("kind", kind(b.r, b.r.choice(["alert", "conn", "dns", "notice"]), b.shifted)), weight=0.7)
F("es.sort.file", "es.sort",
  lambda b: es(b, where=[k(b, "sfile")], sort=[("file.size", "desc")], size=_n(b)),
  ["~the {n} largest {sfile}{t}", "~{T}{sfile} by size, biggest first"], weight=0.5)
F("es.size.latest", "es.size",
  lambda b: es(b, where=[k(b)], size=b["lim"]),
  ["~the latest {lim} {kind}{t}", "~last {lim} {kind}", "~{lim} most recent {kind}{t}", "~{lim} {kind}{t}"],
  ["~the newest {lim} {kind}{t}"], weight=1.2,
  setup=lambda b: (b.__setitem__("lim", b.r.choice([1, 5, 10, 25, 50, 100, 200])),
                   b.__setitem__("kind", kind(b.r, b.r.choice(["alert", "conn", "dns", "http", "notice", "sysmon"]), b.shifted))))

# returned fields
FIELD_WORDS = {
    "source.ip": ["source ip", "src ip", "source"], "destination.ip": ["destination ip", "dst ip", "destination"],
    "destination.port": ["destination port", "port", "dst port"], "source.port": ["source port"],
    "@timestamp": ["timestamp", "time"], "network.protocol": ["protocol"], "network.bytes": ["bytes"],
    "dns.query.name": ["query name", "domain"], "dns.response.code_name": ["response code"],
    "http.uri": ["uri"], "http.virtual_host": ["host header"], "http.useragent": ["user agent"],
    "rule.name": ["rule name", "signature"], "event.severity_label": ["severity"], "rule.uuid": ["sid"],
    "process.command_line": ["command line"], "process.executable": ["executable"], "user.name": ["user"],
    "process.parent.name": ["parent"],
}
FIELD_SETS = {
    "conn": ["@timestamp", "source.ip", "destination.ip", "destination.port", "network.protocol", "network.bytes"],
    "dns": ["@timestamp", "source.ip", "dns.query.name", "dns.response.code_name"],
    "http": ["@timestamp", "source.ip", "http.virtual_host", "http.uri", "http.useragent"],
    "alert": ["@timestamp", "source.ip", "destination.ip", "rule.name", "rule.uuid", "event.severity_label"],
    "process": ["@timestamp", "user.name", "process.executable", "process.command_line", "process.parent.name"],
}


def _fields_setup(kname: str):
    def setup(bag):
        r = bag.r
        chosen = r.sample(FIELD_SETS[kname], r.randint(1, 3))
        words = [r.choice(FIELD_WORDS[f]) for f in chosen]
        from operatorx.training.datagen_values import join_list

        bag["flds"] = Phrase(join_list(r, words), {"value": chosen})
        bag["kind"] = kind(r, kname, bag.shifted)

    return setup


F("es.fields.conn", "es.fields",
  lambda b: es(b, where=[k(b), c("source.ip", b["ip"])], fields=m(b, "flds")),
  ["~{kind} from {ip}{t}, only {flds}", "~{kind} from {ip}{t} - just show {flds}", "~{flds} of {kind} from {ip}{t}",
   "~{kind} from {ip} with columns {flds}{t}"], ["~{kind} from {ip}{t}; I only care about {flds}"],
  setup=_fields_setup("conn"), weight=1.2)
F("es.fields.dns", "es.fields",
  lambda b: es(b, where=[k(b), c("dns.query.name", b["domain"])], fields=m(b, "flds")),
  ["~{kind} for {domain}{t}, only {flds}", "~{flds} of {kind} for {domain}{t}"], setup=_fields_setup("dns"))
F("es.fields.http", "es.fields",
  lambda b: es(b, where=[k(b), c("source.ip", b["ip"])], fields=m(b, "flds")),
  ["~{kind} from {ip}{t} showing only {flds}", "~{flds} for {kind} from {ip}{t}"], setup=_fields_setup("http"), weight=0.7)
F("es.fields.alert", "es.fields",
  lambda b: es(b, where=[k(b), c("event.severity_label", b["sev"])], fields=m(b, "flds")),
  ["~{sev} {kind}{t}, just {flds}", "~{flds} of {sev} {kind}{t}"], ["~{sev} {kind}{t} (columns: {flds})"],
  setup=_fields_setup("alert"))
F("es.fields.proc", "es.fields",
  lambda b: es(b, where=[k(b), c("host.name", b["host"])], fields=m(b, "flds")),
  ["~{kind} on {host}{t}, show {flds}", "~{flds} of {kind} on {host}{t}", "~{kind} on {host} with {flds}{t}"],
  setup=_fields_setup("process"))

# explicit index
INDICES = {
    "logs-zeek-so*": "conn", "logs-suricata-so*": "conn", "logs-suricata.alerts-*": "alert",
    "logs-strelka-so*": "file", "logs-windows.sysmon_operational-default": "sysmon",
    "logs-system.security-default": "security", "*:logs-*": "conn",
}


def _index_setup(bag):
    idx = bag.r.choice(list(INDICES))
    bag["index"] = idx
    bag["kind"] = kind(bag.r, INDICES[idx], bag.shifted)


F("es.index.any", "es.index",
  lambda b: es(b, index=b["index"], any_of=[c("source.ip", b["ip"]), c("destination.ip", b["ip"])]),
  ["~anything involving {ip} in {index}{t}", "search {index} for {ip}{t}", "~{T}in {index}, events with {ip} on either side"],
  ["~in index {index}, every record touching {ip}{t}"], setup=_index_setup, weight=0.8)
F("es.index.kind", "es.index",
  lambda b: es(b, index=b["index"], where=[k(b), c("source.ip", b["ip"])]),
  ["~{kind} from {ip} in {index}{t}", "~{T}{index}: {kind} from {ip}", "search {index} for {kind} from {ip}{t}"],
  setup=_index_setup, weight=0.8)
