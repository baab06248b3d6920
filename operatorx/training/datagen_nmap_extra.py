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
from operatorx.training.datagen_nmap_natural import SERVICES, T
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


# Targets: datagen_nmap_natural's {net} and {tg}; {xone} is its {one} without IPv6.
drawer("xone")(lambda r, b: target(r, kinds=("ip", "host", "local")))
drawer("plist")(lambda r, b: port_list(r, r.choice([2, 3, 3, 4])))
drawer("rate")(lambda r, b: r.choice(RATES))


@drawer("xsvc")
def _svc(r, b):
    name = r.choice(list(SERVICES))
    return Phrase(r.choice([name, name, name.upper()]), {"value": SERVICES[name]})


FAMILIES: list[Family] = []


def P(b: Bag) -> str:
    return b["plist"].meaning["ports"]


def F(fid, intent, build, train, weight=1.0):
    FAMILIES.extend(template_families(fid, intent, "nmap", build, train, (), weight))


F("nmapx.plist.net", "nmap.ports", lambda b: scan(targets=T(b, "net"), ports=P(b), open_only=True),
  ["hosts in {net} with {plist} open", "is {plist} open anywhere in {net}?", "check {net} for open {plist}",
   "anything open on {plist} across {net}?", "which machines on {net} have {plist} open",
   "{net}: who has {plist} open?"], weight=2)
F("nmapx.plist.one", "nmap.ports", lambda b: scan(targets=T(b, "xone"), ports=P(b)),
  ["scan {xone} on {plist}", "check {plist} on {xone}", "{xone}: {plist}?", "try {plist} against {xone}",
   "is {xone} open on {plist}", "look at {plist} on {xone}"], weight=2)
F("nmapx.plist.sv", "nmap.version", lambda b: scan(targets=T(b, "tg"), ports=P(b), service_version=True),
  ["identify the services on {plist} of {tg}", "versions of whatever runs on {plist} at {tg}",
   "service detection for {tg} on {plist}", "what software sits on {plist} of {tg}?",
   "get versions from {tg} on {plist}"], weight=1.5)
F("nmapx.plist.os", "nmap.compose", lambda b: scan(targets=T(b, "tg"), ports=P(b), os_detection=True),
  ["os detection on {tg}, just {plist}", "what os is {tg}? only check {plist}"], weight=0.6)
F("nmapx.svc.net", "nmap.ports", lambda b: scan(targets=T(b, "net"), ports=str(b["xsvc"].meaning["value"]),
                                                   open_only=True),
  ["anything with {xsvc} open in {net}?", "hosts with {xsvc} open on {net}", "is {xsvc} open anywhere in {net}",
   "{net}: which hosts have {xsvc} open?", "{net}: who runs {xsvc}?"], weight=1.5)
F("nmapx.rate.max", "nmap.compose", lambda b: scan(targets=T(b, "tg"), max_rate=b["rate"]),
  ["scan {tg} but stay under {rate} packets a second", "scan {tg}, capped at {rate} packets/sec",
   "scan {tg}; limit it to {rate} pps", "go easy on {tg}: at most {rate} packets per second",
   "scan {tg} without going over {rate} packets a second", "throttle the scan of {tg} to {rate} pps"], weight=1.5)
F("nmapx.rate.min", "nmap.compose", lambda b: scan(targets=T(b, "tg"), min_rate=b["rate"]),
  ["scan {tg} at no less than {rate} packets a second", "scan {tg}, at least {rate} pps",
   "push at least {rate} packets per second at {tg}"], weight=0.8)
F("nmapx.rate.ports", "nmap.compose", lambda b: scan(targets=T(b, "tg"), ports=P(b), max_rate=b["rate"]),
  ["scan {plist} on {tg} but stay under {rate} packets a second", "{tg} ports {plist}, max {rate} pps"], weight=0.8)
