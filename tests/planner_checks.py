"""Checks shared by the real-model planner tests (few-shot and adapter modes)."""

from __future__ import annotations

from operatorx.config import Config
from operatorx.schemas import Reply, parse_plan


def model_test_config() -> Config:
    """Loopback, ::1 and 10/8 in scope: enough for every question the model tests ask."""
    config = Config()
    config.scope.allow = ["127.0.0.0/8", "::1/128", "10.0.0.0/8"]
    return config


def assert_valid(out) -> None:
    """What came back is exactly what validation and policy accepted, or a reply."""
    assert out.source in ("model", "precheck", "policy", "gave_up")
    if out.call is not None:
        assert parse_plan(out.call.compact()) == out.call
        assert out.decision is not None and out.decision.allowed
    else:
        assert isinstance(out.plan, Reply) and out.plan.message
