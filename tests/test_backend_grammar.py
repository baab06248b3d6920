"""The decoding grammar accepts exactly the compact text `format_call` writes, and no more.

llguidance runs here with a byte-level tokenizer (one token per byte), so these tests check
the grammar's language without loading a model; tests/test_backend_llama.py runs the same
grammar with the real tokenizer.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

llguidance = pytest.importorskip("llguidance")

from operatorx.agent.prompting import format_call  # noqa: E402
from operatorx.backend.grammar import catalog_ip_fields, decoding_schema, fingerprint  # noqa: E402
from operatorx.backend.llama import JSON_OPTIONS  # noqa: E402
from operatorx.backend.reach import EOS, ByteTokenizer  # noqa: E402
from operatorx.schemas import parse_plan  # noqa: E402
from operatorx.tools.elastic.catalog import FieldCatalog  # noqa: E402

_Bytes = ByteTokenizer  # one byte per token: a text has exactly one tokenization


@pytest.fixture(scope="module")
def tokenizer():
    return llguidance.LLTokenizer(llguidance.TokenizerWrapper(_Bytes()))


def accepts(tokenizer, schema: dict, text: str) -> bool:
    grammar = llguidance.LLMatcher.grammar_from_json_schema(schema, overrides=JSON_OPTIONS)
    m = llguidance.LLMatcher(tokenizer, grammar, log_level=0)
    assert not m.is_error(), m.get_error()
    return m.consume_tokens(list(text.encode())) and m.is_accepting() and m.consume_token(EOS)


VALID = [
    {"tool": "nmap", "targets": ["127.0.0.1"], "ports": "22,80,443", "service_version": True},
    {"tool": "nmap", "targets": ["127.0.0.0/24", "localhost"], "top_ports": 100, "timing": 4},
    {
        "tool": "nmap",
        "targets": ["127.0.0.1-20"],
        "fast": True,
        "os_detection": True,
        "exclude": ["127.0.0.7"],
    },
    {"tool": "nmap", "targets": ["127.0.0.*"], "all_ports": True, "technique": "syn", "open_only": True},
    {"tool": "nmap", "targets": ["::1"], "technique": "ping"},
    {
        "tool": "nmap",
        "targets": ["127.0.0.1"],
        "ports": "T:80,U:53",
        "udp": True,
        "scripts": ["ssl-cert", "vuln"],
    },
    {
        "tool": "nmap",
        "targets": ["127.0.0.1"],
        "skip_discovery": True,
        "host_timeout": "30s",
        "max_rate": 100,
    },
    {
        "tool": "elasticsearch",
        "index": "logs-zeek-so*",
        "since": "now-24h",
        "where": [
            {"field": "event.dataset", "value": "zeek.dns"},
            {"field": "destination.port", "op": "in", "value": [53, 5353]},
            {"field": "event.duration", "op": "range", "gte": 1.5},
        ],
        "agg": {"field": "dns.query.name", "size": 5},
        "size": 0,
    },
    {
        "tool": "elasticsearch",
        "since": "2024-10-09T12:00Z",
        "until": "now/d",
        "exclude": [{"field": "destination.ip", "value": "10.0.0.0/8"}],
        "sort": [{"field": "client.bytes"}],
        "fields": ["source.ip", "destination.ip"],
    },
    {
        "tool": "elasticsearch",
        "agg": {"type": "date_histogram", "field": "@timestamp", "interval": "1h"},
        "size": 0,
    },
    {
        "tool": "elasticsearch",
        "any_of": [{"field": "process.command_line", "op": "wildcard", "value": "*-enc*"}],
    },
    {"tool": "elasticsearch", "where": [{"field": "ssh.authentication.success", "value": False}]},
    {"tool": "none", "kind": "clarify", "message": "Which host should I scan?"},
    {"tool": "none", "kind": "refuse", "message": 'I can\'t — "quoted", ünïcode and a \\ backslash.'},
]


@pytest.mark.parametrize("data", VALID, ids=lambda d: d["tool"])
@pytest.mark.parametrize("grounded", [False, True], ids=["any-field", "catalog"])
def test_format_call_text_is_accepted(tokenizer, data, grounded):
    compact = parse_plan(data).compact()
    names = FieldCatalog.packaged().names() if grounded else None
    assert accepts(tokenizer, decoding_schema(names), format_call(compact))


@pytest.mark.parametrize(
    "text",
    [
        '{"tool": "nmap","targets":["127.0.0.1"]}',  # a space after the colon
        '{"tool":"nmap", "targets":["127.0.0.1"]}',  # a space after the comma
        '{"targets":["127.0.0.1"],"tool":"nmap"}',  # keys out of schema order
        '{"tool":"nmap","targets":["127.0.0.1"],"fast":false}',  # a default written out
        '{"tool":"nmap","targets":["127.0.0.1"],"technique":"default"}',
        '{"tool":"nmap","targets":["127.0.0.1"],"ports":"80","fast":true}',  # two port choices
        '{"tool":"nmap","targets":["127.0.0.1"],"ports":"80","technique":"ping"}',  # ports in a ping sweep
        '{"tool":"nmap","targets":["127.0.0.1 -oN /tmp/x"]}',  # an option smuggled in a target
        '{"tool":"nmap","targets":["127.0.0.1"],"scripts":["../../evil.nse"]}',
        '{"tool":"nmap","targets":["127.0.0.1"],"extra_args":"-sC"}',
        '{"tool":"shell","cmd":"rm -rf /"}',
        '{"tool":"elasticsearch","where":[{"field":"event.dataset","op":"eq","value":"x"}]}',
        '{"tool":"elasticsearch","since":"yesterday"}',
        '{"tool":"elasticsearch","where":[{"field":"http.status_code","value":500,"gte":1}]}',  # bound without range
        '{"tool":"elasticsearch","where":[{"field":"http.status_code","op":"range","value":500}]}',
        '{"tool":"elasticsearch","where":[{"field":"destination.port","op":"in","value":22}]}',  # in needs a list
        '{"tool":"elasticsearch","where":[{"field":"user.name","op":"exists","value":"x"}]}',
        '{"tool":"elasticsearch","where":[{"field":"user.name","op":"wildcard","value":5}]}',
        '{"tool":"none","message":"kind is required"}',
        '{"tool":"nmap","targets":["127.0.0.1"]}\n',  # trailing text after the object
    ],
)
def test_non_canonical_or_unsafe_text_is_rejected(tokenizer, text):
    assert not accepts(tokenizer, decoding_schema(), text)


def test_catalog_grounds_field_names(tokenizer):
    schema = decoding_schema(["source.ip", "@timestamp"])
    ok = '{"tool":"elasticsearch","where":[{"field":"source.ip","value":"127.0.0.1"}]}'
    bad = '{"tool":"elasticsearch","where":[{"field":"src_ip","value":"127.0.0.1"}]}'
    assert accepts(tokenizer, schema, ok)
    assert not accepts(tokenizer, schema, bad)
    assert not accepts(tokenizer, schema, '{"tool":"elasticsearch","agg":{"field":"host.name"}}')


def test_targets_are_limited_to_the_given_ones(tokenizer):
    schema = decoding_schema(targets=["127.0.0.5", "localhost"])
    assert accepts(tokenizer, schema, '{"tool":"nmap","targets":["127.0.0.5","localhost"]}')
    assert not accepts(tokenizer, schema, '{"tool":"nmap","targets":["127.0.0.6"]}')
    assert not accepts(tokenizer, schema, '{"tool":"nmap","targets":["127.0.0.5"],"exclude":["10.0.0.1"]}')


def test_policy_caps_bound_hits_and_buckets(tokenizer):
    schema = decoding_schema(["source.ip"], caps=(500, 100))
    top = '{"tool":"elasticsearch","agg":{"field":"source.ip","size":%d},"size":0}'
    assert accepts(tokenizer, schema, top % 100)
    assert not accepts(tokenizer, schema, top % 101)
    assert accepts(tokenizer, schema, '{"tool":"elasticsearch","size":500}')
    assert not accepts(tokenizer, schema, '{"tool":"elasticsearch","size":5000}')
    assert accepts(tokenizer, decoding_schema(["source.ip"]), top % 5000)  # no caps: the model's own


def test_ipv6_option_only_where_a_target_can_be_ipv6(tokenizer):
    v4 = decoding_schema(targets=["10.0.0.5", "10.0.0.0/24"])
    assert accepts(tokenizer, v4, '{"tool":"nmap","targets":["10.0.0.5"]}')
    assert not accepts(tokenizer, v4, '{"tool":"nmap","targets":["10.0.0.5"],"ipv6":true}')
    v6 = decoding_schema(targets=["::1", "localhost"])
    assert accepts(tokenizer, v6, '{"tool":"nmap","targets":["::1"],"ipv6":true}')
    assert accepts(tokenizer, v6, '{"tool":"nmap","targets":["localhost"],"ipv6":true}')


def test_a_follow_up_that_moves_the_scan_scans_only_the_named_host():
    from operatorx.agent.grounding import scan_values

    prev = {"tool": "nmap", "targets": ["10.1.1.1"], "ports": "22,80"}
    assert scan_values("same scan against 10.1.1.2 instead", prev)["targets"] == (("10.1.1.2",),)
    assert scan_values("now 10.1.1.2", prev)["targets"] == (("10.1.1.2",),)
    for kept in ("and 10.1.1.2?", "now skip 10.1.1.1", "now faster", "rerun it on 10.1.1.2 too"):
        assert "targets" not in scan_values(kept, prev), kept  # the named and the edited scan's hosts
    # words that add a host keep the scan's hosts and add it; "same … too" adds (dev-hand4)
    for added in ("also 10.1.1.2", "throw 10.1.1.2 in there as well", "now 10.1.1.2 too", "same for 10.1.1.2 too"):
        assert scan_values(added, prev)["targets"] == (("10.1.1.1", "10.1.1.2"),), added
    # "the other firewall" names another host; only "other than" leaves one out
    assert scan_values("now do the same for the other edge firewall, 10.1.1.2", prev)["targets"] == (("10.1.1.2",),)
    assert scan_values("10.1.1.0/24, other than 10.1.1.2", None)["exclude"] == ("10.1.1.0/24", "10.1.1.2")


def test_a_follow_up_that_says_faster_or_slower_gets_that_timing_step():
    from operatorx.agent.grounding import scan_values

    previous = {"tool": "nmap", "targets": ["10.3.0.0/24"], "technique": "ping"}  # default timing 3
    assert scan_values("crank the speed up a notch", previous)["timing"] == (4,)
    assert scan_values("slow it down", previous)["timing"] == (2,)
    assert scan_values("same again, a notch either way", previous)["timing"] == (2, 3, 4)
    assert scan_values("same again", previous)["timing"] == ()  # no word about speed: none is written
    assert scan_values("same again", {**previous, "timing": 2})["timing"] == (2,)  # or the one it has stays
    assert scan_values("add udp 53 and 123 to it", {**previous, "timing": 2})["timing"] == (2,)
    assert scan_values("faster, T5", previous)["timing"] == (4, 5)


def test_freely_written_scan_words_of_dev_hand4():
    """Rules from dev-hand4's failures (read): each narrows what the adapter may write."""
    from operatorx.agent.grounding import scan_values

    # a negated phrase forbids its option, and "too slow" alone asks for no other speed
    prev = {"tool": "nmap", "targets": ["10.20.1.100"], "ports": "80,443", "service_version": True}
    dropped = scan_values("drop the version detection, too slow", prev)
    assert "service_version" not in dropped["switches"] and dropped["timing"] == ()  # no timing written
    assert scan_values("too slow, speed it up", prev)["timing"] == (4,)
    assert "service_version" in scan_values("keep the version detection", prev)["switches"]
    assert scan_values("back it off one notch", {**prev, "timing": 5})["timing"] == (4,)
    # "ping" alone is a ping sweep, not -Pn; "no ping" and its kin are -Pn
    assert "skip_discovery" not in scan_values("whats alive in 10.20.5.0/24? just ping it", None)["switches"]
    for no_ping in ("scan 10.0.0.5, no ping", "10.0.0.5 w/o ping", "don't bother pinging 10.0.0.5", "omit the ping"):
        assert "skip_discovery" in scan_values(no_ping, None)["switches"], no_ping
    # a timeout needs a duration or a word for one: not "listening on 8080 after CHG3390 went in"
    assert scan_values("is web01 still listening on 8080 after CHG3390 went in?", None)["host_timeout"] == ()
    assert scan_values("scan web01, host timeout 300", None)["host_timeout"] == (300,)
    assert scan_values("scan web01, give up after an hour", None)["host_timeout"] == (1,)
    # a service's name alone asks for no script; its details do
    assert "snmp-info" not in scan_values("is SNMP (udp/161) reachable on 192.168.30.0/24", None)["scripts"]
    assert "snmp-info" in scan_values("query snmp on 10.0.0.5", None)["scripts"]
    assert "smb-protocols" in scan_values("SMB versions on fs01? SMBv1 should be off", None)["scripts"]
    # ".45" in a follow-up is a host beside the edited one, not a port
    same = scan_values("same on .45", {"tool": "nmap", "targets": ["10.20.5.44"], "open_only": True})
    assert 45 not in same["ports"] and same["targets"] == (("10.20.5.45",),)
    ranged = {"tool": "nmap", "targets": ["10.20.7.10-40"], "ports": "445"}
    assert scan_values("exclude .22 its the backup server", ranged)["exclude"] == ("10.20.7.22",)
    assert "ping" in scan_values("no port probe of 10.0.0.0/24", None)["technique"]  # -sn's words, paraphrased
    # a yes/no question about named ports on one host is answered by the port list, not --open
    for yes_no in ("is 3389 open on 10.50.4.20 or not", "did the ACL push close telnet on 10.1.0.2?",
                   "Is web01 still listening on 8080 after the change?"):
        assert "open_only" not in scan_values(yes_no, None, ["web01"])["switches"], yes_no
    for listing in ("is 3389 open anywhere in 10.50.4.0/24", "which ports are open on 10.0.0.5, 22 to 25?",
                    "only show open ones: 10.0.0.5 ports 22,80"):
        assert "open_only" in scan_values(listing, None)["switches"], listing


def test_a_follow_up_keeps_the_options_it_says_nothing_about(tokenizer):
    from operatorx.agent.grounding import scan_values

    prev = {"tool": "nmap", "targets": ["localhost"], "ports": "21,25,5900,1337", "aggressive": True}
    assert set(scan_values("just the open ports", prev)["required"]) == {"open_only", "aggressive", "ports"}
    schema = decoding_schema(["localhost"], scan_values=scan_values("just the open ports", prev))
    assert not accepts(tokenizer, schema, '{"tool":"nmap","targets":["localhost"],"open_only":true}')
    assert accepts(tokenizer, schema, format_call({**prev, "open_only": True}))
    v = {"tool": "nmap", "targets": ["10.1.29.0/24"], "ports": "110", "service_version": True, "open_only": True}
    assert {"service_version", "open_only", "skip_discovery"} <= set(
        scan_values("they blok ping, skip discovery when you can", v)["required"])
    assert "service_version" in scan_values("no raw packets, connect scan", v)["required"]
    # an option's own words or flag free it, and so do a ping sweep or a fresh start
    assert "service_version" not in scan_values("drop the version check", v)["required"]
    assert "open_only" not in scan_values("show closed ones too", v)["required"]
    assert "ports" not in scan_values("all ports now", v)["required"]
    # "add 443" keeps the list it adds to, first (round 5 of stop 33: the adapter dropped it)
    assert scan_values("add 443", v)["ports_after"] == ("110",) and "ports" in scan_values("add 443", v)["required"]
    assert "ports" not in scan_values("443 instead", v)["required"]  # the numbers say which ports
    assert scan_values("just a ping sweep of it", v)["required"] == ("technique",)
    assert scan_values("plain scan of the same hosts", v)["required"] == ()
    # -6 follows the targets: a follow-up that moves an IPv6 scan to IPv4 hosts drops it
    assert "ipv6" not in scan_values("now 10.20.1.30", {"tool": "nmap", "targets": ["::1"], "ipv6": True})["required"]


def test_a_host_written_after_except_is_excluded():
    from operatorx.agent.grounding import scan_values

    q = "nmap 172.16.27.* p 6379, 8080 and 9200 except 172.16.27.46"
    assert "exclude" in scan_values(q)["required"]
    assert "exclude" in scan_values("10.0.0.0/24 but not the box 10.0.0.9")["required"]
    # hosts named side by side, "skip host discovery" or "but stay under 100 pps": nothing left out
    assert "exclude" not in scan_values("probe ws-hr-12 and build01.lab.internal but stay under 500 packets a second",
                                        None, ["ws-hr-12", "build01.lab.internal"])["required"]
    assert "exclude" not in scan_values("scan 10.0.0.3, 10.50.3.10, skip host discovery")["required"]


def test_phrases_from_hand_written_questions_ask_for_their_options():
    from operatorx.agent.grounding import scan_values, spelled_numbers

    assert spelled_numbers("the top fifty ports, two hundred at most, a thousand") == {50, 200, 1000}
    top = scan_values("null scan ws-eng-03, top hundred ports", None, ["ws-eng-03"])
    assert top["top_ports"] == (100,) and "top_ports" in top["required"]
    assert "top_ports" in scan_values("the 100 most common ports of 10.0.0.1")["required"]
    timeout = scan_values("give up on any host after 30s, top 20 ports on 10.14.0.0/23")
    assert {"host_timeout", "top_ports"} <= set(timeout["required"])
    assert "host_timeout" not in scan_values("scan 10.0.0.1 but stay under 50 packets a second")["required"]
    both = scan_values("OS and service detection on 10.20.4.17; don't ping them first")["required"]
    assert {"service_version", "os_detection", "skip_discovery"} <= set(both)
    assert {"service_version", "os_detection"} <= set(scan_values("fingerprint the OS and services on 10.0.0.9")["required"])
    # flags written the way nmap takes them: "-p443" is port 443 (it was 43), "-6" asks for IPv6
    attached = scan_values("nmap -p443 10.0.0.1")
    assert attached["ports"] == (443,) and attached["required"] == ("ports",)
    assert scan_values("nmap -p22,80 10.0.0.1")["ports"] == (22, 80)
    six = scan_values("scan web01 -6", None, ["web01"])
    assert six["switches"] == ("ipv6",) and six["required"] == ("ipv6",)


def test_the_digits_of_a_written_x_range_are_no_port():
    """"10.0.0.x" is the target 10.0.0.*: its 10 must not become port 10 ("ports":"10,3389")."""
    from operatorx.agent.grounding import scan_values

    assert scan_values("Is RDP open on 10.0.0.x")["ports"] == (3389,)
    assert scan_values("Is RDP open on 10.0.0.* or port 10")["ports"] == (10, 3389)


def test_scan_numbers_and_scripts_are_limited_to_the_given_ones(tokenizer):
    allowed = {"ports": (22, 80, 443), "top_ports": (), "timing": (4,), "max_rate": (300,), "scripts": ("ssh-hostkey",)}
    schema = decoding_schema(targets=["10.0.0.5"], scan_values=allowed)

    def scan(**options):
        return format_call({"tool": "nmap", "targets": ["10.0.0.5"], **options})

    assert accepts(tokenizer, schema, scan(ports="22,443"))
    assert accepts(tokenizer, schema, scan(ports="T:22,U:80-443", timing=4, max_rate=300))
    assert not accepts(tokenizer, schema, scan(ports="T:22,443", udp=True))  # a TCP list with no UDP one
    assert not accepts(tokenizer, schema, scan(ports="22,U:80"))
    assert not accepts(tokenizer, schema, scan(ports="110"))
    assert not accepts(tokenizer, schema, scan(ports="22,8080"))
    assert not accepts(tokenizer, schema, scan(top_ports=100))  # none allowed: the option is gone
    assert not accepts(tokenizer, schema, scan(timing=3))
    assert not accepts(tokenizer, schema, scan(max_rate=3000))
    assert accepts(tokenizer, schema, scan(min_rate=10))  # left out of ``allowed``: open
    assert accepts(tokenizer, schema, scan(ports="22", scripts=["ssh-hostkey"]))
    assert not accepts(tokenizer, schema, scan(scripts=["default"]))
    closed = decoding_schema(
        targets=["10.0.0.5"], scan_values={"ports": (), "host_timeout": (), "scripts": (), "technique": ()}
    )
    assert not accepts(tokenizer, closed, scan(scripts=["default"]))
    assert not accepts(tokenizer, closed, scan(technique="ping"))
    assert not accepts(tokenizer, closed, scan(technique="syn"))
    switches = decoding_schema(targets=["10.0.0.5"], scan_values={"switches": ("open_only",)})
    assert accepts(tokenizer, switches, scan(open_only=True))
    assert not accepts(tokenizer, switches, scan(skip_discovery=True))
    assert not accepts(tokenizer, switches, scan(open_only=True, aggressive=True))
    syn = decoding_schema(targets=["10.0.0.5"], scan_values={"technique": ("syn",)})
    assert accepts(tokenizer, syn, scan(technique="syn"))
    assert not accepts(tokenizer, syn, scan(technique="ping"))
    assert not accepts(tokenizer, syn, scan(technique="xmas"))
    assert accepts(tokenizer, closed, scan(open_only=True))
    assert not accepts(tokenizer, closed, scan(ports="80"))
    assert not accepts(tokenizer, closed, scan(host_timeout="5m"))


def test_everyday_words_for_scan_options():
    """dev-hand7's writers asked in words the lists did not know (its labels were out of the
    grammar's reach): a ping sweep of "responsive" hosts, -Pn for a host that "eats pings", OS
    detection for "windows or linux?", TLS ciphers by "encryption" on https, "1,000 packets"."""
    from operatorx.agent.grounding import scan_values

    for asked in ("a register of responsive hosts on 10.12.0.0/22", "is printer-3f even reachable?"):
        assert "ping" in scan_values(asked, None, ["printer-3f"])["technique"], asked
    for dropped in ("the firewall eats pings, scan 10.0.0.5 anyway", "10.0.0.5 silently discards ICMP",
                    "run it on 10.0.0.5 without that is-it-alive check",
                    "don't bother checking if it's alive first, just go straight to 22 on 10.0.0.5"):
        assert "skip_discovery" in scan_values(dropped)["switches"], dropped
    assert "skip_discovery" in scan_values("Treat every one of them as reachable: 172.16.30.10-20")["required"]
    assert "skip_discovery" not in scan_values("is 10.0.0.5 alive?")["switches"]  # a ping sweep, not -Pn
    assert "os_detection" in scan_values("what's fs01 running underneath, windows or linux?", None, ["fs01"])["switches"]
    assert "ssl-enum-ciphers" in scan_values("which encryption options does the https side of 10.0.0.5 accept?")["scripts"]
    assert "ssl-enum-ciphers" not in scan_values("rdp encryption levels on 10.0.0.5")["scripts"]
    rates = scan_values("hold a minimum of 1,000 packets per second on 10.60.0.0/20")
    assert rates["min_rate"] == (1000,) and 1000 in rates["ports"] and "min_rate" in rates["required"]
    assert scan_values("ports 22,443 on 10.0.0.5")["ports"] == (22, 443)  # a list stays a list


def test_plant_and_shorthand_words_for_scan_options():
    """dev-hand8's writers (an OT engineer, a non-native analyst beside a terse red-teamer) asked
    in words the lists did not know; each was out of the grammar's reach."""
    from operatorx.agent.grounding import scan_values

    assert scan_values("can 192.168.40.21 be reached on Modbus TCP?")["ports"] == (502,)
    assert scan_values("BACnet and DNP3 on 10.70.0.14")["ports"] == (20000, 47808)
    plant = scan_values("Which devices answer on 10.30.0.0/16? Don't send a single packet to 10.30.200.0/24.")
    assert "ping" in plant["technique"] and plant["exclude"] == ("10.30.0.0/16", "10.30.200.0/24")
    assert scan_values("Please make the scan more soft", {"tool": "nmap", "targets": ["10.0.0.0/24"]})["timing"] == (2,)
    assert "snmp-info" in scan_values("udp only, 161/snmp on 10.20.30.0/24, dump the sysinfo")["scripts"]
    assert "smtp-commands" in scan_values("list the SMTP verbs mail.corp.internal supports", None,
                                          ["mail.corp.internal"])["scripts"]
    kilo = scan_values("hit 10.50.0.0/22, top 1k ports, keep it at least 5k pps")
    assert kilo["top_ports"] == (1000, 5000) and kilo["min_rate"] == (1000, 5000)


def test_a_lone_network_excludes_nothing():
    """"Inventory its open ports, but never exceed 20 packets per second": "but" may leave a
    host out, but with one network named the model excluded that network (dev-hand7 e-010, a
    policy error the planner gave up on)."""
    from operatorx.agent.grounding import scan_values

    assert scan_values("open ports of 192.168.200.0/26, but never exceed 20 packets per second")["exclude"] == ()
    assert scan_values("scan 10.1.2.0/24 but skip 10.1.2.50")["exclude"] == ("10.1.2.0/24", "10.1.2.50")
    swept = {"tool": "nmap", "targets": ["10.12.0.0/24"], "exclude": ["10.12.0.5"]}
    assert "10.12.0.6" in scan_values("oh and skip 10.12.0.6 as well", swept)["exclude"]


def test_scan_values_come_from_the_words():
    from operatorx.agent.grounding import scan_values

    plain = scan_values("which services are listening on 10.50.3.142?")
    assert plain["ports"] == () and plain["timing"] == () and plain["top_ports"] == ()
    assert scan_values("scan 10.0.0.5")["ports"] == ()  # the address's digits are not ports
    words = scan_values("check the tls ciphers and ssh kex of 10.1.1.4, msyql too, insaane speed")
    # "msyql" is one typo from both mysql and mssql: both ports may be written, no others.
    assert set(words["ports"]) == {443, 22, 3306, 1433} and words["timing"] == (5,)
    written = scan_values("top 100 ports on 10.0.0.0/24 at -T2, max rate 500, give up after an hour")
    assert {100, 2, 500, 1} <= set(written["top_ports"]) and written["timing"] == (1, 2)
    edit = scan_values("faster", {"tool": "nmap", "targets": ["::1"], "ports": "22,8000-8100", "timing": 2})
    assert edit["ports"] == (22, 8000, 8100) and edit["timing"] == (3,)
    assert scan_values("faster", {"tool": "nmap", "targets": ["::1"]})["timing"] == (4,)
    rate = scan_values("no faster than 300", {"tool": "nmap", "targets": ["::1"], "timing": 2})
    assert rate["timing"] == (1, 2, 3) and rate["max_rate"] == (300,)
    assert plain["scripts"] == () and scan_values("vuln scan 10.0.0.5")["scripts"] == ("vuln",)
    assert scan_values("grab the ssh host keys of 10.0.0.5")["scripts"] == ("ssh-hostkey",)
    # a service's name alone asks for no script, nor do -Pn's and -sV's words for a category
    assert scan_values("look for ssh and http across 10.0.0.0/24")["scripts"] == ()
    assert scan_values("what OS does 10.0.0.5 run? an old 2008 server")["scripts"] == ()
    assert scan_values("service versions on 10.0.0.5, skip host discovery")["scripts"] == ()
    assert scan_values("is anon ftp allowed on 10.0.0.5")["scripts"] == ("ftp-anon",)
    assert scan_values("windows version over smb from 10.0.0.5")["scripts"] == ("smb-os-discovery",)
    assert scan_values("10.0.0.5: default scripts and version detection")["scripts"] == ("default",)
    assert set(scan_values("add -sC")["scripts"]) == {"default", "safe", "discovery", "version", "vuln"}
    kept = scan_values("also T4", {"tool": "nmap", "targets": ["::1"], "scripts": ["tls-alpn"], "technique": "fin"})
    assert kept["scripts"] == ("tls-alpn",) and kept["technique"] == ("fin",)
    assert plain["technique"] == () and scan_values("fingerprint the daemons on 10.0.0.5")["technique"] == ()
    assert scan_values("which hosts are up in 10.0.0.0/24")["technique"] == ("ping",)
    assert scan_values("nmap -sS -sU 10.0.0.5")["technique"] == ("syn", "udp")
    assert scan_values("snmp info from 10.0.0.5")["technique"] == ("udp",)
    assert plain["switches"] == ("service_version", "open_only")  # "services", "listening"
    assert scan_values("scan 10.0.0.5 -A -O")["switches"] == ("os_detection", "aggressive")
    assert scan_values("scan 10.0.0.5, a quick look")["switches"] == ("fast",)  # "a" is not -A
    assert scan_values("rapid probe of 10.0.0.5")["switches"] == ("fast",)
    assert scan_values("scan ::1 without pinging first")["switches"] == ("skip_discovery", "ipv6")
    assert "ipv6" not in scan_values("scan smb2 and pop3 on 10.0.0.5")["switches"]
    assert scan_values("scan 10.0.0.5 on smb2 and pop3")["ports"] == (110, 445)  # not 2 or 3
    assert scan_values("T4", {"tool": "nmap", "targets": ["fd00::1"], "udp": True})["switches"] == ("udp", "ipv6")


def test_search_numbers_are_limited_to_the_given_ones(tokenizer):
    schema = decoding_schema(["network.bytes", "source.ip"], search_numbers=[0, 3, 500, 500000000])

    def search(**call):
        return format_call({"tool": "elasticsearch", **call})

    big = {"field": "network.bytes", "op": "range", "gt": 500000000}
    assert accepts(tokenizer, schema, search(where=[big]))
    assert not accepts(tokenizer, schema, search(where=[{**big, "gt": 50000000}]))
    assert accepts(tokenizer, schema, search(where=[{**big, "gt": "now-1h"}]))  # strings stay open
    assert accepts(tokenizer, schema, search(agg={"field": "source.ip", "size": 3}, size=0))
    assert not accepts(tokenizer, schema, search(agg={"field": "source.ip", "size": 5}, size=0))
    assert not accepts(tokenizer, schema, search(size=200))


def test_search_numbers_come_from_the_words():
    from operatorx.agent.grounding import search_numbers

    nums = set(search_numbers("conns from 10.0.0.5 with more than 1.5 GB over 2 hours, top 7"))
    assert {1500000000, 7200, 7} <= nums and not {0, 1, 1024} & nums  # zero, one and 1024 need words (see below)
    assert 5 not in nums and 10 not in nums  # the address's digits are not numbers
    # a number written with its unit is only the scaled value: "2 hours" is never 2 (or 2 GB)
    assert 2 not in nums and 1.5 not in nums and 2 * 10**9 not in nums
    assert 2 in search_numbers("top 2 talkers over 2 hours")  # written bare too
    # spans of time without a number only where written: "2 hours" is 7200, not 1800 or 3600
    assert not {60, 1800, 3600, 86400} & set(search_numbers("conn records longer than 2 hours"))
    assert {1800, 60} <= set(search_numbers("longer than half an hour, or under a minute"))
    # HTTP status classes only where words name them, typos included
    assert not {400, 499, 500, 599} & nums
    assert {500, 599} <= set(search_numbers("Find sevrer errors in web requests")) and 400 not in search_numbers(
        "server errors")
    assert {400, 499} <= set(search_numbers("pls pull client errors in http sessions")) and 599 not in search_numbers(
        "4xx responses")
    assert 200 in search_numbers("show 50", {"tool": "elasticsearch", "size": 200})
    # zero where written: the adapter wrote destination.port 0..0 for "200 results when you can"
    assert 0 not in search_numbers("200 results when you can") + search_numbers("alerts except the ones from 10.0.0.1")
    assert 0 in search_numbers("conns with zero bytes sent") and 0 in search_numbers("bytes over 0")


def test_a_count_needs_no_written_zero(tokenizer):
    """size 0 (a count) is the grammar's own; a 0 bound needs the question's 0."""
    schema = decoding_schema(["destination.port"], tools=["elasticsearch"], search_numbers=[200], search_hits=[200])
    where = [{"field": "destination.port", "value": 22}]

    def search(**call):
        return format_call({"tool": "elasticsearch", "where": where, **call})

    assert accepts(tokenizer, schema, search(size=0)) and accepts(tokenizer, schema, search(size=200))
    zero = {"field": "destination.port", "op": "range", "gte": 0, "lte": 0}
    assert not accepts(tokenizer, schema, format_call({"tool": "elasticsearch", "where": [zero]}))
    nothing = decoding_schema(["destination.port"], tools=["elasticsearch"], search_numbers=[])
    assert accepts(tokenizer, nothing, search(size=0))
    assert not accepts(tokenizer, nothing, format_call({"tool": "elasticsearch", "where": [zero]}))


def test_ip_fields_take_only_the_given_addresses(tokenizer):
    schema = decoding_schema(
        ["source.ip", "destination.port", "host.name"],
        ip_fields=["source.ip"],
        addresses=["10.0.0.5", "10.0.0.0/8"],
    )

    def search(*conds):
        return format_call({"tool": "elasticsearch", "where": list(conds)})

    assert accepts(tokenizer, schema, search({"field": "source.ip", "value": "10.0.0.5"}))
    assert accepts(tokenizer, schema, search({"field": "source.ip", "op": "in", "value": ["10.0.0.0/8", "10.0.0.5"]}))
    # with an address to write, "exists" is no stand-in for it (the adapter's, dev-hand5)
    assert not accepts(tokenizer, schema, search({"field": "source.ip", "op": "exists"}))
    assert accepts(tokenizer, schema, search({"field": "host.name", "value": "10.9.9.9"}))  # not an ip field
    assert not accepts(tokenizer, schema, search({"field": "source.ip", "value": "10.0.0.6"}))
    assert not accepts(tokenizer, schema, search({"field": "source.ip", "op": "in", "value": ["10.0.0.6"]}))
    assert not accepts(tokenizer, schema, search({"field": "source.ip", "op": "wildcard", "value": "10.*"}))
    # No addresses at all: an ip field can still be tested for presence, never equal a value.
    none = decoding_schema(["source.ip", "host.name"], ip_fields=["source.ip"], addresses=[])
    assert accepts(tokenizer, none, search({"field": "source.ip", "op": "exists"}))
    assert not accepts(tokenizer, none, search({"field": "source.ip", "value": "10.0.0.5"}))
    # Without a catalog there are no field types to ground on.
    assert accepts(tokenizer, decoding_schema(None, ip_fields=["source.ip"], addresses=[]),
                   search({"field": "source.ip", "value": "10.0.0.6"}))


def test_no_targets_removes_the_scan_tool():
    tools = {b["properties"]["tool"]["const"] for b in decoding_schema(targets=[])["anyOf"]}
    assert tools == {"elasticsearch", "none"}


def test_tools_limit_the_union():
    def tools(**kw):
        return {b["properties"]["tool"]["const"] for b in decoding_schema(**kw)["anyOf"]}

    assert tools(tools={"nmap"}) == {"nmap"}
    assert tools(tools={"elasticsearch", "none"}) == {"elasticsearch", "none"}
    assert tools(tools={"nmap"}, targets=[]) == {"none"}  # never an empty union


def _keys(node) -> set[str]:
    if isinstance(node, dict):
        return set(node) | {k for v in node.values() for k in _keys(v)}
    if isinstance(node, list):
        return {k for v in node for k in _keys(v)}
    return set()


def test_schema_is_trimmed_and_fresh():
    a = decoding_schema(["source.ip"])
    assert not _keys(a) & {"title", "description", "default"}
    assert '{"type": "null"}' not in json.dumps(a)
    a["anyOf"].clear()  # callers get their own copy
    assert decoding_schema(["source.ip"])["anyOf"]
    assert fingerprint(decoding_schema(["source.ip"])) == fingerprint(decoding_schema(["source.ip"]))
    assert fingerprint(decoding_schema(["source.ip"])) != fingerprint(decoding_schema(["destination.ip"]))


def _grammar_rejects(tokenizer, records) -> list[tuple[str, str, str]]:
    """(id, question, target) of each record whose target the grounded grammar would not let
    the model write."""
    from operatorx.agent.planner import edited_targets, grounded_schema, target_candidates
    from operatorx.config import load_config
    from operatorx.training import datagen

    config = load_config(datagen.SCOPE_CONFIG)
    catalog = FieldCatalog.packaged()
    matchers: dict[str, object] = {}
    rejected = []
    for rec in records:
        question = " ".join(rec["question"].split())
        targets = target_candidates(question, config.scope.hostnames)
        targets += [h for h in edited_targets(question, rec.get("previous")) if h not in targets]
        schema = grounded_schema(question, rec.get("previous"), catalog, config, targets)
        key = fingerprint(schema)
        if key not in matchers:
            grammar = llguidance.LLMatcher.grammar_from_json_schema(schema, overrides=JSON_OPTIONS)
            matchers[key] = llguidance.LLMatcher(tokenizer, grammar, log_level=0)
        m = matchers[key].deep_copy()
        text = format_call(rec["target"])
        if not (m.consume_tokens(list(text.encode())) and m.is_accepting()):
            rejected.append((rec["id"], rec["question"], text))
    return rejected


DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.skipif(
    not (DATA / "train.jsonl").is_file(), reason="no training data (operatorx.training.datagen)"
)
def test_training_targets_fit_the_grounded_grammar(tokenizer):
    """Every answer the adapter is trained on can be decoded at inference time.

    The grammar is stricter than pydantic (canonical compact form, targets from the
    question, field names from the catalog); if it rejected a training target, the adapter
    would be forced off what it learned. A sample of train, val and test is checked (the
    full set passes too but takes a minute); shifted is not (see test_every_scan_value_in_the_data_is_grounded).
    """
    records = []
    for split in ("train", "val", "test"):
        lines = (DATA / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
        records += [json.loads(line) for line in lines[:: max(1, len(lines) // 120)]]
    rejected = _grammar_rejects(tokenizer, records)
    assert not rejected, rejected[:5]


def _records(tool: str, splits=("train", "val", "test", "shifted")):
    """(record, whitespace-normalised question) for every record of ``tool`` in ``splits``."""
    for split in splits:
        for line in (DATA / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            if rec["tool"] == tool:
                yield rec, " ".join(rec["question"].split())


@pytest.mark.skipif(
    not (DATA / "train.jsonl").is_file(), reason="no training data (operatorx.training.datagen)"
)
def test_every_ip_value_in_the_data_is_grounded():
    """All records, not a sample: each value an IP field takes is in ``address_values``."""
    from operatorx.agent.grounding import address_values
    from operatorx.backend.grammar import catalog_ip_fields

    ip_fields = set(catalog_ip_fields(FieldCatalog.packaged()))
    assert {"source.ip", "destination.ip"} <= ip_fields
    seen, missing = 0, []
    for rec, question in _records("elasticsearch"):
        allowed = set(address_values(question, rec.get("previous")))
        for key in ("where", "any_of", "exclude"):
            for cond in rec["target"].get(key, []):
                if cond["field"] in ip_fields and "value" in cond:
                    vals = cond["value"] if isinstance(cond["value"], list) else [cond["value"]]
                    seen += len(vals)
                    missing += [(rec["id"], v) for v in vals if v not in allowed]
    assert seen > 1000 and missing == []


@pytest.mark.skipif(
    not (DATA / "train.jsonl").is_file(), reason="no training data (operatorx.training.datagen)"
)
def test_every_scan_value_in_the_data_is_grounded():
    """Each number, script, technique and on/off option of a scan is one ``scan_values`` allows.

    All records of train, val and test. The shifted split is left out on purpose: its
    phrasings are meant to be new, and the word lists must not be fitted to them: 22 of its
    88 scans ask in words the training data never uses ("who answers" for a ping sweep,
    "no-flags probes", "tell me the platform", "map the hops") and cannot be planned exactly.
    """
    import re

    from operatorx.agent.grounding import SCAN_NUMBER_FIELDS, SWITCH_WORDS, scan_values
    from operatorx.config import load_config
    from operatorx.training import datagen

    hostnames = load_config(datagen.SCOPE_CONFIG).scope.hostnames
    seen, missing = 0, []
    for rec, question in _records("nmap", ("train", "val", "test")):
        allowed, target = scan_values(question, rec.get("previous"), hostnames), rec["target"]
        wanted = [("switches", k) for k in SWITCH_WORDS if target.get(k) is True]
        wanted += [("scripts", v) for v in target.get("scripts", [])]
        wanted += [("technique", target["technique"])] if "technique" in target else []
        wanted += [("exclude", h) for h in target.get("exclude", [])]
        for name in SCAN_NUMBER_FIELDS:
            value = target.get(name)
            if value is not None:
                wanted += [(name, int(n)) for n in re.findall(r"\d+", value)] if isinstance(value, str) else [(name, value)]
        if "targets" in allowed:  # a new scan: the named hosts (minus those left out)
            wanted.append(("targets", tuple(target["targets"])))
        seen += len(wanted)
        missing += [(rec["id"], name, v) for name, v in wanted if v not in allowed[name]]
        missing += [(rec["id"], "required", name) for name in allowed["required"] if name not in target]
    assert seen > 1000 and missing == []


@pytest.mark.skipif(
    not (DATA / "train.jsonl").is_file(), reason="no training data (operatorx.training.datagen)"
)
def test_every_search_number_in_the_data_is_grounded():
    """All records of every split: each range bound, hit and bucket count is allowed."""
    from operatorx.agent.grounding import hit_counts, numbers_of_search, search_numbers

    seen, missing = 0, []
    for rec, question in _records("elasticsearch"):
        allowed = set(search_numbers(question, rec.get("previous")))
        target = rec["target"]
        values = numbers_of_search(target)
        for size in (target.get("size"), (target.get("agg") or {}).get("size")):
            if size in hit_counts(question) or size == 0:  # "200 results", "top 5 record types": sizes
                values.remove(size)  # only; size 0 (a count) is the grammar's own
        seen += len(values)
        missing += [(rec["id"], v) for v in values if v not in allowed]
    assert seen > 500 and missing == []  # counts (size 0) left out


@pytest.mark.skipif(
    not (DATA / "train.jsonl").is_file(), reason="no training data (operatorx.training.datagen)"
)
def test_every_search_value_in_the_data_is_grounded():
    """All records of train, val and test: each string a condition compares a field with is
    in ``search_values`` or among that field's known values (for event.code, those its words
    mean: ``event_codes``), each number in ``search_scalars``.

    Shifted is left out on purpose (its phrasings are meant to be new): 2 of its 188 string
    values need knowledge no rule here has ("Encoded PowerShell." → powershell.exe, *-enc*).
    """
    import re

    from operatorx.agent.grounding import event_codes, search_scalars, search_values, severity_labels
    from operatorx.tools.elastic.known_values import CLOSED_FIELDS, field_values

    ANY = re.compile(".*")

    ip_fields = set(catalog_ip_fields(FieldCatalog.packaged()))
    known = dict(field_values())  # a copy: event.code is set per record below
    seen, missing = 0, []
    for rec, question in _records("elasticsearch", ("train", "val", "test")):
        words = set(search_values(question, rec.get("previous")))
        numbers = set(search_scalars(question, rec.get("previous")))
        known["event.code"] = event_codes(question, rec.get("previous"))
        known["event.severity_label"] = severity_labels(question, rec.get("previous"))
        for key in ("where", "any_of", "exclude"):
            for cond in rec["target"].get(key, []):
                if cond["field"] in ip_fields or "value" not in cond:
                    continue
                vals = cond["value"] if isinstance(cond["value"], list) else [cond["value"]]
                for v in vals:
                    if isinstance(v, bool):
                        continue
                    seen += 1
                    like = CLOSED_FIELDS.get(cond["field"], ANY)
                    spelt = v in words and (cond["field"] not in CLOSED_FIELDS or (like is not None and like.match(v)))
                    ok = v in numbers if isinstance(v, (int, float)) else (spelt or v in known.get(cond["field"], ()))
                    if not ok:
                        missing.append((rec["id"], cond["field"], v))
    assert seen > 4000 and missing == []


def test_an_event_code_is_written_or_meant(tokenizer):
    """"sysmon events on ws-fin-07" had event.code "1" added by the adapter (dev-hand5)."""
    from operatorx.agent.grounding import event_codes, search_values

    def schema(question):
        return decoding_schema(["event.dataset", "event.code", "host.name"], tools=["elasticsearch"],
                               search_values=search_values(question), search_scalars=(),
                               meant_values={"event.code": event_codes(question)})

    def call(code):
        return format_call({"tool": "elasticsearch", "where": [
            {"field": "event.dataset", "value": "windows.sysmon_operational"}, {"field": "host.name", "value": "ws-fin-07"},
            *([{"field": "event.code", "value": code}] if code else [])]})

    plain = schema("sysmon events on ws-fin-07 with no process.command_line")
    assert accepts(tokenizer, plain, call(None)) and not accepts(tokenizer, plain, call("1"))
    assert not accepts(tokenizer, plain, call("sysmon"))  # a word is no event id (the adapter's next try)
    assert accepts(tokenizer, schema("sysmon process creations on ws-fin-07"), call("1"))
    assert accepts(tokenizer, schema("sysmon event id 3 on ws-fin-07"), call("3"))
    assert not accepts(tokenizer, schema("sysmon event id 3 on ws-fin-07"), call("1"))
    assert event_codes("how many 4625s today") == ("4625",)
    assert "4625" in event_codes("failed logons for jdoe") and "4720" not in event_codes("failed logons for jdoe")


def test_a_name_field_takes_only_words_spelt_as_names(tokenizer):
    """http.virtual_host "any http requests matching it", user.name "windows security", ssh.client
    "guy hammering", network.protocol "sni contains micros0ft": what the adapter wrote (dev-hand2,
    5, 9, 10, 11). A name field takes a word spelt as one of its kind, or a known value."""
    from operatorx.agent.grounding import search_values

    def accepted(question: str, field: str, value, op: str | None = None) -> bool:
        schema = decoding_schema(["tags", field], tools=["elasticsearch"], search_values=search_values(question),
                                 search_scalars=())
        cond = {"field": field, **({"op": op} if op else {}), "value": value}
        return accepts(tokenizer, schema, format_call({"tool": "elasticsearch", "where": [cond]}))

    iocs = "IOC bad.domain.com -- any http requests matching it?"
    assert accepted(iocs, "http.virtual_host", "bad.domain.com")
    assert not accepted(iocs, "http.virtual_host", "any http requests matching it")
    assert not accepted(iocs, "http.virtual_host", "any http requests")
    ssh = "the guy hammering our dc over ssh is 198.51.100.23 - how many zeek ssh logs from it today?"
    assert not accepted(ssh, "ssh.client", "guy hammering") and not accepted(ssh, "ssh.client", "guy")
    banner = "ssh sessions whose client string is SSH-2.0-libssh2_1.10.0"
    assert accepted(banner, "ssh.client", "SSH-2.0-libssh2_1.10.0")
    logon = "how much failed logon 4625 in windows security log today for jdoe?"
    assert accepted(logon, "user.name", "jdoe") and not accepted(logon, "user.name", "windows security")
    assert accepted("logons by ANONYMOUS LOGON this week", "user.name", "ANONYMOUS LOGON")
    tls = "any TLS sessions in the last 24 hours where the SNI contains micros0ft?"
    assert not accepted(tls, "network.protocol", "sni contains micros0ft")
    assert accepted(tls, "network.protocol", "tls") and accepted(tls, "ssl.server_name", "*micros0ft*", "wildcard")
    assert not accepted(tls, "ssl.server_name", "tls sessions in the last 24")
    procs = "sysmon events where the exe path starts with C:\\Temp, parent cmd.exe"
    assert accepted(procs, "process.parent.name", "cmd.exe") and not accepted(procs, "process.parent.name", "exe path")
    assert not accepted("http requests with a weird method on app01", "http.method", "weird")


def test_a_negated_value_is_only_left_out(tokenizer):
    """"suricata alerts from 10.20.4.23 but NOT sid 2030868": the sid may be excluded, never looked for."""
    from operatorx.agent.grounding import negated_values, search_values
    from operatorx.backend.grammar import NEGATED

    question = "suricata alerts but NOT sid 2030868, we already know about the emotet one"
    assert negated_values(question) == ("2030868",)
    schema = decoding_schema(["event.dataset", "rule.uuid"], tools=["elasticsearch"],
                             search_values=search_values(question), search_scalars=(),
                             search_shape=[NEGATED + v for v in negated_values(question)])
    alerts = {"field": "event.dataset", "value": "suricata.alert"}
    sid = {"field": "rule.uuid", "value": "2030868"}
    assert accepts(tokenizer, schema, format_call({"tool": "elasticsearch", "where": [alerts], "exclude": [sid]}))
    assert not accepts(tokenizer, schema, format_call({"tool": "elasticsearch", "where": [alerts, sid]}))
    assert not accepts(tokenizer, schema, format_call({"tool": "elasticsearch", "where": [
        alerts, {"field": "rule.uuid", "value": "2030868 we already"}]}))
    assert negated_values("zeek conn logs that aren't S0") == ("S0", "s0")
    question = "suricata alerts with rule.severity 1 that are NOT from 10.20.4.23"
    with_ip = decoding_schema(["event.dataset", "source.ip"], tools=["elasticsearch"], ip_fields=["source.ip"],
                              addresses=["10.20.4.23"], search_values=search_values(question), search_scalars=(),
                              search_shape=[NEGATED + v for v in negated_values(question)])
    host = {"field": "source.ip", "value": "10.20.4.23"}
    assert accepts(tokenizer, with_ip, format_call({"tool": "elasticsearch", "where": [alerts], "exclude": [host]}))
    assert not accepts(tokenizer, with_ip, format_call({"tool": "elasticsearch", "where": [alerts, host]}))
    assert negated_values("dns lookups that didn't come back NOERROR") == ("NOERROR", "noerror")


def test_a_contained_value_is_a_pattern_or_text_never_an_equality(tokenizer):
    """"the SNI contains micros0ft": ssl.server_name *micros0ft*, never = "micros0ft" (dev-hand10)."""
    from operatorx.agent.grounding import contained_values, search_values
    from operatorx.backend.grammar import CONTAINED

    assert contained_values("any TLS sessions where the SNI contains micros0ft?") == ("micros0ft",)
    assert contained_values('message contains the phrase "Sysmon event 3", last 48 hours') == ("Sysmon event 3",)
    assert contained_values("alerts w/ emotet somewhere in the rule name") == ("emotet",)
    assert contained_values("if the SNI is typosquatting we'll see it in the names") == ()
    assert contained_values("anything with mimikatz in the command line over the past 7 days?") == ("mimikatz",)
    assert contained_values("ws-fin-07: command lines containing -enc. want to confirm") == ("-enc",)
    assert contained_values("tls sessions to micros0ft.com") == ()  # a plain value stays an equality

    def schema(question: str, fields=("tags", "ssl.server_name")) -> dict:
        return decoding_schema(list(fields), tools=["elasticsearch"], search_values=search_values(question),
                               search_scalars=(), search_shape=[CONTAINED + v.lower() for v in contained_values(question)])

    def call(*conds) -> str:
        return format_call({"tool": "elasticsearch", "where": [{"field": "tags", "value": "ssl"}, *conds]})

    question = "any TLS sessions in the last 24 hours where the SNI contains micros0ft?"
    contains = schema(question)
    assert accepts(tokenizer, contains, call({"field": "ssl.server_name", "op": "wildcard", "value": "*micros0ft*"}))
    assert accepts(tokenizer, contains, call({"field": "ssl.server_name", "op": "match", "value": "micros0ft"}))
    assert not accepts(tokenizer, contains, call({"field": "ssl.server_name", "value": "micros0ft"}))
    assert not accepts(tokenizer, contains, call({"field": "ssl.server_name", "op": "in", "value": ["micros0ft"]}))
    assert not accepts(tokenizer, contains, call({"field": "ssl.server_name", "value": "MICROS0FT"}))
    plain = schema("any TLS sessions in the last 24 hours where the SNI is micros0ft?")
    assert accepts(tokenizer, plain, call({"field": "ssl.server_name", "value": "micros0ft"}))
    # a field with its own known values keeps them, less the contained one
    dataset = schema("suricata alerts whose rule name contains suricata.alert", ("event.dataset", "rule.name"))
    assert not accepts(tokenizer, dataset, format_call(
        {"tool": "elasticsearch", "where": [{"field": "event.dataset", "value": "suricata.alert"}]}))
    assert accepts(tokenizer, dataset, format_call(
        {"tool": "elasticsearch", "where": [{"field": "rule.name", "op": "wildcard", "value": "*suricata.alert*"}]}))


def test_a_pattern_is_never_an_equality(tokenizer):
    """An equality or ``in`` never compares with a word that begins or ends with * (the adapter
    wrote ssl.server_name = "micros0ft*"); a star inside a written value stays (a rule name)."""
    from operatorx.agent.grounding import search_values

    question = "tls sessions where the SNI looks like micros0ft"
    schema = decoding_schema(["tags", "ssl.server_name"], tools=["elasticsearch"],
                             search_values=search_values(question), search_scalars=())

    def call(cond) -> str:
        return format_call({"tool": "elasticsearch", "where": [{"field": "tags", "value": "ssl"}, cond]})

    for pattern in ("micros0ft*", "*micros0ft*", "*micros0ft", "*.micros0ft"):
        assert not accepts(tokenizer, schema, call({"field": "ssl.server_name", "value": pattern})), pattern
        assert not accepts(tokenizer, schema, call({"field": "ssl.server_name", "op": "in", "value": [pattern]}))
        assert accepts(tokenizer, schema, call({"field": "ssl.server_name", "op": "wildcard", "value": pattern}))
    assert accepts(tokenizer, schema, call({"field": "ssl.server_name", "value": "micros0ft"}))
    rule = "filter out the GPL ICMP_INFO PING *NIX noise"
    named = decoding_schema(["tags", "rule.name"], tools=["elasticsearch"], search_values=search_values(rule),
                            search_scalars=())
    assert accepts(tokenizer, named, format_call({"tool": "elasticsearch", "where": [{"field": "tags", "value": "alert"}],
                                                  "exclude": [{"field": "rule.name", "value": "GPL ICMP_INFO PING *NIX"}]}))


def test_spelled_sizes_and_a_timeline_that_is_the_analysts():
    """"the ten biggest connections", "Twenty entries": sizes; "my timeline" asks for no histogram."""
    from operatorx.agent.grounding import hit_counts, search_shape

    assert hit_counts("show me the ten biggest connections from the last 24 hours") == (10,)
    assert hit_counts("Twenty entries would be sufficient") == (20,)
    assert hit_counts("which host had one alert") == ()
    assert "histogram" not in search_shape("the phrase over the last week, to line up with my timeline")
    assert "histogram" not in search_shape("to establish the timeline, the http requests to x.com, oldest first")
    assert "histogram" in search_shape("dns lookups of 10.0.0.5 as a timeline")


def test_top_n_buckets_and_an_order_in_time_are_exact(tokenizer):
    """"flip it to the 20 rarest": 20 buckets; "oldest first": sorted by @timestamp, ascending;
    "hourly is too coarse, every 5 minutes instead": the new interval (dev-hand11)."""
    from operatorx.agent.grounding import edited_interval, search_shape

    assert "buckets=20" in search_shape("the popular ones are boring. flip it to the 20 rarest")
    assert "buckets=5" in search_shape("top 5 talkers to 10.0.0.5")
    assert not [w for w in search_shape("which hosts connect to 192.168.1.218 most") if w.startswith("buckets=")]
    assert "by_time=asc" in search_shape("zeek ssh logs from 198.51.100.23 , oldest first please")
    assert "by_time=desc" in search_shape("alerts on web01, newest first")
    prev = {"tool": "elasticsearch", "agg": {"type": "date_histogram", "field": "@timestamp", "interval": "1h"}, "size": 0}
    assert edited_interval("hourly is too coarse to see jitter, bucket it every 5 minutes instead", prev) == ("interval=5m",)
    assert edited_interval("bucket it every 5 minutes instead", prev) == ()  # search_shape's own

    fields = ["tags", "dns.query.name", "client.bytes", "@timestamp"]

    def schema(question: str) -> dict:
        return decoding_schema(fields, tools=["elasticsearch"], search_values=("dns", "ssh"), search_numbers=(5, 20),
                               search_scalars=(), search_shape=search_shape(question))

    dns = [{"field": "tags", "value": "dns"}]
    rare = schema("flip it to the 20 rarest dns names")
    assert accepts(tokenizer, rare, format_call({"tool": "elasticsearch", "where": dns,
                                                 "agg": {"field": "dns.query.name", "size": 20, "order": "asc"}, "size": 0}))
    assert not accepts(tokenizer, rare, format_call({"tool": "elasticsearch", "where": dns,
                                                     "agg": {"field": "dns.query.name", "order": "asc"}, "size": 0}))
    ten = schema("top 10 dns names")
    assert accepts(tokenizer, ten, format_call({"tool": "elasticsearch", "where": dns, "agg": {"field": "dns.query.name"},
                                                "size": 0}))
    assert not accepts(tokenizer, ten, format_call({"tool": "elasticsearch", "where": dns,
                                                    "agg": {"field": "dns.query.name", "size": 5}, "size": 0}))
    oldest = schema("dns logs, oldest first please")
    assert accepts(tokenizer, oldest, format_call({"tool": "elasticsearch", "where": dns,
                                                   "sort": [{"field": "@timestamp", "order": "asc"}]}))
    for wrong in ([{"field": "client.bytes"}], [{"field": "@timestamp"}], None):
        call = {"tool": "elasticsearch", "where": dns, **({"sort": wrong} if wrong else {})}
        assert not accepts(tokenizer, oldest, format_call(call)), wrong


def test_the_ends_of_a_range_are_no_equality(tokenizer):
    """"http 500-599 responses": a range of status codes, never http.status_code = 500 (dev-hand10)."""
    from operatorx.agent.grounding import range_ends, search_numbers, search_scalars

    assert range_ends("http 500-599 responses from app.corp.internal") == (500, 599)
    assert range_ends("connections with between 1000 and 5000 bytes") == (1000, 5000)
    assert range_ends("destination ports 8000 to 8100") == (8000, 8100)
    for none in ("between 09:00 and 12:00 on 2026-06-16", "since 2026-06-16 to 2026-06-17", "10.0.0.1-20",
                 "ports 443-80"):  # clock times, dates, an address range, no range of numbers
        assert range_ends(none) == (), none
    question = "http 500-599 responses from app.corp.internal in the last 48 hours"
    assert 500 not in search_scalars(question) and 599 not in search_scalars(question)
    schema = decoding_schema(["tags", "http.status_code"], tools=["elasticsearch"], search_values=("http",),
                             search_scalars=search_scalars(question), search_numbers=search_numbers(question),
                             field_kinds={"http.status_code": "number"})
    http = {"field": "tags", "value": "http"}
    ranged = {"field": "http.status_code", "op": "range", "gte": 500, "lte": 599}
    assert accepts(tokenizer, schema, format_call({"tool": "elasticsearch", "where": [http, ranged]}))
    assert not accepts(tokenizer, schema, format_call(
        {"tool": "elasticsearch", "where": [http, {"field": "http.status_code", "value": 500}]}))
    assert 500 in search_scalars("http 500 responses from app.corp.internal")


def test_search_values_are_limited_to_the_words_and_the_fields_own(tokenizer):
    from operatorx.agent.grounding import search_scalars, search_values

    question = "zeek conns from ws-fin-07 to port 3389 with state S0"
    schema = decoding_schema(
        ["event.dataset", "event.code", "host.name", "destination.port", "connection.state", "rule.uuid"],
        search_values=search_values(question),
        search_scalars=search_scalars(question),
    )

    def search(*conds) -> str:
        return format_call({"tool": "elasticsearch", "where": [dict(c) for c in conds]})

    ok = [
        {"field": "event.dataset", "value": "zeek.conn"},  # the field's own known value
        {"field": "host.name", "value": "ws-fin-07"},  # the analyst's words
        {"field": "connection.state", "value": "S0"},
        {"field": "destination.port", "value": 3389},
        {"field": "host.name", "op": "wildcard", "value": "*ws-fin-07*"},
        {"field": "host.name", "op": "in", "value": ["ws-fin-07"]},
    ]
    for cond in ok:
        assert accepts(tokenizer, schema, search(cond)), cond
    bad = [
        {"field": "host.name", "value": "my_host"},  # nobody wrote it
        {"field": "rule.uuid", "value": "4625"},  # event.code's known value, not rule.uuid's
        {"field": "host.name", "value": "zeek.dns"},  # event.dataset's known value
        {"field": "destination.port", "value": 22},  # a number nobody wrote
        {"field": "host.name", "op": "in", "value": ["ws-fin-07", "ws-fin-08"]},
    ]
    for cond in bad:
        assert not accepts(tokenizer, schema, search(cond)), cond
    # tags and modules take only Security Onion's own names; a dataset also one spelt as such
    question = "show me events headed to 10.0.0.1 in zeek.kerberos"
    closed = decoding_schema(["tags", "event.dataset", "event.module"], search_values=search_values(question))
    assert accepts(tokenizer, closed, search({"field": "tags", "value": "conn"}))
    assert accepts(tokenizer, closed, search({"field": "event.dataset", "value": "zeek.kerberos"}))
    assert not accepts(tokenizer, closed, search({"field": "tags", "value": "events headed to"}))
    assert not accepts(tokenizer, closed, search({"field": "tags", "op": "wildcard", "value": "*events*"}))
    assert not accepts(tokenizer, closed, search({"field": "event.dataset", "value": "events"}))
    assert not accepts(tokenizer, closed, search({"field": "event.module", "value": "zeek.kerberos"}))
    # without grounding any well-formed value goes
    free = decoding_schema(["host.name"])
    assert accepts(tokenizer, free, search({"field": "host.name", "value": "my_host"}))


def test_a_number_of_hits_is_not_a_compared_value(tokenizer):
    from operatorx.agent.grounding import hit_counts, search_numbers, search_scalars

    assert 200 not in search_scalars("200 results when you can") and 200 not in search_numbers("200 results")
    assert hit_counts("200 results when you can, over 1024 bytes") == (200,)
    schema = decoding_schema(None, tools=["elasticsearch"], search_numbers=search_numbers("200 results"),
                             search_hits=[200])
    where = [{"field": "tags", "value": "http"}]
    assert accepts(tokenizer, schema, format_call({"tool": "elasticsearch", "where": where, "size": 200}))
    bound = {"field": "destination.port", "op": "range", "gte": 200}
    assert not accepts(tokenizer, schema, format_call({"tool": "elasticsearch", "where": [*where, bound]}))
    assert 3389 in search_scalars("50 rows of conns on port 3389")
    assert 50 not in search_scalars("50 rows of conns on port 3389")


def test_an_address_is_a_value_of_ip_fields_only():
    from operatorx.agent.grounding import search_values

    words = search_values("traffic involving 10.20.4.99 or fd00::7")
    assert "involving" in words and not {"10.20.4.99", "*10.20.4.99*", "fd00::7", "involving 10.20.4.99"} & set(words)
    assert "10.20.4.99" in search_values("messages with '10.20.4.99' in them")  # quoted: any field
    assert "10.20.4.99" in search_values("traffic involving 10.20.4.99", ip_fields=False)


def test_the_words_of_the_question_itself_are_not_values():
    from operatorx.agent.grounding import search_values

    words = set(search_values("Since midnight: all logs involving bad.example GET"))
    assert {"bad.example", "*bad.example*", "GET", "involving bad.example"} <= words
    assert not {"all", "all logs", "*all*", "logs", "get"} & words
    words = set(search_values("bad traffic alerts except the ones hitting 10.20.1.10"))
    assert "bad traffic" in words and not {"the ones", "*the ones*", "ones"} & words
    # nor a span that starts or ends with glue words, as written in lower case
    assert not {"the ones hitting", "*the ones hitting*", "ones hitting", "traffic alerts except the"} & words
    assert {"hitting", "Potentially Bad Traffic"} <= set(search_values("Potentially Bad Traffic hitting the dns"))


def test_dashes_sources_clauses_and_time_words_are_not_values():
    """The adapter's values for dev-hand5 and dev-hand6 questions that no reading allows."""
    from operatorx.agent.grounding import search_scalars, search_values

    assert search_values("strelka alerts today \u2014 just give me rule.name and file.name") == ()
    words = set(search_values("yara alerts Today \u2014 on dc01 - only those"))
    assert {"yara", "Today", "dc01"} <= words  # a dash ends a span and is no word
    assert not [w for w in words if "\u2014" in w or "-" in w or "Today on" in w]
    words = set(search_values("need the suricata alerts with rule.severity 1 that are NOT from 10.20.4.23"))
    assert not {"1 that are not", "that are", "1 that", "suricata", "*suricata*"} & words
    # phrasing in capitals is phrasing too: the adapter compared a field with "NOT" (dev-hand6
    # j-020) and searched rule.name for *NAMED* and *ME* ("GIVE ME all alerts NAMED …", val-00183)
    assert not {"NOT", "*NOT*"} & words
    assert not {"ME", "NAMED", "*NAMED*", "*ME*", "GIVE ME", "ME all"} & set(search_values(
        'quick one: GIVE ME all alerts NAMED "ET SCAN Nmap Scripting Engine User-Agent Detected" last 3 days thx'))
    assert {"GET", "ANY", "A"} <= set(search_values("GET requests and ANY or A lookups"))  # values in capitals
    words = set(search_values("http requests w/ gate.php somewhere in the uri"))
    assert "gate.php" in words and "*gate.php*" in words and not {"w/ gate.php", "*w/ gate.php*"} & words
    words = set(search_values("suricata alerts last 24h minus sid 2100366, that ping rule is just noise"))
    assert "2100366" in words and not {"24h", "*24h*"} & words
    words = set(search_values("the guy hammering our dc over ssh is 198.51.100.23 - zeek ssh logs from it"))
    assert not {"ssh", "zeek", "zeek ssh", "*ssh*"} & words and "hammering" in words
    assert "SSH" in search_values("alerts naming SSH")  # written in capitals: a rule name's word
    assert {"../", "*../*"} <= set(search_values("any uris containing ../ from 209.141.34.77"))
    # a number with a unit of time is the window, never a value; a plural is the number
    assert not {12, 24} & set(search_scalars("ssh records last 12 hours, or 24h"))
    assert 404 in search_scalars("count of 404s in http logs over the past 2 hours")


def test_fields_with_one_spelling_take_no_other_word(tokenizer):
    """event.severity_label "daily", rule.uuid "24h" or a file name, hash.md5 "files": the
    adapter's values (dev-hand3, dev-hand5). Each such field takes its own values or a word
    spelt like one."""
    from operatorx.agent.grounding import search_values

    names = ["event.severity_label", "rule.uuid", "hash.md5", "connection.state", "host.name"]

    def schema(question):
        return decoding_schema(names, tools=["elasticsearch"], search_values=search_values(question),
                               search_scalars=())

    def search(field, value, op=None):
        cond = {"field": field, **({"op": op} if op else {}), "value": value}
        return format_call({"tool": "elasticsearch", "where": [cond]})

    q = "daily yara hits on invoice_0923.docm for sid 2022048, md5 44d88612fea8a8f36de82e1278abb02f, state RSTOS0"
    s = schema(q)
    for field, value, op in [("event.severity_label", "high", None), ("rule.uuid", "2022048", None),
                             ("hash.md5", "44d88612fea8a8f36de82e1278abb02f", None),
                             ("hash.md5", "*44d88612fea8a8f36de82e1278abb02f*", "wildcard"),
                             ("connection.state", "RSTOS0", None), ("connection.state", "SF", None),
                             ("host.name", "invoice_0923.docm", None)]:
        assert accepts(tokenizer, s, search(field, value, op)), (field, value)
    for field, value in [("event.severity_label", "daily"), ("rule.uuid", "invoice_0923.docm"),
                         ("hash.md5", "files"), ("hash.md5", "yara"), ("connection.state", "state"),
                         ("rule.uuid", "*2022048*")]:
        assert not accepts(tokenizer, s, search(field, value)), (field, value)
    # a field with one spelling and nothing of it written takes no condition at all
    assert not accepts(tokenizer, schema("yara hits today"), search("rule.uuid", "yara"))


def test_host_and_country_fields_take_words_spelt_as_such(tokenizer):
    """host.name "C:\\Users\\jdoe\\AppData\\Local\\Temp" and destination.geo.country_name
    "bad.domain.com" were the adapter's (dev-hand5); a host name or a country takes a word
    spelt like one. A top-level domain written with its dot is a value without it."""
    from operatorx.agent.grounding import search_values

    names = ["host.name", "destination.geo.country_name", "process.executable", "dns.top_level_domain"]
    q = "sysmon events on WS-FIN-07 from C:\\Users\\jdoe\\Temp to bad.domain.com in North Korea, the .biz tld"
    s = decoding_schema(names, tools=["elasticsearch"], search_values=search_values(q), search_scalars=())

    def search(field, value, op=None):
        cond = {"field": field, **({"op": op} if op else {}), "value": value}
        return format_call({"tool": "elasticsearch", "where": [cond]})

    for field, value, op in [("host.name", "WS-FIN-07", None), ("host.name", "ws-fin-07*", "prefix"),
                             ("host.name", "bad.domain.com", None),
                             ("destination.geo.country_name", "North Korea", None),
                             ("process.executable", "C:\\Users\\jdoe\\Temp", None),
                             ("dns.top_level_domain", "biz", None)]:
        assert accepts(tokenizer, s, search(field, value, op)), (field, value)
    for field, value in [("host.name", "C:\\Users\\jdoe\\Temp"), ("host.name", "North Korea"),
                         ("destination.geo.country_name", "bad.domain.com"),
                         ("destination.geo.country_name", "north korea")]:
        assert not accepts(tokenizer, s, search(field, value)), (field, value)


def test_no_words_means_no_free_string_value(tokenizer):
    """With its wrong words taken away the adapter wrote rule.name "" and notice.note ""
    (dev-hand6): an empty value matches nothing. Without a word to compare with, a free
    field takes no value; fields with values of their own, numbers and exists still go."""
    from operatorx.agent.grounding import search_scalars, search_values

    question = "zeek notices from today, only notice.note and notice.message"
    assert search_values(question) == ()
    names = ["event.dataset", "notice.note", "notice.message", "destination.port"]
    s = decoding_schema(names, tools=["elasticsearch"], search_values=search_values(question),
                        search_scalars=search_scalars(question), field_kinds={"destination.port": "number"})

    def search(*conds, **more):
        return format_call({"tool": "elasticsearch", **more, "where": [dict(c) for c in conds]})

    dataset = {"field": "event.dataset", "value": "zeek.notice"}
    assert accepts(tokenizer, s, search(dataset, since="now/d"))
    assert accepts(tokenizer, s, search(dataset, {"field": "notice.note", "op": "exists"}))
    for cond in ({"field": "notice.note", "value": ""}, {"field": "notice.note", "op": "wildcard", "value": ""},
                 {"field": "notice.note", "op": "in", "value": [""]}):
        assert not accepts(tokenizer, s, search(dataset, cond)), cond
    # a negation's word left out of where leaves nothing there either
    q = "zeek ssl logs where ssl.validation_status isn't ok"
    assert "*isn't*" not in search_values(q) and "ok" in search_values(q)


def test_a_severity_is_a_condition_only_where_words_ask_about_one(tokenizer):
    """"daily suricata alert volume for the past week" had severity "critical" added by the
    adapter (dev-hand5)."""
    from operatorx.agent.grounding import search_values, severity_labels

    assert severity_labels("daily suricata alert volume for the past week") == ()
    assert severity_labels("yara hits with high in the name") == ("low", "medium", "high", "critical")
    assert severity_labels("only the sev 1 ones") and severity_labels("P1 alerts today")
    prev = {"tool": "elasticsearch", "where": [{"field": "event.severity_label", "value": "high"}]}
    assert severity_labels("same for yesterday", prev) == ("high",)

    def schema(question):
        return decoding_schema(["event.dataset", "event.severity_label"], tools=["elasticsearch"],
                               search_values=search_values(question), search_scalars=(),
                               meant_values={"event.severity_label": severity_labels(question)})

    def call(label):
        return format_call({"tool": "elasticsearch", "where": [
            {"field": "event.dataset", "value": "suricata.alert"}, {"field": "event.severity_label", "value": label}]})

    assert not accepts(tokenizer, schema("daily suricata alert volume for the past week"), call("critical"))
    assert accepts(tokenizer, schema("critical suricata alerts for the past week"), call("critical"))


def test_a_keyword_twin_of_a_field_is_not_offered():
    """source.ip.keyword holds source.ip's values under a second name (the adapter compared it
    with words); only a .keyword of analysed text would add anything."""
    from operatorx.backend.grammar import catalog_names

    catalog = FieldCatalog.packaged()
    names = catalog_names(catalog)
    assert "source.ip.keyword" in catalog and "source.ip.keyword" not in names
    assert "source.ip" in names and "rule.name" in names
    assert len(names) == len(catalog) - sum(catalog.is_subfield(n) for n in catalog.names())
    assert catalog_names(["source.ip.keyword"]) == ["source.ip.keyword"]  # a bare list is kept as given


def test_search_values_come_from_the_words():
    from operatorx.agent.grounding import search_scalars, search_values

    values = set(search_values('kmiller\'s processes in C:\\Users\\Public on ws-hr* named "ET SCAN Potential SSH Scan"'))
    assert {"kmiller", "ws-hr", "*ws-hr*", "ws-hr*", "ET SCAN Potential SSH Scan", "*processes*"} <= values
    assert "kmiller's" not in values and "*Downloads*" not in values
    # quoted text is a value whole, never a piece of it ("*ET SCAN*" for the quoted rule name)
    assert not {"*ET SCAN*", "ET SCAN", "*.ET", "Potential"} & values
    prev = {"tool": "elasticsearch", "where": [{"field": "dns.query.name", "value": "bad.example"},
                                               {"field": "destination.port", "value": 8443}]}
    assert "bad.example" in search_values("only today", prev)
    assert search_scalars("only today", prev) == (8443,)
    assert {22, 443, 7} <= set(search_scalars("ssh or https on port 7 from 10.0.0.5"))
    assert 10 not in search_scalars("from 10.0.0.5")


def test_numeric_scan_options_need_words_that_ask_for_them():
    from operatorx.agent.grounding import scan_values

    plain = scan_values("scan 127.0.0.1 ports 22 and 80")
    assert {22, 80} <= set(plain["ports"])
    assert plain["min_rate"] == plain["max_rate"] == plain["top_ports"] == plain["host_timeout"] == ()
    assert 80 in scan_values("scan 127.0.0.1 at 80 packets per second")["min_rate"]
    assert 100 in scan_values("top 100 ports on 127.0.0.1")["top_ports"]
    assert 30 in scan_values("scan 127.0.0.1, host tmieout 30s")["host_timeout"]  # one typo
    assert 500 in scan_values("slower please", {"tool": "nmap", "targets": ["127.0.0.1"], "max_rate": 500})["max_rate"]


def test_a_target_is_excluded_only_when_words_leave_it_out():
    from operatorx.agent.grounding import scan_values

    assert scan_values("scan 127.0.0.1 ports 22 and 80")["exclude"] == ()
    assert "127.0.0.5" in scan_values("scan 127.0.0.0/24 but leve out 127.0.0.5")["exclude"]  # one typo
    assert "127.0.0.5" in scan_values("nmap 127.0.0.0/24 --exclude 127.0.0.5")["exclude"]
    prev = {"tool": "nmap", "targets": ["127.0.0.0/24"], "exclude": ["127.0.0.5"]}
    assert "127.0.0.5" in scan_values("faster", prev)["exclude"]
    # only a network, range or wildcard has hosts to leave out (dev-hand3: the adapter excluded
    # the one host "don't bother pinging 172.16.8.9 first" scans)
    single = scan_values("dont bother pinging 172.16.8.9 first, just see if ssh or https answer")
    assert single["exclude"] == () and "skip_discovery" in single["switches"]
    # "skip <host>" leaves the host out; it does not skip host discovery
    sweep = scan_values("check ssh across 10.20.0.0/24 but skip 10.20.0.9 and 10.20.0.10")
    assert "10.20.0.9" in sweep["exclude"] and "skip_discovery" not in sweep["switches"]
    assert "skip_discovery" in scan_values("skip ping on 10.20.0.0/24")["switches"]


def test_a_new_scan_scans_exactly_the_named_hosts(tokenizer):
    from operatorx.agent.grounding import named_targets, scan_values

    hosts = ["10.0.0.5", "dc01", "10.0.0.0/24"]
    question = "top 100 ports of 10.0.0.5, dc01 and 10.0.0.0/24"
    allowed = scan_values(question, None, ["dc01"])
    assert allowed["targets"] == (tuple(hosts),)
    schema = decoding_schema(None, hosts, scan_values=allowed)
    scan = {"tool": "nmap", "top_ports": 100}
    assert accepts(tokenizer, schema, format_call({"tool": "nmap", "targets": hosts, "top_ports": 100}))
    for fewer in (hosts[:2], hosts[1:], [hosts[0], hosts[0]]):
        assert not accepts(tokenizer, schema, format_call({**scan, "targets": fewer}))
    left_out = scan_values("scan 10.0.0.0/24 and dc01 but skip 10.0.0.5", None, ["dc01"])["targets"]
    assert ("10.0.0.0/24", "dc01") in left_out and ("dc01",) in left_out
    assert scan_values("also 10.0.0.9", {"tool": "nmap", "targets": ["10.0.0.5"]})["targets"] == (("10.0.0.5", "10.0.0.9"),)
    assert named_targets("scan 10.0.0.1 to 10.0.0.20") == ["10.0.0.1-20"]
    assert named_targets("check robots.txt on 10.0.0.9") == ["10.0.0.9"]


def test_options_written_as_flags_must_be_set(tokenizer):
    from operatorx.agent.grounding import scan_values

    question = "nmap -sS -p- -sV -Pn 127.0.0.1"
    allowed = scan_values(question)
    assert set(allowed["required"]) == {"technique", "all_ports", "service_version", "skip_discovery"}
    schema = decoding_schema(None, ["127.0.0.1"], scan_values=allowed)
    full = {"tool": "nmap", "targets": ["127.0.0.1"], "all_ports": True, "technique": "syn",
            "service_version": True, "skip_discovery": True}
    assert accepts(tokenizer, schema, format_call(full))
    for name in ("all_ports", "service_version", "technique"):
        assert not accepts(tokenizer, schema, format_call({k: v for k, v in full.items() if k != name})), name
    # a negated flag is not allowed; a required flag the grammar cannot write requires nothing
    negated = scan_values("no -sV", {"tool": "nmap", "targets": ["127.0.0.1"], "service_version": True})
    assert "service_version" not in negated["switches"] and "service_version" not in negated["required"]
    # phrases that ask for an option outright are written flags too, unless negated
    phrased = scan_values("so, Fin scan, all ports and service detection scan of fs01")
    assert set(phrased["required"]) == {"all_ports", "service_version", "technique"}
    # a named technique, "quick scan" and "assume it's up" are asked for outright too
    assert "technique" in scan_values("full connect scan of localhost port 8080")["required"]
    assert "technique" in scan_values("do a ping sweep on 10.11.12.0/24")["required"]
    assert "technique" not in scan_values("skip the ping scan on 10.0.0.1")["required"]
    assert "fast" in scan_values("quick scan of 10.50.0.0/20 but leave out 10.50.0.1")["required"]
    assert "skip_discovery" in scan_values("what's running on 10.0.0.3, assume it's up")["required"]
    assert "ports" in scan_values("tcp and udp port 53 on dc02")["required"]
    assert "ports" not in scan_values("nmap --top-ports 100 10.0.0.3")["required"]
    # a service named where a port belongs asks for its port, unless ports are picked otherwise
    assert "ports" in scan_values("anything listening on telnet in 10.6.0.1-50?")["required"]
    assert "ports" in scan_values("is RDP open on 10.0.0.1")["required"]
    for other in ("run vnc-info on 10.0.0.1", "--script=http-title 10.0.0.1", "all ports on 10.0.0.1, ssh too",
                  "top 100 ports of 10.0.0.1 and ssh", "ping sweep 10.0.0.0/24 for ssh", "netbios names of nas01",
                  "scan 10.0.0.3 but not ssh"):
        assert "ports" not in scan_values(other)["required"], other
    # dev-hand11's: a template named beside its word, "top N", a cap after "max", a script by its
    # own name in a new scan, "open ones only", "fp the stack" are asked for outright
    polite = scan_values("Could you see if port 104 answers on 10.40.3.9? Polite timing, it's in testing.")
    assert "timing" in polite["required"] and polite["timing"] == (2,)
    assert scan_values("10.0.0.1, timing: sneaky")["timing"] == (1,)
    assert "timing" not in scan_values("aggressive mode on 10.0.0.1")["required"]  # -A, not a template
    assert "top_ports" in scan_values("-A web01 web02 top 100 T4")["required"]
    capped = scan_values("UDP scan of the top 50 ports on 10.40.31.0/27? Max 10 packets/sec, old readers")
    assert "max_rate" in capped["required"] and capped["min_rate"] == ()
    assert "scripts" in scan_values("run snmp-info against the printers 10.40.30.10-40")["required"]
    assert "scripts" not in scan_values("scan 10.40.30.10 without snmp-info")["required"]
    assert "scripts" not in scan_values("drop snmp-info", {"tool": "nmap", "targets": ["10.0.0.1"],
                                                          "scripts": ["snmp-info"]})["required"]
    assert "open_only" in scan_values("ports 104 and 443 on 10.40.3.20? open ones only")["required"]
    assert "os_detection" in scan_values("fp the stack on 10.40.9.30, no ping")["required"]
    assert "os_detection" in scan_values("fp the stack on 10.40.9.30, no ping")["switches"]  # the phrase allows it
    # a follow-up that says nothing about speed keeps its template, written; "drop 515" leaves it out
    printer = {"tool": "nmap", "targets": ["10.40.30.12"], "ports": "9100,515,631", "timing": 0}
    dropped = scan_values("drop 515, nobody uses lpd on that printer anymore", printer)
    assert {"timing", "ports"} <= set(dropped["required"]) and dropped["timing"] == (0,)
    assert 515 not in dropped["ports"] and {631, 9100} <= set(dropped["ports"])
    assert "timing" not in scan_values("start over with a plain scan of it", printer)["required"]
    # "skip the ping" is no ping sweep, unless one is named
    assert "ping" not in scan_values("10.20.7.14 not answer to ping so skip the ping, and scan 22,80,443")["technique"]
    assert "ping" in scan_values("Ping swep and no ping scan of the box dc02")["technique"]
    assert "ping" in scan_values("ping sweep 10.0.0.0/24")["technique"]
    # a narrow script needs its own word: "tls ciphers" is not tls-alpn, "ssl" not sslv2
    assert "tls-alpn" not in scan_values("what TLS cipher suites does mail.corp.internal offer?")["scripts"]
    assert "sslv2" not in scan_values("ssl cert of 10.0.0.1")["scripts"]
    assert {"tls-alpn", "sslv2"} <= set(scan_values("alpn protocols and sslv2 on 10.0.0.1")["scripts"])
    # numbers where ports stand ask for ports; numbers something else reads do not
    hosts = ("web01", "dc01")
    for q in ("grab service versions from web01 on 80 and 443", "which of 10.0.9.0/24 have 80, 443 or 8080 open?",
              "try 22/3389 against dc01", "dc01: 8443 or 25?"):
        assert "ports" in scan_values(q, hostnames=hosts)["required"], q
    for q in ("for ticket 4411, what ports are open on dc01", "from tier 2: what is open on dc01",
              "scan these 3 hosts: 10.0.0.1, 10.0.0.2", "scan 10.0.0.1 at 300 pps", "scan dc01 -T4",
              "scan dc01 timeout 5m", "top 20 of 10.0.0.1", "quick scan and tiimng 4 scan of 10.10.14.14"):
        assert "ports" not in scan_values(q, hostnames=hosts)["required"], q
    assert "ports" not in scan_values("scan 10.0.0.3 but not port 22", {"tool": "nmap", "targets": ["10.0.0.3"]})["required"]
    assert "service_version" not in scan_values("nmap fs01 without version detection")["required"]
    assert "os_detection" not in scan_values("smb os discovery on fs01")["required"]
    # "T4" without its dash is nmap's timing template too
    assert "timing" in scan_values("T4 please", {"tool": "nmap", "targets": ["127.0.0.1"]})["required"]
    assert "timing" not in scan_values("scan 127.0.0.1, HTTP/2 on port 443")["required"]
    ipv4_only = decoding_schema(None, ["127.0.0.1"], scan_values=scan_values("nmap -6 127.0.0.1"))
    assert accepts(tokenizer, ipv4_only, format_call({"tool": "nmap", "targets": ["127.0.0.1"]}))


def test_scripts_and_service_ports_asked_for_outright_are_in_the_scan(tokenizer):
    """A script asked for by its service's term ("the page titles and the Server header") and
    the port of a one-port service named where ports are asked ("ssh and rdp") are in the scan,
    in any order; negated, swapped-out or merely topical ones are not required."""
    from operatorx.agent.grounding import scan_values, scripts_asked, service_ports_named

    assert scripts_asked("grab the page titles and whatever server header web01 sends back") == (
        "http-title", "http-server-header")
    assert scripts_asked("check the ciphers and the cert on vpn.corp.internal:443") == ("ssl-enum-ciphers", "ssl-cert")
    assert scripts_asked("vuln + default scripts on git.corp.internal") == ("vuln", "default")
    assert scripts_asked("list the ssh key exchange and cipher algorithms on git") == ("ssh2-enum-algos",)
    for none in ("svc/ver db-prod-3 on 5432, need exact builds for the vuln ticket", "no vuln scripts on 10.0.0.1",
                 "swap http-enum for nothing", "run the page through", "anything besides ssh listening"):
        assert scripts_asked(none) == (), none
    assert scripts_asked("swap http-enum for http-methods") == ("http-methods",)
    assert service_ports_named("poke at 10.4.2.17 on ssh and rdp") == (22, 3389)
    assert service_ports_named("http and https on web01") == ()  # 80, 443, 8080, 8443 all serve them
    assert service_ports_named("anything besides ssh listening on 10.0.0.1") == ()
    assert scan_values("poke at 10.4.2.17 on ssh and rdp, what versions?")["ports_named"] == (22, 3389)
    # a word that names one service is no typo of another: "mysql" is not "mssql" (1433)
    db = scan_values("target 10.70.1.5, check postgres, mysql and mongo")
    assert db["ports_named"] == (5432, 3306, 27017) and 1433 not in db["ports"]
    assert 3306 in scan_values("is msyql open on 10.0.0.1")["ports"]  # a typo still counts
    assert "http-headers" not in scan_values("grab the page titles and the server header of web01")["scripts"]
    assert "ports_named" not in scan_values("top 100 ports and ssh on 10.0.0.1")  # no port list asked

    def admits(question: str, call: dict) -> bool:
        schema = decoding_schema(None, call["targets"], scan_values=scan_values(question))
        return accepts(tokenizer, schema, format_call(call))

    titles = "http titles and server headers for 10.0.9.10"
    both = {"tool": "nmap", "targets": ["10.0.9.10"], "ports": "80", "scripts": ["http-server-header", "http-title"]}
    assert admits(titles, both) and admits(titles, {**both, "scripts": ["http-title", "http-server-header"]})
    assert not admits(titles, {**both, "scripts": ["http-title"]})
    rdp = "poke at 10.4.2.17 on ssh and rdp"
    assert admits(rdp, {"tool": "nmap", "targets": ["10.4.2.17"], "ports": "3389,22"})
    assert not admits(rdp, {"tool": "nmap", "targets": ["10.4.2.17"], "ports": "22"})
    # dev-hand3/4/5/7's: "guess the OS", "OS and service versions", "services and their versions"
    # are asked for outright; "skip the printers at X" leaves hosts out, not host discovery
    assert "os_detection" in scan_values("traceroute to 172.20.14.3 and guess the OS while youre at it")["required"]
    assert {"os_detection", "service_version"} <= set(scan_values("10.200.0.0/24: give me OS and service versions")["required"])
    assert "service_version" in scan_values("inventory the services and their versions on 10.50.1.0/24")["required"]
    assert "os_detection" not in scan_values("service versions on 10.50.1.0/24, no guessing")["required"]
    printers = scan_values("scan 10.1.2.0/24 but skip the printers at 10.1.2.50 and 10.1.2.51")
    assert "skip_discovery" not in printers["switches"] and printers["exclude"]
    assert "skip_discovery" in scan_values("scan 10.1.2.0/24 but skip the ping")["switches"]
    dns = "does 10.30.5.5 answer dns over both tcp and udp"  # a T:/U: list stays free
    assert admits(dns, {"tool": "nmap", "targets": ["10.30.5.5"], "ports": "T:53,U:53", "technique": "syn", "udp": True})


def test_asking_whether_hosts_are_up_or_half_open_asks_for_no_switch():
    """"are even alive? … just up or down" had -Pn added, "half-open scan of ports 20000 through
    20010" --open (dev-hand3 b-002, dev-hand8 g-011); unless other words ask for them."""
    from operatorx.agent.grounding import scan_values

    def switches(question: str) -> tuple[str, ...]:
        return scan_values(question, None, ("db-prod-3",))["switches"]

    assert "skip_discovery" not in switches("which of 10.20.30.1-60 are even alive? dont need ports, just up or down")
    assert "skip_discovery" not in switches("which hosts are up on 10.42.8.0/24? host discovery only")
    assert "skip_discovery" not in switches("who's up on 192.168.10.0/24 rn")
    assert "open_only" not in switches("half-open scan of ports 20000 through 20010 on 10.70.0.20")
    assert "skip_discovery" in switches("db-prod-3 ignores ping; proceed on the assumption that it is online")
    assert "skip_discovery" in switches("fast scan 192.168.60.0/24, no host discovery")
    assert "skip_discovery" in switches("which hosts are up on 10.0.0.0/24? skip the ping")
    assert "open_only" in switches("half-open scan of db-prod-3 on 5432, show just open ports")


def test_nmaps_own_help_words_ask_for_their_options():
    """The wording of ``nmap --help``: "Trace hop path", "--osscan-guess", "--version-light"
    (intensity 2), "--version-all" (9), "Scan fewer ports", "no slower/faster than N per second"."""
    from operatorx.agent.grounding import scan_values

    assert "traceroute" in scan_values("trace the hop path to 10.0.0.5")["required"]
    assert "traceroute" in scan_values("how many hops to 10.0.0.5")["switches"]
    assert "os_detection" in scan_values("nmap --osscan-guess 10.0.0.5")["required"]
    light = scan_values("nmap -sV --version-light 10.0.0.5")
    assert light["version_intensity"] == (2,) and "version_intensity" in light["required"]
    assert scan_values("-sV --version-all on 10.0.0.5")["version_intensity"] == (9,)
    assert scan_values("nmap -sV 10.0.0.5")["version_intensity"] == ()
    assert "fast" in scan_values("scan fewer ports on 10.0.0.5")["switches"]
    assert "fast" not in scan_values("scan 10.0.0.5")["switches"]
    assert scan_values("10.0.0.5, no slower than 300")["min_rate"] == (300,)
    assert scan_values("10.0.0.5, no faster than 300")["max_rate"] == (300,)
    assert scan_values("ports 300 on 10.0.0.5")["min_rate"] == ()


def test_a_duration_is_only_a_timeout():
    from operatorx.agent.grounding import scan_values

    allowed = scan_values("i want 90s per host max for fd00:10:20::8b7")
    assert allowed["ports"] == () and 90 in allowed["host_timeout"]
    assert 90 in scan_values("ports 90 and 443 on 127.0.0.1, host timeout 90s")["ports"]
    # "min rate" names the option, not a unit: 50 is the top-ports count here.
    allowed = scan_values("run --top-ports 50 min rate 200 on 172.16.3.0/24?")
    assert 50 in allowed["top_ports"] and 200 in allowed["min_rate"]
    assert 50 in scan_values("host timeout 50 min on 10.0.0.5")["host_timeout"]


def test_version_intensity_only_with_what_it_tunes(tokenizer):
    from operatorx.agent.grounding import scan_values

    schema = decoding_schema(None, ["10.0.0.5"], scan_values=scan_values("syn scan of 10.0.0.5, versions at level 2"))
    base = {"tool": "nmap", "targets": ["10.0.0.5"], "technique": "syn"}
    assert accepts(tokenizer, schema, format_call({**base, "service_version": True, "version_intensity": 2}))
    assert accepts(tokenizer, schema, format_call({**base, "service_version": True}))
    assert not accepts(tokenizer, schema, format_call({**base, "version_intensity": 2}))


def test_a_count_returns_no_hits(tokenizer):
    from operatorx.agent.grounding import search_shape

    assert search_shape("From yesterday: count connection logs on port 3389") == ("count",)
    assert search_shape("How many NXDOMAIN lookups?") == ("count",)
    assert search_shape("just the number") == ("count",)
    assert search_shape("the number of failed logins over 5") == ()
    assert search_shape("Past 14d: cnt sessions on port 1433") == search_shape("find # of low yara matches") == ("count",)
    assert search_shape("list accounts with failed logons") == ()
    assert search_shape("ssh sessions where the number of auth attempts is over 10") == ()
    call = {"tool": "elasticsearch", "where": [{"field": "tags", "value": "conn"}]}
    schema = decoding_schema(None, tools=["elasticsearch"], search_shape=["count"])
    assert accepts(tokenizer, schema, format_call({**call, "size": 0}))
    assert accepts(tokenizer, schema, format_call({**call, "agg": {"field": "source.ip"}, "size": 0}))
    assert not accepts(tokenizer, schema, format_call(call))
    assert not accepts(tokenizer, schema, format_call({**call, "size": 5}))
    assert accepts(tokenizer, decoding_schema(None, tools=["elasticsearch"]), format_call(call))


def test_either_side_needs_an_any_of(tokenizer):
    from operatorx.agent.grounding import search_shape

    assert search_shape("Since midnight: all logs involving 10.0.0.6") == ("either",)
    assert search_shape("events with 10.20.7.14 on either side :)") == ("either",)
    assert search_shape("connections from 10.0.0.6") == ()
    one = {"field": "source.ip", "value": "10.0.0.6"}
    both = [one, {"field": "destination.ip", "value": "10.0.0.6"}]
    schema = decoding_schema(None, tools=["elasticsearch"], search_shape=["either"])
    assert accepts(tokenizer, schema, format_call({"tool": "elasticsearch", "any_of": both}))
    assert not accepts(tokenizer, schema, format_call({"tool": "elasticsearch", "where": [one]}))
    assert not accepts(tokenizer, schema, format_call({"tool": "elasticsearch", "any_of": [one]}))


def test_aggregation_words_fix_the_aggregation(tokenizer):
    from operatorx.agent.grounding import search_shape

    assert search_shape("dns queries per hour today") == ("histogram", "interval=1h")
    assert search_shape("how many unique source ips hit 10.0.0.5") == ("count", "distinct")
    assert search_shape("most common user agents") == ("buckets",)
    # (ten buckets if it aggregates at all, but no aggregation is asked for)
    assert search_shape("fetch top 10 network connections by bytes sent") == ("buckets=10",)
    assert search_shape("ssl connections as a timeline") == search_shape("timeline of dns logs") == ("histogram",)
    assert search_shape("alerts from 10.0.0.5 today for the timeline") == ()
    assert search_shape("add the dns logs of ws-fin-07 to the timeline") == ()
    base = {"tool": "elasticsearch", "where": [{"field": "tags", "value": "http"}]}
    hist = {**base, "agg": {"type": "date_histogram", "field": "@timestamp", "interval": "1h"}, "size": 0}
    terms = {**base, "agg": {"field": "http.useragent"}, "size": 0}
    distinct = {**base, "agg": {"type": "cardinality", "field": "source.ip"}, "size": 0}
    for shape, good in (("histogram", hist), ("buckets", terms), ("distinct", distinct)):
        schema = decoding_schema(None, tools=["elasticsearch"], search_shape=[shape])
        for call in (hist, terms, distinct, base):
            assert accepts(tokenizer, schema, format_call(call)) == (call is good), (shape, call)
    either_kind = decoding_schema(None, tools=["elasticsearch"], search_shape=["histogram", "buckets"])
    assert accepts(tokenizer, either_kind, format_call(hist)) and accepts(tokenizer, either_kind, format_call(terms))
    assert not accepts(tokenizer, either_kind, format_call(base))


def test_words_that_leave_something_out_need_an_exclude(tokenizer):
    from operatorx.agent.grounding import search_shape

    assert search_shape("medium yara matches except from sensor so-heavy01 last week") == ("exclude", "since=now-1w")
    assert search_shape("give me flows with no protocol") == ("exclude",)
    assert search_shape("not sure, dns for non-existent domains") == ()
    assert search_shape("traffic from 192.168.1.77 going outside the network") == ("exclude",)
    assert search_shape("conns to external addresses with the most bytes") == ("exclude",)
    where = [{"field": "tags", "value": "conn"}]
    schema = decoding_schema(None, tools=["elasticsearch"], search_shape=["exclude"])
    missing = [{"field": "network.protocol", "op": "exists"}]
    assert accepts(tokenizer, schema, format_call({"tool": "elasticsearch", "where": where, "exclude": missing}))
    assert not accepts(tokenizer, schema, format_call({"tool": "elasticsearch", "where": where}))


def test_a_named_window_is_the_since(tokenizer):
    from operatorx.agent.grounding import search_shape, search_window

    assert search_window("did 10.0.0.5 connect to 192.168.3.3 in the past 24 hours?") == "now-24h"
    assert search_window("narrow that down to the past hour") == "now-1h"
    assert search_window("dns over the last 3 days") == "now-3d"
    assert search_window("the last 5 failed logins") is None
    assert search_window("last hour or the past 2 days?") is None  # two windows: the model picks
    assert "since=now-1h" in search_shape("alerts in the last hour")
    assert search_shape("all time, not the last hour") == ("all_time",)
    schema = decoding_schema(None, tools=["elasticsearch"], search_shape=["since=now-1h"])
    where = [{"field": "tags", "value": "alert"}]
    assert accepts(tokenizer, schema, format_call({"tool": "elasticsearch", "since": "now-1h", "where": where}))
    assert not accepts(tokenizer, schema, format_call({"tool": "elasticsearch", "since": "now-1d", "where": where}))
    assert not accepts(tokenizer, schema, format_call({"tool": "elasticsearch", "where": where}))


def test_the_newest_n_hits_are_the_size(tokenizer):
    from operatorx.agent.grounding import search_shape

    assert search_shape("5 newest suricata alerts for sid 2022048") == ("size=5",)
    assert search_shape("last 3 ssh logins that failed") == ("size=3",)
    assert search_shape("alerts in the last 3 days") == ("since=now-3d",)  # a window, not hits
    assert search_shape("how many of the last 20 alerts") == ("count",)  # a count keeps size 0
    assert search_shape("200 results when you can") == ("size=200",)
    assert "size=20" not in search_shape("top 20 record types in dns requests")  # buckets, not hits
    schema = decoding_schema(None, tools=["elasticsearch"], search_shape=["size=5"])
    where = [{"field": "tags", "value": "alert"}]
    assert accepts(tokenizer, schema, format_call({"tool": "elasticsearch", "where": where, "size": 5}))
    assert not accepts(tokenizer, schema, format_call({"tool": "elasticsearch", "where": where, "size": 0}))
    assert not accepts(tokenizer, schema, format_call({"tool": "elasticsearch", "where": where}))


def test_all_time_has_no_window_and_raw_logs_no_aggregation(tokenizer):
    from operatorx.agent.grounding import search_shape

    assert search_shape("all time") == ("all_time",) and search_shape("show the raw logs") == ("raw",)
    prev = {"field": "dns.query.name", "value": "x.example"}
    windowed = {"tool": "elasticsearch", "since": "now-14d", "where": [prev]}
    hist = {"tool": "elasticsearch", "where": [prev], "agg": {"type": "date_histogram", "field": "@timestamp",
                                                             "interval": "1h"}, "size": 0}
    plain = {"tool": "elasticsearch", "where": [prev]}
    all_time = decoding_schema(None, tools=["elasticsearch"], search_shape=["all_time"])
    raw = decoding_schema(None, tools=["elasticsearch"], search_shape=["raw"])
    assert accepts(tokenizer, all_time, format_call(plain)) and not accepts(tokenizer, all_time, format_call(windowed))
    assert accepts(tokenizer, raw, format_call(plain)) and not accepts(tokenizer, raw, format_call(hist))
    assert not accepts(tokenizer, raw, format_call({**plain, "size": 0}))


def _has_shape(shape: str, call: dict) -> bool:
    agg = call.get("agg") or {}
    if shape.startswith("since="):
        return call.get("since") == shape.removeprefix("since=")
    if shape.startswith("size="):
        return call.get("size") == int(shape.removeprefix("size="))
    if shape.startswith("interval="):  # a histogram has the interval named ("per hour": 1h)
        return agg.get("type") != "date_histogram" or agg.get("interval") == shape.removeprefix("interval=")
    if shape.startswith("buckets="):  # "top 5 talkers": that many buckets, if it aggregates at all
        return not agg or agg.get("size", 10) == int(shape.removeprefix("buckets="))
    if shape.startswith("by_time="):  # "oldest first": sorted by time alone
        order = shape.removeprefix("by_time=")
        return call.get("sort") == [{"field": "@timestamp", **({"order": "asc"} if order == "asc" else {})}]
    if shape.startswith(("source=", "destination=")):  # that address only on that side
        side, address = shape.split("=", 1)
        conds = [c for key in ("where", "any_of", "exclude") for c in call.get(key) or []]
        values = [(c, c["value"] if isinstance(c.get("value"), list) else [c.get("value")]) for c in conds]
        named = [c for c, vs in values if address in vs]
        return all(c["field"].split(".")[0] == side for c in named)
    return {
        "count": call.get("size") == 0,
        "either": len(call.get("any_of") or []) >= 2,
        "histogram": agg.get("type") == "date_histogram",
        "distinct": agg.get("type") == "cardinality",
        "buckets": bool(agg) and agg.get("type", "terms") == "terms",
        "exclude": bool(call.get("exclude")),
        "all_time": "since" not in call and "until" not in call,
        "raw": not agg and call.get("size") != 0,
        "unsorted": "sort" not in call,
        "unprojected": "fields" not in call,
        "no_histogram": agg.get("type") != "date_histogram",
        "no_distinct": agg.get("type") != "cardinality",
        "no_buckets": not agg or agg.get("type", "terms") != "terms",
        "no_count": bool(agg) or call.get("size") != 0,
    }[shape]


def test_a_search_sorts_histograms_or_counts_distinct_only_when_words_ask(tokenizer):
    from operatorx.agent.grounding import unasked_shape

    def absent(question, previous=None):
        return set(unasked_shape(question, previous))

    everything = {"unsorted", "no_histogram", "no_distinct", "no_buckets", "no_count"}
    assert absent("show the raw logs") == absent("all time") == everything
    assert "unsorted" not in absent("fetch top 10 network connections by bytes sent")
    assert "unsorted" not in absent("Display the 50 lonegst flows")  # a typo of "longest"
    assert "unsorted" not in absent("flows with the most data sent") | absent("oldest first")
    assert "unsorted" not in absent("without port 41022", {"tool": "elasticsearch", "sort": [{"field": "client.bytes"}]})
    for timed in ("alerts in 15-minute buckets", "dns logs weekly", "conns by the hour", "ssl logs over time"):
        assert "no_histogram" not in absent(timed), timed
    assert "no_distinct" not in absent("look for number of unque modules")  # a typo of "unique"
    histogram = {"tool": "elasticsearch", "agg": {"type": "date_histogram", "field": "@timestamp"}, "size": 0}
    assert "no_histogram" not in absent("only today", histogram)
    schema = decoding_schema(None, tools=["elasticsearch"], search_shape=["unsorted"])
    where = [{"field": "tags", "value": "dns"}]
    assert accepts(tokenizer, schema, format_call({"tool": "elasticsearch", "where": where}))
    assert not accepts(tokenizer, schema, format_call(
        {"tool": "elasticsearch", "where": where, "sort": [{"field": "@timestamp", "order": "asc"}]}))
    schema = decoding_schema(None, tools=["elasticsearch"], search_shape=["no_histogram", "no_distinct"])
    for kind in ("date_histogram", "cardinality"):
        assert not accepts(tokenizer, schema, format_call(
            {"tool": "elasticsearch", "where": where, "agg": {"type": kind, "field": "@timestamp"}, "size": 0}))
    assert accepts(tokenizer, schema, format_call(
        {"tool": "elasticsearch", "where": where, "agg": {"field": "source.ip"}, "size": 0}))


def test_a_written_event_code_goes_only_to_event_code(tokenizer):
    """The adapter wrote destination.port 4625 for "how many 4625s from 192.168.56.21" (dev-hand5):
    a written four-digit Windows event code is compared on event.code alone; other numbers
    and words are left as they were."""
    from operatorx.backend.grammar import bound_values

    names = ["event.code", "destination.port", "dns.query.name"]
    assert bound_values(["4625s", "evil.com"], names, [4625, 445]) == {"4625": ("event.code",)}
    assert bound_values(["4625"], ["destination.port"], [4625]) == {}  # no event.code to go to
    assert bound_values(["1234"], names, [1234]) == {}  # not an event code
    counted = decoding_schema(names, tools=["elasticsearch"], search_values=["4625s", "evil.com"],
                              search_scalars=[4625, 445], field_kinds={"destination.port": "number"})
    for cond, ok in (({"field": "event.code", "value": "4625"}, True), ({"field": "destination.port", "value": 445}, True),
                     ({"field": "destination.port", "value": 4625}, False),
                     ({"field": "dns.query.name", "value": "4625s"}, False),
                     ({"field": "dns.query.name", "value": "evil.com"}, True)):
        assert accepts(tokenizer, counted, format_call({"tool": "elasticsearch", "where": [cond]})) is ok, cond


def test_a_follow_up_adds_columns_only_when_words_ask(tokenizer):
    """The adapter added fields to the follow-ups "show the raw logs" and "all time" (val):
    a follow-up adds columns only with a word for them; a new question is left alone."""
    from operatorx.agent.grounding import unasked_shape

    listed = {"tool": "elasticsearch", "where": [{"field": "tags", "value": "dns"}]}

    def projected(question, previous=listed):
        return "unprojected" not in unasked_shape(question, previous)

    assert not projected("show the raw logs") and not projected("all time")
    for asked in ("just the time, query name and src ip", "only show me ssl.server_name", "columns bytes",
                  "trim the output to user.name", "which fields have the ja3? colums hash.ja3 and source.ip"):
        assert projected(asked), asked
    assert projected("all time", {**listed, "fields": ["@timestamp"]})  # it keeps the columns it edits
    assert projected("signature of critical alerts", None) and projected("all time", {"tool": "nmap"})
    schema = decoding_schema(None, tools=["elasticsearch"], search_shape=unasked_shape("all time", listed))
    assert accepts(tokenizer, schema, format_call(listed))
    assert not accepts(tokenizer, schema, format_call({**listed, "fields": ["@timestamp"]}))


def test_a_search_groups_by_a_field_only_when_words_ask(tokenizer):
    """The adapter grouped "pull every DNS lookup for it" by source.ip: top values need a word
    for grouping, ranking or which ones ("which", "per", "the rarest", "hosts where …")."""
    from operatorx.agent.grounding import unasked_shape

    def grouped(question, previous=None):
        return "no_buckets" not in unasked_shape(question, previous)

    assert not grouped("Threat intel just flagged xk2j9.rare-example.top - can you pull every DNS lookup for it?")
    assert not grouped("last 3 ssh logins that failed - just source ip, dest ip and the ssh client string")
    for asked in ("which hosts resolved cdn.example.com", "alerts per sensor", "the rarest ja3 hashes",
                  "bottmo 5 modules", "hosts where cmd.exe ran", "most common user agents"):
        assert grouped(asked), asked
    terms = {"tool": "elasticsearch", "agg": {"field": "source.ip"}, "size": 0}
    assert grouped("only today", terms)  # a follow-up keeps the grouping it edits
    where = [{"field": "tags", "value": "dns"}]
    schema = decoding_schema(None, tools=["elasticsearch"], search_shape=["no_buckets"])
    assert not accepts(tokenizer, schema, format_call({**terms, "where": where}))
    assert accepts(tokenizer, schema, format_call({"tool": "elasticsearch", "where": where}))
    assert accepts(tokenizer, schema, format_call(
        {"tool": "elasticsearch", "where": where, "agg": {"type": "cardinality", "field": "source.ip"}, "size": 0}))
    nothing = decoding_schema(None, tools=["elasticsearch"], search_shape=["no_buckets", "no_histogram", "no_distinct"])
    assert not accepts(tokenizer, nothing, format_call(
        {"tool": "elasticsearch", "where": where, "agg": {"type": "cardinality", "field": "source.ip"}, "size": 0}))


def test_a_search_without_aggregations_counts_only_when_words_ask(tokenizer):
    """"all time" had turned a list of alerts into a count (size 0)."""
    from operatorx.agent.grounding import unasked_shape

    listed = {"tool": "elasticsearch", "where": [{"field": "tags", "value": "alert"}], "since": "now-14d"}
    assert "no_count" in unasked_shape("all time", listed)
    for counted in ("number of conns from 10.0.0.5", "just the no.", "total ssl sessions", "how many alerts"):
        assert "no_count" not in unasked_shape(counted), counted
    assert "no_count" not in unasked_shape("all time", {**listed, "size": 0})  # a count stays a count
    shape = ["no_count", "no_buckets", "no_histogram", "no_distinct"]
    schema = decoding_schema(None, tools=["elasticsearch"], search_numbers=[0, 20], search_shape=shape)
    assert not accepts(tokenizer, schema, format_call({"tool": "elasticsearch", "where": listed["where"], "size": 0}))
    assert accepts(tokenizer, schema, format_call({"tool": "elasticsearch", "where": listed["where"], "size": 20}))
    with_agg = decoding_schema(None, tools=["elasticsearch"], search_numbers=[0], search_shape=["no_count"])
    assert accepts(tokenizer, with_agg, format_call(
        {"tool": "elasticsearch", "where": listed["where"], "agg": {"field": "source.ip"}, "size": 0}))


def test_an_address_after_to_or_from_stays_on_that_side(tokenizer):
    """The adapter searched source.ip for "events headed to 198.51.100.66"."""
    from operatorx.agent.grounding import address_sides

    assert address_sides("show me events headed to 198.51.100.66 over the last 6 hours") == (
        "destination=198.51.100.66",)
    assert address_sides("alerts from 10.0.0.5, then to 8.8.8.8") == ("source=10.0.0.5", "destination=8.8.8.8")
    assert address_sides("conns to or from 10.0.0.1") == ()  # either side
    assert address_sides("scan 10.0.0.1 to 10.0.0.20") == ()  # a range
    assert address_sides("change the source to 10.0.0.7") == ()  # the side is named otherwise
    assert address_sides("traffic from 10.0.0.5 to destination port 443") == ()
    ips = ["source.ip", "destination.ip", "host.ip"]
    schema = decoding_schema(ips, tools=["elasticsearch"], ip_fields=ips, addresses=["198.51.100.66", "10.0.0.9"],
                             search_shape=["destination=198.51.100.66"])
    call = {"tool": "elasticsearch", "where": [{"field": "destination.ip", "value": "198.51.100.66"}]}
    assert accepts(tokenizer, schema, format_call(call))
    for other in ("source.ip", "host.ip"):
        assert not accepts(tokenizer, schema, format_call(
            {"tool": "elasticsearch", "where": [{"field": other, "value": "198.51.100.66"}]}))
        assert accepts(tokenizer, schema, format_call(
            {"tool": "elasticsearch", "where": [{"field": other, "value": "10.0.0.9"}]}))


@pytest.mark.skipif(
    not (DATA / "train.jsonl").is_file(), reason="no training data (operatorx.training.datagen)"
)
def test_every_search_in_the_data_has_the_shape_its_words_ask_for():
    """Train, val and test: each search whose words ask for a shape (search_shape) has it."""
    from collections import Counter

    from operatorx.agent.grounding import SEARCH_SHAPE_WORDS, address_sides, search_shape, unasked_shape
    from operatorx.agent.grounding import UNASKED_WORDS as UNASKED

    seen: Counter = Counter()
    wrong = []
    for rec, question in _records("elasticsearch", ("train", "val", "test")):
        for shape in (*search_shape(question), *unasked_shape(question, rec.get("previous")), *address_sides(question)):
            seen[shape] += 1
            if not _has_shape(shape, rec["target"]):
                wrong.append((rec["id"], shape, question))
    windows = sum(n for shape, n in seen.items() if shape.startswith("since="))
    sides = sum(n for shape, n in seen.items() if shape.startswith(("source=", "destination=")))
    valued = ("since=", "size=", "source=", "destination=", "interval=", "buckets=", "by_time=")
    words = {shape: n for shape, n in seen.items() if not shape.startswith(valued) and shape not in UNASKED}
    assert set(words) == set(SEARCH_SHAPE_WORDS) and min(words.values()) >= 5 and windows > 500, seen
    assert min(seen[shape] for shape in UNASKED if shape != "unprojected") > 2000 and sides > 300, seen
    assert seen["unprojected"] > 300, seen  # follow-ups only
    assert wrong == []


def test_a_numeric_field_is_bounded_by_numbers_only(tokenizer):
    """With field types only numeric fields take a range, and their bounds are numbers: the
    adapter wrote destination.port < "2333" (a number nobody wrote, as a string) and
    event.duration < "14m" (refused by validation) once 0 was no bound (val, dev-hand)."""
    kinds = {"destination.port": "number", "event.duration": "number"}
    names = ["destination.port", "event.duration", "http.uri"]

    def ranged(field, **bounds):
        return format_call({"tool": "elasticsearch", "where": [{"field": field, "op": "range", **bounds}]})

    grounded = decoding_schema(names, tools=["elasticsearch"], field_kinds=kinds, search_numbers=[200, 7200])
    assert accepts(tokenizer, grounded, ranged("event.duration", gt=7200))
    assert accepts(tokenizer, grounded, ranged("destination.port", lt=200))
    for field, bound in (("destination.port", "200"), ("destination.port", "2333"), ("event.duration", "14m")):
        assert not accepts(tokenizer, grounded, ranged(field, lt=bound)), (field, bound)
    free = decoding_schema(names, tools=["elasticsearch"], field_kinds=kinds)
    assert accepts(tokenizer, free, ranged("destination.port", lt=2333))
    assert not accepts(tokenizer, free, ranged("destination.port", lt="2333"))
    none = decoding_schema(names, tools=["elasticsearch"], field_kinds=kinds, search_numbers=[])
    assert not accepts(tokenizer, none, ranged("event.duration", lt=1))  # no number: no range
    assert accepts(tokenizer, none, format_call({"tool": "elasticsearch", "where": [{"field": "http.uri", "op": "exists"}]}))
    untyped = decoding_schema(["@timestamp"], tools=["elasticsearch"], search_numbers=[])
    assert accepts(tokenizer, untyped, ranged("@timestamp", gte="now-1h"))  # without types a date may be ranged


def test_a_port_range_stays_under_65536(tokenizer):
    schema = decoding_schema(["server.bytes", "destination.port"], tools=["elasticsearch"],
                             search_numbers=[0, 1024, 100000, 300000])

    def ranged(field, gte, lte):
        return format_call({"tool": "elasticsearch", "where": [{"field": field, "op": "range", "gte": gte, "lte": lte}]})

    assert accepts(tokenizer, schema, ranged("server.bytes", 100000, 300000))
    with_ips = decoding_schema(["destination.ip", "event.code", "http.user"], tools=["elasticsearch"],
                               ip_fields=["destination.ip"], addresses=["203.0.113.50"])

    def exists(field):
        return format_call({"tool": "elasticsearch", "where": [{"field": field, "op": "exists"}]})

    assert not accepts(tokenizer, with_ips, exists("destination.ip"))  # the adapter's stand-in for the address
    assert accepts(tokenizer, with_ips, exists("http.user"))  # "with a basic-auth user"
    no_ips = decoding_schema(["destination.ip", "http.user"], tools=["elasticsearch"], ip_fields=["destination.ip"],
                             addresses=[])
    assert accepts(tokenizer, no_ips, exists("destination.ip"))
    typed = decoding_schema(["event.code", "destination.port"], tools=["elasticsearch"], search_numbers=[1, 1024],
                            field_kinds={"destination.port": "number"})
    assert not accepts(tokenizer, typed, ranged("event.code", 1, 1024))  # a keyword field has no range
    assert accepts(tokenizer, typed, ranged("destination.port", 1, 1024))
    assert not accepts(tokenizer, schema, ranged("destination.port", 100000, 300000))
    assert accepts(tokenizer, schema, ranged("destination.port", 0, 1024))


def test_a_field_compares_with_values_of_its_type(tokenizer):
    from operatorx.backend.grammar import catalog_field_kinds

    catalog = FieldCatalog.packaged()
    kinds = catalog_field_kinds(catalog)
    assert kinds["ssh.authentication.success"] == "boolean" and kinds["destination.port"] == "number"
    assert "event.code" not in kinds  # a keyword: its values are strings ("4625")
    schema = decoding_schema(catalog.names(), tools=["elasticsearch"], field_kinds=kinds)
    search = {"tool": "elasticsearch", "where": [{"field": "tags", "value": "ssh"}]}

    def where(*conds):
        return format_call({**search, "where": [*search["where"], *conds]})

    assert accepts(tokenizer, schema, where({"field": "ssh.authentication.success", "value": False}))
    assert accepts(tokenizer, schema, where({"field": "ssh.authentication.success", "op": "exists"}))
    assert accepts(tokenizer, schema, where({"field": "destination.port", "value": 22}))
    assert accepts(tokenizer, schema, where({"field": "destination.port", "op": "in", "value": [22, 2222]}))
    assert accepts(tokenizer, schema, where({"field": "event.code", "value": "4625"}))
    assert not accepts(tokenizer, schema, where({"field": "destination.port", "value": True}))
    assert not accepts(tokenizer, schema, where({"field": "destination.port", "op": "in", "value": [True, False]}))
    assert not accepts(tokenizer, schema, where({"field": "destination.port", "value": "*flows*"}))
    assert not accepts(tokenizer, schema, where({"field": "destination.port", "op": "wildcard", "value": "22*"}))
    assert not accepts(tokenizer, schema, where({"field": "event.code", "value": 4625}))
    assert not accepts(tokenizer, schema, where({"field": "ssh.authentication.success", "value": "yes"}))
    # without field types (no catalog) any scalar stays a possible value
    assert accepts(tokenizer, decoding_schema(catalog.names(), tools=["elasticsearch"]),
                   where({"field": "destination.port", "value": True}))


def test_paraphrase_targets_fit_the_grounded_grammar(tokenizer):
    """The train-only paraphrase draw (new openers, verbs, synonyms, time phrases) says
    nothing the grammar cannot follow: a sample of each half."""
    from operatorx.training import datagen_paraphrase

    records = []
    for seed, half in ((11, "A"), (12, "B"), (13, "C"), (14, "D"), (15, "E"), (16, "F")):
        train = datagen_paraphrase.draw(seed, half)["train"]
        records += train[:: max(1, len(train) // 150)]
    assert not _grammar_rejects(tokenizer, records)[:5]


def test_half_f_scan_families_fit_the_grounded_grammar(tokenizer):
    """Every call of the train-only scan families (datagen_nmap_extra), not a sample."""
    from operatorx.training import datagen_paraphrase

    records = [r for r in datagen_paraphrase.draw(61, "F")["train"] if r["family"].startswith("nmapx.")]
    assert len(records) > 150
    assert not _grammar_rejects(tokenizer, records)[:5]


def test_words_the_third_training_writers_used_now_reach_their_calls(tokenizer):
    """data/train-hand3/rejected.jsonl: right labels the grammar could not write. These eight
    it writes now ("HTTP POSTs", "a per-day breakdown", "not counting the ones from X",
    "excl. 192.168.200.1", "which hosts respond", "anything besides ssh listening", "kill it if
    it runs past 10m", "don't spend more than 2m on any one machine"); the others stay listed."""
    from operatorx.agent.grounding import scan_values, search_shape, search_values

    reached = {"th3-k-118", "th3-l-116", "th3-l-117", "th3-m-127", "th3-n-123", "th3-n-124", "th3-n-127",
               "th3-n-129"}
    path = Path(__file__).resolve().parent.parent / "data" / "train-hand3" / "rejected.jsonl"
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    rejected = {rid for rid, _, _ in _grammar_rejects(tokenizer, records)}
    assert reached <= {r["id"] for r in records} and not reached & rejected
    assert search_shape("a per-day breakdown of all alerts") == ("histogram", "buckets", "interval=1d")
    shape = search_shape("dns lookups of *.duckdns.org, not counting the ones from 192.168.1.53")
    assert "exclude" in shape and "count" not in shape
    assert "POST" in search_values("HTTP POSTs to /wp-login.php") and "GET" not in search_values("GETTERs")
    assert 10 in scan_values("aggressive scan of dc01, kill it if it runs past 10m")["host_timeout"]
    assert "ports" not in scan_values("is anything besides ssh listening on build01?")["required"]
    assert "ports" in scan_values("is ssh listening on build01?")["required"]


def test_ports_tied_to_udp_are_written_as_a_udp_list(tokenizer):
    """"ssh over tcp plus snmp on udp" probes TCP 22 and UDP 161: the grammar admits only
    T:…,U:161 (a plain "22,161" with -sS -sU probes both ports on both protocols)."""
    from operatorx.agent.grounding import scan_values

    allowed = scan_values("scan 10.2.2.2 for ssh over tcp plus snmp on udp")
    assert (allowed["tcp_ports"], allowed["udp_ports"]) == (("22",), ("161",))
    assert {"ports", "udp"} <= set(allowed["required"])
    schema = decoding_schema(targets=["10.2.2.2"], scan_values=allowed)

    def scan(**options):
        return format_call({"tool": "nmap", "targets": ["10.2.2.2"], **options})

    assert accepts(tokenizer, schema, scan(ports="T:22,U:161", technique="syn", udp=True))
    assert not accepts(tokenizer, schema, scan(ports="22,161", technique="syn", udp=True))
    assert not accepts(tokenizer, schema, scan(ports="T:22,U:22", technique="syn", udp=True))
    assert not accepts(tokenizer, schema, scan(ports="T:22,161,U:161", technique="syn", udp=True))
    assert not accepts(tokenizer, schema, scan(ports="T:22,U:161", technique="syn"))  # UDP must be on
    assert not accepts(tokenizer, schema, scan(ports="T:22,U:161", technique="udp"))
    # several UDP ports, in port order, whatever the order written
    two = scan_values("scan 10.2.2.2 tcp 22 plus udp 123 and 53")
    assert accepts(tokenizer, decoding_schema(targets=["10.2.2.2"], scan_values=two),
                   scan(ports="T:22,U:53,123", technique="syn", udp=True))
    # a follow-up that adds UDP ports keeps the TCP list it had, as it was written
    added = scan_values("add udp 53 and 123 to it", {"tool": "nmap", "targets": ["10.2.2.2"], "ports": "1-1000"})
    added_schema = decoding_schema(targets=["10.2.2.2"], scan_values=added)
    assert accepts(tokenizer, added_schema, scan(ports="T:1-1000,U:53,123", technique="syn", udp=True))
    assert not accepts(tokenizer, added_schema, scan(ports="T:53,123,1000,U:53,123", technique="syn", udp=True))


def test_which_ports_the_words_tie_to_udp():
    from operatorx.agent.grounding import protocol_ports, tcp_and_udp_lists

    assert protocol_ports("ports 1-1024 over tcp plus udp 53") == {"tcp": ["1-1024"], "udp": ["53"]}
    assert protocol_ports("https on tcp 443 and IPMI on udp 623") == {"tcp": ["443"], "udp": ["623"]}
    assert protocol_ports("who has 161/udp open?") == {"tcp": [], "udp": ["161"]}
    assert tcp_and_udp_lists("tcp 514 and 6514 plus udp 514", None) == (("514", "6514"), ("514",))
    tcp_scan = {"tool": "nmap", "targets": ["10.1.0.0/24"], "ports": "1-1000"}
    assert tcp_and_udp_lists("add udp 161 to it as well", tcp_scan) == (("1-1000",), ("161",))
    assert tcp_and_udp_lists("add udp 123", {**tcp_scan, "ports": "T:22,U:161"}) == (("22",), ("161", "123"))
    # a plain list says the same, or there is no TCP side
    assert tcp_and_udp_lists("tcp and udp 53 on dc01", None) == ((), ())
    assert tcp_and_udp_lists("does dc02 answer dns over both tcp and udp?", None) == ((), ())
    assert tcp_and_udp_lists("udp 161 on printer-3f?", None) == ((), ())
    assert tcp_and_udp_lists("add udp 514 to that", {**tcp_scan, "ports": "123", "technique": "udp"}) == ((), ())
    assert tcp_and_udp_lists("add udp", tcp_scan) == ((), ())
    assert tcp_and_udp_lists("on ports 143,389, tcp and udp, -T1", None) == ((), ())


def test_one_and_the_privileged_port_bound_need_words():
    """The adapter wrote size 1 for "all time" and destination.port 1024..1024 for "200 results
    when you can" (val, read): 1 and 1024 are search numbers only where words name them."""
    from operatorx.agent.grounding import search_numbers

    assert 1 not in search_numbers("all time") and 1024 not in search_numbers("200 results when you can")
    assert 1024 in search_numbers("so far today, zeek conn logs to privileged ports")
    assert 1 in search_numbers("hosts with more than one failed login") and 1 in search_numbers("top 1 talker")
    edited = {"tool": "elasticsearch", "where": [{"field": "destination.port", "op": "range", "lt": 1024}]}
    assert 1024 in search_numbers("only today", edited)  # the edited search keeps its bound


def test_the_values_a_new_search_must_name():
    """Addresses, dotted values and accounts in fixed forms; no field names, misspelt ones
    included, no "user says …", and none in a follow-up (it may be dropping them)."""
    from operatorx.agent.grounding import named_values, unnamed, windows_event_codes

    assert named_values("processes spawned by explorer.exe under the jdoe account since 2026-12-01") == (
        "explorer.exe", "jdoe")
    assert named_values("system.security events w/ event.code 4625 for user administrator from 192.168.56.21") == (
        "192.168.56.21", "system.security", "administrator", "4625")
    assert named_values('suricata alerts minus sid 2100366 named "ET SCAN Nmap" today') == ("ET SCAN Nmap", "2100366")
    assert named_values('a ticket: "my machine ws-it-11 started acting up on 2024-10-09"') == ()  # quoted prose
    assert named_values("alerts from 10.20.0.0/16 except the ones from 10.20.1.1") == ("10.20.0.0/16", "10.20.1.1")
    assert named_values("processes run by svc_backup yesterday") == ("svc_backup",)
    for question in ("user says the internet is slow, dig through the logs", "http with user aegnt Go-http-client/1.1",
                     "alerts with event.severitty >= 3", "failed logons by user since 2024-11-22",
                     "group by source.ip", "conns to port 4444 on 2024-10-09"):
        assert named_values(question) == (), question
    # a Windows event code written bare (dev-hand5 e-032, e-038); not inside a file name or an address
    assert windows_event_codes("4625.exe in the logs, 10.0.4625.1, port:4625, #4625") == []
    assert windows_event_codes("conns with more than 4740 bytes to port 4624, top 1102") == []  # measures, bounds
    assert windows_event_codes("which hosts have the most 4625s, and 4624 and 4634 today") == ["4625", "4624", "4634"]
    assert named_values("weekly histogram of account lockout events (4740)") == ("4740",)
    assert named_values("how many 4625s from 192.168.56.21 since midnight") == ("192.168.56.21", "4625")
    assert named_values("4625 per minute for the last hour, want to see if it looks like a spray") == ("4625",)
    ranged = {"tool": "elasticsearch", "where": [{"field": "destination.port", "op": "range", "gte": 4625}]}
    assert unnamed(ranged, ["4625"]) == ["4625"]  # a bound names no event code
    from operatorx.agent.grounding import search_numbers  # nor may it be one (no label has one)

    assert 4625 not in search_numbers("how many 4625s from 192.168.56.21 since midnight")
    assert 4740 not in search_numbers("event id 4740 this week") and 4740 in search_numbers("bytes over 4740")
    assert unnamed({"tool": "elasticsearch", "where": [{"field": "event.code", "value": "4625"}]}, ["4625"]) == []
    assert named_values("search logs-windows.sysmon_operational-default for 10.0.0.59") == ("10.0.0.59",)
    # a follow-up: what the edited search does not name yet
    previous = {"tool": "elasticsearch", "exclude": [{"field": "source.ip", "value": "10.20.4.99"}]}
    assert named_values("drop the 10.20.4.99 exclusion", previous) == ()
    assert named_values("swap 10.20.4.99 for 10.20.4.7", previous) == ("10.20.4.7",)
    search = {"tool": "elasticsearch", "where": [{"field": "dns.query.name", "op": "wildcard", "value": "*.ngrok.io"}],
              "exclude": [{"field": "source.ip", "value": "10.0.0.0/8"}]}
    assert unnamed(search, ["ngrok.io", "10.0.0.0/8", "jdoe", "NGROK.IO"]) == ["jdoe"]


def test_the_lists_the_words_let_a_named_value_go_to():
    from operatorx.agent.grounding import named_lists

    assert named_lists("processes spawned by explorer.exe under the jdoe account", "jdoe") == ("where",)
    assert named_lists("ssh records from 198.51.100.23, last 12 hours", "198.51.100.23") == ("where",)
    assert named_lists("alerts for 10.20.4.23 today", "10.20.4.23") == ("where", "any_of")  # no side: either
    assert named_lists("conns either from 10.50.3.126 or to 10.50.3.29", "10.50.3.29") == ("where", "any_of")
    assert named_lists("suricata alerts with rule.severity 1 that are NOT from 10.20.4.23", "10.20.4.23") == (
        "exclude",)
    assert named_lists("processes on WS-ENG-03 today, skip svchost.exe, conhost.exe and explorer.exe",
                       "explorer.exe") == ("where", "exclude")
    assert named_lists("leave 10.10.8.144 out of that", "10.10.8.144") == ("where", "any_of", "exclude")
    assert named_lists("dns logs for example.com and *.example.com", "example.com") == ("where", "any_of")
    assert named_lists('tls either going to 203.0.113.77 or with status "self signed"', "self signed") == (
        "where", "any_of")
    assert named_lists("suricata alerts minus sid 2100366", "2100366") == ("exclude",)


def test_readable_labels_name_the_values_their_questions_name():
    """The rule costs the labels nothing: every value ``named_values`` finds in a readable
    question is in its label, but for three asides of train-hand3, in a list ``named_lists``
    allows, at one of the places the second ask allows."""
    from operatorx.agent.grounding import named_lists, named_values, unnamed
    from operatorx.backend.grammar import NAMED_POSITIONS

    asides = {"th3-k-023", "th3-k-055", "th3-k-057"}  # "loader.dll from the report", "it beaconed to …"
    total, missing, misplaced = 0, set(), []
    for name in ("train.jsonl", "val.jsonl", "dev-hand", "dev-hand2", "dev-hand5", "dev-hand6",
                 "train-hand", "train-hand2", "train-hand3"):
        path = DATA / name
        for file in [path] if path.is_file() else sorted(path.glob("*.jsonl")):
            for rec in map(json.loads, file.read_text(encoding="utf-8").splitlines()):
                if rec["target"].get("tool") == "elasticsearch":
                    question = " ".join(rec["question"].split())
                    values = named_values(question, rec.get("previous"))
                    total += len(values)
                    if unnamed(rec["target"], values):
                        missing.add(rec["id"])
                    for value in values:
                        places = {(key, i) for key in ("where", "any_of", "exclude")
                                  for i, cond in enumerate(rec["target"].get(key) or [])
                                  if not unnamed({"where": [cond]}, [value])}
                        lists = named_lists(question, value)
                        if places and not any(key in lists and i < NAMED_POSITIONS for key, i in places):
                            misplaced.append((rec["id"], value))
    assert total > 1500 and missing == asides and misplaced == []


def test_a_search_asked_again_must_name_the_left_out_value(tokenizer):
    """The second ask's grammar: a list the words allow holds, at one of its first four
    places, a condition comparing a field with the value, or with a question word or pattern
    that contains it."""
    from operatorx.agent.planner import grounded_schema, target_candidates
    from operatorx.config import load_config
    from operatorx.training import datagen

    config, catalog = load_config(datagen.SCOPE_CONFIG), FieldCatalog.packaged()

    def grammar(question: str, value: str) -> dict:
        return grounded_schema(question, None, catalog, config, target_candidates(question), {"elasticsearch"},
                               named=(value,))

    def search(**parts) -> str:
        return format_call({"tool": "elasticsearch", **parts})

    q = "processes spawned by explorer.exe under the jdoe account"
    schema = grammar(q, "jdoe")
    category = {"field": "event.category", "value": "process"}
    parent = {"field": "process.parent.name", "value": "explorer.exe"}
    user = {"field": "user.name", "value": "jdoe"}
    assert accepts(tokenizer, schema, search(where=[user, parent]))
    assert accepts(tokenizer, schema, search(where=[category, parent, user]))  # at any of the first places
    assert not accepts(tokenizer, schema, search(where=[parent]))  # left out again
    assert not accepts(tokenizer, schema, search(where=[category, parent], exclude=[user]))  # not a list it may go to
    assert not accepts(tokenizer, schema, search(where=[category, parent, category, parent, user]))  # place 4
    assert not accepts(tokenizer, schema, format_call({"tool": "none", "kind": "clarify", "message": "Which?"}))
    # negated: only an exclusion names it
    neg = "suricata alerts that are NOT from 10.20.4.23"
    addr = {"field": "source.ip", "value": "10.20.4.23"}
    assert accepts(tokenizer, grammar(neg, "10.20.4.23"), search(where=[{"field": "tags", "value": "alert"}], exclude=[addr]))
    assert not accepts(tokenizer, grammar(neg, "10.20.4.23"), search(where=[addr]))
    # a pattern of the question's that contains the value counts
    sub = "dns lookups for subdomains of duckdns.org"
    pattern = {"field": "dns.query.name", "op": "wildcard", "value": "*.duckdns.org"}
    assert accepts(tokenizer, grammar(sub, "duckdns.org"), search(where=[pattern]))
    # an address goes only to an IP field, and to the side its words give it
    src = "weekly zeek ssh logs from 198.51.100.23"
    assert accepts(tokenizer, grammar(src, "198.51.100.23"),
                   search(where=[{"field": "tags", "value": "ssh"}, {"field": "source.ip", "value": "198.51.100.23"}]))
    assert not accepts(tokenizer, grammar(src, "198.51.100.23"),
                       search(where=[{"field": "destination.ip", "value": "198.51.100.23"}]))


@pytest.mark.skipif(not (DATA / "dev-hand5").is_dir(), reason="no hand-written data")
def test_the_second_ask_admits_the_readable_labels(tokenizer):
    """Asked again, the model can still write the right search: each readable label of val,
    dev-hand5 and dev-hand6 that names a value is admitted by the second ask's grammar, unless
    the first grammar rejects it too (dev-hand5 f-058's phrase search on ``message``, and f-057's
    ``*${jndi:*``, which the words do not spell: checked since "${jndi: anywhere in the user
    agent" is a contained value to name)."""
    from operatorx.agent.grounding import named_values, unnamed
    from operatorx.agent.planner import edited_targets, grounded_schema, target_candidates
    from operatorx.config import load_config
    from operatorx.training import datagen

    config, catalog = load_config(datagen.SCOPE_CONFIG), FieldCatalog.packaged()
    checked, rejected, unreachable = 0, [], []
    for name in ("val.jsonl", "dev-hand5", "dev-hand6"):
        path = DATA / name
        for file in [path] if path.is_file() else sorted(path.glob("*.jsonl")):
            for rec in map(json.loads, file.read_text(encoding="utf-8").splitlines()):
                question = " ".join(rec["question"].split())
                if rec["target"].get("tool") != "elasticsearch":
                    continue
                previous = rec.get("previous")
                targets = target_candidates(question) + edited_targets(question, previous)
                label = format_call(rec["target"])
                for value in [v for v in named_values(question, previous) if not unnamed(rec["target"], [v])][:1]:
                    schema = grounded_schema(question, previous, catalog, config, targets, {"elasticsearch"},
                                             named=(value,))
                    checked += 1
                    if not accepts(tokenizer, schema, label):
                        first = grounded_schema(question, previous, catalog, config, targets, {"elasticsearch"})
                        (unreachable if not accepts(tokenizer, first, label) else rejected).append(rec["id"])
    assert checked > 100 and rejected == [] and unreachable == ["devhand5-f-057", "devhand5-f-058"]


def test_an_index_written_is_the_one_searched(tokenizer):
    """"rerun it against logs-zeek-so* only" lost its index (dev-hand5 g-056); the index stays
    free when none is written."""
    from operatorx.agent.grounding import written_indices

    assert written_indices("in logs-zeek-so* give me everything from 10.20.7.14") == ("index=logs-zeek-so*",)
    assert written_indices("in logs-suricata.alerts-so*, count by rule.category") == ("index=logs-suricata.alerts-so*",)
    assert written_indices("alerts from 10.0.0.5 today") == ()

    def schema(question):
        return decoding_schema(["tags", "source.ip"], tools=["elasticsearch"], search_scalars=(),
                               search_shape=written_indices(question))

    def call(index=None):
        return format_call({"tool": "elasticsearch", **({"index": index} if index else {}),
                            "where": [{"field": "tags", "value": "conn"}]})

    written = schema("rerun it against logs-zeek-so* only")
    assert accepts(tokenizer, written, call("logs-zeek-so*"))
    assert not accepts(tokenizer, written, call()) and not accepts(tokenizer, written, call("logs-*"))
    assert accepts(tokenizer, schema("conns today"), call()) and accepts(tokenizer, schema("conns today"), call("logs-*"))
