"""The TUI's confirmation port: the executor's worker thread blocks here until the analyst answers.

``Executor.execute`` calls ``confirm(proposal)`` from the worker thread. We ask the event loop
(``App.call_from_thread``) to push the modal card and then wait on a ``threading.Event`` that
the card's dismiss callback sets. Anything but an explicit yes is a no: n, Esc, a request to
edit, the app closing, or the worker being cancelled while the card is up.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App

    from operatorx.agent.executor import Proposal


class TuiConfirmer:
    """``Confirmer`` for the chat app; ``name`` is what the audit log records as who answered."""

    name = "analyst at the chat app (confirmation card)"

    def __init__(self, app: App, poll_s: float = 0.2):
        self._app = app
        self._poll_s = poll_s
        self._edits: set[str] = set()
        self._lock = threading.Lock()

    def confirm(self, proposal: Proposal) -> bool:
        from operatorx.tui.messages import ConfirmationAnswered
        from operatorx.tui.screens.confirm import ConfirmScreen

        answered = threading.Event()
        answer = {"yes": False}

        def show() -> None:
            screen = ConfirmScreen(proposal)

            def done(yes: bool | None) -> None:
                answer["yes"] = yes is True and not screen.edit_requested
                if screen.edit_requested:
                    with self._lock:
                        self._edits.add(proposal.id)
                answered.set()
                self._app.post_message(ConfirmationAnswered(proposal, answer["yes"], screen.edit_requested))

            self._app.push_screen(screen, callback=done)

        try:
            self._app.call_from_thread(show)
        except RuntimeError:  # the app is not running (closing, or called off-thread wrongly)
            return False
        while not answered.wait(self._poll_s):
            if not self._app.is_running or _worker_cancelled():
                return False
        return answer["yes"]

    def take_edit_request(self, proposal: Proposal) -> bool:
        """True once if the analyst pressed e on this proposal's card (a no that means 'edit')."""
        with self._lock:
            if proposal.id in self._edits:
                self._edits.discard(proposal.id)
                return True
        return False


def _worker_cancelled() -> bool:
    from textual.worker import NoActiveWorker, get_current_worker

    try:
        return get_current_worker().is_cancelled
    except NoActiveWorker:
        return False
