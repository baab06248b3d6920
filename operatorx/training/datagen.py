"""Generate the planner's training and evaluation data: question (+ previous call) → compact plan.

    .venv/bin/python -m operatorx.training.datagen --seed 1234 --out data/
    .venv/bin/python -m operatorx.training.datagen --seed 1234 --out /tmp/d --scale 0.05 --no-tokens

Writes ``train.jsonl``, ``val.jsonl``, ``test.jsonl``, ``shifted.jsonl`` and ``DATASET_CARD.md``.
One record a line::

    {"id", "split", "family", "intent", "tool", "question", "previous": call|null, "target": plan}

``target`` (and ``previous``) are the compact forms the model emits (``format_call``), each
validated by ``parse_plan`` here; nmap targets lie inside ``configs/eval-scope.toml``'s scope
unless the record is a refusal. train/val/test come from the same template families;
``shifted`` only from held-out families (phrasings train never sees) plus hand-written
questions. Questions are deduplicated across all splits after normalisation. Same seed, same
bytes. The generator needs nothing beyond the runtime (llama-cpp only to count tokens).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from operatorx.agent.prompting import end_of_answer, format_call, render_prompt
from operatorx.schemas.nmap import target_kind
from operatorx.schemas.plan import parse_call, parse_plan
from operatorx.training.datagen_phrasing import Example, Family, Reject

REPO = Path(__file__).resolve().parents[2]
SCOPE_CONFIG = REPO / "configs" / "eval-scope.toml"
SPLITS = ("train", "val", "test", "shifted")
GROUP_SHARES = {"elasticsearch": 0.44, "nmap": 0.30, "followup": 0.15, "none": 0.11}


@dataclass
class GenConfig:
    seed: int = 1234
    out: Path = Path("data")
    scale: float = 1.0
    sizes: dict[str, int] = field(default_factory=lambda: {"train": 6000, "val": 300, "test": 400, "shifted": 250})
    tokens: bool = True
    dry_run: bool = False

    def size(self, split: str) -> int:
        return max(1, round(self.sizes[split] * self.scale))


# --- families --------------------------------------------------------------------------------------


def all_families() -> list[Family]:
    """Every template family, train and held-out, in a fixed order."""
    from operatorx.training import (
        datagen_elastic,
        datagen_es_aggs,
        datagen_es_filters,
        datagen_followup,
        datagen_nmap,
        datagen_nmap_natural,
        datagen_none,
    )

    es_f = datagen_elastic.FAMILIES + datagen_es_filters.FAMILIES + datagen_es_aggs.FAMILIES
    nm_f = datagen_nmap.FAMILIES + datagen_nmap_natural.FAMILIES
    es_src = [f for f in es_f if not f.held_out]
    nm_src = [f for f in nm_f if not f.held_out]
    follow = datagen_followup.families(nm_src, es_src)
    for held_out in (False, True):
        sources = [f for f in es_f + nm_f if f.held_out == held_out]
        follow.append(Family("follow.new" + ("~s" if held_out else ""), "followup.new", "mixed", 3 if not held_out else 1.5,
                             held_out, datagen_followup.new_topic(sources, es_src + nm_src, held_out)))
    return es_f + nm_f + datagen_none.FAMILIES + follow


def group(f: Family) -> str:
    return "followup" if f.intent.startswith("followup") else f.tool


# --- normalisation and checks --------------------------------------------------------------------------


def normalise(question: str) -> str:
    q = " ".join(question.lower().split())
    return re.sub(r"[\s?.!,;:]+$", "", q)


def dedup_key(question: str, previous: dict | None) -> str:
    key = normalise(question)
    return key + ("\n" + format_call(previous) if previous else "")


def policy_reasons(call, config, resolve) -> list[str]:
    """Why the runtime's policy would refuse ``call`` (nmap: outside the eval scope; searches:
    fields, types and caps); empty when it is allowed."""
    from operatorx import policy
    from operatorx.tools.elastic.catalog import FieldCatalog

    decision = policy.evaluate(call, config, resolve=resolve, catalog=FieldCatalog.packaged())
    return [] if decision.allowed else list(decision.reasons)


def check_record(rec: dict, config, resolve) -> None:
    """Every target validates and is already compact; the runtime's policy allows every call
    except the refusals."""
    plan = parse_plan(rec["target"])
    assert plan.compact() == rec["target"], f"target is not in compact form: {rec['target']}"
    assert rec["tool"] == rec["target"]["tool"]
    calls = [plan] if rec["tool"] != "none" else []
    if rec["previous"] is not None:
        prev = parse_call(rec["previous"])
        assert prev.compact() == rec["previous"]
        calls.append(prev)
    for call in calls:
        reasons = policy_reasons(call, config, resolve)
        assert not reasons, f"{rec['id']}: policy refuses {call.compact()}: {reasons}"


# --- generation --------------------------------------------------------------------------------------------


def _allocate(total: int, families: list[Family]) -> dict[str, int]:
    """Largest-remainder split of ``total`` by family weight."""
    weight = sum(f.weight for f in families)
    raw = {f.id: total * f.weight / weight for f in families}
    out = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: (out[k] - raw[k], k))[: total - sum(out.values())]:
        out[k] += 1
    return out


def generate_group(
    families: list[Family], total: int, seen: set[str], seed: int, allowed: Callable[[Example], bool] | None = None
) -> dict[str, list[Example]]:
    """Up to ``total`` unique examples spread over ``families``; a family short of fresh
    questions leaves its share to the others. An example that ``allowed`` rejects (the
    runtime's policy would refuse its call, e.g. a /20 plus one host is 4,097 addresses)
    is drawn again, like a duplicate."""
    rngs = {f.id: random.Random(f"{seed}/{f.id}") for f in families}
    got: dict[str, list[Example]] = {f.id: [] for f in families}
    exhausted: set[str] = set()
    want = _allocate(total, families)
    for _ in range(4):
        for f in families:
            if f.id in exhausted:
                continue
            misses = 0
            while len(got[f.id]) < want[f.id]:
                try:
                    ex = f.make(rngs[f.id])
                except Reject:
                    ex = None
                if ex is not None and allowed is not None and not allowed(ex):
                    ex = None
                key = dedup_key(ex.question, ex.previous) if ex else None
                if key is None or key in seen:
                    misses += 1
                    if misses > 30 + 3 * want[f.id]:
                        exhausted.add(f.id)
                        break
                    continue
                seen.add(key)
                got[f.id].append(ex)
        short = total - sum(len(v) for v in got.values())
        open_ = [f for f in families if f.id not in exhausted]
        if short <= 0 or not open_:
            break
        extra = _allocate(short, open_)
        for k, v in extra.items():
            want[k] = len(got[k]) + v
    return got


def record(split: str, f: Family, ex: Example) -> dict:
    return {"id": "", "split": split, "family": f.id, "intent": f.intent, "tool": ex.target["tool"],
            "question": ex.question, "previous": ex.previous, "target": ex.target}


def build(cfg: GenConfig) -> dict[str, list[dict]]:
    """All four splits as lists of records (ids assigned, order shuffled, all checked)."""
    from operatorx.config import load_config
    from operatorx.training.datagen_handwritten import RECORDS as HANDWRITTEN
    from operatorx.training.evaluate import scope_resolver

    families = all_families()
    config = load_config(SCOPE_CONFIG)
    resolve = scope_resolver(config)
    seen: set[str] = set()
    splits: dict[str, list[dict]] = {s: [] for s in SPLITS}

    def allowed(ex: Example) -> bool:
        """Policy allows the call (and the previous one); malformed targets still fail in check_record."""
        calls = [ex.target] if ex.target["tool"] != "none" else []
        calls += [ex.previous] if ex.previous is not None else []
        try:
            return not any(policy_reasons(parse_call(c), config, resolve) for c in calls)
        except Exception:  # noqa: BLE001 - a call that does not even parse is check_record's to report
            return True

    hand = HANDWRITTEN[: max(1, round(len(HANDWRITTEN) * min(1.0, cfg.scale * 4)))]
    for q, intent, target, prev, fam in hand:
        seen.add(dedup_key(q, prev))
        splits["shifted"].append({"id": "", "split": "shifted", "family": fam, "intent": intent, "tool": target["tool"],
                                  "question": q, "previous": prev, "target": target})
    n_main = cfg.size("train") + cfg.size("val") + cfg.size("test")
    n_shift = max(0, cfg.size("shifted") - len(hand))
    frac = {"val": cfg.size("val") / n_main, "test": cfg.size("test") / n_main}
    acc = {"val": 0.0, "test": 0.0}
    taken = {"val": 0, "test": 0}
    for held_out, total in ((False, n_main), (True, n_shift)):
        for gname, share in GROUP_SHARES.items():
            fams = [f for f in families if f.held_out == held_out and group(f) == gname]
            got = generate_group(fams, round(total * share), seen, cfg.seed + (7919 if held_out else 0), allowed)
            for f in fams:
                exs = got[f.id]
                if held_out:
                    splits["shifted"] += [record("shifted", f, e) for e in exs]
                    continue
                random.Random(f"{cfg.seed}/split/{f.id}").shuffle(exs)
                cut = {}
                for s in ("val", "test"):
                    acc[s] += len(exs) * frac[s]
                    cut[s] = int(acc[s]) - taken[s]
                    taken[s] += cut[s]
                for i, e in enumerate(exs):
                    split = "val" if i < cut["val"] else "test" if i < cut["val"] + cut["test"] else "train"
                    splits[split].append(record(split, f, e))
    for s, recs in splits.items():
        random.Random(f"{cfg.seed}/order/{s}").shuffle(recs)
        for i, rec in enumerate(recs):
            rec["id"] = f"{s}-{i:05d}"
            check_record(rec, config, resolve)
    return splits


# --- tokens, coverage, card --------------------------------------------------------------------------------


def training_text(rec: dict) -> str:
    """Exactly what the fine-tuning sees: the prompt, the answer and the stop token."""
    return render_prompt(rec["question"], rec["previous"]) + format_call(rec["target"]) + end_of_answer()


def token_stats(splits: dict[str, list[dict]]) -> dict[str, dict[str, float]] | None:
    try:
        import llama_cpp

        from operatorx.backend.models import default_base_model

        llm = llama_cpp.Llama(str(default_base_model()), vocab_only=True, verbose=False)
    except Exception as e:  # noqa: BLE001 - token counts are informative only
        print(f"datagen: token counts skipped ({e})", file=sys.stderr)
        return None
    out = {}
    for s, recs in splits.items():
        full = [len(llm.tokenize(training_text(r).encode(), add_bos=False, special=True)) for r in recs]
        ans = [len(llm.tokenize(format_call(r["target"]).encode(), add_bos=False)) for r in recs]
        out[s] = {"mean": sum(full) / len(full), "max": max(full), "answer_mean": sum(ans) / len(ans), "total": sum(full)}
    return out


def coverage(recs: list[dict]) -> dict[str, Counter]:
    """How often each NmapScan field, Condition op and aggregation type appears in targets."""
    cov = {"nmap_fields": Counter(), "techniques": Counter(), "timing": Counter(), "ops": Counter(), "aggs": Counter(),
           "es_keys": Counter(), "reasons": Counter(), "target_kinds": Counter()}
    for r in recs:
        t = r["target"]
        if t["tool"] == "nmap":
            cov["nmap_fields"].update(k for k in t if k != "tool")
            cov["techniques"][t.get("technique", "default")] += 1
            if "timing" in t:
                cov["timing"][t["timing"]] += 1
            cov["target_kinds"].update(target_kind(x) for x in t["targets"])
        elif t["tool"] == "elasticsearch":
            cov["es_keys"].update(k for k in t if k != "tool")
            for key in ("where", "any_of", "exclude"):
                cov["ops"].update(c.get("op", "eq") for c in t.get(key, []))
            if "agg" in t:
                cov["aggs"][t["agg"].get("type", "terms")] += 1
        else:
            cov["reasons"][f"{t['kind']}: {t['message']}"] += 1
    return cov


def write(cfg: GenConfig, splits: dict[str, list[dict]]) -> dict[str, str]:
    cfg.out.mkdir(parents=True, exist_ok=True)
    digests = {}
    for s, recs in splits.items():
        blob = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs).encode()
        (cfg.out / f"{s}.jsonl").write_bytes(blob)
        digests[s] = hashlib.sha256(blob).hexdigest()
    return digests


def record_keys(records: Iterable[dict]) -> set[str]:
    """The dedup keys and normalised questions of these records: what another set must not hold."""
    held: set[str] = set()
    for rec in records:
        held.add(dedup_key(rec["question"], rec.get("previous")))
        held.add(normalise(rec["question"]))
    return held


def held_keys(paths: list[Path]) -> set[str]:
    """``record_keys`` of these JSONL files: what must not be trained on."""
    return record_keys(json.loads(line) for path in paths for line in path.read_text(encoding="utf-8").splitlines())


def unseen(records: list[dict], held: set[str]) -> list[dict]:
    """The records that collide with ``held`` neither by question and previous call nor by
    the question alone (a short follow-up like "largest first" stays held out whatever it edits)."""
    return [r for r in records if dedup_key(r["question"], r["previous"]) not in held and normalise(r["question"]) not in held]


def holdout_paths(dirs: list[Path]) -> list[Path]:
    """The val, test and shifted .jsonl files of these held-out directories; each must have one."""
    paths = []
    for d in dirs:
        found = [d / f"{s}.jsonl" for s in ("val", "test", "shifted") if (d / f"{s}.jsonl").is_file()]
        if not found:
            raise SystemExit(f"datagen: --holdout {d} has no val, test or shifted .jsonl")
        paths += found
    return paths


def fresh_train(splits: dict[str, list[dict]], holdout: Path | list[Path]) -> tuple[list[dict], int]:
    """The train records of another seed minus any that collide with a held-out directory's
    val, test or shifted split (``unseen``). More training data
    for a later stage without touching what the evaluation measures. A directory must hold
    at least one of the three (``data/val-fresh`` has only a val split)."""
    keep = unseen(splits["train"], held_keys(holdout_paths([holdout] if isinstance(holdout, Path) else holdout)))
    return keep, len(splits["train"]) - len(keep)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m operatorx.training.datagen", description=__doc__.split("\n")[0])
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--out", type=Path, default=Path("data"))
    p.add_argument("--scale", type=float, default=1.0, help="multiply every split size (tests use 0.05)")
    p.add_argument("--no-tokens", action="store_true", help="skip token counts (no llama-cpp needed)")
    p.add_argument("--dry-run", action="store_true", help="generate and check, print counts, write nothing")
    p.add_argument("--holdout", type=Path, metavar="DIR", action="append",
                   help="write only train.jsonl, without any question of DIR's val/test/shifted splits "
                   "(repeatable)")
    a = p.parse_args(argv)
    cfg = GenConfig(seed=a.seed, out=a.out, scale=a.scale, tokens=not a.no_tokens, dry_run=a.dry_run)
    splits = build(cfg)
    if a.holdout is not None:
        keep, dropped = fresh_train(splits, a.holdout)
        print(f"train    {len(keep):5d} records kept, {dropped} dropped (held out in "
              f"{', '.join(map(str, a.holdout))})")
        if not cfg.dry_run:
            cfg.out.mkdir(parents=True, exist_ok=True)
            blob = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in keep)
            (cfg.out / "train.jsonl").write_text(blob, encoding="utf-8")
            print(f"wrote {cfg.out}/train.jsonl")
        return 0
    for s in SPLITS:
        print(f"{s:8s} {len(splits[s]):5d} records")
    if cfg.dry_run:
        return 0
    tokens = token_stats(splits) if cfg.tokens else None
    digests = write(cfg, splits)
    from operatorx.training.datagen_card import card

    (cfg.out / "DATASET_CARD.md").write_text(card(cfg, splits, tokens, digests, all_families()), encoding="utf-8")
    if tokens:
        for s in SPLITS:
            print(f"{s:8s} mean {tokens[s]['mean']:.1f} tokens/example, max {tokens[s]['max']}")
    print(f"wrote {cfg.out}/{{train,val,test,shifted}}.jsonl and DATASET_CARD.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
