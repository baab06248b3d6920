"""Realistic values for the generated questions, all drawn from one seeded ``random.Random``.

Every pool here is deliberately small and plausible for a Security Onion shop: internal
addresses in the private ranges (the eval scope allows them), Windows hosts named like
``ws-fin-07``, Suricata SIDs, Zeek notice names. The reference's own example values
(``10.20.4.17``, ``updates.example-cdn.net``, ``so-sensor01`` …) are in the pools so that
the fixture data the evaluation runs against has hits for some of them.

Nmap targets come only from ``SCAN_*`` pools, which ``configs/eval-scope.toml`` covers;
public addresses and names (``PUBLIC_*``) are used for log searches and for refusals.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field

# --- addresses ---------------------------------------------------------------------------

# (prefix, how many leading octets are fixed): 10.20.x.y is the reference's own network.
_NETS = [("10.20", 2), ("10.0.0", 3), ("10.10", 2), ("10.1", 2), ("172.16", 2), ("172.20.5", 3),
         ("192.168.1", 3), ("192.168.0", 3), ("192.168.10", 3), ("10.50.3", 3)]
# The reference's examples and the hosts the fixture data is built around: evaluation queries
# that name them find documents.
REFERENCE_IPS = ["10.20.4.17", "10.20.1.5", "10.20.4.99", "10.20.1.10", "10.20.4.23", "10.20.4.31", "10.20.5.12",
                 "10.20.5.40", "10.20.6.8", "10.20.7.14", "10.20.6.66", "10.20.1.20", "10.20.1.30"]
LOOPBACK = ["127.0.0.1", "localhost"]
SCAN_HOSTS = [
    "localhost", "ws-fin-07", "ws-hr-12", "ws-eng-03", "lt-sales-21", "dc01", "dc02", "fs01",
    "web01", "web02", "db-prod-3", "jump01", "nas01", "printer-3f", "mail.corp.internal",
    "vpn.corp.internal", "intranet.corp.internal", "dc01.corp.internal", "fs02.corp.internal",
    "git.corp.internal", "wiki.corp.internal", "build01.lab.internal", "esx01.lab.internal",
    "so-sensor01",
]
ULA_PREFIXES = ["fd00::", "fd12:3456:789a:1::", "fd00:10:20::"]
PUBLIC_IPS = ["203.0.113.10", "203.0.113.50", "198.51.100.7", "198.51.100.44", "198.51.100.66", "8.8.8.8", "1.1.1.1", "9.9.9.9", "45.33.32.156", "93.184.216.34", "185.199.108.153",
              "104.16.132.229", "203.0.113.17", "198.51.100.23", "192.0.2.44", "151.101.1.69",
              "52.96.0.10", "13.107.42.14", "64.233.160.0", "185.220.101.4"]
PUBLIC_NETS = ["8.8.8.0/24", "1.1.1.0/24", "203.0.113.0/24", "198.51.100.0/24", "45.33.32.0/24",
               "0.0.0.0/0", "104.16.0.0/16"]
PUBLIC_V6 = ["2001:4860:4860::8888", "2606:4700:4700::1111", "2001:db8::1", "2a00:1450:4001::200e"]
PUBLIC_NAMES = ["google.com", "scanme.nmap.org", "example.com", "github.com", "amazon.com",
                "cloudflare.com", "microsoft.com", "www.example.org", "facebook.com",
                "api.openai.com", "bank.example.net", "www.wikipedia.org", "shodan.io"]
PRIVATE_CIDRS = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]


def ip4(r: random.Random) -> str:
    if r.random() < 0.2:
        return r.choice(REFERENCE_IPS)
    prefix, fixed = r.choice(_NETS)
    octets = prefix.split(".")
    while len(octets) < 3:
        octets.append(str(r.randint(0, 30)))
    return ".".join([*octets, str(r.randint(1, 254))])


def net24(r: random.Random) -> str:
    return ip4(r).rsplit(".", 1)[0]


def cidr_scan(r: random.Random) -> str:
    """A subnet small enough for the scope's host limit (4096 addresses)."""
    bits = r.choices([24, 25, 26, 27, 28, 23, 22, 20], [60, 5, 6, 4, 6, 6, 8, 5])[0]
    import ipaddress

    return str(ipaddress.ip_network(f"{ip4(r)}/{bits}", strict=False))


def cidr_search(r: random.Random) -> str:
    bits = r.choice([16, 24, 24, 24, 20])
    import ipaddress

    return str(ipaddress.ip_network(f"{ip4(r)}/{bits}", strict=False))


def range4(r: random.Random) -> str:
    lo = r.randint(1, 100)
    return f"{net24(r)}.{lo}-{lo + r.randint(5, 120)}"


def ip6(r: random.Random) -> str:
    if r.random() < 0.3:
        return "::1"
    return f"{r.choice(ULA_PREFIXES)}{r.randint(1, 0xfff):x}"


def cidr6(r: random.Random) -> str:
    return f"{r.choice(ULA_PREFIXES)}/{r.choice([120, 124, 126])}"


# --- names and values for searches ----------------------------------------------------------

DEPTS = ["fin", "hr", "eng", "ops", "it", "sales", "dev", "lab", "exec"]


def win_host(r: random.Random) -> str:
    if r.random() < 0.25:
        return r.choice(["ws-fin-07", "ws-fin-07", "ws-hr-02", "ws-it-11", "srv-dc-01"])
    kind = r.choice(["ws", "ws", "lt", "srv", "dc", "fs", "sql"])
    if kind in ("dc", "fs", "sql"):
        return f"{kind}{r.randint(1, 4):02d}"
    return f"{kind}-{r.choice(DEPTS)}-{r.randint(1, 40):02d}"


DOMAINS = ["updates.example-cdn.net", "intranet.corp.internal", "login.partner-portal.example",
           "cdn.example.com", "mail.corp.internal", "wpad.corp.internal", "api.github.com",
           "files.dropbox-mirror.example", "telemetry.vendor.example", "auth.okta-example.com",
           "static.ads-tracker.example", "pastebin.com", "raw.githubusercontent.com",
           "update.software-vendor.example", "portal.hr-benefits.example", "cdn.example-cdn.net",
           "static.example-cdn.net", "www.example.com", "time.example.org", "api.example.net", "bad.domain.com",
           "update.micros0ft-cdn.example", "app.corp.internal"]
BASE_DOMAINS = ["example-cdn.net", "corp.internal", "partner-portal.example", "duckdns.org",
                "ngrok.io", "onion.ws", "top", "xyz", "example.com", "dropbox-mirror.example",
                "trycloudflare.com", "pastebin.com"]
TLDS = ["xyz", "top", "ru", "info", "biz", "cc", "tk", "club"]


def domain(r: random.Random) -> str:
    if r.random() < 0.6:
        return r.choice(DOMAINS)
    word = "".join(r.choice(string.ascii_lowercase) for _ in range(r.randint(5, 10)))
    return f"{word}.{r.choice(TLDS + ['com', 'net'])}"


def dga_label(r: random.Random) -> str:
    return "".join(r.choice(string.ascii_lowercase + string.digits) for _ in range(r.randint(8, 14)))


USER_AGENT_BITS = ["curl", "python-requests", "Wget", "Go-http-client", "sqlmap", "nikto", "PowerShell",
                   "Nmap", "masscan", "zgrab", "okhttp", "Java", "libwww-perl", "BITS"]
USER_AGENTS = ["curl/8.4.0", "curl/7.88.1", "python-requests/2.31.0", "Wget/1.21.3", "Go-http-client/1.1",
               "sqlmap/1.7.2", "Microsoft-CryptoAPI/10.0", "Microsoft BITS/7.8"]
URI_BITS = ["wp-login", "admin", ".php", "cmd=", "../", "/etc/passwd", "phpmyadmin", "shell",
            ".git", "login", "upload", "api/v1", ".env", "cgi-bin"]
URIS = ["/wp-login.php", "/admin", "/login", "/api/v1/users", "/index.php", "/.env", "/cgi-bin/test.cgi"]
HTTP_METHODS = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "CONNECT"]
SENSORS = ["so-sensor01", "so-sensor02", "so-manager", "so-heavy01", "so-sensor-dmz"]
SIDS = ["2022048", "2024897", "2013028", "2100498", "2027865", "2019401", "2008578", "2210054",
        "2001219", "2016149", "2018959", "2034567", "2030868", "2034647", "2100366", "2010935"]
RULE_NAMES = ["ET POLICY Observed DNS Query to .onion proxy Domain",
              "ET SCAN Nmap Scripting Engine User-Agent Detected",
              "ET POLICY curl User-Agent Outbound",
              "ET INFO Observed DNS Query to .cloud TLD",
              "GPL ATTACK_RESPONSE id check returned root",
              "ET SCAN Potential SSH Scan",
              "ET MALWARE Cobalt Strike Beacon Observed",
              "ET MALWARE Win32/Emotet CnC Activity (POST) M10",
              "ET EXPLOIT Apache log4j RCE Attempt (CVE-2021-44228)",
              "ET SCAN Suspicious inbound to MSSQL port 1433"]
RULE_PREFIXES = ["ET POLICY", "ET SCAN", "ET MALWARE", "ET INFO", "GPL", "ET EXPLOIT", "ET TROJAN"]
RULE_WORDS = ["onion", "Nmap", "curl", "Cobalt Strike", "SSH", "TOR", "PowerShell", "base64", "Mimikatz", "Emotet",
              "log4j", "MSSQL"]
RULE_CATEGORIES = ["Potentially Bad Traffic", "Attempted Information Leak", "Misc activity",
                   "A Network Trojan was detected", "Attempted Administrator Privilege Gain"]
SEVERITIES = ["low", "medium", "high", "critical"]
NOTICES = ["Scan::Port_Scan", "Scan::Address_Scan", "SSL::Invalid_Server_Cert", "SSH::Password_Guessing",
           "HTTP::SQL_Injection_Attacker", "Weird::Activity", "SSL::Certificate_Expired"]
CONN_STATES = {"S0": ["attempts that never got an answer", "unanswered connection attempts",
                      "connections with state S0", "S0 connections"],
               "REJ": ["rejected connections", "connections with state REJ", "REJ connections"],
               "SF": ["normally completed connections", "connections with state SF"],
               "RSTO": ["connections reset by the originator", "RSTO connections"],
               "OTH": ["midstream connections", "OTH connections"]}
DNS_TYPES = ["A", "AAAA", "TXT", "MX", "PTR", "NULL", "ANY", "SRV", "CNAME"]
RCODES = ["NXDOMAIN", "SERVFAIL", "REFUSED", "NOERROR"]
TLS_VERSIONS = {"TLSv10": ["TLS 1.0", "TLSv10"], "TLSv11": ["TLS 1.1", "TLSv11"],
                "TLSv12": ["TLS 1.2", "TLSv12"], "TLSv13": ["TLS 1.3", "TLSv13"]}
MIME = {"application/x-dosexec": ["windows executables", "exe files", "PE files"],
        "application/pdf": ["pdfs", "PDF files"], "application/zip": ["zip files", "zip archives"],
        "application/x-executable": ["linux executables", "ELF binaries"],
        "application/vnd.ms-word.document.macroEnabled.12": ["macro-enabled word docs"],
        "text/x-shellscript": ["shell scripts"]}
FILE_EXTS = ["exe", "dll", "ps1", "zip", "docm", "js", "hta", "iso", "scr", "bat", "vbs", "lnk"]
PROCS = ["powershell.exe", "cmd.exe", "rundll32.exe", "mshta.exe", "certutil.exe", "wmic.exe",
         "regsvr32.exe", "psexec.exe", "schtasks.exe", "bitsadmin.exe", "wscript.exe", "net.exe",
         "whoami.exe", "msbuild.exe", "procdump.exe"]
PARENTS = ["winword.exe", "excel.exe", "outlook.exe", "explorer.exe", "services.exe", "wmiprvse.exe",
           "w3wp.exe", "sqlservr.exe"]
CMD_BITS = ["-enc", "mimikatz", "Invoke-WebRequest", "DownloadString", "-nop", "bypass", "vssadmin",
            "sekurlsa", "net user", "urlcache", "/c whoami", "IEX", "FromBase64String", "-w hidden"]
FOLDERS = {"Temp": ["temp", "Temp", "the temp folder"], "Downloads": ["Downloads", "download folders"],
           "AppData": ["AppData"], "ProgramData": ["ProgramData"], "Public": ["C:\\Users\\Public"]}
USERS = ["jdoe", "asmith", "svc_backup", "administrator", "bwayne", "kmiller", "svc_sql", "helpdesk01",
         "tlee", "guest"]
SYSMON_CODES = {"1": ["process creation", "process starts", "process create events"],
                "3": ["network connections", "network connection events"],
                "7": ["image loads", "dll loads"], "8": ["CreateRemoteThread events", "remote thread creation"],
                "10": ["process access events", "lsass access"], "11": ["file creations", "file create events"],
                "13": ["registry value sets", "registry changes"], "22": ["dns queries"]}
SECURITY_CODES = {"4624": ["successful logons", "logons"], "4625": ["failed logons", "failed logins"],
                  "4688": ["process creations"], "4720": ["new user accounts", "account creations"],
                  "4732": ["users added to groups", "group membership changes"],
                  "4672": ["special privilege logons", "admin logons"]}
SSH_CLIENTS = ["SSH-2.0-OpenSSH_8.9p1", "SSH-2.0-libssh2_1.10.0", "SSH-2.0-PuTTY_Release_0.78",
               "SSH-2.0-Go", "SSH-2.0-paramiko_3.1.0"]
VALIDATION = ["self signed certificate", "certificate has expired", "unable to get local issuer certificate"]
SUBJECTS = ["invoice", "payment", "password", "urgent", "wire transfer", "DocuSign", "overdue"]
COUNTRIES = ["Russia", "China", "North Korea", "Iran", "Brazil", "Germany", "Netherlands"]
MAIL_FROM = ["billing@vendor.example", "ceo@corp-internal.example", "noreply@docusign.example",
             "it-support@corp.internal"]

COMMON_PORTS = [21, 22, 23, 25, 53, 80, 110, 135, 139, 143, 389, 443, 445, 465, 587, 636, 993, 1433,
                1521, 2049, 3306, 3389, 5432, 5900, 5985, 6379, 8000, 8080, 8443, 9200, 27017, 4444, 1337]
PORT_NAMES = {22: ["ssh"], 23: ["telnet"], 25: ["smtp"], 53: ["dns"], 80: ["http"], 443: ["https"],
              445: ["smb"], 3389: ["rdp"], 3306: ["mysql"], 5900: ["vnc"], 21: ["ftp"], 1433: ["mssql"],
              5432: ["postgres"], 6379: ["redis"], 389: ["ldap"], 9200: ["elasticsearch"]}


def port(r: random.Random) -> int:
    return r.choice(COMMON_PORTS) if r.random() < 0.85 else r.randint(1024, 65000)


def hexstr(r: random.Random, n: int) -> str:
    return "".join(r.choice("0123456789abcdef") for _ in range(n))


# --- phrase + meaning pairs ------------------------------------------------------------------


@dataclass
class Phrase:
    """A piece of question text and what it means for the target (free-form per drawer)."""

    text: str
    meaning: dict = field(default_factory=dict)

    def __format__(self, spec: str) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def join_list(r: random.Random, items: list[str], conj: str = "and") -> str:
    """'a, b and c' / 'a,b,c' / 'a b c' / 'a or b'."""
    items = [str(i) for i in items]
    if len(items) == 1:
        return items[0]
    style = r.random()
    if style < 0.45:
        return ", ".join(items[:-1]) + f" {conj} " + items[-1]
    if style < 0.7:
        return ", ".join(items)
    if style < 0.85:
        return ",".join(items)
    return " ".join(items)


def size_phrase(r: random.Random, n: int) -> str:
    """Bytes as an analyst says them; MB = 1,000,000 (decimal, see the dataset card)."""
    if n >= 1_000_000_000 and n % 1_000_000_000 == 0:
        return r.choice([f"{n // 1_000_000_000}GB", f"{n // 1_000_000_000} GB"])
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return r.choice([f"{n // 1_000_000}MB", f"{n // 1_000_000} MB", f"{n // 1_000_000} megabyte" + ("s" if n > 1_000_000 else "")])
    if n >= 1000 and n % 1000 == 0:
        return r.choice([f"{n // 1000}KB", f"{n // 1000} kB"])
    return f"{n} bytes"
