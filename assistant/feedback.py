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


class FeedbackStore:
    """Append-only feedback rows; safe to use from several threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(_SCHEMA)
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
        conn = self._connect()
        try:
            cur = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id")
            return [dict(zip(COLUMNS, r, strict=True)) for r in cur.fetchall()]
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
            writer.writerows(rows)
        else:
            raise ValueError(f"unknown export format {fmt!r}; use csv or jsonl")
        return len(rows)
