"""`operatorx eval`: score the planner on a dataset split (see operatorx/training/evaluate.py).

    operatorx eval --split test                        # the packaged adapter, data/test.jsonl
    operatorx eval --split shifted --no-adapter        # the bare base model, few-shot prompt
    operatorx eval --split test --limit 50 --json out.json --load-fixtures

Searches are judged by running them on the local demo cluster (or ``--es-url``) when it
answers and holds the fixture data; otherwise by canonical form, and the report says so —
except with ``--load-fixtures``, which asks for the judge's data: no cluster is then an error.
Without ``--config`` the repository's ``configs/eval-scope.toml`` is used: its scope allows
the private ranges the dataset scans. Exit status 0, or 2 when the data, the model or the
cluster ``--load-fixtures`` needs is missing.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from operatorx.commands.common import add_config_options, es_url, load

REPO = Path(__file__).resolve().parents[2]
EVAL_CONFIG = REPO / "configs" / "eval-scope.toml"


def register(sub) -> None:
    p = sub.add_parser("eval", help="score the planner on a dataset split")
    p.add_argument("--split", default="test", choices=["test", "shifted", "val", "train"])
    p.add_argument("--data", default=str(REPO / "data"), metavar="DIR", help="dataset directory (default: data/)")
    p.add_argument("--limit", type=int, metavar="N", help="only the first N records")
    p.add_argument("--no-adapter", action="store_true", help="the bare base model with the few-shot prompt")
    p.add_argument("--model", metavar="GGUF", help="base model file, or smollm2 / gemma3-270m (default: the packaged SmolLM2)")
    p.add_argument("--adapter", metavar="GGUF", help="LoRA adapter file (default: the packaged one)")
    p.add_argument("--load-fixtures", action="store_true",
                   help="make the fixture streams hold the judge's one batch first, replacing what they hold "
                        "(only in a cluster OperatorX started, e.g. `make es-up`'s)")
    p.add_argument("--no-es", action="store_true", help="judge searches by canonical form only")
    p.add_argument("--json", metavar="OUT", help="also write the full report (every record) as JSON")
    p.add_argument("--quiet", action="store_true", help="no per-record progress on stderr")
    add_config_options(p)
    p.set_defaults(handler=eval_cmd)


def eval_cmd(args: argparse.Namespace) -> int:
    from operatorx.agent.planner import Planner
    from operatorx.backend import create_backend
    from operatorx.tools.elastic.catalog import FieldCatalog
    from operatorx.training import evaluate as ev

    if args.config is None and EVAL_CONFIG.is_file():
        args.config = str(EVAL_CONFIG)
    config = load(args)
    if args.no_adapter:
        config.model.use_adapter = False
    path = Path(args.data) / f"{args.split}.jsonl"
    if not path.is_file():
        print(f"operatorx: {path} does not exist; generate it with "
              "`python -m operatorx.training.datagen --seed 1234 --out data/`.", file=sys.stderr)
        return 2
    records = ev.load_split(Path(args.data), args.split, args.limit)

    judge, es_mode = (None, "canonical form only (--no-es)") if args.no_es else ev.connect_judge(
        config, es_url(config), args.load_fixtures)
    backend = create_backend(config.model, model_path=args.model, adapter_path=args.adapter)
    planner = Planner(backend, config, FieldCatalog.packaged, resolve=ev.scope_resolver(config))
    print(f"eval: {len(records)} {args.split} records, {planner.describe()}; {es_mode}", file=sys.stderr)

    def progress(i, rec, result):
        if args.quiet or isinstance(result, str):
            return
        mark = "ok " if result.match else "BAD"
        print(f"[{i + 1}/{len(records)}] {mark} {result.seconds:5.2f}s {rec['question'][:70]}", file=sys.stderr)

    report = ev.evaluate(records, ev.planner_fn(planner), judge=judge, split=args.split,
                         model=planner.describe(), es_mode=es_mode, progress=progress)
    print(report.markdown())
    if args.json:
        # when it was measured, for docs/BENCHMARKS.md (git dates a renamed or copied report poorly)
        written = datetime.now(UTC).isoformat(timespec="seconds")
        Path(args.json).write_text(json.dumps({**report.to_dict(), "written": written}, indent=1, default=str),
                                   encoding="utf-8")
        print(f"eval: wrote {args.json}", file=sys.stderr)
    return 0
