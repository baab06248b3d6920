"""scripts/gpu-prep.sh and scripts/gpu-train.sh, the GPU recipe, rehearsed on the CPU.

The device machine takes one piece of the base per call (a call carries 64 MiB with the
working tree); gpu-train.sh must stash pieces across calls, wait for all of them, check the
joined base against its sha256, and train from token ids alone. Here DEVICE=cpu and one step.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "tests" / "data" / "training" / "sample.jsonl"
PY = REPO / ".venv" / "bin" / "python"

pytestmark = [pytest.mark.model, pytest.mark.slow]


def bash(script: str, *args: str, env: dict, cwd: Path = REPO) -> subprocess.CompletedProcess:
    run = subprocess.run(["bash", str(REPO / "scripts" / script), *args], capture_output=True, text=True,
                         timeout=600, cwd=cwd, env={**os.environ, **env})
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    return run


def test_prep_then_one_call_per_piece_then_train(tmp_path, service_unavailable):
    missing = [m for m in ("torch", "transformers", "peft", "gguf", "llama_cpp") if importlib.util.find_spec(m) is None]
    if missing or not PY.exists():
        service_unavailable(f"{', '.join(missing) or '.venv'} not installed (make test installs them)")
    from safetensors.numpy import load_file

    prepared = tmp_path / "prepared"
    out = bash("gpu-prep.sh", str(SAMPLE), str(SAMPLE), "smollm2",
               env={"GPU_DIR": str(prepared), "PIECE_MB": "40", "PY": str(PY)}).stdout
    assert "3 device calls" in out  # 98 MB in 40 MB pieces
    common = prepared / "common"
    assert {p.name for p in common.iterdir()} == {"data", "wheels", "base.name", "base.sha256", "pieces"}
    assert {p.name for p in (common / "data").iterdir()} == {"train.jsonl.gz", "val.jsonl"}
    assert [w.name.split("-")[0] for w in (common / "wheels").iterdir()] == ["gguf"]
    assert max(p.stat().st_size for p in prepared.glob("part-*/piece")) <= 40 << 20

    device = tmp_path / "device"  # what one call carries: the next piece (and, last, common/)
    env = {"GPU_DIR": str(device), "STASH": str(tmp_path / "stash"), "OUT": str(tmp_path / "out"),
           "PYTHON": str(PY), "DEVICE": "cpu"}
    for i, expected in ((0, "1 base piece(s) stashed"), (1, "2 base piece(s) stashed")):
        shutil.rmtree(device, ignore_errors=True)
        shutil.copytree(prepared / f"part-0{i}", device / f"part-0{i}")
        assert expected in bash("gpu-train.sh", env=env).stdout
        assert not (tmp_path / "out").exists()
    shutil.rmtree(device)
    shutil.copytree(prepared / "part-02", device / "part-02")
    shutil.copytree(common, device / "common")
    # two runs side by side, each with its own overrides after its --run
    out = bash("gpu-train.sh", "--set", "eval_every=100", "--set", "eval_records=4", "--set", "batch_tokens=1024",
               "--run", "one", "--set", "max_steps=1", "--run", "two", "--set", "max_steps=2", "--set", "seed=3",
               env=env).stdout
    for name, steps, seed in (("one", 1, 0), ("two", 2, 3)):
        assert (tmp_path / "out" / f"{name}.log").exists(), out
        unpacked = tmp_path / "back" / name  # what comes back is NAME.tar (and NAME.log)
        unpacked.mkdir(parents=True)
        with tarfile.open(tmp_path / "out" / f"{name}.tar") as tar:
            tar.extractall(unpacked, filter="data")
        log = json.loads((unpacked / "train_log.json").read_text())
        assert log["device"] == "cpu" and len(log["steps"]) == steps and log["config"]["seed"] == seed
        assert log["data"]["train"]["examples"] == 12 and Path(log["base"]).parent == tmp_path / "stash"
        weights = load_file(unpacked / "adapter" / "adapter_model.safetensors")
        assert weights and all(w.dtype == "float16" for w in weights.values())  # under 16 MiB to come back


def test_a_corrupt_piece_is_caught_before_training(tmp_path, service_unavailable):
    if not PY.exists():
        service_unavailable(".venv not installed")
    device = tmp_path / "device"
    (device / "common").mkdir(parents=True)
    (device / "part-00").mkdir()
    (device / "part-00" / "piece").write_bytes(b"not the base")
    for name, text in (("pieces", "1"), ("base.name", "base.gguf"), ("base.sha256", "0" * 64)):
        (device / "common" / name).write_text(text + "\n")
    run = subprocess.run(["bash", str(REPO / "scripts" / "gpu-train.sh")], capture_output=True, text=True,
                         timeout=60, cwd=REPO, env={**os.environ, "GPU_DIR": str(device),
                                                    "STASH": str(tmp_path / "stash"), "PYTHON": str(PY)})
    assert run.returncode != 0 and "FAILED" in run.stdout + run.stderr
