"""Elasticsearch families, part 1: single-value lookups and `in` lists.

Each ``F(...)`` line is one intent: an id, train phrasings, held-out (shifted) phrasings and
the target as a function of the drawn values. Conventions: see ``datagen_es_common``.
"""

from __future__ import annotations

from operatorx.training.datagen_es_common import c, es, k, m
from operatorx.training.datagen_phrasing import Family, template_families

FAMILIES: list[Family] = []
# Questions that name a Windows event ("failed logons", "sysmon process creation") restrict to its
# dataset even without a kind phrase: the event id means nothing elsewhere.
SYSMON = c("event.dataset", "windows.sysmon_operational")
SECURITY = c("event.dataset", "system.security")


def F(fid, intent, build, train, shifted=(), weight=1.0, setup=None):
    FAMILIES.extend(template_families(fid, intent, "elasticsearch", build, train, shifted, weight, setup))


# --- single-value lookups -------------------------------------------------------------------------

F("es.conn.src", "es.lookup",
  lambda b: es(b, where=[k(b, "conn"), c("source.ip", b["ip"])]),
  ["~{conn} from {ip}{t}", "~{T}{conn} from {ip}", "~{conn} where the source is {ip}{t}",
   "~{conn} with source ip {ip}{t}", "~outbound {conn} from {ip}{t}", "~{conn} src {ip}{t}"],
  ["~{conn} initiated by {ip}{t}", "~{conn} where {ip} was the client{t}"], weight=2)
F("es.conn.dst", "es.lookup",
  lambda b: es(b, where=[k(b, "conn"), c("destination.ip", b["dip"])]),
  ["~{conn} to {dip}{t}", "~{T}{conn} going to {dip}", "~{conn} with destination {dip}{t}",
   "~{conn} dst {dip}{t}", "~{conn} towards {dip}{t}"],
  ["~{conn} landing on {dip}{t}", "~{conn} headed for {dip}{t}"], weight=2)
F("es.any.ip", "es.bool",
  lambda b: es(b, any_of=[c("source.ip", b["ip"]), c("destination.ip", b["ip"])]),
  ["~anything involving {ip}{t}", "~all events for {ip}{t}", "~everything with {ip} as source or destination{t}",
   "~{T}all logs involving {ip}", "what do we have on {ip}{t}?"],
  ["~every record that touches {ip}{t}"], weight=1.5)
F("es.conn.any.ip", "es.bool",
  lambda b: es(b, where=[k(b, "conn")], any_of=[c("source.ip", b["ip"]), c("destination.ip", b["ip"])]),
  ["~{conn} involving {ip}{t}", "~{conn} to or from {ip}{t}", "~{T}{conn} with {ip} on either side"],
  ["~{conn} in which {ip} took part{t}"])
F("es.conn.pair", "es.lookup",
  lambda b: es(b, where=[k(b, "conn"), c("source.ip", b["ip"]), c("destination.ip", b["ip2"])]),
  ["~{conn} from {ip} to {ip2}{t}", "~{conn} between {ip} and {ip2}{t}", "~{T}{conn} {ip} -> {ip2}",
   "~{conn} with source {ip} and destination {ip2}{t}"],
  ["~{conn} that {ip} opened to {ip2}{t}"])
F("es.conn.port", "es.lookup",
  lambda b: es(b, where=[k(b, "conn"), c("destination.port", b["port"])]),
  ["~{conn} to port {port}{t}", "~{conn} on port {port}{t}", "~{T}{conn} with destination port {port}",
   "~{conn} dport {port}{t}", "~{conn} on {port}{t}"],
  ["~{conn} aimed at tcp/{port}{t}"], weight=1.5)
F("es.conn.src.port", "es.lookup",
  lambda b: es(b, where=[k(b, "conn"), c("source.ip", b["ip"]), c("destination.port", b["port"])]),
  ["~{conn} from {ip} to port {port}{t}", "~{conn} from {ip} on port {port}{t}", "~{T}{ip} {conn} to port {port}"],
  ["~port {port} {conn} that {ip} made{t}"])
F("es.conn.src.cidr", "es.lookup",
  lambda b: es(b, where=[k(b, "conn"), c("source.ip", b["cidr"])]),
  ["~{conn} from the {cidr} subnet{t}", "~{conn} from {cidr}{t}", "~{T}{conn} sourced in {cidr}"],
  ["~{conn} coming out of network {cidr}{t}"])
F("es.conn.dst.cidr", "es.lookup",
  lambda b: es(b, where=[k(b, "conn"), c("destination.ip", b["cidr"])]),
  ["~{conn} to the {cidr} network{t}", "~{conn} to {cidr}{t}", "~{conn} into subnet {cidr}{t}"])
F("es.conn.sensor", "es.lookup",
  lambda b: es(b, where=[k(b, "conn"), c("observer.name", b["sensor"])]),
  ["~{conn} seen by {sensor}{t}", "~{conn} from sensor {sensor}{t}", "~{T}{sensor} {conn}"],
  ["~{conn} that {sensor} captured{t}"], weight=0.6)
F("es.conn.country", "es.lookup",
  lambda b: es(b, where=[k(b, "conn"), c("destination.geo.country_name", b["country"])]),
  ["~{conn} to {country}{t}", "~{conn} going to hosts in {country}{t}", "~{T}{conn} with destination country {country}"],
  ["~{conn} bound for {country}{t}"], weight=0.6)
F("es.conn.state", "es.lookup",
  lambda b: es(b, where=[c("tags", "conn"), c("connection.state", m(b, "state"))]),
  ["~{state}{t}", "~{T}{state}"],
  ["~{state} recorded{t}"], weight=0.8)
F("es.conn.state.src", "es.lookup",
  lambda b: es(b, where=[c("tags", "conn"), c("connection.state", m(b, "state")), c("source.ip", b["ip"])]),
  ["~{state} from {ip}{t}", "~{T}{state} coming from {ip}"], weight=0.6)
F("es.module", "es.lookup",
  lambda b: es(b, where=[c("event.module", b["module"])]),
  ["~all {module} events{t}", "~{T}everything from {module}", "~{module} logs{t}"], weight=0.5,
  setup=lambda b: b.__setitem__("module", b.r.choice(["zeek", "suricata", "strelka"])))
F("es.module.ip", "es.lookup",
  lambda b: es(b, where=[c("event.module", b["module"]), c("source.ip", b["ip"])]),
  ["~{module} logs from {ip}{t}", "~{T}{module} events with source {ip}"], weight=0.5,
  setup=lambda b: b.__setitem__("module", b.r.choice(["zeek", "suricata"])))

# DNS
F("es.dns.domain", "es.lookup",
  lambda b: es(b, where=[k(b, "dns"), c("dns.query.name", b["domain"])]),
  ["~{dns} for {domain}{t}", "~{dns} of {domain}{t}", "~{T}{dns} where the query is {domain}",
   "~{dns} to {domain}{t}", "~{domain} {dns}{t}"],
  ["~{dns} asking about {domain}{t}"], weight=1.5)
F("es.dns.domain.src", "es.lookup",
  lambda b: es(b, where=[k(b, "dns"), c("source.ip", b["ip"]), c("dns.query.name", b["domain"])]),
  ["~{dns} from {ip} for {domain}{t}", "~{T}{ip} {dns} for {domain}"])
F("es.dns.src", "es.lookup",
  lambda b: es(b, where=[k(b, "dns"), c("source.ip", b["ip"])]),
  ["~{dns} from {ip}{t}", "~{T}{dns} made by {ip}", "~{dns} sent by {ip}{t}"],
  ["~{dns} issued by {ip}{t}"])
F("es.dns.rcode", "es.lookup",
  lambda b: es(b, where=[k(b, "dns"), c("dns.response.code_name", b["rcode"])]),
  ["~{rcode} {dns}{t}", "~{dns} with response code {rcode}{t}", "~{T}{dns} that returned {rcode}",
   "~{dns} answered {rcode}{t}"],
  ["~{dns} whose answer was {rcode}{t}"])
F("es.dns.qtype", "es.lookup",
  lambda b: es(b, where=[k(b, "dns"), c("dns.query.type_name", b["qtype"])]),
  ["~{qtype} {dns}{t}", "~{dns} of type {qtype}{t}", "~{T}{dns} with query type {qtype}"],
  ["~{dns} requesting {qtype} records{t}"])
# HTTP
F("es.http.host", "es.lookup",
  lambda b: es(b, where=[k(b, "http"), c("http.virtual_host", b["domain"])]),
  ["~{http} to {domain}{t}", "~{http} for host {domain}{t}", "~{T}{http} with Host header {domain}"],
  ["~{http} addressed to {domain}{t}"])
F("es.http.method", "es.lookup",
  lambda b: es(b, where=[k(b, "http"), c("http.method", b["method"])]),
  ["~{method} {http}{t}", "~{http} using {method}{t}", "~{T}{http} with method {method}"],
  ["~{http} sent with the {method} verb{t}"], weight=0.7)
F("es.http.status", "es.lookup",
  lambda b: es(b, where=[k(b, "http"), c("http.status_code", b["status"])]),
  ["~{http} with status {status}{t}", "~{status} responses in {http}{t}", "~{T}{http} that got a {status}"],
  ["~{http} answered with code {status}{t}"], weight=0.7)
F("es.http.ua", "es.lookup",
  lambda b: es(b, where=[k(b, "http"), c("http.useragent", b["fullua"])]),
  ["~{http} with user agent {fullua}{t}", "~{T}{http} where the user-agent is {fullua}"], weight=0.6)
# TLS
F("es.ssl.sni", "es.lookup",
  lambda b: es(b, where=[k(b, "ssl"), c("ssl.server_name", b["domain"])]),
  ["~{ssl} to {domain}{t}", "~{ssl} with SNI {domain}{t}", "~{T}{ssl} for server name {domain}"],
  ["~{ssl} negotiated with {domain}{t}"])
F("es.ssl.version", "es.lookup",
  lambda b: es(b, where=[k(b, "ssl"), c("ssl.version", m(b, "tls"))]),
  ["~{ssl} using {tls}{t}", "~{tls} {ssl}{t}", "~{T}{ssl} on {tls}"], weight=0.7)
F("es.ssl.ja3", "es.lookup",
  lambda b: es(b, where=[k(b, "ssl"), c("hash.ja3", b["ja3"])]),
  ["~{ssl} with ja3 {ja3}{t}", "~{T}{ssl} matching JA3 {ja3}"], weight=0.5)
F("es.ssl.validation", "es.lookup",
  lambda b: es(b, where=[k(b, "ssl"), c("ssl.validation_status", b["vstatus"])]),
  ["~{ssl} with validation status \"{vstatus}\"{t}", "~{T}{ssl} where validation says {vstatus}"], weight=0.5)
# alerts
F("es.alert.sid", "es.lookup",
  lambda b: es(b, where=[k(b, "alert"), c("rule.uuid", b["sid"])]),
  ["~{alert} for sid {sid}{t}", "~{alert} with signature id {sid}{t}", "~{T}{alert} for rule {sid}",
   "~sid {sid} {alert}{t}"],
  ["~{alert} raised by signature {sid}{t}"], weight=1.5)
F("es.alert.src", "es.lookup",
  lambda b: es(b, where=[k(b, "alert"), c("source.ip", b["ip"])]),
  ["~{alert} from {ip}{t}", "~{T}{alert} where the source is {ip}", "~{alert} triggered by {ip}{t}"],
  ["~{alert} that {ip} set off{t}"], weight=1.2)
F("es.alert.any.ip", "es.bool",
  lambda b: es(b, where=[k(b, "alert")], any_of=[c("source.ip", b["ip"]), c("destination.ip", b["ip"])]),
  ["~{alert} involving {ip}{t}", "~{T}{alert} with {ip} as source or destination"])
F("es.alert.rule", "es.lookup",
  lambda b: es(b, where=[k(b, "alert"), c("rule.name", b["rule"])]),
  ["~{alert} named \"{rule}\"{t}", "~{T}{alert} for rule \"{rule}\"", "~\"{rule}\" {alert}{t}"], weight=0.8)
F("es.alert.sensor", "es.lookup",
  lambda b: es(b, where=[k(b, "alert"), c("observer.name", b["sensor"])]),
  ["~{alert} from sensor {sensor}{t}", "~{alert} seen by {sensor}{t}", "~{T}{sensor} {alert}"], weight=0.7)
F("es.alert.sev", "es.lookup",
  lambda b: es(b, where=[k(b, "alert"), c("event.severity_label", b["sev"])]),
  ["~{sev} severity {alert}{t}", "~{alert} with severity {sev}{t}", "~{T}{sev} {alert}"],
  ["~{alert} rated {sev}{t}"], weight=1.2)
F("es.alert.category", "es.lookup",
  lambda b: es(b, where=[k(b, "alert"), c("rule.category", b["cat"])]),
  ["~{alert} in category \"{cat}\"{t}", "~{T}\"{cat}\" {alert}"], weight=0.5)
# hosts, processes, windows
F("es.sysmon.host", "es.lookup",
  lambda b: es(b, where=[k(b, "sysmon"), c("host.name", b["host"])]),
  ["~{sysmon} from {host}{t}", "~{sysmon} on {host}{t}", "~{T}{host} {sysmon}"],
  ["~{sysmon} collected on {host}{t}"])
F("es.sysmon.code", "es.lookup",
  lambda b: es(b, where=[SYSMON, c("event.code", m(b, "scode")), c("host.name", b["host"])]),
  ["~sysmon {scode} on {host}{t}", "~{T}{scode} from sysmon on {host}", "~{host} sysmon {scode}{t}"],
  ["~sysmon {scode} recorded on {host}{t}"], weight=1.2)
F("es.security.code", "es.lookup",
  lambda b: es(b, where=[SECURITY, c("event.code", m(b, "wcode"))]),
  ["~{wcode}{t}", "~{T}windows {wcode}", "~{wcode} in the security log{t}"],
  ["~{wcode} on the domain{t}"])
F("es.security.code.user", "es.lookup",
  lambda b: es(b, where=[SECURITY, c("event.code", m(b, "wcode")), c("user.name", b["user"])]),
  ["~{wcode} for {user}{t}", "~{T}{wcode} for user {user}", "~{user} {wcode}{t}"],
  ["~{wcode} tied to account {user}{t}"])
F("es.security.code.host", "es.lookup",
  lambda b: es(b, where=[SECURITY, c("event.code", m(b, "wcode")), c("host.name", b["host"])]),
  ["~{wcode} on {host}{t}", "~{T}{wcode} on host {host}"])
F("es.proc.name", "es.lookup",
  lambda b: es(b, where=[k(b, "process"), c("process.name", b["proc"])]),
  ["~{proc} {process}{t}", "~{process} named {proc}{t}", "~{T}{process} where the image is {proc}"],
  ["~{process} of {proc}{t}"])
F("es.proc.name.host", "es.lookup",
  lambda b: es(b, where=[k(b, "process"), c("process.name", b["proc"]), c("host.name", b["host"])]),
  ["~{proc} {process} on {host}{t}", "~{T}{process} named {proc} on {host}"])
F("es.proc.user", "es.lookup",
  lambda b: es(b, where=[k(b, "process"), c("user.name", b["user"])]),
  ["~{process} run by {user}{t}", "~{T}{process} started by user {user}", "~{user}'s {process}{t}"])
F("es.proc.parent", "es.lookup",
  lambda b: es(b, where=[k(b, "process"), c("process.parent.name", b["parent"])]),
  ["~{process} spawned by {parent}{t}", "~{T}{process} whose parent is {parent}", "~child {process} of {parent}{t}"],
  ["~{process} launched from {parent}{t}"])
F("es.endpoint.host", "es.lookup",
  lambda b: es(b, where=[k(b, "endpoint"), c("host.name", b["host"])]),
  ["~{endpoint} on {host}{t}", "~{T}{endpoint} from {host}"], weight=0.4)
F("es.ps.host", "es.lookup",
  lambda b: es(b, where=[k(b, "ps"), c("host.name", b["host"])]),
  ["~{ps} on {host}{t}", "~{T}{ps} from {host}"], weight=0.4)
F("es.osq.host", "es.lookup",
  lambda b: es(b, where=[k(b, "osq"), c("host.hostname", b["host"])]),
  ["~{osq} from {host}{t}", "~{T}{osq} for host {host}"], weight=0.3)
# files, notices, ssh, smtp
F("es.file.hash", "es.lookup",
  lambda b: es(b, where=[k(b, "file"), c(b["hkind"], b["hash"])]),
  ["~{file} with {hname} {hash}{t}", "~{T}{file} matching {hname} {hash}"],
  ["~{file} whose {hname} is {hash}{t}"],
  setup=lambda b: _hash_setup(b))
F("es.hash.any", "es.lookup",
  lambda b: es(b, where=[c(b["hkind"], b["hash"])]),
  ["where have we seen {hname} {hash}{t}?", "~anything with {hname} {hash}{t}", "~{hname} {hash}{t}"],
  setup=lambda b: _hash_setup(b))
F("es.file.name", "es.lookup",
  lambda b: es(b, where=[k(b, "file"), c("file.name", b["fname"])]),
  ["~{file} named {fname}{t}", "~{T}{file} called {fname}"], weight=0.7)
F("es.file.mime", "es.lookup",
  lambda b: es(b, where=[k(b, "file"), c("file.mime_type", m(b, "mime"))]),
  ["~{mime} in {file}{t}", "~{T}{file} that are {mime}"], weight=0.7)
F("es.notice.note", "es.lookup",
  lambda b: es(b, where=[k(b, "notice"), c("notice.note", b["note"])]),
  ["~{notice} of type {note}{t}", "~{note} {notice}{t}", "~{T}{notice} where the note is {note}"],
  ["~{notice} flagged as {note}{t}"])
F("es.ssh.fail", "es.lookup",
  lambda b: es(b, where=[k(b, "ssh"), c("ssh.authentication.success", False)]),
  ["~failed {ssh}{t}", "~{ssh} with failed authentication{t}", "~{T}unsuccessful {ssh}"],
  ["~{ssh} where auth did not succeed{t}"])
F("es.ssh.fail.dst", "es.lookup",
  lambda b: es(b, where=[k(b, "ssh"), c("ssh.authentication.success", False), c("destination.ip", b["ip"])]),
  ["~failed {ssh} to {ip}{t}", "~{T}{ssh} to {ip} that failed authentication"], weight=0.6)
F("es.ssh.client", "es.lookup",
  lambda b: es(b, where=[k(b, "ssh"), c("ssh.client", b["sshclient"])]),
  ["~{ssh} from client {sshclient}{t}", "~{T}{ssh} with client string {sshclient}"], weight=0.5)
F("es.smtp.from", "es.lookup",
  lambda b: es(b, where=[k(b, "smtp"), c("smtp.mail_from", b["mailfrom"])]),
  ["~{smtp} from {mailfrom}{t}", "~{T}{smtp} sent by {mailfrom}"], weight=0.5)


def _hash_setup(b):
    hk = b.r.choice(["md5", "sha1", "sha256"])
    b["hname"] = b.r.choice({"md5": ["md5", "MD5"], "sha1": ["sha1", "SHA-1"], "sha256": ["sha256", "SHA256"]}[hk])
    b["hash"] = b[hk]
    b["hkind"] = f"hash.{hk}"

# --- lists (in) ------------------------------------------------------------------------------------
F("es.in.ports", "es.in",
  lambda b: es(b, where=[k(b, "conn"), c("destination.port", m(b, "ports"), "in")]),
  ["~{conn} to ports {ports}{t}", "~{T}{conn} on ports {ports}", "~{conn} to any of {ports}{t}"],
  ["~{conn} hitting one of the ports {ports}{t}"], weight=1.5)
F("es.in.srcs", "es.in",
  lambda b: es(b, where=[k(b, "conn"), c("source.ip", m(b, "ips"), "in")]),
  ["~{conn} from {ips}{t}", "~{T}{conn} from any of {ips}"], ["~{conn} started by one of {ips}{t}"])
F("es.in.alert.srcs", "es.in",
  lambda b: es(b, where=[k(b, "alert"), c("source.ip", m(b, "ips"), "in")]),
  ["~{alert} from {ips}{t}", "~{T}{alert} where the source is one of {ips}"], weight=0.6)
F("es.in.qtypes", "es.in",
  lambda b: es(b, where=[k(b, "dns"), c("dns.query.type_name", [b["qtype"], b["qtype2"]], "in")]),
  ["~{dns} of type {qtype} or {qtype2}{t}", "~{T}{qtype} and {qtype2} {dns}"], weight=0.7)
F("es.in.status", "es.in",
  lambda b: es(b, where=[k(b, "http"), c("http.status_code", [b["status"], b["status2"]], "in")]),
  ["~{http} with status {status} or {status2}{t}", "~{T}{status}/{status2} {http}"],
  ["~{http} ending in a {status} or a {status2}{t}"], weight=0.7)
F("es.in.sids", "es.in",
  lambda b: es(b, where=[k(b, "alert"), c("rule.uuid", m(b, "sids"), "in")]),
  ["~{alert} for sids {sids}{t}", "~{T}{alert} with signature ids {sids}"], weight=0.8)
F("es.in.methods", "es.in",
  lambda b: es(b, where=[k(b, "http"), c("http.method", [b["method"], b["method2"]], "in")]),
  ["~{http} using {method} or {method2}{t}", "~{T}{method} and {method2} {http}"], weight=0.6)
F("es.in.sev", "es.in",
  lambda b: es(b, where=[k(b, "alert"), c("event.severity_label", [b["sev"], b["sev2"]], "in")]),
  ["~{sev} and {sev2} {alert}{t}", "~{alert} with severity {sev} or {sev2}{t}", "~{T}{sev}/{sev2} severity {alert}"],
  ["~{alert} rated either {sev} or {sev2}{t}"])
F("es.in.tls", "es.in",
  lambda b: es(b, where=[k(b, "ssl"), c("ssl.version", [m(b, "tls"), m(b, "tls2")], "in")]),
  ["~{ssl} using {tls} or {tls2}{t}", "~{T}{tls} and {tls2} {ssl}"], weight=0.5)
F("es.in.users", "es.in",
  lambda b: es(b, where=[SECURITY, c("event.code", m(b, "wcode")), c("user.name", [b["user"], b["user2"]], "in")]),
  ["~{wcode} for {user} or {user2}{t}", "~{T}{wcode} for users {user} and {user2}"], weight=0.5)
