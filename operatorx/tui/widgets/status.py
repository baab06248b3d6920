"""The sidebar: what OperatorX is using right now — model, cluster (DEMO marked), scope, audit log."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Label, Static

from operatorx.config import Config
from operatorx.tui import messages as m

SECTIONS = (
    ("activity", "Now"),
    ("model", "Model"),
    ("cluster", "Elasticsearch"),
    ("scope", "Scan scope"),
    ("audit", "Audit log"),
    ("conversation", "Conversation"),
)


class StatusPanel(Vertical):
    """One reactive per section; each ``watch_*`` redraws its own line."""

    activity: reactive[str] = reactive("idle")
    model: reactive[str] = reactive("")
    cluster: reactive[str] = reactive("")
    scope: reactive[str] = reactive("")
    audit: reactive[str] = reactive("")
    conversation: reactive[str] = reactive("")
    demo: reactive[bool] = reactive(False)

    def compose(self) -> ComposeResult:
        for key, title in SECTIONS:
            yield Label(title, classes="status-title")
            yield Static(id=f"status-{key}", classes="status-value")

    def on_mount(self) -> None:
        for key, _ in SECTIONS:
            self._show(key)

    def show_settings(self, config: Config, model_label: str) -> None:
        self.model = model_label
        scope = config.scope
        self.scope = ", ".join(scope.allow + scope.hostnames) + f" (≤ {scope.max_hosts:,} hosts)"
        self.audit = str(config.audit.resolved())

    # The cluster worker posts these here; they bubble on to the app, which handles the flow.
    @on(m.ClusterStarting)
    def _starting(self, event: m.ClusterStarting) -> None:
        self.demo = True
        self.cluster = f"starting demo cluster… ({event.url})"

    @on(m.ClusterConnected)
    def _connected(self, event: m.ClusterConnected) -> None:
        info = event.info
        self.demo = event.demo
        self.cluster = f"{info.name} {info.version} ({info.health})\n{info.url}"

    @on(m.ClusterFailed)
    def _failed(self, event: m.ClusterFailed) -> None:
        self.demo = event.demo
        self.cluster = "unavailable"

    def _show(self, key: str) -> None:
        if not self.is_mounted:
            return
        value = getattr(self, key)
        widget = self.query_one(f"#status-{key}", Static)
        if key == "cluster" and self.demo:
            widget.update(Text.assemble((" DEMO ", "bold reverse"), " ", value))
        else:
            widget.update(Text(value or "—"))

    def watch_activity(self) -> None:
        self._show("activity")
        self.set_class(self.activity != "idle", "busy")

    def watch_model(self) -> None:
        self._show("model")

    def watch_cluster(self) -> None:
        self._show("cluster")

    def watch_demo(self) -> None:
        self._show("cluster")
        self.set_class(self.demo, "demo")

    def watch_scope(self) -> None:
        self._show("scope")

    def watch_audit(self) -> None:
        self._show("audit")

    def watch_conversation(self) -> None:
        self._show("conversation")
