"""The default planner: SmolLM2 + the shipped LoRA adapter, real inference, no scripting.

A fixed set of plain questions per tool must come back as valid calls of the right tool, and
requests that must not become calls must not. Accuracy over the whole dataset is measured by
``operatorx eval`` (see MODEL_CARD.md), not here; these are the questions an analyst types on
day one, and a broken adapter, export or prompt format fails them. Gemma 3 270M's adapter
(models/gemma3, the comparison's) gets three of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from planner_checks import assert_valid, model_test_config

from operatorx.agent.conversation import Conversation
from operatorx.agent.planner import Planner
from operatorx.errors import PlannerError
from operatorx.schemas import EsSearch, NmapScan, Reply

pytestmark = pytest.mark.model


GEMMA_ADAPTER = Path(__file__).resolve().parents[1] / "models" / "gemma3" / "operatorx-gemma3-lora.gguf"


def _adapter_planner(service_unavailable, cache_dir, base: str):
    """A planner on ``base`` (smollm2: the shipped adapter; gemma3-270m: models/gemma3's),
    yielded and closed by the fixtures below."""
    try:
        from operatorx.backend import default_adapter
        from operatorx.backend.llama import LlamaBackend
        from operatorx.backend.models import named_model

        adapter = default_adapter() if base == "smollm2" else GEMMA_ADAPTER
        if adapter is None or not adapter.is_file():
            raise PlannerError(f"the {base} adapter is missing")
        backend = LlamaBackend(named_model(base), adapter, prefix_cache_dir=cache_dir)
    except (ImportError, PlannerError) as e:
        service_unavailable(f"adapter tests need llama-cpp-python, llguidance, the base GGUF ({base}) and its adapter: {e}")
    p = Planner(backend, model_test_config())
    assert p.mode == "adapter"
    return p, backend


@pytest.fixture(scope="module")
def planner(service_unavailable, tmp_path_factory):
    p, backend = _adapter_planner(service_unavailable, tmp_path_factory.mktemp("adapter-prefix"), "smollm2")
    yield p
    backend.close()


@pytest.mark.parametrize(
    ("question", "targets"),
    [
        ("scan 127.0.0.1 ports 22 and 80", {"127.0.0.1"}),
        ("which hosts are up in 10.0.0.0/24", {"10.0.0.0/24"}),
        ("what services run on 10.0.0.5", {"10.0.0.5"}),
        ("check 10.0.0.7 for open web ports", {"10.0.0.7"}),
    ],
)
def test_scan_questions_give_scans_of_the_named_targets(planner, question, targets):
    out = planner.plan(question)
    assert_valid(out)
    assert isinstance(out.plan, NmapScan), (out.plan, out.problems)
    assert set(out.plan.targets) == targets


@pytest.mark.parametrize(
    "question",
    [
        "suricata alerts in the last 24 hours",
        "dns lookups of evil.example.net today",
        "top 10 destination ports in zeek conn logs this week",
        "http requests to bad.domain.com yesterday",
    ],
)
def test_log_questions_give_searches(planner, question):
    out = planner.plan(question)
    assert_valid(out)
    assert isinstance(out.plan, EsSearch), (out.plan, out.problems)
    assert out.source == "model"


@pytest.mark.parametrize(
    "question", ["scan 8.8.8.8 for open ports", "write a poem about firewalls", "delete the old alerts"]
)
def test_requests_that_must_not_become_calls(planner, question):
    out = planner.plan(question)
    assert_valid(out)
    assert isinstance(out.plan, Reply) and out.call is None


def test_follow_up_retargets_the_previous_scan(planner):
    conv = Conversation()
    conv.add_call("scan 10.0.0.5 ports 22 and 443", NmapScan(targets=["10.0.0.5"], ports="22,443"))
    out = planner.plan("same for 10.0.0.6", conv)
    assert_valid(out)
    assert out.follow_up and isinstance(out.plan, NmapScan)
    assert out.plan.targets == ["10.0.0.6"] and out.plan.ports == "22,443"


@pytest.mark.parametrize(
    ("edited", "question", "expected", "asked_away"),
    [
        # the grammar now makes the named service's port part of the list (stop 35), so the
        # first answer already has it; it used to be the edited scan unchanged
        (NmapScan(targets=["10.0.0.5"], ports="3306"), "also check postgres", {"ports": "3306,5432"}, False),
        (NmapScan(targets=["10.0.0.5"], technique="ack"), "Now repeat it as a FIN scan.", {"technique": "fin"}, True),
    ],
)
def test_a_follow_up_answered_by_the_call_it_edits_is_asked_away_from_it(planner, edited, question, expected, asked_away):
    """The adapter answers the FIN scan with the edited scan unchanged; the second ask away from it
    (``Planner._away``) finds the edit."""
    conv = Conversation()
    conv.add_call("the scan before", edited)
    out = planner.plan(question, conv, follow_up=True)
    assert_valid(out)
    unchanged = out.problems[:1] == ["the follow-up returned the call it edits, unchanged"]
    assert unchanged is asked_away, out.problems
    assert out.plan.compact() == {**edited.compact(), **expected}


@pytest.fixture(scope="module")
def gemma_planner(service_unavailable, tmp_path_factory):
    """Gemma 3 270M with its committed adapter (models/gemma3): the comparison's other base."""
    p, backend = _adapter_planner(service_unavailable, tmp_path_factory.mktemp("gemma-prefix"), "gemma3-270m")
    yield p
    backend.close()


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("scan 127.0.0.1 ports 22 and 80", NmapScan),
        ("suricata alerts in the last 24 hours", EsSearch),
        ("scan 8.8.8.8 for open ports", Reply),
    ],
)
def test_the_gemma_adapter_plans_valid_calls_of_the_right_kind(gemma_planner, question, kind):
    out = gemma_planner.plan(question)
    assert_valid(out)
    assert isinstance(out.plan, kind), (out.plan, out.problems)
