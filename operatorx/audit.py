"""Append-only, hash-chained audit log of every proposed, refused, confirmed and executed call.

Each JSONL line carries ``prev`` (the previous line's hash) and ``hash`` =
sha256(prev + canonical JSON of the entry without ``hash``), so editing, deleting or
reordering any line breaks the chain and ``operatorx audit verify`` names the first bad line.
Writes are flushed and fsync'd before the caller goes on: the executor refuses to run a call
whose record could not be written.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from operatorx.errors import OperatorXError

GENESIS = "0" * 64
EVENTS = ("proposed", "refused", "confirmed", "denied", "executed", "failed", "cancelled")


class AuditError(OperatorXError):
    """The audit log cannot be written; nothing may execute."""


def canonical(obj) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(entry: dict) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256((entry.get("prev", "") + canonical(body)).encode()).hexdigest()


def _last_line(f) -> str | None:
    f.seek(0, os.SEEK_END)
    end = f.tell()
    if end == 0:
        return None
    pos, chunk, buf = end, 4096, b""
    while pos > 0:
        step = min(chunk, pos)
        pos -= step
        f.seek(pos)
        buf = f.read(step) + buf
        lines = buf.rstrip(b"\n").split(b"\n")
        if len(lines) > 1 or pos == 0:
            return lines[-1].decode("utf-8", errors="replace")
    return None


class AuditLog:
    """One log file. Safe across processes: an exclusive flock is held while appending
    (closing the file releases it)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def append(self, event: str, **data) -> dict:
        if event not in EVENTS:
            raise ValueError(f"unknown audit event {event!r}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
            f = os.fdopen(fd, "r+b", buffering=0)
        except OSError as e:
            raise AuditError(
                f"Cannot open the audit log {self.path}: {e.strerror}; nothing was executed."
            ) from e
        with f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX)
                last = _last_line(f)
                prev, seq = GENESIS, 0
                if last:
                    try:
                        rec = json.loads(last)
                        prev, seq = rec["hash"], int(rec["seq"]) + 1
                    except (ValueError, KeyError, TypeError):
                        raise AuditError(
                            f"The audit log {self.path} ends in a damaged line; run `operatorx audit verify`. "
                            "Nothing was executed."
                        ) from None
                entry = {
                    "seq": seq,
                    "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
                    "event": event,
                    **data,
                    "prev": prev,
                }
                entry["hash"] = entry_hash(entry)
                end = f.seek(0, os.SEEK_END)
                line = (canonical(entry) + "\n").encode("utf-8")
                try:
                    # A full disk (or a file-size limit) can cut a write short without an error;
                    # a partial line would break the chain for every later entry.
                    if f.write(line) != len(line):
                        raise OSError(errno.ENOSPC, "the disk is full (the entry was cut short)")
                    f.flush()
                    os.fsync(f.fileno())
                except OSError:
                    with contextlib.suppress(OSError):
                        os.ftruncate(f.fileno(), end)  # back to the last complete entry
                    raise
                return entry
            except OSError as e:
                raise AuditError(
                    f"Cannot write the audit log {self.path}: {e.strerror}; nothing was executed."
                ) from e

    def entries(self) -> list[dict]:
        if not self.path.exists():
            return []
        out = []
        with self.path.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    out.append(json.loads(line))
        return out


@dataclass
class VerifyReport:
    ok: bool
    entries: int
    problems: list[str] = field(default_factory=list)

    def text(self) -> str:
        if self.ok:
            return f"OK: {self.entries} entries, hash chain intact."
        return f"TAMPERED or damaged ({self.entries} lines read):\n" + "\n".join(
            f"  - {p}" for p in self.problems
        )


def verify(path: str | Path) -> VerifyReport:
    """Walk the chain; report the first line whose content, order or link does not fit."""
    p = Path(path)
    if not p.exists():
        return VerifyReport(True, 0)
    prev, n, problems = GENESIS, 0, []
    with p.open(encoding="utf-8", errors="replace") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                problems.append(f"line {lineno}: empty line")
                continue
            n += 1
            try:
                rec = json.loads(line)
            except ValueError:
                problems.append(f"line {lineno}: not valid JSON")
                break
            if not isinstance(rec, dict) or "hash" not in rec:
                problems.append(f"line {lineno}: not an audit entry")
                break
            if rec.get("seq") != n - 1:
                problems.append(f"line {lineno}: sequence number {rec.get('seq')} where {n - 1} was expected")
            if rec.get("prev") != prev:
                problems.append(
                    f"line {lineno}: does not link to the line before it (deleted or reordered lines)"
                )
            if entry_hash(rec) != rec["hash"]:
                problems.append(f"line {lineno}: content does not match its hash (edited)")
            if problems:
                break
            prev = rec["hash"]
    return VerifyReport(not problems, n, problems)
