"""Saved conversations and exported results, under ``<state dir>/conversations``.

A conversation is one JSON file (``<id>.json``, mode 0600) rewritten atomically after each
turn: the questions, the calls as proposed or edited, what happened to each, and the result
data with its summary. Exports go to ``conversations/exports/``. CSV cells that a spreadsheet
would run as a formula (log data is attacker-controlled) are prefixed with a quote.
"""

from __future__ import annotations

import csv
import json
import os
import re
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from operatorx.config import state_dir
from operatorx.errors import OperatorXError
from operatorx.tui.tabular import is_scan, table_of

Status = Literal["proposed", "refused", "denied", "executed", "cancelled", "failed", "reply", "error"]


class StorageError(OperatorXError):
    """A conversation or export could not be read or written."""


class SavedTurn(BaseModel):
    ts: str
    question: str
    status: Status
    call: dict | None = None
    command: str = ""
    result_type: Literal["scan", "search"] | None = None
    result: dict | None = None
    summary: str = ""
    note: str = ""


class SavedConversation(BaseModel):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex[:12])
    title: str = "New conversation"
    created: str = ""
    updated: str = ""
    turns: list[SavedTurn] = Field(default_factory=list)
    planner: dict | None = None  # operatorx.agent.conversation.Conversation.to_dict(): calls only


ID_RE = re.compile(r"^[0-9a-f]{12}$")


def default_root() -> Path:
    return state_dir() / "conversations"


def _write_atomic(path: Path, data: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(data)
    os.replace(tmp, path)


def csv_safe(cell: str) -> str:
    """Neutralise spreadsheet formulas (=, +, -, @, tab, CR) unless the cell is a plain number."""
    if cell and cell[0] in "=+-@\t\r":
        try:
            float(cell)
        except ValueError:
            return "'" + cell
    return cell


class ConversationStore:
    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root is not None else default_root()

    def path(self, conv_id: str) -> Path:
        if not ID_RE.match(conv_id):
            raise StorageError(f"{conv_id!r} is not a conversation id.")
        return self.root / f"{conv_id}.json"

    def save(self, conv: SavedConversation) -> Path:
        path = self.path(conv.id)
        try:
            _write_atomic(path, conv.model_dump_json(indent=2))
        except OSError as e:
            raise StorageError(f"Cannot save the conversation to {path}: {e.strerror}.") from e
        return path

    def load(self, conv_id: str) -> SavedConversation:
        path = self.path(conv_id)
        try:
            return SavedConversation.model_validate_json(path.read_text(encoding="utf-8"))
        except OSError as e:
            raise StorageError(f"Cannot read the conversation {path}: {e.strerror}.") from e
        except ValueError as e:
            raise StorageError(f"The conversation file {path} is damaged: {e}") from e

    def list(self) -> list[SavedConversation]:
        """Saved conversations, newest first; unreadable files are skipped."""
        out = []
        for p in sorted(self.root.glob("*.json")):
            try:
                out.append(SavedConversation.model_validate_json(p.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue
        return sorted(out, key=lambda c: c.updated, reverse=True)

    # --- export ---------------------------------------------------------------------------

    def export(self, result: Any, fmt: Literal["json", "csv"], stem: str, meta: dict | None = None) -> Path:
        path = self.root / "exports" / f"{stem}.{fmt}"
        try:
            if fmt == "json":
                payload = {
                    **(meta or {}),
                    "type": "scan" if is_scan(result) else "search",
                    "result": result.model_dump(mode="json"),
                }
                _write_atomic(path, json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")
            else:
                header, rows = table_of(result)
                _write_atomic(path, _csv_text(header, rows))
        except OSError as e:
            raise StorageError(f"Cannot write the export {path}: {e.strerror}.") from e
        return path


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        w.writerow([csv_safe(c) for c in row])
    return buf.getvalue()


def now_iso(clock=None) -> str:
    return (clock() if clock else datetime.now().astimezone()).isoformat(timespec="seconds")
