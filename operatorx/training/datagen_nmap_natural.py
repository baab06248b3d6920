"""Nmap families, natural asks: 'which hosts are up', 'what's open', 'what OS', NSE by purpose.

These teach the meaning behind everyday wording, where ``datagen_nmap.compose`` teaches the
option vocabulary. Same conventions (see ``datagen_nmap``).
"""

from __future__ import annotations

import random

from operatorx.training.datagen_nmap import scan, target
from operatorx.training.datagen_phrasing import (
    CHATTY_PRE,
    CHATTY_SUF,
    SHIFT_PRE,
    SHIFT_SUF,
    Bag,
    Example,
    Family,
    drawer,
    render,
    template_families,
    with_frame,
)
from operatorx.training.datagen_values import Phrase

FAMILIES: list[Family] = []

drawer("tg")(lambda r, b: target(r))
drawer("net")(lambda r, b: target(r, kinds=("cidr", "range", "star", "x")))
drawer("one")(lambda r, b: target(r, kinds=("ip", "host", "ip6", "local")))

SERVICES = {"ssh": 22, "rdp": 3389, "smb": 445, "https": 443, "http": 80, "mysql": 3306, "vnc": 5900,
            "ftp": 21, "telnet": 23, "postgres": 5432, "redis": 6379, "ldap": 389, "winrm": 5985, "mssql": 1433}


@drawer("svc")
def _svc(r, b):
    name = r.choice(list(SERVICES))
    return Phrase(name, {"value": SERVICES[name]})


drawer("nport")(lambda r, b: r.choice([21, 22, 23, 25, 80, 443, 445, 3389, 8080, 8443, 3306, 5900, 9200, 6379]))
drawer("ntop")(lambda r, b: r.choice([10, 20, 50, 100, 200]))


def T(b: Bag, key: str) -> list[str]:
    return b[key].meaning["targets"]


def F(fid, intent, build, train, shifted=(), weight=1.0):
    FAMILIES.extend(template_families(fid, intent, "nmap", build, train, shifted, weight))


F("nmap.ping", "nmap.discover", lambda b: scan(targets=T(b, "net"), technique="ping"),
  ["which hosts are up in {net}?", "find live hosts on {net}", "ping sweep {net}", "what's alive in {net}",
   "discover hosts in {net}", "host discovery on {net}", "list the live machines in {net}", "who is up on {net}"],
  ["take a census of live hosts across {net}", "who answers on {net}?"], weight=2)
F("nmap.ping.one", "nmap.discover", lambda b: scan(targets=T(b, "one"), technique="ping"),
  ["is {one} up?", "is {one} alive", "check if {one} is online", "ping {one}"], ["does {one} respond at all?"])
F("nmap.open", "nmap.ports", lambda b: scan(targets=T(b, "tg"), open_only=True),
  ["what ports are open on {tg}?", "open ports on {tg}", "what's open on {tg}", "list open ports for {tg}",
   "show me the open ports of {tg}", "{tg} open ports?"], ["which services are listening on {tg}?"], weight=2)
F("nmap.running", "nmap.version", lambda b: scan(targets=T(b, "tg"), service_version=True),
  ["what's running on {tg}?", "what services is {tg} running", "identify services on {tg}",
   "what software is on {tg}", "service versions on {tg}"], ["fingerprint the daemons on {tg}"], weight=1.5)
F("nmap.os", "nmap.os", lambda b: scan(targets=T(b, "tg"), os_detection=True),
  ["what os is {tg} running?", "which operating system is {tg}", "fingerprint the os of {tg}", "os of {tg}?",
   "os det {tg}"], ["tell me the platform of {tg}"], weight=1.5)
F("nmap.isopen", "nmap.ports", lambda b: scan(targets=T(b, "one"), ports=str(b["nport"])),
  ["is port {nport} open on {one}?", "is {nport} open on {one}", "check port {nport} on {one}", "{one} port {nport}"],
  ["does {one} listen on {nport}?"], weight=1.5)
F("nmap.isopen.svc", "nmap.ports", lambda b: scan(targets=T(b, "one"), ports=str(b["svc"].meaning["value"])),
  ["is {svc} open on {one}?", "check {svc} on {one}", "is {one} exposing {svc}"], ["does {one} offer {svc}?"])
F("nmap.find.port", "nmap.ports", lambda b: scan(targets=T(b, "net"), ports=str(b["nport"]), open_only=True),
  ["which hosts in {net} have port {nport} open?", "hosts in {net} listening on {nport}", "find port {nport} open in {net}"],
  ["sweep {net} for anything listening on {nport}"])
F("nmap.find.svc", "nmap.ports", lambda b: scan(targets=T(b, "net"), ports=str(b["svc"].meaning["value"]), open_only=True),
  ["find hosts with {svc} open in {net}", "who runs {svc} in {net}", "which machines in {net} expose {svc}?"],
  ["sweep {net} for anything exposing {svc}"], weight=1.5)
F("nmap.webservers", "nmap.ports", lambda b: scan(targets=T(b, "net"), ports="80,443", open_only=True),
  ["find web servers in {net}", "web servers on {net}?", "any web servers in {net}"], weight=0.6)
F("nmap.quick", "nmap.ports", lambda b: scan(targets=T(b, "tg"), fast=True),
  ["quick scan of {tg}", "fast scan {tg}", "quickly scan {tg}", "a quick look at {tg}"], ["speedy pass over {tg}"])
F("nmap.full", "nmap.ports", lambda b: scan(targets=T(b, "tg"), all_ports=True),
  ["full port scan of {tg}", "scan every port on {tg}", "all ports on {tg}", "all 65535 ports of {tg}"],
  ["sweep the entire port space of {tg}"])
F("nmap.udp.top", "nmap.udp", lambda b: scan(targets=T(b, "tg"), technique="udp", top_ports=b["ntop"]),
  ["top {ntop} udp ports on {tg}", "scan the {ntop} most common udp ports of {tg}"], weight=0.6)
F("nmap.top", "nmap.ports", lambda b: scan(targets=T(b, "tg"), top_ports=b["ntop"]),
  ["top {ntop} ports on {tg}", "scan the {ntop} most common ports on {tg}"], weight=0.6)

# NSE by purpose: (train phrasings, scripts, ports, technique)
PURPOSES = [
    (["check the tls ciphers on {one}", "ssl ciphers of {one}"], ["ssl-enum-ciphers"], "443", None),
    (["grab the ssl cert from {one}", "show the tls certificate of {one}"], ["ssl-cert"], "443", None),
    (["get page titles for {tg}", "http titles on {tg}"], ["http-title"], "80,443", None),
    (["http headers of {one}"], ["http-headers"], "80", None),
    (["which http methods does {one} allow", "allowed http methods on {one}"], ["http-methods"], "80,443", None),
    (["check robots.txt on {one}"], ["http-robots.txt"], "80", None),
    (["http server header of {one}"], ["http-server-header"], "80", None),
    (["enumerate web dirs on {one}", "http-enum against {one}"], ["http-enum"], "80", None),
    (["smb os discovery on {tg}", "get the windows version over smb from {tg}"], ["smb-os-discovery"], "445", None),
    (["which smb protocols does {one} support", "smb dialects of {one}"], ["smb-protocols"], "445", None),
    (["check smb signing on {tg}", "smb2 security mode of {tg}"], ["smb2-security-mode"], "445", None),
    (["check for anonymous ftp on {tg}", "does {one} allow anonymous ftp"], ["ftp-anon"], "21", None),
    (["ftp system type of {one}"], ["ftp-syst"], "21", None),
    (["ssh host keys of {tg}", "grab ssh hostkeys from {tg}"], ["ssh-hostkey"], "22", None),
    (["ssh auth methods on {one}"], ["ssh-auth-methods"], "22", None),
    (["ssh algorithms of {one}", "which kex algos does {one} offer over ssh"], ["ssh2-enum-algos"], "22", None),
    (["rdp encryption on {tg}", "check rdp encryption levels of {tg}"], ["rdp-enum-encryption"], "3389", None),
    (["mysql info from {one}"], ["mysql-info"], "3306", None),
    (["vnc info on {tg}"], ["vnc-info"], "5900", None),
    (["smtp commands supported by {one}"], ["smtp-commands"], "25", None),
    (["imap capabilities of {one}"], ["imap-capabilities"], "143", None),
    (["pop3 capabilities of {one}"], ["pop3-capabilities"], "110", None),
    (["check for sslv2 on {one}"], ["sslv2"], "443", None),
    (["alpn protocols on {one}"], ["tls-alpn"], "443", None),
    (["snmp info from {one}", "query snmp on {one}"], ["snmp-info"], "161", "udp"),
    (["dns nsid of {one}"], ["dns-nsid"], "53", "udp"),
    (["grab banners from {tg}", "banner grab {tg}"], ["banner"], None, None),
    (["netbios names of {tg}", "nbstat on {tg}"], ["nbstat"], None, None),
    (["check {tg} for vulnerabilities", "vuln scan {tg}", "run the vuln scripts on {tg}"], ["vuln"], None, None),
    (["run safe scripts against {tg}"], ["safe"], None, None),
    (["discovery scripts on {tg}"], ["discovery"], None, None),
    (["default scripts on {tg}", "run -sC on {tg}"], ["default"], None, None),
]
PURPOSES_S = [
    (["audit the cipher suites of {one}"], ["ssl-enum-ciphers"], "443", None),
    (["pull the x509 cert presented by {one}"], ["ssl-cert"], "443", None),
    (["can strangers log into ftp on {tg} anonymously?"], ["ftp-anon"], "21", None),
    (["look for known vulns on {tg}"], ["vuln"], None, None),
    (["what do the web pages on {tg} call themselves?"], ["http-title"], "80,443", None),
]


def purpose(r: random.Random, held_out: bool) -> Example:
    phrases, scripts, ports, tech = r.choice(PURPOSES_S if held_out else PURPOSES)
    bag = Bag(r, shifted=held_out)
    q = render(r.choice(phrases), bag)
    bag.frozen = True
    q = with_frame(r, q, SHIFT_PRE if held_out else CHATTY_PRE, SHIFT_SUF if held_out else CHATTY_SUF)
    key = "one" if "one" in bag else "tg"  # dict membership: does not draw
    fields = {"scripts": scripts}
    if ports:
        fields["ports"] = ports
    if tech:
        fields["technique"] = tech
    return Example(q, scan(targets=T(bag, key), **fields))


FAMILIES += [
    Family("nmap.script.purpose", "nmap.scripts", "nmap", 4, False, lambda r: purpose(r, False)),
    Family("nmap.script.purpose~s", "nmap.scripts", "nmap", 1, True, lambda r: purpose(r, True)),
]
