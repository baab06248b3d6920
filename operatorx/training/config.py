"""Stage configs: one dataclass per stage, read from one TOML file, overridable on the command line.

Every stage (format, finetune, export, verify) declares a dataclass of plain fields with
defaults. ``configs/train-smollm2.toml`` has a table per stage; ``--set key=value`` on the
command line wins over the file. Unknown keys fail fast, so a typo in the config never
silently trains with a default.

Only the standard library is imported here: ``--dry-run`` of every stage works without torch.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tomllib
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = REPO_ROOT / "configs" / "train-smollm2.toml"

C = TypeVar("C")


class ConfigError(ValueError):
    """A config file or override that cannot be used; the message says what to change."""


def _coerce(value: Any, annotation: Any, key: str) -> Any:
    """Turn a TOML value or a command-line string into the field's declared type."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        is_none = value is None or (isinstance(value, str) and value.lower() in ("none", "null", ""))
        if is_none and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _coerce(value, inner[0], key)
    if origin is list:
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        return [_coerce(v, args[0], key) for v in value]
    if annotation is bool:
        if isinstance(value, str):
            if value.lower() in ("1", "true", "yes", "on"):
                return True
            if value.lower() in ("0", "false", "no", "off"):
                return False
            raise ConfigError(f"{key}: {value!r} is not a boolean (true/false)")
        return bool(value)
    if annotation in (int, float, str):
        try:
            return annotation(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{key}: {value!r} is not a {annotation.__name__}") from None
    return value


def build(cls: type[C], values: dict[str, Any], where: str) -> C:
    """An instance of the dataclass ``cls`` from ``values``; unknown keys are an error."""
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - names)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(names))}")
    return cls(**{k: _coerce(v, hints[k], f"{where}.{k}") for k, v in values.items()})


def load(cls: type[C], section: str, path: Path | None, overrides: list[str] | None = None) -> C:
    """The ``[section]`` table of the TOML file at ``path`` (if any), then ``key=value`` overrides."""
    values: dict[str, Any] = {}
    if path is not None:
        if not path.exists():
            raise ConfigError(f"config file {path} does not exist")
        with path.open("rb") as f:
            values.update(tomllib.load(f).get(section, {}))
    for item in overrides or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise ConfigError(f"--set {item!r}: expected key=value")
        values[key.strip().replace("-", "_")] = value.strip()
    return build(cls, values, section)


def stage_parser(doc: str | None) -> argparse.ArgumentParser:
    """The command line every stage shares: --config, --set key=value (repeatable), --dry-run."""
    p = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=doc)
    p.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="TOML file (default: %(default)s)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override one field of this stage's config")
    p.add_argument("--dry-run", action="store_true", help="print the resolved config and the plan, run nothing")
    return p


def resolve(path: str | Path) -> Path:
    """Relative paths in configs are relative to the repository root, not the working directory."""
    p = Path(path)
    return p if p.is_absolute() else REPO_ROOT / p


def dump(cfg: Any) -> str:
    return json.dumps(dataclasses.asdict(cfg), indent=2, default=str)
