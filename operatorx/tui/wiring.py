"""The real collaborators for `operatorx chat`: model-backed planner, audited executor, cluster.

Tests build ``OperatorXApp`` themselves with a scripted planner; this module is the one
place that picks the model backend, the audit log, the Elasticsearch URL and the demo
cluster. Heavy imports (the model backend) happen when the app is built, not at import.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from operatorx.config import Config

DEMO_URL = "http://127.0.0.1:9200"


def es_url(config: Config) -> str:
    return config.elasticsearch.url or DEMO_URL


def executor_factory(config: Config, confirmer):
    from operatorx.agent.executor import Executor
    from operatorx.audit import AuditLog

    def make_client():
        from operatorx.tools.elastic.client import make_client

        return make_client(config.elasticsearch, url=es_url(config))

    return Executor(config, AuditLog(config.audit.resolved()), confirmer, es_client_factory=make_client)


def model_label(config: Config) -> str:
    mc = config.model
    if mc.backend == "openai":
        return f"{mc.openai_model or 'model'} via {mc.openai_url or 'OpenAI-compatible server'}"
    base = Path(mc.path).name if mc.path else "SmolLM2-135M-Instruct (packaged)"
    if not mc.use_adapter:
        adapter = "no adapter (few-shot prompt)"
    else:
        adapter = f"adapter {Path(mc.adapter).name}" if mc.adapter else "OperatorX LoRA adapter (packaged)"
    return f"{base}\n{adapter}"


def make_planner(config: Config):
    """The configured model; ES field names from the cluster in use (the demo's too), else packaged."""
    from operatorx.agent.planner import LiveCatalog, Planner

    return Planner.from_config(config, catalog_provider=LiveCatalog(config, url=es_url(config)))


def build_app(
    config: Config,
    *,
    demo: bool = False,
    start_demo: Callable[[], object] | None = None,
    planner=None,
):
    """The app as `operatorx chat` runs it.

    With no Elasticsearch URL configured (or ``demo``), ``start_demo`` starts the local DEMO
    cluster on 127.0.0.1:9200 and loads its data, in a worker, while the app is already usable.
    """
    from operatorx.tui.app import OperatorXApp

    if demo:
        config = config.model_copy(deep=True)
        config.elasticsearch.url = ""
    use_demo = not config.elasticsearch.url
    planner = planner if planner is not None else make_planner(config)
    describe = getattr(planner, "describe", None)
    return OperatorXApp(
        config,
        planner,
        executor_factory,
        start_demo=(start_demo or default_start_demo) if use_demo else None,
        model_label=describe() if describe else model_label(config),
    )


def default_start_demo() -> None:
    from operatorx.config import ElasticConfig
    from operatorx.tools.elastic import local_cluster
    from operatorx.tools.elastic.client import make_client
    from operatorx.tools.elastic.fixtures import ensure_demo_data

    local_cluster.start(port=local_cluster.DEMO_PORT)
    ensure_demo_data(make_client(ElasticConfig(), url=DEMO_URL))
