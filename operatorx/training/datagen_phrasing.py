"""Turning a template into a question: lazy value bags, surface noise, time phrases.

A template is ``str.format`` text such as ``"dns lookups for {domain}{t}"``. ``Bag`` draws a
value the first time a placeholder asks for it (``{ip2}`` is a second, different ``ip``), so
the target builder reads exactly the values the question shows. Noise (case, typos,
abbreviations, filler) is applied to the literal parts of the template only, never to the
values: an IP, a domain or a SID always reaches the question intact.
"""

from __future__ import annotations

import functools
import random
import re
import string
from collections.abc import Callable
from dataclasses import dataclass

from operatorx.training.datagen_values import Phrase


class Reject(Exception):
    """A drawn example the runtime would refuse (e.g. too many histogram buckets): draw again."""


# --- the lazy value bag ----------------------------------------------------------------------

Drawer = Callable[[random.Random, "Bag"], object]
DRAWERS: dict[str, Drawer] = {}


def drawer(name: str):
    def deco(fn: Drawer) -> Drawer:
        DRAWERS[name] = fn
        return fn

    return deco


def _identity(value: object) -> str:
    """What makes two drawn values 'the same' (a Phrase by its meaning, not its wording)."""
    if isinstance(value, Phrase) and value.meaning:
        return repr(sorted(value.meaning.items()))
    return str(value)


class Bag(dict):
    """Values by placeholder name; ``{ip}``/``{ip2}`` draw distinct values from drawer ``ip``."""

    def __init__(self, r: random.Random, shifted: bool = False, **fixed):
        super().__init__(**fixed)
        self.r = r
        self.shifted = shifted
        self.frozen = False  # set once the question is rendered: the target may not draw more

    def __missing__(self, key: str):
        if self.frozen:
            raise KeyError(f"the target reads {{{key}}}, which the question does not show")
        base = key if key in DRAWERS else key.rstrip("0123456789")
        fn = DRAWERS.get(base)
        if fn is None:
            raise KeyError(key)
        taken = {_identity(v) for k, v in self.items() if k == base or k.rstrip("0123456789") == base}
        for _ in range(20):
            val = fn(self.r, self)
            if _identity(val) not in taken:
                break
        self[key] = val
        return val

    def time(self) -> dict:
        """since/until of whichever time placeholder the question used (or none)."""
        for key in ("t", "tt", "T"):
            if key in self:
                return dict(self[key].meaning)
        return {}


# --- surface noise -----------------------------------------------------------------------------

ABBREV = {
    "connections": ["conns", "connxs"], "connection": ["conn"], "please": ["pls", "plz"],
    "destination": ["dst", "dest"], "source": ["src"], "address": ["addr"], "addresses": ["addrs"],
    "version": ["ver", "vers"], "detection": ["det", "detect"], "service": ["svc"], "services": ["svcs"],
    "operating system": ["os"], "minutes": ["min", "mins"], "seconds": ["sec", "secs"],
    "without": ["w/o"], "with": ["w/"], "hours": ["hrs", "h"], "requests": ["reqs"],
    "information": ["info"], "you": ["u"], "are": ["r"], "because": ["bc"], "processes": ["procs"],
    "number": ["no.", "#"], "messages": ["msgs"], "through": ["thru"], "count": ["cnt"],
}
_ABBREV_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, ABBREV), key=len, reverse=True)) + r")\b")
_PROTECTED = {"udp", "tcp", "syn", "ack", "fin", "null", "xmas", "open", "only", "all", "not", "top",
              "except", "exclude", "without", "least", "rare", "fast", "quick"}


def _typo(word: str, r: random.Random) -> str:
    i = r.randint(1, len(word) - 2)
    op = r.random()
    if op < 0.4:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if op < 0.7:
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


# Train-only paraphrase hooks (``datagen_paraphrase.vocabulary`` fills them for one draw). Empty,
# they consume no randomness: the committed splits are the same bytes with or without them.
SYNONYMS: dict[str, list[str]] = {}
TIME_EXTRA: dict[str, list[str]] = {}
FRAME_P = [0.35, 0.3]  # how often an opener, a closer is added
LOWER_AFTER_OPENER = False  # "can you in the last hour, …", not "can you In the last hour, …"


@functools.lru_cache(maxsize=8)
def _synonym_re(words: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"\b(" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + r")\b", re.I)


def _synonyms(text: str, r: random.Random) -> str:
    return _synonym_re(tuple(SYNONYMS)).sub(lambda m: r.choice(SYNONYMS[m.group(1).lower()]) if r.random() < 0.7 else m.group(1), text)


def noisy_literal(text: str, r: random.Random, rates: dict) -> str:
    if SYNONYMS and r.random() < rates.get("synonym", 0):
        text = _synonyms(text, r)
    if rates.get("abbrev", 0) and r.random() < rates["abbrev"]:
        text = _ABBREV_RE.sub(lambda m: r.choice(ABBREV[m.group(1)]) if r.random() < 0.6 else m.group(1), text)
    if rates.get("typo", 0) and r.random() < rates["typo"]:
        words = [m for m in re.finditer(r"(?<![-\w])[A-Za-z]{5,}", text) if m.group(0).lower() not in _PROTECTED]
        if words:
            m = r.choice(words)
            text = text[: m.start()] + _typo(m.group(0), r) + text[m.end():]
    return text


DEFAULT_RATES = {"abbrev": 0.12, "typo": 0.07}


def render(template: str, bag: Bag, rates: dict | None = None) -> str:
    """Fill ``template`` from ``bag`` with noise on the literal text; one line, single spaces."""
    r = bag.r
    rates = DEFAULT_RATES if rates is None else rates
    case = r.random()
    out: list[str] = []
    change = str.lower if case < 0.22 else str.upper
    for literal, name, spec, _conv in string.Formatter().parse(template):
        lit = noisy_literal(literal, r, rates) if literal else ""
        if case < 0.24:  # never re-case a flag: -O and -o, -T4 and -t4 differ to nmap
            lit = re.sub(r"(?<!\S)(?!-)\S+", lambda m: change(m.group(0)), lit)
        out.append(lit)
        if name is not None:
            out.append(format(bag[name], spec or ""))
    text = " ".join("".join(out).split())
    text = re.sub(r"\s+([,?.!:])(?=\s|$)", r"\1", text)
    starts_literal = bool(next(string.Formatter().parse(template), ("",))[0])
    if 0.24 <= case < 0.5 and text[:1].isalpha() and starts_literal:  # never re-case a value
        text = text[0].upper() + text[1:]
    return text


def with_frame(r: random.Random, body: str, prefixes: list[str], suffixes: list[str]) -> str:
    """Wrap a question in optional filler (``"hey, "`` … ``" thx"``)."""
    p = r.choice(prefixes) if prefixes and r.random() < FRAME_P[0] else ""
    s = r.choice(suffixes) if suffixes and r.random() < FRAME_P[1] else ""
    if p and LOWER_AFTER_OPENER and re.match(r"[A-Z][a-z]+(?=[\s,:;?!]|$)", body):  # a word, not a value
        body = body[0].lower() + body[1:]
    if s[:1] in "?.!" and body[-1:] in "?.!":
        s = ""  # no "10.0.0.5?." (nobody types it, and it hides the address from the planner)
    return f"{p}{body}{s}"


CHATTY_PRE = ["hey, ", "hi! ", "quick one: ", "ok so ", "morning - ", "need a hand: ", "urgent: ",
              "pls ", "so, "]
CHATTY_SUF = [" please", " pls", " thx", " thanks!", "?", ".", " asap", " when you can", " :)"]
SHIFT_PRE = ["hello there, ", "for the incident ticket: ", "as part of triage, ", "boss wants: ",
             "real quick, ", "fyi need this -- "]
SHIFT_SUF = [" cheers", ", ty", " for the report", " (asap)", " - thank you"]


# --- time windows --------------------------------------------------------------------------------

def _date(r: random.Random) -> tuple[str, str]:
    """An ISO day and the next day."""
    import datetime as dt

    d = dt.date(2024, 9, 1) + dt.timedelta(days=r.randint(0, 400))
    return d.isoformat(), (d + dt.timedelta(days=1)).isoformat()


def time_window(r: random.Random, shifted: bool, lead: bool) -> Phrase:
    """A time phrase and its since/until, per the dataset conventions (see DATASET_CARD)."""
    n_h = r.choice([1, 2, 3, 4, 6, 8, 12, 24, 48, 72])
    n_d = r.choice([2, 3, 5, 7, 10, 14, 30, 90])
    n_w = r.choice([2, 3, 4])
    n_m = r.choice([5, 10, 15, 30, 45])
    day, nxt = _date(r)
    if not shifted:
        options = [
            (8, [f"in the last {n_h} hours", f"last {n_h}h", f"past {n_h} hours", f"over the last {n_h} hrs"], f"now-{n_h}h", None, "h"),
            (7, [f"in the last {n_d} days", f"last {n_d} days", f"past {n_d}d", f"over the past {n_d} days"], f"now-{n_d}d", None, "d"),
            (2, [f"in the last {n_w} weeks", f"past {n_w} weeks"], f"now-{n_w}w", None, "w"),
            (2, [f"in the last {n_m} minutes", f"last {n_m} min"], f"now-{n_m}m", None, "m"),
            (3, ["in the last hour", "past hour", "last hour"], "now-1h", None, "1h"),
            (3, ["last week", "in the past week"], "now-1w", None, "1w"),
            (2, ["in the last day", "past day"], "now-1d", None, "1d"),
            (7, ["today", "so far today", "since midnight"], "now/d", None, "today"),
            (5, ["yesterday", "from yesterday"], "now-1d/d", "now/d", "yesterday"),
            (2, ["this week", "so far this week"], "now/w", None, "week"),
            (1, ["this month"], "now/M", None, "month"),
            (2, [f"since {day}", f"after {day}"], day, None, "since"),
            (2, [f"on {day}"], day, nxt, "on"),
        ]
    else:
        options = [
            (5, [f"during the previous {n_h} hours", f"within the past {n_h}h"], f"now-{n_h}h", None, None),
            (4, [f"during the last {n_d} days", f"for the previous {n_d} days"], f"now-{n_d}d", None, None),
            (3, ["for today", "from today"], "now/d", None, None),
            (3, ["for yesterday", "yesterday only"], "now-1d/d", "now/d", None),
            (2, [f"starting {day}"], day, None, None),
        ]
    weights = [o[0] for o in options]
    _, phrases, since, until, key = r.choices(options, weights)[0]
    if TIME_EXTRA.get(key):
        n = {"h": n_h, "d": n_d, "w": n_w, "m": n_m}.get(key, "")
        phrases = [t.format(n=n, day=day) for t in TIME_EXTRA[key]] + phrases
    text = r.choice(phrases)
    meaning = {"since": since} | ({"until": until} if until else {})
    if lead:
        return Phrase(text[0].upper() + text[1:] + r.choice([", ", ": ", " - "]), meaning)
    return Phrase(" " + text, meaning)


@drawer("t")
def _t(r, bag):
    return time_window(r, bag.shifted, lead=False) if r.random() < 0.5 else Phrase("", {})


@drawer("tt")  # a time phrase that is always there (histograms, 'today's alerts')
def _tt(r, bag):
    return time_window(r, bag.shifted, lead=False)


@drawer("T")
def _T(r, bag):
    return time_window(r, bag.shifted, lead=True) if r.random() < 0.6 else Phrase("", {})


# --- families ----------------------------------------------------------------------------------

@dataclass
class Example:
    question: str
    target: dict
    previous: dict | None = None


@dataclass
class Family:
    """One template family: an intent, its phrasings, and how a target follows from the values.

    ``held_out`` families feed only the ``shifted`` split: their phrasings never reach train.
    """

    id: str
    intent: str
    tool: str
    weight: float
    held_out: bool
    make: Callable[[random.Random], Example]


VERBS = ["show", "show me", "find", "list", "get", "search for", "pull", "give me", "any", "look for",
         "query", "I need", "display", "fetch", "", "", "", "", ""]
SHIFT_VERBS = ["dig up", "surface", "can I see", "hunt for", "bring up", "I'm looking for", "retrieve"]


def _with_verb(template: str, verb: str) -> str:
    if not verb:
        return template
    if template.startswith("{T}"):
        return "{T}" + verb + " " + template[3:]
    return verb + " " + template


def template_families(
    fid: str,
    intent: str,
    tool: str,
    build: Callable[[Bag], dict],
    train: list[str],
    shifted: list[str] = (),  # type: ignore[assignment]
    weight: float = 1.0,
    setup: Callable[[Bag], None] | None = None,
) -> list[Family]:
    """A family per phrasing set: ``fid`` (train/val/test) and ``fid~s`` (shifted only).

    A template that starts with ``~`` is a noun phrase ("dns lookups for x"); it gets a verb
    ("show", "find", "" …) in front. ``setup`` may pre-fill the bag (e.g. pick a field first).
    """
    out = []
    for held_out, templates in ((False, list(train)), (True, list(shifted))):
        if not templates:
            continue

        def make(r: random.Random, templates=templates, held_out=held_out) -> Example:
            bag = Bag(r, shifted=held_out)
            if setup:
                setup(bag)
            t = r.choice(templates)
            if t.startswith("~"):
                t = _with_verb(t[1:], r.choice(SHIFT_VERBS if held_out else VERBS))
            q = render(t, bag)
            bag.frozen = True
            q = with_frame(r, q, SHIFT_PRE if held_out else CHATTY_PRE, SHIFT_SUF if held_out else CHATTY_SUF)
            return Example(q, build(bag))

        out.append(Family(fid + ("~s" if held_out else ""), intent, tool, weight * (0.5 if held_out else 1), held_out, make))
    return out
