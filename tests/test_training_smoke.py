"""A tiny end-to-end run of the training pipeline on the real base model (CPU, well under 3 minutes).

format → finetune (3 steps on a dozen hand-written records) → export → llama.cpp with the
adapter answers under the grammar. TRL-style checks: every LoRA tensor moved, no base
weight did.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "tests" / "data" / "training" / "sample.jsonl"

pytestmark = [pytest.mark.model, pytest.mark.slow]


@pytest.fixture(scope="module")
def trained(tmp_path_factory, service_unavailable):
    missing = [m for m in ("torch", "transformers", "peft", "gguf", "llama_cpp")
               if importlib.util.find_spec(m) is None]
    if missing:
        service_unavailable(f"{', '.join(missing)} not installed (pip install -e '.[train]')")
    import torch

    from operatorx.training.finetune import FinetuneConfig, train

    out = tmp_path_factory.mktemp("run")
    cfg = FinetuneConfig(
        train=str(SAMPLE), val=str(SAMPLE), out_dir=str(out), rank=8, alpha=16, dropout=0.0,
        lr=1e-3, warmup_steps=1, max_steps=3, batch_tokens=1024, eval_every=100, eval_records=4,
        log_every=1, time_budget_s=None,
    )
    before: dict[str, torch.Tensor] = {}

    def snapshot(model):
        before.update({n: p.detach().clone() for n, p in model.named_parameters()})

    model, log = train(cfg, before_training=snapshot)
    after = {n: p.detach() for n, p in model.named_parameters()}
    return {"cfg": cfg, "out": out, "log": log, "before": before, "after": after}


def test_lora_weights_moved_and_base_weights_did_not(trained):
    before, after = trained["before"], trained["after"]
    lora = [n for n in after if ".lora_" in n]
    base = [n for n in after if ".lora_" not in n]
    assert len(lora) == 30 * 7 * 2 and base
    unmoved = [n for n in lora if torch_equal(before[n], after[n])]
    assert not unmoved, f"LoRA tensors that did not train: {unmoved[:5]}"
    moved = [n for n in base if not torch_equal(before[n], after[n])]
    assert not moved, f"base weights changed: {moved[:5]}"


def torch_equal(a, b) -> bool:
    import torch

    return bool(torch.equal(a, b))


def test_log_and_outputs(trained):
    log, out = trained["log"], trained["out"]
    assert [s["step"] for s in log["steps"]] == [1, 2, 3]
    assert log["stopped_by"] == "steps"
    assert log["tokens_per_s"] > 0 and log["data"]["train"]["examples"] == 12
    # The loss is on the answer only, and three steps at lr 1e-3 already lower it.
    assert log["evals"][-1]["val_loss"] < log["evals"][0]["val_loss"]
    assert (out / "adapter" / "adapter_model.safetensors").exists()
    assert (out / "loss.png").stat().st_size > 1000
    assert json.loads((out / "train_log.json").read_text())["final_val_loss"] == log["final_val_loss"]


def test_exported_adapter_runs_in_llama_cpp(trained, tmp_path):
    from operatorx.agent.prompting import render_prompt
    from operatorx.backend.grammar import decoding_schema
    from operatorx.backend.llama import LlamaBackend
    from operatorx.backend.models import default_base_model
    from operatorx.schemas.plan import parse_plan
    from operatorx.training.export import ExportConfig, export

    summary = export(ExportConfig(adapter_dir=str(trained["out"] / "adapter"), out=str(tmp_path / "a.gguf")))
    assert summary["tensors"] == 30 * 7 * 2 and summary["alpha"] == 16.0
    backend = LlamaBackend(default_base_model(), tmp_path / "a.gguf", n_threads=2, n_ctx=512)
    try:
        # Narrowed to a scan of the one target, so that even a 3-step adapter finishes a call.
        schema = decoding_schema(targets=["10.0.0.5"], tools=["nmap"])
        gen = backend.generate(render_prompt("scan 10.0.0.5 for ssh"), schema, max_tokens=96)
    finally:
        backend.close()
    assert gen.completion_tokens > 0 and gen.stop == "end", gen
    plan = parse_plan(gen.text)
    assert plan.tool == "nmap" and plan.targets == ["10.0.0.5"]
