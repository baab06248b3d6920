"""The audit log is append-only and hash-chained; tampering of any kind is detected."""

import json
import os

import pytest

from operatorx.audit import AuditError, AuditLog, verify


def filled(tmp_path, n=5):
    log = AuditLog(tmp_path / "audit.jsonl")
    for i in range(n):
        log.append("proposed", tool="nmap", argv=["nmap", f"10.0.0.{i}"])
    return log


def test_chain_verifies_and_sequence_increases(tmp_path):
    log = filled(tmp_path)
    entries = log.entries()
    assert [e["seq"] for e in entries] == list(range(5))
    assert all(b["prev"] == a["hash"] for a, b in zip(entries, entries[1:], strict=False))
    report = verify(log.path)
    assert report.ok and report.entries == 5


def test_a_second_writer_continues_the_chain(tmp_path):
    filled(tmp_path, 2)
    AuditLog(tmp_path / "audit.jsonl").append("denied", tool="nmap", by="terminal prompt")
    assert verify(tmp_path / "audit.jsonl").ok


def _rewrite(path, fn):
    lines = path.read_text().splitlines()
    path.write_text("\n".join(fn(lines)) + "\n")


def test_edited_line_is_detected(tmp_path):
    log = filled(tmp_path)

    def edit(lines):
        rec = json.loads(lines[2])
        rec["argv"] = ["nmap", "8.8.8.8"]
        lines[2] = json.dumps(rec)
        return lines

    _rewrite(log.path, edit)
    report = verify(log.path)
    assert not report.ok and "line 3" in report.problems[0] and "edited" in report.problems[0]


def test_deleted_line_is_detected(tmp_path):
    log = filled(tmp_path)
    _rewrite(log.path, lambda lines: lines[:1] + lines[2:])
    report = verify(log.path)
    assert not report.ok and "line 2" in report.problems[0]


def test_reordered_lines_are_detected(tmp_path):
    log = filled(tmp_path)
    _rewrite(log.path, lambda lines: [lines[0], lines[2], lines[1], *lines[3:]])
    assert not verify(log.path).ok


def test_truncated_tail_leaves_a_valid_prefix(tmp_path):
    """A hash chain cannot see lines cut from the end (a known limit of any local chain,
    documented in the README); what is left must still verify, with its count reported."""
    log = filled(tmp_path)
    _rewrite(log.path, lambda lines: lines[:3])
    assert verify(log.path).entries == 3


def test_unknown_event_is_a_programming_error(tmp_path):
    with pytest.raises(ValueError):
        AuditLog(tmp_path / "a.jsonl").append("exploded")


def test_disk_full_is_a_clear_error(tmp_path):
    if not os.path.exists("/dev/full"):
        pytest.skip("/dev/full not available")
    with pytest.raises(AuditError, match="nothing was executed"):
        AuditLog("/dev/full").append("proposed", tool="nmap")


def test_unwritable_location_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(AuditError, match="Cannot open the audit log"):
        AuditLog(blocker / "audit.jsonl").append("proposed", tool="nmap")


def test_damaged_last_line_blocks_appending(tmp_path):
    log = filled(tmp_path, 2)
    with log.path.open("a") as f:
        f.write("{not json\n")
    with pytest.raises(AuditError, match="damaged"):
        log.append("proposed", tool="nmap")
