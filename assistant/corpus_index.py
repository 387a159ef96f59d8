"""``CorpusIndex``: the Chroma vectors, the committed state and BM25, kept together.

Readers see exactly the committed state: dense hits not in it are ignored and
BM25 is rebuilt whenever the state version moves (another process indexed).
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from assistant.bm25 import BM25Index, TermTable
from assistant.state import FileRecord, IndexCorruptError, IndexState
from assistant.store import VectorStore


class CorpusIndex:
    def __init__(
        self,
        index_dir: Path,
        embeddings: Embeddings,
        chroma_url: str | None = None,
        collection: str = "assistant",
    ) -> None:
        self.index_dir = index_dir
        self.embeddings = embeddings
        self.state = IndexState(index_dir)
        self.store = VectorStore(index_dir, chroma_url, collection, embeddings)
        self._bm25: BM25Index | None = None
        self._files: dict[str, FileRecord] = {}
        self._sources: dict[str, str] | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    @property
    def bm25_dir(self) -> Path:
        return self.index_dir / "bm25"

    def refresh_bm25(self, force_save: bool = False) -> BM25Index:
        """Load or rebuild BM25 so that it matches the committed state version."""
        with self._lock:
            version = self.state.version()
            if self._bm25 is not None and self._bm25.version == version and not force_save:
                return self._bm25
            bm25 = BM25Index.load(self.bm25_dir)
            if bm25 is None or bm25.version != version:
                previous = TermTable.load(self.bm25_dir)
                version, ids, texts = self.state.live_chunks(set(previous.ids) if previous else ())
                bm25 = BM25Index.build(ids, texts, version, previous)
                if self.state.exists():
                    bm25.save(self.bm25_dir)
            self._bm25 = bm25
            self._files = self.state.files()
            self._sources = None
            self._checked_at = time.monotonic()
            return bm25

    def current(self, max_age_s: float = 1.0) -> BM25Index:
        """The up-to-date BM25 index; checks the state version at most once a second."""
        if self._bm25 is None or time.monotonic() - self._checked_at > max_age_s:
            if self._bm25 is None or self.state.version() != self._bm25.version:
                return self.refresh_bm25()
            self._checked_at = time.monotonic()
        return self._bm25

    def files(self) -> dict[str, FileRecord]:
        self.current()
        return self._files

    def chunk_sources(self) -> dict[str, str]:
        """chunk id -> source for every live chunk (cached per state version)."""
        self.current()
        if self._sources is None:
            with self.state.connection() as conn:
                self._sources = dict(conn.execute("SELECT id, source FROM chunks").fetchall())
        return self._sources

    def is_live(self, chunk_id: str) -> bool:
        return chunk_id in self.current().position

    def chunks_by_id(self, ids: list[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        if not ids:
            return {}
        with self.state.connection() as conn:
            marks = ",".join("?" * len(ids))
            rows = conn.execute(
                f"SELECT id, text, metadata FROM chunks WHERE id IN ({marks})", ids
            ).fetchall()
        return {r[0]: (r[1], json.loads(r[2])) for r in rows}

    def check(self) -> None:
        """Raise ``IndexCorruptError`` when the vector store lost the committed chunks
        (e.g. its folder was deleted); cheap enough to run before answering."""
        if not self.state.exists():
            return
        with self.state.connection() as conn:
            live = conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        stored = self.store.count()
        if stored < live:
            raise IndexCorruptError(
                f"the vector store in {self.index_dir} holds {stored} of the {live} indexed "
                "chunks (deleted or damaged); run `assistant index --rebuild` to recreate the "
                "index from the corpus"
            )

    def document_text(self, source: str) -> str | None:
        return self.state.document_text(source)
