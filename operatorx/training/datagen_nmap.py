"""Nmap families: a compositional generator over every NmapScan option, plus natural asks.

``compose`` draws a valid option set (one port selection, one technique, extras), renders
each option as a fragment in words ("version detection", "skip ping") or as flags ("-sV",
"-Pn"), and wraps them in a frame ("scan {tg} with {F}", "nmap {F} {tg}" …). Flags and values
travel as bag values, so case noise never turns ``-O`` into ``-o``.

Conventions: "open ports" / "what's open" → ``open_only``; "quick"/"fast" → ``fast``;
"top N" → ``top_ports: N``; "tcp and udp" → ``udp: true`` beside the TCP technique; "udp
scan" / ``-sU`` alone → ``technique: udp``; "aggressive scan"/``-A`` → ``aggressive``, but
"aggressive timing"/T4 → ``timing: 4``; ``10.0.0.x`` → ``10.0.0.*`` (as the planner's grounding
reads it). Targets are always written in the question: the planner only lets the model
name addresses the analyst typed.
"""

from __future__ import annotations

import ipaddress
import random

from operatorx.schemas.nmap import NmapScan
from operatorx.training import datagen_values as V
from operatorx.training.datagen_phrasing import (
    CHATTY_PRE,
    CHATTY_SUF,
    SHIFT_PRE,
    SHIFT_SUF,
    Bag,
    Example,
    Family,
    render,
    with_frame,
)
from operatorx.training.datagen_values import Phrase

TIMING_NAMES = ["paranoid", "sneaky", "polite", "normal", "aggressive", "insane"]


def scan(**fields) -> dict:
    """Validated compact NmapScan."""
    return NmapScan.model_validate({"tool": "nmap", **fields}).compact()


# --- targets -----------------------------------------------------------------------------------------

def target(r: random.Random, allow_multi: bool = True, kinds: tuple[str, ...] | None = None) -> Phrase:
    """Target text and ``{"targets": [...], "net": bool}`` (net: a range an exclude can cut)."""
    options = {"ip": 40, "host": 14, "cidr": 15, "range": 6, "star": 2, "x": 2, "ip6": 6, "cidr6": 1,
               "local": 4, "multi": 10 if allow_multi else 0}
    if kinds:
        options = {k: w for k, w in options.items() if k in kinds}
    kind = r.choices(list(options), list(options.values()))[0]
    if kind == "ip":
        ip = V.ip4(r)
        return Phrase(r.choice([ip, ip, ip, f"host {ip}"]), {"targets": [ip]})
    if kind == "host":
        h = r.choice(V.SCAN_HOSTS)
        return Phrase(r.choice([h, h, f"host {h}", f"the box {h}"]), {"targets": [h]})
    if kind == "cidr":
        n = V.cidr_scan(r)
        return Phrase(r.choice([n, n, f"the {n} subnet", f"subnet {n}", f"network {n}", f"the {n} range"]),
                      {"targets": [n], "net": True})
    if kind == "range":
        t = V.range4(r)
        return Phrase(r.choice([t, t, f"hosts {t}", f"the range {t}"]), {"targets": [t], "net": True})
    if kind == "star":
        t = f"{V.net24(r)}.*"
        return Phrase(t, {"targets": [t], "net": True})
    if kind == "x":  # the planner's grounding reads 10.0.0.x as the nmap wildcard 10.0.0.*
        n24 = V.net24(r)
        return Phrase(r.choice([f"{n24}.x", f"the {n24}.x network"]), {"targets": [f"{n24}.*"], "net": True})
    if kind == "ip6":
        t = V.ip6(r)
        return Phrase(r.choice([t, f"ipv6 host {t}", t]), {"targets": [t]})
    if kind == "cidr6":
        t = V.cidr6(r)
        return Phrase(r.choice([t, f"the ipv6 range {t}"]), {"targets": [t], "net": True})
    if kind == "local":
        t, text = r.choice([("localhost", "localhost"), ("127.0.0.1", "127.0.0.1"), ("::1", "::1"),
                            ("localhost", "localhost")])
        return Phrase(text, {"targets": [t]})
    items = []
    pool = r.choice(["ip", "ip", "host"])
    while len(items) < r.randint(2, 3):
        v = V.ip4(r) if pool == "ip" else r.choice(V.SCAN_HOSTS)
        if v not in items:
            items.append(v)
    return Phrase(V.join_list(r, items), {"targets": items})


def inside(r: random.Random, net: str) -> str:
    """An address inside a CIDR / range / wildcard target (for exclude)."""
    if "/" in net:
        n = ipaddress.ip_network(net)
        hosts = min(n.num_addresses - 2, 250)
        return str(n.network_address + r.randint(1, max(1, hosts)))
    parts = net.split(".")
    out = []
    for p in parts:
        if p == "*":
            out.append(str(r.randint(1, 254)))
        elif "-" in p:
            lo, hi = map(int, p.split("-"))
            out.append(str(r.randint(lo, hi)))
        else:
            out.append(p)
    return ".".join(out)


# --- port specs and durations ------------------------------------------------------------------------

def port_spec(r: random.Random, with_udp: bool = False) -> tuple[str, str]:
    """(text, spec). With udp: 'tcp 22,80 and udp 53' → 'T:22,80,U:53'."""
    if with_udp:
        tcp = sorted(r.sample([22, 80, 443, 445, 3389, 25, 21], r.randint(1, 2)))
        udp = sorted(r.sample([53, 161, 123, 137, 500, 69], r.randint(1, 2)))
        spec = f"T:{','.join(map(str, tcp))},U:{','.join(map(str, udp))}"
        text = r.choice([f"tcp {','.join(map(str, tcp))} and udp {','.join(map(str, udp))}", spec])
        return text, spec
    style = r.random()
    if style < 0.35:
        p = str(V.port(r))
        return p, p
    if style < 0.7:
        ps = sorted(r.sample(V.COMMON_PORTS, r.randint(2, 5)), key=V.COMMON_PORTS.index)
        spec = ",".join(map(str, ps))
        return r.choice([spec, V.join_list(r, list(map(str, ps)))]), spec
    if style < 0.9:
        lo, hi = r.choice([(1, 1024), (1, 100), (1, 1000), (8000, 8100), (1, 10000), (20, 25), (8080, 8090), (1024, 65535)])
        return r.choice([f"{lo}-{hi}", f"{lo} to {hi}", f"{lo} through {hi}"]), f"{lo}-{hi}"
    a, b = r.sample([22, 80, 443, 3389, 445], 2)
    lo = r.choice([8000, 8080, 9000])
    spec = f"{a},{b},{lo}-{lo + 100}"
    return spec, spec


def duration(r: random.Random) -> tuple[str, str]:
    return r.choice([("30s", "30s"), ("30 seconds", "30s"), ("2m", "2m"), ("2 minutes", "2m"), ("5m", "5m"),
                     ("5 minutes", "5m"), ("10 min", "10m"), ("1h", "1h"), ("an hour", "1h"), ("90s", "90s"),
                     ("500ms", "500ms"), ("15 minutes", "15m")])


# --- option fragments ---------------------------------------------------------------------------------

TECH_WORDS = {
    "syn": (["syn scan", "SYN", "stealth scan", "half-open scan", "-sS"], ["syn-only probing"], "-sS"),
    "connect": (["tcp connect scan", "connect scan", "full connect", "-sT", "full tcp handshake"], ["complete handshakes"], "-sT"),
    "udp": (["udp scan", "UDP", "-sU", "udp only"], ["udp probing"], "-sU"),
    "ack": (["ack scan", "-sA", "ACK scan to map the firewall"], ["firewall rule mapping with ACKs"], "-sA"),
    "fin": (["fin scan", "-sF", "FIN scan"], ["FIN probes"], "-sF"),
    "null": (["null scan", "-sN"], ["no-flags probes"], "-sN"),
    "xmas": (["xmas scan", "christmas tree scan", "-sX"], ["xmas-tree packets"], "-sX"),
    "ping": (["ping sweep", "host discovery only", "-sn", "no port scan", "ping scan"], ["just liveness checks"], "-sn"),
}
SIMPLE = {  # option → (train words, shifted words, flag)
    "service_version": (["version detection", "service versions", "svc ver", "-sV", "service detection",
                         "detect versions", "service/version info"], ["software versions", "banner and version fingerprinting"], "-sV"),
    "os_detection": (["os detection", "OS fingerprinting", "-O", "os det", "guess the os",
                      "detect the operating system"], ["identify the platform"], "-O"),
    "aggressive": (["aggressive scan", "-A", "aggressive mode", "aggressive detection"], ["the full -A treatment"], "-A"),
    "skip_discovery": (["-Pn", "skip host discovery", "no ping", "assume hosts are up", "treat all hosts as online",
                        "skip ping", "don't ping"], ["without pinging first"], "-Pn"),
    "open_only": (["only open ports", "--open", "show just open ports", "open ports only", "only show open"],
                  ["hide closed and filtered ports"], "--open"),
    "traceroute": (["traceroute", "--traceroute", "trace the route", "with traceroute"], ["map the hops"], "--traceroute"),
    "fast": (["fast", "quick scan", "-F", "fast mode"], ["a speedy scan"], "-F"),
    "all_ports": (["all ports", "every port", "all 65535 ports", "the full port range", "-p-"], ["each and every port"], "-p-"),
    "udp": (["plus udp", "udp too", "and UDP", "also udp", "tcp and udp"], ["UDP alongside TCP"], None),
}


class Frags:
    """Collects fragments as template text; values and flags become bag placeholders."""

    def __init__(self, bag: Bag, held_out: bool, flags: bool):
        self.bag, self.held_out, self.flags, self.items = bag, held_out, flags, []
        self.r = bag.r

    def value(self, text: str) -> str:
        key = f"v{len(self.bag)}"
        self.bag[key] = text
        return "{" + key + "}"

    def word(self, train: list[str], shifted: list[str], flag: str | None, **vals) -> None:
        if self.flags and flag:
            self.items.append(self.value(flag.format(**vals)))
            return
        pool = shifted if self.held_out and shifted and self.r.random() < 0.7 else train
        text = self.r.choice(pool)
        if text.startswith("-"):  # a flag spelled inside a wordy ask
            self.items.append(self.value(text.format(**vals)))
            return
        parts = text.split("{")
        out = parts[0]
        for p in parts[1:]:
            name, rest = p.split("}", 1)
            out += self.value(str(vals[name])) + rest
        self.items.append(out)

    def joined(self) -> str:
        if self.flags:
            return " ".join(self.items)
        return V.join_list(self.r, self.items) if len(self.items) > 1 else self.items[0]


def draw_options(r: random.Random, tgt: Phrase, max_extras: int) -> dict:
    """A random valid option set (not yet phrased)."""
    o: dict = {}
    tech = r.choices(list(TECH_WORDS) + ["default"], [14, 7, 5, 3, 2, 2, 2, 9, 54])[0]
    if tech != "default":
        o["technique"] = tech
    if tech != "ping":
        sel = r.choices(["none", "ports", "top", "all", "fast"], [45, 27, 10, 8, 10])[0]
        if sel == "ports":
            o["ports"] = None  # filled when phrased (udp may change the spec)
        elif sel == "top":
            o["top_ports"] = r.choice([10, 20, 50, 100, 200, 500, 1000, 1000, 2000, 5000])
        elif sel == "all":
            o["all_ports"] = True
        elif sel == "fast":
            o["fast"] = True
    extras = ["service_version", "os_detection", "aggressive", "scripts", "timing", "skip_discovery", "open_only",
              "traceroute", "exclude", "min_rate", "max_rate", "host_timeout", "udp", "version_intensity"]
    weights = [25, 14, 7, 12, 20, 10, 12, 5, 8, 4, 4, 4, 6, 4]
    n = r.choices(range(max_extras + 1), [25, 40, 22, 10, 3][: max_extras + 1])[0]
    for name in r.choices(extras, weights, k=n):
        if tech == "ping" and name in ("service_version", "os_detection", "udp", "version_intensity", "aggressive",
                                       "scripts", "open_only"):
            continue
        if name == "udp" and tech not in ("default", "syn", "connect"):
            continue
        if name == "exclude" and not tgt.meaning.get("net"):
            continue
        if name == "version_intensity":
            o["service_version"] = True
            o[name] = r.choice([0, 2, 5, 7, 9])
        elif name == "scripts":
            o[name] = _scripts(r)
        elif name == "timing":
            o[name] = r.choices(range(6), [2, 3, 6, 3, 12, 4])[0]
        elif name == "exclude":
            o[name] = sorted({inside(r, tgt.meaning["targets"][0]) for _ in range(r.choice([1, 1, 2]))})
        elif name == "min_rate":
            o[name] = r.choice([50, 100, 200, 500, 1000, 2000, 5000])
        elif name == "max_rate":
            o[name] = r.choice([10, 20, 50, 100, 200, 300, 500])
        elif name == "host_timeout":
            o[name] = duration(r)
        else:
            o[name] = True
    if o.get("min_rate", 0) > o.get("max_rate", 10**6):
        del o["min_rate"]
    return o


def _scripts(r: random.Random) -> list[str]:
    from operatorx.schemas.nmap import ALLOWED_SCRIPTS, SCRIPT_CATEGORIES

    if r.random() < 0.4:
        return [r.choice(SCRIPT_CATEGORIES)]
    return r.sample(ALLOWED_SCRIPTS, r.choice([1, 1, 1, 2]))


def phrase_options(f: Frags, o: dict) -> dict:
    """Append a fragment per option; return the NmapScan fields."""
    r, fields = f.r, {}
    tech = o.get("technique")
    if tech:
        tr, sh, flag = TECH_WORDS[tech]
        f.word(tr, sh, flag)
        fields["technique"] = tech
    if "ports" in o:
        text, spec = port_spec(r, with_udp=bool(o.get("udp")) and r.random() < 0.4)
        one = "," not in spec and "-" not in spec
        f.word([("port {p}" if one else "ports {p}"), "-p {p}", ("on port {p}" if one else "on ports {p}"), "p {p}"],
               [("restricted to port {p}" if one else "restricted to ports {p}")], "-p {p}", p=text if not f.flags else spec)
        fields["ports"] = spec
    if "top_ports" in o:
        f.word(["top {n} ports", "the {n} most common ports", "--top-ports {n}", "top {n}"], ["the {n} most popular ports"],
               "--top-ports {n}", n=o["top_ports"])
        fields["top_ports"] = o["top_ports"]
    for name in ("all_ports", "fast"):
        if o.get(name):
            f.word(*SIMPLE[name])
            fields[name] = True
    if o.get("udp"):
        if f.flags:
            if tech in ("syn", "connect"):
                f.items.append(f.value("-sU"))
                fields["udp"] = True
        else:
            f.word(*SIMPLE["udp"])
            fields["udp"] = True
    if o.get("service_version"):
        if "version_intensity" in o:
            k = o["version_intensity"]
            f.word(["version detection at intensity {k}", "-sV --version-intensity {k}", "svc ver intensity {k}",
                    "service versions (intensity {k})"], ["version probing with intensity {k}"],
                   "-sV --version-intensity {k}", k=k)
            fields["version_intensity"] = k
        else:
            f.word(*SIMPLE["service_version"])
        fields["service_version"] = True
    for name in ("os_detection", "aggressive"):
        if o.get(name):
            f.word(*SIMPLE[name])
            fields[name] = True
    if o.get("scripts"):
        ss = o["scripts"]
        fields["scripts"] = ss
        if ss == ["default"]:
            f.word(["default scripts", "-sC", "the default NSE scripts"], ["standard NSE checks"], "-sC")
        elif len(ss) == 1 and ss[0] in ("safe", "discovery", "version", "vuln"):
            f.word(["{s} scripts", "--script {s}", "the {s} NSE category", "nse {s}"], ["the {s} script set"],
                   "--script {s}", s=ss[0])
        else:
            f.word(["script {s}", "--script {s}", "run {s}", "nse {s}", "with {s}"], ["the {s} NSE check"],
                   "--script {s}", s=",".join(ss) if f.flags or r.random() < 0.5 else " and ".join(ss))
    if "timing" in o:
        k = o["timing"]
        name = TIMING_NAMES[k]
        words = ["-T{k}", "T{k}", "timing {k}", "timing template {k}", f"{name} timing", f"-T {name}"]
        if name in ("paranoid", "sneaky", "polite", "insane"):
            words += [name, f"{name} speed"]
        f.word(words, [f"at {name} pace", "speed level {k}"], "-T{k}", k=k)
        fields["timing"] = k
    for name in ("skip_discovery", "open_only", "traceroute"):
        if o.get(name):
            f.word(*SIMPLE[name])
            fields[name] = True
    if o.get("exclude"):
        xs = o["exclude"]
        f.word(["excluding {x}", "except {x}", "--exclude {x}", "but not {x}", "skip {x}"], ["leave {x} alone"],
               "--exclude {x}", x=",".join(xs) if f.flags else V.join_list(r, xs))
        fields["exclude"] = xs
    if "min_rate" in o:
        f.word(["min rate {n}", "--min-rate {n}", "at least {n} pps", "at least {n} packets per second"],
               ["no slower than {n} packets a second"], "--min-rate {n}", n=o["min_rate"])
        fields["min_rate"] = o["min_rate"]
    if "max_rate" in o:
        f.word(["max rate {n}", "--max-rate {n}", "no more than {n} pps", "cap at {n} packets/sec", "rate limit {n}/s"],
               ["throttled to {n} packets a second"], "--max-rate {n}", n=o["max_rate"])
        fields["max_rate"] = o["max_rate"]
    if "host_timeout" in o:
        text, spec = o["host_timeout"]
        f.word(["host timeout {d}", "--host-timeout {d}", "give up on slow hosts after {d}", "{d} per host max"],
               ["abandon any host after {d}"], "--host-timeout {d}", d=spec if f.flags else text)
        fields["host_timeout"] = spec
    return fields


WORD_FRAMES = ["scan {tg} with {F}", "scan {tg}, {F}", "{F} on {tg}", "{F} against {tg}", "{tg}: {F}", "{tg} {F}",
               "can you scan {tg} with {F}?", "run {F} on {tg}", "I want {F} for {tg}", "please check {tg} - {F}",
               "nmap {tg} {F}", "{F} scan of {tg}", "scan {tg} using {F}"]
WORD_FRAMES_S = ["could you take a look at {tg} using {F}", "{tg} -> {F}", "let's hit {tg} with {F}",
                 "examine {tg}; {F}", "i'd like {F} run over {tg}"]
FLAG_FRAMES = ["nmap {F} {tg}", "{F} {tg}", "run nmap {F} against {tg}", "nmap {tg} {F}", "nmap {F} {tg} please"]
FLAG_FRAMES_S = ["please do nmap {F} {tg} for me", "execute nmap {F} on {tg}"]
PLAIN_FRAMES = ["scan {tg}", "nmap {tg}", "port scan {tg}", "check {tg}", "probe {tg}", "scan {tg} please",
                "run a scan on {tg}", "can you scan {tg}?", "basic scan of {tg}", "default nmap scan of {tg}"]
PLAIN_FRAMES_S = ["have a look at {tg} with nmap", "give {tg} a once-over with nmap"]


def compose(r: random.Random, held_out: bool, flags: bool) -> Example:
    bag = Bag(r, shifted=held_out)
    tgt = target(r)
    bag["tg"] = tgt.text
    o = draw_options(r, tgt, max_extras=4)
    f = Frags(bag, held_out, flags)
    fields = phrase_options(f, o)
    if not f.items:
        frame = r.choice(PLAIN_FRAMES_S if held_out else PLAIN_FRAMES)
    elif flags:
        frame = r.choice(FLAG_FRAMES_S if held_out else FLAG_FRAMES)
    else:
        frame = r.choice(WORD_FRAMES_S if held_out else WORD_FRAMES)
    template = frame.replace("{F}", f.joined() if f.items else "")
    q = render(template, bag)
    q = with_frame(r, q, SHIFT_PRE if held_out else CHATTY_PRE, SHIFT_SUF if held_out else CHATTY_SUF)
    return Example(q, scan(targets=tgt.meaning["targets"], **fields))


FAMILIES: list[Family] = [
    Family("nmap.compose.words", "nmap.compose", "nmap", 16, False, lambda r: compose(r, False, False)),
    Family("nmap.compose.flags", "nmap.compose", "nmap", 5, False, lambda r: compose(r, False, True)),
    Family("nmap.compose.words~s", "nmap.compose", "nmap", 5, True, lambda r: compose(r, True, False)),
    Family("nmap.compose.flags~s", "nmap.compose", "nmap", 1.5, True, lambda r: compose(r, True, True)),
]
