"""``training.blend``: the weighted sum of LoRA updates, exactly, as one GGUF adapter llama.cpp runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_export import SHIPPED, VAL, fake_base, need

from operatorx.training import blend as bl
from operatorx.training import export as ex

NAMES = ("blk.0.attn_q.weight", "blk.0.ffn_up.weight")


def gguf_adapter(path: Path, rank: int, alpha: float, seed: int, arch: str = "llama",
                 names: tuple[str, ...] = NAMES, n_in: int = 8, n_out: int = 6) -> Path:
    """A random GGUF LoRA adapter written by the exporter's own writer (f32, so sums are exact)."""
    rng = np.random.default_rng(seed)
    tensors = []
    for name in names:
        tensors += [(f"{name}.lora_a", rng.normal(size=(rank, n_in))), (f"{name}.lora_b", rng.normal(size=(n_out, rank)))]
    ex.write(path, {"arch": arch, "name": "Tiny base"}, alpha, tensors, "f32", f"test {seed}")
    return path


def update(lora: dict, name: str) -> np.ndarray:
    """``(alpha / r) · B A`` of one adapted tensor: what llama.cpp adds to ``W x``."""
    a, b = lora["tensors"][f"{name}.lora_a"], lora["tensors"][f"{name}.lora_b"]
    return lora["alpha"] / a.shape[0] * b @ a


@pytest.fixture
def adapters(tmp_path, service_unavailable):
    need(service_unavailable, "gguf")
    return gguf_adapter(tmp_path / "one.gguf", 2, 4.0, 1), gguf_adapter(tmp_path / "two.gguf", 3, 1.5, 2)


def test_blend_is_the_weighted_sum_of_the_updates(tmp_path, adapters):
    one, two = adapters
    info, alpha, tensors = bl.blend([(one, 0.3), (two, 0.7)])
    ex.write(tmp_path / "b.gguf", info, alpha, tensors, "f32", "blend")
    got, a, b = bl.read_lora(tmp_path / "b.gguf"), bl.read_lora(one), bl.read_lora(two)
    assert got["alpha"] == 5.0 and got["arch"] == "llama" and got["base_name"] == "Tiny base"
    for name in NAMES:
        assert got["tensors"][f"{name}.lora_a"].shape == (5, 8)
        np.testing.assert_allclose(update(got, name), 0.3 * update(a, name) + 0.7 * update(b, name), rtol=1e-5, atol=1e-6)
        # Not just any sum: the other weighting is a different adapter.
        assert not np.allclose(update(got, name), 0.7 * update(a, name) + 0.3 * update(b, name), atol=1e-3)


def test_cli_writes_the_blend_and_says_what_it_wrote(tmp_path, adapters, capsys):
    one, two = adapters
    assert bl.main([f"{one}:0.5", f"{two}:0.5", "--out", str(tmp_path / "c.gguf")]) == 0
    out = capsys.readouterr().out
    assert '"rank": 5' in out and '"weights_sum": 1.0' in out
    assert bl.read_lora(tmp_path / "c.gguf")["tensors"]["blk.0.ffn_up.weight.lora_b"].shape == (6, 5)


@pytest.mark.parametrize(
    ("part", "message"),
    [("stage15.gguf", "PATH:WEIGHT"), ("a.gguf:half", "not a number"), ("a.gguf:0", "positive"),
     ("a.gguf:-1", "positive"), ("a.gguf:nan", "positive"), (":0.5", "PATH:WEIGHT")],
)
def test_bad_weights_are_refused_with_a_reason(part, message):
    with pytest.raises(ex.ExportError, match=message):
        bl.parse_part(part)


def test_a_path_with_a_colon_keeps_it():
    assert bl.parse_part("C:/x/a.gguf:0.25") == (Path("C:/x/a.gguf"), 0.25)


def test_adapters_that_do_not_fit_together_are_refused(tmp_path, adapters):
    one, _ = adapters
    with pytest.raises(ex.ExportError, match="at least two"):
        bl.blend([(one, 1.0)])
    gemma = gguf_adapter(tmp_path / "g.gguf", 2, 4.0, 3, arch="gemma3")
    with pytest.raises(ex.ExportError, match="'gemma3'"):
        bl.blend([(one, 0.5), (gemma, 0.5)])
    fewer = gguf_adapter(tmp_path / "f.gguf", 2, 4.0, 4, names=NAMES[:1])
    with pytest.raises(ex.ExportError, match="different tensors"):
        bl.blend([(one, 0.5), (fewer, 0.5)])
    wider = gguf_adapter(tmp_path / "w.gguf", 2, 4.0, 5, n_in=16)
    with pytest.raises(ex.ExportError, match="different size"):
        bl.blend([(one, 0.5), (wider, 0.5)])


def test_files_that_are_not_lora_adapters_are_refused(tmp_path, adapters):
    one, _ = adapters
    with pytest.raises(ex.ExportError, match="no such adapter"):
        bl.blend([(one, 0.5), (tmp_path / "missing.gguf", 0.5)])
    base = fake_base(tmp_path / "base.gguf")
    with pytest.raises(ex.ExportError, match="not a GGUF LoRA adapter"):
        bl.blend([(one, 0.5), (base, 0.5)])
    (tmp_path / "junk.gguf").write_bytes(b"not gguf at all")
    rc = bl.main([f"{one}:0.5", f"{tmp_path / 'junk.gguf'}:0.5", "--out", str(tmp_path / "x.gguf")])
    assert rc == 2 and not (tmp_path / "x.gguf").exists()


@pytest.mark.model
def test_llama_cpp_runs_a_blend_as_the_update_it_stands_for(tmp_path, service_unavailable):
    """The shipped adapter blended with itself at 0.5/0.5 is the same update at twice the rank:
    llama.cpp must give its logits; at 1.0/1.0 (twice the update) it must not."""
    need(service_unavailable, "gguf", "llama_cpp")
    from operatorx.training import verify as vf
    from operatorx.training.format import base_path, base_vocab, read_records

    base = base_path("smollm2")
    for name, w in (("same", 0.5), ("double", 1.0)):
        info, alpha, tensors = bl.blend([(SHIPPED, w), (SHIPPED, w)])
        ex.write(tmp_path / f"{name}.gguf", info, alpha, tensors, "f16", name)
    tokenize, template = base_vocab(base)
    seqs = vf.teacher_forced(read_records(VAL)[:3], tokenize, template)
    shipped = vf.cpp_logits(base, SHIPPED, seqs, 2)
    same = vf.compare(vf.cpp_logits(base, tmp_path / "same.gguf", seqs, 2), shipped)
    double = vf.compare(vf.cpp_logits(base, tmp_path / "double.gguf", seqs, 2), shipped)
    assert same["top1_agree"] == 1.0 and same["mean_abs"] < 0.05, (same, double)
    assert double["mean_abs"] > 20 * max(same["mean_abs"], 1e-3), (same, double)
