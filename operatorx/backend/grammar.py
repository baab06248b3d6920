"""The JSON schema that constrains decoding, derived from the pydantic tool-call models.

``model_json_schema()`` is written for people and validators; for decoding it is trimmed
and tightened:

* titles, descriptions and defaults go (they only cost grammar size);
* ``null`` alternatives go: the compact form omits a default instead of writing ``null``;
* ``tool`` (and a reply's ``kind``) become required, so the first bytes are always
  ``{"tool":"…"`` — exactly what ``prompting.format_call`` writes;
* string fields get the patterns the pydantic validators enforce (targets, ports, dates,
  index patterns, intervals), and NSE scripts an ``enum``, so the model cannot even spell
  an option or a path;
* grounding: every Elasticsearch field name becomes an ``enum`` of the catalog's names,
  scan targets can be limited to the addresses the analyst wrote, the values of IP-typed
  search fields to the addresses and networks the analyst wrote, and a scan's numbers
  (ports, top-N, rates, timing, intensity, timeout) and NSE scripts to those the analyst
  wrote or implied, and a search's compared strings and numbers to the question's words,
  the edited search's and each field's own known values (the planner passes them all), so
  the model can invent neither a host to scan nor one to search for, nor a port, a script
  or a value nobody asked about; a new scan's target list is exactly the named hosts, and
  options written as nmap flags are required.

The result is plain JSON Schema: ``LlamaBackend`` compiles it with llguidance (compact
separators, no whitespace), ``OpenAIBackend`` sends it as ``response_format``.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
from collections.abc import Iterable, Mapping
from functools import lru_cache

import jsonschema

from operatorx.schemas.elastic import EsSearch
from operatorx.schemas.nmap import ALLOWED_SCRIPTS, SCRIPT_CATEGORIES, NmapScan, target_kind
from operatorx.schemas.plan import Reply
from operatorx.tools.elastic.known_values import CLOSED_FIELDS, field_values, four_digit_event_codes

_DROP = ("title", "description", "default", "examples")

# Regexes for decoding (JSON-Schema dialect, anchored by llguidance). They mirror the
# validators in operatorx.schemas; the validators stay the authority, these only keep the
# model on well-formed text.
_OCTET = r"([0-9]{1,3}(-[0-9]{1,3})?|\*)"
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
TARGET_PATTERN = (
    rf"^({_OCTET}(\.{_OCTET}){{3}}(/[0-9]{{1,2}})?"
    r"|[0-9A-Fa-f]{0,4}(:[0-9A-Fa-f]{0,4}){2,7}(/[0-9]{1,3})?"
    rf"|{_LABEL}(\.{_LABEL}){{0,8}})$"
)
PORTS_PATTERN = r"^([TUS]:)?[0-9]{1,5}(-[0-9]{1,5})?(,([TUS]:)?[0-9]{1,5}(-[0-9]{1,5})?){0,15}$"
HOST_TIMEOUT_PATTERN = r"^[0-9]{1,5}(ms|s|m|h)$"
FIELD_PATTERN = r"^[A-Za-z0-9_@][A-Za-z0-9_.@-]{0,127}$"
_INDEX = r"(\*:)?[a-z0-9*][a-z0-9*._-]{0,127}"
INDEX_PATTERN = rf"^{_INDEX}(,{_INDEX}){{0,7}}$"
DATE_PATTERN = (
    r"^(now([+-][0-9]{1,4}[smhdwMy])?(/[smhdwMy])?"
    r"|[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2})?Z?)?)$"
)
INTERVAL_PATTERN = r"^([0-9]{1,4}[smhd]|minute|hour|day|week|month|quarter|year)$"
# Decoding limits, tighter than the models' own (which stay the authority): enough for any
# real question — the training data peaks at 5 port items, 64-character values and
# 59-character replies — and they cut short the repetition loops a small model falls
# into ("ports":"192,168,163,164,…"), which otherwise cost a full token budget twice.
VALUE_MAX_LENGTH = 96
REPLY_MAX_LENGTH = 160
DECODE_MAX_ITEMS = {"conditions": 8, "values": 32, "fields": 12, "sort": 2, "scripts": 4}


# The question's words, as one definition every condition refers to (a few hundred strings).
SEARCH_TEXT = "search_text"
SEARCH_TEXT_REF = f"#/$defs/{SEARCH_TEXT}"
# The words a where or any_of condition may use when the question negates some ("suricata
# alerts minus sid 2100366"): those go only into exclude (grounding.negated_values).
SEARCH_KEPT = "search_kept"
SEARCH_KEPT_REF = f"#/$defs/{SEARCH_KEPT}"


def bound_values(values: Iterable[str], names: Iterable[str], scalars: Iterable[float] = ()) -> dict[str, tuple[str, ...]]:
    """The values only some fields may be compared with, with those fields: a written four-digit
    Windows event code (``known_values.four_digit_event_codes``), among the words or the
    numbers, goes to event.code. Every search of the data that writes one compares it on
    event.code alone (117 of 117); the adapter wrote destination.port 4625 for "how many 4625s
    from 192.168.56.21" (dev-hand5 e-032)."""
    names = list(names)
    if "event.code" not in names:
        return {}
    codes = four_digit_event_codes()
    return {v: ("event.code",) for v in [*values, *(_number_text(n) for n in scalars)] if len(v) == 4 and v in codes}


def _unbound(values: Iterable[str], bound: Mapping[str, tuple[str, ...]]) -> list[str]:
    """The words without the bound values and the spans and patterns that hold one ("4625s")."""
    return [v for v in values if not any(b in v for b in bound)]


NEGATED = "not:"  # a search_shape entry "not:2100366": a value the question negates
# A search_shape entry "contains:micros0ft": a value the question says a field contains ("the SNI
# contains micros0ft", "mimikatz in the command line"; grounding.contained_values). It is never
# the whole value of an equality or ``in``: every such label of the data is a pattern or a text
# op, and the adapter wrote ssl.server_name = "micros0ft". The words an equality may use
# (no pattern, none of these; ``equal_words``):
CONTAINED = "contains:"
SEARCH_EQUAL = "search_equal"
SEARCH_EQUAL_REF = f"#/$defs/{SEARCH_EQUAL}"
SEARCH_KEPT_EQUAL = "search_kept_equal"  # the same, without the negated words too
SEARCH_KEPT_EQUAL_REF = f"#/$defs/{SEARCH_KEPT_EQUAL}"
# A search_shape entry "named:where,exclude=jdoe": a value the search must name in one of these
# lists (grounding.named_values, named_lists), which the planner asks for again when the model
# left it out.
NAMED = "named:"
# The positions of a list the named condition may take: the readable labels have it at 0–3.
NAMED_POSITIONS = 4
NAMED_CONDITION = "search_condition"  # $defs names: a list's other conditions, and (+ "_named") the named one


def _clean(node):
    """Drop documentation keys and ``null`` alternatives, recursively."""
    if isinstance(node, list):
        return [_clean(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in _DROP:
            continue
        if key == "anyOf":
            alts = [a for a in value if a != {"type": "null"}]
            if len(alts) == 1:
                out.update(_clean(alts[0]))
                continue
            value = alts
        if key == "properties":
            out[key] = {name: _clean(spec) for name, spec in value.items()}
        else:
            out[key] = _clean(value)
    return out


def _scalar(max_length: int = VALUE_MAX_LENGTH) -> list[dict]:
    # "number" alone covers integers: one alternative per JSON shape keeps the grammar small.
    return [{"type": "string", "maxLength": max_length}, {"type": "number"}, {"type": "boolean"}]


def _field_spec(field_names: list[str] | None) -> dict:
    if field_names:
        return {"type": "string", "enum": list(field_names)}
    return {"type": "string", "pattern": FIELD_PATTERN}


def _canonical(model) -> dict:
    """The model's cleaned schema, allowing only what the compact form can contain.

    ``compact()`` drops defaults, so a boolean that defaults to false can only appear as
    ``true`` and an enum never shows its default value: the grammar says so, which keeps
    the model on the canonical text the adapter is trained on.
    """
    raw = model.model_json_schema()
    s = _clean(raw)
    _strip_defaults(raw, s)
    for name, spec in raw.get("$defs", {}).items():
        _strip_defaults(spec, s["$defs"][name])
    return s


def _strip_defaults(raw: dict, clean: dict) -> None:
    for name, spec in raw.get("properties", {}).items():
        default = spec.get("default")
        out = clean["properties"][name]
        if spec.get("type") == "boolean" and default is False:
            clean["properties"][name] = {"type": "boolean", "enum": [True]}
        elif "enum" in out and default in out["enum"] and len(out["enum"]) > 1:
            out["enum"] = [v for v in out["enum"] if v != default]


# Port selection: at most one of these, and none of them (nor probes) in a ping sweep.
_PORT_OPTIONS = ("ports", "top_ports", "all_ports", "fast")
_PING_EXCLUDES = (*_PORT_OPTIONS, "udp", "service_version", "version_intensity", "os_detection")


_IPV4_KINDS = ("ipv4", "cidr4", "range4")


def _kind(target: str) -> str | None:
    try:
        return target_kind(target)
    except ValueError:
        return None


def _alternation(values: Iterable[int]) -> str:
    return "(" + "|".join(str(v) for v in values) + ")"


def _ground_scan(props: dict, allowed: dict[str, tuple]) -> None:
    """Limit numeric scan options, ``scripts`` and ``technique`` to ``allowed``
    (``grounding.scan_values``), and keep only the on/off options it lists under
    ``switches``; an option with nothing allowed is removed (``exclude`` too). With
    ``udp_ports``, ``ports`` is exactly ``T:<tcp_ports>,U:<udp_ports>``; with ``ports_after``, it
    begins with that list and adds to it; ``ports_named`` (the ports of services the words name)
    are in it, and ``scripts`` holds each of ``scripts_asked`` (asked for outright), in any order
    (``_containing``)."""
    for name, values in allowed.items():
        if name == "switches":  # on/off options: the ones not allowed go
            for switch in [n for n, spec in props.items() if spec.get("enum") == [True] and n not in values]:
                del props[switch]
            continue
        spec = props.get(name)
        if spec is None:
            continue
        if name == "exclude":  # the targets that may be left out: the grammar's own, or none
            if not values:
                del props[name]
            elif spec["items"].get("enum"):  # of those, the ones grounding leaves open ("exclude .22")
                kept = [t for t in spec["items"]["enum"] if t in values]
                if kept:
                    spec["items"] = {"type": "string", "enum": kept}
                    spec["maxItems"] = len(kept)
            continue
        if name == "targets":  # whole target lists (the named hosts, or those minus some)
            if values:
                props[name] = {"type": "array", "enum": [list(v) for v in values]}
            continue
        if name == "required":  # applied to the variants (_nmap_schema)
            continue
        if name == "scripts":
            values = [v for v in values if v in spec["items"]["enum"]]
            spec = {**spec, "items": {"type": "string", "enum": values}}
            asked = [v for v in allowed.get("scripts_asked", ()) if v in values]
            if asked:
                spec = _containing(asked[: spec["maxItems"]], [v for v in values if v not in asked], spec["maxItems"])
        elif name == "technique":
            values = [v for v in values if v in spec["enum"]]
            spec = {"type": "string", "enum": values}
        elif name == "ports":
            n = _alternation(v for v in values if v <= 65535)
            item = rf"{n}(-{n})?"
            # A "T:" list means something only beside its "U:" list (a TCP and UDP scan), so
            # the grammar admits plain lists and T:…,U:… pairs, never a "T:514,6514" alone.
            spec = {"type": "string", "pattern": rf"^({item}(,{item}){{0,15}}|T:{item}(,{item}){{0,7}},U:{item}(,{item}){{0,7}})$"}
            if allowed.get("ports_after"):  # a follow-up that adds ports keeps the list it edits first
                head = allowed["ports_after"][0]  # digits, commas and dashes (grounding checks)
                spec = {"type": "string", "pattern": rf"^{head}(,{item}){{1,15}}$"}
            named = [str(v) for v in allowed.get("ports_named", ()) if v in values][:4]
            if named and not allowed.get("ports_after"):  # "ssh and rdp": 22 and 3389 are in the list, in any order
                others = rf"(,{item}){{0,7}}"  # a few others between: the adapter looped on "27017," (dev-hand9 n-013)
                orders = ("".join([order[0], *(f"{others},{n}" for n in order[1:])])
                          for order in itertools.permutations(named))
                pairs = rf"T:{item}(,{item}){{0,7}},U:{item}(,{item}){{0,7}}"  # T:/U: lists stay as they were
                spec = {"type": "string", "pattern": rf"^(({item},){{0,7}}({'|'.join(orders)}){others}|{pairs})$"}
            if allowed.get("udp_ports"):  # the ports the words tie to TCP and to UDP, in port order
                tcp, udp = (",".join(sorted(allowed[side], key=lambda i: int(i.split("-")[0])))
                            for side in ("tcp_ports", "udp_ports"))
                spec = {"type": "string", "pattern": rf"^T:{tcp},U:{udp}$"}
        elif name == "host_timeout":
            spec = {"type": "string", "pattern": rf"^{_alternation(values)}(ms|s|m|h)$"}
        else:
            values = [v for v in values if spec.get("minimum", 0) <= v <= spec.get("maximum", v)]
            spec = {"type": "integer", "enum": values}
        if values:
            props[name] = spec
        else:
            del props[name]


def _containing(asked: list[str], others: list[str], most: int) -> dict:
    """``scripts`` as a list that holds every one of ``asked``, in any order and at any places,
    and at most ``most`` scripts in all, the rest from ``others``: one exact-length
    alternative per placement (JSON schema's ``contains`` would say it, but llguidance does
    not support it)."""
    lists = []
    for n in range(len(asked), max(most, len(asked)) + 1):
        if n > len(asked) and not others:
            break
        for places in itertools.permutations(range(n), len(asked)):
            items = [{"type": "string", "enum": others}] * n
            for script, place in zip(asked, places, strict=True):
                items[place] = {"type": "string", "enum": [script]}
            lists.append({"type": "array", "prefixItems": items, "minItems": n, "maxItems": n})
    return {"anyOf": lists}


def _nmap_schema(targets: list[str] | None, scan_values: dict[str, tuple] | None = None) -> list[dict]:
    """The scan as a few alternatives that encode the model's cross-field rules."""
    s = _canonical(NmapScan)
    props = s["properties"]
    target = {"type": "string", "enum": targets} if targets else {"type": "string", "pattern": TARGET_PATTERN}
    props["targets"]["items"] = target
    props["exclude"]["items"] = target
    if targets:  # repeating a target is pointless, and a loop small models fall into
        props["targets"]["maxItems"] = props["exclude"]["maxItems"] = len(targets)
        if all(_kind(t) in _IPV4_KINDS for t in targets):
            # -6 with IPv4 targets is invalid (NmapScan says so); for IPv6 targets it is set
            # automatically. With only IPv4 targets to choose from, the option cannot appear.
            del props["ipv6"]
    props["ports"] = {"type": "string", "pattern": PORTS_PATTERN}
    props["host_timeout"] = {"type": "string", "pattern": HOST_TIMEOUT_PATTERN}
    props["scripts"]["items"] = {"type": "string", "enum": [*SCRIPT_CATEGORIES, *ALLOWED_SCRIPTS]}
    props["scripts"]["maxItems"] = DECODE_MAX_ITEMS["scripts"]
    if scan_values is not None:
        _ground_scan(props, scan_values)
    s["required"] = ["tool", *[r for r in s.get("required", []) if r != "tool"]]
    techniques = props["technique"]["enum"] if "technique" in props else []

    def variant(drop: tuple[str, ...], technique: list[str], required: tuple[str, ...] = ()) -> dict:
        v = copy.deepcopy(s)
        for name in drop:
            v["properties"].pop(name, None)
        if technique:
            v["properties"]["technique"]["enum"] = technique
        else:
            v["properties"].pop("technique", None)
        v["required"] = [*v["required"], *required]
        return v

    scanning = [t for t in techniques if t != "ping"]
    out = [variant(_PORT_OPTIONS, scanning)]  # nmap's default ports
    for keep in _PORT_OPTIONS:
        if keep not in props:
            continue
        out.append(variant(tuple(o for o in _PORT_OPTIONS if o != keep), scanning, (keep,)))
    if "ping" in techniques:
        out.append(variant(_PING_EXCLUDES, ["ping"], ("technique",)))
    # -version-intensity tunes -sV (or -A): a variant that allows it comes in one version
    # without it and one per option it can tune, which is then required.
    if "version_intensity" in props:
        split = []
        for v in out:
            if "version_intensity" not in v["properties"]:
                split.append(v)
                continue
            without = copy.deepcopy(v)
            del without["properties"]["version_intensity"]
            split.append(without)
            for tuned in ("service_version", "aggressive"):
                if tuned in v["properties"]:
                    need = list(dict.fromkeys([*v["required"], tuned, "version_intensity"]))
                    split.append({**copy.deepcopy(v), "required": need})
        out = split
    # Options the analyst wrote as flags must be set: only the variants that have them stay
    # (a flag the grammar does not allow at all, like -6 for IPv4 targets, requires nothing).
    required = [r for r in (scan_values or {}).get("required", ()) if r in props]
    if required:
        kept = [v for v in out if all(r in v["properties"] for r in required)]
        for v in kept:
            v["required"] = [*v["required"], *(r for r in required if r not in v["required"])]
        out = kept or out
    return out


def _number_text(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else str(n)


def kept_words(values: list[str], negated: frozenset[str] | set[str]) -> list[str]:
    """The search words without the negated ones and the spans and patterns made of them."""
    if not negated:
        return list(values)
    return [v for v in values if not any(w.strip("*.") in negated for w in v.split(" "))]


def equal_words(values: list[str], contained: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """The words an equality or ``in`` may compare with: no pattern (a word that begins or ends
    with ``*``: no label of the data compares one by equality, the adapter wrote
    ``ssl.server_name = "micros0ft*"``), and not a value the question says a field contains
    (``CONTAINED``, lower-cased)."""
    return [v for v in values if not v.startswith("*") and not v.endswith("*") and v.lower() not in contained]


def _word_defs(
    values: list[str], negated: frozenset[str] | set[str], contained: frozenset[str] | set[str] = frozenset()
) -> dict:
    """The root definitions conditions refer to: the question's words, with negated ones
    the words left for where and any_of, and with contained ones those left for equality."""
    defs = {SEARCH_TEXT: {"type": "string", "enum": list(values)}}
    kept = kept_words(values, negated)
    if negated and kept:
        defs[SEARCH_KEPT] = {"type": "string", "enum": kept}
    for name, pool in ((SEARCH_EQUAL, values), *([(SEARCH_KEPT_EQUAL, kept)] if negated else [])):
        if equal := equal_words(pool, contained):
            defs[name] = {"type": "string", "enum": equal}
    return defs


def _conditions(
    field: dict,
    ip_fields: list[str] | None = None,
    addresses: list[str] | None = None,
    numbers: list[float] | None = None,
    strings: list[str] | None = None,
    scalars: list[float] | None = None,
    kinds: dict[str, str] | None = None,
    sides: dict[str, str] | None = None,
    meant: dict[str, tuple[str, ...]] | None = None,
    negated: frozenset[str] = frozenset(),
    contained: frozenset[str] = frozenset(),
    bound_to: Mapping[str, tuple[str, ...]] | None = None,
) -> dict:
    """A condition as alternatives by ``op``, so its value always has the shape the op needs.

    eq (op left out) and the text ops take one value, ``in`` a list, ``range`` bounds and
    no value, ``exists`` nothing — the rules ``Condition._shape`` checks, in the grammar.

    With ``ip_fields`` (IP-typed names in ``field``'s enum) and ``addresses``, equality and
    ``in`` on those fields may only name the given addresses; the text ops never apply to
    them (Elasticsearch cannot match text in an ip field), nor ranges, nor — with an address
    to write — exists. With ``bound_to`` (value → fields), those values are compared on those
    fields only (``strings`` lack them). With field types, only numeric fields take a range, and its bounds are
    numbers. With ``numbers``, a numeric range bound must be one of them. With ``strings`` and
    ``scalars``, a compared value (equality, ``in``, the text ops) must be one of them.
    With ``kinds`` (field name → "boolean" or "number", from the catalog's types; a name
    left out takes strings), a compared value has its field's type: true and false only on
    boolean fields, numbers only on numeric ones (and the text ops never), strings on the rest.
    With ``sides`` (address → "source" or "destination", ``grounding.address_sides``), that
    address goes only to the IP fields of that side (``destination.ip``, not ``host.ip``).
    With ``meant`` (field name → values), those fields take only these of their own known
    values beside the words (``grounding.event_codes``: no event.code nobody meant).
    With ``negated``, no value of it is compared with (the words then come from the
    kept-words definition, its known values and numbers are left out): where and any_of.
    With ``strings``, no equality or ``in`` compares with a pattern, nor with one of
    ``contained`` (lower-cased); the text ops still may (``equal_words``, ``CONTAINED``).
    """
    text: dict | None = {"type": "string", "maxLength": VALUE_MAX_LENGTH}
    number: dict | None = {"type": "number"}
    if strings is not None:  # the question's words: one shared definition (see decoding_schema)
        pool = kept_words(strings, negated)
        # No words, no free string value: an empty one was the adapter's way out once the
        # grammar had taken its wrong words away (rule.name "" for "… just give me rule.name").
        text = {"$ref": SEARCH_KEPT_REF if negated else SEARCH_TEXT_REF} if pool else None
    equal_text = text  # what an equality or ``in`` compares with
    if strings is not None:
        equal_ref = {"$ref": SEARCH_KEPT_EQUAL_REF if negated else SEARCH_EQUAL_REF}
        equal_text = equal_ref if equal_words(pool, contained) else None
    if scalars is not None:
        scalars = [n for n in scalars if _number_text(n) not in negated]
        number = {"type": "number", "enum": list(scalars)} if scalars else None
    names = field.get("enum", ())
    bools = [n for n in names if kinds.get(n) == "boolean"] if kinds is not None else []
    counts = [n for n in names if kinds.get(n) == "number"] if kinds is not None else []
    typed = kinds is not None and "enum" in field
    # Without field types a value may be any scalar; with them, the rest of the fields take strings.
    kinds_of_value = [equal_text] if typed else [equal_text, number, {"type": "boolean"}]
    scalar = {"anyOf": [a for a in kinds_of_value if a is not None]}
    values = {"type": "array", "items": scalar, "minItems": 1, "maxItems": DECODE_MAX_ITEMS["values"]}
    bound: dict | None = {"anyOf": _scalar(64)}
    if typed:  # only numeric fields take a range (below), so a bound is a number: as a string it
        # escaped the grounding (destination.port < "2333") or failed validation (event.duration "14m")
        if numbers is None:
            bound = {"type": "number"}
        else:  # no number in the words: no range at all
            bound = {"type": "number", "enum": numbers} if numbers else None
    elif numbers is not None:  # numeric bounds only from the question's numbers
        bound = {"anyOf": [{"type": "string", "maxLength": 64}, *([{"type": "number", "enum": numbers}] if numbers else [])]}
    valued = field  # the fields that take a free value
    if ip_fields is not None and addresses is not None:
        valued = _field_spec([n for n in field["enum"] if n not in set(ip_fields)])
    if bools or counts:
        valued = _field_spec([n for n in valued["enum"] if n not in {*bools, *counts}])
    known: dict[str, tuple[str, ...]] = {}
    if strings is not None and "enum" in valued:  # fields whose meaningful values words name
        own_values, names_ = field_values(), set(valued["enum"])
        known = {n: own_values.get(n, ()) for n in dict.fromkeys([*own_values, *CLOSED_FIELDS]) if n in names_}
        valued = _field_spec([n for n in valued["enum"] if n not in known])

    def variant(op: list[str] | None, on: dict, **props: dict) -> dict:
        properties = {"field": on, **({"op": {"type": "string", "enum": op}} if op else {}), **props}
        required = ["field", *(["op"] if op else []), *(["value"] if "value" in props else [])]
        return {
            "type": "object",
            "additionalProperties": False,
            "properties": properties,
            "required": required,
        }

    # With a catalog, fields that all went to the typed or known-value alternatives below
    # leave no free-valued field (an empty list would read as "any field name").
    free = "enum" in valued or "enum" not in field
    # a port is at most 65535: "server.bytes between 100000 and 300000" is no port range
    ports = [n for n in names if n.endswith(".port")] if numbers is not None else []
    # An IP field has no numeric range ("source.ip between 26580 and 38275200" is what the
    # adapter wrote for "connections to 203.0.113.50"); its values are the given addresses.
    unranged = set(ip_fields) if ip_fields is not None and addresses is not None and "enum" in field else set()
    if typed:  # with field types, only numeric fields have ranges (every range of the data is on one):
        unranged |= {n for n in names if n not in counts}  # the adapter wrote event.code >= 1 for "sysmon events"
    ranged = [(_field_spec([n for n in names if n not in unranged]) if unranged else field, bound)] if bound else []
    # With an address to write, "exists" on an IP field is the adapter's stand-in for the address
    # it would not write ("destination.ip exists" for "connections to 203.0.113.50"); no label of
    # the data has one. (Without an address it is a harmless filler, and stays.)
    absent = set(ip_fields or ()) if ip_fields is not None and addresses else set()
    present: dict | None = field
    if absent and "enum" in field:
        kept_names = [n for n in names if n not in absent]
        present = _field_spec(kept_names) if kept_names else None
    if typed and not [n for n in names if n not in unranged]:
        ranged = []
    if ports:
        port_numbers = [n for n in numbers if 0 <= n <= 65535]
        numbered = [{"type": "number", "enum": port_numbers}] if port_numbers else []
        if typed:
            port_bound = {"anyOf": numbered} if numbered else None
        else:
            port_bound = {"anyOf": [{"type": "string", "maxLength": 64}, *numbered]}
        others = [n for n in names if n not in ports and n not in unranged]
        ranged = [*([(_field_spec(others), bound)] if others and bound else []),
                  *([({"type": "string", "enum": ports}, port_bound)] if port_bound else [])]
    compared = free and bool(scalar["anyOf"])
    alternatives = [
        *([variant(None, valued, value=scalar)] if compared else []),
        *([variant(["match", "phrase", "wildcard", "prefix"], valued, value=text)] if text is not None and free else []),
        *([variant(["in"], valued, value=values)] if compared else []),
        *(variant(["range"], on, gte=b, lte=b, gt=b, lt=b) for on, b in ranged),
        *([variant(["exists"], present)] if present is not None else []),
    ]
    for name, own in known.items():  # the words, or this field's own known values
        on = {"type": "string", "enum": [name]}
        if meant is not None and name in meant:
            own = tuple(v for v in own if v in set(meant[name]))
        own = tuple(v for v in own if v not in negated)
        if name in CLOSED_FIELDS:  # only its own values, and words spelt as one of its kind
            like = CLOSED_FIELDS[name]
            spelt = [w for w in strings or () if like is not None and like.match(w) and w not in own and w not in negated]
            word = {"type": "string", "enum": [*own, *spelt]}
            equal_word = {"type": "string", "enum": equal_words([*own, *spelt], contained)}
        else:  # the words, or its own values
            word = {"anyOf": [a for a in (text, {"type": "string", "enum": list(own)} if own else None) if a is not None]}
            equal_own = equal_words(list(own), contained)
            equal_word = {"anyOf": [a for a in (equal_text, {"type": "string", "enum": equal_own} if equal_own else None)
                                    if a is not None]}
        matched = bool(word.get("enum", word.get("anyOf")))  # else nothing it may be compared with
        equal = bool(equal_word.get("enum", equal_word.get("anyOf")))
        one = ({"anyOf": [equal_word]} if typed
               else {"anyOf": [equal_word, *([number] if number else []), {"type": "boolean"}]})
        alternatives += [
            *([variant(None, on, value=one)] if equal else []),
            *([variant(["match", "phrase", "wildcard", "prefix"], on, value=word)] if matched else []),
            *([variant(["in"], on, value={**values, "items": one})] if equal else []),
        ]
    groups: dict[tuple[str, ...], list[str]] = {}
    for value, fields in (bound_to or {}).items():  # an event code: only on event.code
        on_names = tuple(n for n in fields if n in names)
        if on_names and value not in negated:
            groups.setdefault(on_names, []).append(value)
    for fields, bound_here in groups.items():
        on, one = {"type": "string", "enum": list(fields)}, {"type": "string", "enum": bound_here}
        alternatives += [variant(None, on, value=one), variant(["in"], on, value={**values, "items": one})]
    if bools:
        alternatives.append(variant(None, {"type": "string", "enum": bools}, value={"type": "boolean"}))
    if counts and number is not None:
        on = {"type": "string", "enum": counts}
        alternatives += [
            variant(None, on, value=number),
            variant(["in"], on, value={**values, "items": number}),
        ]
    if ip_fields is not None and addresses:
        # an address with a side ("to 10.0.0.5": destination) goes only to that side's fields
        groups: dict[tuple[str, ...], list[str]] = {}
        for name in ip_fields:
            mine = tuple(a for a in addresses if (sides or {}).get(a) in (None, name.split(".")[0]) and a not in negated)
            if mine:
                groups.setdefault(mine, []).append(name)
        for mine, names_ in groups.items():
            on = {"type": "string", "enum": names_}
            address = {"type": "string", "enum": list(mine)}
            listed = {"type": "array", "items": address, "minItems": 1, "maxItems": len(mine)}
            alternatives += [variant(None, on, value=address), variant(["in"], on, value=listed)]
    return {"anyOf": alternatives}


def _es_schema(
    field_names: list[str] | None,
    ip_fields: list[str] | None = None,
    addresses: list[str] | None = None,
    caps: tuple[int, int] | None = None,
    numbers: list[float] | None = None,
    strings: list[str] | None = None,
    scalars: list[float] | None = None,
    shape: tuple[str, ...] = (),
    kinds: dict[str, str] | None = None,
    hits: tuple[int, ...] = (),
    meant: dict[str, tuple[str, ...]] | None = None,
    bound_to: dict[str, tuple[str, ...]] | None = None,
) -> dict:
    s = _canonical(EsSearch)
    defs = s.pop("$defs")
    field = _field_spec(field_names)
    # Address grounding needs the catalog: without field names there are no field types.
    ips = [n for n in ip_fields or () if field_names and n in field_names] if addresses is not None else []
    values = {"numbers": numbers, "strings": strings, "scalars": scalars, "kinds": kinds if field_names else None,
              "meant": meant}
    if bound_to:
        values["bound_to"] = bound_to
    sides = dict(w.split("=", 1)[::-1] for w in shape if w.startswith(("source=", "destination=")))
    contained = frozenset(w.removeprefix(CONTAINED) for w in shape if w.startswith(CONTAINED))
    if contained and strings is not None:
        values["contained"] = contained
    cond = _conditions(field, ips, addresses, sides=sides, **values) if ips else _conditions(field, **values)
    negated = frozenset(w.removeprefix(NEGATED) for w in shape if w.startswith(NEGATED))
    kept = cond
    if negated and strings is not None:  # a negated value is left out, never looked for
        values["negated"] = negated
        kept = _conditions(field, ips, addresses, sides=sides, **values) if ips else _conditions(field, **values)
    agg = defs["Aggregation"]
    agg["properties"]["field"] = field
    agg["properties"]["interval"] = {"type": "string", "pattern": INTERVAL_PATTERN}
    sort = defs["SortKey"]
    sort["properties"]["field"] = field
    props = s["properties"]
    props["index"] = {"type": "string", "pattern": INDEX_PATTERN}
    props["since"] = {"type": "string", "pattern": DATE_PATTERN}
    props["until"] = {"type": "string", "pattern": DATE_PATTERN}
    for name in ("where", "any_of", "exclude"):
        props[name]["items"] = cond if name == "exclude" else kept
        props[name]["maxItems"] = DECODE_MAX_ITEMS["conditions"]
    props["agg"] = agg
    props["sort"]["items"] = sort
    props["sort"]["maxItems"] = DECODE_MAX_ITEMS["sort"]
    props["fields"]["items"] = field
    props["fields"]["maxItems"] = DECODE_MAX_ITEMS["fields"]
    if caps is not None:  # the configured policy limits: a bigger number could only be refused
        props["size"]["maximum"] = min(props["size"]["maximum"], caps[0])
        agg["properties"]["size"]["maximum"] = min(agg["properties"]["size"]["maximum"], caps[1])
    if numbers is not None:  # hits and buckets only from the question's numbers; a count (0) always
        sizes = sorted({0, *numbers, *hits})
        for spec in (props["size"], agg["properties"]["size"]):
            spec["enum"] = [int(n) for n in sizes if n == int(n) and spec["minimum"] <= n <= spec["maximum"]]
    s["required"] = ["tool"]
    _require_shape(s, shape)
    named = [w.removeprefix(NAMED).split("=", 1) for w in shape if w.startswith(NAMED)]
    if named:
        lists, value = named[0]
        return _require_named(s, value, tuple(lists.split(",")), _word_defs(list(strings or ()), negated, contained))
    return s


def _naming(conditions: dict, forms: list[str], defs: dict) -> dict | None:
    """The alternatives of ``conditions`` that can compare a field with one of ``forms``, each
    with only those (in an ``in`` list, at one of its first ``NAMED_POSITIONS`` places); None
    if none can."""
    out = []
    for alt in conditions["anyOf"]:
        spec = alt["properties"].get("value")
        if spec is None:  # ranges and exists compare with no value
            continue
        listed = spec.get("type") == "array"
        check = jsonschema.Draft202012Validator({**(spec["items"] if listed else spec), "$defs": defs})
        ok = [f for f in forms if check.is_valid(f)]
        if ok:
            one = {"type": "string", "enum": ok}
            named = one if not listed else {"anyOf": [  # "jsmith, mwong or t.oconnor": at any early place
                {**spec, "prefixItems": [*[spec["items"]] * k, one], "minItems": max(k + 1, spec.get("minItems", 0))}
                for k in range(min(NAMED_POSITIONS, spec["maxItems"]))]}
            out.append({**alt, "properties": {**alt["properties"], "value": named}})
    return {"anyOf": out} if out else None


def _require_named(search: dict, value: str, lists: tuple[str, ...], defs: dict) -> dict:
    """The search schema, made to name ``value`` in one of ``lists`` (where, any_of, exclude:
    those the words allow, ``grounding.named_lists``): a condition comparing a field with the
    value itself or a word or pattern of the question that contains it ("*.duckdns.org" for
    duckdns.org), at any of the list's first ``NAMED_POSITIONS`` places. (JSON schema's
    ``contains`` would say "anywhere", but llguidance does not support it; one alternative
    per place says the same.) The list's other conditions and the named one are definitions,
    carried in the returned branch's ``$defs`` for the root (inline, the places would repeat
    them past llguidance's size limit). Without a condition that can take the value,
    the search is left as it is."""
    low = value.lower()
    forms = list(dict.fromkeys([value, low, *(w for w in defs[SEARCH_TEXT]["enum"] if low in w.lower())]))
    variants, hoisted = [], {}
    for name in lists:
        spec = search["properties"].get(name)
        named = _naming(spec["items"], forms, defs) if spec is not None else None
        if named is None:
            continue
        hoisted[f"{NAMED_CONDITION}_{name}"], hoisted[f"{NAMED_CONDITION}_{name}_named"] = spec["items"], named
        other, named = ({"$ref": f"#/$defs/{NAMED_CONDITION}_{name}{end}"} for end in ("", "_named"))
        places = [{**spec, "items": other, "prefixItems": [*[other] * k, named],
                   "minItems": max(k + 1, spec.get("minItems", 0))}
                  for k in range(min(NAMED_POSITIONS, spec["maxItems"]))]
        variant = {**search, "properties": {**search["properties"], name: {"anyOf": places}},
                   "required": list(dict.fromkeys([*search["required"], name]))}
        variants.append(variant)
    return {"anyOf": variants, "$defs": hoisted} if variants else search


# The aggregation each shape of grounding.SEARCH_SHAPE_WORDS asks for ("terms" is the default type).
_SHAPE_AGGREGATIONS = {"histogram": "date_histogram", "distinct": "cardinality", "buckets": "terms"}


def _require_shape(search: dict, shape: tuple[str, ...]) -> None:
    """Make the search schema take only the shape the question's words ask for."""
    props = search["properties"]
    if "count" in shape:  # a count returns no hits: its number (or its buckets) is the answer
        props["size"] = {"type": "integer", "enum": [0]}
        search["required"].append("size")
    if "either" in shape:  # a value on either side: source or destination
        props["any_of"]["minItems"] = 2
        search["required"].append("any_of")
    if "exclude" in shape:  # words that leave something out
        search["required"].append("exclude")
    if "unsorted" in shape:  # no word asks for an order (grounding.unasked_shape)
        props.pop("sort", None)
    if "unprojected" in shape:  # a follow-up with no word for columns (grounding.unasked_shape)
        props.pop("fields", None)
    agg_type = props.get("agg", {}).get("properties", {}).get("type")
    for absent, kind in (("no_histogram", "date_histogram"), ("no_distinct", "cardinality")):
        if absent in shape and agg_type is not None and kind in agg_type.get("enum", []):
            agg_type["enum"] = [k for k in agg_type["enum"] if k != kind]
            if kind == "date_histogram":
                props["agg"]["properties"].pop("interval", None)
    if "no_buckets" in shape and agg_type is not None:  # terms, the compact form's unwritten type
        if agg_type.get("enum"):  # another kind must say its type; size and order are terms'
            props["agg"].setdefault("required", []).append("type")
            for name in ("size", "order"):
                props["agg"]["properties"].pop(name, None)
        else:  # no kind of aggregation is asked for
            props.pop("agg")
            agg_type = None
    if agg_type is not None and not agg_type.get("enum"):
        props["agg"]["properties"].pop("type")
    if "no_count" in shape and "agg" not in props and "count" not in shape:  # hits, not a number
        props["size"] = {**props["size"], "minimum": 1}
        if "enum" in props["size"]:
            props["size"]["enum"] = [n for n in props["size"]["enum"] if n >= 1]
    if "all_time" in shape:  # no time window
        props.pop("since", None)
        props.pop("until", None)
    for window in (w.removeprefix("since=") for w in shape if w.startswith("since=")):  # "the past 24 hours"
        if "since" in props:
            props["since"] = {"type": "string", "enum": [window]}
            search["required"].append("since")
    for interval in (w.removeprefix("interval=") for w in shape if w.startswith("interval=")):  # "per hour"
        if "interval" in props.get("agg", {}).get("properties", {}):
            props["agg"]["properties"]["interval"] = {"type": "string", "enum": [interval]}
    for hits in (int(w.removeprefix("size=")) for w in shape if w.startswith("size=")):  # "the 5 newest"
        size = props["size"]
        if size.get("minimum", 0) <= hits <= size.get("maximum", hits) and hits in size.get("enum", [hits]):
            props["size"] = {"type": "integer", "enum": [hits]}
            search["required"].append("size")
    for top in (int(w.removeprefix("buckets=")) for w in shape if w.startswith("buckets=")):  # "the 20 rarest"
        agg = props.get("agg", {}).get("properties", {})
        if "size" in agg:
            if top == 10:  # the default, unwritten in the compact form
                agg.pop("size")
            elif agg["size"].get("minimum", 1) <= top <= agg["size"].get("maximum", top):
                agg["size"] = {"type": "integer", "enum": [top]}
                props["agg"]["required"] = [*props["agg"].get("required", []), "size"]
    for order in (w.removeprefix("by_time=") for w in shape if w.startswith("by_time=")):  # "oldest first"
        if "sort" in props:
            key = {"type": "object", "additionalProperties": False,
                   "properties": {"field": {"type": "string", "enum": ["@timestamp"]},
                                  **({"order": {"type": "string", "enum": ["asc"]}} if order == "asc" else {})},
                   "required": ["field", *(["order"] if order == "asc" else [])]}
            props["sort"] = {"type": "array", "items": key, "minItems": 1, "maxItems": 1}
            search["required"].append("sort")
    indices = [w.removeprefix("index=") for w in shape if w.startswith("index=")]
    if indices and "index" in props:  # "in logs-zeek-so*" (grounding.written_indices)
        props["index"] = {"type": "string", "enum": indices}
        search["required"].append("index")
    if "raw" in shape and "count" not in shape:  # the logs themselves
        props.pop("agg", None)
        props["size"] = {**props["size"], "minimum": 1}
        if "enum" in props["size"]:
            props["size"]["enum"] = [n for n in props["size"]["enum"] if n >= 1]
    kinds = [kind for name, kind in _SHAPE_AGGREGATIONS.items() if name in shape and "agg" in props]
    if kinds:
        search["required"].append("agg")
    if len(kinds) == 1:  # two kinds asked for at once: any aggregation
        agg = props["agg"]
        if kinds[0] == "terms":
            agg["properties"].pop("type", None)
        else:
            agg["properties"]["type"] = {"type": "string", "enum": kinds}
            agg["required"] = [*agg["required"], "type"]


def _reply_schema() -> dict:
    s = _clean(Reply.model_json_schema())  # not _canonical: compact() always writes kind
    s["required"] = ["tool", "kind", "message"]
    # A reply is a sentence or two; a shorter cap than the model's 400 stops a rambling model.
    s["properties"]["message"]["maxLength"] = REPLY_MAX_LENGTH
    return s


def decoding_schema(
    field_names: Iterable[str] | None = None,
    targets: Iterable[str] | None = None,
    tools: Iterable[str] | None = None,
    *,
    ip_fields: Iterable[str] | None = None,
    addresses: Iterable[str] | None = None,
    caps: tuple[int, int] | None = None,
    scan_values: dict[str, Iterable] | None = None,
    search_numbers: Iterable[float] | None = None,
    search_values: Iterable[str] | None = None,
    search_scalars: Iterable[float] | None = None,
    search_shape: Iterable[str] = (),
    field_kinds: Mapping[str, str] | None = None,
    search_hits: Iterable[int] = (),
    meant_values: Mapping[str, Iterable[str]] | None = None,
) -> dict:
    """The Plan union (nmap | elasticsearch | none) for constrained decoding.

    ``field_names``: the Elasticsearch fields the model may name (a ``FieldCatalog``'s
    ``names()``); None allows any well-formed field name. ``targets``: the only scan
    targets allowed; an empty list removes the scan tool (there is nothing to scan), None
    allows any well-formed target. ``tools``: only these tools ("nmap", "elasticsearch",
    "none"); None allows all three. ``ip_fields`` and ``addresses``: the IP-typed fields
    among ``field_names`` and the only values equality and ``in`` may give them (an empty
    list: none; None: any value). ``caps``: (most hits, most buckets) a search may ask for,
    the policy's limits. ``scan_values``: option name → the only values that scan option
    (numbers, ``scripts``, ``technique``; ``switches`` lists the on/off options allowed)
    may take (``grounding.scan_values``); an empty one
    removes the option, a name left out stays open. ``search_numbers``: the only numbers a
    search's range bounds, hits and buckets may be (``grounding.search_numbers``); None:
    any. ``search_values`` and ``search_scalars``: the only strings and numbers a search
    condition may compare a field with (``grounding.search_values``,
    ``grounding.search_scalars``); None: any. ``search_shape``: what the question's words ask a
    search to be (``grounding.search_shape``: a count has size 0, "either side" an any-of,
    a histogram, distinct count or most-common list its aggregation; and
    ``grounding.unasked_shape``: no sort, histogram or distinct count that no word asks for). ``field_kinds``: field
    name → "boolean" or "number" (``catalog_field_kinds``), the others among
    ``field_names`` being string fields: a condition compares each field only with values
    of its type (None: any value on any field). ``search_hits``: numbers written as a
    number of hits ("200 results", ``grounding.hit_counts``), allowed as sizes beside
    ``search_numbers``. ``meant_values``: field → the only ones of its own known values it
    may take besides the words (``grounding.event_codes``); a field left out keeps them all.
    Returns a fresh dict.
    """
    names = tuple(dict.fromkeys(field_names)) if field_names is not None else None
    hosts = tuple(dict.fromkeys(targets)) if targets is not None else None
    allowed = frozenset(tools) if tools is not None else None
    ips = tuple(dict.fromkeys(ip_fields)) if ip_fields is not None else None
    values = tuple(dict.fromkeys(addresses)) if addresses is not None else None
    scan = None
    if scan_values is not None:
        scan = tuple(sorted((k, tuple(sorted(set(v)))) for k, v in scan_values.items()))
    nums = tuple(sorted(set(search_numbers))) if search_numbers is not None else None
    strs = tuple(dict.fromkeys(search_values)) if search_values is not None else None
    eqs = tuple(sorted(set(search_scalars))) if search_scalars is not None else None
    kinds = tuple(sorted(field_kinds.items())) if field_kinds is not None else None
    shape = tuple(sorted(set(search_shape)))
    meant = tuple(sorted((k, tuple(dict.fromkeys(v))) for k, v in meant_values.items())) if meant_values is not None else None
    return copy.deepcopy(
        _cached_schema(names, hosts, allowed, ips, values, caps, scan, nums, strs, eqs, shape, kinds,
                       tuple(sorted(set(search_hits))), meant)
    )


@lru_cache(maxsize=64)
def _cached_schema(
    names: tuple[str, ...] | None,
    hosts: tuple[str, ...] | None,
    tools: frozenset[str] | None,
    ip_fields: tuple[str, ...] | None = None,
    addresses: tuple[str, ...] | None = None,
    caps: tuple[int, int] | None = None,
    scan_values: tuple[tuple[str, tuple], ...] | None = None,
    search_numbers: tuple[float, ...] | None = None,
    search_values: tuple[str, ...] | None = None,
    search_scalars: tuple[float, ...] | None = None,
    search_shape: tuple[str, ...] = (),
    field_kinds: tuple[tuple[str, str], ...] | None = None,
    search_hits: tuple[int, ...] = (),
    meant: tuple[tuple[str, tuple[str, ...]], ...] | None = None,
) -> dict:
    branches = []
    if (hosts is None or hosts) and (tools is None or "nmap" in tools):
        scan = dict(scan_values) if scan_values is not None else None
        branches.extend(_nmap_schema(list(hosts) if hosts else None, scan))
    searches = tools is None or "elasticsearch" in tools
    bound = bound_values(search_values, names or (), search_scalars or ()) if search_values is not None else {}
    if bound:  # event codes go only to event.code, not among the words or numbers
        search_values = tuple(_unbound(search_values, bound))
        if search_scalars is not None:
            search_scalars = tuple(n for n in search_scalars if _number_text(n) not in bound)
    if searches:
        branches.append(
            _es_schema(
                list(names) if names else None,
                list(ip_fields) if ip_fields else None,
                list(addresses) if addresses is not None else None,
                caps,
                list(search_numbers) if search_numbers is not None else None,
                list(search_values) if search_values is not None else None,
                list(search_scalars) if search_scalars is not None else None,
                search_shape,
                dict(field_kinds) if field_kinds is not None else None,
                search_hits,
                dict(meant) if meant is not None else None,
                bound,
            )
        )
    if tools is None or "none" in tools or not branches:
        branches.append(_reply_schema())
    defs = {}
    for branch in branches:  # definitions a branch refers to live at the root
        defs.update(branch.pop("$defs", {}))
    if search_values and searches:
        # (no words at all: no condition refers to them, only to the fields' own known values)
        negated = {w.removeprefix(NEGATED) for w in search_shape if w.startswith(NEGATED)}
        contained = {w.removeprefix(CONTAINED) for w in search_shape if w.startswith(CONTAINED)}
        defs.update(_word_defs(list(search_values), negated, contained))
    return {"anyOf": branches, "$defs": defs} if defs else {"anyOf": branches}


def fingerprint(schema: dict) -> str:
    """A short stable key for a schema (grammar caches are keyed by it)."""
    text = json.dumps(schema, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _catalog_types(catalog) -> dict[str, str] | None:
    """Field name → type of a ``FieldCatalog`` (None for a bare list of names)."""
    get = getattr(catalog, "get", None)
    if catalog is None or get is None or not hasattr(catalog, "names"):
        return None
    return {n: info.type for n in catalog.names() if (info := get(n)) is not None}


# Elasticsearch's numeric field types (a condition on them compares numbers).
NUMBER_TYPES = frozenset(
    ("long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float", "unsigned_long")
)


def catalog_field_kinds(catalog) -> dict[str, str] | None:
    """Field name → "boolean" or "number" for a ``FieldCatalog``'s typed fields; None without types."""
    types = _catalog_types(catalog)
    if types is None:
        return None
    return {n: "boolean" if t == "boolean" else "number" for n, t in types.items()
            if t == "boolean" or t in NUMBER_TYPES}


def catalog_ip_fields(catalog) -> list[str]:
    """The IP-typed field names of a ``FieldCatalog`` (none for a bare list of names)."""
    return [n for n, t in (_catalog_types(catalog) or {}).items() if t == "ip"]


def catalog_names(catalog) -> list[str] | None:
    """Field names of a ``FieldCatalog`` (or anything with ``names()``), None when absent/empty.

    A ``.keyword`` multi-field of a field that is not analysed text holds the same values as
    its parent under a second name, and is left out: the adapter compared source.ip.keyword
    with "1 that are not" where source.ip takes only addresses (dev-hand6). No answer of the
    data names one."""
    if catalog is None:
        return None
    names = list(catalog.names()) if hasattr(catalog, "names") else list(catalog)
    if hasattr(catalog, "is_subfield") and hasattr(catalog, "family"):
        names = [n for n in names if not catalog.is_subfield(n) or catalog.family(n.rpartition(".")[0]) == "text"]
    return names or None
