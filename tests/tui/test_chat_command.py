"""`operatorx chat`: its options, the real wiring, and that Textual loads only when it runs."""

from __future__ import annotations

import subprocess
import sys

from tui_helpers import scripted_planner

from operatorx.cli import build_parser
from operatorx.commands.chat import chat_cmd
from operatorx.config import Config, ElasticConfig
from operatorx.tui.wiring import build_app, model_label


def test_chat_options():
    args = build_parser().parse_args(["chat", "--config", "x.toml", "--no-adapter", "--demo"])
    assert args.handler is chat_cmd
    assert (args.config, args.no_adapter, args.demo) == ("x.toml", True, True)


def test_build_app_starts_the_demo_only_without_a_url_or_with_demo():
    def demo():
        return None

    planner = scripted_planner([])
    no_url = build_app(Config(), start_demo=demo, planner=planner)
    assert no_url.start_demo is demo
    with_url = build_app(
        Config(elasticsearch=ElasticConfig(url="https://so:9200")), start_demo=demo, planner=planner
    )
    assert with_url.start_demo is None and with_url.config.elasticsearch.url == "https://so:9200"
    forced = build_app(Config(elasticsearch=ElasticConfig(url="https://so:9200")), demo=True, start_demo=demo,
                       planner=planner)  # fmt: skip
    assert forced.start_demo is demo and forced.config.elasticsearch.url == ""
    assert "scripted" in no_url.model_label


def test_model_label_says_which_adapter():
    cfg = Config()
    assert "adapter" in model_label(cfg)
    cfg.model.use_adapter = False
    assert "no adapter" in model_label(cfg)


def test_the_command_line_does_not_import_textual_until_chat_runs():
    code = "import sys, operatorx.cli as c; c.build_parser(); print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
