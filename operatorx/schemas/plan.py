"""What the planner returns: a tool call, or a reply that asks for clarification or refuses."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from operatorx.errors import ValidationFailed
from operatorx.schemas.elastic import EsSearch
from operatorx.schemas.nmap import NmapScan


class Reply(BaseModel):
    """No tool runs: the planner asks a question back or declines, and says why."""

    model_config = ConfigDict(extra="forbid", title="none")

    tool: Literal["none"] = "none"
    kind: Literal["clarify", "refuse"] = "clarify"
    message: str = Field(min_length=1, max_length=400)

    def compact(self) -> dict:
        return {"tool": "none", "kind": self.kind, "message": self.message}


ToolCall = Annotated[NmapScan | EsSearch, Field(discriminator="tool")]
Plan = Annotated[NmapScan | EsSearch | Reply, Field(discriminator="tool")]

_CALL = TypeAdapter(ToolCall)
_PLAN = TypeAdapter(Plan)


def _explain(err: ValidationError) -> str:
    parts = []
    for e in err.errors()[:5]:
        loc = ".".join(str(x) for x in e["loc"])
        msg = e["msg"].removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


def parse_call(data: str | dict) -> NmapScan | EsSearch:
    """Validate a tool call from JSON text or a dict; ValidationFailed says what is wrong."""
    return _parse(_CALL, data, "tool call")


def parse_plan(data: str | dict) -> NmapScan | EsSearch | Reply:
    return _parse(_PLAN, data, "plan")


def _parse(adapter: TypeAdapter, data: str | dict, what: str):
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as e:
            raise ValidationFailed(f"The {what} is not valid JSON: {e.msg} at position {e.pos}.") from None
    if not isinstance(data, dict):
        raise ValidationFailed(f"The {what} must be a JSON object.")
    if "tool" not in data:
        raise ValidationFailed(f"The {what} has no 'tool' (nmap, elasticsearch or none).")
    try:
        return adapter.validate_python(data)
    except ValidationError as e:
        raise ValidationFailed(f"Invalid {what}: {_explain(e)}") from None


def tool_schemas() -> dict[str, dict]:
    """JSON schemas of every tool call, as `operatorx tools schema` prints them."""
    return {
        "nmap": NmapScan.model_json_schema(),
        "elasticsearch": EsSearch.model_json_schema(),
        "none": Reply.model_json_schema(),
    }
