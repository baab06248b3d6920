"""Elasticsearch families, part 2: ranges, patterns, presence, text, exclusions and any-of.

Conventions: see ``datagen_es_common``. Units: MB = 1,000,000 bytes; durations in seconds
(``event.duration`` is float seconds); "more than" → ``gt``, "at least" → ``gte``,
"under"/"below" → ``lt``, "a-b" / "between a and b" → ``gte`` + ``lte``.
"""

from __future__ import annotations

from operatorx.training import datagen_values as V
from operatorx.training.datagen_es_common import c, es, k, m
from operatorx.training.datagen_phrasing import Family, template_families

FAMILIES: list[Family] = []


def F(fid, intent, build, train, shifted=(), weight=1.0, setup=None):
    FAMILIES.extend(template_families(fid, intent, "elasticsearch", build, train, shifted, weight, setup))


def _set(**values):
    """setup: draw named values with a function of the rng (``lo=lambda r: ...``)."""

    def setup(bag):
        for key, fn in values.items():
            bag[key] = fn(bag.r)

    return setup


# --- ranges ------------------------------------------------------------------------------------------
F("es.range.http.5xx", "es.range",
  lambda b: es(b, where=[k(b, "http"), c("http.status_code", op="range", gte=500, lte=599)]),
  ["~server errors in {http}{t}", "~{http} with 5xx status{t}", "~{T}{http} with status 500-599",
   "~{http} that returned server errors{t}"],
  ["~{http} that blew up with a 5xx{t}"])
F("es.range.http.4xx", "es.range",
  lambda b: es(b, where=[k(b, "http"), c("http.status_code", op="range", gte=400, lte=499)]),
  ["~client errors in {http}{t}", "~{http} with 4xx status codes{t}", "~{T}{http} with status between 400 and 499"])
F("es.range.http.gte", "es.range",
  lambda b: es(b, where=[k(b, "http"), c("http.status_code", op="range", gte=b["status"])]),
  ["~{http} with status {status} or higher{t}", "~{T}{http} with status code >= {status}"], weight=0.5)
F("es.range.bytes.out", "es.range",
  lambda b: es(b, where=[k(b, "conn"), c("client.bytes", op="range", gt=m(b, "bytes"))]),
  ["~{conn} that sent more than {bytes}{t}", "~{T}{conn} uploading over {bytes}", "~{conn} with client bytes > {bytes}{t}"],
  ["~{conn} pushing out in excess of {bytes}{t}"])
F("es.range.bytes.in", "es.range",
  lambda b: es(b, where=[k(b, "conn"), c("server.bytes", op="range", gt=m(b, "bytes"))]),
  ["~{conn} that received more than {bytes}{t}", "~{T}{conn} downloading over {bytes}"])
F("es.range.bytes.total", "es.range",
  lambda b: es(b, where=[k(b, "conn"), c("network.bytes", op="range", gt=m(b, "bytes"))]),
  ["~{conn} bigger than {bytes}{t}", "~{T}{conn} with more than {bytes} in total", "~{conn} over {bytes} total{t}"],
  ["~{conn} moving upwards of {bytes}{t}"])
F("es.range.bytes.src", "es.range",
  lambda b: es(b, where=[k(b, "conn"), c("source.ip", b["ip"]), c("client.bytes", op="range", gt=m(b, "bytes"))]),
  ["~{conn} from {ip} that sent more than {bytes}{t}", "~{T}{ip} {conn} uploading over {bytes}"], weight=0.6)
F("es.range.duration", "es.range",
  lambda b: es(b, where=[k(b, "conn"), c("event.duration", op="range", gt=m(b, "dur"))]),
  ["~{conn} longer than {dur}{t}", "~{T}{conn} lasting more than {dur}", "~{conn} with duration over {dur}{t}"],
  ["~{conn} that stayed open past {dur}{t}"])
F("es.range.port.low", "es.range",
  lambda b: es(b, where=[k(b, "conn"), c("destination.port", op="range", lt=1024)]),
  ["~{conn} to ports below 1024{t}", "~{T}{conn} to privileged ports", "~{conn} with destination port under 1024{t}"], weight=0.5)
F("es.range.port.high", "es.range",
  lambda b: es(b, where=[k(b, "conn"), c("destination.port", op="range", gt=49151)]),
  ["~{conn} to ephemeral ports above 49151{t}", "~{T}{conn} to ports over 49151"], weight=0.4)
F("es.range.port.span", "es.range",
  lambda b: es(b, where=[k(b, "conn"), c("destination.port", op="range", gte=b["lo"], lte=b["hi"])]),
  ["~{conn} to ports {lo}-{hi}{t}", "~{T}{conn} to ports {lo} through {hi}", "~{conn} with destination port between {lo} and {hi}{t}"],
  ["~{conn} landing in the {lo}..{hi} port range{t}"],
  setup=_set(lo=lambda r: r.choice([1, 1000, 1024, 3000, 5000, 8000]), hi=lambda r: r.choice([9000, 9999, 10000, 49151, 65535])))
F("es.range.severity", "es.range",
  lambda b: es(b, where=[k(b, "alert"), c("event.severity", op="range", gte=b["lvl"])]),
  ["~{alert} with severity at least {lvl}{t}", "~{T}{alert} with event.severity >= {lvl}", "~{alert} of severity {lvl} or more{t}"],
  setup=_set(lvl=lambda r: r.choice([2, 3, 4])))
F("es.range.dns.len", "es.range",
  lambda b: es(b, where=[k(b, "dns"), c("dns.query.length", op="range", gt=b["qlen"])]),
  ["~{dns} with names longer than {qlen} characters{t}", "~{T}{dns} with query length over {qlen}",
   "~long {dns} (over {qlen} chars){t}"], ["~{dns} whose names exceed {qlen} chars{t}"],
  setup=_set(qlen=lambda r: r.choice([40, 50, 52, 60, 64, 80, 100])))
F("es.range.file.size", "es.range",
  lambda b: es(b, where=[k(b, "sfile"), c("file.size", op="range", gt=m(b, "bytes"))]),
  ["~{sfile} bigger than {bytes}{t}", "~{T}{sfile} larger than {bytes}"], weight=0.6)
F("es.range.x509.key", "es.range",
  lambda b: es(b, where=[k(b, "x509"), c("x509.certificate.key.length", op="range", lt=b["bits"])]),
  ["~{x509} with keys shorter than {bits} bits{t}", "~{T}{x509} with key length under {bits}"],
  setup=_set(bits=lambda r: r.choice([1024, 2048, 3072])), weight=0.5)
F("es.range.ssh.attempts", "es.range",
  lambda b: es(b, where=[k(b, "ssh"), c("ssh.authentication.attempts", op="range", gt=b["tries"])]),
  ["~{ssh} with more than {tries} auth attempts{t}", "~{T}{ssh} with over {tries} login attempts"],
  setup=_set(tries=lambda r: r.choice([3, 5, 10, 20])), weight=0.6)
F("es.range.http.resp", "es.range",
  lambda b: es(b, where=[k(b, "http"), c("http.response.body.length", op="range", gt=m(b, "bytes"))]),
  ["~{http} with responses larger than {bytes}{t}", "~{T}{http} returning more than {bytes}"], weight=0.5)

# --- wildcards and prefixes ----------------------------------------------------------------------------
F("es.wc.subdomain", "es.wildcard",
  lambda b: es(b, where=[k(b, "dns"), c("dns.query.name", f"*.{b['base']}", "wildcard")]),
  ["~{dns} for subdomains of {base}{t}", "~{dns} for anything under {base}{t}", "~{T}{dns} matching *.{base}",
   "~{dns} for any subdomain of {base}{t}"],
  ["~{dns} that end in .{base}{t}"], weight=1.5)
F("es.wc.dns.word", "es.wildcard",
  lambda b: es(b, where=[k(b, "dns"), c("dns.query.name", f"*{b['w']}*", "wildcard")]),
  ["~{dns} containing \"{w}\"{t}", "~{T}{dns} with {w} in the name"],
  setup=_set(w=lambda r: r.choice(["onion", "ngrok", "pastebin", "vpn", "tor", "mining", "dyndns", "bit.ly"])))
F("es.wc.ua", "es.wildcard",
  lambda b: es(b, where=[k(b, "http"), c("http.useragent", f"*{b['ua']}*", "wildcard")]),
  ["~{http} with user agent containing {ua}{t}", "~{http} from {ua} clients{t}", "~{T}{ua} user agents in {http}",
   "~{http} where the UA contains {ua}{t}"],
  ["~{http} whose user-agent mentions {ua}{t}"], weight=1.5)
F("es.wc.uri", "es.wildcard",
  lambda b: es(b, where=[k(b, "http"), c("http.uri", f"*{b['uri']}*", "wildcard")]),
  ["~{http} with {uri} in the uri{t}", "~{T}{http} where the URI contains {uri}", "~{http} for uris containing \"{uri}\"{t}"],
  ["~{http} whose path includes {uri}{t}"])
F("es.wc.cmd", "es.wildcard",
  lambda b: es(b, where=[k(b, "process"), c("process.command_line", f"*{b['cmd']}*", "wildcard")]),
  ["~{process} with {cmd} in the command line{t}", "~{T}{process} whose command line contains \"{cmd}\"",
   "~command lines containing {cmd} in {process}{t}"],
  ["~{process} invoked with \"{cmd}\"{t}"], weight=1.5)
F("es.wc.cmd.host", "es.wildcard",
  lambda b: es(b, where=[k(b, "process"), c("host.name", b["host"]), c("process.command_line", f"*{b['cmd']}*", "wildcard")]),
  ["~{process} on {host} with {cmd} in the command line{t}", "~{T}{host} {process} whose command line has {cmd}"], weight=0.6)
F("es.wc.folder", "es.wildcard",
  lambda b: es(b, where=[k(b, "process"), c("process.executable", m(b, "folder"), "wildcard")]),
  ["~{process} run from {folder}{t}", "~{T}{process} executing out of {folder}", "~{process} with the executable in {folder}{t}"],
  ["~{process} living in {folder}{t}"])
F("es.wc.file.ext", "es.wildcard",
  lambda b: es(b, where=[k(b, "file"), c("file.name", f"*.{b['ext']}", "wildcard")]),
  ["~{file} ending in .{ext}{t}", "~{T}.{ext} {file}", "~{file} with extension {ext}{t}"],
  ["~{file} that have a .{ext} suffix{t}"])
F("es.wc.rule", "es.wildcard",
  lambda b: es(b, where=[k(b, "alert"), c("rule.name", f"*{b['rword']}*", "wildcard")]),
  ["~{alert} mentioning {rword}{t}", "~{T}{alert} with {rword} in the rule name", "~{rword} {alert}{t}"],
  ["~{alert} whose signature talks about {rword}{t}"])
F("es.wc.subject", "es.wildcard",
  lambda b: es(b, where=[k(b, "smtp"), c("smtp.subject", f"*{b['subj']}*", "wildcard")]),
  ["~{smtp} with \"{subj}\" in the subject{t}", "~{T}{smtp} whose subject contains {subj}"], weight=0.6)
F("es.wc.exe.mime", "es.wildcard",
  lambda b: es(b, where=[k(b, "http"), c("file.resp_mime_types", "*exec*", "wildcard")]),
  ["~executables downloaded over {http}{t}", "~{T}{http} that delivered executables"], weight=0.5)
F("es.prefix.rule", "es.prefix",
  lambda b: es(b, where=[k(b, "alert"), c("rule.name", b["rprefix"], "prefix")]),
  ["~{alert} starting with {rprefix}{t}", "~{T}{rprefix} {alert}", "~{alert} whose rule name begins with \"{rprefix}\"{t}"],
  ["~{alert} prefixed {rprefix}{t}"], weight=1.2)
F("es.prefix.uri", "es.prefix",
  lambda b: es(b, where=[k(b, "http"), c("http.uri", b["path"], "prefix")]),
  ["~{http} with uris starting with {path}{t}", "~{T}{http} where the uri begins with {path}"], weight=0.8)
F("es.prefix.punycode", "es.prefix",
  lambda b: es(b, where=[k(b, "dns"), c("dns.query.name", "xn--", "prefix")]),
  ["~punycode {dns}{t}", "~{T}{dns} for names starting with xn--"], weight=0.4)
F("es.prefix.host", "es.prefix",
  lambda b: es(b, where=[k(b, "sysmon"), c("host.name", b["hp"], "prefix")]),
  ["~{sysmon} from hosts starting with {hp}{t}", "~{T}{sysmon} on {hp}* machines"],
  setup=_set(hp=lambda r: r.choice(["ws-fin", "ws-hr", "lt-", "srv-", "dc", "ws-eng"])), weight=0.6)

# --- presence ------------------------------------------------------------------------------------------
F("es.exists.answer", "es.exists",
  lambda b: es(b, where=[k(b, "dns"), c("dns.answers.name", op="exists")]),
  ["~{dns} that got an answer{t}", "~{T}{dns} with answers"], weight=0.5)
F("es.exists.httpuser", "es.exists",
  lambda b: es(b, where=[k(b, "http"), c("http.user", op="exists")]),
  ["~{http} with a basic-auth user{t}", "~{T}{http} that carry a username"], ["~{http} where some user name is set{t}"], weight=0.6)
F("es.exists.proto", "es.exists",
  lambda b: es(b, where=[k(b, "conn"), c("network.protocol", op="exists")]),
  ["~{conn} with a detected protocol{t}", "~{T}{conn} where the protocol is known"], weight=0.5)
F("es.exists.extracted", "es.exists",
  lambda b: es(b, where=[k(b, "file"), c("file.extracted.filename", op="exists")]),
  ["~{file} that were extracted{t}", "~{T}extracted {file}"], weight=0.4)
F("es.exists.payload", "es.exists",
  lambda b: es(b, where=[k(b, "alert"), c("network.data.decoded", op="exists")]),
  ["~{alert} with a decoded payload{t}", "~{T}{alert} that have payload data"], weight=0.4)
F("es.missing.proto", "es.exclude",
  lambda b: es(b, where=[k(b, "conn")], exclude=[c("network.protocol", op="exists")]),
  ["~{conn} without a detected protocol{t}", "~{T}{conn} with no protocol", "~{conn} where the service is unknown{t}"],
  ["~{conn} that nobody could put a protocol on{t}"])
F("es.missing.ua", "es.exclude",
  lambda b: es(b, where=[k(b, "http")], exclude=[c("http.useragent", op="exists")]),
  ["~{http} with no user agent{t}", "~{T}{http} missing a user-agent", "~{http} without a UA{t}"],
  ["~{http} that never sent a user agent{t}"])
F("es.missing.answer", "es.exclude",
  lambda b: es(b, where=[k(b, "dns")], exclude=[c("dns.answers.name", op="exists")]),
  ["~{dns} with no answer{t}", "~{T}unanswered {dns}"], weight=0.6)

# --- free text (message) -------------------------------------------------------------------------------
F("es.text.match", "es.text",
  lambda b: es(b, where=[c("message", b["word"], "match")]),
  ["~events whose message mentions {word}{t}", "~{T}logs with {word} in the message", "~messages containing {word}{t}"],
  ["~log lines that say {word}{t}"], weight=0.8)
F("es.text.phrase", "es.text",
  lambda b: es(b, where=[c("message", b["quote"], "phrase")]),
  ["~logs with \"{quote}\" in the message{t}", "~{T}events whose message has the phrase \"{quote}\"",
   "~messages saying \"{quote}\"{t}"], ["~log lines reading \"{quote}\"{t}"], weight=0.8)
F("es.text.match.host", "es.text",
  lambda b: es(b, where=[c("host.name", b["host"]), c("message", b["word"], "match")]),
  ["~events on {host} whose message mentions {word}{t}", "~{T}{host} logs with {word} in the message"], weight=0.4)

# --- exclusions ------------------------------------------------------------------------------------------
F("es.not.port", "es.exclude",
  lambda b: es(b, where=[k(b, "conn"), c("source.ip", b["ip"])], exclude=[c("destination.port", b["port"])]),
  ["~{conn} from {ip} except to port {port}{t}", "~{T}{conn} from {ip} not on port {port}",
   "~{conn} from {ip}, excluding port {port}{t}"], ["~{conn} from {ip} leaving out port {port}{t}"], weight=1.2)
F("es.not.dst", "es.exclude",
  lambda b: es(b, where=[k(b, "conn"), c("source.ip", b["ip"])], exclude=[c("destination.ip", b["ip2"])]),
  ["~{conn} from {ip} not going to {ip2}{t}", "~{T}{conn} from {ip} excluding destination {ip2}"])
F("es.not.sid", "es.exclude",
  lambda b: es(b, where=[k(b, "alert")], exclude=[c("rule.uuid", b["sid"])]),
  ["~{alert} excluding sid {sid}{t}", "~{T}{alert} except signature {sid}", "~{alert} without sid {sid}{t}"],
  ["~{alert} minus the noisy sid {sid}{t}"])
F("es.not.src", "es.exclude",
  lambda b: es(b, where=[k(b, "alert")], exclude=[c("source.ip", b["ip"])]),
  ["~{alert} not from {ip}{t}", "~{T}{alert} excluding source {ip}", "~{alert} except the ones from {ip}{t}"],
  ["~{alert} ignoring the scanner at {ip}{t}"])
F("es.not.base", "es.exclude",
  lambda b: es(b, where=[k(b, "dns")], exclude=[c("dns.query.name", f"*.{b['base']}", "wildcard")]),
  ["~{dns} not for {base} domains{t}", "~{T}{dns} excluding *.{base}", "~{dns} outside {base}{t}"])
F("es.not.internal", "es.exclude",
  lambda b: es(b, where=[k(b, "conn")], exclude=[c("destination.ip", list(V.PRIVATE_CIDRS), "in")]),
  ["~{conn} leaving the network{t}", "~{T}outbound {conn} to the internet", "~{conn} to external addresses{t}",
   "~{conn} to public ips{t}"], ["~{conn} that exit to the outside world{t}"], weight=1.2)
F("es.not.internal.src", "es.exclude",
  lambda b: es(b, where=[k(b, "conn"), c("source.ip", b["ip"])], exclude=[c("destination.ip", list(V.PRIVATE_CIDRS), "in")]),
  ["~{conn} from {ip} to external addresses{t}", "~{T}{conn} from {ip} to the internet"], weight=0.7)
F("es.not.proto", "es.exclude",
  lambda b: es(b, where=[k(b, "conn"), c("destination.port", b["pp"][0])], exclude=[c("network.protocol", b["pp"][1])]),
  ["~non-{proto} {conn} on port {pnum}{t}", "~{T}{conn} to port {pnum} that aren't {proto}", "~{conn} on {pnum} where the protocol is not {proto}{t}"],
  ["~{conn} on port {pnum} speaking something other than {proto}{t}"],
  setup=lambda b: (b.__setitem__("pp", b.r.choice([(80, "http"), (443, "ssl"), (22, "ssh"), (53, "dns"), (25, "smtp")])),
                   b.__setitem__("pnum", b["pp"][0]), b.__setitem__("proto", b["pp"][1].upper() if b.r.random() < 0.3 else b["pp"][1])))
F("es.not.sensor", "es.exclude",
  lambda b: es(b, where=[k(b, "alert"), c("event.severity_label", b["sev"])], exclude=[c("observer.name", b["sensor"])]),
  ["~{sev} {alert} except from sensor {sensor}{t}", "~{T}{sev} severity {alert} not seen by {sensor}"], weight=0.5)

# --- any-of ---------------------------------------------------------------------------------------------
F("es.or.src.dst", "es.bool",
  lambda b: es(b, where=[k(b, "conn")], any_of=[c("source.ip", b["ip"]), c("destination.ip", b["ip2"])]),
  ["~{conn} from {ip} or to {ip2}{t}", "~{T}{conn} either from {ip} or to {ip2}"], weight=0.7)
F("es.or.ua.uri", "es.bool",
  lambda b: es(b, where=[k(b, "http")], any_of=[c("http.useragent", f"*{b['ua']}*", "wildcard"), c("http.uri", f"*{b['uri']}*", "wildcard")]),
  ["~{http} where the user agent contains {ua} or the uri contains {uri}{t}", "~{T}{http} with {ua} in the UA or {uri} in the uri"], weight=0.6)
F("es.or.folders", "es.bool",
  lambda b: es(b, where=[k(b, "process")], any_of=[c("process.executable", m(b, "folder"), "wildcard"), c("process.executable", m(b, "folder2"), "wildcard")]),
  ["~{process} run from {folder} or {folder2}{t}", "~{T}{process} executing out of {folder} or {folder2}"],
  ["~{process} living in either {folder} or {folder2}{t}"], weight=0.8)
F("es.or.domain.sub", "es.bool",
  lambda b: es(b, where=[k(b, "dns")], any_of=[c("dns.query.name", b["base"]), c("dns.query.name", f"*.{b['base']}", "wildcard")]),
  ["~{dns} for {base} or any of its subdomains{t}", "~{T}{dns} for {base} and *.{base}"], weight=0.6)
F("es.or.sev.sid", "es.bool",
  lambda b: es(b, where=[k(b, "alert")], any_of=[c("event.severity_label", "critical"), c("rule.uuid", b["sid"])]),
  ["~{alert} that are critical or have sid {sid}{t}", "~{T}critical {alert} or any with signature {sid}"], weight=0.4)
F("es.combo.alert", "es.bool",
  lambda b: es(b, where=[k(b, "alert"), c("source.ip", b["cidr"]), c("event.severity_label", b["sev"])], exclude=[c("rule.uuid", b["sid"])]),
  ["~{sev} {alert} from {cidr} excluding sid {sid}{t}", "~{T}{alert} from {cidr} with severity {sev}, but not sid {sid}"], weight=0.6)
