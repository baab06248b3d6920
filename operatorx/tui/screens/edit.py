"""Edit a proposed call as text: the nmap command line, or the search request and JSON body.

The text is parsed back into a typed call (``NmapScan.from_argv`` / ``EsSearch.from_body``)
on every keystroke and the error, if any, is shown under the editor; an invalid edit cannot
be proposed. A valid edit goes back through the executor's ``propose`` — scope and policy are
checked again and a fresh card asks before anything runs.
"""

from __future__ import annotations

import json
import shlex

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Label, Static, TextArea

from operatorx.errors import ValidationFailed
from operatorx.schemas.elastic import EsSearch
from operatorx.schemas.nmap import NmapScan

ToolCall = NmapScan | EsSearch


def parse_command(text: str) -> ToolCall:
    """The call an edited command text stands for; ValidationFailed says what is wrong."""
    stripped = text.strip()
    if not stripped:
        raise ValidationFailed("The command is empty.")
    first_line, _, rest = stripped.partition("\n")
    head = first_line.split(None, 1)[0]
    if head == "nmap":
        try:
            argv = shlex.split(stripped)
        except ValueError as e:
            raise ValidationFailed(f"The command line cannot be split into arguments: {e}.") from None
        return _wrap(lambda: NmapScan.from_argv(argv))
    if head.upper() in ("GET", "POST"):
        parts = first_line.split()
        if len(parts) != 2:
            raise ValidationFailed("The first line must be `GET <index>/_search`.")
        path = parts[1].lstrip("/")
        if not path.endswith("/_search") or path == "/_search":
            raise ValidationFailed(f"Only `<index>/_search` can be requested, not {parts[1]!r}.")
        index = path.removesuffix("/_search")
        try:
            body = json.loads(rest) if rest.strip() else {}
        except json.JSONDecodeError as e:
            raise ValidationFailed(
                f"The request body is not valid JSON: {e.msg} (line {e.lineno + 1}, column {e.colno})."
            ) from None
        if not isinstance(body, dict):
            raise ValidationFailed("The request body must be a JSON object.")
        return _wrap(lambda: EsSearch.from_body(index, body))
    raise ValidationFailed("Start with `nmap …` for a scan or `GET <index>/_search` for a search.")


def _wrap(parse) -> ToolCall:
    try:
        return parse()
    except ValidationFailed:
        raise
    except (ValueError, TypeError, KeyError) as e:  # pydantic's ValidationError is a ValueError
        raise ValidationFailed(f"Invalid call: {e}") from None


class EditScreen(ModalScreen[ToolCall | None]):
    """Dismisses with the parsed call (ctrl+s) or None (Esc)."""

    BINDINGS = [
        Binding("ctrl+s", "propose", "Propose", id="edit-propose"),
        Binding("escape", "cancel", "Cancel", id="edit-cancel"),
    ]

    error: reactive[str] = reactive("", init=False, always_update=True)
    """The current validation error; empty when the text parses into a valid call."""

    def __init__(self, command: str, *, reason: str = ""):
        super().__init__()
        self.command = command
        self.reason = reason
        self.parsed: ToolCall | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="edit-dialog"):
            yield Label("Edit the call — checked as you type", id="edit-title")
            if self.reason:
                yield Static(Text(self.reason), id="edit-reason")
            yield TextArea(self.command, id="edit-text", soft_wrap=True, show_line_numbers=False)
            yield Static(id="edit-status")
            yield Static(
                "[b]ctrl+s[/b] propose (a new card asks before it runs)   [b]F7[/b] select all   [b]Esc[/b] cancel",
                id="edit-keys",
            )

    def on_mount(self) -> None:
        self._validate(self.command)
        editor = self.query_one("#edit-text", TextArea)
        editor.move_cursor(editor.document.end)
        editor.focus()

    @on(TextArea.Changed, "#edit-text")
    def _changed(self, event: TextArea.Changed) -> None:
        self._validate(event.text_area.text)

    def _validate(self, text: str) -> None:
        try:
            self.parsed = parse_command(text)
        except ValidationFailed as e:
            self.parsed = None
            self.error = str(e)
        else:
            self.error = ""

    def watch_error(self) -> None:
        status = self.query_one("#edit-status", Static)
        if self.parsed is None:
            status.update(Text.assemble(("Invalid: ", "bold"), self.error))
        else:
            status.update(Text.assemble(("Valid: ", "bold"), self.parsed.describe()))
        status.set_class(self.parsed is None, "invalid")
        status.set_class(self.parsed is not None, "valid")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "propose" and self.parsed is None:
            return None  # shown, greyed out: an invalid edit cannot be proposed
        return True

    def action_propose(self) -> None:
        if self.parsed is None:
            self.app.bell()
            return
        self.dismiss(self.parsed)

    def action_cancel(self) -> None:
        self.dismiss(None)
