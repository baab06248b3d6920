"""A weighted average of GGUF LoRA adapters, written as one exact GGUF LoRA adapter.

    .venv/bin/python -m operatorx.training.blend A.gguf:0.5 B.gguf:0.5 --out blend.gguf

Two stages of training can each be good at something the other lost (stage 16 gained the
hand-written questions and lost templated paraphrases that stage 15 had). Averaging their
weight updates is the cheapest thing to try, and for LoRA it needs no approximation: the
update of adapter ``i`` is ``(alpha_i / r_i) · B_i A_i``, so

    sum_i w_i (alpha_i / r_i) B_i A_i  =  B' A'   with   A' = [A_1; A_2; …]   (ranks stacked)
                                                         B' = [c_1 B_1, c_2 B_2, …],  c_i = w_i alpha_i / r_i

and alpha' = r' = sum r_i, so llama.cpp's scale ``alpha' / r'`` is 1. The rank of the blend is
the sum of the ranks (two rank-16 adapters make a rank-32 one, twice the file size).

The GGUF files are blended as they are: llama's q/k row permutation (see ``export``) is a
permutation of ``B``'s rows, which commutes with scaling ``B`` and with stacking along the rank.
Adapters must share the architecture and adapt the same tensors with the same shapes.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from operatorx.training import config as cfgmod
from operatorx.training.export import ExportError, gguf_field, tensor_array, write


def parse_part(text: str) -> tuple[Path, float]:
    """``PATH:WEIGHT`` → (path, weight); the weight must be a positive finite number."""
    path, sep, weight = text.rpartition(":")
    if not sep or not path:
        raise ExportError(f"{text!r}: write each adapter as PATH:WEIGHT, e.g. stage15.gguf:0.5")
    try:
        w = float(weight)
    except ValueError:
        raise ExportError(f"{text!r}: the weight {weight!r} is not a number") from None
    if not math.isfinite(w) or w <= 0:
        raise ExportError(f"{text!r}: the weight must be a positive number, not {weight}")
    return Path(path), w


def read_lora(path: Path) -> dict:
    """Architecture, base name, alpha and ``{name: float32 array}`` of a GGUF LoRA adapter."""
    import gguf

    if not path.is_file():
        raise ExportError(f"{path}: no such adapter file")
    try:
        reader = gguf.GGUFReader(path)
    except (ValueError, OSError) as e:
        raise ExportError(f"{path} is not a GGUF file ({e})") from None

    def field(key: str):
        return gguf_field(reader, key)

    if field("general.type") != "adapter" or field("adapter.type") != "lora" or field("adapter.lora.alpha") is None:
        raise ExportError(f"{path} is not a GGUF LoRA adapter (general.type, adapter.type or adapter.lora.alpha "
                          "is missing)")
    tensors = {t.name: tensor_array(t) for t in reader.tensors}
    return {"arch": field("general.architecture"), "base_name": field("general.base_model.0.name"),
            "alpha": float(field("adapter.lora.alpha")), "tensors": tensors}


def _rank(path: Path, tensors: dict) -> int:
    """The one rank of an adapter; every lora_a/lora_b pair must multiply."""
    ranks = set()
    for name, a in tensors.items():
        if not name.endswith(".lora_a"):
            continue
        b = tensors.get(name[:-1] + "b")
        if b is None or a.ndim != 2 or b.ndim != 2 or a.shape[0] != b.shape[1]:
            raise ExportError(f"{path}: {name} has no matching lora_b of rank {a.shape[0]}")
        ranks.add(a.shape[0])
    if len(ranks) != 1:
        raise ExportError(f"{path}: expected one LoRA rank, found {sorted(ranks) or 'none'}")
    return ranks.pop()


def blend(parts: list[tuple[Path, float]]) -> tuple[dict, float, list[tuple[str, object]]]:
    """(base info for ``export.write``, alpha, [(name, array)]) of the weighted sum of ``parts``."""
    import numpy as np

    if len(parts) < 2:
        raise ExportError("a blend needs at least two adapters")
    loras = [(path, w, read_lora(path)) for path, w in parts]
    first_path, _, first = loras[0]
    names = sorted(first["tensors"])
    a_parts: dict[str, list] = {n: [] for n in names if n.endswith(".lora_a")}
    b_parts: dict[str, list] = {n: [] for n in names if n.endswith(".lora_b")}
    total_rank = 0
    for path, w, lora in loras:
        if lora["arch"] != first["arch"]:
            raise ExportError(f"{path} is for {lora['arch']!r} but {first_path} is for {first['arch']!r}")
        if sorted(lora["tensors"]) != names:
            missing = sorted(set(names) ^ set(lora["tensors"]))
            raise ExportError(f"{path} and {first_path} adapt different tensors (e.g. {missing[0]})")
        rank = _rank(path, lora["tensors"])
        scale = w * lora["alpha"] / rank
        for name, arr in lora["tensors"].items():
            ref = first["tensors"][name]
            outer = arr.shape[1] if name.endswith(".lora_a") else arr.shape[0]
            ref_outer = ref.shape[1] if name.endswith(".lora_a") else ref.shape[0]
            if outer != ref_outer:
                raise ExportError(f"{path}: {name} maps a different size than in {first_path}; "
                                  "were they trained on different bases?")
            if name.endswith(".lora_a"):
                a_parts[name].append(arr)
            else:
                b_parts[name].append(arr * scale)
        total_rank += rank
    tensors = []
    for name in names:
        stacked = np.concatenate(a_parts[name], axis=0) if name.endswith(".lora_a") \
            else np.concatenate(b_parts[name], axis=1)
        tensors.append((name, stacked))
    return {"arch": first["arch"], "name": first["base_name"]}, float(total_rank), tensors


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument("parts", nargs="+", metavar="PATH:WEIGHT", help="GGUF LoRA adapters and their weights")
    p.add_argument("--out", required=True, help="the blended adapter to write")
    p.add_argument("--dtype", default="f16", choices=("f16", "f32"))
    p.add_argument("--name", default="OperatorX LoRA blend")
    args = p.parse_args(argv)
    try:
        parts = [parse_part(x) for x in args.parts]
        info, alpha, tensors = blend(parts)
        out = cfgmod.resolve(args.out)
        write(out, info, alpha, tensors, args.dtype, args.name)
    except ExportError as e:
        print(f"blend: {e}", file=sys.stderr)
        return 2
    print(json.dumps({"parts": [[str(path), w] for path, w in parts], "weights_sum": sum(w for _, w in parts),
                      "rank": int(alpha), "tensors": len(tensors), "out": str(out), "bytes": out.stat().st_size},
                     indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
