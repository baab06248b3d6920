"""What the app's thread workers do: plan, propose, confirm-and-run, reach the cluster.

Each job runs in a worker thread and reports only through ``post`` (``MessagePump.post_message``
is thread-safe), as one of the past-tense messages. Errors the analyst can act on
(``OperatorXError``) become messages here; anything else is a bug and surfaces through the
app's worker-error handler.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from textual.message import Message

from operatorx.errors import ExecutionFailed, NotConfirmed, OperatorXError
from operatorx.tui import messages as m

Post = Callable[[Message], object]
CLUSTER_WAIT_S = 180.0


def plan(question: str, planner: Any, conversation: Any, post: Post, propose_call: Callable) -> None:
    """Model → plan. Only the analyst's words (and the conversation's calls) reach the planner."""
    try:
        outcome = planner.plan(question, conversation)
    except OperatorXError as e:
        post(m.PlanFailed(question, str(e)))
        return
    plan_ = outcome.plan  # a call, or a Reply: the planner fails closed into a reply
    if plan_.tool == "none":
        post(m.PlanReplied(question, plan_.kind, plan_.message))
        return
    propose_call(question, plan_)


def propose(question: str, call: Any, executor: Any, cluster_ready: threading.Event, post: Post) -> None:
    """Validation, policy, reach (ES ``_count``): audited as proposed or refused by the executor."""
    if call.tool == "elasticsearch" and not cluster_ready.is_set():
        cluster_ready.wait(CLUSTER_WAIT_S)  # the demo cluster is still starting
    try:
        proposal = executor.propose(call)
    except OperatorXError as e:
        post(m.PlanFailed(question, str(e)))
        return
    post(m.PlanProposed(question, proposal))


def run(proposal: Any, executor: Any, confirmer: Any, cancel: threading.Event, post: Post) -> None:
    """The executor asks the confirmer (the modal card) and runs only on yes."""
    from operatorx.agent.summary import summarize

    def progress(p: Any) -> None:
        post(m.ScanProgressed(proposal, float(p.percent), p.eta_s, p.task or ""))

    try:
        result = executor.execute(proposal, progress=progress, cancel=cancel)
    except NotConfirmed:
        post(m.RunDenied(proposal, edit=confirmer.take_edit_request(proposal)))
        return
    except ExecutionFailed as e:
        post((m.RunCancelled if cancel.is_set() else m.RunFailed)(proposal, str(e)))
        return
    except OperatorXError as e:
        post(m.RunFailed(proposal, str(e)))
        return
    finished = m.ScanFinished if proposal.tool == "nmap" else m.SearchFinished
    post(finished(proposal, result, summarize(result)))


def connect_cluster(executor: Any, start_demo: Callable[[], object] | None, post: Post) -> None:
    """Start the local DEMO cluster (first run) if asked, then read name, version and health."""
    from operatorx.tools.elastic.client import cluster_info

    demo = start_demo is not None
    try:
        if start_demo is not None:
            post(m.ClusterStarting("http://127.0.0.1:9200"))
            start_demo()
        info = cluster_info(executor.es_client())
    except OperatorXError as e:
        post(m.ClusterFailed(str(e), demo))
    else:
        post(m.ClusterConnected(info, demo))
