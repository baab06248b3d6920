"""Train-only paraphrase draws: the same intents in wording the template families lack.

    .venv/bin/python -m operatorx.training.datagen_paraphrase --seed 7171 --out var/data-para --holdout data --holdout data/val-fresh
    .venv/bin/python -m operatorx.training.datagen_paraphrase --half AC --seed 8181 --out var/data-s8/para --holdout data --holdout data/val-fresh --holdout data/val-para
    .venv/bin/python -m operatorx.training.datagen_paraphrase --half ACD --seed 9191 --out var/data-s9/para --holdout data --holdout data/val-fresh --holdout data/val-para
    .venv/bin/python -m operatorx.training.datagen_paraphrase --half ACDE --seed 10101 --out var/data-s10/para --holdout data --holdout data/val-fresh --holdout data/val-para
    .venv/bin/python -m operatorx.training.datagen_paraphrase --val --out data/val-para

Stages 3-6 trained on more and more draws of the same templates and the shifted score did not
move (54.2 % → 53.4 %): the model learns the templates' filler, not to look past it. This
module widens the filler without touching the generator's random stream (adding phrasings to
the families would change every committed split): for one draw it fills the hooks of
``datagen_phrasing`` (synonyms for literal words, more openers, closers, verbs and time
phrases) and draws as usual.

The new wording comes in halves. Halves ``A`` (stage 7), ``C`` (stage 8, drawn together
with A as ``AC``), ``D`` (stage 9, ``ACD``), ``E`` (stage 10, ``ACDE``) and ``F`` (stage 12, ``ACDEF``;
with train-only scan families) are for training; half ``B`` makes
``data/val-para``, a selection split whose every question carries wording that no training
draw has, so it asks what shifted asks (does the model generalise past its phrasings?)
without reading shifted. No half repeats the shifted families' openers, closers, verbs or
time phrases, C, D and E say nothing of B even inside a longer phrase, E uses no word that
only the shifted questions use (tests check), and every
question of the committed splits is held out.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from operatorx.training import datagen, datagen_nmap_extra, datagen_nmap_natural, datagen_phrasing


@dataclass(frozen=True)
class Vocabulary:
    """One half of the new wording; every list is added to what the families already say."""

    prefixes: tuple[str, ...]
    suffixes: tuple[str, ...]
    verbs: tuple[str, ...]
    synonyms: dict[str, list[str]]
    times: dict[str, list[str]]  # keyed like datagen_phrasing.time_window's options
    families: tuple = ()  # train-only template families drawn along (datagen_nmap_extra)

    def phrases(self) -> set[str]:
        """Every piece of this half's wording, lower case, openers and closers without their
        punctuation, time phrases with their ``{n}``/``{day}`` placeholders."""
        out = {p.strip(" ,:-!").lower() for p in self.prefixes + self.suffixes} | {v.lower() for v in self.verbs}
        out |= {w.lower() for ws in self.synonyms.values() for w in ws}
        return out | {t.lower() for ts in self.times.values() for t in ts}

    def markers(self) -> list[str]:
        """Snippets of which a question of this half carries at least one (a time phrase up
        to its placeholder)."""
        out = {m.split("{")[0].strip() or m.split("}")[-1].strip() for m in self.phrases()}
        return sorted(m for m in out if m)


A = Vocabulary(
    prefixes=("can you ", "could you ", "I'd like to know: ", "question - ", "for my investigation, ",
              "on shift and need this: ", "team lead asked: ", "help me out, ", "sanity check: ",
              "hey team, ", "while triaging an alert, ", "one more: ", "ok next: ", "good evening! ",
              "SOC here - ", "hi there, ", "need to confirm something: "),
    suffixes=(" thanks a lot", " if possible", " - urgent", " for the shift handover",
              " quickly", " please and thanks", " if you can", " when u get a sec", ", much appreciated"),
    verbs=("pull up", "grab", "look up", "check for", "return", "collect", "I want", "let me see", "search",
           "tell me about", "can you show"),
    synonyms={"show": ["display"], "find": ["locate"], "hosts": ["machines"],
              "give me": ["provide"], "list": ["enumerate"], "which": ["what"],
              "look for": ["search for"]},
    times={
        "h": ["for the past {n} hours", "over the prior {n} hours", "since {n} hours ago", "in the last {n} hrs"],
        "d": ["for the past {n} days", "over the prior {n} days", "since {n} days ago", "in the last {n}d"],
        "w": ["for the past {n} weeks", "since {n} weeks ago"],
        "m": ["for the past {n} minutes", "in the last {n} mins", "since {n} min ago"],
        "1h": ["over the last hour", "since an hour ago", "this past hour"],
        "1w": ["over the last week", "for the past week"],
        "1d": ["over the last day", "for the past day"],
        "today": ["earlier today", "today so far", "for the day so far"],
        "yesterday": ["all of yesterday", "across yesterday"],
        "week": ["since the start of the week", "this week so far"],
        "month": ["since the start of the month", "so far this month"],
        "since": ["from {day} on", "since {day} onwards"],
        "on": ["for {day}", "on the day {day}"],
    },
)

B = Vocabulary(
    prefixes=("would you ", "I have a question: ", "for the audit, ", "night shift here, ", "investigating now: ",
              "manager needs: ", "quick favour - ", "hiya, ", "checking something: "),
    suffixes=(" much obliged", " if that works", " by end of day", " kthx", " - need it now", " for the handoff"),
    verbs=("track down", "can you find", "print", "extract", "list out", "bring me", "find me"),
    synonyms={"show": ["print"], "find": ["spot"], "hosts": ["systems", "boxes"], "list": ["itemize"],
              "traffic": ["activity"], "give me": ["hand me"]},
    times={
        "h": ["{n} hours back", "in the preceding {n} hours", "from {n}h ago"],
        "d": ["{n} days back", "in the preceding {n} days", "from {n} days ago"],
        "w": ["{n} weeks back", "over the prior {n} wks"],
        "m": ["{n} minutes back", "over the prior {n} minutes"],
        "1h": ["for the last hour", "in the hour just gone"],
        "1w": ["in the last week", "over the past week"],
        "1d": ["over the past day"],
        "today": ["thus far today", "from midnight on"],
        "yesterday": ["over the course of yesterday", "the day before today"],
        "week": ["since the week began"],
        "month": ["month to date"],
        "since": ["from {day} until now"],
        "on": ["for the date {day}", "all day {day}"],
    },
)
# Half C: a second training half, written after stage 7 had shown that new wording (not more
# draws of the old) is what moves the shifted score. It says nothing that B or the shifted
# families say (tested), and stage 8 draws it together with A (``"AC"``).
C = Vocabulary(
    prefixes=("got a sec? ", "analyst request: ", "following up on a case, ", "per the runbook, ",
              "heads up, ", "as discussed, ", "from the SOC: ", "yo, ", "afternoon! ", "threat hunting: ",
              "please help: ", "for the IR case, "),
    suffixes=(" appreciate it", " at your convenience", " before standup", " no rush", " tia",
              " when possible", " right away", ", grateful"),
    verbs=("gather", "round up", "I'd like", "produce", "give me a rundown of", "could I get",
           "please show", "what are"),
    synonyms={"scan": ["probe", "examine"], "open": ["listening"], "alerts": ["alarms"],
              "events": ["entries"], "host": ["node", "endpoint"], "hosts": ["nodes", "endpoints"],
              "fast": ["rapid"], "failed": ["unsuccessful"], "count": ["tally"], "exclude": ["omit"],
              "excluding": ["omitting", "leaving out"], "except": ["other than"], "without": ["minus"],
              "containing": ["that include"], "contains": ["includes"], "subnet": ["segment"],
              "show": ["present", "reveal"], "find": ["identify"], "get": ["obtain"], "check": ["verify"],
              "requests": ["calls"], "skip": ["omit"]},
    times={
        "h": ["within the last {n} hours", "during the past {n} hours"],
        "d": ["within the last {n} days", "during the past {n} days", "in the previous {n} days"],
        "w": ["within the last {n} weeks", "during the past {n} weeks"],
        "m": ["within the last {n} minutes", "during the past {n} mins"],
        "1h": ["within the last hour", "during the past hour"],
        "1w": ["within the last week", "during the past week"],
        "1d": ["within the last day"],
        "today": ["across today", "over today"],
        "yesterday": ["during yesterday", "throughout yesterday"],
        "week": ["from the start of this week", "week to date"],
        "month": ["from the first of the month"],
        "since": ["beginning {day}"],
        "on": ["during {day}", "on {day} only"],
    },
)

# Half D: a third training half (stage 9, drawn with A and C as ``"ACD"``), written after stage 8
# had moved the shifted score again with new wording. Its synonyms are words the grounding
# already reads the same ("avoid" and "w/o" leave a host out); like C it says
# nothing that B or the shifted families say (tested).
D = Vocabulary(
    prefixes=("supervisor asks: ", "incident ticket open, ", "doing a sweep, ", "morning all, ",
              "briefly, ", "for compliance, ", "escalation: ", "on call here, ", "still digging: ",
              "ok so ", "new ticket: ", "hello again, "),
    suffixes=(" thx much", " when you have a moment", " thank u", " for my notes", " for the ticket",
              " many thanks", " if it's not too much trouble", " before the meeting"),
    verbs=("fetch", "unearth", "compile", "get me", "I need to see", "call up", "report on", "show us"),
    synonyms={"scan": ["survey", "inspect"], "host": ["device"], "hosts": ["devices"], "alerts": ["detections"],
              "events": ["records"], "find": ["discover"], "get": ["fetch"], "list": ["tabulate"],
              "containing": ["mentioning"], "contains": ["mentions"], "exclude": ["avoid"],
              "without": ["w/o"], "subnet": ["netblock"], "give me": ["send me"], "look for": ["seek"],
              "failed": ["rejected"]},
    times={
        "h": ["going back {n} hours", "across the last {n} hours"],
        "d": ["going back {n} days", "across the last {n} days"],
        "w": ["going back {n} weeks", "across the last {n} weeks"],
        "m": ["going back {n} minutes", "across the last {n} minutes"],
        "1h": ["across the last hour", "in the latest hour"],
        "1w": ["across the last week", "across the last seven days"],
        "1d": ["across the last day", "in the last twenty-four hours"],
        "today": ["today up to now", "all day today"],
        "yesterday": ["the whole of yesterday", "yesterday, all day"],
        "week": ["for the current week", "this calendar week"],
        "month": ["for the current month", "this calendar month"],
        "since": ["from {day} to the present", "{day} through now"],
        "on": ["for the day of {day}", "{day}, that whole day"],
    },
)


# Half E: a fourth training half (stage 10, drawn with A, C and D as ``"ACDE"``). Besides the
# checks C and D pass, none of its words is one that only the shifted questions use (tested
# against data/shifted.jsonl's vocabulary: C's "alarms", "tally" and D's "detections" are such
# words; they stay as trained). Its synonyms reach words no earlier half varied: hosts as
# assets, logins as sign-ins, users as accounts, destination as target.
E = Vocabulary(
    prefixes=("new lead: ", "request from the desk: ", "from the blue team: ", "SOC lead here, ", "got paged, ",
              "for the weekly sync, ", "hey folks, ", "small ask: ", "for the postmortem, ", "need data: ",
              "active case, ", "good morning, "),
    suffixes=(" thanks in advance", " for the write-up", " by tonight", " for the dashboard", " ta", " when free",
              " big thanks", " for the case notes"),
    verbs=("query", "look into", "point me to", "pull out", "check on", "go through", "have a look at", "we need"),
    synonyms={"hosts": ["assets"], "host": ["asset"], "find": ["pinpoint"], "list": ["inventory"],
              "failed": ["denied"], "count": ["total"],
              "containing": ["carrying"], "destination": ["target"],
              "users": ["accounts"], "logins": ["sign-ins"], "login": ["sign-in"],
              "look for": ["watch for"]},
    times={
        "h": ["over the {n} most recent hours", "for {n} hours up to now"],
        "d": ["over the {n} most recent days", "for {n} days up to now"],
        "w": ["over the {n} most recent weeks", "for {n} weeks up to now"],
        "m": ["over the {n} most recent minutes", "for {n} minutes up to now"],
        "1h": ["in the most recent hour", "for the hour up to now"],
        "1w": ["in the most recent week", "these last seven days"],
        "1d": ["in the most recent day", "over this past day"],
        "today": ["today until now", "on today's date"],
        "yesterday": ["on yesterday's date", "the entirety of yesterday"],
        "week": ["since this week started", "over this week"],
        "month": ["since this month started", "over this month"],
        "since": ["{day} and later", "{day} onward"],
        "on": ["on the date of {day}", "throughout {day}"],
    },
)


# Half F: a fifth training half (stage 12, drawn with A, C, D and E as ``"ACDEF"``), written after
# stage 11 (one more epoch of ACDE) had stopped helping: new wording alone had moved shifted
# each time (stages 7-10), the same wording again did not. Besides wording it is the only half
# that carries structure: the train-only scan families of ``datagen_nmap_extra`` (port lists,
# ports with another option, services where ports belong, packet-rate caps), written from the
# hand-written dev set's failures. It passes E's checks (no shifted-only word, nothing of B).
F = Vocabulary(
    prefixes=("quick q: ", "mid-investigation, ", "from tier 2: ", "IR lead needs this: ", "while I have you, ",
              "re that alert, ", "one for you: ", "evening, ", "next item: ", "working a case, ",
              "before I forget, ", "team ask: "),
    suffixes=(" nice one", " for the timeline", " pronto", " for the case file", " thnx", " before my break",
              " would help a lot", " for the evidence log"),
    verbs=("assemble", "draw up", "pull together", "lay out", "dump", "give me an overview of", "what I need is", "spell out"),
    synonyms={"hosts": ["computers"], "host": ["computer"], "find": ["uncover"], "list": ["catalogue"],
              "show": ["output"], "get": ["acquire"], "check": ["assess"], "events": ["log lines"],
              "users": ["usernames"]},
    times={
        "h": ["in the trailing {n} hours", "inside the last {n} hours"],
        "d": ["in the trailing {n} days", "inside the last {n} days"],
        "w": ["in the trailing {n} weeks", "inside the last {n} weeks"],
        "m": ["in the trailing {n} minutes", "inside the last {n} minutes"],
        "1h": ["inside the last hour", "in the trailing hour"],
        "1w": ["inside the last week", "in the trailing week"],
        "1d": ["inside the last day", "in the trailing day"],
        "today": ["since midnight", "up to this point today"],
        "yesterday": ["yesterday in full", "yesterday, midnight to midnight"],
        "week": ["since the week's start", "in the week to now"],
        "month": ["since the month's start", "in the month to now"],
        "since": ["as of {day}", "{day} up until now"],
        "on": ["just on {day}", "for {day} alone"],
    },
    families=tuple(datagen_nmap_extra.FAMILIES),
)


def union(*halves: Vocabulary) -> Vocabulary:
    """One vocabulary saying everything ``halves`` say (synonyms and times merged per key)."""
    syn: dict[str, list[str]] = {}
    times: dict[str, list[str]] = {}
    for v in halves:
        for k, ws in v.synonyms.items():  # the halves share no word (tested): no duplicates
            syn.setdefault(k, []).extend(ws)
        for k, ts in v.times.items():
            times.setdefault(k, []).extend(ts)
    return Vocabulary(prefixes=sum((v.prefixes for v in halves), ()), suffixes=sum((v.suffixes for v in halves), ()),
                      verbs=sum((v.verbs for v in halves), ()), synonyms=syn, times=times,
                      families=sum((v.families for v in halves), ()))


HALVES = {"A": A, "B": B, "C": C, "D": D, "E": E, "F": F}
DRAWS = {**HALVES, "AC": union(A, C), "ACD": union(A, C, D), "ACDE": union(A, C, D, E),
         "ACDEF": union(A, C, D, E, F)}  # what draw() accepts
TRAIN_DRAWS = tuple(k for k in DRAWS if k != "B")  # what train_records() accepts: B is never drawn for training
# The synonym table is consulted on every literal chunk at this rate (then 70 % a word).
SYNONYM_RATE = 0.6
FRAME_P = [0.6, 0.45]

TRAIN_SEED = 7171
VAL_SEED = 7373
VAL_SIZE = 300


@contextmanager
def vocabulary(v: Vocabulary) -> Iterator[None]:
    """Fill ``datagen_phrasing``'s hooks with ``v`` for one draw, then put everything back."""
    ph = datagen_phrasing
    lists = [(ph.CHATTY_PRE, list(v.prefixes)), (ph.CHATTY_SUF, list(v.suffixes)), (ph.VERBS, list(v.verbs))]
    saved = [list(lst) for lst, _ in lists]
    saved_frame, saved_rate = list(ph.FRAME_P), ph.DEFAULT_RATES.get("synonym")
    saved_lower = ph.LOWER_AFTER_OPENER
    natural = datagen_nmap_natural.FAMILIES
    saved_families = list(natural)
    try:
        natural.extend(v.families)  # read by datagen.all_families() at draw time
        for lst, new in lists:
            lst[:] = new + new + lst  # the new wording twice as likely as any old one
        ph.SYNONYMS.update(v.synonyms)
        ph.TIME_EXTRA.update(v.times)
        ph.FRAME_P[:] = FRAME_P
        ph.LOWER_AFTER_OPENER = True
        ph.DEFAULT_RATES["synonym"] = SYNONYM_RATE
        yield
    finally:
        for (lst, _), old in zip(lists, saved, strict=True):
            lst[:] = old
        ph.SYNONYMS.clear()
        ph.TIME_EXTRA.clear()
        ph.FRAME_P[:] = saved_frame
        ph.LOWER_AFTER_OPENER = saved_lower
        natural[:] = saved_families
        if saved_rate is None:
            ph.DEFAULT_RATES.pop("synonym", None)
        else:
            ph.DEFAULT_RATES["synonym"] = saved_rate


def draw(seed: int, half: str) -> dict[str, list[dict]]:
    """``datagen.build`` for ``seed`` with ``half``'s wording added (shifted families untouched)."""
    with vocabulary(DRAWS[half]):
        return datagen.build(datagen.GenConfig(seed=seed, tokens=False, dry_run=True))


def carries(question: str, v: Vocabulary) -> bool:
    q = " ".join(question.lower().split())
    return any(m in q for m in v.markers())


def train_records(seed: int, holdout: list[Path], half: str = "A") -> tuple[list[dict], int]:
    """``half``'s train split for ``seed`` minus every question of the ``holdout`` splits."""
    if half not in TRAIN_DRAWS:
        raise SystemExit(f"datagen_paraphrase: half {half!r} is not a training half (use {', '.join(TRAIN_DRAWS)})")
    splits = draw(seed, half)
    keep, dropped = datagen.fresh_train(splits, holdout)
    # A follow-up's "also <host it already scans>" repeats the target; the grammar (rightly)
    # cannot write that, so it is no lesson.
    good = [r for r in keep if len(set(r["target"].get("targets", []))) == len(r["target"].get("targets", []))]
    return good, dropped + len(keep) - len(good)


def val_records(data: Path, fresh: Path, seed: int = VAL_SEED, size: int = VAL_SIZE,
                train_seeds: tuple[int, ...] = (TRAIN_SEED,)) -> tuple[list[dict], int]:
    """Half B's val + test questions that carry half B's wording, minus all seen questions:
    the committed splits, val-fresh, and half A's train draws."""
    held = datagen.held_keys(sorted(data.glob("*.jsonl")) + sorted(fresh.glob("*.jsonl")))
    for s in train_seeds:
        held |= datagen.record_keys(draw(s, "A")["train"])
    splits = draw(seed, "B")
    candidates = [r for r in splits["val"] + splits["test"] if r["tool"] == "none" or carries(r["question"], B)]
    keep = datagen.unseen(candidates, held)
    random.Random(seed).shuffle(keep)
    return keep[:size], len(candidates) - len(keep)


def _write(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m operatorx.training.datagen_paraphrase",
                                description=__doc__.split("\n")[0])
    p.add_argument("--val", action="store_true", help="write the val-para selection split instead of train data")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--half", default="A", choices=TRAIN_DRAWS, help="(train) wording to draw with: A (stage 7), AC (stage 8), ACD (stage 9), ACDE (stage 10), ACDEF (stage 12)")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--holdout", type=Path, action="append", metavar="DIR",
                   help="(train) drop every question of this directory's val/test/shifted splits; repeatable")
    p.add_argument("--data", type=Path, default=Path("data"))
    p.add_argument("--fresh", type=Path, default=Path("data/val-fresh"))
    a = p.parse_args(argv)
    if a.val:
        records, dropped = val_records(a.data, a.fresh, a.seed or VAL_SEED)
        for i, r in enumerate(records):
            r["split"], r["id"] = "val", f"para-{i:05d}"
        _write(a.out / "val.jsonl", records)
        print(f"val-para {len(records)} records (seed {a.seed or VAL_SEED}, half B; {dropped} dropped as seen) → {a.out}/val.jsonl")
        return 0
    if not a.holdout:
        raise SystemExit("datagen_paraphrase: train data needs --holdout (at least data/)")
    records, dropped = train_records(a.seed or TRAIN_SEED, a.holdout, a.half)
    _write(a.out / "train.jsonl", records)
    print(f"para train {len(records)} records (seed {a.seed or TRAIN_SEED}, half {a.half}; {dropped} dropped as seen) → {a.out}/train.jsonl")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
