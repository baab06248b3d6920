"""The chat app: ask → plan → card → (confirm) → run → results, without ever freezing the UI.

The model, policy checks, nmap and Elasticsearch all run in thread workers; they report
back with the past-tense messages of ``messages.py``. The executor asks ``TuiConfirmer``
from its worker thread, which shows the modal card and blocks until the analyst answers —
so the one gate (``Executor.execute``) is the same for the CLI and the TUI.

Collaborators are injected (see ``wiring.build_app`` for the real ones), so tests drive the
app with a scripted planner. Nothing a tool returns is ever sent to the planner: only the
analyst's own words are questions.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from typing import Any

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from operatorx.config import Config
from operatorx.errors import OperatorXError
from operatorx.tui import jobs
from operatorx.tui import messages as m
from operatorx.tui.confirmer import TuiConfirmer
from operatorx.tui.screens.confirm import ConfirmScreen
from operatorx.tui.screens.conversations import ConversationsScreen
from operatorx.tui.screens.edit import EditScreen
from operatorx.tui.screens.help import HelpScreen
from operatorx.tui.session import ChatSession
from operatorx.tui.storage import ConversationStore, StorageError
from operatorx.tui.widgets.prompt_input import PromptInput
from operatorx.tui.widgets.status import StatusPanel
from operatorx.tui.widgets.transcript import Transcript

ExecutorFactory = Callable[[Config, Any], Any]  # (config, confirmer) -> operatorx.agent.executor.Executor

ACTIVITY_TEXT = {
    "idle": "idle — ask a question",
    "planning": "planning (local model)…",
    "confirming": "waiting for your answer on the card",
    "running": "running — Esc cancels a scan",
    "cluster": "starting the demo cluster…",
}

# The command palette's main actions, as data (title, help, action) like the bindings.
PALETTE = (
    ("Help and example questions", "What OperatorX does, keys, examples (F1)", "help"),
    ("Export last result as JSON", "Write it under the conversations folder (F2)", "export('json')"),
    ("Export last result as CSV", "Rows of the result table (F3)", "export('csv')"),
    ("Edit the last call", "Change the scan or search and check it again (F4)", "edit_last"),
    ("Open a saved conversation", "Reopen an earlier chat (ctrl+o)", "open_conversation"),
    ("New conversation", "Start over; the current one stays saved (ctrl+n)", "new_conversation"),
    ("Cancel the running scan", "Stops nmap (Esc)", "cancel_run"),
    ("Toggle the sidebar", "Model, cluster, scope, audit log (ctrl+b)", "toggle_sidebar"),
)


class OperatorXApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "OperatorX"
    SUB_TITLE = "ask · confirm · scan or search"
    BINDINGS = [
        Binding("f1", "help", "Help", id="help"),
        Binding("escape", "cancel_run", "Cancel scan", id="cancel-run"),
        Binding("f2", "export('json')", "Export JSON", id="export-json"),
        Binding("f3", "export('csv')", "Export CSV", id="export-csv"),
        Binding("f4", "edit_last", "Edit last call", id="edit-last"),
        Binding("ctrl+o", "open_conversation", "Open chat", id="open-conversation"),
        Binding("ctrl+n", "new_conversation", "New chat", id="new-conversation"),
        Binding("ctrl+b", "toggle_sidebar", "Sidebar", id="toggle-sidebar"),
    ]

    activity: reactive[str] = reactive("idle")
    """idle | planning | confirming | running | cluster — drives the sidebar and which keys work."""

    def __init__(
        self,
        config: Config,
        planner: Any,
        executor_factory: ExecutorFactory,
        *,
        conversation: Any = None,
        store: ConversationStore | None = None,
        start_demo: Callable[[], object] | None = None,
        model_label: str = "",
        clock: Callable[[], datetime] | None = None,
    ):
        super().__init__()
        self.config = config
        self.planner = planner
        self.confirmer = TuiConfirmer(self)
        self.executor = executor_factory(config, self.confirmer)
        self.store = store or ConversationStore()
        self.clock = clock or (lambda: datetime.now().astimezone())
        self.session = ChatSession(self.store, self.clock, conversation)
        self.start_demo = start_demo
        self.model_label = model_label or f"{config.model.backend} backend"
        self.demo = False
        self.cluster_settled = threading.Event()
        self._cancel: threading.Event | None = None

    # --- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        from textual.widgets import Footer, Header

        yield Header(icon="◆")
        with Horizontal(id="main"):
            with Vertical(id="chat"):
                yield Transcript(id="transcript")
                yield PromptInput(
                    id="prompt", placeholder="Ask about your network or logs — Enter asks, F1 for examples"
                )
            yield StatusPanel(id="sidebar")
        yield Footer()

    def on_mount(self) -> None:
        self.panel.show_settings(self.config, self.model_label)
        self.panel.conversation = self.session.describe()
        if self.start_demo is not None or self.config.elasticsearch.url:
            self.run_cluster()
        else:
            self.panel.cluster = self.config.elasticsearch.url or "not configured"
            self.cluster_settled.set()
        if callable(getattr(self.planner, "warm", None)):
            self.warm_planner()
        self.prompt.focus()

    @work(thread=True, group="warm", exit_on_error=False)
    def warm_planner(self) -> None:
        """Evaluate the model's fixed prompt now, so the first question pays only for itself.

        The planner serialises this with ``plan``; a question asked meanwhile simply waits.
        """
        try:
            self.planner.warm()
        except OperatorXError as e:
            self.call_from_thread(self.notify, f"The model could not start: {e}", severity="error")

    def on_unmount(self) -> None:
        """Quitting mid-scan stops nmap rather than leaving it running behind the terminal."""
        if self._cancel is not None:
            self._cancel.set()

    # App.query_one searches the active screen, which may be a modal: query the main screen.
    @property
    def transcript(self) -> Transcript:
        return self.screen_stack[0].query_one(Transcript)

    @property
    def panel(self) -> StatusPanel:
        return self.screen_stack[0].query_one(StatusPanel)

    @property
    def prompt(self) -> PromptInput:
        return self.screen_stack[0].query_one(PromptInput)

    def watch_activity(self, activity: str) -> None:
        if self.is_mounted:
            self.panel.activity = ACTIVITY_TEXT.get(activity, activity)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_run":
            return self.activity == "running"
        if action == "export":
            return self._result_view() is not None or None
        if action == "edit_last":
            return (self.session.last_call() is not None and self.activity == "idle") or None
        return True

    # --- asking -----------------------------------------------------------------------------

    @on(PromptInput.Submitted)
    def _asked(self, event: PromptInput.Submitted) -> None:
        if self.activity not in ("idle", "cluster"):
            self.notify(
                "One call at a time: answer the card or wait for the run to finish.", severity="warning"
            )
            event.prompt.load_text(event.text)
            return
        self.post_message(m.QuestionAsked(event.text))

    @on(m.QuestionAsked)
    def _question(self, event: m.QuestionAsked) -> None:
        self.transcript.question(event.text, self.clock().strftime("%H:%M"))
        self.activity = "planning"
        self.plan_question(event.text)

    @work(thread=True, exclusive=True, group="plan", exit_on_error=False)
    def plan_question(self, question: str) -> None:
        jobs.plan(question, self.planner, self.session.conversation, self.post_message, self._propose)

    @work(thread=True, exclusive=True, group="plan", exit_on_error=False)
    def propose_edited(self, question: str, call: Any) -> None:
        self._propose(question, call)

    def _propose(self, question: str, call: Any) -> None:
        jobs.propose(question, call, self.executor, self.cluster_settled, self.post_message)

    @on(m.PlanReplied)
    def _replied(self, event: m.PlanReplied) -> None:
        self.transcript.note(event.text, "reply" if event.kind == "clarify" else "refused")
        self.session.replied(event.question, event.kind, event.text)
        self.session.record(event.question, "reply", note=event.text)
        self._saved()
        self.activity = "idle"

    @on(m.PlanFailed)
    def _plan_failed(self, event: m.PlanFailed) -> None:
        self.transcript.note(f"No call was made: {event.error}", "error")
        self.session.record(event.question, "error", note=event.error)
        self._saved()
        self.activity = "idle"

    @on(m.PlanProposed)
    def _proposed(self, event: m.PlanProposed) -> None:
        proposal = event.proposal
        self.session.remember(event.question, proposal)
        self.transcript.card(proposal)
        self.activity = "confirming"
        if proposal.allowed:
            self.run_proposal(proposal)  # the executor asks the card (TuiConfirmer) itself
            return
        # Refused by policy: the executor will not run it, so the card only says why and offers an edit.
        screen = ConfirmScreen(proposal)
        self.push_screen(screen, callback=lambda _: self._refused_closed(proposal, screen.edit_requested))

    def _refused_closed(self, proposal: Any, edit: bool) -> None:
        self.transcript.card_status(proposal, "refused, edited" if edit else "refused")
        self.session.record_proposal(proposal, "refused", note="; ".join(proposal.decision.reasons))
        self._saved()
        self.activity = "idle"
        if edit:
            self._open_editor(proposal, reason="Refused: " + "; ".join(proposal.decision.reasons))
        else:
            self.transcript.note("Refused by policy — nothing ran. F4 edits the call.", "refused")

    # --- running ----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="run", exit_on_error=False)
    def run_proposal(self, proposal: Any) -> None:
        """Confirm (the card, via TuiConfirmer) and run; progress and results come back as messages."""
        self._cancel = cancel = threading.Event()
        try:
            jobs.run(proposal, self.executor, self.confirmer, cancel, self.post_message)
        finally:
            self._cancel = None

    @on(m.ConfirmationAnswered)
    def _answered(self, event: m.ConfirmationAnswered) -> None:
        self.transcript.card_status(
            event.proposal, "confirmed" if event.yes else "edited" if event.edit else "not run"
        )
        if event.yes:
            self.activity = "running"
            if event.proposal.tool == "nmap":
                self.transcript.start_progress()

    @on(m.ScanProgressed)
    def _scan_progressed(self, event: m.ScanProgressed) -> None:
        self.transcript.update_progress(event.percent, event.eta_s, event.task)

    @on(m.ScanFinished)
    @on(m.SearchFinished)
    def _finished(self, event: m.ScanFinished | m.SearchFinished) -> None:
        self.transcript.end_progress()
        self.transcript.card_status(event.proposal, "ran")
        self.session.ran(event.result)
        turn = self.session.record_proposal(
            event.proposal, "executed", result=event.result, summary=event.summary
        )
        self.transcript.result(event.result, event.summary, turn)
        self._saved()
        self.activity = "idle"

    @on(m.RunDenied)
    def _denied(self, event: m.RunDenied) -> None:
        self.session.record_proposal(event.proposal, "denied", note="edit requested" if event.edit else "")
        self._saved()
        self.activity = "idle"
        if event.edit:
            self._open_editor(event.proposal)
        else:
            self.transcript.note("Cancelled — nothing ran.", "info")

    @on(m.RunCancelled)
    @on(m.RunFailed)
    def _run_ended(self, event: m.RunCancelled | m.RunFailed) -> None:
        self.transcript.end_progress()
        cancelled = isinstance(event, m.RunCancelled)
        self.transcript.card_status(event.proposal, "cancelled" if cancelled else "failed")
        self.session.record_proposal(event.proposal, "cancelled" if cancelled else "failed", note=event.error)
        self._saved()
        self.transcript.note(("Cancelled: " if cancelled else "Failed: ") + event.error, "error")
        self.activity = "idle"

    def action_cancel_run(self) -> None:
        if self._cancel is not None and self.activity == "running":
            self._cancel.set()
            self.notify("Cancelling — nmap is being stopped.")

    # --- editing ----------------------------------------------------------------------------

    def _open_editor(self, proposal: Any, reason: str = "") -> None:
        question = self.session.question_of(proposal)
        self._edit_call(proposal.command, question, reason)

    def _edit_call(self, command: str, question: str, reason: str = "") -> None:
        def edited(call: Any) -> None:
            if call is None:
                self.transcript.note("Edit cancelled — nothing ran.", "info")
                return
            self.transcript.note("Edited call: checking it again…", "info")
            self.activity = "planning"
            self.propose_edited(f"{question} (edited)" if question else "(edited call)", call)

        self.push_screen(EditScreen(command, reason=reason), callback=edited)

    def action_edit_last(self) -> None:
        call = self.session.last_call()
        if call is not None and self.activity == "idle":
            self._edit_call(call.to_command(), self.session.last_question())

    # --- cluster ----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="cluster", exit_on_error=False)
    def run_cluster(self) -> None:
        """Start the local demo cluster (first run) and/or read the cluster's name, version, health.

        The messages go to the status panel (which shows them) and bubble up to the app.
        """
        try:
            jobs.connect_cluster(self.executor, self.start_demo, self.panel.post_message)
        finally:
            self.cluster_settled.set()

    @on(m.ClusterStarting)
    def _cluster_starting(self) -> None:
        if self.activity == "idle":
            self.activity = "cluster"

    @on(m.ClusterConnected)
    @on(m.ClusterFailed)
    def _cluster_settled(self, event: m.ClusterConnected | m.ClusterFailed) -> None:
        self.demo = event.demo
        if isinstance(event, m.ClusterFailed):
            self.transcript.note(f"Elasticsearch is not available: {event.error}", "error")
        if self.activity == "cluster":
            self.activity = "idle"

    # --- errors from workers --------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a bug in a worker becomes a message instead of a dead app."""
        if event.state is WorkerState.ERROR:
            err = event.worker.error
            self.transcript.note(
                f"Internal error in {event.worker.name}: {type(err).__name__}: {err}", "error"
            )
            self.transcript.end_progress()
            self.activity = "idle"

    # --- conversations, export, help ----------------------------------------------------------

    def _saved(self) -> None:
        try:
            self.session.save()
        except StorageError as e:
            self.notify(str(e), severity="error", markup=False)
        self.panel.conversation = self.session.describe()

    def _result_view(self):
        """The result holding the focus (a table), else the newest one; None before any result."""
        if not self.is_mounted or not self.screen_stack:
            return None
        return self.transcript.current_result(self.focused)

    def action_export(self, fmt: str) -> None:
        view = self._result_view()
        if view is None:
            self.notify("Nothing to export yet.", severity="warning")
            return
        try:
            path = self.session.export(view.result, fmt, view.turn)
        except StorageError as e:
            self.notify(str(e), severity="error", markup=False)
            return
        self.transcript.note(f"Exported result {view.turn} to {path}", "info")

    def action_new_conversation(self) -> None:
        if self.activity != "idle":
            self.notify("Finish or cancel the current call first.", severity="warning")
            return
        self.session.new()
        self.transcript.clear_entries()
        self.panel.conversation = self.session.describe()

    def action_open_conversation(self) -> None:
        if self.activity != "idle":
            self.notify("Finish or cancel the current call first.", severity="warning")
            return

        def opened(conv_id: str | None) -> None:
            if conv_id:
                self._reopen(conv_id)

        self.push_screen(ConversationsScreen(self.store.list(), str(self.store.root)), callback=opened)

    def _reopen(self, conv_id: str) -> None:
        try:
            turns = self.session.open(conv_id)
        except StorageError as e:
            self.notify(str(e), severity="error", markup=False)
            return
        self.transcript.clear_entries()
        self.transcript.replay(turns, self.session.result_of)
        self.panel.conversation = self.session.describe()
        self.notify(f"Reopened “{self.session.saved.title}”.", markup=False)

    def action_help(self) -> None:
        def picked(example: str | None) -> None:
            if example:
                prompt = self.prompt
                prompt.load_text(example)
                prompt.focus()

        self.push_screen(HelpScreen(), callback=picked)

    def action_toggle_sidebar(self) -> None:
        self.panel.toggle_class("hidden")

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for title, help_text, action in PALETTE:
            yield SystemCommand(title, help_text, partial(self.run_action, action))
