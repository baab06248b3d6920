"""Typed tool calls: the single source of truth for schema, grammar, validation and rendering."""

from operatorx.schemas.elastic import Aggregation, Condition, EsSearch, SortKey
from operatorx.schemas.nmap import NmapScan
from operatorx.schemas.plan import Plan, Reply, ToolCall, parse_call, parse_plan, tool_schemas

__all__ = [
    "Aggregation",
    "Condition",
    "EsSearch",
    "NmapScan",
    "Plan",
    "Reply",
    "SortKey",
    "ToolCall",
    "parse_call",
    "parse_plan",
    "tool_schemas",
]
