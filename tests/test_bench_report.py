"""operatorx.bench.report: when a report was written."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from operatorx.bench import report

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _git(cwd, *args, **env):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t", **env})


def test_a_committed_report_is_dated_by_its_commit_not_by_the_checkout(tmp_path):
    """A fresh clone stamps every file with the clone's time: BENCHMARKS.md would have dated
    every report to it."""
    _git(tmp_path, "init", "-q")
    path = tmp_path / "eval-test.json"
    path.write_text("{}")
    _git(tmp_path, "add", "eval-test.json")
    _git(tmp_path, "commit", "-qm", "x", GIT_COMMITTER_DATE="2026-12-01T10:20:00Z", GIT_AUTHOR_DATE="2026-12-01T10:20:00Z")
    os.utime(path, (1_900_000_000, 1_900_000_000))  # the checkout's time, much later
    assert report._written(path) == "2026-12-01 10:20 UTC"
    _git(tmp_path, "mv", "eval-test.json", "eval-test-planner1.json")  # kept under its planner's name
    _git(tmp_path, "commit", "-qm", "y", GIT_COMMITTER_DATE="2026-12-02T08:00:00Z", GIT_AUTHOR_DATE="2026-12-02T08:00:00Z")
    assert report._written(tmp_path / "eval-test-planner1.json") == "2026-12-01 10:20 UTC"
    # a new run on the same set (its timings differ on many lines; git --follow sees a 9x % copy)
    # is its own measurement; the same report with its label edited is the old measurement
    lines = [f'"record {i}": {{"match": true, "seconds": 0.{i:02d}}},' for i in range(60)]
    (tmp_path / "eval-val.json").write_text('{\n"model": "stage 1",\n' + "\n".join(lines) + '\n"end": 0}\n')
    _git(tmp_path, "add", "eval-val.json")
    _git(tmp_path, "commit", "-qm", "z", GIT_COMMITTER_DATE="2026-12-03T09:00:00Z", GIT_AUTHOR_DATE="2026-12-03T09:00:00Z")
    rerun = [line.replace("0.", "1.") if i % 12 == 0 else line for i, line in enumerate(lines)]
    (tmp_path / "eval-val-blend.json").write_text('{\n"model": "blend",\n' + "\n".join(rerun) + '\n"end": 0}\n')
    (tmp_path / "eval-val-stage1.json").write_text('{\n"model": "stage 1 (renamed)",\n' + "\n".join(lines) + '\n"end": 0}\n')
    _git(tmp_path, "add", "eval-val-blend.json", "eval-val-stage1.json")
    _git(tmp_path, "commit", "-qm", "w", GIT_COMMITTER_DATE="2026-12-04T11:30:00Z", GIT_AUTHOR_DATE="2026-12-04T11:30:00Z")
    assert report._written(tmp_path / "eval-val-blend.json") == "2026-12-04 11:30 UTC"
    assert report._written(tmp_path / "eval-val-stage1.json") == "2026-12-03 09:00 UTC"
    path.write_text('{"changed": true}')  # written since the commit: its own time
    os.utime(path, (1_900_000_000, 1_900_000_000))
    assert report._written(path) == "2030-03-17 17:46 UTC"


def test_a_report_outside_git_is_dated_by_the_file(tmp_path):
    path = tmp_path / "eval-test.json"
    path.write_text("{}")
    os.utime(path, (1_900_000_000, 1_900_000_000))
    assert report._written(path) == "2030-03-17 17:46 UTC"


def test_a_report_that_says_when_it_was_measured_is_dated_by_that(tmp_path):
    path = tmp_path / "eval-test.json"
    path.write_text("{}")
    os.utime(path, (1_900_000_000, 1_900_000_000))
    assert report._written(path, {"written": "2026-12-06T19:56:43+00:00"}) == "2026-12-06 19:56 UTC"
    assert report._written(path, {"written": "not a time"}) == "2030-03-17 17:46 UTC"
