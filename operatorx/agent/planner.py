"""Question (+ conversation) → one validated plan: a scan, a search, or a reply. Fails closed.

1. Deterministic pre-checks (``grounding.pre_check``): an empty or over-long question, a
   scan request that names nothing to scan, an order to delete or attack → a reply, no
   model call.
2. The model answers under a grammar built from the tool schemas, grounded in the field
   catalog (ES field names) and in the analyst's own words (scan targets: only addresses
   and hostnames the question — or the call it follows up — contains).
3. The answer is checked three ways: pydantic (``parse_plan``), ``jsonschema`` against the
   models' JSON schema (strict types, no coercion), and policy (scope, caps, and for a
   search the field/type check against the catalog).
4. An invalid answer gets ONE retry with the problem in the prompt; then the planner gives
   up with a ``Reply`` that says why. A refusal the question proves wrong
   (``refusals.unfounded``) is asked again instead, with refusals out of the grammar; so is
   a search that leaves out an address, a domain or an account the question names
   (``grounding.named_values``), with a grammar that makes it name the value in a list the
   words allow (``grounding.named_lists``; the first search stands if the second answer is
   invalid). A scan outside the scope is a ``Reply(kind="refuse")`` naming the target and
   the scope — never a call. A valid call no label ever is — a follow-up answered by the
   call it edits, or junk (``_junk``) — is asked again away from it (``_away``); the first
   call stands when no other answer is better.

The planner never runs anything and never changes the conversation (the caller records the
call that was actually proposed: ``Conversation.add_call``).
"""

from __future__ import annotations

import inspect
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from operatorx.agent.conversation import Conversation, asks_repeat, names_only_what_it_has
from operatorx.agent.grounding import (
    LiveCatalog,
    address_sides,
    address_values,
    contained_values,
    edited_interval,
    edited_targets,
    event_codes,
    hit_counts,
    named_lists,
    named_values,
    negated_values,
    packaged_catalog,
    pre_check,
    route_tools,
    scan_only,
    scan_values,
    search_numbers,
    search_scalars,
    search_shape,
    search_values,
    severity_labels,
    target_candidates,
    unasked_shape,
    unnamed,
    written_indices,
)
from operatorx.agent.prompting import render_prompt
from operatorx.agent.refusals import unfounded
from operatorx.backend.base import Backend
from operatorx.backend.grammar import (
    CONTAINED,
    NAMED,
    NEGATED,
    catalog_field_kinds,
    catalog_ip_fields,
    catalog_names,
    decoding_schema,
)
from operatorx.config import Config
from operatorx.errors import OperatorXError, PlannerError, ValidationFailed
from operatorx.schemas.elastic import EsSearch
from operatorx.schemas.nmap import NmapScan
from operatorx.schemas.plan import Reply, parse_plan, tool_schemas

MAX_ANSWER_TOKENS = 160  # the longest training answer is 120 tokens
ATTEMPTS = 2  # the first answer and one retry
AWAY_TRIES = 3  # answers asked for away from an unchanged follow-up or a junk call (``_away``)

Plan = NmapScan | EsSearch | Reply
CatalogProvider = Callable[[], object]


@dataclass
class PlanOutcome:
    """What the planner decided and what it cost."""

    plan: Plan
    raw_text: str = ""
    attempts: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    tokens: dict[str, int] = field(default_factory=dict)
    mode: str = ""
    follow_up: bool = False
    problems: list[str] = field(default_factory=list)  # what was wrong with each rejected answer
    # Who decided: "model" (a valid answer), "precheck" (no model call), "policy" (a scan
    # refused for its scope) or "gave_up" (two invalid answers: the reply says why).
    source: str = "model"
    decision: object | None = None  # the PolicyDecision of the returned call
    catalog: str = ""  # where the ES field names came from: an index pattern or "packaged"
    routed: list[str] = field(default_factory=list)  # tools the words limited the choice to (few-shot; scan-only questions)
    # the grammar of the first attempt: the evaluation checks whether it admits the expected answer
    grammar: dict | None = field(default=None, repr=False)

    @property
    def call(self) -> NmapScan | EsSearch | None:
        return None if isinstance(self.plan, Reply) else self.plan

    @property
    def tool(self) -> str:
        return self.plan.tool


@cache
def _validators() -> dict:
    import jsonschema

    return {tool: jsonschema.Draft202012Validator(s) for tool, s in tool_schemas().items()}


def schema_problem(data: dict) -> str | None:
    """Strict JSON-schema check of the model's raw object (pydantic may coerce; this does not)."""
    validator = _validators().get(data.get("tool"))
    if validator is None:
        return f"unknown tool {data.get('tool')!r} (use nmap, elasticsearch or none)"
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    if not errors:
        return None
    e = errors[0]
    where = ".".join(str(p) for p in e.path)
    return f"{where}: {e.message}" if where else e.message


def fixed_prefix(mode: str, template: str = "chatml") -> str:
    """The part of every prompt that does not depend on the question (what ``warm`` caches)."""
    a = render_prompt("a", mode=mode, template=template)
    b = render_prompt("b", mode=mode, template=template)
    return a[: next(i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y)]


def grounded_schema(
    question: str,
    previous: dict | None,
    catalog,
    config: Config,
    targets: list[str],
    tools: set[str] | frozenset[str] | None = None,
    *,
    ground: bool = True,
    named: tuple[str, ...] = (),
) -> dict:
    """The decoding grammar for one question: the catalog's fields, the policy's caps and,
    with ``ground``, only the targets, numbers, words and options the question gives
    (``grounding``); each field compares with values of its type. With ``named``, a search
    must name the first of these values, in a list its words allow (the planner's second
    ask). The tests build the grammar of every training answer with this too.
    """
    ip_fields = catalog_ip_fields(catalog)
    return decoding_schema(
        catalog_names(catalog),
        targets if ground else None,
        tools,
        ip_fields=ip_fields,
        addresses=address_values(question, previous) if ground else None,
        caps=(config.elasticsearch.max_size, config.elasticsearch.max_buckets),
        scan_values=scan_values(question, previous, config.scope.hostnames) if ground else None,
        search_numbers=search_numbers(question, previous) if ground else None,
        search_hits=hit_counts(question) if ground else (),
        search_values=search_values(question, previous, ip_fields=bool(ip_fields)) if ground else None,
        search_scalars=search_scalars(question, previous) if ground else None,
        search_shape=(*search_shape(question), *edited_interval(question, previous), *unasked_shape(question, previous),
                      *written_indices(question),
                      *address_sides(question),
                      *(NEGATED + v for v in negated_values(question)),
                      *(CONTAINED + v.lower() for v in contained_values(question)),
                      *(f"{NAMED}{','.join(named_lists(question, v))}={v}" for v in named[:1])) if ground else (),
        field_kinds=catalog_field_kinds(catalog),
        meant_values={"event.code": event_codes(question, previous),
                      "event.severity_label": severity_labels(question, previous)} if ground else None,
    )


def _scan_refusal(reasons: str) -> Reply:
    return Reply(
        kind="refuse",
        message=_short(
            f"I will not plan that scan: {reasons}. Scans may only reach the configured scope "
            "([scope] allow / hostnames in the config)."
        ),
    )


def _leave_out_excluded(data: dict) -> dict:
    """A scan that lists a host both as a target and as excluded, next to other targets,
    scans the others: the analyst said to leave it out (a small model copies every named host
    into ``targets``). The repair only ever scans less; with nothing else left it is invalid."""
    targets, exclude = data.get("targets"), data.get("exclude")
    if data.get("tool") != "nmap" or not isinstance(targets, list) or not isinstance(exclude, list):
        return data
    kept = [t for t in targets if t not in exclude]
    return {**data, "targets": kept} if kept and len(kept) < len(targets) else data


def _repeats(data: dict) -> bool:
    """Whether a compact call lists an item twice: a target, an excluded host, a script, a
    condition or a value of one (a small model that must change a call can add a copy; the
    scan schema already merges repeated ports)."""
    lists = [data.get(k) or [] for k in ("targets", "exclude", "scripts", "where", "fields")]
    lists += [c["value"] for c in (data.get("where") or []) + (data.get("exclude") or [])
              if isinstance(c, dict) and isinstance(c.get("value"), list)]
    keys = [[json.dumps(x, sort_keys=True) for x in items] for items in lists if isinstance(items, list)]
    return any(len(set(k)) < len(k) for k in keys)


# Fields that hold lists in Security Onion's documents: two required values of one can both hold.
_LIST_FIELDS = frozenset(("tags", "event.category", "event.type"))


def _junk(data: dict) -> str | None:
    """What makes a valid compact call one no analyst asks for, or None. No label of any
    split has one (counted): an item listed twice (``_repeats``); a search condition both
    required and excluded, one field required to equal two values, or a range that holds no
    value (each finds nothing, whatever the data); an any_of alternative the search requires
    or excludes anyway (the any_of then says less than it seems); one value required in two
    fields (a small model copies a hash into ``host.name`` beside ``hash.sha256``); a range
    bound written twice on one side."""
    if _repeats(data):
        return "an item listed twice"
    if data.get("tool") != "elasticsearch":
        return None
    where = [c for c in data.get("where") or [] if isinstance(c, dict)]
    required = {json.dumps(c, sort_keys=True) for c in where}
    excluded = {json.dumps(c, sort_keys=True) for c in data.get("exclude") or []}
    alternatives = [json.dumps(c, sort_keys=True) for c in data.get("any_of") or []]
    if required & excluded:
        return "a condition both required and excluded"
    if any(a in required for a in alternatives):
        return "an alternative the search requires anyway"
    if any(a in excluded for a in alternatives):
        return "an alternative the search excludes"
    equal = [c["field"] for c in where if "op" not in c and "value" in c and c.get("field") not in _LIST_FIELDS]
    if len(set(equal)) < len(equal):
        return "one field required to equal two values"
    if _value_in_two_fields(where):
        return "one value required in two fields"
    for c in [*where, *(data.get("any_of") or []), *(data.get("exclude") or [])]:
        problem = _range_problem(c) if isinstance(c, dict) and c.get("op") == "range" else None
        if problem:
            return problem
    return None


def _value_in_two_fields(where: list[dict]) -> bool:
    """Whether two required conditions on different fields name one value (an equality or
    an ``in`` list; numbers and strings alike: "4728" and 4728)."""
    seen: dict[str, str] = {}
    for c in where:
        if c.get("op", "in") != "in":
            continue
        values = c.get("value") if isinstance(c.get("value"), list) else [c.get("value")]
        for v in values:
            if v is None:
                continue
            key = str(v).lower()
            if seen.setdefault(key, c["field"]) != c["field"]:
                return True
    return False


def _range_problem(c: dict) -> str | None:
    """What makes a range condition junk, or None: a bound written twice on one side ("gte" and
    "gt"), or numeric bounds that no value lies between (1 ≤ x < 1; the adapter wrote one)."""
    if ("gt" in c and "gte" in c) or ("lt" in c and "lte" in c):
        return "a range bound written twice on one side"
    low, high = c.get("gte", c.get("gt")), c.get("lte", c.get("lt"))
    numbers = all(isinstance(x, int | float) and not isinstance(x, bool) for x in (low, high))
    if numbers and (low > high or (low == high and ("gt" in c or "lt" in c))):
        return "a range that holds no value"
    return None


def _short(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- the planner ---------------------------------------------------------------------------------


class Planner:
    def __init__(
        self,
        backend: Backend,
        config: Config | None = None,
        catalog_provider: CatalogProvider | None = None,
        *,
        resolve=socket.getaddrinfo,
        ground_targets: bool = True,
        route_tools: bool | None = None,
        max_tokens: int = MAX_ANSWER_TOKENS,
    ) -> None:
        self.backend = backend
        self.config = config or Config()
        self.catalog_provider = catalog_provider or packaged_catalog
        self.resolve = resolve
        self.ground_targets = ground_targets
        # None: route in few-shot mode only (the bare base model needs it; the adapter gets only the
        # scan-only rule, grounding.scan_only).
        self.route_tools = backend.mode == "fewshot" if route_tools is None else route_tools
        self.max_tokens = max_tokens
        # whether the backend can answer away from given texts (``generate(avoid=…)``, ``_away``)
        self._can_avoid = "avoid" in inspect.signature(backend.generate).parameters
        self._warmed = False
        # One model context: a warm-up in a background thread and a question must not overlap.
        self._lock = threading.RLock()

    @classmethod
    def from_config(
        cls,
        config: Config,
        *,
        model_path: str | None = None,
        adapter_path: str | None = None,
        catalog_provider: CatalogProvider | None = None,
    ) -> Planner:
        """The model the config names, with the live field catalog when a cluster answers."""
        from operatorx.backend import create_backend

        backend = create_backend(config.model, model_path=model_path, adapter_path=adapter_path)
        return cls(backend, config, catalog_provider or LiveCatalog(config))

    @property
    def mode(self) -> str:
        return self.backend.mode

    def describe(self) -> str:
        return self.backend.describe()

    def warm(self) -> int:
        """Put the fixed part of the prompt into the model's cache now (0 if not supported).

        ``plan`` does this on first use; call it earlier (in a worker) to hide the cost.
        Returns the number of tokens evaluated (0 when restored from the cache).
        """
        with self._lock:
            self._warmed = True
            warm = getattr(self.backend, "warm", None)
            if warm is None:
                return 0
            return warm(fixed_prefix(self.backend.mode, self.backend.template))

    def _prompt(self, question: str, previous: dict | None, error: str | None) -> str:
        return render_prompt(
            question, previous, mode=self.backend.mode, template=self.backend.template, error=error
        )

    # --- planning ----------------------------------------------------------------------------

    def plan(
        self, question: str, conversation: Conversation | None = None, *, follow_up: bool | None = None
    ) -> PlanOutcome:
        """Plan one question. Raises PlannerError only when the model cannot run at all."""
        with self._lock:
            return self._plan(question, conversation, follow_up)

    def _plan(self, question: str, conversation: Conversation | None, follow_up: bool | None) -> PlanOutcome:
        t_start = time.perf_counter()
        question = " ".join((question or "").split())
        conversation = conversation or Conversation()
        previous = conversation.previous_for(question, follow_up)
        outcome = PlanOutcome(Reply(message="?"), mode=self.backend.mode, follow_up=previous is not None)
        outcome.tokens = {"prompt": 0, "completion": 0, "evaluated": 0}
        outcome.timings = {"generate": 0.0, "validate": 0.0}

        early = pre_check(question, self.config.scope.hostnames, previous)
        if early is not None:
            outcome.plan = early
            outcome.source = "precheck"
            outcome.timings["total"] = time.perf_counter() - t_start
            return outcome

        if not self._warmed:
            t = time.perf_counter()
            self.warm()
            outcome.timings["warm"] = time.perf_counter() - t
        t = time.perf_counter()
        catalog = self.catalog_provider()
        targets = target_candidates(question, self.config.scope.hostnames)
        targets += [h for h in edited_targets(question, previous) if h not in targets]
        tools = None
        if self.route_tools:
            tools = route_tools(question, bool(targets))
            if previous and tools is None:
                tools = {previous["tool"]}
        elif scan_only(question, bool(targets)):
            tools = {"nmap", "none"}  # the adapter's own refusals stay open
        outcome.routed = sorted(tools) if tools else []
        ground = self.ground_targets

        def grammar(tools: set[str] | frozenset[str] | None, named: tuple[str, ...] = ()) -> dict:
            return grounded_schema(question, previous, catalog, self.config, targets, tools, ground=ground,
                                   named=named)

        schema = outcome.grammar = grammar(tools)
        outcome.timings["catalog"] = time.perf_counter() - t
        outcome.catalog = getattr(catalog, "source", "")

        error = None
        kept: tuple[Plan, object, str] | None = None  # a valid search asked again: plan, decision, text
        for attempt in range(1, ATTEMPTS + 1):
            outcome.attempts = attempt
            try:
                gen = self.backend.generate(
                    self._prompt(question, previous, error), schema, max_tokens=self.max_tokens
                )
            except PlannerError as e:
                if kept is None:
                    raise
                outcome.problems.append(f"the second ask failed: {e}")  # the first search stands
                outcome.plan, outcome.decision, outcome.raw_text = kept
                break
            outcome.raw_text = gen.text
            outcome.timings["generate"] += gen.seconds
            outcome.tokens["prompt"] += gen.prompt_tokens
            outcome.tokens["completion"] += gen.completion_tokens
            ev = gen.prompt_tokens_evaluated
            outcome.tokens["evaluated"] += gen.prompt_tokens if ev is None else ev

            t = time.perf_counter()
            plan, problem, final = self._check(gen.text, gen.stop, catalog, outcome)
            outcome.timings["validate"] += time.perf_counter() - t
            if problem is None and attempt < ATTEMPTS and isinstance(plan, Reply):
                why = self._unfounded(plan, question, previous)
                if why is not None:  # ask again, with the refusal out of the grammar
                    reason, instead = why
                    outcome.problems.append(f"unfounded reply ({plan.message}): {reason}")
                    schema = grammar(instead if tools is None else set(tools) & instead)
                    continue
            if problem is None and attempt < ATTEMPTS and ground and isinstance(plan, EsSearch):
                left_out = unnamed(plan.compact(), named_values(question, previous))
                if left_out:  # ask again, with a grammar that makes the search name it
                    outcome.problems.append(f"the search leaves out {left_out[0]}, which the question names")
                    kept = (plan, outcome.decision, gen.text)
                    schema = grammar({"elasticsearch"}, named=(left_out[0],))
                    continue
            if problem is None:
                outcome.plan = plan
                break
            outcome.problems.append(problem)
            if final is not None:  # a refusal that a retry cannot fix
                outcome.plan = final
                outcome.source = "policy"
                break
            error = _short(problem, 300)
        else:
            if kept is not None:  # the second answer was invalid: the first search stands
                outcome.plan, outcome.decision, outcome.raw_text = kept
            else:
                outcome.plan = self._give_up(outcome)
                outcome.source = "gave_up"
        if outcome.source == "model" and not isinstance(outcome.plan, Reply) and self._can_avoid:
            call = outcome.plan.compact()
            unchanged = (previous is not None and call == previous and not asks_repeat(question)
                         and not names_only_what_it_has(question, previous))
            why = "the follow-up returned the call it edits, unchanged" if unchanged else _junk(call)
            if why is not None:
                self._away(outcome, self._prompt(question, previous, None), schema, catalog, previous, why)
        outcome.timings["total"] = time.perf_counter() - t_start
        return outcome

    def _away(
        self, outcome: PlanOutcome, prompt: str, schema: dict, catalog, previous: dict | None, why: str
    ) -> None:
        """A valid call no analyst asks for: ask for answers away from it.

        A follow-up asks for a change: a bare "run it again" (``asks_repeat``) or one that
        writes only values the call has (``names_only_what_it_has``; two train records) never
        gets here, and no other follow-up of any split is answered by its previous call. No
        label is junk (``_junk``). The backend leaves the avoided answers at
        their most probable fork (``generate(avoid=…)``); an answer that is invalid, a reply,
        junk or the previous call is avoided too, up to ``AWAY_TRIES`` answers. None fits:
        the first call stands.
        """
        avoid = [outcome.raw_text]
        outcome.problems.append(why)
        for _ in range(AWAY_TRIES):
            outcome.attempts += 1
            try:
                gen = self.backend.generate(prompt, schema, max_tokens=self.max_tokens, avoid=tuple(avoid))
            except PlannerError as e:
                outcome.problems.append(f"no answer away from it: {e}")
                return
            outcome.timings["generate"] += gen.seconds
            outcome.tokens["prompt"] += gen.prompt_tokens
            outcome.tokens["completion"] += gen.completion_tokens
            ev = gen.prompt_tokens_evaluated
            outcome.tokens["evaluated"] += gen.prompt_tokens if ev is None else ev
            decision = outcome.decision
            plan, problem, _ = self._check(gen.text, gen.stop, catalog, outcome)
            if problem is None and isinstance(plan, Reply):
                problem = "a reply"
            if problem is None:
                problem = _junk(plan.compact())
            if problem is None and plan.compact() == previous:
                problem = "the previous call again"
            if problem is None:
                outcome.plan, outcome.raw_text = plan, gen.text
                return
            outcome.decision = decision
            outcome.problems.append(f"an answer away from it was {_short(problem, 200)}")
            if gen.text in avoid:
                return  # the backend found no other way
            avoid.append(gen.text)

    def _check(
        self, text: str, stop: str, catalog, outcome: PlanOutcome
    ) -> tuple[Plan | None, str | None, Reply | None]:
        """(plan, None, None) when valid; else (None, problem, final reply or None to retry)."""
        from operatorx import policy

        if stop == "length":
            return (
                None,
                f"the answer was cut off after {self.max_tokens} tokens; answer with a shorter call",
                None,
            )
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            return None, f"not valid JSON ({e.msg} at position {e.pos})", None
        if not isinstance(data, dict):
            return None, "the answer must be one JSON object", None
        data = _leave_out_excluded(data)
        try:
            plan = parse_plan(data)
        except ValidationFailed as e:
            return None, str(e), self._scope_refusal(data)
        problem = schema_problem(data)
        if problem:
            return None, f"schema: {problem}", self._scope_refusal(data)
        if isinstance(plan, Reply):
            return plan, None, None
        try:
            decision = policy.evaluate(plan, self.config, resolve=self.resolve, catalog=catalog)
        except OperatorXError as e:
            return None, str(e), None
        outcome.decision = decision
        if decision.allowed:
            return plan, None, None
        reasons = "; ".join(decision.reasons)
        if isinstance(plan, NmapScan):
            # Targets come from the analyst's words: a retry would pick the same ones.
            return None, reasons, _scan_refusal(reasons)
        return None, f"the search is not allowed: {reasons}", None

    def _unfounded(self, reply: Reply, question: str, previous: dict | None) -> tuple[str, frozenset[str]] | None:
        """A model reply the question proves wrong (``refusals.unfounded``), with the tools to
        answer with instead."""
        from operatorx import policy

        def check(target: str) -> str | None:
            try:
                return policy.check_target(target, self.config, self.resolve)[1]
            except OperatorXError as e:
                return str(e)

        return unfounded(reply, question, previous, self.config.scope.hostnames, check)

    def _scope_refusal(self, data: dict) -> Reply | None:
        """For an invalid scan answer: the scope refusal when its targets are outside the scope.

        The grammar lets the model write only targets the analyst named, so an out-of-scope
        target is the analyst's; whatever else was wrong with the answer, a retry cannot make
        that scan allowed.
        """
        from operatorx import policy

        targets = data.get("targets") if data.get("tool") == "nmap" else None
        if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
            return None
        reasons = []
        for t in targets:
            try:
                _, why = policy.check_target(t, self.config, self.resolve)
            except OperatorXError:
                continue
            if why and "outside" in why:
                reasons.append(why)
        return _scan_refusal("; ".join(reasons)) if reasons else None

    def _give_up(self, outcome: PlanOutcome) -> Reply:
        last = outcome.problems[-1] if outcome.problems else "no answer"
        if last.startswith("the search is not allowed: "):
            return Reply(kind="refuse", message=_short(f"I will not run that search: {last[27:]}."))
        return Reply(
            kind="clarify",
            message=_short(
                f"I could not turn that into a valid call ({last}). Please rephrase it: name the hosts "
                "and ports to scan, or what to look for in which logs and when."
            ),
        )
