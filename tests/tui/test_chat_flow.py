"""The chat app's core promise: every call is shown first and runs only after an explicit yes.

Real policy, audit log and nmap (against a TCP listener the test opens on 127.0.0.1); the
planner's replies are scripted.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static
from tui_helpers import ask, audit_events, plain, showing, wait_until

from operatorx.tui import messages as m
from operatorx.tui.screens.confirm import ConfirmScreen
from operatorx.tui.screens.detail import DetailScreen
from operatorx.tui.screens.edit import EditScreen
from operatorx.tui.screens.help import EXAMPLES, HelpScreen
from operatorx.tui.widgets.results import ResultView
from operatorx.tui.widgets.transcript import Note, RunProgress

SIZE = (140, 45)


def scan(port: int | str, **extra) -> dict:
    return {"tool": "nmap", "targets": ["127.0.0.1"], "ports": str(port), **extra}


def notes(app) -> list[str]:
    return [plain(n).strip() for n in app.transcript.query(Note)]


def on_card(app) -> bool:
    """the confirmation card is up (composed)"""
    return showing(app, ConfirmScreen)


def idle(app) -> bool:
    """the app is idle again"""
    return app.activity == "idle" and not isinstance(app.screen, ConfirmScreen)


@pytest.mark.parametrize("key", ["n", "escape"])
async def test_cancel_on_the_card_executes_nothing(make_app, config, listener, key):
    posted: list = []
    app = make_app([scan(listener)])
    async with app.run_test(size=SIZE, message_hook=posted.append) as pilot:
        await ask(pilot, "which ports are open on 127.0.0.1?")
        await wait_until(pilot, lambda: on_card(app))
        assert app.activity == "confirming"
        await pilot.press(key)
        await wait_until(pilot, lambda: idle(app))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Cancelled — nothing ran." in notes(app)
        assert not app.transcript.query(ResultView)
    assert audit_events(config) == ["proposed", "denied"]
    kinds = {type(x) for x in posted}
    assert m.PlanProposed in kinds and m.RunDenied in kinds
    assert m.ScanFinished not in kinds
    assert [x.edit for x in posted if isinstance(x, m.RunDenied)] == [False]


@pytest.mark.nmap
@pytest.mark.parametrize("key", ["y", "enter"])
async def test_confirm_runs_a_real_scan_and_shows_the_table(make_app, config, listener, nmap_path, key):
    posted: list = []
    app = make_app([scan(listener)])
    async with app.run_test(size=SIZE, message_hook=posted.append) as pilot:
        await ask(pilot, "is my test port open on 127.0.0.1?")
        await wait_until(pilot, lambda: on_card(app))
        card = plain(app.screen.query_one("#confirm-card", Static))
        assert f"-p {listener} " in card and "scope OK" in card and "risk LOW" in card
        await pilot.press(key)
        await wait_until(pilot, lambda: bool(app.transcript.query(ResultView)), timeout=120)
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.transcript.query_one(ResultView).query_one(DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert [r[1:4] for r in rows] == [[str(listener), "tcp", "open"]]
        assert rows[0][0].startswith("127.0.0.1")
        # Enter on the row opens the host/port detail view
        table.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: showing(app, DetailScreen))
        assert f"{listener}/tcp" in app.screen.title_text
        await pilot.press("escape")
        assert app.activity == "idle"
    assert audit_events(config) == ["proposed", "confirmed", "executed"]
    finished = [x for x in posted if isinstance(x, m.ScanFinished)]
    assert len(finished) == 1 and finished[0].summary


async def test_an_edit_out_of_scope_is_refused_with_the_reason_and_can_be_edited_again(make_app, config):
    app = make_app([scan(22)])
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "is ssh open on 127.0.0.1?")
        await wait_until(pilot, lambda: on_card(app))
        await pilot.press("e")
        await wait_until(pilot, lambda: showing(app, EditScreen))
        app.screen.query_one("#edit-text").load_text("nmap -p 22 10.0.0.1")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: on_card(app) and not app.screen.proposal.allowed)
        text = plain(app.screen.query_one("#confirm-card"))
        assert "scope REFUSED" in text and "10.0.0.1 is outside the allowed scope" in text
        await pilot.press("y")  # a refused call cannot be run, whatever is pressed
        await pilot.pause()
        assert on_card(app)
        await pilot.press("e")
        await wait_until(pilot, lambda: showing(app, EditScreen))
        assert "outside the allowed scope" in plain(app.screen.query_one("#edit-reason"))
        await pilot.press("escape")
        await wait_until(pilot, lambda: idle(app))
        await app.workers.wait_for_complete()
    assert audit_events(config) == ["proposed", "denied", "refused"]


async def test_the_planner_refuses_a_scan_out_of_scope_and_nothing_is_proposed(make_app, config):
    app = make_app([{"tool": "nmap", "targets": ["10.0.0.1"], "ports": "22"}])
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "scan 10.0.0.1")
        await wait_until(pilot, lambda: bool(app.transcript.query(Note)))
        await app.workers.wait_for_complete()
        assert "10.0.0.1 is outside the allowed scope" in notes(app)[0]
        assert not isinstance(app.screen, ConfirmScreen)
    assert audit_events(config) == []


@pytest.mark.nmap
async def test_invalid_edit_is_refused_then_a_valid_edit_asks_again(make_app, config, listener, nmap_path):
    app = make_app([scan(1)])
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "check port 1 on 127.0.0.1")
        await wait_until(pilot, lambda: on_card(app))
        await pilot.press("e")
        await wait_until(pilot, lambda: showing(app, EditScreen))
        editor = app.screen
        area = editor.query_one("#edit-text")
        area.load_text("nmap -p 1 -iL /etc/passwd 127.0.0.1")
        await pilot.pause()
        status = plain(editor.query_one("#edit-status"))
        assert status.startswith("Invalid:") and "-iL" in status
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is editor  # an invalid edit cannot be proposed
        area.load_text(f"nmap -p {listener} 127.0.0.1")
        await pilot.pause()
        assert plain(editor.query_one("#edit-status")).startswith("Valid:")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: on_card(app))
        assert app.screen.proposal.call.ports == str(listener)
        await pilot.press("y")
        await wait_until(pilot, lambda: bool(app.transcript.query(ResultView)), timeout=120)
        await app.workers.wait_for_complete()
    assert audit_events(config) == ["proposed", "denied", "proposed", "confirmed", "executed"]


async def test_follow_up_edits_the_last_call(make_app, config, listener):
    first, follow_up = scan(listener), scan(f"{listener},443")
    app = make_app([first, follow_up])
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, f"is port {listener} open on 127.0.0.1?")
        await wait_until(pilot, lambda: on_card(app))
        await pilot.press("n")
        await wait_until(pilot, lambda: idle(app))
        await ask(pilot, "also check 443")
        await wait_until(pilot, lambda: on_card(app))
        assert app.screen.proposal.call.ports == f"{listener},443"
        await pilot.press("n")
        await wait_until(pilot, lambda: idle(app))
        await app.workers.wait_for_complete()
        assert app.session.last_call().ports == f"{listener},443"
        assert app.session.last_question() == "also check 443"
        # the model was shown the previous call (and nothing from any result)
        follow_up_prompt = app.planner.backend.calls[1].prompt
        assert "Previous:" in follow_up_prompt and f'"ports":"{listener}"' in follow_up_prompt
    assert audit_events(config) == ["proposed", "denied", "proposed", "denied"]


async def test_a_reply_instead_of_a_call_runs_nothing(make_app, config):
    app = make_app([{"tool": "none", "kind": "clarify", "message": "Which host do you mean?"}])
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "what should I look at first?")
        await wait_until(pilot, lambda: idle(app) and bool(app.transcript.query(Note)))
        await app.workers.wait_for_complete()
        assert "Which host do you mean?" in notes(app)
    assert audit_events(config) == []


async def test_a_planner_bug_becomes_a_message(make_app, config):
    app = make_app([])

    class Broken:
        def plan(self, question, conversation):
            raise RuntimeError("boom")

    app.planner = Broken()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "anything")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("RuntimeError: boom" in n for n in notes(app))
        assert app.activity == "idle"
    assert audit_events(config) == []


async def test_only_the_question_reaches_the_planner(make_app, listener):
    """Tool output is data: the planner sees the analyst's words, never result content."""
    seen: list[str] = []
    app = make_app([scan(listener)])
    real = app.planner

    class Spy:
        def plan(self, question, conversation):
            seen.append(question)
            return real.plan(question, conversation)

    app.planner = Spy()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "which ports are open on 127.0.0.1?")
        await wait_until(pilot, lambda: on_card(app))
        await pilot.press("n")
        await wait_until(pilot, lambda: idle(app))
    assert seen == ["which ports are open on 127.0.0.1?"]


@pytest.mark.nmap
async def test_a_running_scan_shows_progress_and_escape_cancels_it(make_app, config, listener, nmap_path):
    """-sV against a listener that never answers keeps nmap busy long enough to cancel it."""
    posted: list = []
    app = make_app([scan(listener, service_version=True)])
    async with app.run_test(size=SIZE, message_hook=posted.append) as pilot:
        await ask(pilot, f"what runs on port {listener} of 127.0.0.1?")
        await wait_until(pilot, lambda: on_card(app))
        await pilot.press("y")
        await wait_until(pilot, lambda: any(isinstance(x, m.ScanProgressed) for x in posted), timeout=60)
        assert app.activity == "running"
        assert app.transcript.query(RunProgress)
        await pilot.press("escape")
        await wait_until(pilot, lambda: idle(app), timeout=60)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.transcript.query(RunProgress)
        assert any(n.startswith("Cancelled:") for n in notes(app))
    assert audit_events(config) == ["proposed", "confirmed", "cancelled"]
    assert not any(isinstance(x, m.ScanFinished) for x in posted)


async def test_help_example_goes_into_the_prompt_and_palette_has_the_main_actions(make_app):
    app = make_app([])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await wait_until(pilot, lambda: showing(app, HelpScreen))
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, HelpScreen))
        assert app.prompt.text == EXAMPLES[1]
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {
            "Export last result as JSON",
            "Export last result as CSV",
            "Open a saved conversation",
            "New conversation",
            "Edit the last call",
            "Cancel the running scan",
            "Help and example questions",
        } <= titles
        keys = {b.key for b in app.BINDINGS}
        assert {"f1", "f2", "f3", "ctrl+o", "ctrl+n", "escape"} <= keys


async def test_the_model_is_warmed_in_the_background_when_the_app_opens(make_app):
    app = make_app([])
    warmed = []
    app.planner.backend.warm = lambda prefix: warmed.append(prefix) or 7
    async with app.run_test(size=SIZE) as pilot:

        def done() -> bool:
            """the planner's warm-up ran"""
            return bool(warmed)

        await wait_until(pilot, done, timeout=10)
        assert app.activity == "idle" and warmed[0].startswith("<|im_start|>system\n")
