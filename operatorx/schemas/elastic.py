"""The typed, read-only Elasticsearch search: the single source of truth for the search tool.

The model is a compact, flat description of a ``bool`` query (conditions that must hold,
any-of conditions, exclusions), a time window on ``@timestamp``, one aggregation, size, sort
and returned fields. It renders the exact ``_search`` body, parses the safe subset of Query
DSL back (for an analyst editing the request), and cannot express a script, a write or an
admin call: there is no field for one.
"""

from __future__ import annotations

import json
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Patterns end in \Z, not $: '$' also matches before a trailing newline ("logs-*\n" would pass).
FIELD_RE = re.compile(r"^[A-Za-z0-9_@][A-Za-z0-9_.@-]{0,127}\Z")
INDEX_RE = re.compile(r"^(\*:)?[a-z0-9*][a-z0-9*._-]{0,127}\Z")
# Elasticsearch date math (now-7d, now/d, now-1h/h) or an ISO-8601 date/datetime.
DATE_RE = re.compile(
    r"^(now([+-]\d{1,4}[smhdwMy])?(/[smhdwMy])?"
    r"|\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?)\Z"
)
# C0/C1 controls (ESC starts terminal escape sequences) and Unicode bidi overrides.
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
INTERVAL_RE = re.compile(r"^\d{1,4}[smhd]\Z|^(minute|hour|day|week|month|quarter|year)\Z")

Scalar = str | int | float | bool
Op = Literal["eq", "in", "range", "match", "phrase", "wildcard", "prefix", "exists"]


class Condition(BaseModel):
    """One leaf of the query. ``op`` picks the Query DSL clause it becomes."""

    model_config = ConfigDict(extra="forbid")

    field: str = Field(description="A field of the index mapping, e.g. destination.port.")
    op: Op = Field(
        "eq", description="eq=term, in=terms, range, match, phrase=match_phrase, wildcard, prefix, exists."
    )
    value: Scalar | list[Scalar] | None = Field(None, description="The value (a list for 'in').")
    gte: Scalar | None = None
    lte: Scalar | None = None
    gt: Scalar | None = None
    lt: Scalar | None = None

    @field_validator("field")
    @classmethod
    def _check_field(cls, v: str) -> str:
        if not FIELD_RE.match(v) or ".." in v:
            raise ValueError(f"{v!r} is not a field name")
        return v

    @model_validator(mode="after")
    def _shape(self) -> Condition:
        bounds = [b for b in (self.gte, self.lte, self.gt, self.lt) if b is not None]
        if self.op == "range":
            if not bounds or self.value is not None:
                raise ValueError(f"range on {self.field} needs gte/lte/gt/lt and no value")
        elif bounds:
            raise ValueError(f"gte/lte/gt/lt only go with op 'range' (field {self.field})")
        if self.op == "exists":
            if self.value is not None:
                raise ValueError(f"exists on {self.field} takes no value")
        elif self.op == "in":
            if not isinstance(self.value, list) or not self.value or len(self.value) > 100:
                raise ValueError(f"'in' on {self.field} needs a list of 1-100 values")
        elif self.op != "range":
            if self.value is None or isinstance(self.value, list):
                raise ValueError(f"op {self.op!r} on {self.field} needs a single value")
            if self.op in ("wildcard", "prefix", "match", "phrase") and not isinstance(self.value, str):
                raise ValueError(f"op {self.op!r} on {self.field} needs a text value")
        if isinstance(self.value, str) and len(self.value) > 1024:
            raise ValueError(f"value for {self.field} is longer than 1024 characters")
        values = (
            self.value if isinstance(self.value, list) else [self.value, self.gte, self.lte, self.gt, self.lt]
        )
        for v in values:
            if isinstance(v, str) and CONTROL_RE.search(v):
                # Values are shown on the confirmation card: an escape sequence could redraw it.
                raise ValueError(
                    f"value {v!r} for {self.field} contains a control or text-direction character"
                )
        return self


class Aggregation(BaseModel):
    """One aggregation: top values, a histogram over time, or a distinct count."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["terms", "date_histogram", "cardinality"] = "terms"
    field: str
    size: int = Field(10, ge=1, le=10000, description="terms: how many buckets.")
    order: Literal["desc", "asc"] = Field(
        "desc", description="terms: most (desc) or least (asc) common first."
    )
    interval: str | None = Field(None, description="date_histogram: 1h, 30m, 1d, day, week …")

    @field_validator("field")
    @classmethod
    def _check_field(cls, v: str) -> str:
        if not FIELD_RE.match(v):
            raise ValueError(f"{v!r} is not a field name")
        return v

    @field_validator("interval")
    @classmethod
    def _check_interval(cls, v: str | None) -> str | None:
        if v is not None and not INTERVAL_RE.match(v):
            raise ValueError(f"interval {v!r} must look like 30m, 1h, 1d or hour/day/week/month")
        return v

    @model_validator(mode="after")
    def _shape(self) -> Aggregation:
        if self.type == "date_histogram" and self.interval is None:
            object.__setattr__(self, "interval", "1h")
        if self.type != "date_histogram" and self.interval is not None:
            raise ValueError("interval only goes with a date_histogram")
        return self


class SortKey(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: str
    order: Literal["desc", "asc"] = "desc"

    @field_validator("field")
    @classmethod
    def _check_field(cls, v: str) -> str:
        if not FIELD_RE.match(v):
            raise ValueError(f"{v!r} is not a field name")
        return v


class EsSearch(BaseModel):
    """One read-only search. Defaults are omitted from the compact form the planner emits."""

    model_config = ConfigDict(extra="forbid", title="elasticsearch")

    tool: Literal["elasticsearch"] = "elasticsearch"
    index: str = Field("logs-*", description="Index pattern or data stream, e.g. logs-zeek-so*.")
    since: str | None = Field(None, description="Start of the time window: now-24h, now/d, 2024-10-09 …")
    until: str | None = Field(None, description="End of the time window (default: now).")
    where: list[Condition] = Field(default_factory=list, max_length=16, description="All must hold.")
    any_of: list[Condition] = Field(default_factory=list, max_length=16, description="At least one holds.")
    exclude: list[Condition] = Field(default_factory=list, max_length=16, description="None may hold.")
    agg: Aggregation | None = None
    size: int = Field(20, ge=0, le=10000, description="Hits to return (0 with an aggregation).")
    sort: list[SortKey] = Field(default_factory=list, max_length=4)
    fields: list[str] = Field(
        default_factory=list, max_length=32, description="Fields to return; empty = all."
    )

    @field_validator("index")
    @classmethod
    def _check_index(cls, v: str) -> str:
        parts = v.split(",")
        if len(parts) > 8 or not all(INDEX_RE.match(p) for p in parts):
            raise ValueError(f"{v!r} is not an index pattern (lower-case names, * wildcards)")
        if any(p.lstrip("*:").startswith((".", "_")) for p in parts):
            raise ValueError(f"{v!r} names a system index")
        return v

    @field_validator("since", "until")
    @classmethod
    def _check_date(cls, v: str | None) -> str | None:
        if v is not None and not DATE_RE.match(v):
            raise ValueError(f"{v!r} is not a time (use now-24h, now/d or an ISO date)")
        return v

    @field_validator("fields")
    @classmethod
    def _check_fields(cls, values: list[str]) -> list[str]:
        for v in values:
            if not FIELD_RE.match(v):
                raise ValueError(f"{v!r} is not a field name")
        return values

    # --- renderings -------------------------------------------------------------------

    def to_body(self) -> dict:
        """Exactly what is sent to POST <index>/_search (see operatorx.tools.elastic.body)."""
        from operatorx.tools.elastic.body import build_body

        return build_body(self)

    @classmethod
    def from_body(cls, index: str, body: dict) -> EsSearch:
        """Parse an (edited) request body back; only the safe subset is accepted."""
        from operatorx.tools.elastic.body import parse_body

        return parse_body(index, body)

    def to_command(self) -> str:
        return f"GET {self.index}/_search\n{json.dumps(self.to_body(), indent=2)}"

    def describe(self) -> str:
        from operatorx.tools.elastic.body import describe

        return describe(self)

    def fields_used(self) -> set[str]:
        out = {c.field for c in (*self.where, *self.any_of, *self.exclude)}
        if self.agg:
            out.add(self.agg.field)
        out.update(s.field for s in self.sort)
        out.update(self.fields)
        if self.since or self.until:
            out.add("@timestamp")
        return out

    def compact(self) -> dict:
        """The form the planner emits and training data stores."""
        d = self.model_dump(exclude_defaults=True)
        return {"tool": "elasticsearch", **{k: v for k, v in d.items() if k != "tool"}}
