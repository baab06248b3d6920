"""The planner with the real SmolLM2 (few-shot mode until the adapter ships).

The grammar guarantees parseable JSON; these tests assert that what comes back is a plan
that passed validation and policy — never an invalid call — and the right tool where the
bare base model reliably gets it (with few-shot routing). Semantic accuracy of the untuned
base model is not asserted: that is the adapter's job (operatorx.training.evaluate).
"""

from __future__ import annotations

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
        from operatorx.backend.llama import LlamaBackend
        from operatorx.backend.models import default_base_model

        # The same directory as tests/test_backend_llama.py: the few-shot prefix is evaluated once.
        backend = LlamaBackend(
            default_base_model(), prefix_cache_dir=tmp_path_factory.getbasetemp() / "prefix-cache"
        )
    except (ImportError, PlannerError) as e:
        service_unavailable(f"model tests need llama-cpp-python, llguidance and the base GGUF: {e}")
    p = Planner(backend, model_test_config())
    p.warm()
    yield p
    backend.close()


@pytest.mark.parametrize(
    "question",
    ["scan 127.0.0.1 ports 22 and 80", "which hosts are up in 10.0.0.0/24", "what services run on localhost"],
)
def test_scan_questions_give_valid_scans(planner, question):
    out = planner.plan(question)
    assert_valid(out)
    assert out.mode == "fewshot" and out.routed == ["nmap"]
    assert isinstance(out.plan, NmapScan), (out.plan, out.problems)
    assert set(out.plan.targets) <= {"127.0.0.1", "10.0.0.0/24", "localhost"}  # only what was asked


@pytest.mark.parametrize(
    "question",
    [
        "top 10 destination ports today",
        "DNS lookups of evil.example.net in the last 24 hours",
        "alerts this week",
    ],
)
def test_log_questions_give_valid_searches(planner, question):
    out = planner.plan(question)
    assert_valid(out)
    assert isinstance(out.plan, EsSearch | Reply), out.plan
    if isinstance(out.plan, EsSearch):
        assert out.source == "model" and out.catalog == "packaged"


@pytest.mark.parametrize(
    "question", ["delete the old alerts", "scan the server", "scan 8.8.8.8 for open ports"]
)
def test_refusals_and_clarifications(planner, question):
    out = planner.plan(question)
    assert_valid(out)
    assert isinstance(out.plan, Reply) and out.call is None


def test_out_of_scope_scan_names_target_and_scope(planner):
    out = planner.plan("scan 8.8.8.8 ports 22 and 443")
    assert out.plan.kind == "refuse" and "8.8.8.8" in out.plan.message and "127.0.0.0/8" in out.plan.message


def test_follow_up_edits_the_previous_scan(planner):
    conv = Conversation()
    conv.add_call("scan 10.0.0.5 for ssh and web", NmapScan(targets=["10.0.0.5"], ports="22,80,443"))
    out = planner.plan("same for 10.0.0.6", conv)
    assert_valid(out)
    assert out.follow_up
    assert out.tokens["evaluated"] < 80  # the system prompt stayed cached
    if isinstance(out.plan, NmapScan):
        assert set(out.plan.targets) <= {"10.0.0.5", "10.0.0.6"}
