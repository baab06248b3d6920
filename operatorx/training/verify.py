"""Check the exported GGUF adapter: llama.cpp + adapter must compute what transformers + peft computes.

    .venv/bin/python -m operatorx.training.verify                  # configs/train-smollm2.toml, exits 1 on failure
    .venv/bin/python -m operatorx.training.verify --set n_records=4 --set out=/tmp/verify.json

On the same token ids (prompt + reference answer of ``n_records`` validation records), four
logit sets over the vocabulary at every answer position:

* ``hf_lora``   transformers (fp32, the dequantised GGUF base) + the PEFT adapter — the reference;
* ``hf_base``   the same with the adapter disabled;
* ``cpp_lora``  llama.cpp (the Q4_1 GGUF, as the app runs it) + the exported GGUF adapter;
* ``cpp_base``  llama.cpp without the adapter.

``cpp_lora`` vs ``hf_lora`` is the check; ``cpp_base`` vs ``hf_base`` is its floor (llama.cpp
quantises activations to 8 bits for its Q4_1 matmuls, so even the bare base differs a little);
``cpp_lora`` vs ``cpp_base`` proves the adapter changes the logits — otherwise agreement would
be vacuous. The tolerances below were set from measured values with a margin (see
``operatorx/models/MODEL_CARD.md``): an export with the q/k rows left un-permuted, a wrong
alpha or a missing module fails them by a wide margin.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from operatorx.training import config as cfgmod
from operatorx.training import format as fmt


@dataclass
class VerifyConfig:
    adapter_dir: str = "var/train/smollm2-lora/adapter"
    adapter_gguf: str = "operatorx/models/operatorx-smollm2-lora.gguf"
    base: str | None = None
    records: str = "data/val.jsonl"
    n_records: int = 24
    threads: int = 2
    out: str | None = None  # write the metrics as JSON here
    # Tolerances on cpp_lora vs hf_lora at answer positions (measured, with margin).
    min_corr: float = 0.995  # mean Pearson correlation over the vocabulary
    max_mean_abs: float = 0.35  # mean |Δ logit|
    min_top1: float = 0.97  # argmax agreement
    max_floor_ratio: float = 1.6  # mean |Δ| may be at most this × the base floor (cpp_base vs hf_base) …
    min_effect_ratio: float = 3.0  # … and the adapter's own effect (cpp_lora vs cpp_base) this × larger


def teacher_forced(records: list[dict], tokenize, template: str = "chatml") -> list[tuple[list[int], int]]:
    """(token ids of prompt + answer, number of prompt tokens) per record."""
    out = []
    for i, rec in enumerate(records):
        prompt, answer = fmt.render(rec, f"record {i}", template)
        p = tokenize(prompt)
        out.append((p + tokenize(answer), len(p)))
    return out


def hf_logits(base: Path, adapter_dir: Path, seqs, threads: int):
    """{"hf_lora": [...], "hf_base": [...]}: fp32 logits (positions × vocab) at the answer positions."""
    import torch
    from peft import PeftModel

    from operatorx.training.finetune import load_base

    torch.set_num_threads(threads)
    model = PeftModel.from_pretrained(load_base(base), adapter_dir).eval()
    out: dict[str, list] = {"hf_lora": [], "hf_base": []}
    with torch.no_grad():
        for ids, n_prompt in seqs:
            x = torch.tensor([ids])
            out["hf_lora"].append(model(input_ids=x).logits[0, n_prompt - 1: -1].numpy())
            with model.disable_adapter():
                out["hf_base"].append(model(input_ids=x).logits[0, n_prompt - 1: -1].numpy())
    return out


def cpp_logits(base: Path, adapter_gguf: Path | None, seqs, threads: int) -> list:
    import llama_cpp
    import numpy as np

    kwargs = {"lora_path": str(adapter_gguf)} if adapter_gguf else {}
    llm = llama_cpp.Llama(str(base), n_ctx=512, n_batch=512, logits_all=True, n_threads=threads,
                          n_threads_batch=threads, verbose=False, **kwargs)
    # llama-cpp-python 0.3.36 tests the adapter handle with `is None`, but a failed load is a
    # NULL ctypes pointer, so it would silently run the bare base (see backend/llama.py).
    if adapter_gguf and not llm._lora_adapter:
        llm.close()
        raise RuntimeError(f"llama.cpp could not load the adapter {adapter_gguf} onto {base.name}")
    out = []
    for ids, n_prompt in seqs:
        llm.reset()
        llm.eval(ids)
        out.append(np.array(llm.scores[n_prompt - 1: len(ids) - 1], dtype=np.float32))
    llm.close()
    return out


def compare(a: list, b: list) -> dict:
    """Agreement of two logit sets (lists of positions × vocab arrays)."""
    import numpy as np

    x, y = np.concatenate(a), np.concatenate(b)
    d = np.abs(x - y)
    xc, yc = x - x.mean(1, keepdims=True), y - y.mean(1, keepdims=True)
    corr = (xc * yc).sum(1) / np.sqrt((xc * xc).sum(1) * (yc * yc).sum(1))
    return {"positions": int(x.shape[0]), "max_abs": float(d.max()), "mean_abs": float(d.mean()),
            "corr_mean": float(corr.mean()), "corr_min": float(corr.min()),
            "top1_agree": float((x.argmax(1) == y.argmax(1)).mean())}


def answer_accuracy(logits: list, seqs) -> float:
    """Teacher-forced argmax accuracy on the reference answer tokens."""
    hits = total = 0
    for lg, (ids, n_prompt) in zip(logits, seqs, strict=True):
        hits += int((lg.argmax(1) == ids[n_prompt:]).sum())
        total += len(ids) - n_prompt
    return hits / total


def measure(cfg: VerifyConfig) -> dict:
    base = fmt.base_path(cfg.base)
    adapter_gguf = cfgmod.resolve(cfg.adapter_gguf)
    if not adapter_gguf.exists():
        raise FileNotFoundError(f"{adapter_gguf} does not exist; run `python -m operatorx.training.export` first")
    records = fmt.read_records(cfgmod.resolve(cfg.records))[: cfg.n_records]
    seqs = teacher_forced(records, *fmt.base_vocab(base))
    sets = hf_logits(base, cfgmod.resolve(cfg.adapter_dir), seqs, cfg.threads)
    sets["cpp_lora"] = cpp_logits(base, adapter_gguf, seqs, cfg.threads)
    sets["cpp_base"] = cpp_logits(base, None, seqs, cfg.threads)
    return {
        "records": len(seqs), "base": str(base), "adapter_gguf": str(adapter_gguf),
        "check": compare(sets["cpp_lora"], sets["hf_lora"]),
        "floor": compare(sets["cpp_base"], sets["hf_base"]),
        "effect_cpp": compare(sets["cpp_lora"], sets["cpp_base"]),
        "effect_hf": compare(sets["hf_lora"], sets["hf_base"]),
        "answer_accuracy": {k: answer_accuracy(v, seqs) for k, v in sets.items()},
    }


def failures(m: dict, cfg: VerifyConfig) -> list[str]:
    c, floor, effect = m["check"], m["floor"], m["effect_cpp"]
    rules = [
        (c["corr_mean"] >= cfg.min_corr, f"correlation {c['corr_mean']:.5f} < {cfg.min_corr}"),
        (c["mean_abs"] <= cfg.max_mean_abs, f"mean |Δ logit| {c['mean_abs']:.4f} > {cfg.max_mean_abs}"),
        (c["top1_agree"] >= cfg.min_top1, f"top-1 agreement {c['top1_agree']:.4f} < {cfg.min_top1}"),
        (c["mean_abs"] <= cfg.max_floor_ratio * floor["mean_abs"],
         f"mean |Δ| {c['mean_abs']:.4f} > {cfg.max_floor_ratio} × the base floor {floor['mean_abs']:.4f}"),
        (effect["mean_abs"] >= cfg.min_effect_ratio * c["mean_abs"],
         f"the adapter's effect (mean |Δ| {effect['mean_abs']:.4f} vs the bare base) is not "
         f"{cfg.min_effect_ratio} × the disagreement {c['mean_abs']:.4f}: the check would be vacuous"),
    ]
    return [msg for ok, msg in rules if not ok]


def main(argv: list[str] | None = None) -> int:
    args = cfgmod.stage_parser(__doc__).parse_args(argv)
    cfg = cfgmod.load(VerifyConfig, "verify", args.config, args.overrides)
    if args.dry_run:
        print(cfgmod.dump(cfg))
        return 0
    m = measure(cfg)
    bad = failures(m, cfg)
    m["passed"], m["failures"] = not bad, bad
    text = json.dumps(m, indent=1)
    print(text)
    if cfg.out:
        Path(cfgmod.resolve(cfg.out)).write_text(text)
    for msg in bad:
        print(f"verify: FAIL {msg}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
