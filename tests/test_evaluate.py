"""The evaluation: scored through the real planner with a scripted backend (no model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from operatorx.agent.planner import Planner
from operatorx.agent.prompting import render_prompt
from operatorx.backend.scripted import ScriptedBackend
from operatorx.config import load_config
from operatorx.schemas.elastic import EsSearch
from operatorx.schemas.nmap import NmapScan
from operatorx.tools.elastic.catalog import FieldCatalog
from operatorx.training import datagen
from operatorx.training import evaluate as ev

CONFIG = load_config(datagen.SCOPE_CONFIG)


@pytest.fixture(scope="module")
def records(tmp_path_factory) -> list[dict]:
    out = tmp_path_factory.mktemp("evaldata")
    datagen.main(["--seed", "5", "--out", str(out), "--scale", "0.05", "--no-tokens"])
    return [r for s in datagen.SPLITS for r in ev.load_split(out, s)]


def planner(script) -> Planner:
    return Planner(ScriptedBackend(script), CONFIG, FieldCatalog.packaged, resolve=ev.scope_resolver(CONFIG))


def test_expected_answers_score_100_percent(records):
    """The data agrees with the planner: its pre-checks, grounding, policy and validation
    accept every expected answer (a mismatch here means data and runtime disagree)."""
    answers = {render_prompt(r["question"], r["previous"]): r["target"] for r in records}
    report = ev.evaluate(records, ev.planner_fn(planner(lambda prompt, schema: answers[prompt])), split="all")
    bad = [(r.question, r.plan) for r in report.results if not r.match]
    assert not bad, bad[:5]
    total = report.rows()[-1]
    assert total["tool"] == "all" and total["n"] == len(records)
    assert total["valid_json"] == total["valid_call"] == total["match"] == 1.0
    assert total["false_refusal"] == 0.0
    assert total["reachable"] == 1.0  # the planner's grammar admits every expected call
    none_row = next(row for row in report.rows() if row["tool"] == "none")
    assert none_row["right_refusal"] == none_row["no_call"] == 1.0
    assert none_row["reachable"] is None  # no call expected: nothing to reach


def test_an_expected_call_the_grammar_refuses_is_reported_unreachable():
    """A miss the grounding forces (no word asks for top values here) is told apart from the model's."""
    where = [{"field": "tags", "value": "alert"}]
    rec = {"id": "r1", "intent": "es.test", "family": "t", "tool": "elasticsearch", "previous": None,
           "question": "show the alert logs", "target": {"tool": "elasticsearch", "where": where,
                                                        "agg": {"field": "source.ip"}, "size": 0}}
    answer = json.dumps({"tool": "elasticsearch", "where": where})
    report = ev.evaluate([rec], ev.planner_fn(planner(lambda prompt, schema: answer)))
    (result,) = report.results
    assert result.valid_call and not result.match and result.reachable is False
    assert report.rows()[-1]["reachable"] == 0.0
    assert "| reachable |" in report.markdown()


def test_garbage_scores_zero_without_crashing(records):
    sample = [r for r in records if r["tool"] != "none"][:30]
    report = ev.evaluate(sample, ev.planner_fn(planner(lambda prompt, schema: "{not json")))
    total = report.rows()[-1]
    assert total["valid_json"] == 0.0 and total["valid_call"] == 0.0 and total["match"] == 0.0
    assert total["false_refusal"] == 1.0  # the planner gives up with a clarifying reply
    assert "| all |" in report.markdown()
    json.dumps(report.to_dict())


def test_a_planner_crash_is_a_miss_not_a_crash(records):
    def boom(question, previous):
        raise RuntimeError("model fell over")

    report = ev.evaluate(records[:5], boom)
    assert [r.how for r in report.results] == ["error"] * 5
    assert report.rows()[-1]["valid_json"] == 0.0


def test_wrong_kind_of_reply_is_not_a_right_refusal():
    rec = {"id": "x", "intent": "none.vague", "family": "f", "tool": "none", "question": "scan",
           "previous": None, "target": {"tool": "none", "kind": "clarify", "message": "Which host?"}}
    report = ev.evaluate([rec], ev.planner_fn(planner(lambda p, s: {"tool": "none", "kind": "refuse", "message": "no"})))
    # "scan" alone is answered by the planner's pre-check (clarify) without the model
    assert report.results[0].match and report.results[0].precheck
    rec2 = dict(rec, question="do the thing")
    report = ev.evaluate([rec2], ev.planner_fn(planner(lambda p, s: {"tool": "none", "kind": "refuse", "message": "no"})))
    assert not report.results[0].match and report.rows()[-1]["no_call"] == 1.0


def test_nmap_canonical_form_ignores_order():
    a = NmapScan(targets=["10.0.0.2", "10.0.0.1"], ports="U:53,T:443,80", scripts=["ssl-cert", "banner"], udp=True)
    b = NmapScan(targets=["10.0.0.1", "10.0.0.2"], ports="T:80,443,U:53", scripts=["banner", "ssl-cert"], udp=True)
    assert ev.canonical(a) == ev.canonical(b)
    assert ev.canonical(a) != ev.canonical(NmapScan(targets=["10.0.0.1", "10.0.0.2"], ports="80,443"))


T = ["10.0.0.1"]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (NmapScan(targets=T, ports="T:53,U:53", technique="syn", udp=True), NmapScan(targets=T, ports="53", technique="syn", udp=True)),
        (NmapScan(targets=T, ports="T:53,U:53", technique="udp"), NmapScan(targets=T, ports="53", technique="udp")),
        (NmapScan(targets=T, ports="T:80,443"), NmapScan(targets=T, ports="80,443")),
        (NmapScan(targets=T, ports="22-24,80"), NmapScan(targets=T, ports="80,24,22,23")),
        (NmapScan(targets=T, all_ports=True), NmapScan(targets=T, ports="1-65535")),
        (NmapScan(targets=T, fast=True), NmapScan(targets=T, top_ports=100)),
        (NmapScan(targets=T), NmapScan(targets=T, top_ports=1000)),
        (NmapScan(targets=T, timing=3), NmapScan(targets=T)),
        (NmapScan(targets=T, service_version=True, version_intensity=7), NmapScan(targets=T, service_version=True)),
        (NmapScan(targets=T, aggressive=True),
         NmapScan(targets=T, os_detection=True, service_version=True, traceroute=True, scripts=["default"])),
    ],
)
def test_nmap_canonical_form_equates_what_nmap_runs_alike(a, b):
    """Spellings nmap's manual gives the same meaning compare equal."""
    assert ev.canonical(a) == ev.canonical(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (NmapScan(targets=T, ports="53", technique="syn", udp=True), NmapScan(targets=T, ports="53")),
        (NmapScan(targets=T, ports="U:53,80", technique="syn", udp=True), NmapScan(targets=T, ports="53,80", technique="syn", udp=True)),
        (NmapScan(targets=T, ports="80,443"), NmapScan(targets=T, ports="80")),
        (NmapScan(targets=T, ports="0-65535"), NmapScan(targets=T, all_ports=True)),
        (NmapScan(targets=T, fast=True), NmapScan(targets=T)),
        (NmapScan(targets=T, timing=4), NmapScan(targets=T)),
        (NmapScan(targets=T, technique="syn"), NmapScan(targets=T)),
        (NmapScan(targets=T, technique="ping"), NmapScan(targets=T)),
        (NmapScan(targets=T, aggressive=True), NmapScan(targets=T, os_detection=True, service_version=True)),
    ],
)
def test_nmap_canonical_form_keeps_what_changes_the_scan(a, b):
    assert ev.canonical(a) != ev.canonical(b)


def test_search_canonical_form_ignores_condition_order():
    a = EsSearch.model_validate({"where": [{"field": "tags", "value": "dns"}, {"field": "source.ip", "value": "10.0.0.5"}],
                                 "fields": ["b.x", "a.y"], "any_of": [{"field": "x", "op": "in", "value": [2, 1]}]})
    b = EsSearch.model_validate({"where": [{"field": "source.ip", "value": "10.0.0.5"}, {"field": "tags", "value": "dns"}],
                                 "fields": ["a.y", "b.x"], "any_of": [{"field": "x", "op": "in", "value": [1, 2]}]})
    assert ev.canonical(a) == ev.canonical(b)
    assert ev.canonical(a) != ev.canonical(EsSearch.model_validate({"where": [{"field": "tags", "value": "dns"}]}))


def test_search_canonical_form_reads_a_one_value_list_as_equality():
    one = EsSearch.model_validate({"where": [{"field": "http.status_code", "op": "in", "value": [502]}]})
    eq = EsSearch.model_validate({"where": [{"field": "http.status_code", "value": 502}]})
    two = EsSearch.model_validate({"where": [{"field": "http.status_code", "op": "in", "value": [502, 503]}]})
    assert ev.canonical(one) == ev.canonical(eq)
    assert ev.canonical(two) != ev.canonical(eq)


def test_eval_command_registers():
    from operatorx.cli import build_parser

    args = build_parser().parse_args(["eval", "--split", "shifted", "--limit", "3", "--no-adapter", "--no-es"])
    assert args.split == "shifted" and args.limit == 3 and args.no_adapter and args.handler


def test_eval_command_needs_the_data(tmp_path, capsys):
    from operatorx.cli import main

    assert main(["eval", "--data", str(tmp_path), "--no-es"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_eval_with_load_fixtures_needs_a_cluster(tmp_path, capsys):
    """--load-fixtures asks for the judge's data: without a cluster the run stops instead of
    quietly judging searches by form only (and scoring execution-only matches as wrong)."""
    from operatorx.cli import main

    (tmp_path / "val.jsonl").write_text(json.dumps({"id": "r0", "question": "q"}) + "\n")
    code = main(["eval", "--data", str(tmp_path), "--split", "val", "--load-fixtures", "--es-url", "http://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 2 and "--load-fixtures needs a cluster, but no cluster answered at http://127.0.0.1:9" in err


@pytest.mark.elastic
def test_searches_judged_by_what_they_find(es_url):
    """Two differently written searches that find the same documents match; others do not."""
    from operatorx.tools.elastic import fixtures
    from operatorx.tools.elastic.client import make_client

    client = make_client(CONFIG.elasticsearch, url=es_url)
    fixtures.ensure_demo_data(client)
    judge, mode = ev.connect_judge(CONFIG, es_url, load_fixtures=False)
    assert judge is not None, mode
    expected = {"tool": "elasticsearch", "where": [{"field": "event.dataset", "value": "zeek.dns"},
                                                   {"field": "dns.response.code_name", "value": "NXDOMAIN"}],
                "agg": {"field": "source.ip", "size": 3}, "size": 0}
    same = EsSearch.model_validate({**expected, "where": [*expected["where"], {"field": "event.module", "value": "zeek"}]})
    other = EsSearch.model_validate({**expected, "agg": {"field": "destination.ip", "size": 3}})
    assert ev.judge_match(expected, same, judge) == (True, "execution")
    assert ev.judge_match(expected, other, judge) == (False, "mismatch")
    # an expected search that finds nothing is judged by its form, never by "both empty"
    nothing = {"tool": "elasticsearch", "where": [{"field": "source.ip", "value": "10.99.99.99"}]}
    assert ev.judge_match(nothing, EsSearch.model_validate({"where": [{"field": "source.ip", "value": "10.99.99.98"}]}),
                          judge) == (False, "mismatch")


@pytest.mark.elastic
def test_a_sort_that_is_asked_for_is_judged(es_url):
    """"The biggest connections" answered in time order finds the same hits but not the answer;
    a plan may sort what the question did not ask to sort."""
    from operatorx.tools.elastic import fixtures
    from operatorx.tools.elastic.client import make_client

    fixtures.ensure_demo_data(make_client(CONFIG.elasticsearch, url=es_url))
    judge, mode = ev.connect_judge(CONFIG, es_url, load_fixtures=False)
    assert judge is not None, mode
    conns = [{"field": "event.dataset", "value": "zeek.conn"}]
    biggest = {"tool": "elasticsearch", "where": conns, "sort": [{"field": "network.bytes", "order": "desc"}],
               "size": 10000}
    newest = EsSearch.model_validate({"where": [*conns, {"field": "event.module", "value": "zeek"}], "size": 10000})
    by_size = EsSearch.model_validate({**biggest, "where": newest.model_dump()["where"]})
    exp_sig, new_sig = judge.signature(EsSearch.model_validate(biggest)), judge.signature(newest)
    assert set(exp_sig[1]) == set(new_sig[1]) and exp_sig[1] != new_sig[1]  # same hits, another order
    assert ev.judge_match(biggest, newest, judge) == (False, "mismatch")
    assert ev.judge_match(biggest, by_size, judge) == (True, "execution")
    unsorted = {"tool": "elasticsearch", "where": conns, "size": 10000}
    assert ev.judge_match(unsorted, by_size, judge) == (True, "execution")


def test_resolver_maps_scope_names_only():
    resolve = ev.scope_resolver(CONFIG)
    assert resolve("ws-fin-07", None)[0][4][0] == "10.255.0.1"
    with pytest.raises(OSError):
        resolve("google.com", None)


def test_load_split_limit(tmp_path):
    (tmp_path / "test.jsonl").write_text("\n".join(json.dumps({"n": i}) for i in range(5)) + "\n")
    assert len(ev.load_split(Path(tmp_path), "test", limit=2)) == 2


@pytest.mark.model
def test_eval_report_says_when_it_was_measured(tmp_path, service_unavailable):
    """docs/BENCHMARKS.md dates each report by its own ``written`` field: git cannot tell a new
    run from a renamed old one."""
    from datetime import UTC, datetime, timedelta

    from operatorx.cli import main

    pytest.importorskip("llama_cpp")
    record = json.loads((Path(__file__).resolve().parents[1] / "data" / "val.jsonl").read_text().splitlines()[0])
    (tmp_path / "val.jsonl").write_text(json.dumps(record) + "\n")
    out = tmp_path / "report.json"
    before = datetime.now(UTC).replace(microsecond=0)
    code = main(["eval", "--data", str(tmp_path), "--split", "val", "--no-es", "--json", str(out)])
    if code != 0 and not out.exists():
        service_unavailable("eval could not load the planner's model")
    report = json.loads(out.read_text())
    assert len(report["records"]) == 1
    written = datetime.fromisoformat(report["written"])
    assert before <= written <= datetime.now(UTC) + timedelta(seconds=1)
