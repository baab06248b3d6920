"""The typed Nmap scan: the single source of truth for the scan tool.

The same model gives the JSON schema that constrains the planner's decoding, validates the
model's output and the training data, builds the argv the executor runs (never a shell
string) and parses an edited command back. Every string field is matched against a strict
pattern, so no value can smuggle an option (``-iL``, ``-oN``), a path or a shell character.
"""

from __future__ import annotations

import ipaddress
import re
import shlex
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Technique = Literal["default", "syn", "connect", "udp", "ping", "ack", "fin", "null", "xmas"]

# NSE: only these scripts and categories can ever be named; no paths, no script-args.
SCRIPT_CATEGORIES = ("default", "safe", "discovery", "version", "vuln")
ALLOWED_SCRIPTS = (
    "banner",
    "dns-nsid",
    "ftp-anon",
    "ftp-syst",
    "http-enum",
    "http-headers",
    "http-methods",
    "http-robots.txt",
    "http-server-header",
    "http-title",
    "imap-capabilities",
    "mysql-info",
    "nbstat",
    "pop3-capabilities",
    "rdp-enum-encryption",
    "smb-os-discovery",
    "smb-protocols",
    "smb2-security-mode",
    "smtp-commands",
    "snmp-info",
    "ssh-auth-methods",
    "ssh-hostkey",
    "ssh2-enum-algos",
    "ssl-cert",
    "ssl-enum-ciphers",
    "sslv2",
    "tls-alpn",
    "vnc-info",
)

_LABEL = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
HOSTNAME_RE = re.compile(rf"^{_LABEL}(\.{_LABEL})*\.?\Z")
# nmap octet ranges: 10.0.0.1-20, 10.0.0-3.1-254, 192.168.1.*
# Patterns end in \Z, not $: '$' also matches before a trailing newline ("22\n" would pass).
_OCTET = r"(\d{1,3}(-\d{1,3})?|\*)"
IPV4_RANGE_RE = re.compile(rf"^{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}\Z")
PORT_SPEC_RE = re.compile(r"^([TUS]:)?\d{1,5}(-\d{1,5})?(,([TUS]:)?\d{1,5}(-\d{1,5})?)*\Z")
HOST_TIMEOUT_RE = re.compile(r"^\d{1,5}(ms|s|m|h)\Z")


def target_kind(value: str) -> str:
    """Classify a target: 'ipv4', 'ipv6', 'cidr4', 'cidr6', 'range4' or 'hostname'.

    Raises ValueError for anything else — including decimal/octal/hex IP spellings, which
    nmap would accept but which hide the real address from a reader.
    """
    v = value.strip()
    if not v or v != value or v.startswith("-"):
        raise ValueError(f"{value!r} is not a valid target")
    bad = sorted(set(re.sub(r"[A-Za-z0-9.:/*%-]", "", v)))
    if bad:
        raise ValueError(
            f"{value!r} contains characters that cannot be in a target: {' '.join(map(repr, bad))}"
        )
    if "/" in v:
        try:
            net = ipaddress.ip_network(v, strict=False)
        except ValueError:
            raise ValueError(f"{value!r} is not a valid CIDR block") from None
        return "cidr4" if net.version == 4 else "cidr6"
    if ":" in v:
        try:
            ipaddress.IPv6Address(v)
        except ValueError:
            raise ValueError(f"{value!r} is not a valid IPv6 address") from None
        return "ipv6"
    if IPV4_RANGE_RE.match(v):
        if re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", v):
            try:
                ipaddress.IPv4Address(v)
            except ValueError:
                raise ValueError(
                    f"{value!r} is not a valid IPv4 address (leading zeros or octets over 255)"
                ) from None
            return "ipv4"
        for part in v.split("."):
            for n in part.split("-"):
                if n != "*" and (int(n) > 255 or (len(n) > 1 and n.startswith("0"))):
                    raise ValueError(f"{value!r} is not a valid IPv4 range")
            if "-" in part:
                lo, hi = part.split("-")
                if int(lo) > int(hi):
                    raise ValueError(f"{value!r} has a range that runs backwards ({part})")
        return "range4"
    # 167772165, 0x0a000005, 10.5 …: numeric spellings are refused outright.
    if re.fullmatch(r"(0[xX][0-9a-fA-F]+|\d+)(\.(0[xX][0-9a-fA-F]+|\d+)){0,3}", v):
        raise ValueError(
            f"{value!r} looks like a numeric IP spelling (decimal, octal or hex); "
            "write it as a dotted-quad address"
        )
    if len(v) <= 253 and HOSTNAME_RE.match(v) and not v.replace(".", "").isdigit():
        return "hostname"
    raise ValueError(f"{value!r} is not an IP address, CIDR block, IPv4 range or hostname")


class NmapScan(BaseModel):
    """One nmap run. Defaults are omitted from the compact form the planner emits."""

    model_config = ConfigDict(extra="forbid", title="nmap")

    tool: Literal["nmap"] = "nmap"
    targets: list[str] = Field(min_length=1, max_length=32, description="IPs, CIDRs, ranges, hostnames.")
    ports: str | None = Field(None, description="Port list/ranges, e.g. '22,80,443', '1-1024', 'T:80,U:53'.")
    top_ports: int | None = Field(None, ge=1, le=65535, description="Scan the N most common ports.")
    all_ports: bool = Field(False, description="All 65535 ports (-p-).")
    fast: bool = Field(False, description="The 100 most common ports (-F).")
    technique: Technique = Field(
        "default", description="Scan type; 'ping' = host discovery only; 'default' lets nmap choose."
    )
    udp: bool = Field(False, description="Also scan UDP alongside the TCP technique (-sU).")
    service_version: bool = Field(False, description="Probe services for name and version (-sV).")
    version_intensity: int | None = Field(None, ge=0, le=9)
    os_detection: bool = Field(False, description="Guess the operating system (-O).")
    aggressive: bool = Field(False, description="-A: version, OS, default scripts and traceroute.")
    scripts: list[str] = Field(default_factory=list, max_length=8, description="NSE scripts/categories.")
    timing: int | None = Field(None, ge=0, le=5, description="Timing template T0 (paranoid) … T5 (insane).")
    skip_discovery: bool = Field(False, description="Treat hosts as up; skip the ping (-Pn).")
    open_only: bool = Field(False, description="Show only open ports (--open).")
    ipv6: bool = Field(False, description="IPv6 scan (-6); set automatically for IPv6 targets.")
    traceroute: bool = False
    exclude: list[str] = Field(default_factory=list, max_length=32, description="Targets to leave out.")
    min_rate: int | None = Field(None, ge=1, le=10000, description="Packets per second, at least.")
    max_rate: int | None = Field(None, ge=1, le=10000, description="Packets per second, at most.")
    host_timeout: str | None = Field(None, description="Give up on a host after this long, e.g. '30s', '5m'.")

    @field_validator("targets", "exclude")
    @classmethod
    def _check_targets(cls, values: list[str]) -> list[str]:
        for v in values:
            target_kind(v)
        return values

    @field_validator("ports")
    @classmethod
    def _check_ports(cls, v: str | None) -> str | None:
        if v is None:
            return v
        if not PORT_SPEC_RE.match(v):
            raise ValueError(f"{v!r} is not a port list (use e.g. 22,80,443 or 1-1024 or T:80,U:53)")
        for item in v.split(","):
            nums = item.split(":")[-1].split("-")
            if any(int(n) > 65535 for n in nums):
                raise ValueError(f"port {item!r} is out of range (0-65535)")
            if len(nums) == 2 and int(nums[0]) > int(nums[1]):
                raise ValueError(f"port range {item!r} runs backwards")
        if ":" not in v:  # "443,443" (the grammar cannot forbid a repeat): said once is enough
            v = ",".join(dict.fromkeys(v.split(",")))
        return v

    @field_validator("scripts")
    @classmethod
    def _check_scripts(cls, values: list[str]) -> list[str]:
        for s in values:
            if s not in ALLOWED_SCRIPTS and s not in SCRIPT_CATEGORIES:
                raise ValueError(
                    f"NSE script {s!r} is not allowed; allowed categories: {', '.join(SCRIPT_CATEGORIES)}; "
                    "scripts: see operatorx.schemas.nmap.ALLOWED_SCRIPTS (no file paths, no script-args)"
                )
        return values

    @field_validator("host_timeout")
    @classmethod
    def _check_host_timeout(cls, v: str | None) -> str | None:
        if v is not None and not HOST_TIMEOUT_RE.match(v):
            raise ValueError(f"host_timeout {v!r} must look like 30s, 500ms, 5m or 1h")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> NmapScan:
        chosen = [
            n for n in ("ports", "top_ports", "all_ports", "fast") if getattr(self, n) not in (None, False)
        ]
        if len(chosen) > 1:
            raise ValueError(f"choose one way to pick ports, not {' and '.join(chosen)}")
        if self.technique == "ping" and (chosen or self.service_version or self.os_detection or self.udp):
            raise ValueError("a ping sweep (host discovery only) scans no ports; drop the port options")
        # One spelling per scan, so that argv round-trips: UDP next to "default" TCP is what nmap
        # does as root (UDP needs root) — a SYN scan; udp on a UDP-only scan adds nothing.
        if self.udp and self.technique == "default":
            object.__setattr__(self, "technique", "syn")
        if self.udp and self.technique == "udp":
            object.__setattr__(self, "udp", False)
        if self.version_intensity is not None and not (self.service_version or self.aggressive):
            raise ValueError("version_intensity needs service_version")
        if self.min_rate and self.max_rate and self.min_rate > self.max_rate:
            raise ValueError("min_rate is above max_rate")
        both = [t for t in self.exclude if t in self.targets]
        if both:
            raise ValueError(f"{', '.join(both)} is both a target and excluded: it would not be scanned at all")
        kinds = {target_kind(t) for t in self.targets}
        v6 = bool(kinds & {"ipv6", "cidr6"})
        v4 = bool(kinds & {"ipv4", "cidr4", "range4"})
        if v6 and v4:
            raise ValueError("nmap cannot mix IPv4 and IPv6 targets in one scan; split it in two")
        if v6 and not self.ipv6:
            object.__setattr__(self, "ipv6", True)
        if self.ipv6 and v4:
            raise ValueError("ipv6 is set but the targets are IPv4")
        return self

    # --- renderings -------------------------------------------------------------------

    def to_argv(self) -> list[str]:
        """The exact argv the executor runs (see operatorx.tools.nmap.argv)."""
        from operatorx.tools.nmap.argv import build_argv

        return build_argv(self)

    @classmethod
    def from_argv(cls, argv: list[str] | str) -> NmapScan:
        """Parse an (edited) nmap command back; raises ValidationFailed with the reason."""
        from operatorx.tools.nmap.argv import parse_argv

        return parse_argv(argv)  # it splits a string itself, so unbalanced quotes are a ValidationFailed

    def to_command(self) -> str:
        return shlex.join(self.to_argv())

    def describe(self) -> str:
        """Plain-language explanation, derived from the fields only."""
        from operatorx.tools.nmap.argv import describe

        return describe(self)

    def compact(self) -> dict:
        """The form the planner emits and training data stores."""
        d = self.model_dump(exclude_defaults=True)
        d["tool"] = "nmap"
        return {"tool": "nmap", **{k: v for k, v in d.items() if k != "tool"}}
