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
    path.write_text('{"changed": true}')  # written since the commit: its own time
    os.utime(path, (1_900_000_000, 1_900_000_000))
    assert report._written(path) == "2030-03-17 17:46 UTC"


def test_a_report_outside_git_is_dated_by_the_file(tmp_path):
    path = tmp_path / "eval-test.json"
    path.write_text("{}")
    os.utime(path, (1_900_000_000, 1_900_000_000))
    assert report._written(path) == "2030-03-17 17:46 UTC"
