"""Values Security Onion's keyword fields take that analysts name by meaning, not by spelling.

"failed logons" is ``event.code: 4625``, "normally completed connections" is
``connection.state: SF``, "punycode names" is a ``xn--`` prefix. The planner's grammar lets a
search's string values come only from the analyst's words, the search being edited, and
these lists (``grounding.search_values``), so the model can pick a real value but cannot
invent one ("report.report.group_name").

Sources: ``shared/reference/security-onion-data.md`` (SO 2.4.110 pipelines and templates),
Zeek's conn.log states, Windows Security and Sysmon event ids, IANA DNS names. The dataset
and module names come from the packaged field catalog (``so_catalog.json``).
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

# Field → the values it takes that have a meaning an analyst asks for in words.
FIELD_VALUES: dict[str, tuple[str, ...]] = {
    "event.category": ("network", "process", "file", "authentication", "host", "iam", "registry",
                       "configuration", "intrusion_detection"),
    # Zeek conn.log states
    "connection.state": ("S0", "S1", "S2", "S3", "SF", "REJ", "RSTO", "RSTR", "RSTOS0", "RSTRH",
                         "SH", "SHR", "OTH"),
    # Windows Security (system.security) and Sysmon event ids, as strings (keyword field)
    "event.code": ("4624", "4625", "4634", "4648", "4672", "4688", "4697", "4698", "4720", "4722",
                   "4724", "4726", "4728", "4732", "4738", "4740", "4756", "4768", "4769", "4771",
                   "4776", "1102", "7045",
                   "1", "2", "3", "5", "6", "7", "8", "10", "11", "12", "13", "15", "17", "22", "23"),
    "event.severity_label": ("low", "medium", "high", "critical"),
    "ssl.version": ("SSLv3", "TLSv10", "TLSv11", "TLSv12", "TLSv13"),
    "dns.response.code_name": ("NOERROR", "NXDOMAIN", "SERVFAIL", "REFUSED", "FORMERR", "NOTIMP"),
    "dns.query.type_name": ("A", "AAAA", "TXT", "MX", "PTR", "NULL", "ANY", "SRV", "CNAME", "NS",
                            "SOA", "HINFO"),
    "file.mime_type": ("application/x-dosexec", "application/x-executable", "application/pdf",
                       "application/zip", "application/vnd.ms-word.document.macroEnabled.12",
                       "application/x-msdownload", "text/x-shellscript", "text/html", "text/plain"),
    "network.transport": ("tcp", "udp", "icmp", "TCP", "UDP", "ICMP"),
    # Zeek's detected service / Suricata's app_proto
    "network.protocol": ("dns", "http", "ssl", "tls", "ssh", "smtp", "ftp", "smb", "krb", "dhcp", "ntp",
                         "rdp", "sip", "snmp", "irc", "mysql", "dce_rpc", "ntlm", "quic"),
}

# Patterns for wildcard and prefix conditions that stand for a meaning: executables in a
# MIME type list, punycode (IDN) names, the user folders malware runs from.
# Fields whose values are only Security Onion's own names (``field_values``): the words of a
# question are no value of them ("events headed to" is no tag, as the adapter wrote), unless
# spelt like one (the pattern, None for none: "zeek.kerberos", a dataset the packaged catalog
# does not list). Every search of the data compares them with their known values only.
CLOSED_FIELDS: dict[str, re.Pattern | None] = {
    "tags": None,
    "event.module": None,
    "event.dataset": re.compile(r"^[a-z0-9_]+\.[a-z0-9_]+\Z"),
    # a Windows or Sysmon event id: "sysmon" or "process.command_line" is none (the adapter wrote both)
    "event.code": re.compile(r"^[0-9]{1,5}\Z"),
    # Fields whose every value has one spelling: a word of the question that is not spelt like
    # one is no value of them. The adapter wrote event.severity_label "daily", "ping" and
    # "tripping", rule.uuid "24h" and "invoice_0923.docm", hash.md5 "files" (dev-hand3, dev-hand5).
    "event.severity_label": None,
    "connection.state": re.compile(r"^[A-Z0-9]{2,6}\Z"),  # Zeek's states: S0, REJ, RSTOS0
    "dns.response.code_name": re.compile(r"^[A-Z]{4,10}\Z"),  # NOTAUTH, YXDOMAIN
    "dns.query.type_name": re.compile(r"^[A-Z0-9]{1,10}\Z"),  # DNSKEY, NSEC3
    "ssl.version": re.compile(r"^(SSL|TLS)v[0-9.]{1,4}\Z"),
    "network.transport": re.compile(r"^(ipv6-icmp|icmpv6|sctp|gre|esp|igmp)\Z", re.I),
    "rule.uuid": re.compile(r"^[0-9]{1,10}\Z"),  # a Suricata signature id
    # host names (whole, a prefix "ws-hr*" or a domain "*.corp.internal"): the adapter wrote
    # host.name "C:\Users\jdoe\AppData\Local\Temp" (dev-hand5)
    **dict.fromkeys(("host.name", "host.hostname", "observer.name", "winlog.computer_name"),
                    re.compile(r"^\*?\.?[A-Za-z0-9][A-Za-z0-9._-]{0,252}\*?\Z")),
    # a country as GeoIP names it: the adapter wrote destination.geo.country_name "bad.domain.com"
    **dict.fromkeys(("destination.geo.country_name", "source.geo.country_name"),
                    re.compile(r"^[A-Z][A-Za-z '-]{1,47}\Z")),
    **dict.fromkeys(
        ("hash.md5", "hash.sha1", "hash.sha256", "hash.ja3", "hash.ja3s", "hash.hassh", "file.hash.sha256",
         "process.hash.sha256", "tls.server.hash.sha256"),
        re.compile(r"^\*?[0-9a-fA-F]{6,128}\*?\Z"),  # hex digits, whole or a part of them
    ),
    # Names spelt as names (stop 36): a web, TLS or DNS server name has no space, a process or
    # file name has a dot (or a wildcard), a protocol is one lower-case word, an SSH client
    # string starts "SSH-", an HTTP method is capitals, an account is one word (or capitals:
    # "ANONYMOUS LOGON"). Every label of the data agrees; the adapter wrote http.virtual_host
    # "any http requests matching it", ssl.server_name "tls sessions in the last 24",
    # dns.query.name "dns lookup", ssh.client "guy hammering", user.name "windows security" and
    # network.protocol "sni contains micros0ft" (dev-hand2, 5, 9, 10, 11).
    **dict.fromkeys(("http.virtual_host", "ssl.server_name", "dns.query.name", "dns.question.name"),
                    re.compile(r"^\*?\.?[A-Za-z0-9_][A-Za-z0-9._*-]{0,252}\Z")),
    **dict.fromkeys(("process.name", "process.parent.name", "file.name"), re.compile(r"^(?=.*[.*])\S{1,96}\Z")),
    "network.protocol": re.compile(r"^[a-z0-9_]{2,16}\Z"),
    "ssh.client": re.compile(r"^(\*?SSH-|\*)\S{0,94}\Z"),
    "http.method": re.compile(r"^[A-Z]{3,8}\Z"),
    "user.name": re.compile(r"^(\S{1,64}|[A-Z][A-Z ]{1,63})\Z"),
}
_FOLDERS = ("*Temp*", "*Downloads*", "*AppData*", "*ProgramData*", "*Public*")
FIELD_PATTERNS: dict[str, tuple[str, ...]] = {
    "file.resp_mime_types": ("*exec*",),
    "file.mime_type": ("*exec*",),
    "dns.query.name": ("xn--",),
    "dns.question.name": ("xn--",),
    "process.executable": _FOLDERS,
    "process.parent.executable": _FOLDERS,
    "file.path": _FOLDERS,
}


@cache
def _catalog() -> dict:
    text = resources.files("operatorx.data").joinpath("so_catalog.json").read_text(encoding="utf-8")
    return json.loads(text)


def packaged_field_names() -> tuple[str, ...]:
    """The field names of the packaged Security Onion catalog."""
    return tuple(_catalog().get("fields", {}))


@cache
def field_values() -> dict[str, tuple[str, ...]]:
    """Field → the values (and patterns) a search may give it without the analyst spelling
    them: the lists above, and the dataset, module and tag names of the packaged catalog."""
    datasets = _catalog().get("datasets", [])
    out: dict[str, list[str]] = {
        "event.dataset": [d["dataset"] for d in datasets if d.get("dataset")],
        "event.module": [d["module"] for d in datasets if d.get("module")],
        "tags": [t for d in datasets for t in d.get("tags", [])] + ["alert"],
    }
    for table in (FIELD_VALUES, FIELD_PATTERNS):
        for name, values in table.items():
            out.setdefault(name, []).extend(values)
    return {name: tuple(dict.fromkeys(values)) for name, values in out.items()}


@cache
def four_digit_event_codes() -> frozenset[str]:
    """event.code's known four-digit values: the Windows event ids ("4625", "4688"). A number
    written as one is read as that event (``grammar.bound_values``, ``grounding.windows_event_codes``)."""
    return frozenset(v for v in field_values().get("event.code", ()) if len(v) == 4 and v.isdigit())
