"""Train-only nmap families for the paraphrase draws: scan asks the template families lack.

The hand-written dev set (data/dev-hand) showed the adapter failing scans whose structure,
not only their filler, is new to it: three ports in a list ("80, 443 or 8080" lost the
third), ports given bare after "on" with another option ("service versions on 80 and 443"
lost the ports), a service named where a port belongs ("anything on telnet", the open-only sense in words the
grounding reads: "open", "runs"), and a packet
rate as a cap ("keep it under 50 packets a second" was refused). These families teach those
shapes. They are never part of a committed split: ``datagen_paraphrase`` adds them to a draw
only while a vocabulary that carries them is in force (half F), so the generator's own stream
and every committed split stay the same bytes. Their wording avoids the held-out families'
("listen", "answer", "respond", "offer", "expose") and dev-hand's questions (tests check).
"""

from __future__ import annotations

import random

from operatorx.training.datagen_nmap import scan, target
from operatorx.training.datagen_nmap_natural import SERVICES
from operatorx.training.datagen_phrasing import Bag, Family, drawer, template_families
from operatorx.training.datagen_values import Phrase

PORTS = [21, 22, 23, 25, 53, 80, 110, 143, 443, 445, 993, 1433, 3306, 3389, 5432, 5900, 6379, 8000, 8080, 8443, 9200]
RATES = [10, 20, 25, 50, 100, 200, 300, 500, 1000, 2000]


def port_list(r: random.Random, n: int) -> Phrase:
    """``n`` distinct ports written as an analyst lists them: "80, 443 or 8080", "80/443", "22 and 3389"."""
    ports = r.sample(PORTS, n)
    words = [str(p) for p in ports]
    style = r.choice(["or", "and", "or", "slash", "space", "comma", "oxford"])
    if style == "slash":
        text = "/".join(words)
    elif style == "space":
        text = " ".join(words)
    elif style == "comma":
        text = ",".join(words)
    elif style == "oxford" and n > 2:
        text = ", ".join(words[:-1]) + ", or " + words[-1]
    else:
        joiner = "or" if style in ("or", "oxford") else "and"
        text = ", ".join(words[:-1]) + f" {joiner} " + words[-1]
    return Phrase(text, {"ports": ",".join(words)})


drawer("xnet")(lambda r, b: target(r, kinds=("cidr", "range", "star", "x")))
drawer("xone")(lambda r, b: target(r, kinds=("ip", "host", "local")))
drawer("xtg")(lambda r, b: target(r))
drawer("plist")(lambda r, b: port_list(r, r.choice([2, 3, 3, 4])))
drawer("rate")(lambda r, b: r.choice(RATES))


@drawer("xsvc")
def _svc(r, b):
    name = r.choice(list(SERVICES))
    return Phrase(r.choice([name, name, name.upper()]), {"value": SERVICES[name]})


FAMILIES: list[Family] = []


def T(b: Bag, key: str) -> list[str]:
    return b[key].meaning["targets"]


def P(b: Bag) -> str:
    return b["plist"].meaning["ports"]


def F(fid, intent, build, train, weight=1.0):
    FAMILIES.extend(template_families(fid, intent, "nmap", build, train, (), weight))


F("nmapx.plist.net", "nmap.ports", lambda b: scan(targets=T(b, "xnet"), ports=P(b), open_only=True),
  ["hosts in {xnet} with {plist} open", "is {plist} open anywhere in {xnet}?", "check {xnet} for open {plist}",
   "anything open on {plist} across {xnet}?", "which machines on {xnet} have {plist} open",
   "{xnet}: who has {plist} open?"], weight=2)
F("nmapx.plist.one", "nmap.ports", lambda b: scan(targets=T(b, "xone"), ports=P(b)),
  ["scan {xone} on {plist}", "check {plist} on {xone}", "{xone}: {plist}?", "try {plist} against {xone}",
   "is {xone} open on {plist}", "look at {plist} on {xone}"], weight=2)
F("nmapx.plist.sv", "nmap.version", lambda b: scan(targets=T(b, "xtg"), ports=P(b), service_version=True),
  ["identify the services on {plist} of {xtg}", "versions of whatever runs on {plist} at {xtg}",
   "service detection for {xtg} on {plist}", "what software sits on {plist} of {xtg}?",
   "get versions from {xtg} on {plist}"], weight=1.5)
F("nmapx.plist.os", "nmap.compose", lambda b: scan(targets=T(b, "xtg"), ports=P(b), os_detection=True),
  ["os detection on {xtg}, just {plist}", "what os is {xtg}? only check {plist}"], weight=0.6)
F("nmapx.svc.net", "nmap.ports", lambda b: scan(targets=T(b, "xnet"), ports=str(b["xsvc"].meaning["value"]),
                                                   open_only=True),
  ["anything with {xsvc} open in {xnet}?", "hosts with {xsvc} open on {xnet}", "is {xsvc} open anywhere in {xnet}",
   "{xnet}: which hosts have {xsvc} open?", "{xnet}: who runs {xsvc}?"], weight=1.5)
F("nmapx.rate.max", "nmap.compose", lambda b: scan(targets=T(b, "xtg"), max_rate=b["rate"]),
  ["scan {xtg} but stay under {rate} packets a second", "scan {xtg}, capped at {rate} packets/sec",
   "scan {xtg}; limit it to {rate} pps", "go easy on {xtg}: at most {rate} packets per second",
   "scan {xtg} without going over {rate} packets a second", "throttle the scan of {xtg} to {rate} pps"], weight=1.5)
F("nmapx.rate.min", "nmap.compose", lambda b: scan(targets=T(b, "xtg"), min_rate=b["rate"]),
  ["scan {xtg} at no less than {rate} packets a second", "scan {xtg}, at least {rate} pps",
   "push at least {rate} packets per second at {xtg}"], weight=0.8)
F("nmapx.rate.ports", "nmap.compose", lambda b: scan(targets=T(b, "xtg"), ports=P(b), max_rate=b["rate"]),
  ["scan {plist} on {xtg} but stay under {rate} packets a second", "{xtg} ports {plist}, max {rate} pps"], weight=0.8)
