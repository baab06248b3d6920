"""LlamaBackend with the real SmolLM2 GGUF: loading errors, constrained decoding, caching."""

from __future__ import annotations

import json

import numpy as np
import pytest

from operatorx.agent.planner import fixed_prefix
from operatorx.agent.prompting import format_call, render_prompt
from operatorx.backend.grammar import decoding_schema
from operatorx.errors import PlannerError

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def base_model(service_unavailable):
    try:
        import llama_cpp  # noqa: F401
        import llguidance  # noqa: F401

        from operatorx.backend.models import default_base_model

        return default_base_model()
    except (ImportError, PlannerError) as e:
        service_unavailable(f"model tests need llama-cpp-python, llguidance and the base GGUF: {e}")


@pytest.fixture(scope="module")
def backend(base_model, tmp_path_factory):
    """The bare model; its few-shot prefix state is shared on disk with the planner tests."""
    from operatorx.backend.llama import LlamaBackend

    b = LlamaBackend(
        base_model, n_threads=2, n_ctx=2048, prefix_cache_dir=shared_prefix_dir(tmp_path_factory)
    )
    b.warm(fixed_prefix("fewshot"))  # what Planner.warm caches: shared with test_planner_model.py
    yield b
    b.close()


def shared_prefix_dir(tmp_path_factory):
    return tmp_path_factory.getbasetemp() / "prefix-cache"


SHORT_PREFIX = fixed_prefix("adapter")


def write_lora(path, n_in: int = 576, rank: int = 4) -> None:
    """A tiny LoRA GGUF on attn_q of block 0 (zeros: it changes nothing when it fits)."""
    gguf = pytest.importorskip("gguf")
    w = gguf.GGUFWriter(str(path), arch="llama")
    w.add_string("general.type", "adapter")
    w.add_string("adapter.type", "lora")
    w.add_float32("adapter.lora.alpha", float(rank))
    w.add_tensor("blk.0.attn_q.weight.lora_a", np.zeros((rank, n_in), np.float32))
    w.add_tensor("blk.0.attn_q.weight.lora_b", np.zeros((576, rank), np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


# --- loading errors: a PlannerError that names the file, never a crash ----------------------


def test_missing_model_file(tmp_path):
    from operatorx.backend.llama import LlamaBackend

    missing = tmp_path / "nope.gguf"
    with pytest.raises(PlannerError, match=rf"{missing} does not exist.*\[model\] path"):
        LlamaBackend(missing)


def test_junk_model_file(tmp_path):
    from operatorx.backend.llama import LlamaBackend

    junk = tmp_path / "junk.gguf"
    junk.write_bytes(np.random.default_rng(1).bytes(1024))
    with pytest.raises(PlannerError, match="is not a GGUF file"):
        LlamaBackend(junk)


@pytest.mark.parametrize("keep", [2000, 30_000_000])
def test_truncated_model_file(tmp_path, base_model, keep):
    from operatorx.backend.llama import LlamaBackend

    cut = tmp_path / "cut.gguf"
    with base_model.open("rb") as src:
        cut.write_bytes(src.read(keep))
    with pytest.raises(PlannerError, match=rf"Cannot load the model file {cut}: it is corrupt, truncated"):
        LlamaBackend(cut)


def test_missing_and_junk_adapter(tmp_path, base_model):
    from operatorx.backend.llama import LlamaBackend

    with pytest.raises(PlannerError, match="adapter file .* does not exist"):
        LlamaBackend(base_model, tmp_path / "none.gguf")
    junk = tmp_path / "junk-lora.gguf"
    junk.write_bytes(b"\0" * 1024)
    with pytest.raises(PlannerError, match="adapter file .* is not a GGUF file"):
        LlamaBackend(base_model, junk)


def test_model_file_as_adapter_is_refused(base_model):
    from operatorx.backend.llama import LlamaBackend

    with pytest.raises(PlannerError, match="does not fit the base model.*general.type"):
        LlamaBackend(base_model, base_model)


def test_adapter_for_another_base_is_refused(tmp_path, base_model):
    from operatorx.backend.llama import LlamaBackend

    bad = tmp_path / "other-base-lora.gguf"
    write_lora(bad, n_in=100)
    with pytest.raises(PlannerError, match="does not fit the base model.*incorrect shape"):
        LlamaBackend(base_model, bad)


def test_fitting_adapter_loads_in_adapter_mode(tmp_path, base_model, backend):
    from operatorx.backend.llama import LlamaBackend

    lora = tmp_path / "zero-lora.gguf"
    write_lora(lora)
    b = LlamaBackend(base_model, lora)
    try:
        assert b.mode == "adapter" and "zero-lora.gguf" in b.describe()
        schema = decoding_schema(targets=["127.0.0.1"])
        prompt = render_prompt("scan 127.0.0.1 for web ports", mode="adapter")
        # A zero LoRA changes nothing: same greedy answer as the bare model.
        assert (
            b.generate(prompt, schema, max_tokens=40).text
            == backend.generate(prompt, schema, max_tokens=40).text
        )
    finally:
        b.close()


# --- decoding ----------------------------------------------------------------------------------


def test_answer_is_compact_json_under_the_schema(backend):
    assert backend.mode == "fewshot" and backend.template == "chatml"
    schema = decoding_schema(targets=["127.0.0.1"])
    gen = backend.generate(render_prompt("scan 127.0.0.1 ports 22 and 80", mode="fewshot"), schema)
    data = json.loads(gen.text)
    assert gen.stop == "end" and gen.text == format_call(data)  # byte for byte: no spaces
    assert data["tool"] in ("nmap", "elasticsearch", "none")
    assert gen.completion_tokens > 0 and gen.prompt_tokens > 500


def test_max_tokens_cuts_off(backend):
    gen = backend.generate(render_prompt("scan 127.0.0.1", mode="fewshot"), decoding_schema(), max_tokens=5)
    assert gen.stop == "length" and gen.completion_tokens == 5
    with pytest.raises(json.JSONDecodeError):
        json.loads(gen.text)


def test_prompt_too_long_for_the_context(backend):
    with pytest.raises(PlannerError, match="does not fit the context"):
        backend.generate("word " * 3000, decoding_schema(), max_tokens=10)


def test_prefix_cache_reuses_the_system_prompt(backend):
    schema = decoding_schema()
    gen = backend.generate(render_prompt("dns lookups of evil.example this week", mode="fewshot"), schema)
    # The few-shot system prompt is cached: only the question and the markup after it run.
    assert gen.prompt_tokens_evaluated < 30 < 500 < gen.prompt_tokens
    again = backend.generate(render_prompt("dns lookups of evil.example this week", mode="fewshot"), schema)
    assert again.prompt_tokens_evaluated == 1 and again.text == gen.text  # same prompt: last token only


def test_prefix_state_is_saved_and_restored_from_disk(tmp_path, base_model):
    from operatorx.backend.llama import LlamaBackend

    first = LlamaBackend(base_model, prefix_cache_dir=tmp_path)
    n = first.warm(SHORT_PREFIX)
    assert n > 10 and first.warm(SHORT_PREFIX) == 0
    schema = decoding_schema(targets=["127.0.0.1"])
    expected = first.generate(render_prompt("scan 127.0.0.1", mode="adapter"), schema, max_tokens=12)
    first.close()
    assert len(list(tmp_path.glob("prefix-*.kv"))) == 1
    second = LlamaBackend(base_model, prefix_cache_dir=tmp_path)
    try:
        assert second.warm(SHORT_PREFIX) == 0  # restored from the file
        gen = second.generate(render_prompt("scan 127.0.0.1", mode="adapter"), schema, max_tokens=12)
        assert gen.prompt_tokens_evaluated == gen.prompt_tokens - n
        assert gen.text == expected.text  # the restored state decodes exactly like the evaluated one
    finally:
        second.close()


def test_damaged_prefix_file_is_ignored(tmp_path, base_model):
    from operatorx.backend.llama import LlamaBackend

    b = LlamaBackend(base_model, prefix_cache_dir=tmp_path)
    n = b.warm(SHORT_PREFIX)
    b.close()
    (kv,) = tmp_path.glob("prefix-*.kv")
    kv.write_bytes(kv.read_bytes()[:1000])
    b2 = LlamaBackend(base_model, prefix_cache_dir=tmp_path)
    try:
        assert b2.warm(SHORT_PREFIX) == n  # evaluated again instead of trusting the damaged file
        gen = b2.generate(
            render_prompt("scan 127.0.0.1", mode="adapter"), decoding_schema(targets=["127.0.0.1"])
        )
        json.loads(gen.text)
    finally:
        b2.close()


def test_named_models_and_the_shipped_adapter_stays_with_its_base(tmp_path, base_model):
    """`--model smollm2` is the packaged file; another base never gets the SmolLM2 adapter."""
    from operatorx.backend import create_backend
    from operatorx.backend.models import default_base_model, named_model
    from operatorx.config import ModelConfig

    assert named_model("smollm2") == default_base_model()
    assert named_model(str(tmp_path / "x.gguf")) == tmp_path / "x.gguf"
    # A missing other base: the error names that file, not a mismatched adapter.
    with pytest.raises(PlannerError, match="x.gguf"):
        create_backend(ModelConfig(), model_path=tmp_path / "x.gguf", prefix_cache=False)


def test_avoid_leaves_the_greedy_answer_at_its_most_probable_fork(backend):
    """``avoid``: the answer is another one under the same schema, with the same tool; a text
    the greedy answer is not leaves it as it was."""
    schema = decoding_schema(targets=["127.0.0.1"])
    prompt = render_prompt("scan 127.0.0.1 ports 22 and 80", mode="fewshot")
    greedy = backend.generate(prompt, schema)
    away = backend.generate(prompt, schema, avoid=[greedy.text])
    assert away.text != greedy.text and away.stop == "end"
    data = json.loads(away.text)
    assert away.text == format_call(data) and data["tool"] == json.loads(greedy.text)["tool"]
    further = backend.generate(prompt, schema, avoid=[greedy.text, away.text])
    assert further.text not in (greedy.text, away.text) and json.loads(further.text)
    assert backend.generate(prompt, schema, avoid=['{"tool":"none"}']).text == greedy.text
    assert backend.generate(prompt, schema).text == greedy.text  # nothing of it stays behind
