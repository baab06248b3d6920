"""Fine-tuning choices: the bf16 decision, the device, and the learning-rate schedule (no model)."""

from __future__ import annotations

import pytest

from operatorx import hostinfo
from operatorx.training import config as cfgmod
from operatorx.training.finetune import FinetuneConfig, lr_factor, pick_device, progress, use_bf16


@pytest.mark.parametrize("setting, expected", [("true", True), ("False", False), ("on", True), ("0", False)])
def test_bf16_explicit_settings(setting, expected):
    assert use_bf16(setting) is expected


def test_bf16_auto_follows_the_cpus_amx_flag(monkeypatch):
    monkeypatch.setattr(hostinfo, "_cpuinfo", lambda: {"flags": "fpu avx512f avx512_bf16"})
    assert use_bf16("auto") is False
    monkeypatch.setattr(hostinfo, "_cpuinfo", lambda: {"flags": "fpu avx512_bf16 amx_bf16 amx_tile"})
    assert use_bf16("auto") is True


def test_bf16_rejects_other_words_with_a_sentence():
    with pytest.raises(cfgmod.ConfigError, match="use true, false or auto"):
        use_bf16("maybe")


def test_bf16_auto_on_a_gpu_asks_the_gpu(monkeypatch):
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(hostinfo, "_cpuinfo", lambda: {"flags": "fpu"})  # no AMX: the CPU would say no
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    assert use_bf16("auto", "cuda") is True
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: False)
    assert use_bf16("auto", "cuda") is False


def test_device_auto_is_the_gpu_when_torch_sees_one(monkeypatch):
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert pick_device("auto").type == "cpu" and pick_device("CPU").type == "cpu"
    with pytest.raises(cfgmod.ConfigError, match="torch sees no CUDA GPU"):
        pick_device("cuda")  # asked for and absent: an error, not a 100x slower CPU run
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert pick_device("auto").type == "cuda"
    with pytest.raises(cfgmod.ConfigError, match="use cpu, cuda or auto"):
        pick_device("tpu")


def test_config_file_value_true_still_reads_as_bf16():
    cfg = cfgmod.build(FinetuneConfig, {"bf16": True}, "finetune")
    assert use_bf16(cfg.bf16) is True


def test_cpu_model_reads_this_machine():
    assert isinstance(hostinfo.cpu_model(), str)
    assert hostinfo.cpu_flags() == hostinfo.cpu_flags()  # cached, stable


def test_schedule_warms_up_then_decays_to_the_floor():
    cfg = FinetuneConfig(lr=1e-3, warmup_steps=10, min_lr_ratio=0.1, schedule="cosine")
    assert lr_factor(0, 0.0, cfg) == pytest.approx(0.1)
    assert lr_factor(9, 0.0, cfg) == pytest.approx(1.0)
    assert lr_factor(50, 0.5, cfg) == pytest.approx(0.55)
    assert lr_factor(99, 1.0, cfg) == pytest.approx(0.1)


def test_time_budget_governs_when_it_is_further_along():
    cfg = FinetuneConfig(warmup_steps=0, time_budget_s=100.0)
    assert progress(10, 100, 80.0, cfg) == pytest.approx(0.8)
    assert progress(90, 100, 10.0, cfg) == pytest.approx(0.9)
    assert progress(10, 100, 500.0, cfg) == 1.0
