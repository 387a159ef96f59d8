"""Chroma behind one small class: embedded by default, a server when a URL is set.

Reads go through ``langchain_chroma.Chroma`` so the store is also a normal
LangChain vector store; writes pass precomputed vectors straight to the
collection so that indexing embeds each chunk exactly once.
"""

from __future__ import annotations

import functools
import re
import shutil
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

import numpy as np
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from assistant.errors import (
    StoreError,
    StoreLockedError,
    StorePermissionError,
    StoreUnavailableError,
)

T = TypeVar("T")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# Chroma's SQLite result codes, as its errors spell them: "(code: 5) database is locked".
_LOCKED = ("database is locked", "(code: 5)", "(code: 6)")
_NO_ACCESS = ("readonly database", "permission denied", "(code: 8)", "(code: 23)")
_DAMAGED = ("not a database", "malformed", "(code: 11)", "(code: 26)", "corrupt")


def open_error(path: Path, exc: Exception) -> Exception:
    """The error to raise when the embedded store in ``path`` cannot be opened.

    Only damage advises ``assistant index --rebuild``: for a permission problem or a
    lock, deleting the index would lose it without fixing anything.
    """
    from assistant.index.state import IndexCorruptError

    text = str(exc).lower()
    if isinstance(exc, PermissionError) or any(m in text for m in _NO_ACCESS):
        return StorePermissionError(
            f"cannot open the vector store in {path}: permission denied ({exc}); give this "
            "user read and write access to the folder, or set ASSISTANT_INDEX_DIR to another one"
        )
    if any(m in text for m in _LOCKED):
        return StoreLockedError(
            f"the vector store in {path} is locked by another process ({exc}); wait for it "
            "to finish (an `assistant index` run, say) or stop it, then try again"
        )
    if any(m in text for m in _DAMAGED):
        return IndexCorruptError(
            f"the vector store in {path} is damaged ({exc}); run "
            "`assistant index --rebuild` to recreate the index from the corpus"
        )
    return StoreError(f"cannot open the vector store in {path} ({type(exc).__name__}: {exc})")


def make_chroma_client(index_dir: Path, chroma_url: str | None) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if not chroma_url:
        path = index_dir / "chroma"
        try:
            path.mkdir(parents=True, exist_ok=True)
            return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        except Exception as exc:  # chromadb raises InternalError for SQLite failures
            raise open_error(path, exc) from exc
    url = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
    if not url.hostname:
        raise ValueError(f"chroma_url={chroma_url!r} is not a URL like http://127.0.0.1:8000")
    try:
        return chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    except Exception as exc:  # chromadb raises ValueError/ConnectionError variants
        raise StoreUnavailableError(
            f"cannot reach the Chroma server at {chroma_url} ({exc}); start it with "
            "`chroma run --path DIR --port PORT` or unset ASSISTANT_CHROMA_URL"
        ) from exc


def _reopening(method: Callable[..., T]) -> Callable[..., T]:
    """Retry a read on a fresh collection handle when another process (or thread) has
    replaced the collection (a model change or a compaction drops and recreates it), or
    wrote to it: embedded Chroma then reports "Error finding id" for the vectors another
    process added after this one opened the store, until it is opened again."""
    return _retrying(method, internal_errors=True)


def _rewriting(method: Callable[..., T]) -> Callable[..., T]:
    """Retry a write once on a fresh handle when the collection was replaced. An internal
    error (a full disk: "Failed to apply logs") is not retried: writing again to a store
    that just failed can wait forever."""
    return _retrying(method, internal_errors=False)


def _retrying(method: Callable[..., T], internal_errors: bool) -> Callable[..., T]:
    @functools.wraps(method)
    def wrapper(self: VectorStore, *args: Any, **kwargs: Any) -> T:
        from chromadb.errors import InternalError, NotFoundError

        retried = (NotFoundError, InternalError) if internal_errors else (NotFoundError,)
        attempts = 3 if internal_errors else 2
        for attempt in range(attempts):
            try:
                return method(self, *args, **kwargs)
            except retried as exc:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.2 * (attempt + 1))
                if isinstance(exc, InternalError):
                    self._reconnect()
                else:
                    self._open()
        raise AssertionError("unreachable")

    return wrapper


class VectorStore:
    """The chunk vectors. Ids are chunk ids; metadata mirrors the chunk's."""

    def __init__(
        self, index_dir: Path, chroma_url: str | None, collection: str, embeddings: Embeddings
    ) -> None:
        self.client = make_chroma_client(index_dir, chroma_url)
        self.path = None if chroma_url else index_dir / "chroma"  # embedded store's folder
        self.embeddings = embeddings
        self.name = collection
        self._open()

    def _reconnect(self) -> None:
        """Open the embedded store afresh. Chroma keeps one store object per folder and
        process, and that object never reads the vectors another process (an `assistant
        index` run) wrote after it was opened; forgetting it makes the next client read
        the folder again. Handles already given out keep working on the old object."""
        if self.path is not None:
            from chromadb.api.shared_system_client import SharedSystemClient

            SharedSystemClient._identifier_to_system.pop(str(self.path), None)
            self.client = make_chroma_client(self.path.parent, None)
        self._open()

    def _open(self) -> None:
        from langchain_chroma import Chroma

        self.langchain = Chroma(
            client=self.client,
            collection_name=self.name,
            embedding_function=self.embeddings,
            collection_metadata={"hnsw:space": "cosine"},
        )
        self.collection = self.langchain._collection

    @_rewriting
    def upsert(
        self,
        ids: list[str],
        texts: list[str],
        metadatas: list[dict[str, Any]],
        vectors: list[list[float]],
    ) -> None:
        self.collection.upsert(ids=ids, documents=texts, metadatas=metadatas, embeddings=vectors)

    @_rewriting
    def update_metadata(self, ids: list[str], metadatas: list[dict[str, Any]]) -> None:
        """Replace the metadata of stored chunks, keeping their vectors and texts."""
        for start in range(0, len(ids), 5000):
            part = slice(start, start + 5000)
            self.collection.update(ids=ids[part], metadatas=metadatas[part])

    @_rewriting
    def delete(self, ids: list[str]) -> None:
        for start in range(0, len(ids), 5000):
            self.collection.delete(ids=ids[start : start + 5000])

    @_reopening
    def ids(self) -> set[str]:
        found: set[str] = set()
        offset, page = 0, 10000
        while True:
            batch = self.collection.get(include=[], limit=page, offset=offset)["ids"]
            found.update(batch)
            if len(batch) < page:
                return found
            offset += page

    @_reopening
    def metadatas(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """id -> stored metadata for those of ``ids`` that are stored."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), 5000):
            got = self.collection.get(ids=ids[start : start + 5000], include=["metadatas"])
            found.update(zip(got["ids"], (m or {} for m in got["metadatas"]), strict=True))
        return found

    @_reopening
    def documents(self, ids: list[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """id -> (text, metadata) of those of ``ids`` that are stored."""
        found: dict[str, tuple[str, dict[str, Any]]] = {}
        for start in range(0, len(ids), 5000):
            got = self.collection.get(
                ids=ids[start : start + 5000], include=["documents", "metadatas"]
            )
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                found[cid] = (text or "", meta or {})
        return found

    @_reopening
    def vectors(self, ids: list[str]) -> tuple[list[str], np.ndarray]:
        """(the stored ones of ``ids``, their vectors as rows), in the order of ``ids``."""
        rows: dict[str, Any] = {}
        for start in range(0, len(ids), 5000):
            got = self.collection.get(ids=ids[start : start + 5000], include=["embeddings"])
            rows.update(zip(got["ids"], got["embeddings"], strict=True))
        kept = [cid for cid in ids if cid in rows]
        matrix = np.asarray([rows[cid] for cid in kept], dtype=np.float32)
        return kept, matrix.reshape(len(kept), -1)

    def compact(self, ids: list[str]) -> None:
        """Keep only ``ids``, in a fresh collection, and give the disk space of everything
        else back. Deleted vectors otherwise keep their space in Chroma's HNSW files and
        SQLite database; this copies the kept ones out and back in (interrupted half-way,
        the next sync re-embeds whatever is missing)."""
        kept: dict[str, list] = {"ids": [], "embeddings": [], "documents": [], "metadatas": []}
        for start in range(0, len(ids), 5000):
            got = self.collection.get(
                ids=ids[start : start + 5000], include=["embeddings", "documents", "metadatas"]
            )
            for key in kept:
                kept[key].extend(got[key])
        self.reset()
        for start in range(0, len(kept["ids"]), 5000):
            part = slice(start, start + 5000)
            self.collection.add(**{key: values[part] for key, values in kept.items()})

    def reclaim_space(self) -> None:
        """Embedded store only, best effort: delete the folders of dropped collections
        (Chroma leaves them behind) and VACUUM its SQLite file."""
        if self.path is None:
            return
        database = self.path / "chroma.sqlite3"
        try:
            with closing(sqlite3.connect(database, timeout=5)) as conn:
                live = {row[0] for row in conn.execute("SELECT id FROM segments")}
                conn.execute("VACUUM")
        except sqlite3.Error:
            return  # busy (another process reading): the space comes back next time
        for folder in self.path.iterdir():
            if folder.is_dir() and _UUID.fullmatch(folder.name) and folder.name not in live:
                shutil.rmtree(folder, ignore_errors=True)

    def reset(self) -> None:
        """Drop every vector and start an empty collection (which may take another
        dimension); also gives the disk space of the old one back."""
        self.langchain.reset_collection()
        self.collection = self.langchain._collection
        self.reclaim_space()

    @_reopening
    def count(self) -> int:
        return self.collection.count()

    @_reopening
    def search(
        self, vector: list[float], k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[Document, float]]:
        """Nearest chunks with cosine similarity in [−1, 1] (higher is closer)."""
        count = self.count()
        if count == 0:
            return []
        results = self.langchain.similarity_search_by_vector_with_relevance_scores(
            vector, k=min(k, count), filter=where
        )
        # langchain-chroma returns cosine *distance* here; turn it into similarity.
        return [(doc, 1.0 - float(distance)) for doc, distance in results]

    @_reopening
    def search_ids(
        self, vector: list[float], k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """Like ``search`` but ids only: (chunk id, cosine similarity), best first.

        Leaving texts and metadata out of the reply makes a top-100 query about 5x faster
        (BENCHMARKS.md); the caller reads the few texts it keeps from the index state.
        """
        count = self.count()
        if count == 0:
            return []
        result = self.collection.query(
            query_embeddings=[vector], n_results=min(k, count), where=where, include=["distances"]
        )
        return [
            (cid, 1.0 - float(distance))
            for cid, distance in zip(result["ids"][0], result["distances"][0], strict=True)
        ]
