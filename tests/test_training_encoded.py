"""Token ids written ahead (format --encode) train without llama.cpp — a GPU machine's image
has torch, transformers and peft but not llama-cpp-python — and only on the base they were
tokenized for."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from operatorx.training import format as fmt

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "tests" / "data" / "training" / "sample.jsonl"

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def encoded(tmp_path_factory, service_unavailable) -> Path:
    if importlib.util.find_spec("llama_cpp") is None:
        service_unavailable("llama_cpp not installed")
    out = tmp_path_factory.mktemp("enc")
    rc = fmt.main(["--set", f"train={SAMPLE}", "--set", f"val={SAMPLE}", "--encode", str(out)])
    assert rc == 0
    return out


def test_encoded_ids_are_what_the_tokenizer_gives(encoded):
    base = fmt.base_path(None)
    header = json.loads((encoded / "train.jsonl").read_text().splitlines()[0])
    assert header == {"kind": fmt.ENCODED, "base_sha256": fmt.file_sha256(base), "base_name": base.name,
                      "template": "chatml"}
    ours = fmt.load_examples(encoded / "train.jsonl", base, 384)
    fresh = fmt.load_examples(SAMPLE, base, 384)
    assert [(e.input_ids, e.labels) for e in ours] == [(e.input_ids, e.labels) for e in fresh]
    assert len(ours) == 12 and all(e.n_target > 0 for e in ours)


def test_encoded_ids_of_another_base_are_refused(encoded, tmp_path):
    lines = (encoded / "train.jsonl").read_text().splitlines()
    header = json.loads(lines[0]) | {"base_sha256": "0" * 64, "base_name": "other.gguf"}
    (tmp_path / "t.jsonl").write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n")
    with pytest.raises(fmt.DataError, match="token ids for 'other.gguf'.*encode it again"):
        fmt.load_examples(tmp_path / "t.jsonl", fmt.base_path(None), 384)
    with pytest.raises(fmt.DataError, match="does not exist"):
        fmt.load_examples(tmp_path / "missing.jsonl", fmt.base_path(None), 384)


@pytest.mark.slow
def test_finetune_on_encoded_ids_needs_no_llama_cpp(encoded, tmp_path, service_unavailable):
    missing = [m for m in ("torch", "transformers", "peft", "gguf") if importlib.util.find_spec(m) is None]
    if missing:
        service_unavailable(f"{', '.join(missing)} not installed (pip install -e '.[train]')")
    # As on the GPU image (torch, transformers, peft, and the gguf wheel carried there): none of
    # the app's own dependencies imports.
    code = ("import sys\n"
            "for m in ('llama_cpp', 'llguidance', 'pydantic', 'jsonschema', 'elasticsearch', 'nmap', 'textual'):\n"
            "    sys.modules[m] = None\n"
            "from operatorx.training import finetune\n"
            "sys.exit(finetune.main(sys.argv[1:]))")
    args = [f"base={fmt.base_path(None)}", f"train={encoded / 'train.jsonl'}", f"val={encoded / 'val.jsonl'}", f"out_dir={tmp_path / 'run'}",
            "max_steps=1", "eval_every=100", "eval_records=4", "batch_tokens=1024", "time_budget_s=600",
            "device=auto"]
    run = subprocess.run([sys.executable, "-c", code, *[a for kv in args for a in ("--set", kv)]],
                         capture_output=True, text=True, timeout=600, cwd=REPO)
    assert run.returncode == 0, run.stderr[-2000:]
    log = json.loads((tmp_path / "run" / "train_log.json").read_text())
    assert log["device"] == "cpu" and len(log["steps"]) == 1 and log["data"]["train"]["examples"] == 12
    assert (tmp_path / "run" / "adapter" / "adapter_model.safetensors").exists()
