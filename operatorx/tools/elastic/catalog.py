"""Which fields an index has and what type family each belongs to.

The planner is grounded in a ``FieldCatalog`` and the validator checks searches against
one. Two sources: the live cluster (``_field_caps``, the truth for the indices a search will
hit) and the packaged Security Onion 2.4 catalog (``operatorx/data/so_catalog.json``, for
training data and for planning without a cluster). The packaged catalog records SO's
*production* types (``wildcard`` for ``process.command_line``, ``match_only_text`` for
``message``); ``family()`` folds those into the families a query cares about, so both
sources answer the same questions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

Family = Literal["ip", "keyword", "text", "number", "date", "boolean"]

# Elasticsearch field type → the family that decides which queries fit it.
TYPE_FAMILY: dict[str, Family] = {
    "ip": "ip",
    "keyword": "keyword",
    "constant_keyword": "keyword",
    "wildcard": "keyword",
    "version": "keyword",
    "text": "text",
    "match_only_text": "text",
    "long": "number",
    "integer": "number",
    "short": "number",
    "byte": "number",
    "double": "number",
    "float": "number",
    "half_float": "number",
    "scaled_float": "number",
    "unsigned_long": "number",
    "date": "date",
    "date_nanos": "date",
    "boolean": "boolean",
}
# Structural types: they hold fields, they are not fields a query can name.
_CONTAINER_TYPES = {"object", "nested", "flattened", "unmapped"}


@dataclass(frozen=True)
class FieldInfo:
    """One field. ``types`` has more than one entry when indices disagree (``conflicting``)."""

    name: str
    types: tuple[str, ...]
    searchable: bool = True
    aggregatable: bool = True
    datasets: tuple[str, ...] = ()
    streams: tuple[str, ...] = ()
    unverified: bool = False

    @property
    def type(self) -> str:
        return self.types[0] if len(self.types) == 1 else "conflict"

    @property
    def conflicting(self) -> bool:
        return len(self.types) > 1

    @property
    def family(self) -> Family | None:
        families = {TYPE_FAMILY.get(t) for t in self.types}
        return families.pop() if len(families) == 1 else None


@dataclass(frozen=True)
class DatasetInfo:
    dataset: str
    module: str
    tags: tuple[str, ...]
    stream: str


@dataclass
class FieldCatalog:
    """Field name → ``FieldInfo``; ``source`` says where it came from (an index pattern or 'packaged')."""

    fields: dict[str, FieldInfo]
    source: str = "packaged"
    dataset_list: list[DatasetInfo] = field(default_factory=list)

    # --- construction ----------------------------------------------------------------

    @classmethod
    def packaged(cls) -> FieldCatalog:
        """The Security Onion 2.4 catalog shipped with the package (production types)."""
        c = _packaged()
        return cls(dict(c.fields), c.source, list(c.dataset_list))

    @classmethod
    def from_field_caps(cls, response: Any, source: str = "field_caps") -> FieldCatalog:
        """Build from a ``_field_caps`` response (a dict or the client's ObjectApiResponse)."""
        body = getattr(response, "body", response)
        out: dict[str, FieldInfo] = {}
        for name, by_type in (body.get("fields") or {}).items():
            if name.startswith("_"):
                continue
            caps = {t: c for t, c in by_type.items() if t not in _CONTAINER_TYPES}
            if not caps or any(c.get("metadata_field") for c in caps.values()):
                continue
            out[name] = FieldInfo(
                name=name,
                types=tuple(sorted(caps)),
                searchable=all(c.get("searchable", True) for c in caps.values()),
                aggregatable=all(c.get("aggregatable", True) for c in caps.values()),
            )
        return cls(fields=dict(sorted(out.items())), source=source)

    @classmethod
    def load(cls, client: Any, index: str) -> FieldCatalog:
        """Ask the cluster (read-only ``_field_caps``) which fields ``index`` has."""
        from operatorx.tools.elastic.client import translate_errors

        with translate_errors(client, f"read the field list of {index}"):
            resp = client.field_caps(index=index, fields="*", ignore_unavailable=True, allow_no_indices=True)
        cat = cls.from_field_caps(resp, source=index)
        # Dataset names and streams are not in _field_caps; borrow them from the SO catalog.
        known = _packaged()
        cat.dataset_list = list(known.dataset_list)
        return cat

    # --- questions ---------------------------------------------------------------------

    def names(self, subfields: bool = True) -> list[str]:
        """All field names, sorted; ``subfields=False`` drops multi-fields like ``host.name.keyword``."""
        if subfields:
            return list(self.fields)
        return [n for n in self.fields if not self.is_subfield(n)]

    def is_subfield(self, name: str) -> bool:
        parent, _, leaf = name.rpartition(".")
        return bool(parent) and leaf == "keyword" and parent in self.fields

    def get(self, name: str) -> FieldInfo | None:
        return self.fields.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self.fields

    def __len__(self) -> int:
        return len(self.fields)

    def family(self, name: str) -> Family | None:
        """The type family of ``name``; None when unknown or when indices disagree on it."""
        info = self.fields.get(name)
        return info.family if info else None

    def datasets(self, name: str | None = None) -> list[DatasetInfo]:
        """Known datasets (all, or those that carry field ``name``)."""
        if name is None:
            return list(self.dataset_list)
        info = self.fields.get(name)
        wanted = set(info.datasets) if info else set()
        return [d for d in self.dataset_list if d.dataset in wanted]

    def dataset(self, name: str) -> DatasetInfo | None:
        return next((d for d in self.dataset_list if d.dataset == name), None)

    def for_dataset(self, dataset: str) -> list[str]:
        """Fields the packaged catalog lists for one dataset (empty for a live catalog)."""
        return [n for n, f in self.fields.items() if dataset in f.datasets]

    def subset(self, streams: list[str]) -> FieldCatalog:
        """Only the fields carried by the given data streams (packaged catalog)."""
        keep = set(streams)
        fields = {n: f for n, f in self.fields.items() if keep & set(f.streams)}
        return FieldCatalog(fields, self.source, [d for d in self.dataset_list if d.stream in keep])


@cache
def _packaged() -> FieldCatalog:
    raw = json.loads(resources.files("operatorx.data").joinpath("so_catalog.json").read_text("utf-8"))
    datasets = [
        DatasetInfo(d["dataset"], d["module"], tuple(d["tags"]), d["stream"]) for d in raw["datasets"]
    ]
    fields: dict[str, FieldInfo] = {}
    for name, spec in raw["fields"].items():
        ds, streams = tuple(spec["datasets"]), tuple(spec["streams"])
        fields[name] = FieldInfo(
            name=name,
            types=(spec["type"],),
            aggregatable=TYPE_FAMILY.get(spec["type"]) != "text",
            datasets=ds,
            streams=streams,
            unverified=bool(spec.get("unverified")),
        )
        for sub, sub_type in (spec.get("subfields") or {}).items():
            fields[f"{name}.{sub}"] = FieldInfo(
                name=f"{name}.{sub}", types=(sub_type,), datasets=ds, streams=streams
            )
    return FieldCatalog(dict(sorted(fields.items())), "packaged", datasets)
