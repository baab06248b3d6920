"""Run nmap: no shell, live progress, cancel and a time limit that leave no process behind.

nmap starts in its own session (``start_new_session=True``), so stopping it means signalling
that process group: SIGTERM (nmap cleans up and exits), then SIGKILL after two seconds. A
reader thread drains stdout (the XML, with ``<taskprogress>`` lines thanks to
``--stats-every``) and another drains stderr, so a chatty nmap can never block on a full
pipe; progress callbacks run on the caller's thread, between 100 ms polls of ``cancel`` and
of the deadline. Whatever ends the wait — a result, a cancel, a timeout, an exception in the
callback — the ``finally`` block stops the process group if nmap is still running.

Privileges. Raw-socket work needs root (or CAP_NET_RAW): SYN, UDP, ACK, FIN, NULL and Xmas
scans, OS detection (also inside ``-A``) and traceroute. The executor calls
``adapt_for_privileges`` *before* the confirmation card, so the argv shown is the argv run;
``run_scan`` itself never changes the scan. Without privileges:

* a SYN scan becomes a TCP connect scan, with a note — same question, slower and logged by
  the target, but it answers what was asked;
* the default technique is written out as a connect scan (``-sT``), which is what an
  unprivileged nmap picks itself; spelling it out keeps the result the same when
  ``nmap.privileged = false`` is set for a root user;
* UDP, ACK/FIN/NULL/Xmas, OS detection, aggressive mode and traceroute are refused with
  ValidationFailed: they have no unprivileged equivalent, and dropping them silently would
  run a scan the analyst did not ask for.

``privileged(config)`` is ``nmap.privileged`` when set, else "running as root".
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable

from operatorx.config import Config, NmapConfig
from operatorx.errors import ExecutionFailed, ToolUnavailable, ValidationFailed
from operatorx.schemas.nmap import NmapScan
from operatorx.tools.nmap.results import ScanProgress, ScanResult, parse_progress_line, parse_xml

POLL_S = 0.1
TERM_GRACE_S = 2.0
_RAW_TECHNIQUES = {"syn": "SYN scan (-sS)", "ack": "ACK scan (-sA)", "fin": "FIN scan (-sF)"}
_RAW_TECHNIQUES |= {"null": "NULL scan (-sN)", "xmas": "Xmas scan (-sX)", "udp": "UDP scan (-sU)"}
_EOF = object()


def requires_privileges(scan: NmapScan) -> list[str]:
    """What in this scan needs root (raw sockets), as short names; empty if nothing does."""
    needs = []
    if scan.technique in _RAW_TECHNIQUES:
        needs.append(_RAW_TECHNIQUES[scan.technique])
    if scan.udp and scan.technique != "udp":
        needs.append(_RAW_TECHNIQUES["udp"])
    if scan.os_detection:
        needs.append("OS detection (-O)")
    if scan.aggressive:
        needs.append("OS detection and traceroute in aggressive mode (-A)")
    if scan.traceroute:
        needs.append("traceroute (--traceroute)")
    return needs


def privileged(config: NmapConfig | Config) -> bool:
    """May raw-socket techniques be used? ``nmap.privileged`` if set, else whether we are root."""
    nmap_config = config.nmap if isinstance(config, Config) else config
    if nmap_config.privileged is not None:
        return nmap_config.privileged
    return os.geteuid() == 0


def adapt_for_privileges(scan: NmapScan, privileged: bool) -> tuple[NmapScan, list[str]]:
    """The scan that can run with these privileges, and notes on what changed.

    Raises ValidationFailed for what needs root and has no unprivileged form (see the module
    docstring). Call it before the command is shown, so that the argv confirmed is the argv run.
    """
    if privileged:
        return scan, []
    notes = []
    changes: dict[str, object] = {}
    if scan.technique == "syn":
        changes["technique"] = "connect"
        notes.append("SYN scan needs root; using a TCP connect scan instead.")
    elif scan.technique == "default":
        changes["technique"] = "connect"
    adapted = scan.model_copy(update=changes)
    refused = requires_privileges(adapted)
    if refused:
        hint = (
            " For service details without root, ask for service/version detection (-sV) with the default scripts."
            if scan.aggressive or scan.os_detection
            else ""
        )
        raise ValidationFailed(
            f"{_join(refused)} need{'s' if len(refused) == 1 else ''} root privileges, which OperatorX "
            f"does not have here (run it as root or set nmap.privileged).{hint}"
        )
    return NmapScan.model_validate(adapted.model_dump()), notes


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def resolve_binary(config: NmapConfig) -> str:
    """The nmap executable's full path; ToolUnavailable with the install hint if there is none."""
    path = shutil.which(config.binary)
    if path is None:
        raise ToolUnavailable(
            f"nmap is not installed (apt-get install nmap), or nmap.binary = {config.binary!r} "
            "is not an executable on PATH."
        )
    return path


def run_scan(
    scan: NmapScan,
    *,
    config: NmapConfig,
    progress: Callable[[ScanProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> ScanResult:
    """Run ``scan.to_argv()`` (with argv[0] resolved from ``config.binary``) and parse its XML.

    Raises ToolUnavailable (no nmap), ExecutionFailed (nonzero exit, unreadable output,
    cancelled, over ``config.max_duration_s``).
    """
    argv = scan.to_argv()
    command = [resolve_binary(config), *argv[1:]]
    if cancel is not None and cancel.is_set():
        raise ExecutionFailed("Scan cancelled before nmap started.")
    try:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            encoding="utf-8",
            errors="replace",
        )
    except OSError as e:
        raise ToolUnavailable(f"nmap could not be started ({command[0]}: {e.strerror or e}).") from None
    events: queue.Queue = queue.Queue()
    chunks: list[str] = []
    stderr_tail: deque[str] = deque(maxlen=40)
    readers = [
        threading.Thread(target=_read_stdout, args=(proc.stdout, chunks, events), daemon=True),
        threading.Thread(target=_read_stderr, args=(proc.stderr, stderr_tail), daemon=True),
    ]
    for t in readers:
        t.start()
    deadline = time.monotonic() + config.max_duration_s
    eof = False
    try:
        while not (eof and proc.poll() is not None):
            item = None
            if eof:  # stdout is closed: wait for nmap to exit, not POLL_S for output that cannot come
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=POLL_S)
            else:
                with contextlib.suppress(queue.Empty):
                    item = events.get(timeout=POLL_S)
            if item is _EOF:
                eof = True
            elif item is not None and progress is not None:
                progress(item)
            if cancel is not None and cancel.is_set():
                _stop(proc)
                raise ExecutionFailed("Scan cancelled; nmap was stopped and its partial results discarded.")
            if time.monotonic() > deadline:
                _stop(proc)
                raise ExecutionFailed(
                    f"Scan stopped: it ran past the {config.max_duration_s} s limit (nmap.max_duration_s)."
                )
        returncode = proc.returncode
    finally:
        if proc.poll() is None:
            _stop(proc)
        for t in readers:
            t.join(timeout=TERM_GRACE_S)
    if returncode != 0:
        how = f"was killed by signal {-returncode}" if returncode < 0 else f"exited with status {returncode}"
        tail = " ".join(line.strip() for line in stderr_tail if line.strip())[-600:]
        raise ExecutionFailed(f"nmap {how}: {tail or 'no error message'}")
    result = parse_xml("".join(chunks), argv=argv)
    warnings = [f"nmap: {line.strip()}" for line in stderr_tail if line.strip()][:5]
    if warnings:
        result = result.model_copy(update={"notes": [*result.notes, *warnings]})
    return result


def _read_stdout(stream, chunks: list[str], events: queue.Queue) -> None:
    try:
        for line in stream:
            chunks.append(line)
            p = parse_progress_line(line)
            if p is not None:
                events.put(p)
    finally:
        events.put(_EOF)


def _read_stderr(stream, tail: deque[str]) -> None:
    for line in stream:
        tail.append(line)


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the process group, SIGKILL it after the grace period, and reap nmap."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)  # the group id is nmap's pid (start_new_session)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=TERM_GRACE_S)
            break
        except subprocess.TimeoutExpired:
            continue
    proc.wait()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # anything nmap left in its group (the id stays reserved)
