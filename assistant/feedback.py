"""Feedback on answers (thumbs up/down, comment), shared by the web page and Slack.

Stored in its own SQLite file, apart from the index, so rebuilding the index
never touches it. Each row keeps the question, answer, citations and the
settings that produced the answer, so a bad answer can be reproduced.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TextIO

from assistant.errors import InputError

Rating = Literal["up", "down"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    channel TEXT NOT NULL,
    user TEXT,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    settings TEXT NOT NULL,
    answer_id TEXT
);
"""
COLUMNS = (
    "id",
    "created_at",
    "channel",
    "user",
    "rating",
    "comment",
    "question",
    "answer",
    "citations",
    "settings",
    "answer_id",
)


# A spreadsheet reads a cell starting with one of these as a formula (or, for tab
# and carriage return, strips them and reads what follows).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class FeedbackStoreError(InputError):
    """The feedback store's path is not a readable SQLite feedback file."""


def csv_safe(value: Any) -> Any:
    """A text cell that a spreadsheet will show as text: one starting with ``=``, ``+``,
    ``-``, ``@``, tab or CR gets a leading ``'`` (OWASP's advice against formula
    injection). Other values are returned unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


class FeedbackStore:
    """Append-only feedback rows; safe to use from several threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def _connect(self, create: bool = True) -> sqlite3.Connection:
        """A connection; ``create`` makes the file and table (writers), else they must exist."""
        if self.path.is_dir():
            raise FeedbackStoreError(
                f"feedback store {self.path} is a folder; point feedback_path "
                "(ASSISTANT_FEEDBACK_PATH, --feedback-path) at a file"
            )
        try:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30)
        except (OSError, sqlite3.Error) as exc:
            raise FeedbackStoreError(f"cannot open the feedback store {self.path}: {exc}") from exc
        try:
            if create:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.executescript(_SCHEMA)
            elif not conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'feedback'"
            ).fetchone():
                raise FeedbackStoreError(
                    f"{self.path} holds no feedback table; is it the feedback store?"
                )
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise FeedbackStoreError(
                f"feedback store {self.path} is not a SQLite database ({exc})"
            ) from exc
        except FeedbackStoreError:
            conn.close()
            raise
        return conn

    def record(
        self,
        *,
        rating: Rating,
        question: str,
        answer: str,
        citations: list[dict[str, Any]] | None = None,
        settings: dict[str, Any] | None = None,
        comment: str | None = None,
        user: str | None = None,
        channel: str = "web",
        answer_id: str | None = None,
    ) -> int:
        """Store one feedback row and return its id."""
        if rating not in ("up", "down"):
            raise ValueError(f"rating must be 'up' or 'down', not {rating!r}")
        row = (
            datetime.now(UTC).isoformat(timespec="seconds"),
            channel,
            user,
            rating,
            comment or None,
            question,
            answer,
            json.dumps(citations or [], ensure_ascii=False),
            json.dumps(settings or {}, ensure_ascii=False, default=str),
            answer_id,
        )
        with self._lock:
            conn = self._connect()
            try:
                with conn:
                    cur = conn.execute(
                        "INSERT INTO feedback (created_at, channel, user, rating, comment, "
                        "question, answer, citations, settings, answer_id) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        row,
                    )
                return int(cur.lastrowid or 0)
            finally:
                conn.close()

    def rows(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        conn = self._connect(create=False)
        try:
            cur = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id")
            return [dict(zip(COLUMNS, r, strict=True)) for r in cur.fetchall()]
        except sqlite3.DatabaseError as exc:  # a table of another shape
            raise FeedbackStoreError(
                f"feedback store {self.path} is not a feedback file ({exc})"
            ) from exc
        finally:
            conn.close()

    def export(self, fmt: Literal["csv", "jsonl"], out: TextIO) -> int:
        """Write every row as CSV or JSON lines; returns the number of rows."""
        rows = self.rows()
        if fmt == "jsonl":
            for row in rows:
                row = {
                    **row,
                    "citations": json.loads(row["citations"]),
                    "settings": json.loads(row["settings"]),
                }
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        elif fmt == "csv":
            writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
            writer.writeheader()
            writer.writerows({k: csv_safe(v) for k, v in row.items()} for row in rows)
        else:
            raise ValueError(f"unknown export format {fmt!r}; use csv or jsonl")
        return len(rows)
