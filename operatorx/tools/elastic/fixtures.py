"""Seeded, Security-Onion-2.4-like demo data and the index templates it lives in.

The only code in OperatorX that writes to Elasticsearch: it creates index templates and
bulk-loads documents into the local test/demo cluster. The runner never imports it.

Mappings come from the packaged catalog (``so_catalog.json``) with one substitution: the
minimal Elasticsearch distribution used for tests and the demo (integ-test-zip) has neither
the ``wildcard`` nor the ``match_only_text`` field type, so ``process.command_line`` is
mapped as ``keyword`` and ``message`` as ``text`` here (``FIXTURE_TYPES``). Both stay in the
same type family, so every query OperatorX builds behaves the same.

The distribution cannot delete a data stream either (no ``DELETE _data_stream`` handler), nor
delete by query; ``replace`` empties a stream by rolling it over and deleting its old backing
indices, and only in a cluster OperatorX started itself (its name starts with ``operatorx-``).
Anywhere else ``ensure_demo_data`` only ever adds a fresh batch when the newest data has gone stale
(older than its ``max_age``, or from before today's midnight, UTC).

Each load records the instant its batch was generated for in the templates' ``_meta``, so that
``batch_instant`` can say which instant the data stands for. ``operatorx eval`` judges searches on
one batch generated for ``JUDGE_NOW`` with ``now`` pinned to it: a verdict on "last hour" must not
depend on when the eval runs (``ensure_judge_data``).

Documents are spread over the 7 days before ``now``; the planted findings analysts ask about
(``PLANTED``) sit in the last minutes of today (UTC) so that "today" and "last 24 hours" hit.
"""

from __future__ import annotations

import hashlib
import json
import random
import string
from datetime import UTC, datetime, timedelta
from typing import Any

from operatorx.errors import OperatorXError
from operatorx.tools.elastic.catalog import FieldCatalog, _packaged

FIXTURE_TYPES = {"wildcard": "keyword", "match_only_text": "text"}

# data stream → (template name, index pattern)
STREAMS = {
    "logs-zeek-so": ("operatorx-so-zeek", "logs-zeek-so*"),
    "logs-suricata-so": ("operatorx-so-suricata", "logs-suricata-so*"),
    "logs-suricata.alerts-so": ("operatorx-so-suricata-alerts", "logs-suricata.alerts-so*"),
    "logs-strelka-so": ("operatorx-so-strelka", "logs-strelka-so*"),
    "logs-windows.sysmon_operational-default": (
        "operatorx-windows-sysmon",
        "logs-windows.sysmon_operational-default*",
    ),
    "logs-system.security-default": ("operatorx-system-security", "logs-system.security-default*"),
}
TEMPLATE_PRIORITY = 510  # above SO's own 500, so it wins over a template a colleague left behind
META_KEY = "operatorx_fixtures"  # the templates' _meta entry: the batch's instant, seed and size
# The instant the eval's judge data stands for: a Wednesday afternoon, so that "today", "this
# week" and "yesterday" are three different windows.
JUDGE_NOW = datetime(2026, 6, 17, 14, 0, tzinfo=UTC)
OURS = "operatorx-"  # the cluster names local_cluster gives (demo, test): data there may be replaced

INTERNAL = ["10.20.4.17", "10.20.4.23", "10.20.4.31", "10.20.5.12", "10.20.5.40", "10.20.6.8", "10.20.7.14"]
DC, DNS_SERVER, INTRANET, APP = "10.20.1.5", "10.20.1.10", "10.20.1.20", "10.20.1.30"
EXTERNAL = ["203.0.113.10", "203.0.113.17", "203.0.113.50", "198.51.100.7", "198.51.100.44"]
SENSORS = ["so-sensor01", "so-sensor02"]
WIN_HOSTS = ["ws-fin-07", "ws-hr-02", "ws-it-11", "srv-dc-01"]
USERS = ["jdoe", "asmith", "bwayne", "svc_backup"]
DOMAINS = [
    "updates.example-cdn.net",
    "cdn.example-cdn.net",
    "static.example-cdn.net",
    "www.example.com",
    "intranet.corp.internal",
    "mail.corp.internal",
    "login.partner-portal.example",
    "time.example.org",
    "api.example.net",
    "wpad.corp.internal",
]
PORT_PROTO = {443: "ssl", 80: "http", 53: "dns", 445: "smb", 22: "ssh", 3389: "rdp", 123: "ntp", 8080: "http"}
BROWSER_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0"

# What the demo data hides, for the demo script and the tests.
PLANTED = {
    "scanner": "10.20.4.99",  # S0 burst against the DC (zeek.conn) + Scan::Port_Scan notice
    "scan_target": DC,
    "scan_ports": 120,
    "dga_host": "10.20.6.66",  # NXDOMAIN burst (zeek.dns)
    "dga_lookups": 60,
    "curl_host": "10.20.5.40",
    "curl_ua": "curl/8.4.0",
    "bad_domain": "bad.domain.com",  # HTTP today, an executable download
    "bad_domain_host": "10.20.4.23",
    "bad_domain_ip": "198.51.100.66",
    "suspicious_sni": "update.micros0ft-cdn.example",  # TLS, self-signed, TLSv10
    "sni_host": "10.20.4.23",
    "powershell_host": "ws-fin-07",  # encoded PowerShell (sysmon 1)
    "temp_exe": "C:\\Users\\jdoe\\AppData\\Local\\Temp\\upd.exe",
    "top_alert_host": "10.20.4.23",
    "onion_sid": "2022048",
    "big_upload": ("10.20.5.12", "203.0.113.50", 850_000_000),
    "ssh_brute": ("198.51.100.23", DC),
    "port80_not_http": ("10.20.7.14", "203.0.113.10"),
    "failed_logon_source": "192.168.56.21",
    "error_host": "app.corp.internal",  # HTTP 5xx
}
ALERT_RULES = [  # name, sid, category, suricata severity (1 = worst)
    ("ET POLICY Observed DNS Query to .onion proxy Domain", "2022048", "Potentially Bad Traffic", 2),
    ("ET MALWARE Win32/Emotet CnC Activity (POST) M10", "2030868", "A Network Trojan was detected", 1),
    (
        "ET EXPLOIT Apache log4j RCE Attempt (CVE-2021-44228)",
        "2034647",
        "Attempted Administrator Privilege Gain",
        1,
    ),
    ("ET INFO Observed DNS Query to .cloud TLD", "2027865", "Potentially Bad Traffic", 3),
    ("GPL ICMP_INFO PING *NIX", "2100366", "Misc activity", 3),
    ("ET SCAN Suspicious inbound to MSSQL port 1433", "2010935", "Potentially Bad Traffic", 2),
]


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in flat.items():
        node = out
        *parents, leaf = key.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return out


def _mapping(fields: dict[str, dict]) -> dict:
    props: dict[str, Any] = {}
    for name, spec in sorted(fields.items()):
        node = props
        *parents, leaf = name.split(".")
        for p in parents:
            node = node.setdefault(p, {"properties": {}})["properties"]
        node[leaf] = spec
    return props


def index_templates(catalog: FieldCatalog | None = None) -> dict[str, dict]:
    """Composable index templates (with ``data_stream``) for the fixture streams, typed per the catalog."""
    cat = catalog or _packaged()
    out = {}
    for stream, (name, pattern) in STREAMS.items():
        fields: dict[str, dict] = {}
        for f in cat.fields.values():
            if stream not in f.streams or cat.is_subfield(f.name):
                continue
            spec: dict[str, Any] = {"type": FIXTURE_TYPES.get(f.type, f.type)}
            sub = f"{f.name}.keyword"
            if sub in cat.fields:
                spec["fields"] = {"keyword": {"type": "keyword", "ignore_above": 1024}}
            fields[f.name] = spec
        out[name] = {
            "index_patterns": [pattern],
            "data_stream": {},
            "priority": TEMPLATE_PRIORITY,
            "template": {
                "settings": {"number_of_shards": 1, "number_of_replicas": 0},
                "mappings": {
                    # Like SO's dynamic templates: any other string is an exact keyword.
                    "dynamic_templates": [
                        {
                            "strings": {
                                "match_mapping_type": "string",
                                "mapping": {"type": "keyword", "ignore_above": 1024},
                            }
                        }
                    ],
                    "properties": _mapping(fields),
                },
            },
            "_meta": {"description": "OperatorX demo data shaped like Security Onion 2.4"},
        }
    return out


# Field sets that do not vary between records of one kind.
SSH_OK = {
    "ssh.version": 2,
    "ssh.client": "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3",
    "ssh.server": "SSH-2.0-OpenSSH_9.2p1 Debian-2",
    "ssh.authentication.success": True,
    "ssh.authentication.attempts": 1,
    "ssh.direction": "INBOUND",
}
SSH_BRUTE = {**SSH_OK, "ssh.client": "SSH-2.0-libssh2_1.10.0", "ssh.authentication.success": False}
SSH_BRUTE["ssh.authentication.attempts"] = 6
SCAN_PROBE = {
    "connection.state": "S0",
    "connection.state_description": "Connection attempt seen, no reply",
    "connection.history": "S",
    "network.protocol": None,  # Zeek saw no service
    "client.bytes": 0,
    "server.bytes": 0,
    "network.bytes": 0,
}
BAD_TLS = {
    "ssl.server_name": PLANTED["suspicious_sni"],
    "ssl.version": "TLSv10",
    "ssl.established": True,
    "ssl.validation_status": "self signed certificate",
    "ssl.certificate.subject": f"CN={PLANTED['suspicious_sni']}",
    "hash.ja3": "e7d705a3286e19ea42f587b344ee6865",
}
NOTICES = {
    "scan": {
        "notice.note": "Scan::Port_Scan",
        "notice.sub_message": "local",
        "notice.action": ["Notice::ACTION_LOG"],
        "notice.message": f"{PLANTED['scanner']} scanned at least 15 unique ports of host {DC} in 0m2s",
    },
    "cert": {
        "notice.note": "SSL::Invalid_Server_Cert",
        "notice.message": "SSL certificate validation failed with (self signed certificate)",
    },
    "ssh": {"notice.note": "SSH::Password_Guessing", "notice.message": "Possible SSH password guessing"},
}
PROGRAMS = [
    ("C:\\Windows\\System32\\svchost.exe", "svchost.exe -k netsvcs"),
    ("C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe", "chrome.exe --type=renderer"),
    ("C:\\Windows\\System32\\cmd.exe", "cmd.exe /c dir"),
    ("C:\\Windows\\explorer.exe", "explorer.exe"),
]
POWERSHELL = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"
ENCODED = "powershell.exe -nop -w hidden -enc SQBFAFgAKABOAGUAdwAtAE8AYgBqAGUAYwB0ACkA"


def _iso(ts: datetime) -> str:
    return ts.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _Gen:
    """One generation run: a seeded RNG, the time frame and the documents made so far."""

    def __init__(self, seed: int, now: datetime):
        self.rng = random.Random(seed)
        self.now = now.astimezone(UTC)
        self.midnight = self.now.replace(hour=0, minute=0, second=0, microsecond=0)
        self.docs: list[tuple[str, dict]] = []

    def when(self, today: bool) -> datetime:
        """Today: the last few minutes, never before midnight (UTC). Else: the last 7 days."""
        if today:
            span = min(900.0, (self.now - self.midnight).total_seconds() * 0.9)
            return self.now - timedelta(seconds=self.rng.uniform(0, span))
        return self.now - timedelta(seconds=self.rng.uniform(60, 7 * 86400))

    def uid(self, first: str = "C") -> str:
        return first + "".join(self.rng.choices(string.ascii_letters + string.digits, k=17))

    def hexd(self, n: int) -> str:
        return "".join(self.rng.choices("0123456789abcdef", k=n))

    def add(self, stream: str, flat: dict[str, Any], today: bool = False) -> None:
        flat = {"@timestamp": _iso(self.when(today)), **flat}
        self.docs.append((stream, _nest({k: v for k, v in flat.items() if v is not None})))

    def net(self, ds: str, src: str, dst: str, dport: int, fields: dict, today: bool = False) -> None:
        """A Zeek or Suricata record with the fields common to every network event."""
        module, bare = ds.split(".", 1)
        sport = self.rng.randint(49152, 65535)
        transport = "udp" if dport in (53, 123) else "tcp"
        community = hashlib.sha1(f"{src}{dst}{sport}{dport}".encode()).hexdigest()[:27]
        flat: dict[str, Any] = {
            "event.module": module,
            "event.dataset": ds,
            "event.category": "network",
            "tags": [bare],
            "observer.name": self.rng.choice(SENSORS),
            "source.ip": src,
            "source.port": sport,
            "destination.ip": dst,
            "destination.port": dport,
            "network.transport": transport if module == "zeek" else transport.upper(),
            "network.protocol": PORT_PROTO.get(dport),
            "network.community_id": f"1:{community}=",
            "log.id.uid": self.uid(),
            "message": json.dumps({"src": src, "dst": dst, "dport": dport, "dataset": bare}),
        }
        if module == "zeek":
            flat["client.ip"], flat["server.ip"] = src, dst
        stream = "logs-suricata.alerts-so" if ds == "suricata.alert" else f"logs-{module}-so"
        self.add(stream, {**flat, **fields}, today)


def _conn(g: _Gen, n: int) -> None:
    r, p = g.rng, PLANTED
    for _ in range(n):
        dport, dst = r.choice(list(PORT_PROTO)), r.choice([DC, DNS_SERVER, INTRANET, APP, *EXTERNAL])
        cb, sb = r.randint(60, 20000), r.randint(60, 400000)
        flow = {"client.bytes": cb, "server.bytes": sb, "client.packets": cb // 500 + 1}
        flow |= {"server.packets": sb // 1200 + 1, "event.duration": round(r.uniform(0.01, 120), 3)}
        state = r.choices(["SF", "REJ", "RSTO", "S0", "OTH"], [85, 5, 5, 2, 3])[0]
        zeek = {"connection.state": state, "connection.history": "ShADadFf", "network.bytes": cb + sb}
        zeek |= {"connection.local.originator": True, "connection.local.responder": dst not in EXTERNAL}
        src = r.choice(INTERNAL)
        g.net("zeek.conn", src, dst, dport, {**flow, **zeek})
        if r.random() < 0.3:
            g.net("suricata.conn", src, dst, dport, flow)
    for port in r.sample(range(1, 1025), p["scan_ports"]):
        g.net("zeek.conn", p["scanner"], p["scan_target"], port, SCAN_PROBE, today=True)
    src, dst, size = p["big_upload"]
    upload = {"connection.state": "SF", "client.bytes": size, "server.bytes": 48211}
    g.net("zeek.conn", src, dst, 443, {**upload, "network.bytes": size + 48211}, today=True)
    src, dst = p["port80_not_http"]
    for _ in range(3):
        g.net("zeek.conn", src, dst, 80, {"network.protocol": "ssh", "connection.state": "SF"})
    for port, times in ((445, 5), (3389, 3), (22, 2)):
        for _ in range(times):
            g.net("zeek.conn", "10.20.4.17", DC, port, {"connection.state": "SF", "client.bytes": 900})


def _dns(g: _Gen, n: int) -> None:
    r = g.rng

    def lookup(ds: str, src: str, name: str, code: str, today: bool = False) -> None:
        parts = name.split(".")
        f: dict[str, Any] = {
            "dns.query.name": name,
            "dns.query.type_name": r.choice(["A", "A", "AAAA", "TXT"]),
        }
        f |= {"dns.response.code_name": code, "dns.highest_registered_domain": ".".join(parts[-2:])}
        f |= {"dns.top_level_domain": parts[-1], "dns.parent_domain": parts[-2]}
        f["dns.subdomain"] = ".".join(parts[:-2]) or None
        answer = [r.choice(EXTERNAL)] if code == "NOERROR" else None
        if ds == "zeek.dns":
            f |= {"dns.query.class_name": "C_INTERNET", "dns.response.code": 0 if code == "NOERROR" else 3}
            f |= {"dns.id": r.randint(1, 65535), "dns.query.length": len(name), "dns.query.rejected": False}
            f |= {"dns.answers.name": answer, "dns.ttls": [300.0] if answer else None}
        else:
            f["dns.answers.data"] = answer
        g.net(ds, src, DNS_SERVER, 53, f, today)

    for _ in range(n):
        ds = "suricata.dns" if r.random() < 0.3 else "zeek.dns"
        code = "NXDOMAIN" if r.random() < 0.03 else "NOERROR"
        name = r.choice(DOMAINS) if code == "NOERROR" else "old-printer.corp.internal"
        lookup(ds, r.choice(INTERNAL), name, code)
    lookup("zeek.dns", "10.20.6.8", "xk2j9.rare-example.top", "NOERROR")
    for _ in range(PLANTED["dga_lookups"]):
        label = "".join(r.choices(string.ascii_lowercase + string.digits, k=14))
        lookup("zeek.dns", PLANTED["dga_host"], f"{label}.biz", "NXDOMAIN", today=True)


def _http(g: _Gen, n: int) -> None:
    r, p = g.rng, PLANTED
    sites = [
        ("intranet.corp.internal", INTRANET, ["/", "/wiki/Main_Page", "/hr/benefits", "/login"]),
        ("www.example.com", "203.0.113.17", ["/", "/index.html", "/favicon.ico"]),
        (p["error_host"], APP, ["/api/v1/orders", "/api/v1/report"]),
    ]

    def req(ds: str, src: str, site: tuple, uri: str, status: int, ua: str = BROWSER_UA, **kw: Any) -> None:
        host, ip = site[0], site[1]
        f = {"http.method": "GET", "http.virtual_host": host, "http.uri": uri, "http.useragent": ua}
        f |= {"http.status_code": status, **kw.pop("more", {})}
        if ds == "zeek.http":
            f |= {"http.version": "1.1", "http.response.body.length": r.randint(0, 50000)}
            f["http.status_message"] = {200: "OK", 404: "Not Found"}.get(status)
        g.net(ds, src, ip, 80, f, **kw)

    for _ in range(n):
        site = r.choice(sites)
        ok = r.choice([200, 200, 304])
        status = r.choices([200, 302, 404, 500, 503], [80, 8, 6, 3, 3])[0] if site[1] == APP else ok
        req(
            "suricata.http" if r.random() < 0.3 else "zeek.http",
            r.choice(INTERNAL),
            site,
            r.choice(site[2]),
            status,
        )
    for i in range(4):
        req("zeek.http", p["curl_host"], sites[1], "/install.sh", 200, ua=p["curl_ua"])
        req("suricata.http", p["curl_host"], sites[1], f"/api/{i}", 200, ua=p["curl_ua"])
    bad = (p["bad_domain"], p["bad_domain_ip"])
    for uri, mime in (("/payload.exe", "application/x-dosexec"), ("/gate.php", "text/html")):
        more = {"file.resp_mime_types": [mime], "file.resp_filenames": [uri.strip("/")]}
        for _ in range(2):
            req("zeek.http", p["bad_domain_host"], bad, uri, 200, more=more, today=True)


def _ssl(g: _Gen, n: int) -> None:
    r = g.rng
    names = ["login.partner-portal.example", "www.example.com", "api.example.net", "cdn.example-cdn.net"]
    for _ in range(n):
        zeek = r.random() >= 0.3
        name, version = r.choice(names), r.choice(["TLSv12", "TLSv13", "TLSv13"])
        f = {"ssl.server_name": name, "ssl.certificate.subject": f"CN={name}", "hash.ja3": g.hexd(32)}
        f["ssl.version"] = version if zeek else version.replace("TLSv1", "TLS 1.")  # Suricata: "TLS 1.2"
        if zeek:
            f |= {"ssl.established": True, "ssl.resumed": False, "ssl.validation_status": "ok"}
            f |= {"ssl.cipher": "TLS_AES_128_GCM_SHA256", "ssl.curve": "x25519"}
        g.net("zeek.ssl" if zeek else "suricata.ssl", r.choice(INTERNAL), r.choice(EXTERNAL), 443, f)
    for _ in range(3):
        g.net("zeek.ssl", PLANTED["sni_host"], "203.0.113.77", 443, BAD_TLS, today=True)


def _notice_ssh_files(g: _Gen, n: int) -> None:
    r, p = g.rng, PLANTED
    g.net("zeek.notice", p["scanner"], p["scan_target"], 0, NOTICES["scan"], today=True)
    g.net("zeek.notice", p["sni_host"], "203.0.113.77", 443, NOTICES["cert"], today=True)
    for _ in range(3):
        g.net("zeek.notice", r.choice(INTERNAL), DC, 22, NOTICES["ssh"])
    for _ in range(n // 4):
        g.net("zeek.ssh", r.choice(INTERNAL), DC, 22, SSH_OK)
    for _ in range(25):
        g.net("zeek.ssh", p["ssh_brute"][0], p["ssh_brute"][1], 22, SSH_BRUTE, today=True)
    files = [
        ("invoice_0923.pdf", "application/pdf"),
        ("setup.exe", "application/x-dosexec"),
        ("report.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ]
    for _ in range(n // 3):
        name, mime = r.choice(files)
        f = {"file.name": name, "file.mime_type": mime, "file.source": r.choice(["HTTP", "SMB"])}
        f |= {"file.bytes.total": r.randint(1000, 900000), "log.id.fuid": g.uid("F")}
        f |= {"hash.md5": g.hexd(32), "hash.sha1": g.hexd(40)}
        g.net("zeek.file", r.choice(EXTERNAL), r.choice(INTERNAL), 443, f)


def _alerts(g: _Gen, n: int) -> None:
    r, p = g.rng, PLANTED

    def alert(src: str, dst: str, rule: tuple, today: bool = False) -> None:
        name, sid, category, sev = rule
        level = 4 if "log4j" in name else {1: 3, 2: 2, 3: 1}[sev]  # SO: Suricata 1 → 3 (high)
        label = {1: "low", 2: "medium", 3: "high", 4: "critical"}[level]
        ruleset = "Snort GPL" if name.startswith("GPL") else "Emerging Threats"
        f = {"rule.name": name, "rule.uuid": sid, "rule.gid": 1, "rule.rev": r.randint(1, 9)}
        f |= {
            "rule.category": category,
            "rule.severity": sev,
            "rule.action": "allowed",
            "rule.ruleset": ruleset,
        }
        f |= {"event.severity": level, "event.severity_label": label}
        g.net("suricata.alert", src, dst, r.choice([53, 80, 443, 1433]), f, today)

    others = [h for h in INTERNAL if h != p["top_alert_host"]]
    for _ in range(n // 2):
        alert(r.choice(others), r.choice(EXTERNAL), r.choice(ALERT_RULES[3:]))
    for _ in range(30):
        alert(p["top_alert_host"], p["bad_domain_ip"], r.choice(ALERT_RULES[1:3]), today=True)
    for _ in range(5):
        alert(r.choice(others), DNS_SERVER, ALERT_RULES[0], today=True)


def _strelka(g: _Gen, n: int) -> None:
    r = g.rng

    def scan(ds: str, name: str, mime: str, today: bool = False, **more: Any) -> None:
        f = {"event.module": "strelka", "event.dataset": ds, "event.category": "file"}
        f |= {"tags": [ds.split(".")[1]], "file.name": name, "file.mime_type": [mime], "event.severity": 3}
        f |= {"file.size": r.randint(1000, 900000), "log.id.fuid": g.uid("F"), "hash.sha256": g.hexd(64)}
        g.add("logs-strelka-so", {**f, "message": f"strelka scan of {name}", **more}, today)

    for _ in range(n // 4):
        name, mime = r.choice(
            [("invoice_0923.pdf", "application/pdf"), ("setup.exe", "application/x-dosexec")]
        )
        scan("strelka.file", name, mime, **{"hash.md5": g.hexd(32), "hash.sha1": g.hexd(40)})
    macro = "application/vnd.ms-word.document.macroEnabled.12"
    scan("strelka.alert", "invoice_0923.docm", macro, today=True, **{"rule.name": "Office_Macro_AutoOpen"})


def _windows(g: _Gen, n: int) -> None:
    r, p = g.rng, PLANTED

    def sysmon(host: str, code: str, f: dict, today: bool = False, user: str | None = None) -> None:
        base = {"event.module": "windows", "event.dataset": "windows.sysmon_operational", "event.code": code}
        base |= {"winlog.event_id": code, "winlog.channel": "Microsoft-Windows-Sysmon/Operational"}
        base |= {"winlog.computer_name": f"{host.upper()}.corp.internal", "host.name": host}
        base |= {"user.name": user or r.choice(USERS), "user.domain": "CORP"}
        base["message"] = f"Sysmon event {code} on {host}"
        g.add("logs-windows.sysmon_operational-default", {**base, **f}, today)

    def process(host: str, exe: str, cmd: str, today: bool = False, **more: Any) -> None:
        f = {"event.category": "process", "event.action": "Process creation", "process.executable": exe}
        f |= {"process.name": exe.rsplit("\\", 1)[-1], "process.command_line": cmd}
        f |= {"process.pid": r.randint(400, 9000), "process.hash.sha256": g.hexd(64)}
        f |= {"process.parent.executable": "C:\\Windows\\explorer.exe", "process.parent.name": "explorer.exe"}
        sysmon(host, "1", {**f, **more.pop("fields", {})}, today, **more)

    for _ in range(n):
        process(r.choice(WIN_HOSTS), *r.choice(PROGRAMS))
    for _ in range(n // 3):
        dst, port = r.choice([DC, *EXTERNAL]), r.choice([443, 445])
        f = {"event.category": "network", "event.action": "Network connection", "destination.ip": dst}
        f |= {"destination.port": port, "process.executable": PROGRAMS[1][0], "process.name": "chrome.exe"}
        sysmon(r.choice(WIN_HOSTS), "3", f)
        f = {"event.category": "network", "event.action": "Dns query", "dns.question.name": r.choice(DOMAINS)}
        sysmon(r.choice(WIN_HOSTS), "22", f)
    original = {"process.pe.original_file_name": "PowerShell.EXE"}
    for _ in range(2):
        process(p["powershell_host"], POWERSHELL, ENCODED, today=True, user="jdoe", fields=original)
    process(p["powershell_host"], p["temp_exe"], p["temp_exe"], today=True, user="jdoe")

    def logon(code: str, user: str, src: str, today: bool = False) -> None:
        ok = code == "4624"
        f = {"event.module": "system", "event.dataset": "system.security", "event.code": code}
        f |= {"winlog.event_id": code, "winlog.channel": "Security", "event.category": "authentication"}
        f |= {
            "event.action": "logged-in" if ok else "logon-failed",
            "event.outcome": "success" if ok else "failure",
        }
        f |= {"winlog.computer_name": "SRV-DC-01.corp.internal", "host.name": "srv-dc-01", "user.name": user}
        f |= {"user.domain": "CORP", "source.ip": src, "winlog.logon.type": "Network"}
        f["message"] = "An account was successfully logged on." if ok else "An account failed to log on."
        g.add("logs-system.security-default", f, today)

    for _ in range(n // 2):
        logon("4624", r.choice(USERS), r.choice(INTERNAL))
    for _ in range(20):
        logon("4625", "administrator", p["failed_logon_source"], today=True)


def generate(seed: int = 7, n_per_dataset: int = 120, now: datetime | None = None) -> list[tuple[str, dict]]:
    """Deterministic documents ``(data stream, _source)`` for the 7 days before ``now``."""
    g = _Gen(seed, now or datetime.now(UTC))
    for make in (_conn, _dns, _http, _ssl, _notice_ssh_files, _alerts, _strelka, _windows):
        make(g, n_per_dataset)
    return g.docs


def load(client: Any, seed: int = 7, now: datetime | None = None, n_per_dataset: int = 120) -> dict[str, int]:
    """Create the templates and bulk-load one batch (refreshed); returns documents per stream."""
    from elasticsearch import helpers

    now = (now or datetime.now(UTC)).astimezone(UTC)
    docs = generate(seed, n_per_dataset, now)
    batch = {META_KEY: {"now": _iso(now), "seed": seed, "docs": len(docs)}}
    for name, body in index_templates().items():
        client.indices.put_index_template(name=name, **{**body, "_meta": {**body.get("_meta", {}), **batch}})
    actions = ({"_op_type": "create", "_index": stream, "_source": doc} for stream, doc in docs)
    helpers.bulk(client, actions, chunk_size=1000, refresh=True)
    counts: dict[str, int] = {}
    for stream, _ in docs:
        counts[stream] = counts.get(stream, 0) + 1
    return counts


def batch_instant(client: Any) -> datetime | None:
    """The instant of the one batch the fixture streams hold; None when they hold anything else
    (no batch, several, or documents that no load wrote)."""
    metas = []
    try:
        for name, _ in STREAMS.values():
            found = client.options(ignore_status=404).indices.get_index_template(name=name).get("index_templates") or []
            metas.append((found[0]["index_template"].get("_meta") or {}).get(META_KEY) if found else None)
        n = client.count(index=",".join(STREAMS), ignore_unavailable=True, allow_no_indices=True)["count"]
    except Exception:  # noqa: BLE001 - a cluster that will not show its templates holds no batch we know of
        return None
    first = metas[0]
    if not first or any(m != first for m in metas[1:]):
        return None
    return datetime.fromisoformat(first["now"]) if n == first["docs"] else None


def is_ours(client: Any) -> str | None:
    """None when OperatorX started this cluster (its data may be replaced); else its name."""
    name = str(client.cluster.health().get("cluster_name", "?"))
    return None if name.startswith(OURS) else name


def replace(client: Any, seed: int = 7, now: datetime | None = None) -> dict[str, int]:
    """Empty the fixture streams, then load one batch. Refuses in a cluster OperatorX did not start.

    A stream is emptied by rolling it over and deleting its old backing indices: the distribution
    has neither ``DELETE _data_stream`` nor delete-by-query, and a write index cannot be deleted.
    """
    foreign = is_ours(client)
    if foreign is not None:
        raise OperatorXError(
            f"Refusing to replace the fixture streams in cluster {foreign!r}: OperatorX only replaces data "
            f"in a cluster it started itself (named {OURS}…). Point the eval at `make es-up`'s cluster.")
    for stream in STREAMS:
        streams = client.options(ignore_status=404).indices.resolve_index(name=stream).get("data_streams") or []
        if not streams:
            continue
        new = client.indices.rollover(alias=stream)["new_index"]
        old = [i for i in streams[0]["backing_indices"] if i != new]
        if old:
            client.indices.delete(index=",".join(old))
    return load(client, seed, now)


def ensure_judge_data(client: Any) -> datetime:
    """Make the fixture streams hold exactly the judge's batch (``JUDGE_NOW``); returns its instant."""
    if batch_instant(client) != JUDGE_NOW:
        replace(client, now=JUDGE_NOW)
    return JUDGE_NOW


def ensure_demo_data(client: Any, max_age: timedelta = timedelta(hours=6)) -> dict[str, int]:
    """Load demo data unless it is fresh (``is_stale``: no stream older than ``max_age``, some
    data from today); idempotent.

    Stale data is replaced in a cluster OperatorX started (the judge's batch, or yesterday's, would
    otherwise double every count); elsewhere a fresh batch is only added. Returns what was loaded
    (empty when the data was fresh enough).
    """
    newest: list[datetime | None] = []
    for stream in STREAMS:
        resp = client.search(
            index=stream,
            size=0,
            ignore_unavailable=True,
            allow_no_indices=True,
            aggs={"newest": {"max": {"field": "@timestamp"}}},
        )
        value = ((resp.get("aggregations") or {}).get("newest") or {}).get("value")
        newest.append(None if value is None else datetime.fromtimestamp(value / 1000, UTC))
    if not is_stale(newest, datetime.now(UTC), max_age):
        return {}
    return replace(client) if is_ours(client) is None else load(client)


def is_stale(newest: list[datetime | None], now: datetime, max_age: timedelta) -> bool:
    """Whether data whose streams' newest documents are ``newest`` must be loaded again at ``now``.

    Stale: a stream is empty or older than ``max_age``, or nothing at all is from today (UTC).
    The planted "today" findings of a batch loaded at 23:50 are yesterday's ten minutes later,
    and "any HTTP traffic to bad.domain.com today?" would find nothing. (A single stream may
    well have nothing from today: only the planted findings are placed there.)
    """
    if any(n is None or now - n > max_age for n in newest):
        return True
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return max(n for n in newest if n is not None) < midnight
