"""What OperatorX adds on top of the tools it drives.

    .venv/bin/python -m operatorx.bench.overhead [--repeat N] [--json OUT] [--es-url URL] [--start-es]

* **Scan.** Two loopback scans (TCP connect on 127.0.0.1: ports 1-1000 plus one open port,
  and all 65,535 ports) through the Executor — propose (validation, policy, audit) → confirm
  (``AssumeYes``) → the real runner (nmap with ``-oX - --stats-every 1s``, progress, XML
  parse) → audit — and the same scans as a plain ``nmap`` subprocess with the same scan flags
  and its normal output, the way an analyst would type it.
* **Search.** The same searches (an aggregation and a page of hits) through the Executor's
  execute (confirm → policy re-check → the search runner → typed result → audit, with fsync)
  and through the bare ``elasticsearch`` client's ``.search(index, body)`` with the identical
  body; a second row adds ``propose``, which also counts the matching documents for the
  confirmation card (one more request).

Runs are interleaved (A B, then B A, …) after one untimed warm-up of each, so drift and
caches hit both sides alike; the table shows the medians and three ratios: median over median
(the one held to the target of ≤ 1.10), the median of the per-pair ratios, and fastest over
fastest (the least disturbed runs, when other work shares the CPUs). Only 127.0.0.1 is ever
scanned. The search part needs a cluster holding the demo data (the test cluster on 9201 or
the demo one on 9200 is found by itself; ``--start-es`` starts the test cluster when neither
answers); without one it is reported as not measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from operatorx.hostinfo import cpu_model

TARGET_RATIO = 1.10
CANDIDATE_URLS = ("http://127.0.0.1:9201", "http://127.0.0.1:9200")


# --- measuring ------------------------------------------------------------------------------


def interleaved(
    a: Callable[[], object], b: Callable[[], object], repeat: int
) -> tuple[list[float], list[float]]:
    """Time ``a`` and ``b`` ``repeat`` times each, alternating which goes first; one warm-up each."""
    a()
    b()
    ta: list[float] = []
    tb: list[float] = []
    for i in range(repeat):
        order = ((a, ta), (b, tb)) if i % 2 == 0 else ((b, tb), (a, ta))
        for fn, out in order:
            t = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t)
    return ta, tb


def row(name: str, ours: list[float], base: list[float], ours_how: str, base_how: str) -> dict:
    m_ours, m_base = statistics.median(ours), statistics.median(base)
    ratio = m_ours / m_base
    paired = statistics.median(o / b for o, b in zip(ours, base, strict=True))
    return {
        "name": name,
        "operatorx_s": [round(x, 6) for x in ours],
        "baseline_s": [round(x, 6) for x in base],
        "median_operatorx_s": round(m_ours, 6),
        "median_baseline_s": round(m_base, 6),
        "overhead_ms": round((m_ours - m_base) * 1000, 2),
        "ratio": round(ratio, 3),
        "paired_ratio": round(paired, 3),
        # Contention only ever adds time, so the fastest run is the least disturbed one.
        "min_operatorx_s": round(min(ours), 6),
        "min_baseline_s": round(min(base), 6),
        "min_ratio": round(min(ours) / min(base), 3),
        "target": TARGET_RATIO,
        "meets_target": ratio <= TARGET_RATIO,
        "operatorx": ours_how,
        "baseline": base_how,
    }


# --- the scan -------------------------------------------------------------------------------


def bench_scan(repeat: int, workdir: Path) -> list[dict]:
    from operatorx.agent.confirm import AssumeYes
    from operatorx.agent.executor import Executor
    from operatorx.audit import AuditLog
    from operatorx.config import Config
    from operatorx.schemas import NmapScan
    from operatorx.tools.nmap.argv import OUTPUT_FLAGS

    nmap = shutil.which("nmap")
    if nmap is None:
        raise RuntimeError("nmap is not installed")
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    ex = Executor(Config(), AuditLog(workdir / "audit.jsonl"), AssumeYes("benchmark"))
    scans = {
        "nmap: connect scan, 1,001 ports on 127.0.0.1": NmapScan(
            targets=["127.0.0.1"], ports=f"1-1000,{port}", technique="connect", skip_discovery=True
        ),
        "nmap: connect scan, all 65,535 ports on 127.0.0.1": NmapScan(
            targets=["127.0.0.1"], all_ports=True, technique="connect", skip_discovery=True
        ),
    }
    rows = []
    try:
        for title, scan in scans.items():
            argv = scan.to_argv()
            i = argv.index(OUTPUT_FLAGS[0])
            plain = [nmap, *argv[1:i], *argv[i + len(OUTPUT_FLAGS) :]]  # same scan flags, normal output

            def through_operatorx(scan=scan):
                result = ex.execute(ex.propose(scan))
                assert any(p.port == port for _, p in result.open_ports())

            def plain_nmap(plain=plain):
                out = subprocess.run(plain, capture_output=True, text=True, check=True).stdout
                assert f"{port}/tcp" in out

            ours, base = interleaved(through_operatorx, plain_nmap, repeat)
            how = "Executor propose + execute: " + " ".join(argv)
            rows.append(row(title, ours, base, how, " ".join(["nmap", *plain[1:]])))
    finally:
        listener.close()
    return rows


# --- the search -----------------------------------------------------------------------------


def find_cluster(url: str | None) -> str | None:
    import urllib.request

    for candidate in (url,) if url else CANDIDATE_URLS:
        try:
            with urllib.request.urlopen(f"{candidate}/_cluster/health", timeout=2) as r:
                if r.status == 200:
                    return candidate
        except OSError:
            continue
    return None


def bench_search(repeat: int, workdir: Path, url: str) -> tuple[list[dict], str]:
    from operatorx.agent.confirm import AssumeYes
    from operatorx.agent.executor import Executor
    from operatorx.audit import AuditLog
    from operatorx.config import Config, ElasticConfig
    from operatorx.schemas import EsSearch
    from operatorx.tools.elastic import fixtures
    from operatorx.tools.elastic.client import cluster_info, make_client

    config = Config(elasticsearch=ElasticConfig(url=url))
    client = make_client(config.elasticsearch)
    fixtures.ensure_demo_data(client)  # a test/demo cluster only: loads data if stale
    version = cluster_info(client).version
    ex = Executor(
        config, AuditLog(workdir / "audit.jsonl"), AssumeYes("benchmark"), es_client_factory=lambda: client
    )
    searches = {
        "top 10 source IPs in Zeek conn logs, last 7 days": EsSearch(
            index="logs-zeek-so*",
            since="now-7d",
            where=[{"field": "event.dataset", "op": "eq", "value": "zeek.conn"}],
            agg={"field": "source.ip", "size": 10},
            size=0,
        ),
        "newest 100 Zeek records, last 24 h": EsSearch(index="logs-zeek-so*", since="now-24h", size=100),
    }
    rows = []
    for title, search in searches.items():
        body = search.to_body()
        proposal = ex.propose(search)
        if not proposal.allowed:
            raise RuntimeError(f"the benchmark search was refused: {proposal.decision.reasons}")

        def bare(search=search, body=body):
            client.search(index=search.index, body=body)

        def execute(proposal=proposal):
            ex.execute(proposal)

        def propose_execute(search=search):
            ex.execute(ex.propose(search))

        how_bare = f"client.search(index={search.index!r}, body=<the same body>)"
        ours, base = interleaved(execute, bare, repeat)
        rows.append(
            row(f"search: {title}", ours, base, "Executor execute (confirm, search runner, audit)", how_bare)
        )
        ours, base = interleaved(propose_execute, bare, repeat)
        rows.append(
            row(f"search + card: {title}", ours, base, "Executor propose (with _count) + execute", how_bare)
        )
    return rows, version


# --- context --------------------------------------------------------------------------------


def machine() -> dict:
    cpu = cpu_model()
    mem_gb = None
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem_gb = round(kb / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return {
        "platform": platform.platform(),
        "cpu": cpu or platform.processor(),
        "cpus": os.cpu_count(),
        "memory_gb": mem_gb,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def versions(es_version: str | None) -> dict:
    import importlib.metadata

    from operatorx import __version__

    nmap_version = None
    if shutil.which("nmap"):
        first = subprocess.run(["nmap", "--version"], capture_output=True, text=True).stdout.splitlines()
        nmap_version = first[0].removeprefix("Nmap version ").split(" ")[0] if first else None
    return {
        "operatorx": __version__,
        "python": platform.python_version(),
        "nmap": nmap_version,
        "elasticsearch": es_version,
        "elasticsearch-py": importlib.metadata.version("elasticsearch"),
    }


def _nothing() -> None:
    pass


def start_test_cluster() -> tuple[str | None, Callable[[], None]]:
    """Start the local test cluster (port 9201) if it is installed; (url, stop) or (None, no-op)."""
    from operatorx.errors import OperatorXError
    from operatorx.tools.elastic import local_cluster

    try:
        handle = local_cluster.start(port=local_cluster.TEST_PORT, name="operatorx-test")
    except OperatorXError as e:
        print(f"overhead: could not start the test cluster: {e}", file=sys.stderr)
        return None, _nothing
    if not handle.started:  # someone else's cluster: leave it running
        return handle.url, _nothing
    return handle.url, lambda: local_cluster.stop(port=local_cluster.TEST_PORT)


def run(
    repeat: int, es_url: str | None = None, scan: bool = True, search: bool = True, start_es: bool = False
) -> dict:
    result: dict = {"kind": "operatorx-overhead", "date": datetime.now(UTC).isoformat(timespec="seconds")}
    result["machine"] = machine()
    result["repeat"] = repeat
    rows: list[dict] = []
    skipped: dict[str, str] = {}
    es_version = None
    with tempfile.TemporaryDirectory(prefix="operatorx-bench-") as tmp:
        if scan:
            try:
                rows += bench_scan(repeat, Path(tmp))
            except Exception as e:  # noqa: BLE001 - a missing tool is a result here
                skipped["scan"] = str(e)
        if search:
            url = find_cluster(es_url)
            stop = _nothing
            if url is None and start_es and not es_url:
                url, stop = start_test_cluster()
            if url is None:
                skipped["search"] = "no Elasticsearch answered at " + (es_url or " or ".join(CANDIDATE_URLS))
            else:
                try:
                    search_rows, es_version = bench_search(repeat, Path(tmp), url)
                    rows += search_rows
                    result["elasticsearch_url"] = url
                except Exception as e:  # noqa: BLE001
                    skipped["search"] = f"{type(e).__name__}: {e}"
                finally:
                    stop()
    result["versions"] = versions(es_version)
    result["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    result["rows"] = rows
    result["skipped"] = skipped
    return result


def table(result: dict) -> str:
    lines = [
        f"{'workload':<62} {'OperatorX':>10} {'baseline':>10} {'+ms':>8} {'ratio':>6} {'paired':>6} {'min':>6}",
    ]
    for r in result["rows"]:
        mark = "" if r["meets_target"] else "  > target"
        lines.append(
            f"{r['name'][:62]:<62} {r['median_operatorx_s'] * 1000:>8.1f}ms {r['median_baseline_s'] * 1000:>8.1f}ms "
            f"{r['overhead_ms']:>8.1f} {r['ratio']:>6.3f} {r['paired_ratio']:>6.3f} {r['min_ratio']:>6.3f}{mark}"
        )
    for part, why in result["skipped"].items():
        lines.append(f"{part}: not measured ({why})")
    lines.append(f"medians of {result['repeat']} interleaved runs; target ratio ≤ {TARGET_RATIO}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m operatorx.bench.overhead", description=__doc__.splitlines()[0]
    )
    p.add_argument("--repeat", type=int, default=15, help="timed runs per side (default 15)")
    p.add_argument("--json", metavar="OUT", help="also write the result as JSON")
    p.add_argument("--es-url", metavar="URL", help="cluster with the demo data (default: 9201, then 9200)")
    p.add_argument("--no-scan", action="store_true")
    p.add_argument("--no-search", action="store_true")
    p.add_argument(
        "--start-es", action="store_true", help="start the local test cluster (9201) if none answers"
    )
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    result = run(
        args.repeat, args.es_url, scan=not args.no_scan, search=not args.no_search, start_es=args.start_es
    )
    print(table(result))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
