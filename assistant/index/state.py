"""The committed state of the index, in SQLite: which files and chunks are live.

SQLite is the commit point of a sync. Chroma may briefly hold extra vectors (a
sync that crashed before committing, or old chunks not yet deleted); readers
only ever see chunks listed here, and the next sync removes the extras. So a
crash at any moment leaves the index as it was or as it should be.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import EnvironmentProblemError
from assistant.ingest.chunking import Chunk

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    source TEXT PRIMARY KEY,
    file_hash TEXT NOT NULL,
    text TEXT NOT NULL,
    metadata TEXT NOT NULL,
    chunk_count INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    metadata TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_source ON chunks(source);
"""


# EnvironmentProblemError is an AssistantError and a RuntimeError (what callers caught
# before the errors module existed).
class IndexCorruptError(EnvironmentProblemError):
    """The index folder is damaged; ``assistant index --rebuild`` recreates it."""


class IndexBusyError(EnvironmentProblemError):
    """Another process is syncing this index right now."""


class IndexMismatchError(EnvironmentProblemError):
    """The index was embedded by another model; ``assistant index`` re-embeds it."""


@dataclass(frozen=True)
class FileRecord:
    source: str
    file_hash: str
    metadata: dict[str, Any]
    chunk_count: int


class IndexState:
    """Read and commit the live set of files and chunks."""

    def __init__(self, index_dir: Path) -> None:
        self.path = index_dir / "state.sqlite"

    def _connect(self) -> sqlite3.Connection:
        if not self.path.exists():
            self._create()
        elif self.path.stat().st_size == 0:
            # Never a state in progress: ``_create`` puts the file in place fully written.
            raise IndexCorruptError(
                f"{self.path} is empty (0 bytes: truncated or damaged); run "
                "`assistant index --rebuild` to recreate the index from the corpus"
            )
        conn = sqlite3.connect(self.path, timeout=30)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise IndexCorruptError(
                f"{self.path} is damaged ({exc}); run `assistant index --rebuild` to recreate "
                "the index from the corpus"
            ) from exc
        return conn

    def _create(self) -> None:
        """Write a new, empty state file under a temporary name and link it into place, so
        that a state file of 0 bytes always means damage, never a creation under way."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}")
        tmp.unlink(missing_ok=True)
        conn = sqlite3.connect(tmp)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)
        finally:
            conn.close()
        try:
            os.link(tmp, self.path)
        except FileExistsError:
            pass  # another process or thread created it first: use theirs
        except OSError:  # no hard links on this file system
            if not self.path.exists():
                os.replace(tmp, self.path)
        finally:
            tmp.unlink(missing_ok=True)

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            yield conn
        finally:
            conn.close()

    def exists(self) -> bool:
        return self.path.exists()

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        if not self.exists():
            return default
        with self.connection() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        """Record one meta value outside a sync commit (the state version does not move)."""
        with self.connection() as conn:
            conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
            conn.commit()

    def version(self) -> int:
        return int(self.get_meta("version", "0") or 0)

    def files(self) -> dict[str, FileRecord]:
        if not self.exists():
            return {}
        with self.connection() as conn:
            rows = conn.execute(
                "SELECT source, file_hash, metadata, chunk_count FROM files ORDER BY source"
            ).fetchall()
        return {r[0]: FileRecord(r[0], r[1], json.loads(r[2]), r[3]) for r in rows}

    def document_text(self, source: str) -> str | None:
        with self.connection() as conn:
            row = conn.execute("SELECT text FROM files WHERE source=?", (source,)).fetchone()
        return row[0] if row else None

    def chunk_ids(self, source: str | None = None) -> list[str]:
        with self.connection() as conn:
            if source is None:
                rows = conn.execute("SELECT id FROM chunks ORDER BY source, position")
            else:
                rows = conn.execute(
                    "SELECT id FROM chunks WHERE source=? ORDER BY position", (source,)
                )
            return [r[0] for r in rows.fetchall()]

    def chunk_sources(self) -> dict[str, str]:
        """chunk id -> source of every live chunk."""
        with self.connection() as conn:
            return dict(conn.execute("SELECT id, source FROM chunks").fetchall())

    def uid(self) -> str:
        """A random name for this state file, made once: tells whose state was published."""
        value = self.get_meta("uid")
        if not value:
            value = uuid.uuid4().hex
            self.set_meta("uid", value)
        return value

    def live_chunks(self, known: Collection[str] = ()) -> tuple[int, list[str], dict[str, str]]:
        """(version, live chunk ids in order, texts of the ids not in ``known``), one snapshot."""
        if not self.exists():
            return 0, [], {}
        with self.connection() as conn:
            conn.execute("BEGIN")  # one read transaction: a concurrent commit is not half-seen
            row = conn.execute("SELECT value FROM meta WHERE key='version'").fetchone()
            ids = [r[0] for r in conn.execute("SELECT id FROM chunks ORDER BY source, position")]
            wanted = [cid for cid in ids if cid not in known]
            texts: dict[str, str] = {}
            if len(wanted) > len(ids) // 2:
                texts = {cid: text for cid, text in conn.execute("SELECT id, text FROM chunks")}
            else:
                for i in range(0, len(wanted), 500):
                    batch = wanted[i : i + 500]
                    marks = ",".join("?" * len(batch))
                    texts.update(
                        conn.execute(f"SELECT id, text FROM chunks WHERE id IN ({marks})", batch)
                    )
            conn.execute("COMMIT")
        return int(row[0]) if row else 0, ids, texts

    def all_chunks(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(id, text, metadata) of every live chunk, in a stable order."""
        if not self.exists():
            return []
        with self.connection() as conn:
            rows = conn.execute(
                "SELECT id, text, metadata FROM chunks ORDER BY source, position"
            ).fetchall()
        return [(r[0], r[1], json.loads(r[2])) for r in rows]

    def commit(
        self,
        upserts: Iterable[tuple[str, str, str, dict[str, Any], list[Chunk]]],
        removals: Iterable[str],
        meta: dict[str, str],
    ) -> int:
        """Atomically replace files (source, hash, text, metadata, chunks) and drop removals.

        Returns the new state version.
        """
        with self.connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for source in removals:
                    conn.execute("DELETE FROM chunks WHERE source=?", (source,))
                    conn.execute("DELETE FROM files WHERE source=?", (source,))
                for source, file_hash, text, metadata, chunks in upserts:
                    conn.execute("DELETE FROM chunks WHERE source=?", (source,))
                    conn.execute(
                        "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
                        (source, file_hash, text, json.dumps(metadata), len(chunks)),
                    )
                    conn.executemany(
                        "INSERT OR REPLACE INTO chunks VALUES (?, ?, ?, ?, ?)",
                        [
                            (c.id, source, i, c.text, json.dumps(c.metadata))
                            for i, c in enumerate(chunks)
                        ],
                    )
                row = conn.execute("SELECT value FROM meta WHERE key='version'").fetchone()
                version = int(row[0]) + 1 if row else 1
                meta = {**meta, "version": str(version)}
                conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(meta.items()))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return version
