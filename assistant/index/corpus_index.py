"""``CorpusIndex``: the Chroma vectors, the committed state and BM25, kept together.

Readers see exactly the committed state: dense hits not in it are ignored (and the
search reaches past as many uncommitted vectors as the store holds, so they can never
crowd out committed ones), BM25 is rebuilt whenever the state version moves (another
process indexed), and vectors made by another embedding model are never searched.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.index.bm25 import BM25Index, TermTable
from assistant.index.published import PublishedState, Snapshot
from assistant.index.state import FileRecord, IndexCorruptError, IndexMismatchError, IndexState
from assistant.index.store import VectorStore

log = logging.getLogger(__name__)
EXACT_SEARCH_MAX = 200_000  # most committed chunks compared exactly while leftovers exist
OVERFETCH_MAX = 5_000  # fewer uncommitted vectors than this: first try HNSW with k + that many


class CorpusIndex:
    def __init__(
        self,
        index_dir: Path,
        embeddings: Embeddings,
        chroma_url: str | None = None,
        collection: str = "assistant",
        vectors_signature: str | None = None,
    ) -> None:
        self.index_dir = index_dir
        self.embeddings = embeddings
        self.vectors_signature = vectors_signature  # None: trust whatever is stored
        self._vectors_match = True
        self._exact: tuple[int, list[str], np.ndarray] | None = None
        self.state = IndexState(index_dir)
        self.store = VectorStore(index_dir, chroma_url, collection, embeddings)
        # On a server, answering reads the published state, so it needs no index_dir.
        self.published = PublishedState(self.store.client, collection) if chroma_url else None
        self._snapshot: Snapshot | None = None
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
                    try:
                        bm25.save(self.bm25_dir)
                    except OSError:
                        if force_save:  # the sync reports it (e.g. a full disk)
                            raise
                        log.warning("could not save the BM25 index in %s", self.bm25_dir)
            self._bm25 = bm25
            self._files = self.state.files()
            self._sources = None
            self._vectors_match = self._read_vectors_match()
            self._checked_at = time.monotonic()
            return bm25

    def current(self, max_age_s: float = 1.0) -> BM25Index:
        """The up-to-date BM25 index; checks the state version at most once a second."""
        if self.published is not None:
            return self._current_published(max_age_s).bm25
        if self._bm25 is None or time.monotonic() - self._checked_at > max_age_s:
            if self._bm25 is None or self.state.version() != self._bm25.version:
                return self.refresh_bm25()
            self._vectors_match = self._read_vectors_match()
            self._checked_at = time.monotonic()
        return self._bm25

    def _current_published(self, max_age_s: float) -> Snapshot:
        """The published snapshot, reloaded when the published head moved."""
        snapshot = self._snapshot
        if snapshot is not None and time.monotonic() - self._checked_at <= max_age_s:
            return snapshot
        with self._lock:
            head = self.published.head()
            if head is None:
                snapshot = Snapshot(0, {}, {}, {}, BM25Index([], None, 0))
            elif snapshot is None or head["version"] != snapshot.version:
                snapshot = self.published.load() or Snapshot(0, {}, {}, {}, BM25Index([], None, 0))
            else:
                snapshot.head = head
            self._snapshot = snapshot
            stored = snapshot.head.get("vectors")
            self._vectors_match = self.vectors_signature is None or stored in (
                None,
                self.vectors_signature,
            )
            self._checked_at = time.monotonic()
        return snapshot

    def exists(self) -> bool:
        """Whether anything was ever committed (published, with a server)."""
        if self.published is not None:
            return self._current_published(0).version > 0
        return self.state.exists()

    def published_by_other(self) -> dict | None:
        """The published head when another index folder (another indexer) published it."""
        if self.published is None:
            return None
        head = self.published.head()
        if head is None:
            return None
        mine = self.state.get_meta("uid") if self.state.exists() else None
        return None if mine and head.get("origin", "").startswith(f"{mine}:") else head

    def meta(self, key: str) -> str | None:
        """A committed meta value: signature, vectors, updated_at."""
        if self.published is not None:
            return self._current_published(1.0).head.get(key)
        return self.state.get_meta(key)

    def _read_vectors_match(self) -> bool:
        if self.vectors_signature is None or not self.state.exists():
            return True
        stored = self.state.get_meta("vectors")
        return stored is None or stored == self.vectors_signature

    def vectors_usable(self) -> bool:
        """False while the stored vectors come from another embedding model (a sync is
        re-embedding them, or one is needed): dense search would compare apples and pears."""
        self.current()
        return self._vectors_match

    def dense_search(
        self, vector: list[float], k: int, sources: set[str] | None = None
    ) -> list[tuple[str, float]]:
        """The ``k`` nearest committed chunks (of ``sources`` if given): (chunk id, cosine
        similarity), best first.

        The store may hold vectors that are not committed (a sync in progress, or one that
        was interrupted, until the next sync removes them). A few are skipped by asking
        HNSW for that many more; when that does not yield ``k`` committed chunks (100,000
        near-identical leftovers fill any top-k, and HNSW gets lost among them), the
        committed vectors are compared exactly instead (read once per state version).
        """
        live = self.current().position
        stored = self.store.count()
        where = {"source": {"$in": sorted(sources)}} if sources is not None else None
        excess = max(0, stored - len(live))
        if excess <= OVERFETCH_MAX or len(live) > EXACT_SEARCH_MAX:
            found: dict[str, float] = {}
            for cid, sim in self.store.search_ids(vector, k + excess, where):
                if cid in live and cid not in found:
                    found[cid] = sim
            reachable = len(live) if sources is None else self._live_in(sources)
            if not excess or len(found) >= min(k, reachable) or len(live) > EXACT_SEARCH_MAX:
                return list(found.items())[:k]
        return self._exact_search(vector, k, sources)

    def _live_in(self, sources: set[str]) -> int:
        return sum(1 for source in self.chunk_sources().values() if source in sources)

    def _exact_search(
        self, vector: list[float], k: int, sources: set[str] | None
    ) -> list[tuple[str, float]]:
        bm25 = self.current()
        with self._lock:
            if self._exact is None or self._exact[0] != bm25.version:
                ids, matrix = self.store.vectors(list(bm25.ids))
                norms = np.linalg.norm(matrix, axis=1, keepdims=True) if len(ids) else 1.0
                self._exact = (bm25.version, ids, matrix / np.maximum(norms, 1e-12))
            _, ids, matrix = self._exact
        if not ids:
            return []
        query = np.asarray(vector, dtype=np.float32)
        sims = matrix @ (query / max(float(np.linalg.norm(query)), 1e-12))
        if sources is not None:
            chunk_sources = self.chunk_sources()
            keep = np.array([chunk_sources.get(cid) in sources for cid in ids], dtype=bool)
            sims = np.where(keep, sims, -np.inf)
        order = np.argsort(-sims, kind="stable")[:k]
        return [(ids[i], float(sims[i])) for i in order if np.isfinite(sims[i])]

    def files(self) -> dict[str, FileRecord]:
        if self.published is not None:
            return self._current_published(1.0).files
        self.current()
        return self._files

    def chunk_sources(self) -> dict[str, str]:
        """chunk id -> source for every live chunk (cached per state version)."""
        if self.published is not None:
            return self._current_published(1.0).sources
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
        if self.published is not None:  # the chunk collection holds the committed texts
            return self.store.documents(ids)
        with self.state.connection() as conn:
            marks = ",".join("?" * len(ids))
            rows = conn.execute(
                f"SELECT id, text, metadata FROM chunks WHERE id IN ({marks})", ids
            ).fetchall()
        return {r[0]: (r[1], json.loads(r[2])) for r in rows}

    def check(self) -> None:
        """Raise ``IndexCorruptError`` when the vector store lost the committed chunks
        (e.g. its folder was deleted); cheap enough to run before answering."""
        if not self.exists():
            return
        if self.published is not None:
            live = len(self._current_published(0).bm25.ids)
            matches = self._vectors_match
        else:
            with self.state.connection() as conn:
                live = conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
            matches = self._read_vectors_match()
        stored = self.store.count()
        if self.vectors_signature is not None and not matches:
            raise IndexMismatchError(
                f"the index in {self.index_dir} was embedded with other embedding settings "
                "(model, backend or dimension); run `assistant index` to re-embed it"
            )
        if stored < live:
            raise IndexCorruptError(
                f"the vector store in {self.index_dir} holds {stored} of the {live} indexed "
                "chunks (deleted or damaged); run `assistant index --rebuild` to recreate the "
                "index from the corpus"
            )

    def document_text(self, source: str) -> str | None:
        if self.published is not None:
            record = self.files().get(source)
            return self.published.document_text(source, record.file_hash) if record else None
        return self.state.document_text(source)
