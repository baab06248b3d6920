"""argv ⇄ NmapScan, and the plain-language description of a scan.

``build_argv`` renders the fields in one fixed order; ``parse_argv`` reads an (edited) command
back and accepts only what the form can express, so ``parse_argv(build_argv(s)) == s`` for
every valid scan. Anything else — an option OperatorX does not model, a file to read or write,
shell syntax — is refused with ``ValidationFailed`` naming the token and the reason, because an
edited command that is silently "fixed" is not the command the analyst confirmed.
"""

from __future__ import annotations

import re
import shlex

from pydantic import ValidationError

from operatorx.errors import ValidationFailed
from operatorx.schemas.nmap import NmapScan

# The flags the runner needs to read results and progress from stdout. They are part of the
# argv because the confirmation card promises the argv exactly as it will run.
OUTPUT_FLAGS = ("-oX", "-", "--stats-every", "1s")

TECHNIQUE_FLAG = {
    "syn": "-sS",
    "connect": "-sT",
    "udp": "-sU",
    "ping": "-sn",
    "ack": "-sA",
    "fin": "-sF",
    "null": "-sN",
    "xmas": "-sX",
}
TCP_TECHNIQUES = ("syn", "connect", "ack", "fin", "null", "xmas")
TIMING_NAMES = ("paranoid", "sneaky", "polite", "normal", "aggressive", "insane")

# Letters after ``-s`` (nmap reads ``-sSV`` as ``-sS -sV``) → technique, or a flag.
_SCAN_LETTERS = {"S": "syn", "T": "connect", "U": "udp", "n": "ping", "P": "ping"}
_SCAN_LETTERS |= {"A": "ack", "F": "fin", "N": "null", "X": "xmas"}

_SHELL_CHARS = set(";&|$`<>(){}[]\\'\"!#~? ")  # not '*': nmap ranges use it (10.0.0.*)
_PROGRAM_RE = re.compile(r"(/[A-Za-z0-9._-]+)*/nmap")
_NUMBER_RE = re.compile(r"\d{1,6}")
_STATS_EVERY_RE = re.compile(r"\d{1,5}(\.\d{1,3})?(ms|s|m|h)?")

# Options a real nmap understands but OperatorX never runs, with the reason shown to the analyst.
_REFUSED = {
    "-iL": "reads targets from a file",
    "-iR": "scans random hosts on the internet",
    "-oN": "writes output to a file",
    "-oG": "writes output to a file",
    "-oA": "writes output to files",
    "-oS": "writes output to a file",
    "-oM": "writes output to a file",
    "-oH": "writes output to a file",
    "--append-output": "writes output to a file",
    "--log-errors": "writes output to a file",
    "--excludefile": "reads exclusions from a file",
    "--script-args": "passes arguments into NSE scripts",
    "--script-args-file": "reads NSE script arguments from a file",
    "--script-updatedb": "rewrites nmap's script database",
    "--script-trace": "dumps all script traffic",
    "--datadir": "loads nmap's data files (and scripts) from another directory",
    "--servicedb": "loads a service database from a file",
    "--versiondb": "loads a version-probe database from a file",
    "--resume": "reads a saved scan from a file",
    "--stylesheet": "changes the XML output's stylesheet",
    "--webxml": "changes the XML output's stylesheet",
    "--no-stylesheet": "changes the XML output",
    "-e": "picks the network interface",
    "--spoof-mac": "spoofs the MAC address",
    "-D": "sends decoy scans from other addresses",
    "-S": "spoofs the source address",
    "-g": "spoofs the source port",
    "--source-port": "spoofs the source port",
    "--proxies": "relays connections through proxies",
    "-b": "bounces the scan through an FTP server",
    "-f": "fragments packets to evade filters",
    "--mtu": "fragments packets to evade filters",
    "--badsum": "sends packets with bad checksums",
    "--ttl": "sets a custom IP time-to-live",
    "--data": "appends a custom payload",
    "--data-string": "appends a custom payload",
    "--data-length": "appends random payload data",
    "--ip-options": "sends custom IP options",
    "--dns-servers": "sends DNS queries to other servers",
    "--send-eth": "overrides how packets are sent",
    "--send-ip": "overrides how packets are sent",
    "--privileged": "overrides OperatorX's privilege decision",
    "--unprivileged": "overrides OperatorX's privilege decision",
    "--iflist": "lists interfaces instead of scanning",
    "-sI": "runs an idle scan through a zombie host",
    "-oX": "writes output to a file",
}
# Short options that take a value glued on (``-eeth0``, ``-D10.0.0.9``): refused by prefix.
_REFUSED_PREFIXES = (
    *("-iL", "-iR", "-oN", "-oG", "-oA", "-oS", "-oM", "-oH", "-oX"),
    *("-sI", "-e", "-D", "-S", "-g", "-b"),
)

_SHORT_FLAGS = {
    "-sV": ("service_version", True),
    "-O": ("os_detection", True),
    "-A": ("aggressive", True),
    "-Pn": ("skip_discovery", True),
    "-PN": ("skip_discovery", True),
    "-P0": ("skip_discovery", True),
    "-6": ("ipv6", True),
    "-F": ("fast", True),
}
_LONG_FLAGS = {
    "--open": ("open_only", True),
    "--traceroute": ("traceroute", True),
    "--version-light": ("version_intensity", 2),
    "--version-all": ("version_intensity", 9),
}
_LONG_VALUED = (
    "--top-ports",
    "--script",
    "--version-intensity",
    "--exclude",
    "--min-rate",
    "--max-rate",
    "--host-timeout",
    "--stats-every",
)


def build_argv(scan: NmapScan) -> list[str]:
    """The exact argv that runs, ``nmap`` first, in one deterministic order.

    It ends with ``-oX - --stats-every 1s`` (XML and progress on stdout, which the runner
    reads) and then the targets: the plan contract promises the argv exactly as it would run,
    so the output flags are shown to the analyst rather than added behind their back.
    """
    argv = ["nmap"]
    if scan.technique != "default":
        argv.append(TECHNIQUE_FLAG[scan.technique])
    if scan.udp and scan.technique in TCP_TECHNIQUES:
        argv.append("-sU")
    if scan.ports is not None:
        argv += ["-p", scan.ports]
    elif scan.top_ports is not None:
        argv += ["--top-ports", str(scan.top_ports)]
    elif scan.all_ports:
        argv.append("-p-")
    elif scan.fast:
        argv.append("-F")
    if scan.service_version:
        argv.append("-sV")
    if scan.version_intensity is not None:
        argv += ["--version-intensity", str(scan.version_intensity)]
    if scan.os_detection:
        argv.append("-O")
    if scan.aggressive:
        argv.append("-A")
    if scan.scripts:
        argv.append("--script=" + ",".join(scan.scripts))
    if scan.timing is not None:
        argv.append(f"-T{scan.timing}")
    if scan.skip_discovery:
        argv.append("-Pn")
    if scan.open_only:
        argv.append("--open")
    if scan.ipv6:
        argv.append("-6")
    if scan.traceroute:
        argv.append("--traceroute")
    if scan.exclude:
        argv += ["--exclude", ",".join(scan.exclude)]
    if scan.min_rate is not None:
        argv += ["--min-rate", str(scan.min_rate)]
    if scan.max_rate is not None:
        argv += ["--max-rate", str(scan.max_rate)]
    if scan.host_timeout is not None:
        argv += ["--host-timeout", scan.host_timeout]
    argv += OUTPUT_FLAGS
    argv += scan.targets
    return argv


def parse_argv(argv: list[str] | str) -> NmapScan:
    """Read an nmap command (argv list or a command line) back into a scan.

    Accepts nmap's own equivalent spellings (``-p22`` / ``-p 22``, ``-T4`` / ``-T 4`` /
    ``-T aggressive``, ``--script vuln`` / ``--script=vuln``, ``-sSV``, ``-sC``, a full path to
    nmap) and the runner's output flags (``-oX -``, ``--stats-every Ns``), which are dropped.
    Raises ValidationFailed for everything else.
    """
    tokens = _split(argv)
    _check_program(tokens[0])
    for tok in tokens[1:]:
        _check_token(tok)
    p = _Parser()
    rest = tokens[1:]
    i = 0
    while i < len(rest):
        tok = rest[i]
        i += 1
        if not tok.startswith("-"):
            p.targets.append(tok)
            continue
        name, eq, value = tok.partition("=") if tok.startswith("--") else (tok, "", "")
        if name[:2] in ("-p", "-T") and len(name) > 2:  # -p22,80  -p-  -T4
            name, value, eq = name[:2], name[2:], "="
        if name in ("-p", "-T", "-oX") or name in _LONG_VALUED:
            if not eq:
                if i >= len(rest):
                    raise ValidationFailed(f"Option {name} needs a value.")
                value = rest[i]
                tok = f"{tok} {value}"
                i += 1
            p.valued(name, value, tok)
        elif name in _SHORT_FLAGS or name in _LONG_FLAGS:
            if eq:
                raise ValidationFailed(f"Option {name} does not take a value (got {tok!r}).")
            field, val = _SHORT_FLAGS.get(name) or _LONG_FLAGS[name]
            p.set(field, val, tok)
        elif re.fullmatch(r"-s[A-HJ-Za-z]{1,4}", name):  # -sS  -sSV  -sC (never -sI: refused)
            p.scan_letters(name)
        else:
            raise ValidationFailed(_refusal(tok))
    return p.build()


def _split(argv: list[str] | str) -> list[str]:
    if isinstance(argv, str):
        try:
            tokens = shlex.split(argv)
        except ValueError as e:
            raise ValidationFailed(f"Cannot read the command ({e}); check the quotes.") from None
    else:
        tokens = list(argv)
        if not all(isinstance(t, str) for t in tokens):
            raise ValidationFailed("Every word of the command must be a string.")
    if not tokens:
        raise ValidationFailed("The command is empty; it must start with 'nmap'.")
    return tokens


def _check_token(tok: str) -> None:
    if any(ord(c) < 32 or ord(c) == 127 for c in tok):
        raise ValidationFailed(f"{tok!r} contains a control character.")
    bad = sorted({c for c in tok if c in _SHELL_CHARS})
    if bad:
        raise ValidationFailed(
            f"{tok!r} contains {' '.join(repr(c) for c in bad)}, which is shell syntax; OperatorX runs "
            "nmap directly, without a shell, and refuses shell syntax in a command."
        )


def _check_program(tok: str) -> None:
    if tok == "nmap" or (_PROGRAM_RE.fullmatch(tok) and "/../" not in tok + "/" and "/./" not in tok):
        return
    hint = " (leave out sudo: OperatorX decides whether raw-socket scans can run)" if tok == "sudo" else ""
    raise ValidationFailed(f"The command must start with 'nmap', not {tok!r}{hint}.")


def _refusal(tok: str) -> str:
    name = tok.partition("=")[0] if tok.startswith("--") else tok
    reason = _REFUSED.get(name)
    if reason is None and not tok.startswith("--"):
        prefix = next((p for p in _REFUSED_PREFIXES if tok.startswith(p)), None)
        reason = _REFUSED.get(prefix) if prefix else None
    if reason:
        return f"Option {tok!r} is not allowed: it {reason}."
    return f"Option {tok!r} is not supported by OperatorX (only options the scan form can express are)."


class _Parser:
    """Collects fields while parse_argv walks the tokens; build() validates them once."""

    def __init__(self) -> None:
        self.fields: dict[str, object] = {}
        self.targets: list[str] = []
        self.scripts: list[str] = []
        self.techniques: list[str] = []
        self.seen: set[str] = set()

    def set(self, field: str, value: object, tok: str) -> None:
        if field in self.fields and self.fields[field] != value:
            raise ValidationFailed(f"{tok!r} conflicts with an earlier option setting {field}.")
        self.fields[field] = value

    def scan_letters(self, tok: str) -> None:
        for letter in tok[2:]:
            if letter == "V":
                self.set("service_version", True, tok)
            elif letter == "C":
                self.scripts.append("default")
            elif letter in _SCAN_LETTERS:
                self.techniques.append(_SCAN_LETTERS[letter])
            else:
                raise ValidationFailed(
                    f"Scan type -s{letter} (in {tok!r}) is not supported; use one of "
                    "-sS -sT -sU -sn -sA -sF -sN -sX, with -sV or -sC if wanted."
                )

    def valued(self, name: str, value: str, tok: str) -> None:
        """Apply option ``name`` with ``value``; ``tok`` is how the analyst wrote it (for messages)."""
        if name in ("--stats-every", "-oX"):  # the runner's own output flags: checked, then dropped
            if name == "-oX" and value != "-":
                raise ValidationFailed(f"Option '-oX {value}' is not allowed: it writes output to a file.")
            if name == "--stats-every" and not _STATS_EVERY_RE.fullmatch(value):
                raise ValidationFailed(f"{tok!r}: --stats-every needs an interval such as 1s.")
            return
        if name in self.seen:
            raise ValidationFailed(f"Option {name} is given twice; give it once.")
        self.seen.add(name)
        if name == "-p":
            if value == "-":
                self.set("all_ports", True, tok)
            else:
                self.set("ports", value, tok)
        elif name == "-T":
            if value in TIMING_NAMES:
                self.set("timing", TIMING_NAMES.index(value), tok)
            elif re.fullmatch(r"[0-5]", value):
                self.set("timing", int(value), tok)
            else:
                raise ValidationFailed(f"{tok!r}: timing must be -T0 … -T5 (or paranoid … insane).")
        elif name == "--script":
            for s in value.split(","):
                if "/" in s or s.endswith(".nse") or s.startswith("."):
                    raise ValidationFailed(
                        f"{tok!r} is not allowed: NSE scripts are named from the allowed list, "
                        "never loaded from a file or directory."
                    )
                self.scripts.append(s)
        elif name == "--exclude":
            self.set("exclude", value.split(","), tok)
        elif name == "--host-timeout":
            self.set("host_timeout", value, tok)
        else:  # --top-ports --version-intensity --min-rate --max-rate
            if not _NUMBER_RE.fullmatch(value):
                raise ValidationFailed(f"{tok!r}: {name} needs a whole number.")
            self.set(name[2:].replace("-", "_"), int(value), tok)

    def build(self) -> NmapScan:
        tcp = [t for t in dict.fromkeys(self.techniques) if t in TCP_TECHNIQUES]
        if len(tcp) > 1:
            raise ValidationFailed(
                "More than one TCP scan type given ("
                + ", ".join(TECHNIQUE_FLAG[t] for t in tcp)
                + "); choose one."
            )
        techniques = set(self.techniques)
        if "ping" in techniques and len(techniques) > 1:
            raise ValidationFailed("-sn (host discovery only) cannot be combined with a port scan type.")
        if tcp:
            self.fields["technique"] = tcp[0]
            self.fields["udp"] = "udp" in techniques
        elif techniques:
            self.fields["technique"] = techniques.pop()
        if self.scripts:
            self.fields["scripts"] = self.scripts
        if not self.targets:
            raise ValidationFailed("No target given: name at least one host, e.g. 'nmap -sT 127.0.0.1'.")
        try:
            return NmapScan(targets=self.targets, **self.fields)
        except ValidationError as e:
            raise ValidationFailed("Invalid nmap command: " + explain(e)) from None


def explain(error: ValidationError) -> str:
    """A pydantic error as one line for the analyst: 'field: problem; field: problem'."""
    parts = []
    for err in error.errors():
        loc = ".".join(str(x) for x in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts) + "."


# --- describe ---------------------------------------------------------------------------

_TECHNIQUE_TEXT = {
    "default": "Port scan",
    "syn": "TCP SYN scan",
    "connect": "TCP connect scan",
    "udp": "UDP scan",
    "ping": "Host discovery (ping sweep, no port scan)",
    "ack": "TCP ACK scan (maps firewall rules)",
    "fin": "TCP FIN scan",
    "null": "TCP NULL scan",
    "xmas": "TCP Xmas scan",
}
_TIMING_TEXT = ("paranoid", "sneaky", "polite", "normal", "aggressive", "insane")


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _targets_text(targets: list[str]) -> str:
    shown = targets[:4]
    if len(targets) > 4:
        return ", ".join(shown) + f" and {len(targets) - 4} more targets"
    return _join(shown)


def describe(scan: NmapScan) -> str:
    """One short paragraph in plain English, built from the fields only."""
    head = _TECHNIQUE_TEXT[scan.technique]
    if scan.udp and scan.technique in TCP_TECHNIQUES:
        head += " plus a UDP scan"
    if scan.technique != "ping":
        if scan.ports is not None:
            head += f" of ports {scan.ports}"
        elif scan.top_ports is not None:
            head += f" of the {scan.top_ports} most common ports"
        elif scan.all_ports:
            head += " of all 65535 ports"
        elif scan.fast:
            head += " of the 100 most common ports (fast mode)"
        else:
            head += " of the 1000 most common ports"
    head += f" on {_targets_text(scan.targets)}"
    if scan.exclude:
        head += f" (excluding {_join(scan.exclude)})"
    extras = []
    if scan.service_version:
        extras.append("service/version detection")
    if scan.version_intensity is not None:
        extras.append(f"version-probe intensity {scan.version_intensity} of 9")
    if scan.os_detection:
        extras.append("OS detection")
    if scan.aggressive:
        extras.append("aggressive mode (version and OS detection, default scripts, traceroute)")
    if scan.scripts:
        extras.append("NSE scripts " + ", ".join(scan.scripts))
    if scan.traceroute:
        extras.append("traceroute")
    if extras:
        head += ", with " + _join(extras)
    parts = [head]
    if scan.ipv6:
        parts.append("over IPv6")
    if scan.timing is not None:
        parts.append(f"timing T{scan.timing} ({_TIMING_TEXT[scan.timing]})")
    if scan.skip_discovery:
        parts.append("hosts are treated as up without a ping (-Pn)")
    if scan.min_rate is not None:
        parts.append(f"at least {scan.min_rate} packets per second")
    if scan.max_rate is not None:
        parts.append(f"at most {scan.max_rate} packets per second")
    if scan.host_timeout is not None:
        parts.append(f"gives up on a host after {scan.host_timeout}")
    if scan.open_only:
        parts.append("only open ports are shown")
    return "; ".join(parts) + "."
