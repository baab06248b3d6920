"""Model backends: in process (llama.cpp + llguidance), an OpenAI-compatible server, a script.

``create_backend(config.model)`` picks one from the settings. Which adapter is used, in
order: an explicit path (``--adapter``), ``[model] adapter`` in the config, the adapter
shipped in the package (``operatorx/models/operatorx-smollm2-lora.gguf``) if it is there.
``use_adapter = false`` (``--no-adapter``) means none: the planner then runs the bare base
model with the few-shot prompt, and says so.

Heavy imports (llama_cpp, llguidance) happen when a backend is built, not on import.
"""

from __future__ import annotations

from pathlib import Path

from operatorx.backend.base import Backend, Generation
from operatorx.backend.models import ADAPTER_DIR, default_base_model, named_model
from operatorx.config import ModelConfig, state_dir
from operatorx.errors import PlannerError

ADAPTER_FILE = "operatorx-smollm2-lora.gguf"

__all__ = ["Backend", "Generation", "create_backend", "default_adapter", "resolve_adapter"]


def default_adapter() -> Path | None:
    """The adapter shipped in the package, or None while it is not there."""
    p = ADAPTER_DIR / ADAPTER_FILE
    return p if p.is_file() else None


def resolve_adapter(cfg: ModelConfig, override: str | Path | None = None) -> Path | None:
    """Which LoRA adapter to load (None: few-shot mode). A path that was named must exist."""
    if not cfg.use_adapter:
        return None
    named = override or cfg.adapter
    if named:
        p = Path(named).expanduser()
        if not p.is_file():
            raise PlannerError(
                f"The adapter file {p} does not exist. Fix the path, or run without it (--no-adapter)."
            )
        return p
    return default_adapter()


def create_backend(
    cfg: ModelConfig,
    *,
    model_path: str | Path | None = None,
    adapter_path: str | Path | None = None,
    prefix_cache: bool = True,
) -> Backend:
    """The backend the settings ask for; ``model_path`` / ``adapter_path`` override them.

    ``prefix_cache``: keep the evaluated system prompt under ``<state dir>/cache`` so the
    next process starts warm.
    """
    if cfg.backend == "openai":
        from operatorx.backend.openai_compat import OpenAIBackend

        return OpenAIBackend(
            cfg.openai_url,
            cfg.openai_model,
            api_key=cfg.openai_api_key,
            timeout_s=cfg.timeout_s,
            mode="adapter" if cfg.use_adapter and (adapter_path or cfg.adapter) else "fewshot",
        )
    if cfg.backend != "llama":
        raise PlannerError(f"Unknown model backend {cfg.backend!r}: use 'llama' or 'openai'.")
    from operatorx.backend.llama import LlamaBackend

    base = named_model(model_path or cfg.path) if (model_path or cfg.path) else default_base_model()
    adapter = resolve_adapter(cfg, adapter_path)
    if adapter is not None and not (adapter_path or cfg.adapter) and (model_path or cfg.path):
        # The shipped adapter belongs to the shipped base; another base runs without it
        # unless an adapter is named for it.
        try:
            same = base.resolve() == default_base_model().resolve()
        except PlannerError:
            same = False
        if not same:
            adapter = None
    return LlamaBackend(
        base,
        adapter,
        n_threads=cfg.n_threads,
        n_ctx=cfg.n_ctx,
        prefix_cache_dir=state_dir() / "cache" if prefix_cache else None,
    )
