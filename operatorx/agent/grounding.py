"""Grounding: what the planner takes from the analyst's words and from the cluster.

* ``target_candidates`` — the addresses, networks and hostnames a question names; the
  grammar lets the model scan only these (it cannot invent a host).
* ``address_values`` — the addresses and networks a search may filter IP fields on: the
  question's, the edited search's, and the private ranges ("external traffic").
* ``scan_values`` — the numbers a scan may use (ports, top-N, rates, timing, intensity,
  timeout) and the NSE scripts it may run: those the analyst wrote or named by their
  service or purpose, and the edited scan's; the grammar lets the model invent none.
* ``search_numbers`` — the numbers a search may use (range bounds, hits, buckets): those
  the analyst wrote, times a unit (2 GB, 3 hours), and a few conventions (4xx, privileged
  ports).
* ``pre_check`` — answers that need no model: nothing to scan, an order to destroy.
* ``route_tools`` — in few-shot mode, which tool the words clearly point at; ``scan_only`` —
  in either mode, a question with a target and scan words and no log word (no search fits).
* ``LiveCatalog`` — the cluster's field names (else the packaged Security Onion ones), the
  only field names the grammar allows.
"""

from __future__ import annotations

import re
import time
from functools import cache

from operatorx.agent.replies import DESTRUCTIVE, OFFTOPIC, VAGUE, VAGUE_SCAN, VAGUE_SEARCH
from operatorx.config import Config
from operatorx.errors import OperatorXError
from operatorx.schemas.nmap import ALLOWED_SCRIPTS, SCRIPT_CATEGORIES, target_kind
from operatorx.schemas.plan import Reply

MAX_QUESTION_CHARS = 1000

# Greetings and fillers analysts put in front of a request ("hey, ", "urgent: ", "quick one - ").
_FILLER = (
    r"^(?:(?:hi|hey|hello|so|ok|okay|ok so|pls|plz|please|morning|urgent|quick one|need a hand|yo|"
    r"real quick|as part of triage)\b[\s,:!.\-]*)*"
)
_POLITE = _FILLER + (r"(please\s+|(can|could|would|will) (you|u|ya)\s+|(can|could) we\s+|i want (you )?to\s+|"
                     r"i need you to\s+|let'?s\s+|go\s+)?")  # "can u nmap the new box" (dev-hand9)
# The verb must stand alone: "Scan::Address_Scan notices" names a Zeek notice, not an order.
# "run a port scan", "do a quick scan": the order may come as a verb with the scan as its object
_RUN_A = (r"((run|do|kick off|start|launch|fire off|perform|execute)\s+((a|an|me a|us a)\s+)?"
          r"((quick|fast|full|basic|light|new|network|tcp|udp)\s+)*)?")
_SCAN_REQUEST = re.compile(_POLITE + _RUN_A + r"(scan|nmap|ping|sweep|port[- ]?scan|probe)(?=[\s,.!?]|$)", re.I)
# An order to change, destroy or attack something: refused without asking the model.
# Only the imperative at the start counts: "find brute-force attempts" is a fine search, and
# "knock 10.0.0.5 offline" is an attack where "knock on web01, top 200 ports" is a scan.
# Verbs that attack or destroy; at the start of a later sentence too (``_LATER_ORDER``), where
# the verbs that also edit a search ("drop", "remove", "clear", "update", "close", "block") do not count.
_ATTACK_VERBS = (r"delete|wipe|erase|purge|shut ?down|reboot|kill(?! chain)|disable|exploit|hack|attack|ddos|dos|flood|"
                 r"brute[- ]?force|crack|pwn|deface|take down|crash|password[- ]spray")
_DESTRUCTIVE = re.compile(
    _POLITE + rf"(?P<verb>{_ATTACK_VERBS}|drop|truncate|remove|clear|encrypt|modify|update|insert|"
    r"knock(?=\s+(?:\S+\s+){0,4}?(?:of+\w*line|off|out|down|over)\b)|"
    r"create (a |an )?(new )?\w* ?(user|role|index|api key)|reindex|rollover|roll over|(put|post) (a|an|the|new)|spoof|get a shell|close|block|"
    r"run (hydra|metasploit|msfconsole|sqlmap|medusa)|set \S+ to read[- ]only|change the \w+ password)(?![.:\w-])",
    re.I,
)
# Hostile wherever it appears, also in a follow-up: shell syntax, text that tries to close the
# JSON or the chat turn, instructions aimed at the model, and nmap options that read or write
# files, spoof or run attack scripts. Policy would refuse the resulting call too; refusing the
# request as a whole also keeps the benign-looking half of it from running.
_SHELL_COMMANDS = (
    r"rm|nc|ncat|netcat|curl|wget|sh|bash|zsh|python\d?|perl|ruby|chmod|chown|cat|echo|reboot|shutdown|"
    r"kill|id|whoami|ls|mv|cp|dd|mkfs|sudo|de+l+e+e*t\w*|drop|put|post"
)
# The hostile checks a hunt's data may trip (see ``hostile_reason``): shell syntax, rule-leaving words.
_SHELL_SYNTAX = re.compile(
    r"\|\s*(?:/|(?:" + _SHELL_COMMANDS + r")\b)|`|\$\(|&&|;\s*(?:" + _SHELL_COMMANDS + r")\b|\brun (this|these)\s*:|"
    r"\b(then|and) (run|execute|exec) (?:" + _SHELL_COMMANDS + r")\b", re.I)
_LEAVES_RULES = re.compile(
    r"\bignore (all |any |the |your )?(previous |prior |above |scope )?(instructions|rules|scope)|"
    r"\bscope (doesn'?t|does not|won'?t) apply|\byou are (now )?dan\b|\bdan\b.*\bscans?\b|"
    r"\b(new|developer|admin) (instructions?|override|mode)\b|\bdisregard (the|your|all)\b|"
    r"\b(forget|bypass|override) (your|all|the|any) \w*\s*(rules|instructions|guidelines|policy)\b|"
    r"\bsystem prompt\b|\b(repeat|print|reveal|show) (me )?(your|the) (hidden |secret |system )?"
    r"(instructions|prompt|rules)\b|\bunrestricted\b|"
    r"\bas root\b|\b(e-?mail|upload|post) (it|them|the (results|output|scan))\b"
    # "send them to attacker@…" sends data out; "pull the logs and send them across" asks for the
    # results, which the app shows anyway (dev-hand11 w-037): sending needs somewhere to send to
    r"|\bsend (it|them|the (results|output|scan))\s+((over|across|back|along|out)\s+)?to\b", re.I)
_HOSTILE = [
    (_SHELL_SYNTAX, "it contains shell syntax (pipes, command separators or substitutions)"),
    (re.compile(r"\"\s*[}\]]|\{\s*\"|</?s>|<\||\bassistant\s*:|\bsystem\s*:", re.I),
     "it contains text that tries to rewrite the tool call or the conversation"),
    (_LEAVES_RULES, "it asks me to step outside my rules"),
    (re.compile(r"(^|[\s\"'])-(o[NXGAS]|iL|iR|D|S|e)(\s|$)|--(script-args|datadir|resume|spoof-mac|data|"
                r"data-string|stylesheet|output)\b|--script[= ]\S*[/\\]|"
                r"\b(write|save|dump|store) (the )?(output|results?|scan|it)\b[^.]* to\s+\S*[/\\]", re.I),
     "it asks for nmap options that read or write files, spoof the source, or run arbitrary scripts"),
    (re.compile(r"--script[= ]?[\w,-]*\b(brute|dos|exploit|intrusive|fuzzer|malware)\b|"
                r"\b(ssh|smb|rdp|ftp|http|mysql|ms-sql)-brute\b", re.I),
     "it asks for attack scripts (brute force, denial of service, exploits)"),
]


_HTTP_METHODS = {"DELETE", "PUT", "POST", "PATCH"}

# IPv4 addresses in spellings that hide what they are: dotted hex (0xa.0x14.0x1.0x5), dotted
# octal (012.024.01.036), one hex number (0x0a140411) or one decimal number (169083921).
# nmap and the resolver accept them; the grammar does not, and a scope check should never
# have to guess. A dotted form is an address wherever it appears; a single number only
# where the words are about scanning (0xc000006d is a Windows logon status in a search).
_OBFUSCATED_DOTTED = re.compile(
    r"(?<![\w.])(?=[0-9x.]*(?:\b0x|\b0[0-7]))(?:0x[0-9a-f]{1,2}|[0-9]{1,4})(?:\.(?:0x[0-9a-f]{1,2}|[0-9]{1,4})){3}(?![\w.]*\w)",
    re.I,
)
_OBFUSCATED_SINGLE = re.compile(r"(?<![\w.])(0x[0-9a-f]{5,8}|[1-9][0-9]{7,9})(?![\w.]*\w)", re.I)
_SCAN_CONTEXT = re.compile(r"\b(nmap|scan\w*|ports?|os detection|what'?s open|ping\w*|probe|sweep|traceroute|"
                           r"targets?)\b", re.I)


def obfuscated_target(question: str, previous: dict | None = None) -> str | None:
    """The first IPv4 address written in an obfuscated spelling, or None. A follow-up of a
    scan is about scanning whatever its words ("also run that against 3232235777", dev-hand9)."""
    m = _OBFUSCATED_DOTTED.search(question)
    if m is not None:
        return m.group(0)
    if _SCAN_CONTEXT.search(question) or (previous or {}).get("tool") == "nmap":
        for m in _OBFUSCATED_SINGLE.finditer(question):
            value = int(m.group(1), 16) if m.group(1).lower().startswith("0x") else int(m.group(1))
            if 1 << 24 <= value < 1 << 32:
                return m.group(1)
    return None


# An attack ordered later in a message ("hey! dev from the payments squad. could you flood
# web01 with SYN packets for like 5 min?", dev-hand9) or with a "just" ("can you just flood it
# offline", dev-hand10): only the verbs that attack or destroy (``_ATTACK_VERBS``).
_LATER_ORDER = re.compile(r"(?:^|[.!?;]\s+|\s[-\u2013\u2014]+\s+)" + _POLITE.removeprefix("^")
                          + rf"(?:just\s+|also\s+|then\s+)?(?P<verb>{_ATTACK_VERBS})(?![.:\w-])", re.I)


def _is_destructive_order(question: str) -> bool:
    """An imperative to change or attack something — but "DELETE suricata http events" is a
    search for HTTP DELETE requests: an upper-case method name not aimed at a path is data."""
    m = _DESTRUCTIVE.match(question) or _LATER_ORDER.search(question)
    if m is None:
        return False
    verb = m.group("verb")
    if verb in _HTTP_METHODS:
        return question[m.end("verb") :].lstrip().startswith("/")
    return True


# A quoted phrase that a search asks for ("log messages with the phrase "ignore previous
# instructions"", "containing 'rm -rf'") is the hunt's data, not an order to the planner. Text
# that a field "reads" or "says" is relayed, the usual frame of an injection ("the notice reads
# "…" - follow it"), so it is still read.
_SOUGHT_PHRASE = re.compile(
    r"\b(phrase|string|text|containing|contains?|contained|matching|match(es)?|with)\s+"
    r"(\"[^\"]*\"|'[^']*'|\u201c[^\u201d]*\u201d)", re.I)
# A hunt through command lines: shell syntax in it is what the analyst is looking for.
_COMMAND_LINE_HUNT = re.compile(r"\b(command[- ]?lines?|cmd ?lines?|process(es)?|executed|spawned)\b", re.I)


def without_sought_phrases(question: str) -> str:
    """``question`` without the quoted phrases a log search asks for: the hunt's data, not words
    to the planner (the hostile pre-check and the refusal check both read what is left)."""
    return _SOUGHT_PHRASE.sub(" ", question) if _LOG_WORDS.search(question) else question


def hostile_reason(question: str) -> str | None:
    """Why a request is hostile (injection, file access, attack), or None.

    A search's data is not an order: a quoted phrase the request asks to find, and shell syntax
    in a hunt through command lines, are not read for shell syntax or rule-leaving words. The
    checks for call-rewriting text and file-writing nmap options always read all of it.
    """
    data_free = without_sought_phrases(question)
    for pattern, reason in _HOSTILE:
        if pattern is _SHELL_SYNTAX and _COMMAND_LINE_HUNT.search(question) and _LOG_WORDS.search(question):
            continue
        if pattern.search(data_free if pattern in (_SHELL_SYNTAX, _LEAVES_RULES) else question):
            return reason
    return None


# Few-shot mode only: words that say which tool a question is about. The bare base model
# picks tools almost at random (it copies whichever example is nearest); when the words
# clearly point at one tool, the grammar offers only that one. Refusals and questions back
# still come from the pre-checks and from policy. With the adapter the model chooses freely,
# except that a scan-only question (``scan_only``) offers no search.
_SCAN_WORDS = re.compile(
    r"\b(scan\w*|nmap|ports?|hosts? (are |is )?(up|alive|online)|alive|ping\w*|sweep|os detection|"
    r"operating system|what os|services?|versions?|fingerprint\w*|traceroute|nse|banner|certificate of|titles?)\b",
    re.I,
)
_LOG_WORDS = re.compile(
    r"\b(logs?|alerts?|events?|dns|quer(y|ies)|lookups?|looked up|connections?|conns?|flows?|traffic|requests?|"
    r"user[- ]?agents?|zeek|suricata|sysmon|strelka|process(es)?|powershell|command lines?|logins?|"
    r"logons?|sessions?|notices?|downloads?|files?|hashes|md5|sha\d*|ja3|sni|server names?|"
    r"(last|past) \d*\s*(minutes?|hours?|days?|weeks?|months?)|today|yesterday|this (week|month)|"
    r"since|top \d+|how many|count|per[ -](hour|day|minute)|histogram|seen|talk(ed|ing)?|signatures?|"
    r"rules?|severity|nxdomain|http|tls|ssl|smtp|emails?|search|hunt)\b",
    re.I,
)
_STRIP = "\"'`()[]{}<>,;!?"


def target_candidates(text: str, hostnames: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Addresses, networks, ranges and hostnames written in ``text``, in order.

    A bare word counts as a hostname only when it has a dot and an alphabetic last label
    (``web01.corp.example``) or is one of ``hostnames`` (the configured scope names, e.g.
    ``localhost``). ``10.0.0.x`` becomes ``10.0.0.*``; ``10.0.0.1 to 10.0.0.20`` also adds
    the nmap range ``10.0.0.1-20``.
    """
    words = [w.strip(_STRIP).rstrip(".:") for w in re.split(r"[\s,]+", text)]
    names = {h.lower() for h in hostnames} | {"localhost"}
    out: list[str] = []
    for i, word in enumerate(words):
        host, colon, port = word.rpartition(":")
        if colon and host.count(":") == 0 and port.isdigit():  # "vpn.corp.internal:443": the host
            word = host
        if word.lower().endswith(".x") and word.count(".") == 3:
            word = word[:-1] + "*"
        try:
            kind = target_kind(word)
        except ValueError:
            continue
        if kind == "hostname":
            if word.lower() in field_names():  # "group by source.ip" names a field
                continue
            last = word.rstrip(".").rsplit(".", 1)[-1]
            if word.lower() not in names and not ("." in word and last.isalpha() and len(last) >= 2):
                continue
            if last.lower() in _FILE_SUFFIXES and word.lower() not in names:  # robots.txt, http-robots.txt
                continue
        out.append(word)
        # "A to B" / "A through B" / "A - B" within one /24 → nmap's A-lastoctet range
        if kind == "ipv4" and i + 2 < len(words) and words[i + 1].lower() in ("to", "through", "thru", "-"):
            end = words[i + 2]
            head, _, lo = word.rpartition(".")
            ehead, _, hi = end.rpartition(".")
            if ehead == head and lo.isdigit() and hi.isdigit() and int(lo) < int(hi) <= 255:
                out.append(f"{head}.{lo}-{hi}")
    return list(dict.fromkeys(out))


# ".45", ".10-20": the last octet (or a range of them) of an address in the edited scan's /24,
# as an analyst writes a neighbour of the host just scanned ("same on .45", "exclude .22").
_LAST_OCTET = re.compile(r"(?<![\w.])\.(\d{1,3})(?:-(\d{1,3}))?(?![\w.])")
_FIRST_THREE = re.compile(r"^(\d{1,3}\.\d{1,3}\.\d{1,3})\.")


def _edited(previous: dict | None) -> list[str]:
    """The targets and exclusions of the scan a follow-up edits."""
    if not previous or previous.get("tool") != "nmap":
        return []
    return [*previous.get("targets", []), *previous.get("exclude", [])]


def edited_targets(question: str, previous: dict | None) -> list[str]:
    """The hosts a follow-up may name: the edited scan's targets and exclusions, and each
    ".N" or ".N-M" written in ``question`` completed in the /24 of each of its IPv4 targets."""
    old = _edited(previous)
    heads = list(dict.fromkeys(m.group(1) for t in old if (m := _FIRST_THREE.match(t))))
    new = []
    for m in _LAST_OCTET.finditer(question):
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        if lo <= 255 and lo <= hi <= 255:
            last = m.group(1) if m.group(2) is None else f"{m.group(1)}-{m.group(2)}"
            new += [f"{head}.{last}" for head in heads]
    return list(dict.fromkeys([*old, *new]))


def without_targets(text: str, targets: list[str]) -> str:
    """``text`` with each of ``targets`` blanked out as written, so that their digits are not
    read as numbers: longest first, and ``10.0.0.*`` also as the ``10.0.0.x`` it was written as
    (``target_candidates`` rewrites it)."""
    for target in sorted(targets, key=len, reverse=True):
        text = text.replace(target, " ")
        if target.endswith(".*"):
            text = re.sub(re.escape(target[:-1]) + r"[xX]\b", " ", text)
    return text


# Names that end like a file, not a host (no such top-level domain exists).
_FILE_SUFFIXES = frozenset(("txt", "php", "html", "htm", "exe", "dll", "ps1", "bat", "json", "xml", "conf",
                            "cfg", "log", "cgi", "asp", "aspx", "jsp", "nse", "vbs", "hta", "lnk", "docm"))


# "Traffic to external addresses" excludes these; no other address comes from nowhere.
PRIVATE_NETWORKS = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
# The words that put the private networks in play ("traffic leaving the network", "to public
# ips", "internal hosts"): every search of the readable data that uses one has one of them. The
# adapter put 192.168.0.0/16 on source.ip for "events headed to 198.51.100.66".
_NETWORK_SIDE_WORDS = frozenset((
    "internal", "private", "lan", "rfc1918", "inside", "local", "corporate", "corp", "intranet",
    "external", "internet", "public", "outside", "outbound", "inbound", "egress", "ingress", "leaving",
    "leave", "leaves", "left", "exfil", "exfiltration", "offsite", "wan",
))
_ADDRESS_KINDS = ("ipv4", "ipv6", "cidr4", "cidr6")


def _is_address(value: object) -> bool:
    try:
        return isinstance(value, str) and target_kind(value) in _ADDRESS_KINDS
    except ValueError:
        return False


def address_values(question: str, previous: dict | None = None) -> list[str]:
    """The only values a search may give an IP-typed field (equality or ``in``).

    The addresses and CIDR blocks written in the question, those of the search a follow-up
    edits, and the private networks. Every IP value in the training data is one of these
    (tests/test_backend_grammar.py checks), so the grammar costs the adapter nothing and
    stops it from searching for an address nobody wrote.
    """
    out = [t for t in target_candidates(question) if _is_address(t)]
    if previous and previous.get("tool") == "elasticsearch":
        out += [v for v in condition_values(previous) if _is_address(v)]
    words = set(re.findall(r"[a-z0-9]+", question.lower()))
    if _named(words, {w: w for w in _NETWORK_SIDE_WORDS}):  # one typo in the longer ones
        out += PRIVATE_NETWORKS
    return list(dict.fromkeys(out))


# Words that name a service, a protocol or what an NSE script looks at, and the ports they
# imply ("check the tls ciphers" scans 443 without anyone writing 443). Matched as whole
# words of the lower-cased question, also inside script names ("http-title").
SERVICE_PORTS: dict[str, tuple[int, ...]] = {
    "ftp": (21,), "ssh": (22,), "sshd": (22,), "kex": (22,), "hostkey": (22,), "hostkeys": (22,),
    "telnet": (23,), "smtp": (25,), "mail": (25,), "dns": (53,), "domain": (53,),
    "http": (80, 443), "web": (80, 443), "www": (80, 443), "robots": (80,), "headers": (80, 443),
    "methods": (80, 443), "page": (80, 443), "pages": (80, 443), "title": (80, 443), "titles": (80, 443),
    "https": (443,), "tls": (443,), "ssl": (443,), "sslv2": (443,), "cert": (443,), "certs": (443,),
    "certificate": (443,), "certificates": (443,), "cipher": (443,), "ciphers": (443,), "x509": (443,),
    "alpn": (443,), "pop3": (110,), "ntp": (123,), "netbios": (137, 139), "imap": (143,), "snmp": (161,),
    "ldap": (389,), "smb": (445,), "smb2": (445,), "cifs": (445,), "mssql": (1433,), "nfs": (2049,),
    "mysql": (3306,), "rdp": (3389,), "desktop": (3389,), "postgres": (5432,), "postgresql": (5432,),
    "vnc": (5900,), "winrm": (5985,), "redis": (6379,), "elasticsearch": (9200,), "mongodb": (27017,),
    # industrial protocols ("reached on Modbus TCP?", dev-hand8)
    "modbus": (502,), "s7": (102,), "s7comm": (102,), "dnp3": (20000,), "bacnet": (47808,), "enip": (44818,),
    "opc": (4840,), "opcua": (4840,),
    # cluster and database services by their everyday names ("is the kubelet API exposed", dev-hand9)
    "mongo": (27017,), "kubelet": (10250,), "etcd": (2379,), "kibana": (5601,),
}
# nmap's timing templates by name (-T paranoid … -T insane).
TIMING_NAMES = {"paranoid": 0, "sneaky": 1, "polite": 2, "normal": 3, "aggressive": 4, "insane": 5}
# Words for a template besides its name: "gentle timing" is polite.
_TIMING_WORDS = {**TIMING_NAMES, "gentle": 2, "gently": 2}
# A number standing alone or after T (-T4, T4): not the digits of ipv6, smb2 or pop3.
# Not inside a word or another number ("p443" is no 43), but after -T and -p ("-T4", "-p443").
_NUMBER = re.compile(r"(?:(?<![A-Za-z\d])|(?<=[Tt])|(?<=-p)|(?<=[Tt]op))\d{1,6}")  # "T4", "-p22", "top100" (dev-hand10)
_WORDS = re.compile(r"[a-z0-9]+")
# A number written as a duration: "90s", "500ms", "5 minutes", "2h" (not "top 50 min rate 200").
_DURATION = re.compile(r"(?<![\w.])(\d{1,6})\s?(ms|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?)\b(?![\s-]*rate\b)", re.I)
# When the analyst's window ends, not how long nmap waits for a host (dev-hand9).
_DEADLINE = re.compile(r"\b(clos(es|ing)|ends?|ending|finish(es|ing)?|wraps? up|starts?|starting|opens?|begins?|due)"
                       r"\s+(in|within)\s+(\d{1,6}|an?|one)\s?(ms|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?)\b", re.I)
_TIMEOUT_NUMBER = re.compile(r"\b(time-?outs?|time out|give up after|wait)\s+(?:of\s+|at most\s+|up to\s+)?(\d{1,6})\b",
                             re.I)
# "give up after a minute" (not "800 packets a second": a rate)
_ONE_UNIT = re.compile(r"(?<!packets )(?<!packet )(?<!probes )(?<!pps )\b(an?|one)\s+(hour|minute|min|second|sec)\b", re.I)
_TIMING_DIGIT = re.compile(r"(?<![\w])-?T ?[0-5]\b|\b(timing|template|speed|level|tempo)\b", re.I)
# Small numbers spelled out where only a number fits: a duration ("give up after two minutes
# per host") or the start of a range ("ports one through 1024").
SMALL_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
                 "ninety": 90}
_SMALL = "|".join(SMALL_NUMBERS)
_SPELLED_DURATION = re.compile(rf"\b({_SMALL})\s+(seconds?|secs?|minutes?|mins?|hours?|hrs?)\b", re.I)
_NEG = r"\b(without|w/o|minus|not|never|don'?t|no)\s+(\w+\s+)?"
_NOT_OVER = re.compile(_NEG + r"(over|above|exceed\w*|more than|faster than)\b", re.I)
_NOT_BELOW = re.compile(_NEG + r"(below|under|less than|slower than)\b", re.I)
_RATE_FLOOR = re.compile(r"\b(at least|or more|or faster|above|over|minimum|min[- ]rate|faster than)\b|--min-rate"
                         r"|\bmin\.?(?=\s*\d)", re.I)  # "min 500 pps" (dev-hand11)
_RATE_CEILING = re.compile(r"\b(at most|or less|or slower|under|below|maximum|max[- ]rate|cap(ped)?|limit(ed)?|"
                           r"throttle\w*|slower than)\b|--max-rate|\bmax\.?(?=\s*\d)", re.I)  # "Max 10 packets/sec"
# A rate written out ("800 packets a second", "300 pps", "50/s"): every scan of the readable
# data that writes one sets --min-rate or --max-rate (78 of 78); the adapter had dropped one.
_PACKET_RATE = re.compile(r"\b\d{1,6}\s*(packets?|pkts?|pps|probes?)\b|\b\d{1,6}\s*(/s|/sec|per sec\w*|a sec\w*)\b"
                          r"|\b(min|max)[- ]?rate\s+\d", re.I)  # "T4 min-rate 1000" (dev-hand10)
_SPELLED_RANGE_START = re.compile(rf"\b({_SMALL})\s+(?=(through|thru|to)\s+\d)", re.I)
# The scan options that take a number; each gets the numbers the grammar may write there.
SCAN_NUMBER_FIELDS = ("ports", "top_ports", "min_rate", "max_rate", "version_intensity", "timing", "host_timeout")
# NSE scripts and categories by the words that ask for them: what the script looks at
# ("ciphers", "host keys", "signing"), a tuple when its words only count together ("smb" and
# "os"). A service's name alone asks for no script: "look for ssh across …" is a port, not
# ssh2-enum-algos, and "an old 2008 server" no http-server-header (both were written by the
# adapter for hand-written questions). A script whose name is written is always allowed;
# words about scripts in general ("nse", "scripts", "-sC") allow the categories unless one is named.
ScriptCue = str | tuple[str, ...] | re.Pattern


def _category_cue(name: str) -> re.Pattern:
    """A category by its name next to a word for scripts: "the version scripts", "nse discovery"."""
    scripts = r"(nse|scripts?|categ\w*)"  # a misspelt "scripts" is read as written right (_cued)
    return re.compile(rf"\b{name}\s+({scripts}\s+)?{scripts}\b|\b{scripts}\s+(the\s+)?{name}\b", re.I)


SCRIPT_WORDS: dict[str, tuple[ScriptCue, ...]] = {
    "banner": ("banner", "banners"),
    "dns-nsid": ("nsid",),
    "ftp-anon": ("anonymous", "anon", "anonymously"),
    "ftp-syst": ("syst", ("ftp", "system")),
    "http-enum": ("dirs", "directories", "paths"),
    "http-headers": ("headers", ("http", "header")),
    "http-methods": ("verbs", ("http", "methods"), ("web", "methods")),
    "http-robots.txt": ("robots",),
    "http-server-header": (("server", "header"),),
    "http-title": ("title", "titles", "page", "pages"),
    "imap-capabilities": (("imap", "capabilities"), ("imap", "capability")),
    "mysql-info": (("mysql", "info"), ("mysql", "details"), ("mysql", "information")),
    "nbstat": ("netbios", "nbstat"),
    "pop3-capabilities": (("pop3", "capabilities"), ("pop3", "capability")),
    "rdp-enum-encryption": ("encryption",),
    "smb-os-discovery": (("smb", "os"), ("smb", "windows"), ("smb", "discovery")),
    # "SMB versions", "SMBv1" (dev-hand4); not "windows version over smb" (smb-os-discovery)
    "smb-protocols": ("dialects", ("smb", "protocols"), ("smb", "protocol"),
                      re.compile(r"\bsmb ?v?[123]\b|\bsmb (protocol )?versions\b|\bversions of smb\b", re.I)),
    "smb2-security-mode": ("smb2", "signing", ("security", "mode")),
    "smtp-commands": (("smtp", "commands"), ("mail", "commands"), "ehlo", ("smtp", "verbs"), ("smtp", "extensions")),
    "snmp-info": (("snmp", "query"), ("snmp", "info"), ("snmp", "details"), ("snmp", "information"),
                  ("snmp", "system"), "sysdescr", "sysdesc", "sysname", "sysinfo"),
    "ssh-auth-methods": ("auth", "authentication", ("ssh", "methods"), ("login", "methods")),
    "ssh-hostkey": ("hostkey", "hostkeys", ("ssh", "keys"), ("ssh", "key"), ("host", "keys")),
    "ssh2-enum-algos": ("ssh2", "algorithms", "algos", "kex"),
    "ssl-cert": ("cert", "certs", "certificate", "certificates", "x509"),
    "ssl-enum-ciphers": ("cipher", "ciphers", ("encryption", "https"), ("encryption", "tls"), ("encryption", "ssl")),
    "sslv2": ("sslv2",),  # narrow scripts need their own word: "tls ciphers" is not alpn
    "tls-alpn": ("alpn",),
    "vnc-info": (("vnc", "info"), ("vnc", "details"), ("vnc", "information"), ("vnc", "security"),
                 ("vnc", "auth")),
    # categories: "skip discovery" is -Pn and "service versions" -sV, not their scripts
    **{cat: (_category_cue(cat),) for cat in SCRIPT_CATEGORIES if cat != "vuln"},
    "vuln": ("vuln", "vulns", "vulnerability", "vulnerabilities", "vulnerable", "cve", "cves"),
}
_SCRIPTS_IN_GENERAL = {"nse", "script", "scripts", "sc"}


def _either(a: str, b: str) -> re.Pattern:
    """Both words, in either order ("imap capabilities", "capabilities of the imap server")."""
    return re.compile(rf"\b({a})\b.*\b({b})\b|\b({b})\b.*\b({a})\b", re.I)


# Phrases that ask for one script outright: the scan must run it (``scripts_asked``), as if its
# name were written. SCRIPT_WORDS' single words stay a "may" ("page", "auth", "verbs" read
# through a typo as "vers"); these are narrower: a category beside a word for scripts, a
# service's own term ("host keys", "dialects", "server header"). Every scan of the data whose
# question says one of them runs that script (about 480 labels, tests/test_backend_grammar.py);
# the adapter ran http-title alone for "the page titles and the Server header" and dropped
# ssl-cert from "the ciphers and the cert" (dev-hand5, dev-hand7). "SSH ciphers" are
# ssh2-enum-algos, not ssl-enum-ciphers; "the vuln ticket" asks for no vuln scripts.
_CATEGORY_SCRIPTS = r"(nse\s+)?scripts?\b"
SCRIPT_ASKED: dict[str, re.Pattern] = {
    "default": re.compile(rf"\bdefault\s+{_CATEGORY_SCRIPTS}|\bscripts?\s+default\b|(?<![\w-])-sC\b", re.I),
    "safe": re.compile(rf"\bsafe\s+{_CATEGORY_SCRIPTS}", re.I),
    "version": re.compile(rf"\bversion\s+{_CATEGORY_SCRIPTS}", re.I),
    "vuln": re.compile(r"\b(vulns?|vulnerabilit(y|ies)|vulnerable|cves?)\b"
                       r"(?!\s+(ticket|report|team|tracker|management|window|scanner))", re.I),
    "dns-nsid": re.compile(r"\bnsid\b", re.I),
    "ftp-anon": re.compile(r"\banon(ymous(ly)?)?\b", re.I),
    "ftp-syst": re.compile(r"\bsyst\b", re.I),
    "http-robots.txt": re.compile(r"\brobots\b", re.I),
    "http-server-header": re.compile(r"\bserver[\s-]+headers?\b", re.I),
    "http-title": re.compile(r"\btitles?\b", re.I),
    "http-methods": re.compile(r"\b(http|web)\s+(methods|verbs)\b", re.I),
    "imap-capabilities": _either("imap", r"capabilit(y|ies)"),
    "pop3-capabilities": _either("pop3", r"capabilit(y|ies)"),
    "mysql-info": _either("mysql", "info|details|information"),
    "nbstat": re.compile(r"\b(netbios|nbstat)\b", re.I),
    "rdp-enum-encryption": _either("rdp|remote desktop", "encryption"),
    "smb-protocols": re.compile(r"\bdialects?\b|\bsmb\s?v?1\b|\bsmb (protocol )?versions\b|\bversions of smb\b"
                                r"|\bsmb protocols?\b", re.I),
    "smb2-security-mode": re.compile(r"\bsmb2\b|\bsigning\b|\bsecurity mode\b", re.I),
    "smtp-commands": re.compile(r"\bsmtp (commands|verbs|extensions)\b|\bmail commands\b|\behlo\b", re.I),
    "ssh-auth-methods": _either("ssh|sshd", "auth|authentication|login methods"),
    "ssh-hostkey": re.compile(r"\bhost[\s-]?keys?\b", re.I),
    "ssh2-enum-algos": re.compile(r"\b(ssh2|algorithms|algos|kex)\b", re.I),
    "ssl-cert": re.compile(r"\b(certs?|certificates?|x509)\b", re.I),
    "ssl-enum-ciphers": re.compile(r"\bciphers?\b", re.I),
    "sslv2": re.compile(r"\bsslv2\b", re.I),
    "tls-alpn": re.compile(r"\balpn\b", re.I),
}
_NOT_TLS_CIPHERS = re.compile(r"\b(ssh2?|sshd|kex|algo\w*|rdp)\b", re.I)
# "swap http-enum for http-methods": the first one goes
_SCRIPT_SWAPPED = re.compile(r"\b(swap|replace|instead of|rather than)\s+$", re.I)


def scripts_asked(question: str) -> tuple[str, ...]:
    """The scripts the question asks for outright (``SCRIPT_ASKED``, or a script's own name),
    in the order it names them, none right after a negation ("no vuln scripts")."""
    named = [(m.start(), m[1].lower()) for m in _SCRIPT_NAMED.finditer(question)]
    phrased = [(m.start(), name) for name, p in SCRIPT_ASKED.items() for m in p.finditer(question)
               if name != "ssl-enum-ciphers" or not _NOT_TLS_CIPHERS.search(question)]
    found = [name for start, name in sorted(named + phrased)
             if not _PHRASE_NEGATION.search(question[:start]) and not _SCRIPT_SWAPPED.search(question[:start])]
    return tuple(dict.fromkeys(found))
# On/off scan options by the words that ask for them, and by their nmap flags (matched
# with their case: -A is aggressive, "a" is a word). The edited scan's options stay allowed.
SWITCH_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "service_version": (("version", "versions", "ver", "vers", "sv", "svc", "service", "services", "software",
                         "running", "banner", "banners"), ("-sV",)),
    "os_detection": (("os", "operating", "osscan", "fingerprint", "fingerprinting", "guess", "linux", "unix", "platform"),
                     ("-O",)),  # "windows or linux?", "the host's operating platform" (dev-hand7)
    "aggressive": (("aggressive",), ("-A",)),
    # "ping" alone asks for a ping sweep ("just ping it"), not for -Pn: "no ping" is a phrase
    "skip_discovery": (("skip", "assume", "online", "up", "discovery", "pn"), ("-Pn",)),
    # "who runs ssh in …", "web servers on …", "hosts listening on 22" list only the open ones
    "open_only": (("open", "listen", "listening", "expose", "exposing", "runs", "servers", "hide",
                   "closed"), ("--open",)),
    "traceroute": (("traceroute", "trace", "route", "tracert", "hop", "hops", "path"), ("--traceroute",)),
    "fast": (("fast", "quick", "quickly", "quicker", "rapid", "fewer"), ("-F",)),
    "all_ports": (("all", "every", "full", "65535", "whole"), ("-p-",)),
    "udp": (("udp", "su"), ("-sU",)),
    "ipv6": (("ipv6", "v6", "aaaa"), ("-6",)),
}
# Round numbers analysts spell out ("the top fifty ports", "a hundred"); digits stay digits.
SPELLED_NUMBERS = {"ten": 10, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "thousand": 1000}
_MULTIPLIERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_SPELLED = re.compile(rf"\b(?:({'|'.join(_MULTIPLIERS)})[ -])?({'|'.join(SPELLED_NUMBERS)})\b", re.I)
_COUNT = rf"\d{{1,5}}|{_SPELLED.pattern}"


def spelled_numbers(text: str) -> set[int]:
    """The numbers spelled out in words: "top hundred" 100, "two hundred" 200, "fifty" 50."""
    return {_MULTIPLIERS.get((m[1] or "one").lower(), 1) * SPELLED_NUMBERS[m[2].lower()] for m in _SPELLED.finditer(text)}


# "OS and service detection", "fingerprint the OS and services": both options at once.
_BOTH_DETECTIONS = (r"|(service|version) (and|&|\+|/) os (detection|fingerprint\w*)|os (and|&|\+|/) (service|version) detection"
                    r"|fingerprint (the )?(os|operating system) (and|&|\+|/) (the )?services"
                    r"|os (and|&|\+|/) (service|software|product) versions?")  # "give me OS and service versions" (dev-hand4)
# On/off options that these phrases ask for outright (unless a "no"/"without"/"skip" comes
# right before): the scan must set them, as if their flag were written. Every scan of
# train, val and test with such a phrase sets its option (tests/test_backend_grammar.py);
# single words stay a "may" (SWITCH_WORDS): "version" is also "the version scripts".
SWITCH_PHRASES: dict[str, re.Pattern] = {
    name: re.compile(rf"\b({words})\b", re.I)
    for name, words in {
        "service_version": r"service detection|version detection|service versions?|service/version"
        r"|what.?s running|what is running"
        r"|software versions?|versions? of (the )?services|service fingerprint\w*|detect (the )?services"
        r"|services and (their|the) versions|product versions?"  # dev-hand7
        + _BOTH_DETECTIONS,
        "os_detection": r"os detection|os fingerprint\w*|os fp|detect (the )?os|operating systems?|os guess\w*"
        r"|guess (the |its |their )?(os|operating system)"  # "and guess the OS while youre at it" (dev-hand3)
        r"|(which|what) os|identify (the )?os|osscan"
        r"|(fp|fingerprint) (the )?((tcp/)?ip )?stack|stack fingerprint\w*" + _BOTH_DETECTIONS,  # "fp the stack" (dev-hand11)
        "all_ports": r"all ports|every (tcp |single )?port|all 65535|full port range|all tcp ports|entire port range"
        r"|whole port range|full range",
        "traceroute": r"traceroute|trace the route|trace route|tracert|trace (the )?hop path"
        r"|(map|show|trace)( out)? the (network )?path|network path to|hops to (get )?(there|it)",
        "skip_discovery": r"skip (host )?discovery|no ping|skip (the )?ping|don.?t ping|without ping\w*"
        r"|assume (every|each|all( the)?) hosts? (is |are )?(up|online)"
        r"|treat (it|them|all|the host|hosts)? ?as (up|online)|treat( \w+){0,4} as (reachable|alive)"
        r"|assume (it|they|the hosts?)? ?(is |are |.s |.re )?(up|online)",
        "fast": r"(quick|fast) (port )?scan",
        "ports": r"(?<!top-)(?<!top )ports? [0-9]{1,5}",  # "port 53", "ports 22 and 80" (not "--top-ports 100")
        # "udp scan", "connect scan", "ping sweep": the technique is named, so one must be
        # written (which ones the words allow is TECHNIQUE_WORDS': "udp" also allows syn+udp)
        "technique": r"(syn|stealth|half[- ]open|connect|udp|ack|fin|null|xmas|christmas tree) scan"
        r"|(host )?discovery only|no port (scan\w*|prob\w*)|(do not|don.?t|without) (probe|probing|scan|scanning) (any |the )?ports"
        r"|ping (scan|sweep)",
        "open_only": r"only open|open (ports|ones|services) only|open only|just (the )?open|only (show |list )?(the )?open",
        # "top 200 ports", "the top fifty ports", "100 most common ports"
        # "-A web01 web02 top 100 T4" (dev-hand11): every scan of the data that writes "top N" scans the top N
        "top_ports": rf"top[ -]?({_COUNT}) (tcp |udp )?ports|({_COUNT}) most (common|popular|used) (tcp |udp )?ports"
        r"|top[ -]?\d{1,5}(?![\w.%/:-])",
    }.items()
}
# A template named beside the word for one ("polite timing", "timing: sneaky"): that template,
# written. Every scan of the data that says so has it (61 of 61); the adapter left "Polite
# timing" out (dev-hand11). ("aggressive mode" is -A, not a template.)
_TIMING_NAMED = re.compile(rf"\b({'|'.join(TIMING_NAMES)})\s+(?:timing|template)\b"
                           rf"|\b(?:timing|template)\s*(?:of\s+|to\s+|=\s*|:\s*)?({'|'.join(TIMING_NAMES)})\b", re.I)
# An NSE script written by its own name ("run snmp-info against the printers"): it runs
# (``scripts_asked``). Every new scan of the data that writes one has it (73 of 73); the adapter
# left snmp-info out (dev-hand11). Only names with a hyphen: "default", "discovery" and "version"
# are words too.
_SCRIPT_NAMED = re.compile(r"(?<![\w-])(" + "|".join(sorted((re.escape(n) for n in ALLOWED_SCRIPTS if "-" in n),
                                                             key=len, reverse=True)) + r")(?![\w-])", re.I)
# A follow-up that says which way the timing goes gets that step only ("speed it up" is not T2).
# "no faster than 300" is a packet rate, not a timing step.
_FASTER = re.compile(r"\b(faster(?! than)|quicker(?! than)|speed (it |this |that |things )?up|speed up|hurry"
                     r"|more aggressive|turbo|crank (it |this |that )?up|(up|raise (it )?) (a|one) notch|notch (it )?up)\b",
                     re.I)
_SLOWER = re.compile(r"\b(slower(?! than)|slow (it |this |that |things )?down|gentler|quieter|stealthier|less aggressive"
                     r"|softer|more soft|more gentle"
                     r"|more polite|back (it |this |that )?off|ease (it |this |that )?off|dial (it |this |that )?(back|down)"
                     r"|tone (it |this |that )?down|down (a|one) notch|notch (it )?down|lower (it )?(a|one) notch)\b",
                     re.I)
# "too slow", "it's so slow": a complaint about the scan, which asks for no slower step
_SLOW_COMPLAINT = re.compile(r"\b(too|so|is|was|very|really|super|painfully|kinda)\s+slow\b", re.I)
# Words about speed: a follow-up without one keeps the edited scan's timing. "This time",
# "the quick list" (-F) and a complaint alone ("drop the version detection, too slow") name
# no speed (_NOT_TIMING, _SLOW_COMPLAINT); "too slow, speed it up" does.
_NOT_TIMING = re.compile(r"\b(this|next|every|each|that|the same|one more|first|last|any)\s+time\b"
                         r"|\bquick\s+(list|look|one|check|question)\b", re.I)
_TIMING_CUES = re.compile(r"\b(speed\w*|sped|fast\w*|quick\w*|slow\w*|notch|tim(ing|e)|template"
                          r"|gentl\w*|soft\w*|quiet\w*|queit\w*|loud\w*|stealth\w*|sneak\w*|nois\w*|careful\w*|hurry|rush|turbo"
                          rf"|pace|tempo|throttle|{'|'.join(TIMING_NAMES)})\b|(?<![\w-])-?[Tt]\s?[0-5]\b", re.I)
# Numeric scan options by the words that ask for them: a number alone ("ports 22 and 80")
# is a port, not a packet rate. Hyphenated flags count by their parts (--min-rate, top-ports).
NUMBER_WORDS: dict[str, tuple[str, ...]] = {
    "top_ports": ("top", "most", "common", "popular", "frequent"),
    "min_rate": ("rate", "pps", "packets", "packet", "least", "minimum", "min", "second", "sec", "slower"),
    "max_rate": ("rate", "pps", "packets", "packet", "cap", "limit", "max", "maximum", "most", "exceed",
                 "throttle", "second", "sec", "faster"),
    "host_timeout": ("timeout", "timeouts", "give", "after", "slow", "minutes", "minute", "seconds", "second",
                     "hours", "hour", "min", "sec", "ms", "wait", "longer", "max",
                     # "kill it if it runs past 10m", "don't spend more than 2m on any one machine"
                     "past", "spend", "spending", "kill", "abort", "stop"),
    "version_intensity": ("intensity", "light", "lightest", "level", "thorough", "all", "probe", "probes"),
}
# nmap's own names for two version intensities (--version-light, --version-all).
VERSION_LEVELS = {"light": 2, "all": 9}
# Words that leave a host out of a scan (--exclude): without one, a target is not excluded.
EXCLUDE_WORDS = ("exclude", "excluding", "excluded", "excl", "except", "skip", "skipping", "but", "without", "not",
                 "leave", "omit", "minus", "other", "avoid", "ignore", "besides", "w/o")
_FLAG = re.compile(r"(?<![\w-])-{1,2}[A-Za-z][A-Za-z0-9]*(?:-(?![\w]))?")
_IPV6_FLAG = re.compile(r"(?<![\w-])-6(?![\w-])")  # the one flag that is a digit
# Scan techniques by the words (and -sX flags, lower-cased to "sx") that ask for them. "-sn"
# (ping) and "-sN" (null) read the same once lower-cased: both are allowed. "udp too" adds
# UDP beside the default SYN scan (technique syn + udp), and SNMP and DNS NSID are UDP.
TECHNIQUE_WORDS: dict[str, tuple[str, ...]] = {
    "syn": ("syn", "stealth", "half", "ss", "udp"),
    "connect": ("connect", "connection", "handshake", "handshakes", "st"),  # "a full-connection scan"
    "udp": ("udp", "su", "snmp", "nsid"),
    "ack": ("ack", "acks", "firewall", "sa"),
    "fin": ("fin", "sf"),
    "null": ("null", "sn"),
    "xmas": ("xmas", "christmas", "sx"),
    "ping": ("ping", "pings", "sweep", "up", "alive", "live", "online", "discover", "discovery", "sn", "respond",
             "responds", "responding", "responsive", "reachable", "reachability", "answer", "answers"),
    # "a register of responsive hosts", "which devices answer" (dev-hand7, dev-hand8)
}


def _one_typo(a: str, b: str) -> bool:
    """True when ``a`` is ``b`` with at most one letter added, dropped, changed or two swapped."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :] or (a[i + 2 :] == b[i + 2 :] and a[i : i + 2] == b[i : i + 2][::-1])
    return (a[i + 1 :] == b[i:]) if len(a) > len(b) else (a[i:] == b[i + 1 :])


def _named(words: set[str], lexicon: dict) -> list:
    """The lexicon entries the words name; a key of five letters or more also with one typo
    ("insaane", "msyql") — analysts type fast, and the training data says so. A word that is
    itself a key is no typo of another: "mysql" is not "mssql" (the adapter looped on 1433 for
    "check postgres, mysql and mongo", dev-hand9 n-013)."""
    out = [lexicon[w] for w in words & lexicon.keys()]
    typed = [w for w in words if len(w) >= 4 and w not in lexicon]
    for key, value in lexicon.items():
        if len(key) >= 5 and key not in words and any(_one_typo(w, key) for w in typed):
            out.append(value)
    return out


# "Don't send a single packet to the safety PLC subnet 10.30.200.0/24" leaves it out (dev-hand8).
_DONT_TOUCH = re.compile(r"\b(don.?t|do not|never)\s+(\w+\s+){0,4}?(send|scan|touch|prob|hit|pok)\w*\b", re.I)


# A number with thousands separators before a word for packets, ports or hosts ("a minimum of
# 1,000 packets per second", dev-hand7) is one number; "ports 22,443" is a list.
_COUNTED = r"(?=\s*(packets?|pkts?|pps|probes?|ports?|hosts?)\b)"
_THOUSANDS = re.compile(r"(?<![\d,.])\d{1,3}(?:,\d{3})+" + _COUNTED, re.I)
# "top 1k ports", "5k pps" (dev-hand8): thousands.
_KILO = re.compile(r"(?<![\w.])(\d{1,3})k" + _COUNTED, re.I)


# Numbers that only tell the story around a scan request (dev-hand10's MSP technician, dev-hand8's
# "cell 3"): clock times ("after the 09:15 reboot", "4pm"), ordinals ("the 14th", "2nd floor"),
# the numbers of tickets, racks, floors, VLANs, questions and the like ("ticket #48213", "VLAN 30",
# "question 3"), heads and devices counted ("14 workstations", "a 40-person office", "3 unlabeled
# boxes", up to three digits: "3389 users can't connect" keeps its port) and things counted per
# hour ("40 failed logins an hour"). None of them is a port, a rate,
# a count of ports or a timeout; the adapter had scanned "ports 3,4,7731" for "ticket 7731 … 3
# unlabeled boxes in rack B (U12 through U14)".
_CLOCK = r"(?<![\w.:/-])\d{1,2}(?::\d{2}){1,2}(?:\s*[ap]\.?m\b\.?)?(?![\w:])|(?<![\w.:/-])\d{1,2}\s*[ap]\.?m\b\.?"
_ORDINAL = r"(?<![\w.])\d+(?:st|nd|rd|th)\b"
_LABELLED = (r"\b(?:tickets?|tkt|case|incident|inc|chg|req|request|question|rack|shelf|floor|vlan|room|building|bldg"
             r"|branch|site|unit|row|slot|bay|cell|zone|wave|phase|item|model|id|cr)\s*(?:#|no\.?|number)?\s*[:-]?\s*"
             r"\d[\d-]*(?:\s*(?:through|thru|to|-|and)\s*[A-Za-z]?\d+)?\b|#\s?\d[\d-]*\b")
_THINGS = (r"person|people|users?|staff|seats?|employees?|workstations?|laptops?|desktops?|pcs|computers?|machines?"
           r"|boxes|devices|printers?|phones?|tellers?|scanners?|handhelds?|locations?|sites?|offices?|floors?"
           r"|logins?|log-?ons?|attempts?|accounts?|members?|students?|clients?|customers?|aps|tickets?")
_FUNCTION_WORDS = r"(?!(?:on|at|for|of|and|or|to|in|across|from|with|the|both|all)\b)"
_COUNTED_THINGS = rf"(?<![\w.:/-])\d{{1,3}}(?:[\s-]+{_FUNCTION_WORDS}[a-z]+)?[\s-]+(?:{_THINGS})\b(?:\s+(?:an?|per|each|every)\s+(?:hour|minute|min|second|sec|day))?"
_CONTEXT_NUMBERS = re.compile("|".join((_CLOCK, _ORDINAL, _LABELLED, _COUNTED_THINGS)), re.I)


def without_context_numbers(text: str) -> str:
    """``text`` without the numbers that only tell the story (``_CONTEXT_NUMBERS``)."""
    return _CONTEXT_NUMBERS.sub(" ", text)


def scan_values(question: str, previous: dict | None = None, hostnames=()) -> dict[str, tuple]:
    """The only values each numeric scan option, and ``scripts``, may take, by option name.

    The numbers written in the question (not those inside its addresses), "an hour" as 1;
    for ports also the ports of the services and protocols it names (``SERVICE_PORTS``);
    for timing also the named templates ("aggressive" → 4); and whatever the scan a
    follow-up edits already has, with its timing one step either way ("faster"). A small
    model otherwise fills options nobody asked for with numbers from nowhere
    (``"ports":"110"`` for "which services are listening on …"); the options that take a
    number need words that ask for them (``NUMBER_WORDS``: "ports 22 and 80" sets no packet
    rate). Scripts: those the words ask for (``SCRIPT_WORDS``) and the edited scan's;
    techniques (``TECHNIQUE_WORDS``) and on/off options (``SWITCH_WORDS``, under
    "switches") likewise; ``exclude`` lists the targets that may be left out, none without
    a word that leaves one out (``EXCLUDE_WORDS``). A number written as a duration ("90s",
    "5 minutes") is only a timeout.

    What the analyst spelled out is kept too. ``targets`` (a new scan, or a follow-up that
    moves the scan: "same for X"; another follow-up may add or swap hosts) lists the target
    lists the scan may have: every host the question names, in order, or — when words leave
    some out — those minus any of them (``named_targets``). ``required`` names the options
    written as nmap flags (``-sV``, ``-p-``, ``-T4``, ``--top-ports``) or asked for by a
    phrase (``SWITCH_PHRASES``: "all ports", "os detection"; ports also by a named service
    or numbers where ports stand, ``_ports_asked``), which the scan must set; a flag written
    after "no" or "without" ("no -sV") is not allowed at all.

    ``tcp_ports`` and ``udp_ports`` hold the exact ``T:``/``U:`` lists when the words tie ports
    to each protocol (``tcp_and_udp_lists``); "udp only" leaves ``udp`` as the one technique.
    ``scripts_asked`` names the scripts asked for outright (``scripts_asked``), each of which
    the scan must run; ``ports_named``, when ports must be set, the ports of the one-port
    services the words name (``service_ports_named``), each of which must be in the list.
    """
    targets = target_candidates(question, hostnames)
    required, negated = _written_flags(question)
    text = _THOUSANDS.sub(lambda m: m[0].replace(",", ""), without_targets(question, targets))  # "1,000 packets"
    text = without_context_numbers(text)  # "ticket 7731", "after the 09:15 reboot", "14 workstations"
    text = _KILO.sub(lambda m: str(int(m[1]) * 1000), text)  # "top 1k ports"
    # a follow-up's hosts, with those written by their last octet ("same on .45", "exclude .22")
    edited = edited_targets(question, previous)
    octets = edited[len(_edited(previous)):]
    if octets:  # ".45" is a host, not a number
        text = _LAST_OCTET.sub(" ", text)
    text = _IPV6_FLAG.sub(" ", text)  # "nmap -6 git.corp.internal": no port 6
    text = _DEADLINE.sub(" ", text)  # "the change window closes in 10 min": no timeout, no number
    durations = {int(m.group(1)) for m in _DURATION.finditer(text)}
    durations |= {SMALL_NUMBERS[m.group(1).lower()] for m in _SPELLED_DURATION.finditer(text)}
    plain_text = _SPELLED_DURATION.sub(" ", _DURATION.sub(" ", text))
    written = {int(n) for n in _NUMBER.findall(plain_text)} | spelled_numbers(plain_text)
    written |= {SMALL_NUMBERS[m.group(1).lower()] for m in _SPELLED_RANGE_START.finditer(plain_text)}
    told = without_context_numbers(question)  # "40 failed logins an hour" asks for no timeout
    if _ONE_UNIT.search(told):
        written.add(1)
    words = _stems(set(_WORDS.findall(question.lower())))
    ports = set(written)
    for implied in _named(words, SERVICE_PORTS):
        ports.update(implied)
    # a digit is a timing template only beside a word for one ("T4", "timing 4", "speed 2"):
    # "ports 1-1024" has none (the adapter added timing 1)
    timed = _TIMING_DIGIT.search(question) or any(_one_typo(w, c) for w in words for c in ("timing", "template"))
    timing = ({n for n in written if n <= 5} if timed else set()) | set(_named(words, _TIMING_WORDS))
    templates = {TIMING_NAMES[(m[1] or m[2]).lower()] for m in _TIMING_NAMED.finditer(question)}
    if len(templates) == 1:  # "polite timing": that one
        timing = set(templates)
        if "timing" not in required:
            required.append("timing")
    out = {"ports": ports, "timing": timing, "version_intensity": {n for n in written if n <= 9}}
    out["version_intensity"] |= {n for name, n in VERSION_LEVELS.items() if f"version-{name}" in question.lower()}
    for name in ("top_ports", "min_rate", "max_rate"):
        out[name] = set(written)
    # "at least 1000 packets a second" is a floor, "keep it under 300" a ceiling
    bounds = _NOT_BELOW.sub(" at least ", _NOT_OVER.sub(" at most ", question))  # "without going over 50"
    floor, ceiling = _RATE_FLOOR.search(bounds) is not None, _RATE_CEILING.search(bounds) is not None
    if floor != ceiling:
        out["max_rate" if floor else "min_rate"] = set()
    # a timeout is a duration, or a number right after a word for one ("--host-timeout 300");
    # "listening on 8080 after CHG3390 went in" has none (the adapter wrote 8080h)
    out["host_timeout"] = durations | {int(m.group(2)) for m in _TIMEOUT_NUMBER.finditer(plain_text)}
    if _ONE_UNIT.search(told):  # "give up after an hour"
        out["host_timeout"].add(1)
    prev = previous if previous and previous.get("tool") == "nmap" else None
    if prev is not None:
        ports.update(int(n) for n in _NUMBER.findall(str(prev.get("ports") or "")))
        out["host_timeout"].update(int(n) for n in _NUMBER.findall(str(prev.get("host_timeout") or "")))
        for name in ("top_ports", "min_rate", "max_rate", "version_intensity"):
            if isinstance(prev.get(name), int):
                out[name].add(prev[name])
        t = prev.get("timing", 3)  # nmap's default template is 3: "faster" is 4
        faster, slower = _FASTER.search(question) is not None, _SLOWER.search(question) is not None
        steps = (t + 1,) if faster and not slower else (t - 1,) if slower and not faster else (t - 1, t, t + 1)
        if _SLOW_COMPLAINT.search(question) and not slower:  # "drop the version detection, too slow"
            steps = tuple(k for k in steps if k >= t)
        if not _TIMING_CUES.search(_SLOW_COMPLAINT.sub(" ", _NOT_TIMING.sub(" ", question))):
            # "add udp 53 and 123 to it", "every port this time" keep the speed they had; a scan
            # with none keeps none (the adapter wrote a no-op "timing": 3 for "also grab its host keys")
            steps = (t,) if "timing" in prev else ()
            if "timing" in prev and not _RESTART.search(question) and "timing" not in required:
                required.append("timing")  # written too: 45 of 45 such follow-ups keep it (dev-hand11 u-032)
        timing.update(k for k in steps if 0 <= k <= 5)
    parts = words | {p for w in words if "-" in w for p in w.split("-")} | set(re.findall(r"[a-z]+", question.lower()))
    for name, cues in NUMBER_WORDS.items():
        if not _named(parts, {c: c for c in cues}) and not (prev is not None and prev.get(name) is not None):
            out[name] = set()
    result: dict[str, tuple] = {name: tuple(sorted(values)) for name, values in out.items()}
    result["scripts"] = _scripts(question, words, prev)
    result["technique"] = _techniques(question, words, prev)
    # "ssh over tcp plus snmp on udp": T:22,U:161, not 22,161 on both protocols
    result["tcp_ports"], result["udp_ports"] = tcp_and_udp_lists(text, prev)
    if result["udp_ports"]:
        result["technique"] = tuple(t for t in result["technique"] if t not in ("udp", "ping"))
    # "skip 10.20.0.9 and 10.20.0.10" leaves hosts out; it does not skip host discovery
    # and "skip the printers at 10.1.2.50" neither (dev-hand5)
    skipped = any(re.search(rf"\bskip\w*\s+(the\s+|host\s+)?(([a-z]+\s+){{1,2}}at\s+)?{re.escape(t)}", question, re.I)
                  for t in targets)
    switch_words = _stems(set(_WORDS.findall(_without_liveness(question).lower())))
    if skipped:
        switch_words -= {"skip", "skipping"}
    # a switch a flag or phrase asks for outright ("fp the stack", dev-hand11) is allowed without its words
    asked = {name for name in required if name in SWITCH_WORDS}
    result["switches"] = tuple(n for n in SWITCH_WORDS if n in {*_switches(question, switch_words, targets, prev), *asked})
    if _UDP_ONLY.search(question) and not re.search(r"\btcp\b", question, re.I):
        # "same but only udp", "do udp instead of that": a UDP scan (-sU), not UDP beside SYN
        result["technique"], result["tcp_ports"], result["udp_ports"] = ("udp",), (), ()
        result["switches"] = tuple(n for n in result["switches"] if n != "udp")
        required.append("technique")
    # "other" leaves hosts out only as "other than" ("the other edge firewall, 10.255.0.2" moves the scan)
    other = set() if re.search(r"\bother than\b", question, re.I) else {"other"}
    untouched = "w/o" in question.lower() or _DONT_TOUCH.search(question) is not None  # "don't send a packet to X"
    leave_out = _named(parts, {w: w for w in EXCLUDE_WORDS if w not in other}) or untouched
    # "same scan but point it at X": a "but" alone leaves nothing out of a follow-up's move
    moved_out = leave_out and (_named(parts, {w: w for w in EXCLUDE_WORDS if w not in other | {"but"}}) or untouched)
    if prev is not None and prev.get("exclude"):
        leave_out = True
    # only a network, a range or a wildcard has hosts to leave out ("don't bother pinging
    # 172.16.8.9 first" had excluded the one host it scans)
    spans = any(_kind_of(t) in ("cidr4", "cidr6", "range4") or "*" in t for t in [*targets, *edited])
    # and only beside another host: "the open ports of 192.168.200.0/26, but never over 20 packets
    # a second" had excluded the one network it scans (a policy error, and the planner gave up)
    hosts = tuple(dict.fromkeys([*targets, *edited]))
    result["exclude"] = hosts if leave_out and spans and len(hosts) > 1 else ()
    if prev is not None and leave_out and result["exclude"]:
        # "exclude .22 its the backup server": a follow-up leaves out the hosts it names
        named_now = [*named_targets(question, hostnames), *octets]
        if named_now:
            result["exclude"] = tuple(dict.fromkeys([*prev.get("exclude", []), *named_now]))
    if previous is None:
        named = named_targets(question, hostnames)
        if named and not leave_out:
            result["targets"] = (tuple(named),)
        elif named and len(named) <= MAX_SUBSET_TARGETS:
            result["targets"] = tuple(_sublists(named))
            # "10.1.2.0/24 except 10.1.2.5"
            if len(named) > 1 and result["exclude"] and _left_out(question, named):
                required.append("exclude")
    elif prev is not None and not moved_out and _RETARGET.search(question) and not _ADD_TARGET.search(question):
        # "repeat the check for dc02 instead of dc01": the host after "instead of" is the old one
        named = [*named_targets(_INSTEAD_OF.sub(" instead ", question), hostnames), *octets]
        if any(h not in prev.get("targets", []) for h in named):  # "same scan against 10.1.1.2 instead"
            result["targets"] = (tuple(named),)
    elif prev is not None and not moved_out and _adds_targets(question):
        before = list(prev.get("targets", []))
        new = [h for h in named_targets(question, hostnames) if h not in before]
        if new:  # "also throw 10.50.4.0/24 in there": the scan keeps its hosts and gains these
            result["targets"] = (tuple([*before, *new]),)
    # "make it faster and add the snmp info script" keeps a top-50 scan's port choice: a service
    # named in a follow-up of such a scan asks for no port list (dev-hand10); written numbers do
    kept_choice = prev is not None and any(prev.get(k) for k in _OTHER_PORT_CHOICE) and not _bare_port_numbers(plain_text, parts)
    if "ports" not in required and not _OTHER_PORT_CHOICE & set(required) and not kept_choice \
            and _ports_asked(question, plain_text, parts):
        required.append("ports")
    rates = [name for name in ("min_rate", "max_rate") if result[name]]
    if len(rates) == 1 and rates[0] not in required and _PACKET_RATE.search(question):
        required.append(rates[0])  # "keep it above 800 packets a second": --min-rate 800
    if result["udp_ports"]:
        required.extend(n for n in ("ports", "udp") if n not in required and (n != "udp" or n in result["switches"]))
    dropped = _ports_dropped(question, prev)
    if dropped:  # "drop 515": the edited list without it
        result["ports"] = tuple(n for n in result["ports"] if n not in dropped)
        if "ports" not in required:
            required.append("ports")
    result["ports_after"] = _ports_added_to(question, prev, written, parts)
    if result["ports_after"] and "ports" not in required:
        required.append("ports")
    one_host = bool(targets) and not any(_kind_of(t) in ("cidr4", "cidr6", "range4") or "*" in t for t in targets)
    named_ports = "ports" in required or bool(result["ports"])
    asked_open = "open_only" in required  # "--open", "only open"
    if prev is None and one_host and named_ports and not asked_open and _asks_if_open(question):  # "is 3389 open on X?"
        result["switches"] = tuple(n for n in result["switches"] if n != "open_only")
    if durations and "host_timeout" not in required:  # "give up after 30s", "5 minutes per host"
        required.append("host_timeout")
    if prev is not None:
        required.extend(k for k in _kept(question, parts, prev, bool(written or _named(words, SERVICE_PORTS)))
                        if k not in required)
    asked_scripts = scripts_asked(question)
    if asked_scripts:  # "run snmp-info against …", "the page titles and the Server header": each runs
        result["scripts"] = tuple(s for s in SCRIPT_WORDS if s in {*result["scripts"], *asked_scripts})
        result["scripts_asked"] = asked_scripts
        if "scripts" not in required:
            required.append("scripts")
    for name in negated:
        result[name] = ()
    result["switches"] = tuple(n for n in result["switches"] if n not in negated)
    result["required"] = tuple(n for n in required if n not in negated)
    if "ports" in result["required"] and not result["udp_ports"] and not result["ports_after"]:
        result["ports_named"] = tuple(p for p in service_ports_named(question) if p in result["ports"])
    return result


# Ports tied to a protocol by the words around them: "udp 53 and 123", "tcp and udp 53",
# "udp/161", "161/udp", "ssh over tcp", "snmp on udp", "ports 1-1024 over tcp".
_PORT_ITEM = r"\d{1,5}(?:\s*-\s*\d{1,5})?(?!\d|\.\d)"  # "udp 53 and 67." ends a sentence, not an address
_PORT_RUN = rf"{_PORT_ITEM}(?:\s*(?:,|and|&|\+|or)\s*{_PORT_ITEM})*"
_PROTO_THEN_PORTS = re.compile(rf"\b(tcp|udp)(?:\s+(?:and|&|\+)\s+(tcp|udp))?(?:\s*/\s*|\s+)(?:ports?\s+)?({_PORT_RUN})",
                               re.I)
_PORTS_THEN_PROTO = re.compile(rf"(?<![\w.])({_PORT_RUN}|[a-z0-9]+)(?:\s*/\s*|\s+(?:on|over|via)\s+(?:both\s+)?)"
                               r"(tcp|udp)(?:\s+(?:and|&|\+)\s+(tcp|udp))?\b", re.I)
# A scan of UDP alone, said outright (the training data's "udp only" is always -sU).
_UDP_ONLY = re.compile(r"\b(udp[\s-]*only|only[\s-]*(over\s+)?udp|just\s+(do\s+)?udp|udp\s+instead|instead\s+do\s+udp"
                       r"|switch\s+(it\s+)?to\s+udp|udp\s+alone)\b", re.I)
_ADD_WORDS = r"add\w*|also|plus|too|as well|include\w*|throw in"
_ADDS = re.compile(rf"\b({_ADD_WORDS}|and)\b|^\s*\+", re.I)


def _port_items(run: str) -> list[str]:
    """"22, 80 and 1-1024" → ["22", "80", "1-1024"] (ports above 65535 dropped)."""
    items = [f"{lo}-{hi}" if hi else lo for lo, hi in re.findall(r"(\d{1,5})(?:\s*-\s*(\d{1,5}))?", run)]
    return [i for i in items if all(int(n) <= 65535 for n in i.split("-"))]


def _probed(items: list[str]) -> set[int]:
    out: set[int] = set()
    for item in items:
        lo, _, hi = item.partition("-")
        out.update(range(int(lo), int(hi or lo) + 1))
    return out


def protocol_ports(text: str) -> dict[str, list[str]]:
    """The port items ``text`` ties to TCP and to UDP, in the order written (``_PROTO_THEN_PORTS``)."""
    out: dict[str, list[str]] = {"tcp": [], "udp": []}
    for m in _PROTO_THEN_PORTS.finditer(text):
        for proto in filter(None, (m.group(1), m.group(2))):
            out[proto.lower()].extend(_port_items(m.group(3)))
    for m in _PORTS_THEN_PROTO.finditer(text):
        head = m.group(1).lower()
        items = [str(p) for p in SERVICE_PORTS.get(head, ())] if head.isalpha() else _port_items(head)
        for proto in filter(None, (m.group(2), m.group(3))):
            out[proto.lower()].extend(items)
    return {k: list(dict.fromkeys(v)) for k, v in out.items()}


def tcp_and_udp_lists(text: str, previous: dict | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The items of the ``T:`` and ``U:`` lists a scan of TCP and UDP ports must write, or
    ((), ()) when a plain list says the same.

    "tcp 22 plus udp 161" probes TCP 22 and UDP 161; "-sS -sU -p 22,161" would probe both
    ports on both protocols. A follow-up that adds UDP ports to a TCP scan with a port list
    ("add udp 53 and 123 to it") keeps its TCP ports on the T: side (the adapter, left to copy
    them, wrote "T:53,123,1000,1000,…" for "1-1000"). When both sides hold the same ports
    ("tcp and udp 53") a plain list means the same, so nothing is required.
    """
    tied = protocol_ports(text)
    udp, tcp = tied["udp"], tied["tcp"]
    if not udp:
        return (), ()
    prev = previous if previous and previous.get("tool") == "nmap" else None
    if prev is not None and prev.get("technique") != "udp" and prev.get("ports") and _ADDS.search(text):
        before_udp, _, prev_udp = str(prev["ports"]).partition("U:")
        tcp = tcp or _port_items(before_udp)
        udp = list(dict.fromkeys([*_port_items(prev_udp), *udp]))
    if not tcp or _probed(tcp) == _probed(udp):
        return (), ()
    return tuple(tcp), tuple(udp)


# A follow-up that adds ports ("add 8443 too", "also throw in 139") to a scan with a plain port
# list keeps that list and writes the new ports after it; the adapter, left to itself, wrote
# "8443" for "add 8443 too" of a scan of 443 (dev-hand8, dev-hand10). Words that take something
# away or replace it leave the list free.
_UDP_WORD = re.compile(r"\budp\b|-sU\b|\bU:", re.I)  # "add udp 53 too" writes T:…,U:… (tcp_and_udp_lists)
_ADDS_PORTS = re.compile(rf"\b({_ADD_WORDS}|tack\w*)\b|^\s*\+", re.I)
_TAKES_AWAY = re.compile(r"\b(drop\w*|remov\w*|instead|swap\w*|replac\w*|(?<!read-)only|just|switch\w*|without|w/o|except|exclud\w*"
                         r"|no longer|rather|skip\w*|lose|ditch|forget|not|don'?t|rid|minus|take out|stop|narrow\w*"
                         r"|limit\w*|leave out|but)\b", re.I)


def _ports_added_to(question: str, prev: dict | None, written: set[int], parts: set[str]) -> tuple[str, ...]:
    """The port list a follow-up's scan must begin with, as ``(list,)``, or () (see ``_ADDS_PORTS``):
    only when it writes a new number that can be nothing but a port (no word of another numeric
    option, no timing template: "also make it T4 too" adds no port). A service's name alone adds
    none: "add which HTTP methods they allow too" keeps a scan of port 80 as it is."""
    if prev is None:
        return ()
    ports = str(prev.get("ports") or "")
    if not re.fullmatch(r"\d+(-\d+)?(,\d+(-\d+)?)*", ports) or prev.get("technique") == "udp" or _UDP_WORD.search(question):
        return ()
    if not _ADDS_PORTS.search(question) or _TAKES_AWAY.search(question):
        return ()
    if _named(parts, _OTHER_NUMBER_CUES) or _TIMING_DIGIT.search(question):
        return ()
    return (ports,) if written - _probed(_port_items(ports)) else ()


# A follow-up that says nothing about an option of the scan it edits keeps it: "just the open
# ports" adds --open to the scan as it was, "no raw packets, connect scan" keeps its -sV. Words
# that start the scan afresh ("a plain scan") or a ping sweep (which has no port options) free
# them all; an option's own words or flag ("drop the version check", "no -O") free that one.
_RESTART = re.compile(r"\b(plain|basic|default scan|start over|from scratch|nothing else|fresh scan|new scan)\b", re.I)
_PORT_CHOICE_WORDS = frozenset((*SWITCH_WORDS["fast"][0], *SWITCH_WORDS["all_ports"][0], *NUMBER_WORDS["top_ports"]))


# "drop 515, nobody uses lpd anymore": a follow-up takes a port of the edited list away. The one
# such follow-up of the data (dev-hand11 u-032) scans the rest; the adapter kept 515.
_DROPPED_PORT = re.compile(r"\b(?:drop|remove|minus|take out|lose|ditch|no longer)\s+(?:port\s+|ports\s+)?(\d{1,5})\b", re.I)


def _ports_dropped(question: str, prev: dict | None) -> set[int]:
    """The ports of the edited scan's plain list that the follow-up takes away ("drop 515")."""
    listed = str((prev or {}).get("ports") or "")
    if not re.fullmatch(r"\d{1,5}(,\d{1,5})*", listed):
        return set()
    return {int(m[1]) for m in _DROPPED_PORT.finditer(question)} & {int(p) for p in listed.split(",")}


def _kept(question: str, parts: set[str], prev: dict, numbers_written: bool) -> list[str]:
    """The options of the edited scan ``prev`` that a follow-up must keep (see ``_RESTART``)."""
    flags = set(_FLAG.findall(question)) | set(_IPV6_FLAG.findall(question))
    sweep = _named(parts, {w: w for w in TECHNIQUE_WORDS["ping"]}) and not (
        _named(parts, {w: w for w in ("skip", "assume", "pn", "block")}) or "-Pn" in flags)  # "blok", "blocks": typos
    if _RESTART.search(question) or sweep:  # "skip discovery, they block ping" is no sweep
        return []
    kept = [name for name, (words, switch_flags) in SWITCH_WORDS.items()
            if name not in (*_OTHER_PORT_CHOICE, "ipv6") and prev.get(name) is True
            and not _named(parts, {w: w for w in words}) and not flags.intersection(switch_flags)]
    choice = next((name for name in ("ports", *_OTHER_PORT_CHOICE) if prev.get(name) not in (None, False)), None)
    if choice and not numbers_written and not _named(parts, {w: w for w in _PORT_CHOICE_WORDS}) and not (
        flags & {"-F", "-p-", "--top-ports", "-p"}
    ):
        kept.append(choice)
    return kept


# A host written right after a word that leaves it out ("except 10.1.2.5", "but not dc01",
# "minus the box 10.0.0.9") is left out: the scan excludes it.
_LEAVE_OUT_BEFORE = re.compile(
    r"\b(except|exclud\w*|excl|minus|omit\w*|but not|not|w/o|without|skip\w*|avoid\w*|ignor\w*|besides|leav\w* out)"
    r"( for)?( the)?( host| box| machine| ip| address)?\W*$", re.I)


def _left_out(question: str, named: list[str]) -> bool:
    return any(_LEAVE_OUT_BEFORE.search(question[max(0, i - 40): i])
               for host in named for i in [question.find(host)] if i > 0)


# Numbers that other scan options read: their cue words (NUMBER_WORDS), timing by name or
# template, and what a number can count besides ports ("3 hosts", "10 results").
_OTHER_NUMBER_CUES = {c: c for cues in NUMBER_WORDS.values() for c in cues} | {
    w: w for w in ("timing", "template", "speed", "intensity", "level", *TIMING_NAMES)}
_TIMING_OR_FLAG_NUMBER = re.compile(r"(?<![\w-])(-{0,2}[Tt]\s?[0-5]|-\d)(?!\d)")
# Where a number stands as a port: after "on", "at", "have", "to" or a colon, in a list of
# numbers ("80, 443 or 8080", "22/3389"), or before "open" ("tier 2" and "ticket 4411" are not).
_PORTISH = re.compile(r"(\b(on|at|have|has|to)\s+|:\s*)\d{1,5}\b|\b\d{1,5}\s*(,|/|\bor\b|\band\b)\s*\d{1,5}\b"
                      r"|\b\d{1,5}\s+open\b", re.I)
_COUNTED = re.compile(r"\d+\s+(hosts?|boxes|machines|servers|ips|addresses|targets|results|times|retries|tries)\b", re.I)


# A yes/no question about the ports it names ("is 3389 open on 10.50.4.20 or not", "is web01 still
# listening on 8080", "did the ACL push close telnet"): the port list answers it, and --open would
# hide the answer "closed" (dev-hand4: the adapter added --open to three). Only for hosts named one
# by one: "is 3389 open anywhere in 10.0.0.0/24" sweeps for the ones that have it. Not a request
# for the open ones ("which ports are open", "only show open", "open ports on …").
# at the start of the message or of a later sentence ("New controller went in on Tuesday (ticket 8812). Are
# ssh, http and https open on it?", dev-hand10)
_ASKS_IF = re.compile(r"(?:^|[.!?]\s+)\W*(?:\S+\s+){0,6}?(is|are|did|does|has|have|was|were)\b", re.I)
_OPEN_STATE = re.compile(r"\b(open|listening|closed?|reachable|answering|blocked)\b", re.I)
_OPEN_LIST = re.compile(r"\bopen (ports|ones|services)\b|\bonly\b.*\bopen\b|\bopen\b.*\bonly\b|\bwhat\S*\s+(is\s+|are\s+)?open\b"
                        r"|\bwhat (tcp |udp )?(ports|services)\b"
                        r"|\b(which|whatever|anything|any|anywhere|who|hosts|machines|boxes|devices|assets)\b", re.I)


def _asks_if_open(question: str) -> bool:
    return bool(_ASKS_IF.search(question) and _OPEN_STATE.search(question) and not _OPEN_LIST.search(question))


def _ports_asked(question: str, plain_text: str, parts: set[str]) -> bool:
    """The words ask for ports without saying "port": a service named where a port belongs
    (``_SERVICE_NAMED``, not negated) or numbers where ports stand (``_bare_port_numbers``).
    ``plain_text`` is the question without its targets and durations."""
    named = (m for m in _SERVICE_NAMED.finditer(question) if not _PHRASE_NEGATION.search(question[: m.start()]))
    service = not _NOT_A_PORT_LIST.search(question) and any(True for _ in named)
    return service or _bare_port_numbers(plain_text, parts)


def _bare_port_numbers(plain_text: str, parts: set[str]) -> bool:
    """True when the question writes numbers where ports stand (``_PORTISH``: "versions from
    web01 on 80 and 443", "10.0.9.0/24: 22/3389?") and nothing else could take them: none of
    the other numeric options' words, no timing template, no count of something else, no
    ping. Every scan of the train/val/test data that writes such numbers sets ports."""
    text = _TIMING_OR_FLAG_NUMBER.sub(" ", plain_text)
    if not _PORTISH.search(text) or _COUNTED.search(text) or _NOT_A_PORT_LIST.search(text):
        return False
    return not _named(parts, _OTHER_NUMBER_CUES)


# A follow-up that names a new host with these words moves the scan there ("same for X",
# "now X", "X instead"); with the others it adds the host ("also X", "X too"). Every scan
# follow-up of the train/val/test data that says the first and not the second scans only
# the named hosts.
_INSTEAD_OF = re.compile(r"\b(instead of|rather than|in place of)\s+[^\s,;]+", re.I)
_RETARGET = re.compile(r"\b(instead|same|now|repeat|again|switch|rather|redo|rerun|re-run)\b", re.I)
_ADD_TARGET = re.compile(r"\b(add|also|too|as well|plus|include|including|along with|in addition)\b", re.I)


def _adds_targets(question: str) -> bool:
    """Whether a follow-up adds hosts to the scan rather than moving it: "also scan X", and
    "same for nas01 too", where "same" names the scan and "too" adds the host (dev-hand4)."""
    if not _ADD_TARGET.search(question):
        return False
    moves = {m.group(1).lower() for m in _RETARGET.finditer(question)}
    too = re.search(r"\b(too|also|as well)\b", question, re.I) is not None
    return not moves or (moves <= {"same", "now", "again"} and too)

# With words that leave hosts out, a new scan's targets are the named ones minus any of
# them: every order-kept sublist, up to this many named hosts (2^6 - 1 lists).
MAX_SUBSET_TARGETS = 6


def _sublists(items: list[str]) -> list[tuple[str, ...]]:
    n = len(items)
    subsets = [tuple(items[i] for i in range(n) if mask >> i & 1) for mask in range(1, 1 << n)]
    return sorted(subsets, key=len, reverse=True)


def named_targets(question: str, hostnames=()) -> list[str]:
    """The targets a new scan of ``question`` scans: every address, network and hostname it
    names, in order, and "A to B" as the range alone (``target_candidates`` keeps A and B
    as well, in case the words meant two hosts)."""
    found = target_candidates(question, hostnames)
    ends = set()
    for t in found:
        head, _, tail = t.rpartition(".")
        if "-" in tail and _kind_of(t) == "range4":
            lo, hi = tail.split("-", 1)
            ends |= {f"{head}.{lo}", f"{head}.{hi}"}
    if not ends:
        return found
    return [t for t in found if t not in ends]


# nmap flags as the analyst writes them → the option they set (a technique flag: its name).
_WRITTEN_FLAGS: tuple[tuple[str, str], ...] = (
    (r"-sV", "service_version"), (r"-O", "os_detection"), (r"-A", "aggressive"), (r"-Pn", "skip_discovery"),
    (r"--open", "open_only"), (r"--traceroute", "traceroute"), (r"-F", "fast"), (r"-p-", "all_ports"),
    (r"-6", "ipv6"), (r"-T[0-5]", "timing"), (r"T[0-5]", "timing"), (r"--top-ports", "top_ports"), (r"--min-rate", "min_rate"),
    (r"--max-rate", "max_rate"), (r"--host-timeout", "host_timeout"), (r"--version-intensity", "version_intensity"),
    (rf"--version-(?:{'|'.join(VERSION_LEVELS)})", "version_intensity"),
    (r"-sC", "scripts"), (r"--script", "scripts"), (r"-p ?[0-9TUS]", "ports"),
    (r"-sS", "technique"), (r"-sT", "technique"), (r"-sA", "technique"), (r"-sF", "technique"),
    (r"-sN", "technique"), (r"-sX", "technique"), (r"-sn", "technique"),
)
_FLAG_RES = tuple((re.compile(rf"(?<![\w-]){f}(?![\w-])" if not f.endswith("]") and " ?" not in f
                              else rf"(?<![\w-]){f}"), name) for f, name in _WRITTEN_FLAGS)
# A flag or phrase right after one of these is negated ("no -sV"); a phrase also after
# "skip", "don't", "turn off" ("skip the os detection").
_NEGATION_WORDS = r"no|not|without|drop|remove|minus|w/o|disable"
_NEGATION = re.compile(rf"\b({_NEGATION_WORDS}|lose|ditch|turn off|get rid of)\s+(the\s+)?$", re.I)  # "drop the -Pn"
# "anything besides ssh listening" names ssh to leave it out, not to scan its port
_PHRASE_NEGATION = re.compile(rf"\b({_NEGATION_WORDS}|skip|skip the|don'?t|drop the|remove the|turn off"
                              r"|besides|except|other than|apart from)\s+$", re.I)


# A service named on its own where a port belongs ("anything on telnet", "is RDP open") asks
# for its port, as "port 23" would: every scan of the train/val/test data that names one of
# these sets ports (not netbios: nbstat needs none). Not inside a script's name ("vnc-info"),
# and not when the words pick ports another way (all ports, a top-N or its words, a quick
# scan) or say "ping" (a ping sweep scans none).
_PROTOCOLS = ("ftp", "ssh", "sshd", "telnet", "smtp", "dns", "http", "https", "tls", "ssl", "pop3", "ntp", "imap",
              "snmp", "ldap", "smb", "smb2", "cifs", "mssql", "nfs", "mysql", "rdp", "postgres", "postgresql", "vnc",
              "winrm", "redis", "elasticsearch", "mongodb", "mongo", "kubelet", "etcd",
              "kibana")  # SERVICE_PORTS' protocol names, not its topic words
_SERVICE_NAMED = re.compile(r"(?<![\w./=-])(" + "|".join(_PROTOCOLS) + r")(?![\w.-])", re.I)
_OTHER_PORT_CHOICE = frozenset(("all_ports", "fast", "top_ports"))
_NOT_A_PORT_LIST = re.compile(r"\bping|\b(top|most|common|popular|frequent)\b", re.I)

# Services with one port that a scan's port list names by the service ("ssh and rdp"): that
# port is in the list. Every scan of the data that sets ports and names one of them lists its
# port (447 labels, tests/test_backend_grammar.py); the adapter wrote "22" for "ssh and rdp"
# and "25" for "smtp and imap" (dev-hand3, dev-hand2). Not http, https, tls or ssl: 80, 443,
# 8080 and 8443 all serve them.
_ONE_PORT_SERVICES = frozenset(p for p in _PROTOCOLS if p not in ("http", "https", "tls", "ssl", "smb2"))


def service_ports_named(question: str) -> tuple[int, ...]:
    """The ports of the one-port services the question names, in its order, none right after a
    negation ("anything besides ssh")."""
    ports = [SERVICE_PORTS[m[1].lower()][0] for m in _SERVICE_NAMED.finditer(question)
             if m[1].lower() in _ONE_PORT_SERVICES and not _PHRASE_NEGATION.search(question[: m.start()])]
    return tuple(dict.fromkeys(ports))


# Options that a negated phrase forbids: "drop the version detection" (the adapter kept -sV
# and slowed the scan, dev-hand4). Not the ones whose phrases hold their own negation ("no ping").
_NEGATABLE_PHRASES = frozenset(
    ("service_version", "os_detection", "all_ports", "traceroute", "fast", "open_only"))


def _written_flags(question: str) -> tuple[list[str], set[str]]:
    """(options whose flags or phrases are written, options whose flags are written after a negation)."""
    required: list[str] = []
    negated: set[str] = set()
    for pattern, name in _FLAG_RES:
        for m in pattern.finditer(question):
            if _NEGATION.search(question[: m.start()]):
                negated.add(name)
            elif name not in required:
                required.append(name)
    for name, phrase in SWITCH_PHRASES.items():
        found = [not _PHRASE_NEGATION.search(question[: m.start()]) for m in phrase.finditer(question)]
        if any(found) and name not in required:
            required.append(name)
        elif found and not any(found) and name in _NEGATABLE_PHRASES:  # "drop the version detection"
            negated.add(name)
    return required, negated


def _stems(words: set[str]) -> set[str]:
    """The words and their plain forms: "pinging" also as "ping", "hosts" as "host"."""
    out = set(words)
    for w in words:
        for suffix in ("ing", "ed", "s"):
            if w.endswith(suffix) and len(w) - len(suffix) >= 3:
                out.add(w[: -len(suffix)])
    return out


# Phrases whose words are no switch words. "which hosts are up", "host discovery only", "up or
# down" ask whether hosts answer: a ping sweep, not -Pn (no scan of the data that says so skips
# discovery, unless other words ask: "assume it is online", "no host discovery"); "half-open"
# names the SYN technique, not --open (of the 23 scans of the data that say it, the one that
# lists only open ports says so too: "show just open pors"). The adapter added -Pn to "which
# of 10.20.30.1-60 are even alive? … just up or down" and --open to "half-open scan of ports
# 20000 through 20010" (dev-hand3, dev-hand8).
_LIVENESS = re.compile(r"\b(host discovery|discovery only|discovery scan|up or down|up/down|half[- ]?open"
                       r"|(is|are|'s|s|be|even|still|actually|currently|now) (up|online)\b"
                       r"(?! (and|&) (running|listening|open))(?!,? (so|skip|assume|treat)))", re.I)
_ASSUMED = re.compile(r"(assum\w*|treat\w*|pretend\w*|as if|\bno|skip\w*|without|w/o)\W+(\w+\W+){0,3}$", re.I)


def _without_liveness(question: str) -> str:
    """The question without the phrases of ``_LIVENESS`` that no "assume"/"no"/"skip" comes
    right before ("proceed on the assumption that it is online" still asks for -Pn)."""
    return _LIVENESS.sub(lambda m: m[0] if _ASSUMED.search(question[: m.start()]) else " ", question)


# Words that a one-typo match would read as a switch word but that ask for nothing: one "server"
# describes a host ("it's a prod file server", "an old 2008 server"); "servers" sweeps for them.
_NOT_SWITCH_WORDS = frozenset(("server",))


# Words that put host discovery off: "ping" alone asks for a ping sweep ("just ping it, dont port
# scan anything" had -Pn added, dev-hand4), "no ping" and its kin for -Pn.
_NO_PING = re.compile(r"(?<![\w/])(no|don.?t|do not|omit|omitting|skip|skipping|without|w/o|never|avoid|disable"
                      r"|bother)\s+(the\s+|any\s+|a\s+|bother(ing)?\s+|to\s+)?(ping|pings|pinging|icmp)\b"
                      r"|\bno-?ping\b|\bpingless\b"
                      # a host that drops pings ("the firewall eats pings", "silently discard ICMP", dev-hand7)
                      r"|\b(ignor|eat|block|drop|discard|filter|swallow)\w*\s+(all\s+|any\s+)?(ping|pings|icmp)\b"
                      # "without that is-it-alive check", "don't bother checking if it's alive first"
                      r"|\b(no|without|skip\w*|omit\w*)\s+(the\s+|that\s+|any\s+)?(is-it-alive|alive|liveness|discovery|up)"
                      r"\s+checks?\b|\b(don.?t|do not|no need to)\s+(bother\s+)?check\w*\s+(if|whether)\s+"
                      r"(it.?s|it is|they.?re|they are)\s+(alive|up|online)\b", re.I)


def _switches(question: str, words: set[str], targets: list[str], previous: dict | None) -> tuple[str, ...]:
    flags = set(_FLAG.findall(question)) | set(_IPV6_FLAG.findall(question))
    named = set(_named(words - _NOT_SWITCH_WORDS, {w: w for ws, _ in SWITCH_WORDS.values() for w in ws}))
    out = {name for name, (ws, fs) in SWITCH_WORDS.items() if named.intersection(ws) or flags.intersection(fs)}
    if _NO_PING.search(question):  # "no ping", "omit the ping", "don't bother pinging"
        out.add("skip_discovery")
    if any(_kind_of(t) in ("ipv6", "cidr6") for t in targets):
        out.add("ipv6")
    if previous is not None:
        out.update(name for name in SWITCH_WORDS if previous.get(name) is True)
        if any(_kind_of(t) in ("ipv6", "cidr6") for t in previous.get("targets", [])):
            out.add("ipv6")
    return tuple(name for name in SWITCH_WORDS if name in out)


def _kind_of(target: str) -> str | None:
    try:
        return target_kind(target)
    except ValueError:
        return None


_NO_PORT_SCAN = re.compile(r"\bno[- ]port (scan|probe|survey|inspect\w*|check|sweep)", re.I)


# "skip the ping", "no ping": no ping sweep either, unless one is named ("Ping swep and no ping
# scan of dc02", a train record). The adapter answered "not answer to ping so skip the ping, and
# scan 22,80,443" with a ping sweep (dev-hand11 x-007).
_PING_SCAN = re.compile(r"\bping\s+(sw\w*|scan\w*|only)\b", re.I)


def _techniques(question: str, words: set[str], previous: dict | None) -> tuple[str, ...]:
    named = set(_named(words, {w: w for ws in TECHNIQUE_WORDS.values() for w in ws}))
    out = {t for t, ws in TECHNIQUE_WORDS.items() if named.intersection(ws)}
    if _NO_PING.search(question) and not any(not _NO_PING.search(question[: m.end()][-40:])
                                             for m in _PING_SCAN.finditer(question)):
        out.discard("ping")
    if _NO_PORT_SCAN.search(question):  # nmap's own words for -sn ("no port scan"), and their kin
        out.add("ping")
    if previous is not None and previous.get("technique"):
        out.add(previous["technique"])
    return tuple(t for t in TECHNIQUE_WORDS if t in out)


def _cued(cue: ScriptCue, named: set[str], spelt: str) -> bool:
    """Whether the words ``named`` (one typo tolerated) or the text ``spelt`` (the question
    with a misspelt "scripts" written right) ask for a script by this cue."""
    if isinstance(cue, re.Pattern):
        return cue.search(spelt) is not None
    return cue in named if isinstance(cue, str) else named.issuperset(cue)


def _scripts(question: str, words: set[str], previous: dict | None) -> tuple[str, ...]:
    lowered = question.lower()
    cues = {w for ws in SCRIPT_WORDS.values() for cue in ws if not isinstance(cue, re.Pattern)
            for w in ((cue,) if isinstance(cue, str) else cue)}
    named = set(_named(words, {w: w for w in cues}))
    spelt = re.sub(r"[A-Za-z]+", lambda m: "scripts" if _one_typo(m[0].lower(), "scripts") else m[0], question)
    out = [s for s, ws in SCRIPT_WORDS.items()
           if (s in ALLOWED_SCRIPTS and s in lowered) or any(_cued(cue, named, spelt) for cue in ws)]
    if words & _SCRIPTS_IN_GENERAL and not set(out) & set(SCRIPT_CATEGORIES):  # "default scripts" is one of them
        out += SCRIPT_CATEGORIES
    if previous is not None:
        out += previous.get("scripts") or []
    return tuple(s for s in SCRIPT_WORDS if s in set(out))


# A written number may stand for itself or be scaled by a unit: bytes (KB/MB/GB/TB, decimal
# or binary) and seconds (minutes, hours, days).
_UNIT_SCALES = (1, 1000, 10**6, 10**9, 10**12, 1024, 1024**2, 1024**3, 60, 3600, 86400)
# Numbers that words stand for: HTTP status classes (4xx = 400..499), privileged ports
# (< 1024), zero, one, a minute, half an hour, an hour, a day, only where words name them
# (_STATUS_CLASSES, _WORDED_CONSTANTS). No hits (size 0, a count) is the grammar's own.
# The status classes only where the words name them: "server errors" is 500..599, never the
# client errors' 400..499 (and the other way round); a typo of either word counts.
_STATUS_CLASSES = {
    (400, 499): (re.compile(r"client|4xx|\b4\d\d\b|not found|denied|forbidden|unauthori", re.I), "client"),
    (500, 599): (re.compile(r"server|5xx|\b5\d\d\b", re.I), "server"),
}


# The numbers that words without a digit name ("longer than half an hour", "privileged ports"),
# and only where they are written: the model answered "longer than 2 hours" with 1800.
_WORDED_CONSTANTS = {
    60: re.compile(r"\b(a|one) minute\b", re.I),
    1800: re.compile(r"\bhalf (an )?hour\b", re.I),
    3600: re.compile(r"\b(an|one) hour\b", re.I),
    86400: re.compile(r"\b(a|one) day\b", re.I),
    # One and the privileged-port bound only where words name them: the adapter wrote size 1
    # for "all time" and a port range 1024..1024 for "200 results when you can"; every 1 and
    # 1024 of the readable labels is written, spelled or named so (or in the edited search).
    # ... or "the earliest record", "the last sighting" (dev-hand9)
    1: re.compile(r"\b(one|single|once)\b|\b(earliest|first|latest|last|newest|oldest|most recent)\s+"
                  r"(record|event|hit|entry|sighting|occurrence)\b", re.I),
    # Zero too: the adapter wrote destination.port 0..0 for "200 results when you can" and
    # excluded destination.port < 0 from "alerts from 10.20.0.0/16 except …"; every 0 bound
    # of the data is written (or in the edited search).
    0: re.compile(r"\bzero\b", re.I),
    1024: re.compile(r"\b(privileged|unprivileged|non-privileged|ephemeral|well[- ]known|reserved|system|low|high)"
                     r"[ -]ports?\b", re.I),
}


def _status_constants(question: str) -> set[int]:
    """The bounds of the HTTP status classes that the question names."""
    words = [w for w in _WORDS.findall(question.lower()) if len(w) >= 5]
    return {n for bounds, (cue, word) in _STATUS_CLASSES.items()
            if cue.search(question) or any(_one_typo(w, word) for w in words) for n in bounds}


_WRITTEN_NUMBER = r"(?<![A-Za-z\d])(?<!\d\.)(\d{1,12}(?:\.\d{1,6})?)"  # a written number, not part of a word or address
_DECIMAL = re.compile(_WRITTEN_NUMBER)
# A number written with its unit stands only for the scaled value ("2 hours" 7200, "3 MB"
# 3,000,000 or 3 MiB); the unit words (plural "s" dropped) by their scales.
_UNIT_OF = {
    **dict.fromkeys(("s", "sec", "second", "b", "byte"), (1,)),
    **dict.fromkeys(("m", "min", "minute"), (60,)),
    **dict.fromkeys(("h", "hr", "hour"), (3600,)),
    **dict.fromkeys(("d", "day"), (86400,)),
    **dict.fromkeys(("k", "kb", "kib", "kilobyte"), (1000, 1024)),
    **dict.fromkeys(("mb", "mib", "megabyte"), (10**6, 1024**2)),
    **dict.fromkeys(("gb", "gib", "gigabyte"), (10**9, 1024**3)),
    **dict.fromkeys(("tb", "tib", "terabyte"), (10**12,)),
}
_UNITED = re.compile(
    _WRITTEN_NUMBER + r"\s?(s|secs?|seconds?|b|bytes?|m|mins?|minutes?|h|hrs?|hours?"
    r"|d|days?|k|kb|kib|kilobytes?|mb|mib|megabytes?|gb|gib|gigabytes?|tb|tib|terabytes?)\b", re.I)


# "200 results", "50 rows": how many hits to return, never a value to compare with.
_HIT_WORDS = r"(results?|hits?|rows?|records?|entries|lines|matches|docs|documents)\b"
_HIT_COUNT = re.compile(rf"(?<![\w.])\d{{1,6}}\s+{_HIT_WORDS}", re.I)


def _number_text(question: str) -> str:
    """The question without its addresses and hit counts: where a search's numbers are read."""
    text = without_targets(question, target_candidates(question))
    return _HIT_COUNT.sub(" ", text)  # "200 results": only a size (hit_counts)


_SPELLED_SIZE = re.compile(rf"\b({'|'.join(n for n, v in SMALL_NUMBERS.items() if v > 1)})\b", re.I)


def hit_counts(question: str) -> tuple[int, ...]:
    """The numbers written as how many hits to return ("200 results"), and those spelled out
    ("the ten biggest", "twenty entries"; every search of the data that spells one has that
    many): a search's size only."""
    out = {int(m.group(0).split()[0]) for m in _HIT_COUNT.finditer(question)}
    out |= {SMALL_NUMBERS[m[1].lower()] for m in _SPELLED_SIZE.finditer(question)}
    out |= {n for n in spelled_numbers(question) if n > 1}
    return tuple(sorted(out))


def numbers_of_search(call: dict) -> list[float]:
    """The range bounds, hits and bucket count a search call (dict) names."""
    out = [call["size"]] if isinstance(call.get("size"), int) else []
    agg = call.get("agg") or {}
    if isinstance(agg.get("size"), int):
        out.append(agg["size"])
    for key in ("where", "any_of", "exclude"):
        for cond in call.get(key) or []:
            out += [v for b in ("gte", "lte", "gt", "lt") if isinstance(v := cond.get(b), (int, float))
                    and not isinstance(v, bool)]
    return out


def search_numbers(question: str, previous: dict | None = None) -> tuple[float, ...]:
    """The only numbers a search may give a range bound, ``size`` or a bucket count.

    Each number written in the question (not inside its addresses) times each unit scale,
    or only its own unit's scales where one is written ("2 hours" is 7200, never 2), the
    numbers words stand for where they are written (status classes, zero, one, privileged
    ports, spans of time: ``_STATUS_CLASSES``, ``_WORDED_CONSTANTS``), and the numbers of
    the search a follow-up edits. A four-digit code is none, written bare as a Windows event
    code or after its kind ("how many 4625s" had ``destination.port >= 4625``; no label of the
    data bounds a range with one). Every number of the training data fits
    (tests/test_backend_grammar.py); the model can no longer write 50,000,000 for "500MB"
    or ask for 200 hits nobody wanted. "200 results" is only a number of hits
    (``hit_counts``). A count (size 0) needs no number: the grammar always allows it.
    """
    text = _number_text(question)
    out: set[float] = _status_constants(question)
    out |= {n for n, words in _WORDED_CONSTANTS.items() if words.search(question)}
    united: dict[float, set[int]] = {}
    for m in _UNITED.finditer(text):  # "longer than 2 hours" is 7200, never 2
        unit = m[2].lower()
        united.setdefault(float(m[1]), set()).update(_UNIT_OF[unit[:-1] if len(unit) > 1 and unit[-1] == "s" else unit])
    bare = [float(m[0]) for m in _DECIMAL.finditer(_UNITED.sub(" ", text))]
    codes = {float(c) for c in written_codes(question) if len(c) == 4}
    for written in {*bare, *united} - codes:
        for scale in (_UNIT_SCALES if written in bare else sorted(united[written])):
            value = written * scale
            if value < 2**53:  # past that a JSON number is no longer exact
                out.add(int(value) if value.is_integer() else value)
    if previous and previous.get("tool") == "elasticsearch":
        out.update(numbers_of_search(previous))
    return tuple(sorted(out))


# Words that fix the shape of a search, by the shape they ask for. Every search of train,
# val and test whose question has such words has that shape (tests/test_backend_grammar.py).
#   count      how many, not which: no hits (size 0), only the count or the buckets
#   either     a value on either side of a connection: an any-of of two or more conditions
#   histogram  counts over time: a date histogram
#   distinct   how many different values: a cardinality aggregation
#   buckets    the most common values: a terms aggregation
#   exclude    words that leave something out: an exclude condition
#   all_time   no time window at all: neither since nor until
#   raw        the logs themselves: hits, no aggregation
# "for the timeline" is where the analyst puts the answer, not a histogram ("as a timeline" is).
# "number of" is not a count ("the number of auth attempts over 10"), nor "top" a terms
# aggregation ("top 10 connections by bytes" sorts hits); "not", "non-" and "outside" are
# not exclusions enough ("not sure", "non-existent domains", "outside business hours").
SEARCH_SHAPE_WORDS: dict[str, re.Pattern] = {
    "count": re.compile(r"\b(how many|count|counts|(?<!not )(?<!instead of )(?<!instead of just )(?<!rather than )(?<!rather than just )counting|cnt|tally|the number(?!\s+of))\b|(?<!\w)# of\b", re.I),
    "either": re.compile(
        r"\b(involving|either side|either direction|to or from|from or to|source or destination|src or dst)\b", re.I
    ),
    "histogram": re.compile(
        r"\b(histogram|over time|per[ -](hour|day|minute)|hourly|daily|by (the )?(hour|day|minute)"
        r"|(?<!for the )(?<!to the )(?<!in the )(?<!on the )(?<!my )(?<!our )(?<!your )(?<!their )"
        r"(?<!establish the )(?<!build the )timeline"  # not "… for the timeline", "my timeline" (the case's)
        r"|per \d+ ?(m|h|min|mins|minutes|hours))\b", re.I
    ),
    "distinct": re.compile(r"\b(distinct|unique|how many different)\b", re.I),
    "buckets": re.compile(r"\b(most common|most frequent|busiest|most active|breakdown|group(ed)? by"
                         r"|who (looked up|resolved|queried|visited|contacted))\b", re.I),
    "exclude": re.compile(
        r"\b(except|excluding|exclude|excluded|other than|apart from|besides|but not|ignoring|ignore|minus"
        r"|leave out|leaving out|filter out|not from|not counting|excl|isn'?t|aren'?t|without|with no"
        # traffic that leaves: the private ranges are excluded from its destinations
        r"|(leav(e|es|ing)|left) (the|our) (network|lan)|outside (the|our) (network|lan)"
        r"|external (addresses|ips?|hosts|destinations|systems)|to the internet)\b", re.I
    ),
    "all_time": re.compile(
        r"\b(all time|all-time|no time (limit|filter|window|range)|ever|(whole|entire) history"
        r"|(drop|remove) the (time|window))\b", re.I
    ),
    "raw": re.compile(
        r"\b(raw (logs|events)|the (logs|events) themselves|show( me)? the logs|individual (logs|events)"
        r"|the actual (logs|events))\b", re.I
    ),
}


# A histogram's interval named outright: "per hour", "hourly", "every 5 minutes", "5 min
# buckets". Each of the 740 readable histograms whose question names exactly one has it.
_INTERVAL_UNITS = {"m": "m", "min": "m", "mins": "m", "minute": "m", "minutes": "m", "h": "h", "hr": "h",
                   "hrs": "h", "hour": "h", "hours": "h", "d": "d", "day": "d", "days": "d"}
_INTERVAL_WORDS = {"hourly": "1h", "daily": "1d", "weekly": "week"}
_INTERVAL = re.compile(
    r"\b(?:per|each|every|by(?: the)?|a)[\s-]+(minute|hour|day|week)\b|\b(hourly|daily|weekly)\b"
    r"|\b(?:per|every|each)\s+(\d{1,3})\s*(m|mins?|minutes?|h|hrs?|hours?|d|days?)\b"
    r"|\b(\d{1,3})\s*[- ]?(min|minute|hour|h|m)\s+(?:buckets?|intervals?|bins?)\b", re.I)


def histogram_intervals(question: str) -> set[str]:
    """The histogram intervals the question names outright (``_INTERVAL``)."""
    out = set()
    for m in _INTERVAL.finditer(question):
        if m.group(1):
            unit = m.group(1).lower()
            out.add("week" if unit == "week" else "1" + _INTERVAL_UNITS[unit])
        elif m.group(2):
            out.add(_INTERVAL_WORDS[m.group(2).lower()])
        else:
            n, unit = (m.group(3), m.group(4)) if m.group(3) else (m.group(5), m.group(6))
            out.add(n + _INTERVAL_UNITS[unit.lower()])
    return out


# "the 20 rarest", "top 5 talkers", "5 busiest hosts": that many buckets. Every search of the data
# that writes one such number and aggregates has that many (195 of 195; ten is the unwritten
# default); the adapter kept "flip it to the 20 rarest" at ten (dev-hand11).
_TOP_N = re.compile(r"\b(?:top|bottom)\s+(\d{1,4})(?![\d.:/])|(?<![\d.:/])\b(\d{1,4})\s+(?:rarest|least|most(?! recent)"
                    r"|commonest|biggest|busiest|noisiest|loudest|highest|lowest)\b", re.I)  # not "the 90 most recent days"
# "oldest first", "newest first", "in chronological order": sorted by time. Every search of the
# data that says so sorts by @timestamp alone (31 of 31); the adapter sorted "zeek ssh logs …,
# oldest first please" by client.bytes (dev-hand11).
_TIME_ORDER = re.compile(r"\b(oldest|earliest|newest|latest|most recent)\s+(first|on top|at the top)\b"
                         r"|\bchronological(ly)?\b|\b(in )?time order\b", re.I)


def search_shape(question: str) -> tuple[str, ...]:
    """The shapes (``SEARCH_SHAPE_WORDS``) the question's words ask a search to have,
    ``since=<window>`` for the time window they name (``search_window``) and ``size=<n>``
    for the newest/last N hits they ask for (``_LATEST_N``) or N results (``_RESULTS_N``),
    ``buckets=<n>`` for the top N values (``_TOP_N``) and ``by_time=asc|desc`` for an order in
    time (``_TIME_ORDER``).

    The model still returned 20 logs for "count connection logs on port 3389" and a
    source-only search for "all logs involving 10.0.0.6"; the grammar makes these exact.
    """
    shape = [name for name, words in SEARCH_SHAPE_WORDS.items() if words.search(question)]
    window = search_window(question)
    if window is not None and "all_time" not in shape:
        shape.append(f"since={window}")
    named = histogram_intervals(question)
    if len(named) == 1:  # "now per hour, and only today" (the adapter kept the edited 1d)
        shape.append(f"interval={named.pop()}")
    latest = _LATEST_N.search(question)
    hits = {m[1] for m in _RESULTS_N.finditer(question)}  # "200 results when you can"
    if latest is not None and "count" not in shape:
        shape.append(f"size={latest[1] or latest[2]}")
    elif len(hits) == 1 and "count" not in shape:
        shape.append(f"size={hits.pop()}")
    buckets = {int(m[1] or m[2]) for m in _TOP_N.finditer(question)}
    if len(buckets) == 1:
        shape.append(f"buckets={buckets.pop()}")
    orders = {m[1].lower() if m[1] else "chronological" for m in _TIME_ORDER.finditer(question)}
    if orders:  # the oldest first, unless only the newest is asked for
        shape.append("by_time=" + ("desc" if orders <= {"newest", "latest", "most recent"} else "asc"))
    return tuple(shape)


def edited_interval(question: str, previous: dict | None) -> tuple[str, ...]:
    """"hourly is too coarse, bucket it every 5 minutes instead": a follow-up that names the
    interval its histogram has and one other asks for the other (``interval=`` of
    ``search_shape``)."""
    had = ((previous or {}).get("agg") or {}).get("interval")
    named = histogram_intervals(question)
    if had is None or len(named) != 2 or had not in named:
        return ()
    return (f"interval={(named - {had}).pop()}",)


# Words that point at one side of a connection: an address written right after them is on that
# side ("events headed to 198.51.100.66", "alerts from 10.0.0.5"). Every such address of the
# readable data is (the adapter searched source.ip for "headed to …"), unless the question says
# "to or from" (SEARCH_SHAPE_WORDS' either) or names the other side in words ("change the source
# to …", "from … to destination port 443"), which leave it open.
_TOWARD_WORDS = frozenset(("to", "towards", "toward", "hitting"))
_SOURCE_NAMED = re.compile(r"\b(source|sources|src|client|clients|sender|senders|originat\w*)\b", re.I)
_DESTINATION_NAMED = re.compile(
    r"\b(destination|destinations|dest|dst|server|servers|target|targets|recipient|receiver)\b", re.I
)
_TOKEN_STRIP = ".,;:!?()[]{}\"'`"


def address_sides(question: str) -> tuple[str, ...]:
    """``source=<address>`` and ``destination=<address>`` for the addresses written right after
    "from" or "to" (``_TOWARD_WORDS``): the only side of an IP field each may be on. "10.0.0.1 to
    10.0.0.20" is a range, not a direction."""
    if SEARCH_SHAPE_WORDS["either"].search(question):
        return ()
    raw = question.split()
    tokens = [t.strip(_TOKEN_STRIP) for t in raw]
    toward = not _SOURCE_NAMED.search(question)
    away = not _DESTINATION_NAMED.search(question)
    out = []
    for i, (word, value) in enumerate(zip(tokens, tokens[1:], strict=False)):
        ranged = word.lower() == "to" and i and _is_address(raw[i - 1])  # "10.0.0.1 to 10.0.0.20"
        if not _is_address(value) or ranged:
            continue
        if word.lower() in _TOWARD_WORDS and toward:
            out.append(f"destination={value}")
        elif word.lower() == "from" and away:
            out.append(f"source={value}")
    return tuple(dict.fromkeys(out))


# What a search may have only when words ask for it, and the words (one typo allowed in the
# longer ones). The model sorted "show the raw logs" and drew a histogram for "all time"; every
# search of the readable data that has a sort, a date histogram, a distinct count or top values
# (and does not edit a search that has one) has such a word. The adapter also grouped "pull every
# DNS lookup for it" by source.ip, and "last 3 ssh logins that failed" by destination.ip.
#   unsorted      no sort: no word for an order ("top 10 conns by bytes", "the longest", "oldest first")
#   no_histogram  no date histogram: no word for counts over time ("hourly", "per week", "6h buckets",
#                 "by day", or SEARCH_SHAPE_WORDS' histogram words)
#   no_distinct   no distinct count: no word for different values ("unique", "distinct")
#   no_buckets    no top values (terms): no word for grouping, ranking or which ones ("which hosts",
#                 "per user", "the rarest", "hosts where cmd.exe ran")
#   no_count      no count (size 0) when no aggregation is left either: no word for a number ("the
#                 number of", "total", "how many"); "all time" had turned a list of alerts into a count
#   unprojected   in a follow-up only, no columns (fields) the edited search lacks: no word for a choice
#                 of columns ("only", "just", "columns"); the adapter added fields to "show the raw
#                 logs" and "all time". New questions ask for columns in too many ways ("signature of
#                 critical alerts", "processes with command line") to need a word.
UNASKED_WORDS: dict[str, frozenset[str]] = {
    "unsorted": frozenset((
        "top", "bottom", "sort", "sorted", "sorting", "order", "ordered", "rank", "ranked", "most", "least",
        "biggest", "largest", "longest", "smallest", "shortest", "oldest", "newest", "earliest", "latest",
        "youngest", "big", "bigger", "large", "larger", "longer", "heavy", "heaviest", "greatest", "fewest",
        "highest", "lowest", "slowest", "fastest", "fattest", "hungriest", "worst", "chronological",
        "chronologically", "descending", "ascending", "asc", "desc",
    )),
    "no_histogram": frozenset((
        "hourly", "daily", "weekly", "monthly", "per", "bucket", "buckets", "histogram",
        "timeline", "trend", "interval", "intervals", "breakdown", "spread", "graph", "chart", "plot",
        "distribution",
    )),
    "no_distinct": frozenset(("distinct", "unique", "different", "cardinality", "uniq", "separate")),
    # "which hosts …", "top talkers", "count by user", "the rarest ja3s", "hosts where cmd.exe ran"
    # ("count" alone is a number: "count the yara hits this week" had become yara hits by rule)
    "no_buckets": frozenset((
        "top", "bottom", "most", "least", "rarest", "rare", "which", "wich", "who", "whom", "what", "whose",
        "per", "by", "each", "breakdown", "group", "grouped",
        "grouping", "distribution", "spread", "rank", "ranked", "busiest", "biggest", "largest", "noisiest",
        "common", "frequent", "often", "popular", "bucket", "buckets", "summarize", "summarise", "summary",
        "aggregate", "aggregated", "histogram", "split", "across", "among", "unique", "distinct", "different",
    )),
    # a search with no aggregation returns no hits only when it counts ("number of", "total", "how many")
    "no_count": frozenset((
        "count", "counts", "counted", "counting", "tally", "number", "numbers", "total", "totals", "many",
        "much", "volume", "amount", "sum", "cnt", "cont", "quantity",
    )),
    "unprojected": frozenset(("only", "just", "column", "columns", "field", "fields", "trim", "output")),
}
_NUMBER_OF = re.compile(r"\bno\.(?= of\b|\s*$)", re.I)  # "no. of conns", "just the no."
# "hosts where cmd.exe ran" lists hosts: these plurals ask for top values too, written exactly (a
# one-typo match would let "the ssh client string" group by client).
_BUCKET_NOUNS = frozenset(
    ("hosts", "machines", "devices", "nodes", "clients", "servers", "endpoints", "boxes", "systems")
)
_BY_SPAN = re.compile(r"\bby (the )?(minute|hour|day|week|month)\b"
                      # "each hour", "every 6 hours" (not "every DNS lookup")
                      r"|\b(each|every) (\d+ ?)?(minutes?|mins?|hours?|hrs?|days?|weeks?|months?)\b", re.I)
# the part of an edited search that keeps each one allowed
_UNASKED_KEPT = {
    "unsorted": lambda prev: bool(prev.get("sort")),
    "no_histogram": lambda prev: (prev.get("agg") or {}).get("type") == "date_histogram",
    "no_distinct": lambda prev: (prev.get("agg") or {}).get("type") == "cardinality",
    "no_buckets": lambda prev: bool(prev.get("agg")) and prev["agg"].get("type", "terms") == "terms",
    "no_count": lambda prev: prev.get("size") == 0,
    "unprojected": lambda prev: bool(prev.get("fields")),
}


def unasked_shape(question: str, previous: dict | None = None) -> tuple[str, ...]:
    """The ``UNASKED_WORDS`` shapes whose words the question lacks (and the search a follow-up
    edits does not already have)."""
    prev = previous if previous and previous.get("tool") == "elasticsearch" else {}
    # a dotted name is a value, not a cue: the "rare" of xk2j9.rare-example.top asks for nothing
    spoken = " ".join(w for w in question.lower().split() if "." not in w.strip(_TOKEN_STRIP))
    words = re.findall(r"[a-z]+", spoken)
    grouped = SEARCH_SHAPE_WORDS["buckets"].search(question) or _BUCKET_NOUNS.intersection(words)
    counted = SEARCH_SHAPE_WORDS["count"].search(question) or _NUMBER_OF.search(question)
    out = []
    for shape, cues in UNASKED_WORDS.items():
        if _UNASKED_KEPT[shape](prev) or (shape == "unprojected" and not prev):
            continue
        if shape == "no_histogram" and (_BY_SPAN.search(question) or SEARCH_SHAPE_WORDS["histogram"].search(question)):
            continue
        if shape == "no_distinct" and SEARCH_SHAPE_WORDS["distinct"].search(question):
            continue
        if (shape == "no_buckets" and grouped) or (shape == "no_count" and counted):
            continue
        # not _named: it lets a four-letter word carry a typo ("last" would read as "least" and
        # free the sort of every "last 3 days"); here both word and cue have five letters or more
        longer = [c for c in cues if len(c) >= 5]
        if not any(w in cues or (len(w) >= 5 and any(_one_typo(w, c) for c in longer)) for w in words):
            out.append(shape)
    return tuple(out)


# An index pattern written out: "in logs-zeek-so*", "rerun it against logs-suricata.alerts-so* only".
_INDEX_WRITTEN = re.compile(r"(?<![\w.*-])((?:\*:)?(?:logs|\.ds-logs)-[a-z0-9*._-]*[a-z0-9*])", re.I)
_INDEX_SPELLING = re.compile(r"^(\*:)?[a-z0-9*][a-z0-9*._-]{0,127}\Z")


def written_indices(question: str) -> tuple[str, ...]:
    """``index=<pattern>`` for each index pattern the question writes: the search names one of
    them. The 55 searches of the data that write one search exactly it; the adapter dropped it
    from "rerun it against logs-zeek-so* only" (dev-hand5 g-056). (Leaving the index free
    otherwise is deliberate: stop 36's round 3 closed it for every search and the adapter's
    other answers moved, 5 fixed and 11 broken.)"""
    written = [m[1] for m in _INDEX_WRITTEN.finditer(question) if _INDEX_SPELLING.match(m[1])]
    return tuple(dict.fromkeys(f"index={w}" for w in written))


# "the 5 newest alerts", "last 3 ssh logins": that many hits (not "the last 3 days"). Every
# search of the data that says so has that size; the adapter wrote size 0 (a count) for one.
_TIME_UNIT = r"(?:minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?|seconds?|secs?|[hdmw])\b"
_LATEST_N = re.compile(rf"\b(\d{{1,4}}) (?:newest|latest|most recent)\b(?! ?{_TIME_UNIT})"
                       rf"|\b(?:newest|latest|most recent|last|first|oldest|earliest) (\d{{1,4}})\b(?! ?{_TIME_UNIT})", re.I)


# "200 results", "50 rows": that many hits (not "the top 20 record types": buckets).
_RESULTS_N = re.compile(rf"(?<!top )(?<!bottom )(?<![\w.])(\d{{1,6}})\s+{_HIT_WORDS}(?!\s+types?)", re.I)


_WINDOW = re.compile(r"\b(last|past|previous|preceding|prior|trailing)\s+(\d{1,4}\s*)?"
                     r"(minutes?|mins?|hours?|hrs?|days?|weeks?|wks?)\b", re.I)
_WINDOW_UNITS = {"mi": "m", "ho": "h", "hr": "h", "da": "d", "we": "w", "wk": "w"}


def search_window(question: str) -> str | None:
    """The relative window "the last/past N units" names ("past 24 hours" → ``now-24h``,
    "last hour" → ``now-1h``), when the question names exactly one; None otherwise. Every
    search of the train/val/test data that names one has exactly that ``since`` (a
    follow-up "narrow that down to the past hour" kept the day it edited)."""
    windows = {f"now-{(n.strip() or '1')}{_WINDOW_UNITS[unit[:2].lower()]}" for _, n, unit in _WINDOW.findall(question)}
    return windows.pop() if len(windows) == 1 else None


# A search's string values: spans of the analyst's words (up to this many), as written and
# lower-cased, and for wildcard/prefix conditions the usual patterns around the shorter ones.
SPAN_WORDS = 6
PATTERN_WORDS = 3
_ACRONYM_PLURAL = re.compile(r"[A-Z]{2,}s")
_QUOTED = re.compile(r'"([^"]{1,96})"|(?<!\w)\'([^\']{1,96})\'(?!\w)')
_VALUE_STRIP = "\"'`()[]{}<>;!?"


_TLD = re.compile(r"\.[A-Za-z]{2,24}")
_BREAK = re.compile(r"[-\u2013\u2014|\u2022\u00b7~=>]+")


def _value_runs(question: str) -> list[list[str]]:
    """The analyst's words in runs that a value may span. A dash, bar or arrow on its own
    ("—", "-", "|", "->") ends a run and is no word: "strelka alerts today — just rule.name"
    had rule.name "*.alerts today —" from the adapter. (Other marks stay: "../" is a path;
    quoted text is taken whole elsewhere.)"""
    runs: list[list[str]] = [[]]
    for raw in re.split(r"[\s,]+", question):
        word = raw.strip(_VALUE_STRIP).rstrip(".:")
        if word.lower().endswith(("'s", "\u2019s")):  # "kmiller's processes"
            word = word[:-2]
        word = word.rstrip("*") or word
        if _BREAK.fullmatch(word):
            runs.append([])
        elif word:
            runs[-1].append(word)
    return [run for run in runs if run]


def condition_values(call: dict, field: str | None = None) -> list:
    """Every value a search call's conditions compare with (an ``in`` list's one by one),
    in where, any_of and exclude; with ``field``, only that field's."""
    out: list = []
    for key in ("where", "any_of", "exclude"):
        for cond in call.get(key) or []:
            if field is None or cond.get("field") == field:
                value = cond.get("value")
                out += value if isinstance(value, list) else [value]
    return out


def string_values_of_search(call: dict) -> list[str]:
    """The string values of a search call's conditions (equality, ``in`` and text ops)."""
    return [v for v in condition_values(call) if isinstance(v, str)]


# Words that are the question's grammar, never a value: a span of only these (in lower
# case) is left out ("all logs" is not a dns.query.name). As written in capitals they
# stay: "GET" is an HTTP method, "A" and "ANY" DNS query types.
_NOT_VALUES = frozenset((
    "a", "an", "the", "all", "any", "some", "every", "each", "of", "in", "on", "at", "to", "from", "for",
    "with", "by", "and", "or", "not", "no", "is", "are", "was", "were", "be", "been", "this", "that", "these",
    "those", "it", "its", "my", "our", "your", "their", "me", "us", "them", "logs", "log", "events", "event",
    "records", "entries", "traffic", "stuff", "things", "data", "show", "list", "get", "find", "give", "pull",
    "fetch", "search", "look", "query", "display", "please", "pls", "thanks", "what", "which", "who", "when",
    "where", "how", "many", "much", "more", "less", "than", "over", "under", "since", "last", "past", "today",
    "yesterday", "week", "day", "hour", "hours", "minutes", "only", "just", "also", "too",
    "ones", "one", "anything", "something", "everything",  # "except the ones hitting …" is no rule name
    "named", "called",  # "alerts NAMED \"ET SCAN …\"": the adapter also searched rule.name for *NAMED*
    # the kinds of record, named to pick them, never to match a value ("zeek notices from today" had
    # notice.note "notices", "strelka alerts today" rule.name "*.alerts")
    "alerts", "notices", "connections", "conns", "lookups", "queries", "requests", "sessions", "hits",
    # the names of Security Onion's sources and datasets pick the dataset (event.dataset, tags),
    # never another field's value: the adapter wrote ssh.client "ssh", host.name "sysmon",
    # notice.note "zeek" and hash.md5 "files" (dev-hand5, dev-hand6). Every such value of the
    # readable data is a known value (network.protocol "ssh", event.category "process").
    "zeek", "suricata", "sysmon", "strelka", "osquery", "conn", "dns", "http", "ssl", "tls", "ssh", "smtp",
    "x509", "notice", "alert", "files",
    # negations and "with"/"without" shorthand say how, never what: the adapter's ssl.validation_status
    # "*isn't*" and http.virtual_host "w/*" (dev-hand5, dev-hand6)
    "isn't", "isnt", "aren't", "arent", "wasn't", "weren't", "doesn't", "don't", "didn't", "w/", "w/o", "without",
))


# A value never starts or ends with these glue words as written in lower case ("the ones
# hitting", "alerts from"): the adapter searched rule.name for "*the ones hitting*".
# Nor with the words that join a clause to what it says ("w/ gate.php", "1 that are not":
# the adapter's http.virtual_host and source.ip.keyword values).
_EDGE_WORDS = frozenset((
    "a", "an", "the", "of", "to", "from", "for", "with", "by", "and", "or", "ones", "one",
    "w/", "w/o", "that", "which", "who", "whose", "where", "when", "not", "is", "are", "was", "were", "but",
    "than", "isnt", "isn't", "arent", "aren't",
))
# A span of time as one word ("last 24h", "4hrs") is the window, never a value: the adapter
# searched rule.uuid for "24h" (dev-hand5).
_TIME_WORD = re.compile(r"\d{1,4}(secs?|m|mins?|h|hrs?|d|days?|w|wks?)")


# Phrasing words that are values when written in capitals: GET is an HTTP method, ANY and A
# DNS query types, SSH or DNS a protocol in a rule name ("*SSH*").
_CAPITAL_VALUES = frozenset((
    "get", "any", "a", "zeek", "suricata", "sysmon", "strelka", "osquery", "conn", "dns", "http", "ssl", "tls",
    "ssh", "smtp", "x509", "notice", "alert", "files",
))


def _shouted(word: str) -> bool:
    """A phrasing word written in capitals ("GIVE ME all alerts NAMED …", "NOT"): the adapter
    searched rule.name for *NAMED* and *ME*."""
    low = word.lower()
    return word.isupper() and (low in _NOT_VALUES or low in _EDGE_WORDS) and low not in _CAPITAL_VALUES


def _is_phrasing(span: str) -> bool:
    words = span.split()
    if span.islower() and len(words) > 1 and (words[0] in _EDGE_WORDS or words[-1] in _EDGE_WORDS):
        return True
    if len(words) == 1 and _TIME_WORD.fullmatch(span.lower()):
        return True
    return all(w in _NOT_VALUES if w.islower() else _shouted(w) for w in words)


@cache
def field_names() -> frozenset[str]:
    """The field names of the packaged Security Onion catalog, lower-cased."""
    from operatorx.tools.elastic.known_values import packaged_field_names

    return frozenset(n.lower() for n in packaged_field_names())


def search_values(question: str, previous: dict | None = None, *, ip_fields: bool = True) -> tuple[str, ...]:
    """The only strings a search condition may compare a field with.

    Spans of up to ``SPAN_WORDS`` of the analyst's words (as written and lower-cased, a
    possessive "'s" and a trailing ``*`` dropped), quoted text whole, wildcard and prefix
    patterns around the spans of up to ``PATTERN_WORDS`` words (``*x*``, ``x*``, ``*x``,
    ``*.x``), and the values of the search a follow-up edits. The grammar adds, field by
    field, the values Security Onion's fields take that words name by meaning
    (``known_values.field_values``: "failed logons" → ``event.code`` 4625). An address
    is not one of them unless quoted, when the catalog has ``ip_fields`` to take it
    (``address_values``; the model wrote ``network.bytes: "10.20.4.99"``); nor a span of
    only words like "all", "the", "logs" (``_NOT_VALUES``). Every string
    value in the train, val and test data is one of these (tests/test_backend_grammar.py
    checks); the model can no longer search for a value nobody wrote ("my_observer").
    """
    spans: list[str] = []
    # quoted text counts whole: "ET SCAN Nmap Scripting Engine" is never "*ET SCAN Nmap*"
    for part in _QUOTED.split(question)[::3]:
        for words in _value_runs(part or ""):
            for n in range(1, SPAN_WORDS + 1):
                spans += [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
            spans += [w[:-1] for w in words if _ACRONYM_PLURAL.fullmatch(w)]  # "HTTP POSTs to …" is POST
            spans += [w[1:] for w in words if _TLD.fullmatch(w)]  # "the .biz tld" is dns.top_level_domain biz
    if ip_fields:  # an address goes to an IP field (address_values), never into a longer value
        spans = [s for s in spans if not any(_is_address(w) for w in s.split(" "))]
    spans += [a or b for a, b in _QUOTED.findall(question)]
    # a field's name is no value ("strelka alerts today, just rule.name and file.name": the
    # adapter compared rule.name with "file.name")
    named = field_names()
    spans = [s for s in spans if not any(w.lower() in named for w in s.split(" "))]
    forms = [f for f in dict.fromkeys([*spans, *(s.lower() for s in spans)]) if not _is_phrasing(f)]
    short = [s for s in forms if s.count(" ") < PATTERN_WORDS]
    patterns = [p for s in short for p in (f"*{s}*", f"{s}*", f"*{s}", f"*.{s}")]
    out = [*forms, *patterns]
    if previous and previous.get("tool") == "elasticsearch":
        out += [v for v in string_values_of_search(previous) if not (ip_fields and _is_address(v))]
    return tuple(dict.fromkeys(v for v in out if 0 < len(v) <= 96))


# Windows and Sysmon event codes by the words that mean them. The adapter added event.code "1"
# to "sysmon events on ws-fin-07 with no process.command_line" and "4720" to "distinct
# user.name values in system.security events" (dev-hand5): a code is a condition nobody asked
# for unless it is written or its meaning is. Every event.code of the readable data is one
# of these or written (tests/test_backend_grammar.py).
_LOGON = r"log ?[oi]ns?|logged (on|in)|sign[- ]?ins?|auth\w*|logins?|credentials?"
_EVENT_CODE_MEANINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (_LOGON, ("4624", "4625", "4648", "4672", "4776")),
    (r"fail\w*|unsuccessful|bad passwords?|wrong passwords?|brute[- ]?forc\w*|spray\w*", ("4625", "4771")),
    (r"success\w*", ("4624",)),
    (r"log ?offs?|logged off|log ?outs?", ("4634",)),
    (r"explicit|runas", ("4648",)),
    (r"special privileges?|privileged|admin logons?|admin logins?", ("4672",)),
    (r"process\w*|proc|proccess\w*|execut\w*|spawn\w*|launch\w*|command lines?", ("4688", "1", "5")),
    (r"services?", ("4697", "7045")),
    (r"scheduled tasks?|schtasks", ("4698",)),
    (r"accounts?|users? (created|added|enabled|deleted|removed|changed)|new users?|creations?|created",
     ("4720", "4722", "4724", "4726", "4738", "4740")),
    (r"password resets?|reset\w*", ("4724",)),
    (r"groups?|memberships?", ("4728", "4732", "4756")),
    (r"lock ?outs?|locked( out)?", ("4740",)),
    (r"kerberos|tgt|tgs|tickets?|kerberoast\w*|pre-?auth\w*|as-?req", ("4768", "4769", "4771")),
    (r"ntlm|credential validation", ("4776",)),
    (r"clear\w*|wip\w*", ("1102",)),
    (r"timestomp\w*|creation time", ("2",)),
    (r"network|connect\w*|conns?", ("3",)),
    (r"terminat\w*|ended|exits?|stopped", ("5",)),
    (r"drivers?", ("6",)),
    (r"image loads?|dlls?|modules?|loads?|loaded", ("7",)),
    (r"remote threads?|createremotethread|inject\w*", ("8",)),
    (r"process access|lsass|access\w*", ("10",)),
    (r"files?|writes?|written|dropped", ("11", "15", "23", "2")),
    (r"registry|reg|run keys?|reg keys?|reg values?|autoruns?|persistence", ("12", "13")),
    (r"streams?|ads", ("15",)),
    (r"pipes?", ("17",)),
    (r"dns|quer(y|ies)|lookups?|looked up|resolv\w*", ("22",)),
    (r"delet\w*|removed", ("23",)),
)
EVENT_CODE_WORDS: tuple[tuple[re.Pattern, tuple[str, ...]], ...] = tuple(
    (re.compile(rf"\b({words})\b", re.I), codes) for words, codes in _EVENT_CODE_MEANINGS
)


def event_codes(question: str, previous: dict | None = None) -> tuple[str, ...]:
    """The event.code values a search may name without the analyst writing them: those the
    words mean (``EVENT_CODE_WORDS``), those written in the plural ("4625s") and those of the
    search a follow-up edits. A code written as a number is one of the question's own words
    (``search_values``)."""
    words = re.sub(r"\b\w+(\.\w+)+", " ", question)  # "process.command_line" names a field, not processes
    out = [code for pattern, codes in EVENT_CODE_WORDS if pattern.search(words) for code in codes]
    out += re.findall(r"\b(\d{1,4})s\b", question)  # "how many 4625s"
    if previous and previous.get("tool") == "elasticsearch":
        out += [str(v) for v in condition_values(previous, "event.code")]
    return tuple(dict.fromkeys(out))


# Words that ask about an alert's severity. Each of the 123 readable searches with an
# event.severity_label condition has one (or edits a search that has one); the adapter added
# severity "critical" to "daily suricata alert volume for the past week" (dev-hand5).
_SEVERITY_WORDS = re.compile(
    r"\b(low(er|est)?|medium|med|high(er|est)?|hi|crit(ical)?|sev(erity|erities|ere|s)?|serious|important|urgent"
    r"|prio(rity|rities)?|p[1-4])\b", re.I)
SEVERITY_LABELS = ("low", "medium", "high", "critical")


def severity_labels(question: str, previous: dict | None = None) -> tuple[str, ...]:
    """The event.severity_label values a search may name: all four where words ask about
    severity, and those of the search a follow-up edits; none otherwise."""
    out = list(SEVERITY_LABELS) if _SEVERITY_WORDS.search(question) else []
    if previous and previous.get("tool") == "elasticsearch":
        out += [str(v) for v in condition_values(previous, "event.severity_label")]
    return tuple(dict.fromkeys(out))


# A value right after a negation ("minus sid 2100366", "that aren't S0", "where the parent is
# not explorer.exe", "didn't come back NOERROR") is one to leave out: none of the 901
# readable searches with such a phrase looks for it in where or any_of (the adapter did:
# "suricata alerts last 24h minus sid 2100366" searched for that sid).
_NEGATED_VALUE = re.compile(
    r"\b(?:not|isn'?t|isnt|aren'?t|arent|wasn'?t|weren'?t|minus|except(?: for)?|excluding|excl|other than|"
    r"didn'?t (?:come back|return|get)|never|no longer)\.?\s+"
    r"(?:(?:sid|rule|signature|port|ports|on|from|to|in|the|a|an|with|state|status|equal to|=|counting|ones)\s+)*"
    r"[\"'\u201c]?([\w.:/\\-]+)", re.I)


# "the SNI contains micros0ft", "command lines containing -enc", "mimikatz in the command line": a
# value a field holds somewhere, never the whole of it. Every such search of the data compares
# it by a pattern or a text op; the adapter wrote ssl.server_name = "micros0ft" (dev-hand10).
_CONTAINS = re.compile(
    r"\bcontain(?:s|ing)?\s+(?:the\s+)?(?:(?:string|text|word|phrase|substring|value|term|keyword|pattern)\s+)?"
    r"(?:[\"'\u201c]([^\"'\u201d]{1,96})[\"'\u201d]|([^\s\"'\u201d,;?!()]+))", re.I)
_IN_THE_FIELD = re.compile(
    r"([^\s\"',;?!()\u201c\u201d]+)[\"'\u201d]?\s+(?:(?:any|some)where\s+)?in\s+(?:the|its|their|a)\s+(?:[\w.-]+\s+)?"
    r"(?:command[- ]?lines?|cmd ?lines?|uris?|urls?|user[- ]?agents?|useragents?|quer(?:y|ies)|names?|paths?"
    r"|subjects?|messages?|strings?|headers?|titles?)\b", re.I)


_NOT_CONTAINED = frozenset(("it", "that", "this", "them", "those", "these", "something", "anything", "everything",
                            "nothing", "stuff", "one", "ones", "what", "whatever", "words"))


def contained_values(question: str) -> tuple[str, ...]:
    """The values the question says a field contains, as written (``grammar.CONTAINED`` takes
    them lower-cased). A search must name each too (``named_values``): every search of the
    data does."""
    found = [m[1] or m[2] for m in _CONTAINS.finditer(question)]
    found += [m[1].strip("\"'\u201c") for m in _IN_THE_FIELD.finditer(question)]
    words = (w.rstrip(".:") for w in found)
    return tuple(dict.fromkeys(w for w in words if w and w.lower() not in _NOT_CONTAINED))


def negated_values(question: str) -> tuple[str, ...]:
    """The words written right after a negation, as written and lower-cased."""
    words = [m.group(1).rstrip(".:") for m in _NEGATED_VALUE.finditer(question)]
    return tuple(dict.fromkeys(w for word in words if word for w in (word, word.lower())))


# A number written with a unit of time ("24 hours", "12h") is a window or a duration, never a
# value a field equals: the adapter compared destination.port with 24 and 12. (A bare "s" is a
# plural: "404s".)
_TIMED = re.compile(
    _WRITTEN_NUMBER + r"\s?(secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?"
    r"|w|wks?|weeks?)\b", re.I)


# "status 500-599", "between 1000 and 5000 bytes": the ends of a range, never a value a field
# equals. Every search of the data that writes one has a range there; the adapter wrote
# http.status_code = 500 for "http 500-599 responses" (dev-hand10). (Not a date, a clock time
# or an address: "2026-06-16", "09:00-12:00" are no ranges of numbers.)
_NUMBER_RANGE = re.compile(
    r"(?<![\w.:/-])(\d{1,9})\s*(?:-|\u2013|to|through|thru)\s*(\d{1,9})(?![\w.:/]|-\d)"
    r"|\bbetween\s+(\d{1,9})\s+and\s+(\d{1,9})(?![\w.:])", re.I)


def range_ends(question: str) -> tuple[int, ...]:
    """The numbers written as the two ends of a range (the first smaller than the second)."""
    out: list[int] = []
    for m in _NUMBER_RANGE.finditer(question):
        low, high = (int(n) for n in (m.groups()[:2] if m[1] else m.groups()[2:]))
        if low < high:
            out += [low, high]
    return tuple(dict.fromkeys(out))


def search_scalars(question: str, previous: dict | None = None) -> tuple[float, ...]:
    """The only numbers an equality or ``in`` condition may compare a field with.

    The numbers written in the question (not inside its addresses, nor those that say how
    many hits to return, nor those with a unit of time, nor the ends of a range), the ports of the services it names, and the numbers of the
    search a follow-up edits.
    """
    text = _TIMED.sub(" ", _number_text(question))  # "last 24 hours" is no port 24
    out: set[float] = {int(f) if (f := float(n)).is_integer() else f for n in _DECIMAL.findall(text)}
    out -= set(range_ends(question))
    for implied in _named(_stems(set(_WORDS.findall(question.lower()))), SERVICE_PORTS):
        out.update(implied)
    if previous and previous.get("tool") == "elasticsearch":
        out.update(v for v in condition_values(previous) if isinstance(v, (int, float)) and not isinstance(v, bool))
    return tuple(sorted(out))


def scan_only(question: str, has_targets: bool) -> bool:
    """The question names a target and scan words, and not one log word: only a scan fits.

    The adapter chooses its tool freely, and then now and then answers "what OS does
    10.9.8.7 run" with a log search; with no log word at all there is nothing to search
    for (every train, val and test record agrees: tests/test_planner.py)."""
    return has_targets and _SCAN_WORDS.search(question) is not None and _LOG_WORDS.search(question) is None


def route_tools(question: str, has_targets: bool) -> set[str] | None:
    """Which tool the words point at (few-shot mode): {"nmap"}, {"elasticsearch"} or None (unclear).

    Counts the distinct scan words (only when the question names a target) and log words;
    the larger count wins, a tie is unclear.
    """
    scan = len({m.group(0).lower() for m in _SCAN_WORDS.finditer(question)}) if has_targets else 0
    logs = len({m.group(0).lower() for m in _LOG_WORDS.finditer(question)})
    if scan > logs:
        return {"nmap"}
    if logs > scan:
        return {"elasticsearch"}
    return None


def pre_check(question: str, hostnames, previous: dict | None) -> Reply | None:
    """A reply that needs no model, or None. ``question`` is already whitespace-normalised."""
    if not question:
        return Reply(
            kind="clarify", message="Ask for a scan or a log search, e.g. 'scan 127.0.0.1 for web ports'."
        )
    if len(question) > MAX_QUESTION_CHARS:
        return Reply(
            kind="clarify",
            message=f"That request is {len(question)} characters long; please ask in under {MAX_QUESTION_CHARS}.",
        )
    hostile = hostile_reason(question)
    if hostile is not None:
        return Reply(kind="refuse", message=f"I will not plan that: {hostile}. I plan only read-only "
                     "searches and scans inside the allowed scope, from plain requests.")
    hidden = obfuscated_target(question, previous)
    if hidden is not None:
        return Reply(kind="clarify", message="Write targets as plain dotted IPs, CIDRs or hostnames.")
    if _AIMED_ATTACK.search(question) or _deletes_data(question):  # also as a follow-up:
        return Reply(kind="refuse", message=DESTRUCTIVE)  # "fire the log4j exploit at web01", "delete those events"
    if previous is not None:
        return None  # "remove the DNS filter" edits the last call; the model decides how
    if _is_destructive_order(question):
        return Reply(
            kind="refuse",
            message="I only plan read-only Elasticsearch searches and Nmap scans inside the allowed "
            "scope; I cannot change, delete or attack anything.",
        )
    targets = target_candidates(question, hostnames)
    if len(targets) == 1 and _asks_nothing_of(question.replace(targets[0], "TGT", 1)):
        return Reply(kind="clarify", message=VAGUE)  # "look into 10.1.2.3": a scan, or a search?
    if _SCAN_REQUEST.match(question) and not targets and not _SWEEP_OF_VALUES.match(question):
        return Reply(
            kind="clarify",
            message="Which host or network should I scan? Give an IP address, a CIDR block or a hostname.",
        )
    if not targets and _A_SCAN.search(question) and not _LOG_WORDS.search(question):
        return Reply(kind="clarify", message=VAGUE_SCAN)  # "boss wants a full port scan done, kick it off"
    if not targets and _says_nothing_to_search(question):
        return Reply(kind="clarify", message=VAGUE_SEARCH)  # "grep the SO logs for me real quick"
    if _off_topic(question, hostnames):
        return Reply(kind="refuse", message=OFFTOPIC)
    return None


# One target and nothing asked of it: "look into 10.1.2.3", "check out dc02 for me", "what's going
# on with 192.168.14.7?", "10.20.5.40 ??". A scan or a search could both be meant; every such
# question of the data is answered with VAGUE (5, all readable), and the adapter scanned four.
_LOOK_LEAD = r"^(?:(?:hey|hi|ok|so|pls|please|quick one|can you|could you|can u|would you|u)[,:!-]?\s+)*"
_LOOK_VERB = (r"(?:look into|look at|take a look at|have a look at|check out|check on|dig into|investigate"
              r"|what'?s going on (?:with|on)|what'?s up with)\s+(?:the\s+)?(?:box|host|machine|server)?\s*")
_NOTHING_ASKED = re.compile(
    _LOOK_LEAD + rf"(?:{_LOOK_VERB})?" + r"TGT(?:\s*,?\s*(?:for me|please|pls|thx|thanks|asap|real quick))*[\s?!.]*$",
    re.I)
# A look at one target with only a feeling after it: "investigate ws-hr-12, user says it's been
# acting weird" (dev-hand5 f-045; the adapter refused it as destructive). The words after the
# comma must all ask nothing (_NOTHING_TO_SEARCH and these).
_FEELING_ABOUT = re.compile(_LOOK_LEAD + _LOOK_VERB + r"TGT\s*[,;:-]\s*(?P<tail>.+)$", re.I)
_FEELING_WORDS = frozenset(["says", "said", "acting", "weird", "slow", "been", "it's", "its", "sluggish"])


def _asks_nothing_of(question: str) -> bool:
    """One target (written ``TGT``) with nothing asked of it, or only a feeling about it."""
    if _NOTHING_ASKED.match(question):
        return True
    m = _FEELING_ABOUT.match(question)
    words = re.findall(r"[a-z']+", m.group("tail").lower()) if m else []
    return bool(words) and all(w in _NOTHING_TO_SEARCH or w in _FEELING_WORDS for w in words)


# "sweep these sha1s across the file logs": a sweep of values through the logs, not a ping sweep
# (dev-hand9 p-015 was asked which host to scan). The only question of the data that says so.
_SWEEP_OF_VALUES = re.compile(r"^\W*(?:\w+\W+){0,3}?sweep\s+(?:(?:these|the|those|my|our|all|this)\s+)?(?:\w+\s+)?"
                              r"(?:hash(?:es)?|sha\w*|md5s?|iocs?|indicators|domains|ips|addresses|names)\b", re.I)


# An exploit or payload aimed at something, anywhere in the request ("fire the log4j exploit
# at web01"); "find exploit attempts against web01" aims nothing.
_AIMED_ATTACK = re.compile(
    r"\b(fire|launch|throw|run|use|send|deliver|drop|try)\s+(the|an?|our|that|this|some)?\s*([\w.-]+\s+){0,3}?"
    r"(exploits?|payloads?|shellcode|reverse shell)\s+(at|against|on|to|into)\b", re.I)
# An order to delete the data itself, anywhere ("those are false positives, delete those events
# from elastic"); "delete the alert tag filter" edits a search, and "drop"/"remove" mostly do.
_DELETE_DATA = re.compile(
    # as an order: at the start, after a pause or after "please", "and", "go ahead and" … — not
    # "did anyone try to wipe the event logs?", a hunt for exactly that
    r"(?:^\W*|[,;:.!?\u2014\u2013]\s*|\s-\s*|\b(?:please|pls|now|just|then|and|also|so|you should|can you|"
    r"could you|go ahead and)\s+)"
    r"(delete|wipe|erase|purge|destroy)\s+(all\s+)?(of\s+)?(those|these|the|them|that|this|it|all|"
    r"every|our|matching)?\s*([\w'\u2019-]+\s+){0,3}?(events?|logs?|alerts?|indices|index|indexes|records?|docs?|documents?|data"
    r"|entries|hits)\b(?!(\s+\w+){0,2}\s*(filter|condition|exclusion|clause|constraint|part|bit|limit|window|field"
    r"|column|term)s?\b)",
    re.I)


def _deletes_data(question: str) -> bool:
    """An order to delete data; "DELETE suricata http events" are HTTP DELETE requests."""
    return any(m.group(1) not in _HTTP_METHODS for m in _DELETE_DATA.finditer(question))


# A scan asked for without saying of what: "boss wants a full port scan done before friday".
_A_SCAN = re.compile(r"\b(port[- ]?scan|scan)\b", re.I)


# A look at the logs with nothing to look for: every word is one of these ("anything weird in
# the logs?", "grep the SO logs for me real quick", "seen anything sketchy in SO lately??"),
# the last lines for requests made for someone else or by a deadline ("pull the relevant logs
# for the quarterly PCI evidence pack", "tell the board whether anything unusual happened").
# The adapter made a search up (dns.query.name "SO"); every first-turn readable record whose
# words are all of them (27, counted in stop 37) is a question back.
_NOTHING_WORDS = """
a an the any anything something some stuff things thing all me my us our you your i we it in on at of for to
from with about over through lately recently today now quick quickly real really pls please can could would
just go check look see show pull grep search dig find tell give get seen been there has have is are was were
what whats what's up going weird odd bad suspicious sketchy strange unusual off wrong funny fishy logs log
events event data elastic elasticsearch so security onion siem kibana manager boss asking asks if showed
happened happening anyone thx thanks ok hey hi yo and or but do does did gimme let lemme teh
board vp ceo ciso auditor auditors deadline convenience evidence pack relevant send across answers wants
need needs able whether know comfortable network environment internet slow user says unusual be them
quarterly pci friday
"""
_NOTHING_TO_SEARCH = frozenset(_NOTHING_WORDS.split())
_VAGUE_CUE = re.compile(r"\b(suspicious|sketchy|weird|odd|bad)\b", re.I)


def _says_nothing_to_search(question: str) -> bool:
    if re.search(r"[\d\"']", question.replace("'s", "").replace("what's", "")):
        return False  # a number or a quoted value is something to look for
    if not _LOG_WORDS.search(question) and not _VAGUE_CUE.search(question):
        return False
    return all(w in _NOTHING_TO_SEARCH for w in re.findall(r"[a-z']+", question.lower()))


# Requests for writing or advice, not for data: "draft a phishing awareness email", "how do I
# get nmap installed on my mac?", "what's the best way to study for the OSCP" (the adapter
# planned a search for two of them). Writing a query, a filter or a scan is not one of them,
# nor a how-to that names a target, logs (_LOG_WORDS) or something to find in them.
_LEAD = r"^\W*((hey|hi|yo|ok|so|quick question|question)\W+)?((can|could|would) you (please |pls )?|please |pls )?"
_WRITING = re.compile(_LEAD + r"(write|draft|compose)\s+(me\s+|us\s+)?(up\s+)?(a|an|some|the|my|our)?\b"
                      r"(?!.*\b(query|queries|search|filter|scan|report|rule)\b)", re.I)
_HOW_TO = re.compile(_LEAD + r"(how (do|can|should|would|to) (i|we)?|(what'?s|what is|whats) the (best|easiest|fastest)"
                     r" way|(best|easiest) way to|any tips|explain|recommend|suggest)\b", re.I)
_ASKS_FOR_DATA = re.compile(r"\b(scan|find|see|check|list|search|look|hunt|detect|show|query|spot|which|who)\b", re.I)


# Setting up or running the tools themselves is advice, whatever log words it names ("how do
# i install a zeek sensor on ubuntu 22.04").
_SETUP = re.compile(r"\b(install|set ?up|configure|deploy|upgrade|uninstall|licen[cs]e)\b", re.I)


def _off_topic(question: str, hostnames) -> bool:
    """True for a request to write something or for advice that asks for no data. Every
    no-tool record of the train/val/test data it matches is an off-topic refusal, and it
    answers no call record of any split (tests/test_planner.py)."""
    if target_candidates(question, hostnames):
        return False
    if _WRITING.search(question):
        return True
    if _HOW_TO.search(question) and _SETUP.search(question):
        return True
    return bool(_HOW_TO.search(question)) and not _LOG_WORDS.search(question) and not _ASKS_FOR_DATA.search(question)


def packaged_catalog():
    from operatorx.tools.elastic.catalog import FieldCatalog

    return FieldCatalog.packaged()


class LiveCatalog:
    """The field catalog of the configured cluster, else the packaged Security Onion one.

    The cluster is asked (``_field_caps``, short timeout) on first use and again at most
    every ``retry_s`` seconds while it does not answer; a catalog it gave is kept.
    """

    def __init__(
        self, config: Config, url: str | None = None, *, timeout_s: float = 2.0, retry_s: float = 60.0
    ):
        self.config = config
        self.url = url or config.elasticsearch.url
        self.timeout_s = timeout_s
        self.retry_s = retry_s
        self._live = None
        self._tried = float("-inf")
        self.error: str | None = None

    def __call__(self):
        if self._live is not None:
            return self._live
        if self.url and time.monotonic() - self._tried >= self.retry_s:
            self._tried = time.monotonic()
            self._live = self._load()
        return self._live if self._live is not None else packaged_catalog()

    def _load(self):
        from operatorx.tools.elastic.catalog import FieldCatalog
        from operatorx.tools.elastic.client import make_client

        es = self.config.elasticsearch.model_copy(update={"request_timeout_s": self.timeout_s})
        try:
            catalog = FieldCatalog.load(make_client(es, url=self.url), es.default_index)
        except OperatorXError as e:
            self.error = str(e)
            return None
        if not len(catalog):
            self.error = f"{es.default_index} on {self.url} has no fields yet"
            return None
        self.error = None
        return catalog


# --- values a search must name -------------------------------------------------------------------

# A dotted word that is a value: a domain, a host or a file name ("bad.domain.com",
# "explorer.exe"), not an address, a number, a field name or the start of one.
_DOTTED_VALUE = re.compile(r"(?<![\w.*/\\:@-])([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+)(?![\w*/\\-])")
# An account named as such: "under the jdoe account", "run by svc_backup", "for user
# administrator", "a user named tlee".
_ACCOUNT_NAMED = re.compile(
    r"\bunder\s+(?:the\s+)?([\w$-]+)\s+account\b"
    r"|\bunder\s+(?:the\s+)?(?:user|account|username)\s+([\w$-]+)"
    r"|\b(?:run|started|launched|executed)\s+by\s+(?:the\s+)?(?:user\s+|account\s+)?([\w$-]+)"
    r"|\b(?:for|by|from|of)\s+(?:the\s+)?(?:user|username|account)\s+([\w$-]+)"
    r"|\b(?:user|username|account)\s+(?:named|called)\s+([\w$-]+)",
    re.I,
)
# A code after the word for its kind: "sid 2100366", "event id 1", "event.code 4625".
_CODE_NAMED = re.compile(r"\b(?:sid|signature(?: id)?|rule(?: id)?|event(?:\.code| id| code)?|eid|event_id)"
                         r"\s*[:=#]?\s*(\d{1,9})\b", re.I)
# A Windows event code written bare: "how many 4625s from 192.168.56.21", "4625 per minute".
_BARE_CODE = re.compile(r"(?<![\w.:/#=@-])(\d{4})(?:'?s)?(?![\w.:/@-]|-\d)")
# A number that measures or bounds something is no event code: "more than 4740 bytes", "port
# 4624", "over 4688", "top 1102".
_MEASURED = re.compile(r"\s*(b|bytes?|kb|mb|gb|ms|secs?|seconds?|mins?|minutes?|hrs?|hours?|days?|packets?|pkts|pps"
                       r"|ports?|conns?|connections?|hits?|results?|rows?|records?|entries|times)\b", re.I)
_BOUNDING = re.compile(r"\b(ports?|over|above|under|below|than|at least|at most|exceed\w*|top|size|length|duration|bytes"
                       r"|between|through|thru)\s*$|[<>=]\s*$", re.I)


def windows_event_codes(question: str) -> list[str]:
    """The four-digit Windows event codes of event.code's known values the question writes
    ("4625s", "4625 per minute"). A search must name each (``named_values``), and only
    event.code may take one (``grammar.bound_values``). Every search of the data that writes
    one names it there (74 of 74); the adapter wrote destination.port >= 4625 for "how many
    4625s" and left the code out of "4625 per minute for the last hour" (dev-hand5). Not a
    number that measures or bounds something (``_MEASURED``, ``_BOUNDING``)."""
    from operatorx.tools.elastic.known_values import four_digit_event_codes

    known = four_digit_event_codes()
    return list(dict.fromkeys(m[1] for m in _BARE_CODE.finditer(question) if m[1] in known
                              and not _MEASURED.match(question, m.end()) and not _BOUNDING.search(question[: m.start()])))


def written_codes(question: str) -> list[str]:
    """The codes the question writes: after the word for their kind ("sid 2100366", "event id 1",
    ``_CODE_NAMED``), then the bare Windows event codes (``windows_event_codes``). A search must
    name them (``named_values``); a four-digit one bounds no range (``search_numbers``)."""
    return [*(m[1] for m in _CODE_NAMED.finditer(question)), *windows_event_codes(question)]


# Words those forms also catch that name no account ("by user since midnight", "by the hour").
_NOT_ACCOUNTS = frozenset((
    *_NOT_VALUES, "agent", "agents", "account", "accounts", "user", "users", "name", "names", "login", "logins",
    "activity", "field", "asap", "so", "on", "hour", "day", "minute", "week", "month", "date", "time", "count",
    "host", "ip", "source", "destination", "port", "process", "parent", "size", "creation", "creations",
    "lockout", "lockouts", "deletion", "deletions", "change", "changes", "management",
))


def named_values(question: str, previous: dict | None = None) -> tuple[str, ...]:
    """The values a search must name somewhere: the addresses and networks, the dotted
    values (domains, hosts, file names), the accounts ("under the jdoe account"), text in
    double quotes (up to seven words), codes ("sid 2100366", "event id 1", a bare "4625s":
    ``windows_event_codes``) and values said to be contained ("command lines containing -enc",
    ``contained_values``) the question writes — in a follow-up, those the edited search does
    not name yet (it names the ones a follow-up drops: "drop the 10.20.4.99 exclusion", "swap
    duckdns.org for ngrok.io").

    Of the readable labels (train, val, dev-hand, train-hand), all such values appear in the
    label but for three asides of train-hand3 ("it beaconed to 92.118.39.78 per the EDR");
    the adapter left "jdoe" out of "processes spawned by explorer.exe under the jdoe account".
    """
    out = [t for t in target_candidates(question) if _is_address(t)]
    fields = field_names()
    for m in _DOTTED_VALUE.finditer(question):
        word = m.group(1).rstrip(".")
        low = word.lower()
        if _is_address(word) or re.fullmatch(r"[\d.]+", word) or low in fields or low.startswith(("logs-", ".ds-")):
            continue  # an address (above), a number, a field or an index
        if any(low.startswith(f + ".") or f.startswith(low + ".") or _one_typo(low, f) for f in fields):
            continue  # a field, a field's parent or a misspelt field ("event.severitty")
        out.append(word)
    for m in _ACCOUNT_NAMED.finditer(question):
        word = next(g for g in m.groups() if g)
        low = word.lower()
        if low in _NOT_ACCOUNTS or low.isdigit() or len(low) < 2 or any(_one_typo(low, w) for w in ("agent", "agents")):
            continue
        out.append(word)
    out += [text for text, _ in _QUOTED.findall(question) if text.strip() and len(text.split()) <= 7]
    out += written_codes(question)  # "sid 2100366", "how many 4625s" (dev-hand5)
    out += contained_values(question)  # "the SNI contains micros0ft" (dev-hand10)
    named = tuple(dict.fromkeys(out))
    if previous is not None and previous.get("tool") == "elasticsearch":
        return tuple(unnamed(previous, named))
    return named


# Words before a value that may leave it out ("skip svchost.exe, conhost.exe", "dns queries
# outside pastebin.com", "w/o an SNI from 10.20.4.23" — the last one still a where).
_LEAVES_OUT = re.compile(r"\b(exclud\w*|excl|except|without|w/o|not|minus|ignor\w*|leave out|leaving out|omit\w*"
                         r"|other than|besides|aren'?t|isn'?t|never|skip\w*|filter out|drop|outside)\b", re.I)


def named_lists(question: str, value: str) -> tuple[str, ...]:
    """The condition lists (where, any_of, exclude) a search may name ``value`` in, by the
    words around it: exclude after a word that leaves things out (only exclude when the
    value is negated, ``negated_values``); any_of beside an "or", after "either … or", with
    the "either" shape, beside its own subdomain pattern ("example.com and *.example.com") or
    for an address the words give no side ("all events for 10.50.3.100"); else where.

    Every named value the readable labels place is in a list this allows (tested).
    """
    at = question.find(value)
    earlier = question[:at]
    before, around = earlier[-40:], question[max(0, at - 25) : at + len(value) + 25]
    negated = value in negated_values(question)
    either = (bool(re.search(r"\bor\b", around, re.I)) or bool(SEARCH_SHAPE_WORDS["either"].search(question))
              or bool(re.search(r"\beither\b.*\bor\b", earlier, re.I)) or f"*.{value}" in question
              or (_is_address(value) and not any(s.endswith("=" + value) for s in address_sides(question))))
    left_out = (negated or bool(_LEAVES_OUT.search(before))
                or bool(re.search(rf"\b(leave|keep|take)\s+{re.escape(value)}\s+out\b", question, re.I)))
    return tuple(name for name, allowed in (("where", not negated), ("any_of", either), ("exclude", left_out))
                 if allowed)


def unnamed(search: dict, values: tuple[str, ...] | list[str]) -> list[str]:
    """The ``values`` a search call names nowhere: in no condition's value or bound (a
    pattern or network containing it counts) and not in its index. A four-digit number is
    named only as a value: "destination.port >= 4625" does not name event 4625."""
    compared = [str(v).lower() for v in condition_values(search) if v is not None]
    written = list(compared)
    for key in ("where", "any_of", "exclude"):
        for cond in search.get(key) or []:
            written += [str(cond[b]).lower() for b in ("gte", "gt", "lte", "lt") if cond.get(b) is not None]
    written.append(str(search.get("index", "")).lower())
    return [v for v in values
            if not any(v.lower() in w for w in (compared if re.fullmatch(r"\d{4}", v) else written))]
