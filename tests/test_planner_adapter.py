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


@pytest.fixture(scope="module")
def planner(service_unavailable, tmp_path_factory):
    try:
        from operatorx.backend import default_adapter
        from operatorx.backend.llama import LlamaBackend
        from operatorx.backend.models import default_base_model

        adapter = default_adapter()
        if adapter is None:
            raise PlannerError("operatorx/models/operatorx-smollm2-lora.gguf is missing")
        backend = LlamaBackend(
            default_base_model(), adapter, prefix_cache_dir=tmp_path_factory.mktemp("adapter-prefix")
        )
    except (ImportError, PlannerError) as e:
        service_unavailable(f"adapter tests need llama-cpp-python, llguidance, the base GGUF and the adapter: {e}")
    p = Planner(backend, model_test_config())
    assert p.mode == "adapter"
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


GEMMA_ADAPTER = Path(__file__).resolve().parents[1] / "models" / "gemma3" / "operatorx-gemma3-lora.gguf"


@pytest.fixture(scope="module")
def gemma_planner(service_unavailable, tmp_path_factory):
    """Gemma 3 270M with its committed adapter (models/gemma3): the comparison's other base."""
    try:
        from operatorx.backend.llama import LlamaBackend
        from operatorx.backend.models import gemma_base_model

        backend = LlamaBackend(gemma_base_model(), GEMMA_ADAPTER,
                               prefix_cache_dir=tmp_path_factory.mktemp("gemma-prefix"))
    except (ImportError, PlannerError) as e:
        service_unavailable(f"the Gemma adapter test needs llama-cpp-python and Gemma 3 270M (train extra): {e}")
    p = Planner(backend, model_test_config())
    assert p.mode == "adapter"
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
