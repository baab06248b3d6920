"""operatorx.bench.compare: the fixed/broken counts and sign test the model card quotes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from operatorx.bench import compare

DOCS = Path(__file__).resolve().parents[1] / "docs" / "bench"


def _report(matches: list[bool], split: str = "val") -> dict:
    records = [{"id": f"r{i}", "match": m, "question": f"secret question {i}"} for i, m in enumerate(matches)]
    rate = sum(matches) / len(matches)
    summary = [{"tool": t, "n": len(matches), "match": rate, "valid_call": 1.0, "right_refusal": None,
                "p50_s": 0.5, "p95_s": 1.0} for t in ("nmap", "all")]
    return {"split": split, "summary": summary, "records": records}


def test_fixed_and_broken_are_counted_per_record():
    old = _report([True, True, False, False, True])
    new = _report([True, False, True, True, True])
    assert compare.paired(new, old) == compare.Paired(fixed=2, broken=1, n=5)


@pytest.mark.parametrize(("fixed", "broken", "p"), [(17, 8, 0.108), (17, 6, 0.035), (0, 0, 1.0), (5, 5, 1.0), (6, 0, 0.031)])
def test_sign_test(fixed, broken, p):
    assert compare.Paired(fixed, broken, 100).p == pytest.approx(p, abs=5e-4)


def test_reports_of_different_records_are_refused():
    with pytest.raises(compare.CompareError, match="different records"):
        compare.paired(_report([True, True]), _report([True]))


def test_cli_prints_totals_and_counts_but_no_question(tmp_path, capsys):
    (tmp_path / "new.json").write_text(json.dumps(_report([True, True, False])))
    (tmp_path / "old.json").write_text(json.dumps(_report([False, True, True])))
    assert compare.main([str(tmp_path / "new.json"), str(tmp_path / "old.json")]) == 0
    out = capsys.readouterr().out
    assert "fixed 1, broken 1 of 3" in out and "match 66.7 %" in out
    assert "secret" not in out


def test_cli_explains_a_file_that_is_not_a_report(tmp_path, capsys):
    (tmp_path / "x.json").write_text("[1, 2]")
    assert compare.main([str(tmp_path / "x.json"), str(tmp_path / "x.json")]) == 2
    assert "not an eval report" in capsys.readouterr().out


@pytest.mark.parametrize(("new", "old", "n", "fixed", "broken"), [
    # stop 37 (docs/training/session37-rule.md), stage 15 throughout; this commit's reports against
    # dccd6ab's (stop 36's last planner): rounds 3, 4 and 5 kept (the pre-check's business words, "send
    # them across", a feeling about one target), 1 and 2 taken out; no other record of any set changed
    ("eval-devhand5-smollm2-adapter.json", "eval-devhand5-smollm2-adapter-plannerdccd6ab.json", 296, 1, 0),
    ("eval-devhand6-smollm2-adapter.json", "eval-devhand6-smollm2-adapter-plannerdccd6ab.json", 85, 1, 0),
    ("eval-devhand11-smollm2-adapter.json", "eval-devhand11-smollm2-adapter-plannerdccd6ab.json", 159, 2, 0),
    # stop 36 (docs/training/session36-rule.md), stage 15 throughout; dccd6ab's reports against
    # 0402194's (stop 35's last planner), for the sets whose verdicts changed: rounds 1, 2, 4, 5, 6
    # and 7 kept, 3 taken out; sel-hand, sel-hand2, shifted, val and dev-hand2: plans changed, no verdict
    ("eval-devhand3-smollm2-adapter.json", "eval-devhand3-smollm2-adapter-planner0402194.json", 60, 1, 0),
    ("eval-devhand5-smollm2-adapter-plannerdccd6ab.json", "eval-devhand5-smollm2-adapter-planner0402194.json", 296, 5, 0),
    ("eval-devhand8-smollm2-adapter.json", "eval-devhand8-smollm2-adapter-planner0402194.json", 80, 1, 0),
    ("eval-devhand9-smollm2-adapter.json", "eval-devhand9-smollm2-adapter-planner0402194.json", 160, 1, 0),
    ("eval-devhand10-smollm2-adapter.json", "eval-devhand10-smollm2-adapter-planner0402194.json", 160, 1, 0),
    ("eval-devhand11-smollm2-adapter-plannerdccd6ab.json", "eval-devhand11-smollm2-adapter-planner0402194.json", 159, 1, 0),
    # stop 35 (docs/training/session35-rule.md), stage 15 throughout; this commit's reports against
    # 288128c's (stop 34's last planner), for the sets whose answers changed: rounds 1, 4 and 5 kept,
    # 2 and 3 taken out; test, shifted, val-fresh, val-para, sel-hand, dev-hand and val: no plan changed
    ("eval-selhand2-smollm2-adapter.json", "eval-selhand2-smollm2-adapter-planner288128c.json", 83, 1, 0),
    ("eval-devhand2-smollm2-adapter.json", "eval-devhand2-smollm2-adapter-planner288128c.json", 53, 1, 0),
    ("eval-devhand3-smollm2-adapter-planner0402194.json", "eval-devhand3-smollm2-adapter-planner288128c.json", 60, 4, 0),
    ("eval-devhand4-smollm2-adapter.json", "eval-devhand4-smollm2-adapter-planner288128c.json", 80, 2, 0),
    ("eval-devhand5-smollm2-adapter-planner0402194.json", "eval-devhand5-smollm2-adapter-planner288128c.json", 296, 2, 0),
    ("eval-devhand6-smollm2-adapter-plannerdccd6ab.json", "eval-devhand6-smollm2-adapter-planner288128c.json", 85, 1, 0),
    ("eval-devhand7-smollm2-adapter.json", "eval-devhand7-smollm2-adapter-planner288128c.json", 80, 8, 0),
    ("eval-devhand8-smollm2-adapter-planner0402194.json", "eval-devhand8-smollm2-adapter-planner288128c.json", 80, 2, 0),
    ("eval-devhand9-smollm2-adapter-planner0402194.json", "eval-devhand9-smollm2-adapter-planner288128c.json", 160, 2, 0),
    ("eval-devhand10-smollm2-adapter-planner0402194.json", "eval-devhand10-smollm2-adapter-planner288128c.json", 160, 6, 0),
    ("eval-devhand11-smollm2-adapter-planner0402194.json", "eval-devhand11-smollm2-adapter-planner288128c.json", 159, 1, 0),
    # stop 34 (docs/training/session34-rule.md), stage 15 throughout; 288128c's reports (the current
    # ones for the sets stop 35 did not change) against 240d6ac's (stop 33's last planner). Records whose grammar (or second ask) could change were run
    # again, round by round; judge: the changed records of val-fresh, val-para, sel-hand, sel-hand2
    ("eval-shifted-smollm2-adapter.json", "eval-shifted-smollm2-adapter-planner240d6ac.json", 251, 1, 0),
    ("eval-selhand-smollm2-adapter.json", "eval-selhand-smollm2-adapter-planner240d6ac.json", 53, 0, 0),
    ("eval-selhand2-smollm2-adapter-planner288128c.json", "eval-selhand2-smollm2-adapter-planner240d6ac.json", 83, 2, 0),
    ("eval-devhand5-smollm2-adapter-planner288128c.json", "eval-devhand5-smollm2-adapter-planner240d6ac.json", 296, 2, 0),
    ("eval-devhand7-smollm2-adapter-planner288128c.json", "eval-devhand7-smollm2-adapter-planner240d6ac.json", 80, 0, 0),
    ("eval-devhand9-smollm2-adapter-planner288128c.json", "eval-devhand9-smollm2-adapter-planner240d6ac.json", 160, 0, 0),
    ("eval-devhand10-smollm2-adapter-planner288128c.json", "eval-devhand10-smollm2-adapter-planner240d6ac.json", 160, 1, 0),
    # dev-hand11 (159, new this stop): rounds 2 (dc57706), 3 (55f0df7), 4 (this commit's), and the stop
    ("eval-devhand11-smollm2-adapter-plannerdc57706.json", "eval-devhand11-smollm2-adapter-planner240d6ac.json", 159, 6, 1),
    ("eval-devhand11-smollm2-adapter-planner55f0df7.json", "eval-devhand11-smollm2-adapter-plannerdc57706.json", 159, 3, 0),
    ("eval-devhand11-smollm2-adapter-planner288128c.json", "eval-devhand11-smollm2-adapter-planner55f0df7.json", 159, 1, 0),
    ("eval-devhand11-smollm2-adapter-planner288128c.json", "eval-devhand11-smollm2-adapter-planner240d6ac.json", 159, 10, 1),
    # stop 33 (docs/training/session33-rule.md), stage 15 throughout. Round 1 (efb9322: more junk asked
    # away from) against aae708c (stop 32's last planner); judge sel-hand2 and val-para 0 / 0: kept
    ("eval-test-smollm2-adapter.json", "eval-test-smollm2-adapter-planneraae708c.json", 399, 0, 0),
    ("eval-shifted-smollm2-adapter-plannerefb9322.json", "eval-shifted-smollm2-adapter-planner240d6ac.json", 251, 0, 0),
    ("eval-valpara-smollm2-adapter-plannerefb9322.json", "eval-valpara-smollm2-adapter.json", 300, 0, 0),
    ("eval-selhand2-smollm2-adapter-plannerefb9322.json", "eval-selhand2-smollm2-adapter-planneraae708c.json", 83, 0, 0),
    ("eval-devhand5-smollm2-adapter-plannerefb9322.json", "eval-devhand5-smollm2-adapter-planner240d6ac.json", 296, 0, 0),
    ("eval-devhand9-smollm2-adapter-plannerefb9322.json", "eval-devhand9-smollm2-adapter-planneraae708c.json", 160, 0, 0),
    # rounds 2 and 3 (dev-hand10's words; a later attack order), round 4 (numbers that tell the story),
    # round 5 (added ports keep the list; judge sel-hand2 0 / 0: kept), round 6 (phrases; judge subsets 0 / 0)
    ("eval-devhand10-smollm2-adapter-plannerebbed18.json", "eval-devhand10-smollm2-adapter-plannerefb9322.json", 160, 5, 0),
    ("eval-devhand10-smollm2-adapter-planner93116d0.json", "eval-devhand10-smollm2-adapter-plannerebbed18.json", 160, 3, 0),
    ("eval-devhand8-smollm2-adapter-planner93116d0.json", "eval-devhand8-smollm2-adapter-planneraae708c.json", 80, 1, 0),
    ("eval-selhand-smollm2-adapter-planner93116d0.json", "eval-selhand-smollm2-adapter-planner240d6ac.json", 53, 0, 0),
    ("eval-selhand2-smollm2-adapter-planner240d6ac.json", "eval-selhand2-smollm2-adapter-plannerefb9322.json", 83, 0, 0),
    ("eval-devhand10-smollm2-adapter-planner6e68717.json", "eval-devhand10-smollm2-adapter-planner93116d0.json", 160, 3, 0),
    ("eval-devhand9-smollm2-adapter-planner240d6ac.json", "eval-devhand9-smollm2-adapter-plannerefb9322.json", 160, 1, 0),
    ("eval-devhand8-smollm2-adapter-planner288128c.json", "eval-devhand8-smollm2-adapter-planner93116d0.json", 80, 1, 0),
    ("eval-devhand10-smollm2-adapter-planner240d6ac.json", "eval-devhand10-smollm2-adapter-planner6e68717.json", 160, 3, 0),
    # the stop as a whole
    ("eval-devhand10-smollm2-adapter-planner240d6ac.json", "eval-devhand10-smollm2-adapter-plannerefb9322.json", 160, 14, 0),
    ("eval-devhand8-smollm2-adapter-planner288128c.json", "eval-devhand8-smollm2-adapter-planneraae708c.json", 80, 2, 0),
    ("eval-devhand9-smollm2-adapter-planner240d6ac.json", "eval-devhand9-smollm2-adapter-planneraae708c.json", 160, 1, 0),
    ("eval-val-smollm2-adapter.json", "eval-val-smollm2-adapter-planneraae708c.json", 300, 1, 0),
    # stop 32 (docs/training/session32-rule.md), stage 15 throughout. Round 1 (a05d0ea: an unchanged
    # follow-up is asked away from) against b814f0f's planner; judge sel-hand2 and val-para 0 / 0: kept
    ("eval-selhand2-smollm2-adapter-plannera05d0ea.json", "eval-selhand2-smollm2-adapter-plannerb814f0f.json", 83, 0, 0),
    ("eval-valpara-smollm2-adapter-plannera05d0ea.json", "eval-valpara-smollm2-adapter-plannerb814f0f.json", 300, 0, 0),
    ("eval-test-smollm2-adapter-planneraae708c.json", "eval-test-smollm2-adapter-plannerb814f0f.json", 399, 1, 0),
    ("eval-shifted-smollm2-adapter-plannera05d0ea.json", "eval-shifted-smollm2-adapter-plannerb814f0f.json", 251, 3, 0),
    ("eval-devhand5-smollm2-adapter-plannera05d0ea.json", "eval-devhand5-smollm2-adapter-plannerb814f0f.json", 296, 3, 0),
    ("eval-devhand6-smollm2-adapter-plannera05d0ea.json", "eval-devhand6-smollm2-adapter-plannerb814f0f.json", 85, 0, 0),
    ("eval-devhand7-smollm2-adapter-plannera05d0ea.json", "eval-devhand7-smollm2-adapter-plannerb814f0f.json", 80, 2, 0),
    ("eval-devhand8-smollm2-adapter-planneraae708c.json", "eval-devhand8-smollm2-adapter-plannerb814f0f.json", 80, 2, 0),
    # round 2 (56be1cb: dev-hand9's words; only dev-hand9's grammars changed) against b814f0f's planner
    ("eval-devhand9-smollm2-adapter-planner56be1cb.json", "eval-devhand9-smollm2-adapter-plannerb814f0f.json", 160, 4, 0),
    # round 3 (ba116cb: a junk call is asked away from) against rounds 1-2; judge sel-hand2 0 / 1,
    # val-fresh 2 / 0, val-para 0 / 0: fixed > broken, kept
    ("eval-selhand2-smollm2-adapter-planneraae708c.json", "eval-selhand2-smollm2-adapter-plannera05d0ea.json", 83, 0, 1),
    ("eval-valfresh-smollm2-adapter.json", "eval-valfresh-smollm2-adapter-plannerb814f0f.json", 400, 2, 0),
    ("eval-valpara-smollm2-adapter-plannerba116cb.json", "eval-valpara-smollm2-adapter-plannera05d0ea.json", 300, 0, 0),
    ("eval-shifted-smollm2-adapter-planner240d6ac.json", "eval-shifted-smollm2-adapter-plannera05d0ea.json", 251, 0, 0),
    ("eval-devhand2-smollm2-adapter-planner288128c.json", "eval-devhand2-smollm2-adapter-plannerb814f0f.json", 53, 0, 0),
    ("eval-devhand5-smollm2-adapter-planner240d6ac.json", "eval-devhand5-smollm2-adapter-plannera05d0ea.json", 296, 2, 0),
    ("eval-devhand6-smollm2-adapter-planner288128c.json", "eval-devhand6-smollm2-adapter-plannera05d0ea.json", 85, 1, 0),
    ("eval-devhand7-smollm2-adapter-planner240d6ac.json", "eval-devhand7-smollm2-adapter-plannera05d0ea.json", 80, 0, 0),
    ("eval-devhand9-smollm2-adapter-plannerba116cb.json", "eval-devhand9-smollm2-adapter-planner56be1cb.json", 160, 1, 0),
    # round 4 (7744818: "can u" and the like are polite forms for the pre-checks) against round 3
    ("eval-valpara-smollm2-adapter.json", "eval-valpara-smollm2-adapter-plannerba116cb.json", 300, 0, 0),
    ("eval-devhand9-smollm2-adapter-planneraae708c.json", "eval-devhand9-smollm2-adapter-plannerba116cb.json", 160, 1, 0),
    # the stop as a whole
    ("eval-devhand9-smollm2-adapter-planneraae708c.json", "eval-devhand9-smollm2-adapter-plannerb814f0f.json", 160, 6, 0),
    ("eval-shifted-smollm2-adapter-planner240d6ac.json", "eval-shifted-smollm2-adapter-plannerb814f0f.json", 251, 3, 0),
    ("eval-selhand2-smollm2-adapter-planneraae708c.json", "eval-selhand2-smollm2-adapter-plannerb814f0f.json", 83, 0, 1),
    # stop 28 (docs/training/session28-rule.md), stage 15 throughout. The judge pinned to the
    # fixture batch's instant against the clock-bound judge, same planner (39e948f = 019397e's)
    ("eval-test-smollm2-adapter-planner39e948f.json", "eval-test-smollm2-adapter-clockjudge.json", 399, 0, 0),
    ("eval-shifted-smollm2-adapter-planner39e948f.json", "eval-shifted-smollm2-adapter-clockjudge.json", 251, 0, 0),
    ("eval-val-smollm2-adapter-planner39e948f.json", "eval-val-smollm2-adapter-clockjudge.json", 300, 0, 0),
    ("eval-valfresh-smollm2-adapter-planner39e948f.json", "eval-valfresh-smollm2-adapter-clockjudge.json", 400, 0, 0),
    ("eval-valpara-smollm2-adapter-planner39e948f.json", "eval-valpara-smollm2-adapter-clockjudge.json", 300, 0, 0),
    ("eval-selhand-smollm2-adapter-planner39e948f.json", "eval-selhand-smollm2-adapter-clockjudge.json", 53, 1, 0),
    ("eval-selhand2-smollm2-adapter-planner39e948f.json", "eval-selhand2-smollm2-adapter-clockjudge.json", 83, 0, 0),
    ("eval-devhand-smollm2-adapter-planner39e948f.json", "eval-devhand-smollm2-adapter-clockjudge.json", 64, 0, 0),
    ("eval-devhand2-smollm2-adapter-planner39e948f.json", "eval-devhand2-smollm2-adapter-clockjudge.json", 53, 0, 0),
    ("eval-devhand3-smollm2-adapter-planner39e948f.json", "eval-devhand3-smollm2-adapter-clockjudge.json", 60, 0, 0),
    ("eval-devhand4-smollm2-adapter-planner39e948f.json", "eval-devhand4-smollm2-adapter-clockjudge.json", 80, 0, 0),
    ("eval-devhand5-smollm2-adapter-planner39e948f.json", "eval-devhand5-smollm2-adapter-clockjudge.json", 296, 1, 0),
    ("eval-devhand6-smollm2-adapter-planner39e948f.json", "eval-devhand6-smollm2-adapter-clockjudge.json", 85, 0, 0),
    # round 3 (the refusal check reads no dotted name) against round 1's planner; round 2 changes no
    # pre-check answer of these sets
    ("eval-valfresh-smollm2-adapter-plannerd06e269.json", "eval-valfresh-smollm2-adapter-planner39e948f.json", 400, 0, 0),
    ("eval-valpara-smollm2-adapter-plannerd06e269.json", "eval-valpara-smollm2-adapter-planner39e948f.json", 300, 0, 0),
    ("eval-selhand-smollm2-adapter-plannerd06e269.json", "eval-selhand-smollm2-adapter-planner39e948f.json", 53, 0, 0),
    ("eval-selhand2-smollm2-adapter-plannerd06e269.json", "eval-selhand2-smollm2-adapter-planner39e948f.json", 83, 0, 0),
    # stop 29, round 1 (73398bb: T:/U: pairs, a follow-up keeps its speed, "udp only") against 4d30e9d;
    # test, shifted, val-fresh and sel-hand: no grammar changed, 0 / 0 by construction
    ("eval-valpara-smollm2-adapter-planner73398bb.json", "eval-valpara-smollm2-adapter-planner4d30e9d.json", 300, 0, 0),
    ("eval-selhand2-smollm2-adapter-planner73398bb.json", "eval-selhand2-smollm2-adapter-planner4d30e9d.json", 83, 0, 0),
    ("eval-devhand2-smollm2-adapter-planner73398bb.json", "eval-devhand2-smollm2-adapter-planner4d30e9d.json", 53, 0, 0),
    ("eval-devhand3-smollm2-adapter-planner73398bb.json", "eval-devhand3-smollm2-adapter-planner4d30e9d.json", 60, 2, 0),
    ("eval-devhand4-smollm2-adapter-planner73398bb.json", "eval-devhand4-smollm2-adapter-planner4d30e9d.json", 80, 2, 0),
    ("eval-devhand5-smollm2-adapter-planner73398bb.json", "eval-devhand5-smollm2-adapter-planner4d30e9d.json", 296, 4, 0),
    ("eval-devhand6-smollm2-adapter-planner73398bb.json", "eval-devhand6-smollm2-adapter-planner4d30e9d.json", 85, 0, 0),
    # round 2 (913a656: the T: list as given, a written rate is set) against round 1 (judge sets: kept, 1 / 0)
    ("eval-valfresh-smollm2-adapter-plannerbf0da1e.json", "eval-valfresh-smollm2-adapter-planner4d30e9d.json", 400, 0, 0),
    ("eval-valpara-smollm2-adapter-plannerb814f0f.json", "eval-valpara-smollm2-adapter-planner73398bb.json", 300, 0, 0),
    ("eval-selhand-smollm2-adapter-planner913a656.json", "eval-selhand-smollm2-adapter-planner4d30e9d.json", 53, 0, 0),
    ("eval-selhand2-smollm2-adapter-planner913a656.json", "eval-selhand2-smollm2-adapter-planner73398bb.json", 83, 1, 0),
    ("eval-test-smollm2-adapter-plannerbf0da1e.json", "eval-test-smollm2-adapter-planner4d30e9d.json", 399, 0, 0),
    ("eval-shifted-smollm2-adapter-planner913a656.json", "eval-shifted-smollm2-adapter-planner4d30e9d.json", 251, 0, 0),
    ("eval-val-smollm2-adapter-planner913a656.json", "eval-val-smollm2-adapter-planner4d30e9d.json", 300, 0, 0),
    ("eval-devhand-smollm2-adapter-planner913a656.json", "eval-devhand-smollm2-adapter-planner4d30e9d.json", 64, 0, 0),
    ("eval-devhand2-smollm2-adapter-planner913a656.json", "eval-devhand2-smollm2-adapter-planner73398bb.json", 53, 1, 0),
    ("eval-devhand3-smollm2-adapter-planner913a656.json", "eval-devhand3-smollm2-adapter-planner73398bb.json", 60, 0, 0),
    ("eval-devhand4-smollm2-adapter-plannerbf0da1e.json", "eval-devhand4-smollm2-adapter-planner73398bb.json", 80, 1, 0),
    ("eval-devhand5-smollm2-adapter-planner913a656.json", "eval-devhand5-smollm2-adapter-planner73398bb.json", 296, 2, 0),
    ("eval-devhand6-smollm2-adapter-planner913a656.json", "eval-devhand6-smollm2-adapter-planner73398bb.json", 85, 0, 0),
    # rounds 1 and 2 against 4d30e9d, as the card quotes them
    ("eval-devhand2-smollm2-adapter-planner913a656.json", "eval-devhand2-smollm2-adapter-planner4d30e9d.json", 53, 1, 0),
    ("eval-devhand3-smollm2-adapter-planner913a656.json", "eval-devhand3-smollm2-adapter-planner4d30e9d.json", 60, 2, 0),
    ("eval-devhand4-smollm2-adapter-plannerbf0da1e.json", "eval-devhand4-smollm2-adapter-planner4d30e9d.json", 80, 3, 0),
    ("eval-devhand5-smollm2-adapter-planner913a656.json", "eval-devhand5-smollm2-adapter-planner4d30e9d.json", 296, 6, 0),
    ("eval-selhand2-smollm2-adapter-planner913a656.json", "eval-selhand2-smollm2-adapter-planner4d30e9d.json", 83, 1, 0),
    # stop 29, round 3 (bf0da1e: 1 and 1024 need words) against round 2 (judge sets: 0 / 0, kept); reports of
    # sets where no plan changed were replaced, the others' round-2 reports are *-planner913a656
    ("eval-valfresh-smollm2-adapter-plannerbf0da1e.json", "eval-valfresh-smollm2-adapter-planner4d30e9d.json", 400, 0, 0),
    ("eval-valpara-smollm2-adapter-plannerb814f0f.json", "eval-valpara-smollm2-adapter-planner73398bb.json", 300, 0, 0),
    ("eval-selhand-smollm2-adapter-plannerbf0da1e.json", "eval-selhand-smollm2-adapter-planner913a656.json", 53, 0, 0),
    ("eval-selhand2-smollm2-adapter-plannerbf0da1e.json", "eval-selhand2-smollm2-adapter-planner913a656.json", 83, 0, 0),
    ("eval-test-smollm2-adapter-plannerbf0da1e.json", "eval-test-smollm2-adapter-planner4d30e9d.json", 399, 0, 0),
    ("eval-shifted-smollm2-adapter-plannerbf0da1e.json", "eval-shifted-smollm2-adapter-planner913a656.json", 251, 0, 0),
    ("eval-val-smollm2-adapter-plannerbf0da1e.json", "eval-val-smollm2-adapter-planner913a656.json", 300, 0, 0),
    ("eval-devhand-smollm2-adapter-plannerbf0da1e.json", "eval-devhand-smollm2-adapter-planner913a656.json", 64, 1, 0),
    ("eval-devhand2-smollm2-adapter-plannerbf0da1e.json", "eval-devhand2-smollm2-adapter-planner913a656.json", 53, 0, 0),
    ("eval-devhand3-smollm2-adapter-planner39df613.json", "eval-devhand3-smollm2-adapter-planner913a656.json", 60, 0, 0),
    ("eval-devhand4-smollm2-adapter-plannerbf0da1e.json", "eval-devhand4-smollm2-adapter-planner73398bb.json", 80, 1, 0),
    ("eval-devhand5-smollm2-adapter-plannerbf0da1e.json", "eval-devhand5-smollm2-adapter-planner913a656.json", 296, 1, 0),
    ("eval-devhand6-smollm2-adapter-plannerbf0da1e.json", "eval-devhand6-smollm2-adapter-planner913a656.json", 85, 0, 0),
    # stop 30, round 1 (03f7df0: a left-out named value asked again, first in a list) against bf0da1e
    # (judge sets 0 / 2: reverted)
    ("eval-selhand-smollm2-adapter-planner03f7df0.json", "eval-selhand-smollm2-adapter-plannerbf0da1e.json", 53, 0, 1),
    ("eval-selhand2-smollm2-adapter-planner03f7df0.json", "eval-selhand2-smollm2-adapter-plannerbf0da1e.json", 83, 0, 1),
    ("eval-shifted-smollm2-adapter-planner03f7df0.json", "eval-shifted-smollm2-adapter-plannerbf0da1e.json", 251, 0, 0),
    ("eval-devhand-smollm2-adapter-planner03f7df0.json", "eval-devhand-smollm2-adapter-plannerbf0da1e.json", 64, 0, 0),
    ("eval-devhand2-smollm2-adapter-planner03f7df0.json", "eval-devhand2-smollm2-adapter-plannerbf0da1e.json", 53, 0, 0),
    ("eval-devhand5-smollm2-adapter-planner03f7df0.json", "eval-devhand5-smollm2-adapter-plannerbf0da1e.json", 296, 1, 3),
    ("eval-devhand6-smollm2-adapter-planner03f7df0.json", "eval-devhand6-smollm2-adapter-plannerbf0da1e.json", 85, 0, 0),
    # round 2 (8636305: in a list its words allow, at places 0-3; follow-ups too) against bf0da1e
    # (judge sets 0 / 0: kept); the other sets' plans are the same by construction
    ("eval-selhand-smollm2-adapter-planner39df613.json", "eval-selhand-smollm2-adapter-plannerbf0da1e.json", 53, 0, 0),
    ("eval-selhand2-smollm2-adapter-planner39df613.json", "eval-selhand2-smollm2-adapter-plannerbf0da1e.json", 83, 0, 0),
    ("eval-devhand-smollm2-adapter-planner39df613.json", "eval-devhand-smollm2-adapter-plannerbf0da1e.json", 64, 0, 0),
    ("eval-devhand2-smollm2-adapter-planner39df613.json", "eval-devhand2-smollm2-adapter-plannerbf0da1e.json", 53, 1, 0),
    ("eval-devhand5-smollm2-adapter-planner8636305.json", "eval-devhand5-smollm2-adapter-plannerbf0da1e.json", 296, 3, 0),
    ("eval-devhand6-smollm2-adapter-planner8636305.json", "eval-devhand6-smollm2-adapter-plannerbf0da1e.json", 85, 0, 0),
    # round 3 (this commit: quoted text and codes are named values) against the reports before it
    # (judge sets: no record can change; kept)
    ("eval-shifted-smollm2-adapter-planner39df613.json", "eval-shifted-smollm2-adapter-plannerbf0da1e.json", 251, 0, 0),
    ("eval-val-smollm2-adapter-planner39df613.json", "eval-val-smollm2-adapter-plannerbf0da1e.json", 300, 0, 0),
    ("eval-devhand5-smollm2-adapter-planner39df613.json", "eval-devhand5-smollm2-adapter-planner8636305.json", 296, 1, 0),
    ("eval-devhand6-smollm2-adapter-planner39df613.json", "eval-devhand6-smollm2-adapter-planner8636305.json", 85, 0, 0),
    # stop 31, round 1 (0a1bc7f: follow-up columns, 0 bounds and shouted phrasing need words) against
    # 39df613 (judge sets 0 / 0: kept; docs/training/session31-rule.md)
    ("eval-selhand-smollm2-adapter-planner0a1bc7f.json", "eval-selhand-smollm2-adapter-planner39df613.json", 53, 0, 0),
    ("eval-selhand2-smollm2-adapter-planner0a1bc7f.json", "eval-selhand2-smollm2-adapter-planner39df613.json", 83, 0, 0),
    ("eval-shifted-smollm2-adapter-planner0a1bc7f.json", "eval-shifted-smollm2-adapter-planner39df613.json", 251, 0, 0),
    ("eval-val-smollm2-adapter-planner0a1bc7f.json", "eval-val-smollm2-adapter-planner39df613.json", 300, 1, 0),
    ("eval-devhand-smollm2-adapter-planner0a1bc7f.json", "eval-devhand-smollm2-adapter-planner39df613.json", 64, 0, 1),
    ("eval-devhand2-smollm2-adapter-plannerb814f0f.json", "eval-devhand2-smollm2-adapter-planner39df613.json", 53, 0, 0),
    ("eval-devhand3-smollm2-adapter-planneracc8fd9.json", "eval-devhand3-smollm2-adapter-planner39df613.json", 60, 0, 0),
    ("eval-devhand5-smollm2-adapter-planneracc8fd9.json", "eval-devhand5-smollm2-adapter-planner39df613.json", 296, 0, 0),
    ("eval-devhand6-smollm2-adapter-plannerb814f0f.json", "eval-devhand6-smollm2-adapter-planner39df613.json", 85, 0, 0),
    # round 2 (acc8fd9: a numeric field's range bounds are numbers) against round 1 (judge sets 0 / 0: kept);
    # sets where no plan changed keep one report for both rounds
    ("eval-selhand-smollm2-adapter-planner240d6ac.json", "eval-selhand-smollm2-adapter-planner0a1bc7f.json", 53, 0, 0),
    ("eval-selhand2-smollm2-adapter-planneracc8fd9.json", "eval-selhand2-smollm2-adapter-planner0a1bc7f.json", 83, 0, 0),
    ("eval-shifted-smollm2-adapter-planneracc8fd9.json", "eval-shifted-smollm2-adapter-planner0a1bc7f.json", 251, 0, 0),
    ("eval-val-smollm2-adapter-planneracc8fd9.json", "eval-val-smollm2-adapter-planner0a1bc7f.json", 300, 0, 0),
    ("eval-devhand-smollm2-adapter.json", "eval-devhand-smollm2-adapter-planner0a1bc7f.json", 64, 0, 0),
    # round 3 (4f0040f: words for scan options from dev-hand7) against round 2; no judge or test record can change
    ("eval-shifted-smollm2-adapter-planner4f0040f.json", "eval-shifted-smollm2-adapter-planneracc8fd9.json", 251, 6, 0),
    ("eval-devhand7-smollm2-adapter-planner4f0040f.json", "eval-devhand7-smollm2-adapter-planneracc8fd9.json", 80, 6, 0),
    # round 4 (1120ed0: a follow-up keeps an unset timing; a lone network excludes nothing) against the
    # reports before it (judge sets sel-hand2 and val-fresh 0 / 0: kept)
    ("eval-selhand2-smollm2-adapter-plannerb814f0f.json", "eval-selhand2-smollm2-adapter-planneracc8fd9.json", 83, 0, 0),
    ("eval-valfresh-smollm2-adapter-plannerb814f0f.json", "eval-valfresh-smollm2-adapter-plannerbf0da1e.json", 400, 0, 0),
    ("eval-test-smollm2-adapter-plannerb814f0f.json", "eval-test-smollm2-adapter-plannerbf0da1e.json", 399, 0, 0),
    ("eval-val-smollm2-adapter-planneraae708c.json", "eval-val-smollm2-adapter-planneracc8fd9.json", 300, 0, 0),
    ("eval-devhand3-smollm2-adapter-planner288128c.json", "eval-devhand3-smollm2-adapter-planneracc8fd9.json", 60, 0, 0),
    ("eval-devhand4-smollm2-adapter-planner288128c.json", "eval-devhand4-smollm2-adapter-plannerbf0da1e.json", 80, 0, 0),
    ("eval-shifted-smollm2-adapter-planner1120ed0.json", "eval-shifted-smollm2-adapter-planner4f0040f.json", 251, 0, 0),
    # rounds 4 and 5 together where round 5 changed no plan (dev-hand5, dev-hand7)
    ("eval-devhand5-smollm2-adapter-plannerb814f0f.json", "eval-devhand5-smollm2-adapter-planneracc8fd9.json", 296, 0, 0),
    ("eval-devhand7-smollm2-adapter-plannerb814f0f.json", "eval-devhand7-smollm2-adapter-planner4f0040f.json", 80, 2, 0),
    # round 5 (0ac51f0: words for scan options from dev-hand8) against round 4; no judge or test record can change
    ("eval-shifted-smollm2-adapter-plannerb814f0f.json", "eval-shifted-smollm2-adapter-planner1120ed0.json", 251, 1, 0),
    ("eval-devhand8-smollm2-adapter-plannerb814f0f.json", "eval-devhand8-smollm2-adapter-planner1120ed0.json", 80, 5, 0),
    # 4d30e9d's planner and judge (hits in order when the expected search sorts) against round 1's
    ("eval-test-smollm2-adapter-planner4d30e9d.json", "eval-test-smollm2-adapter-planner39e948f.json", 399, 0, 0),
    ("eval-shifted-smollm2-adapter-planner4d30e9d.json", "eval-shifted-smollm2-adapter-planner39e948f.json", 251, 0, 0),
    ("eval-val-smollm2-adapter-planner4d30e9d.json", "eval-val-smollm2-adapter-planner39e948f.json", 300, 0, 0),
    ("eval-valfresh-smollm2-adapter-planner4d30e9d.json", "eval-valfresh-smollm2-adapter-planner39e948f.json", 400, 0, 0),
    ("eval-valpara-smollm2-adapter-planner4d30e9d.json", "eval-valpara-smollm2-adapter-planner39e948f.json", 300, 0, 0),
    ("eval-selhand-smollm2-adapter-planner4d30e9d.json", "eval-selhand-smollm2-adapter-planner39e948f.json", 53, 0, 0),
    ("eval-selhand2-smollm2-adapter-planner4d30e9d.json", "eval-selhand2-smollm2-adapter-planner39e948f.json", 83, 0, 0),
    ("eval-devhand-smollm2-adapter-planner4d30e9d.json", "eval-devhand-smollm2-adapter-planner39e948f.json", 64, 0, 0),
    ("eval-devhand2-smollm2-adapter-planner4d30e9d.json", "eval-devhand2-smollm2-adapter-planner39e948f.json", 53, 0, 0),
    ("eval-devhand3-smollm2-adapter-planner4d30e9d.json", "eval-devhand3-smollm2-adapter-planner39e948f.json", 60, 0, 0),
    ("eval-devhand4-smollm2-adapter-planner4d30e9d.json", "eval-devhand4-smollm2-adapter-planner39e948f.json", 80, 0, 0),
    ("eval-devhand5-smollm2-adapter-planner4d30e9d.json", "eval-devhand5-smollm2-adapter-planner39e948f.json", 296, 1, 0),
    ("eval-devhand6-smollm2-adapter-planner4d30e9d.json", "eval-devhand6-smollm2-adapter-planner39e948f.json", 85, 0, 0),
    ("eval-valfresh-smollm2-adapter-planner4d30e9d.json", "eval-valfresh-smollm2-adapter-plannerd06e269.json", 400, 0, 0),
    ("eval-valpara-smollm2-adapter-planner4d30e9d.json", "eval-valpara-smollm2-adapter-plannerd06e269.json", 300, 0, 0),
    ("eval-selhand-smollm2-adapter-planner4d30e9d.json", "eval-selhand-smollm2-adapter-plannerd06e269.json", 53, 0, 0),
    ("eval-selhand2-smollm2-adapter-planner4d30e9d.json", "eval-selhand2-smollm2-adapter-plannerd06e269.json", 83, 0, 0),
    # stop 27: the grammar precision rounds, stage 15 throughout (docs/training/session27-rule.md)
    ("eval-valfresh-smollm2-adapter-plannerd13d47c.json", "eval-valfresh-smollm2-adapter-planner85f82a4.json", 400, 1, 0),
    ("eval-selhand2-smollm2-adapter-plannerd13d47c.json", "eval-selhand2-smollm2-adapter-planner85f82a4.json", 83, 1, 0),
    ("eval-valpara-smollm2-adapter-plannerd13d47c.json", "eval-valpara-smollm2-adapter-planner85f82a4.json", 300, 0, 0),
    ("eval-selhand-smollm2-adapter-plannerd13d47c.json", "eval-selhand-smollm2-adapter-planner85f82a4.json", 53, 0, 0),
    ("eval-test-smollm2-adapter-plannerd13d47c.json", "eval-test-smollm2-adapter-planner85f82a4.json", 399, 0, 0),
    ("eval-shifted-smollm2-adapter-plannerd13d47c.json", "eval-shifted-smollm2-adapter-planner85f82a4.json", 251, 0, 0),
    ("eval-valfresh-smollm2-adapter-plannerf548775.json", "eval-valfresh-smollm2-adapter-plannerd13d47c.json", 400, 0, 0),
    ("eval-valfresh-smollm2-adapter-clockjudge.json", "eval-valfresh-smollm2-adapter-plannerf548775.json", 400, 0, 0),
    ("eval-valpara-smollm2-adapter-plannerf548775.json", "eval-valpara-smollm2-adapter-plannerd13d47c.json", 300, 0, 0),
    ("eval-valpara-smollm2-adapter-clockjudge.json", "eval-valpara-smollm2-adapter-plannerf548775.json", 300, 0, 0),
    ("eval-selhand-smollm2-adapter-plannerf548775.json", "eval-selhand-smollm2-adapter-plannerd13d47c.json", 53, 0, 0),
    ("eval-selhand-smollm2-adapter-clockjudge.json", "eval-selhand-smollm2-adapter-plannerf548775.json", 53, 0, 0),
    ("eval-selhand2-smollm2-adapter-plannerf548775.json", "eval-selhand2-smollm2-adapter-plannerd13d47c.json", 83, 0, 0),
    ("eval-selhand2-smollm2-adapter-clockjudge.json", "eval-selhand2-smollm2-adapter-plannerf548775.json", 83, 0, 0),
    ("eval-test-smollm2-adapter-plannerf548775.json", "eval-test-smollm2-adapter-plannerd13d47c.json", 399, 0, 0),
    ("eval-test-smollm2-adapter-clockjudge.json", "eval-test-smollm2-adapter-plannerf548775.json", 399, 0, 0),
    ("eval-shifted-smollm2-adapter-plannerf548775.json", "eval-shifted-smollm2-adapter-plannerd13d47c.json", 251, 0, 0),
    ("eval-shifted-smollm2-adapter-clockjudge.json", "eval-shifted-smollm2-adapter-plannerf548775.json", 251, 0, 0),
    ("eval-devhand6-smollm2-adapter-clockjudge.json", "eval-devhand6-smollm2-adapter-planner85f82a4.json", 85, 2, 0),
    ("eval-devhand5-smollm2-adapter-clockjudge.json", "eval-devhand5-smollm2-adapter-planner85f82a4.json", 296, 3, 0),
    ("eval-devhand-smollm2-adapter-clockjudge.json", "eval-devhand-smollm2-adapter-planner85f82a4.json", 64, 0, 0),
    ("eval-devhand2-smollm2-adapter-clockjudge.json", "eval-devhand2-smollm2-adapter-planner85f82a4.json", 53, 0, 0),
    ("eval-devhand3-smollm2-adapter-clockjudge.json", "eval-devhand3-smollm2-adapter-planner85f82a4.json", 60, 0, 0),
    ("eval-devhand4-smollm2-adapter-clockjudge.json", "eval-devhand4-smollm2-adapter-planner85f82a4.json", 80, 0, 0),
    ("eval-val-smollm2-adapter-clockjudge.json", "eval-val-smollm2-adapter-planner85f82a4.json", 300, 0, 0),
    # stage 17 (not shipped) against stage 15: docs/training/stage17-rule.md
    ("eval-selhand-smollm2-adapter-stage17-not-shipped.json", "eval-selhand-smollm2-adapter-planner85f82a4.json", 53, 2, 0),
    ("eval-selhand2-smollm2-adapter-stage17-not-shipped.json", "eval-selhand2-smollm2-adapter-planner85f82a4.json", 83, 4, 1),
    ("eval-valfresh-smollm2-adapter-stage17-not-shipped.json", "eval-valfresh-smollm2-adapter-planner85f82a4.json", 400, 2, 6),
    ("eval-valpara-smollm2-adapter-stage17-not-shipped.json", "eval-valpara-smollm2-adapter-planner85f82a4.json", 300, 2, 12),
    # the stage 15+16 blend (w = 0.25, not shipped) against stage 15: docs/training/blend1516-rule.md
    ("eval-selhand-smollm2-adapter-blend1516-not-shipped.json", "eval-selhand-smollm2-adapter-planner85f82a4.json", 53, 2, 1),
    ("eval-selhand2-smollm2-adapter-blend1516-not-shipped.json", "eval-selhand2-smollm2-adapter-planner85f82a4.json", 83, 1, 1),
    ("eval-valfresh-smollm2-adapter-blend1516-not-shipped.json", "eval-valfresh-smollm2-adapter-planner85f82a4.json", 400, 3, 1),
    ("eval-valpara-smollm2-adapter-blend1516-not-shipped.json", "eval-valpara-smollm2-adapter-planner85f82a4.json", 300, 1, 4),
    ("eval-devhand6-smollm2-adapter-blend1516-not-shipped.json", "eval-devhand6-smollm2-adapter-planner85f82a4.json", 85, 2, 0),
    ("eval-val-smollm2-adapter-blend1516-not-shipped.json", "eval-val-smollm2-adapter-planner85f82a4.json", 300, 3, 1),
    # stage 16 (not shipped) against stage 15, both under 95677df's planner: docs/training/stage16-rule.md
    ("eval-selhand-smollm2-adapter-stage16-not-shipped.json", "eval-selhand-smollm2-adapter-planner85f82a4.json", 53, 1, 0),
    ("eval-selhand2-smollm2-adapter-stage16-not-shipped.json", "eval-selhand2-smollm2-adapter-planner85f82a4.json", 83, 7, 4),
    ("eval-valfresh-smollm2-adapter-stage16-not-shipped.json", "eval-valfresh-smollm2-adapter-planner85f82a4.json", 400, 4, 4),
    ("eval-valpara-smollm2-adapter-stage16-not-shipped.json", "eval-valpara-smollm2-adapter-planner85f82a4.json", 300, 4, 11),
    # this planner (43479f4: rules from dev-hand5's and dev-hand6's failures) against 04d37e5's
    # (= 4306c1a's behaviour), stage 15; the first three decided by docs/training/session24-rule.md.
    # dev-hand5, dev-hand6, sel-hand2 and val ran again under 7ee9c27 (the nothing-to-search
    # pre-check), which changes no pre-check answer of the other sets
    ("eval-valfresh-smollm2-adapter-planner85f82a4.json", "eval-valfresh-smollm2-adapter-planner04d37e5.json", 400, 1, 0),
    ("eval-valpara-smollm2-adapter-planner85f82a4.json", "eval-valpara-smollm2-adapter-planner04d37e5.json", 300, 0, 0),
    ("eval-selhand-smollm2-adapter-planner85f82a4.json", "eval-selhand-smollm2-adapter-planner04d37e5.json", 53, 0, 0),
    ("eval-test-smollm2-adapter-planner85f82a4.json", "eval-test-smollm2-adapter-planner04d37e5.json", 399, 0, 0),
    ("eval-shifted-smollm2-adapter-planner85f82a4.json", "eval-shifted-smollm2-adapter-planner04d37e5.json", 251, 1, 0),
    ("eval-selhand2-smollm2-adapter-planner85f82a4.json", "eval-selhand2-smollm2-adapter-planner4306c1a.json", 83, 0, 0),
    ("eval-devhand5-smollm2-adapter-planner7ee9c27.json", "eval-devhand5-smollm2-adapter-plannerfe16cfa.json", 296, 20, 0),
    # 85f82a4's reach fixes (docs/training/session25-rule.md) against 7ee9c27's planner, stage 15
    ("eval-devhand5-smollm2-adapter-planner85f82a4.json", "eval-devhand5-smollm2-adapter-planner7ee9c27.json", 296, 2, 0),
    ("eval-devhand6-smollm2-adapter-planner85f82a4.json", "eval-devhand6-smollm2-adapter-plannerf015c6f.json", 85, 4, 0),
    ("eval-devhand4-smollm2-adapter-planner85f82a4.json", "eval-devhand4-smollm2-adapter-planner04d37e5.json", 80, 1, 0),
    ("eval-devhand3-smollm2-adapter-planner85f82a4.json", "eval-devhand3-smollm2-adapter-planner04d37e5.json", 60, 1, 0),
    ("eval-devhand2-smollm2-adapter-planner85f82a4.json", "eval-devhand2-smollm2-adapter-planner04d37e5.json", 53, 0, 0),
    ("eval-devhand-smollm2-adapter-planner85f82a4.json", "eval-devhand-smollm2-adapter-plannercfb5e0d.json", 64, 0, 0),
    ("eval-val-smollm2-adapter-planner85f82a4.json", "eval-val-smollm2-adapter-plannercfb5e0d.json", 300, 1, 0),
    # 04d37e5's planner (the run-a-scan pre-check, no --open for "is N open on X") against cfb5e0d's, stage 15
    ("eval-test-smollm2-adapter-planner04d37e5.json", "eval-test-smollm2-adapter-plannercfb5e0d.json", 399, 0, 0),
    ("eval-shifted-smollm2-adapter-planner04d37e5.json", "eval-shifted-smollm2-adapter-plannercfb5e0d.json", 251, 1, 0),
    ("eval-devhand4-smollm2-adapter-planner04d37e5.json", "eval-devhand4-smollm2-adapter-plannercfb5e0d.json", 80, 2, 0),
    ("eval-devhand2-smollm2-adapter-planner04d37e5.json", "eval-devhand2-smollm2-adapter-plannercfb5e0d.json", 53, 1, 0),
    ("eval-selhand-smollm2-adapter-planner04d37e5.json", "eval-selhand-smollm2-adapter-plannercfb5e0d.json", 53, 1, 0),
    ("eval-valpara-smollm2-adapter-planner04d37e5.json", "eval-valpara-smollm2-adapter-plannercfb5e0d.json", 300, 0, 0),
    ("eval-valfresh-smollm2-adapter-planner04d37e5.json", "eval-valfresh-smollm2-adapter-plannercfb5e0d.json", 400, 0, 0),
    ("eval-devhand3-smollm2-adapter-planner04d37e5.json", "eval-devhand3-smollm2-adapter-plannercfb5e0d.json", 60, 0, 0),
    # stage 15 (shipped) against stage 12, both under cfb5e0d's planner, after the choice
    ("eval-test-smollm2-adapter-plannercfb5e0d.json", "eval-test-smollm2-adapter-stage12.json", 399, 11, 3),
    ("eval-shifted-smollm2-adapter-plannercfb5e0d.json", "eval-shifted-smollm2-adapter-stage12.json", 251, 17, 10),
    ("eval-devhand4-smollm2-adapter-plannercfb5e0d.json", "eval-devhand4-smollm2-adapter-stage12.json", 80, 7, 1),
    # cfb5e0d's planner (the dev-hand4 rules) against 310a8b7's, stage 12 both
    ("eval-test-smollm2-adapter-stage12.json", "eval-test-smollm2-adapter-stage12-planner310a8b7.json", 399, 1, 0),
    ("eval-shifted-smollm2-adapter-stage12.json", "eval-shifted-smollm2-adapter-stage12-planner310a8b7.json", 251, 0, 0),
    ("eval-devhand4-smollm2-adapter-stage12.json", "eval-devhand4-smollm2-adapter-planner22a077b.json", 80, 8, 0),
    # stage 15's candidates against stage 12, all under c08c04c's planner (its rule: >= 4 net of 753)
    ("eval-valfresh-smollm2-adapter-stage15a-plannerc08c04c.json", "eval-valfresh-smollm2-adapter-stage12-plannerc08c04c.json",
     400, 6, 4),
    ("eval-valpara-smollm2-adapter-stage15a-plannerc08c04c.json", "eval-valpara-smollm2-adapter-stage12-plannerc08c04c.json",
     300, 6, 2),
    ("eval-selhand-smollm2-adapter-stage15a-plannerc08c04c.json", "eval-selhand-smollm2-adapter-stage12-plannerc08c04c.json",
     53, 3, 3),
    ("eval-valfresh-smollm2-adapter-stage15b-not-shipped-plannerc08c04c.json",
     "eval-valfresh-smollm2-adapter-stage12-plannerc08c04c.json", 400, 5, 4),
    ("eval-valpara-smollm2-adapter-stage15b-not-shipped-plannerc08c04c.json",
     "eval-valpara-smollm2-adapter-stage12-plannerc08c04c.json", 300, 6, 7),
    ("eval-selhand-smollm2-adapter-stage15c-not-shipped-plannerc08c04c.json",
     "eval-selhand-smollm2-adapter-stage12-plannerc08c04c.json", 53, 6, 3),
    # this planner against 2e14e44's on dev-hand3: its three words, two scan rules and 'knock on'
    ("eval-devhand3-smollm2-adapter-stage12-planner310a8b7.json", "eval-devhand3-smollm2-adapter-planner2e14e44.json", 60, 4, 0),
    ("eval-valfresh-smollm2-adapter-plannerb0a088f.json", "eval-valfresh-smollm2-adapter-plannerbe9b891.json", 400, 0, 0),
    ("eval-valpara-smollm2-adapter-plannerb0a088f.json", "eval-valpara-smollm2-adapter-plannerbe9b891.json", 300, 0, 0),
    # this planner against c51757e's, stage 12 both: the rules written from dev-hand2's and val's failures
    # (and dev-hand3's, which changed none of these splits: 0 / 0 against be9b891's on each)
    ("eval-test-smollm2-adapter-stage12-planner310a8b7.json", "eval-test-smollm2-adapter-plannerc51757e.json", 399, 0, 0),
    ("eval-shifted-smollm2-adapter-stage12-planner310a8b7.json", "eval-shifted-smollm2-adapter-plannerc51757e.json", 251, 0, 2),
    ("eval-selhand-smollm2-adapter-stage12-planner310a8b7.json", "eval-selhand-smollm2-adapter-plannerc51757e.json", 53, 0, 0),
    ("eval-devhand-smollm2-adapter-stage12-planner310a8b7.json", "eval-devhand-smollm2-adapter-plannerc51757e.json", 64, 0, 1),
    ("eval-devhand2-smollm2-adapter-stage12-planner310a8b7.json", "eval-devhand2-smollm2-adapter-plannerc51757e.json", 53, 3, 0),
    ("eval-valfresh-smollm2-adapter-plannerbe9b891.json", "eval-valfresh-smollm2-adapter-plannerc51757e.json", 400, 1, 0),
    ("eval-valpara-smollm2-adapter-plannerbe9b891.json", "eval-valpara-smollm2-adapter-plannerc51757e.json", 300, 0, 0),
    ("eval-val-smollm2-adapter-plannerbe9b891.json", "eval-val-smollm2-adapter-planner5c3a075.json", 300, 1, 0),
    # stage 14 (not shipped) against stage 12 on sel-hand, both under 5c3a075's planner: net -2 < 2
    ("eval-selhand-smollm2-adapter-stage14-not-shipped.json", "eval-selhand-smollm2-adapter-planner5c3a075.json", 53, 3, 5),
    # c51757e's planner against 8f15e7e's, stage 12 both: the rules written from val's failures
    ("eval-test-smollm2-adapter-plannerc51757e.json", "eval-test-smollm2-adapter-planner8f15e7e.json", 399, 1, 0),
    ("eval-shifted-smollm2-adapter-plannerc51757e.json", "eval-shifted-smollm2-adapter-planner8f15e7e.json", 251, 2, 1),
    ("eval-selhand-smollm2-adapter-plannerc51757e.json", "eval-selhand-smollm2-adapter-planner8f15e7e.json", 53, 1, 0),
    ("eval-devhand2-smollm2-adapter-plannerc51757e.json", "eval-devhand2-smollm2-adapter-planner8f15e7e.json", 53, 0, 0),
    ("eval-valfresh-smollm2-adapter-plannerc51757e.json", "eval-valfresh-smollm2-adapter-stage12-planner8f15e7e.json", 400, 1, 1),
    ("eval-valpara-smollm2-adapter-plannerc51757e.json", "eval-valpara-smollm2-adapter-stage12-planner8f15e7e.json", 300, 0, 0),
    ("eval-test-gemma3-adapter-stage1-plannerc51757e.json", "eval-test-gemma3-adapter-stage1.json", 399, 6, 0),
    # Gemma 3 270M's stage-1 adapter against SmolLM2's stage 12, both under 8f15e7e's planner (= 4d6288d's)
    ("eval-selhand-gemma3-adapter-stage1.json", "eval-selhand-smollm2-adapter-planner8f15e7e.json", 53, 8, 12),
    ("eval-test-gemma3-adapter-stage1.json", "eval-test-smollm2-adapter-planner8f15e7e.json", 399, 4, 132),
    ("eval-shifted-gemma3-adapter-stage1.json", "eval-shifted-smollm2-adapter-planner8f15e7e.json", 251, 12, 72),
    # 8f15e7e's planner against 24a06d9's, stage 12 both: the dev-hand2 rules
    ("eval-test-smollm2-adapter-planner8f15e7e.json", "eval-test-smollm2-adapter-planner24a06d9.json", 399, 0, 0),
    ("eval-shifted-smollm2-adapter-planner8f15e7e.json", "eval-shifted-smollm2-adapter-planner24a06d9.json", 251, 3, 0),
    ("eval-selhand-smollm2-adapter-planner8f15e7e.json", "eval-selhand-smollm2-adapter-planner24a06d9.json", 53, 2, 0),
    ("eval-devhand2-smollm2-adapter-planner8f15e7e.json", "eval-devhand2-smollm2-adapter-planner24a06d9.json", 53, 11, 0),
    # stage 13 (not shipped) against stage 12 on sel-hand, both under 37d62a8's planner: net +1 < 2
    ("eval-selhand-smollm2-adapter-stage13-not-shipped.json", "eval-selhand-smollm2-adapter-planner37d62a8.json", 53, 4, 3),
    ("eval-valpara-smollm2-adapter-stage12-planner8f15e7e.json", "eval-valpara-smollm2-adapter-stage10.json", 300, 11, 5),  # stage 12 vs 10
    ("eval-valfresh-smollm2-adapter-stage12-planner8f15e7e.json", "eval-valfresh-smollm2-adapter-stage10.json", 400, 9, 3),
    ("eval-valpara-smollm2-adapter-stage10-planner942ef33.json", "eval-valpara-smollm2-adapter-stage9.json", 300, 17, 6),
    ("eval-valpara-smollm2-adapter-stage9.json", "eval-valpara-smollm2-adapter-stage8.json", 300, 12, 7),
    ("eval-valpara-smollm2-adapter-stage8.json", "eval-valpara-smollm2-adapter-stage7.json", 300, 15, 3),
    ("eval-valpara-smollm2-adapter-stage7.json", "eval-valpara-smollm2-adapter-stage6.json", 300, 17, 8),
])
def test_the_committed_choices_reproduce(new, old, n, fixed, broken):
    """The model card's fixed/broken counts on val-para and val-fresh come out of the committed reports."""
    pair = compare.paired(compare.load(DOCS / new), compare.load(DOCS / old))
    assert (pair.n, pair.fixed, pair.broken) == (n, fixed, broken)
