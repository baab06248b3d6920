"""The model's refusals are data too: the planner checks each against the question.

The adapter answers a refusal with one of a few fixed sentences (``MESSAGES``; the training
data uses exactly these). Some of them make a claim the code can check:

* "outside the allowed scan scope" — false when every target the question names is inside
  the configured scope (policy says so);
* "read-only … non-destructive" and "embedded instructions" — unfounded when the question
  has no word that changes, destroys, attacks or instructs (``has_hostile_cue``) and reads
  as a follow-up, a log search or a scan of in-scope targets.

An unfounded refusal is not shown: the planner asks the model again with the refusal taken
out of the grammar, and whatever call it writes still goes through validation, policy and
the analyst's confirmation. A refusal the code cannot check (off topic, a question back)
stands. So a small model that refuses "look for sysmon lsass access on lt-hr-08" still
plans the search, while everything that was refused for a reason stays refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from operatorx.agent.grounding import (
    _LOG_WORDS,
    _SCAN_WORDS,
    _one_typo,
    scan_only,
    target_candidates,
    without_sought_phrases,
)
from operatorx.agent.replies import (  # noqa: F401 - the messages are this module's vocabulary too
    DESTRUCTIVE,
    INJECTION,
    MESSAGES,
    OBFUSCATED,
    OFFTOPIC,
    SCOPE,
    VAGUE,
    VAGUE_SCAN,
    VAGUE_SEARCH,
)
from operatorx.schemas.plan import Reply

# Words of a request to change, destroy, attack or take over something, or to step outside
# the rules; one typo is tolerated against words of five letters or more ("pruge", "crck").
HOSTILE_WORDS = frozenset((
    # change or destroy
    "delete", "drop", "wipe", "erase", "purge", "truncate", "remove", "clear", "shutdown", "reboot",
    "restart", "kill", "disable", "modify", "update", "insert", "reindex", "rollover", "close", "block",
    "create", "change", "set", "write", "save", "overwrite", "encrypt", "disappear",
    # attack (tool names that are also searched for, like sqlmap or mimikatz, are left out)
    "exploit", "exploits", "hack", "hacking", "attack", "ddos", "dos", "flood", "brute", "bruteforce",
    "crack", "pwn", "deface", "crash", "spray", "spoof", "metasploit", "msfconsole", "hydra",
    "medusa", "eternalblue", "shellshock", "ms17", "payload", "backdoor", "ransomware",
    # instruct the model, or reach the shell
    "ignore", "ignoring", "forget", "disregard", "bypass", "override", "instructions", "instruction",
    "rules", "prompt", "jailbreak", "pretend", "dan", "unrestricted", "sudo", "root", "cat", "rm", "wget",
    "bash", "export",
))
_WORD = re.compile(r"[a-z0-9][a-z0-9_-]*")
_PATH = re.compile(r"(?<![\w.])/(etc|var|tmp|root|home|usr|bin|dev|proc)/|\b[a-z]:\\\\?windows\\", re.I)
# A name with dots (a domain, a host, a field, an address) is data: "update.micros0ft-cdn.example"
# asks to update nothing, and "rule.name" is no misspelt "rules".
_DOTTED = re.compile(r"(?<![\w.-])[\w-]+(?:\.[\w-]+)+")


def has_hostile_cue(question: str) -> bool:
    """True when a word (or a file path) of ``question`` asks to change, attack or instruct.

    A quoted phrase that a log search asks for ('messages with the phrase "ignore previous
    instructions"') is the hunt's data and is not read, as in the pre-check.
    """
    if _PATH.search(question):
        return True
    words = set(_WORD.findall(_DOTTED.sub(" ", without_sought_phrases(question)).lower()))
    words |= {p for w in words if "-" in w for p in w.split("-")}
    if words & HOSTILE_WORDS:
        return True
    return any(_one_typo(w, h) for w in words if len(w) >= 4 for h in HOSTILE_WORDS if len(h) >= 5)


TargetCheck = Callable[[str], str | None]  # target → why it may not be scanned, or None


def unfounded(
    reply: Reply,
    question: str,
    previous: dict | None,
    hostnames,
    check_target: TargetCheck,
) -> tuple[str, frozenset[str]] | None:
    """Why the model's ``reply`` is provably wrong for ``question``, and the tools the model
    may answer with instead; None when the reply stands.

    A scope refusal whose targets are all in scope, or a question back about what to scan
    when the request names it, may become a scan or a search. A refusal as destructive or
    as an injection of a request without a hostile word becomes an edit of the last call
    for a follow-up (its tool only); otherwise only a read-only search, when the request
    reads as a log search, or only a scan, when it reads as a scan (``scan_only``) of named
    targets all inside the scope ("scan 10.7.7.7 but keep it under 50 packets a second"):
    whatever the model then writes cannot change a thing, and a scan still meets policy and
    the analyst's confirmation.
    """
    message = " ".join(reply.message.split())
    if reply.kind == "refuse" and message == SCOPE:
        targets = target_candidates(question, hostnames)
        if previous and previous.get("tool") == "nmap":
            targets += previous.get("targets", [])
        if targets and all(check_target(t) is None for t in targets):
            return "every target the request names is inside the allowed scope", _CALLS
        return None
    if reply.kind == "refuse" and message in (DESTRUCTIVE, INJECTION):
        if has_hostile_cue(question):
            return None
        if previous is not None and previous.get("tool") in _CALLS:  # "just port 9200"
            return "the follow-up edits the last call and asks to change, attack or instruct nothing", frozenset(
                {previous["tool"]})
        if _LOG_WORDS.search(question) and not _SCAN_WORDS.search(question):
            return "the request is a log search that asks to change, attack or instruct nothing", _SEARCH
        targets = target_candidates(question, hostnames)
        if scan_only(question, bool(targets)) and all(check_target(t) is None for t in targets):
            return "the request is a scan of in-scope targets that asks to change, attack or instruct nothing", _SCAN
        return None
    named = reply.kind == "clarify" and message == VAGUE_SCAN and previous is None
    if named and target_candidates(question, hostnames):
        return "the request names what to scan", _CALLS
    return None


_CALLS = frozenset({"nmap", "elasticsearch"})
_SEARCH = frozenset({"elasticsearch"})
_SCAN = frozenset({"nmap"})
