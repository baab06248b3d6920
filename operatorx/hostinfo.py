"""What the CPU is, read once from /proc/cpuinfo: its name for reports, its flags for choices.

Benchmarks and training logs name the CPU they ran on; the fine-tuner picks bf16 autocast
only where the CPU has AMX tiles (measured on an AVX512-BF16 machine without AMX: bf16
autocast ran a LoRA step at 121 tokens/s, float32 at 180).
"""

from __future__ import annotations

import platform
from functools import cache
from pathlib import Path


@cache
def _cpuinfo() -> dict[str, str]:
    fields: dict[str, str] = {}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, sep, value = line.partition(":")
            if not sep:
                if fields:
                    break  # the first processor's block is enough
                continue
            fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    return fields


def cpu_model() -> str:
    """The CPU's marketing name ('' when unknown)."""
    return _cpuinfo().get("model name") or platform.processor()


def cpu_flags() -> frozenset[str]:
    return frozenset(_cpuinfo().get("flags", "").split())


def has_amx_bf16() -> bool:
    """True when bfloat16 matmuls run on AMX tiles, the one case where bf16 autocast pays on a CPU."""
    return "amx_bf16" in cpu_flags()
