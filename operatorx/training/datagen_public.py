"""Searches for public addresses: generated search records with their private addresses
swapped for random public ones, in the question and the calls alike.

Why: the generator draws the public addresses of its searches from a pool of twenty
(``datagen_values.PUBLIC_IPS``), and in stage 15's mix only 83 of about 4,200 search
addresses were public. The adapter learnt to copy private addresses and often leaves a
public one out ("connections to 203.0.113.50 on port 443" came back without the address).
A search for an outside address is the most ordinary question a SOC asks, so the training
mix gets many of them, each address fresh (any routable octets, plus the documentation
ranges), so that what is learnt is "copy the address", not twenty addresses.

Only the values change: a record keeps its question's words, its intent and its call's
shape. An address is swapped wherever it is written, in the question, the previous call
and the target, so a follow-up stays consistent with what it edits. Records whose
addresses are not all written verbatim in the question or the previous call are left out
(the question might spell one otherwise, and the swap would leave the old spelling).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import random
import re
from pathlib import Path

from operatorx.training.datagen import held_keys, holdout_paths, record_keys, unseen

# An IPv4 address that is not part of a longer number, a CIDR or a range ("10.0.0.5-20").
IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d/-]|\.\d)")
# Documentation ranges (RFC 5737): not routable, but what write-ups and tickets are full of.
DOC_NETS = ["192.0.2", "198.51.100", "203.0.113"]


def public_ip(r: random.Random) -> str:
    """A random public IPv4 address: routable octets (``is_global``) or, one time in five,
    a documentation-range address."""
    if r.random() < 0.2:
        return f"{r.choice(DOC_NETS)}.{r.randint(1, 254)}"
    while True:
        addr = f"{r.randint(1, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
        if ipaddress.ip_address(addr).is_global:
            return addr


def _private(addr: str) -> bool:
    try:
        return ipaddress.ip_address(addr).is_private
    except ValueError:
        return False


def _addresses(call: dict | None) -> set[str]:
    return set(IPV4.findall(json.dumps(call))) if call else set()


def publicise(rec: dict, r: random.Random, share: float = 0.6) -> dict | None:
    """``rec`` with some of its private addresses made public (each with probability
    ``share``, at least one), or None where the record has nothing to swap: not a search,
    no private address in its target, or an address not written verbatim where it can be
    swapped."""
    if rec["tool"] != "elasticsearch":
        return None
    private = sorted(a for a in _addresses(rec["target"]) | _addresses(rec["previous"]) if _private(a))
    if not private:
        return None
    written = set(IPV4.findall(rec["question"])) | _addresses(rec["previous"])
    if not set(private) <= written:
        return None
    chosen = [a for a in private if r.random() < share] or [r.choice(private)]
    mapping = {a: public_ip(r) for a in chosen}

    def swap(text: str) -> str:
        return IPV4.sub(lambda m: mapping.get(m.group(0), m.group(0)), text)

    out = dict(rec)
    out["id"] = f"{rec['id']}-pub"
    out["family"] = f"{rec['family']}+public"
    out["question"] = swap(rec["question"])
    out["target"] = json.loads(swap(json.dumps(rec["target"])))
    out["previous"] = json.loads(swap(json.dumps(rec["previous"]))) if rec["previous"] else None
    return out


def publicised(records: list[dict], seed: int, count: int, held: set[str] | frozenset[str] = frozenset()) -> list[dict]:
    """Up to ``count`` publicised records drawn from ``records`` in a seeded order, none of
    them colliding with ``held`` (``datagen.unseen``) or with each other."""
    r = random.Random(seed)
    order = list(records)
    r.shuffle(order)
    out: list[dict] = []
    seen = set(held)
    for rec in order:
        if len(out) == count:
            break
        new = publicise(rec, r)
        if new is None or not unseen([new], seen):
            continue
        seen |= record_keys([new])
        out.append(new)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--in", dest="inputs", type=Path, action="append", required=True, metavar="JSONL",
                   help="generated training records to draw from (repeatable)")
    p.add_argument("--out", type=Path, required=True, help="directory for train.jsonl")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--count", type=int, required=True, help="how many publicised records to write")
    p.add_argument("--holdout", type=Path, action="append", default=[], metavar="DIR",
                   help="a directory whose val/test/shifted questions must not be written (repeatable)")
    a = p.parse_args(argv)
    records = [json.loads(line) for path in a.inputs for line in path.read_text(encoding="utf-8").splitlines() if line]
    out = publicised(records, a.seed, a.count, held_keys(holdout_paths(a.holdout)))
    if len(out) < a.count:
        raise SystemExit(f"datagen_public: only {len(out)} of {a.count} records could be publicised")
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "train.jsonl").write_text("".join(json.dumps(rec) + "\n" for rec in out), encoding="utf-8")
    print(f"datagen_public: {len(out)} searches with public addresses in {a.out / 'train.jsonl'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
