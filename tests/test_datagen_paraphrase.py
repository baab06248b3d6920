"""The train-only paraphrase draws and data/val-para (operatorx.training.datagen_paraphrase).

They must leave the generator's own stream alone (every committed split stays the same bytes),
say nothing the shifted families say, keep the two halves apart, and never hand a training
draw a question that an evaluation split holds.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from operatorx.training import datagen, datagen_paraphrase, datagen_phrasing
from operatorx.training.datagen_paraphrase import HALVES, A, B

DATA = Path(__file__).resolve().parents[1] / "data"
VAL_PARA = DATA / "val-para" / "val.jsonl"


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _small(seed: int) -> dict[str, list[dict]]:
    return datagen.build(datagen.GenConfig(seed=seed, scale=0.05, tokens=False, dry_run=True))


def _shifted_times() -> set[str]:
    """The shifted families' time phrases, numbers and dates written as the halves write them."""
    r = random.Random(0)
    texts = {datagen_phrasing.time_window(r, shifted=True, lead=False).text.strip().lower() for _ in range(3000)}
    return {re.sub(r"\d+", "{n}", re.sub(r"\d{4}-\d\d-\d\d", "{day}", t)) for t in texts}


def _says(text: str, words: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(words) + r"(?!\w)", text) is not None


def test_a_paraphrase_draw_leaves_the_generator_as_it_was():
    before = _small(5)
    with datagen_paraphrase.vocabulary(A):
        during = _small(5)
    assert during["train"] != before["train"]  # the hooks do change a draw…
    assert _small(5) == before  # …and put everything back
    assert not datagen_phrasing.SYNONYMS and not datagen_phrasing.TIME_EXTRA
    assert "synonym" not in datagen_phrasing.DEFAULT_RATES and datagen_phrasing.FRAME_P == [0.35, 0.3]
    assert not datagen_phrasing.LOWER_AFTER_OPENER


@pytest.mark.parametrize("half", sorted(HALVES))
def test_no_shifted_wording(half):
    """Neither half says what the held-out families say (openers, closers, verbs, times)."""
    ph = datagen_phrasing
    shifted = {p.strip(" ,:-!().").lower() for p in ph.SHIFT_PRE + ph.SHIFT_SUF} | {v.lower() for v in ph.SHIFT_VERBS}
    shifted |= _shifted_times()
    assert len(shifted) > 15
    ours = HALVES[half].phrases()
    clashes = {(o, s) for o in ours for s in shifted if _says(o, s) or _says(s, o)}
    assert not clashes


@pytest.mark.parametrize(("one", "other"), [(a, b) for a in sorted(HALVES) for b in sorted(HALVES) if a < b])
def test_the_halves_share_no_wording(one, other):
    assert not HALVES[one].phrases() & HALVES[other].phrases()


@pytest.mark.parametrize("half", ["C", "D", "E", "F"])
def test_later_halves_never_say_the_selection_wording(half):
    """A training half must not teach half B's wording even inside a longer phrase, or
    val-para would stop measuring unseen wording. (Half A, trained into stage 7, fails this
    on two phrases: its "can you" and "question" are inside B's "can you find" and "I have a
    question"; A stays as trained.)"""
    ours, selection = HALVES[half].phrases(), B.phrases()
    clashes = {(o, s) for o in ours for s in selection if _says(o, s) or _says(s, o)}
    assert not clashes


@pytest.mark.parametrize("drawn", ["AC", "ACD", "ACDE", "ACDEF"])
def test_a_stage_draw_says_each_of_its_training_halves(drawn):
    with datagen_paraphrase.vocabulary(datagen_paraphrase.DRAWS[drawn]):
        questions = [r["question"] for r in _small(8)["train"]]
    for half in drawn:
        share = sum(datagen_paraphrase.carries(q, HALVES[half]) for q in questions) / len(questions)
        assert share > 0.5 / len(drawn), (half, share)
    # Half B's whole phrases (placeholders as numbers and days), less the two that contain A's;
    # not inside a value's name ("Weird::Activity" is a notice, not B's "activity").
    b_phrases = [re.compile(r"(?<![\w:])" + re.escape(p).replace(r"\{n\}", r"\d+").replace(r"\{day\}", r"\d{4}-\d\d-\d\d")
                            + r"(?!\w)") for p in B.phrases() if p not in ("can you find", "i have a question")]
    assert not [q for q in questions if any(b.search(" ".join(q.lower().split())) for b in b_phrases)]


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z][a-z'-]+", text.lower()))


def _shifted_only_words() -> set[str]:
    """Words of data/shifted.jsonl's questions that no train, val or test question uses."""
    seen: set[str] = set()
    for split in ("train", "val", "test"):
        for r in _read(DATA / f"{split}.jsonl"):
            seen |= _words(r["question"])
    return {w for r in _read(DATA / "shifted.jsonl") for w in _words(r["question"])} - seen


@pytest.mark.parametrize(("half", "known"), [("C", {"alarms", "entries", "examine", "minus", "tally"}),
                                             ("D", {"detections"}), ("E", set()), ("F", set())])
def test_a_training_half_teaches_no_word_only_shifted_uses(half, known):
    """The phrase checks above miss single words: C's "alarms" and D's "detections" are
    shifted's own kind words. E (written with this test) has none; C and D stay as trained, so
    their known content words are listed (function words such as "could" are ignored there)."""
    only = _shifted_only_words()
    assert len(only) > 100
    ours = set().union(*(_words(p) for p in HALVES[half].phrases())) & only
    if half in ("E", "F"):
        assert not ours
    else:
        assert known <= ours


def test_b_is_not_a_training_half():
    with pytest.raises(SystemExit, match="not a training half"):
        datagen_paraphrase.train_records(1, [DATA], half="B")


def test_train_draw_carries_new_wording_and_holds_out_the_evaluation_splits():
    records, dropped = datagen_paraphrase.train_records(31, [DATA, DATA / "val-fresh"])
    held = datagen.held_keys([DATA / f"{s}.jsonl" for s in ("val", "test", "shifted")] + [DATA / "val-fresh" / "val.jsonl"])
    assert len(records) > 5000 and dropped > 0
    assert not datagen.record_keys(records) & held
    share = sum(datagen_paraphrase.carries(r["question"], A) for r in records) / len(records)
    assert share > 0.6, share
    assert all(len(set(r["target"].get("targets", []))) == len(r["target"].get("targets", [])) for r in records)


def test_train_draw_needs_a_holdout(tmp_path):
    with pytest.raises(SystemExit, match="--holdout"):
        datagen_paraphrase.main(["--out", str(tmp_path)])


def test_val_para_is_reproducible_unseen_and_in_half_b():
    committed = _read(VAL_PARA)
    records, _ = datagen_paraphrase.val_records(DATA, DATA / "val-fresh")
    assert len(committed) == datagen_paraphrase.VAL_SIZE
    assert [(r["question"], r["previous"], r["target"]) for r in records] == [
        (r["question"], r["previous"], r["target"]) for r in committed]
    held = datagen.held_keys(sorted(DATA.glob("*.jsonl")) + [DATA / "val-fresh" / "val.jsonl"])
    held |= datagen.record_keys(datagen_paraphrase.draw(datagen_paraphrase.TRAIN_SEED, "A")["train"])
    assert not datagen.record_keys(committed) & held
    asks = [r for r in committed if r["tool"] != "none"]
    assert all(datagen_paraphrase.carries(r["question"], B) for r in asks)
    assert {r["tool"] for r in committed} == {"nmap", "elasticsearch", "none"}
