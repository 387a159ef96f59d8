"""Step 2 of a sync, and its repairs: embed chunks and write their vectors to the store.

Kept apart from the sync's bookkeeping (``indexer.py``) because this is where the time
goes: what is batched how, what is reused, what runs on a helper thread, all measured in
BENCHMARKS.md. Nothing here commits: vectors written are invisible to readers until the
SQLite state lists their chunks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from typing import TYPE_CHECKING

from assistant.index.disk import chunk_bytes, ensure_free_space
from assistant.index.embeddings import embeddings_identity
from assistant.ingest.chunking import Chunk
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.index.corpus_index import CorpusIndex

WINDOW = 4096  # chunks read ahead, sorted by length and embedded before the next are read
WRITE_MIN = 512  # fewest chunks per model call and Chroma write (fewer calls cost less)


def embedding_text(chunk: Chunk) -> str:
    """What gets embedded for a chunk: its text, led by the document title for context."""
    title = chunk.metadata.get("title")
    return f"{title}\n{chunk.text}" if title else chunk.text


def embed_and_upsert(
    index: CorpusIndex,
    chunks: Iterable[Chunk],
    settings: Settings,
    progress: Callable[[str, int, int], None] | None,  # indexer.ProgressCallback
) -> int:
    """Embed ``chunks`` and upsert them into Chroma; returns how many were embedded.

    Chunks stream through in windows of ``WINDOW``, so memory does not grow with the corpus.
    Three things keep the model the only real cost (see BENCHMARKS.md): a window's texts are
    sorted by length before batching, so a batch pads to similar lengths instead of its
    longest stray text; each batch is written to Chroma on a helper thread while the next
    one is embedded; and vectors already stored under a chunk's id are reused. Vectors do
    not depend on batch order or composition.
    """
    batch = max(settings.embedding.batch_size * 4, WRITE_MIN)
    stream = iter(chunks)
    # Vectors already stored under these ids were made by this model (``reset_vectors``)
    # from the same text (ids hash it): left by a crashed run, or kept through an edit or
    # a chunking change. Reused unless the title they were embedded with changed.
    existing: set[str] | None = None
    seen = embedded = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="chroma-upsert") as writer:
        pending: list[Future] = []
        while window := list(islice(stream, WINDOW)):
            if existing is None:
                existing = index.store.ids()
            todo = _needing_vectors(index, window, existing)
            _check_space(index, todo, settings, 1)  # before this window writes anything
            todo.sort(key=lambda c: len(embedding_text(c)))
            seen += len(window) - len(todo)
            if progress:
                progress("embed", seen, seen + len(todo))
            for start in range(0, len(todo), batch):
                part = todo[start : start + batch]
                _check_space(index, part, settings, 2)  # the disk may fill up meanwhile
                vectors = index.embeddings.embed_documents([embedding_text(c) for c in part])
                if pending:
                    pending.pop().result()  # one write in flight at most; re-raises its error
                pending.append(writer.submit(_write, index, part, vectors))
                seen += len(part)
                embedded += len(part)
                if progress:
                    progress("embed", seen, seen + len(todo) - start - len(part))
        if pending:
            pending.pop().result()
    return embedded


def reset_vectors(index: CorpusIndex, vectors: str) -> bool:
    """The stored vectors were made by another model (or an index from before signatures):
    none of them may be reused or searched. The state first says "no usable vectors", so
    readers stop searching them and a crash before the new signature is recorded makes
    the next sync start over; then the collection is dropped (a new model may have another
    dimension). Returns whether anything was dropped."""
    had_vectors = index.store.count() > 0
    if had_vectors:
        index.state.set_meta("vectors", "")
        index.store.reset()
    index.state.set_meta("vectors", vectors)
    return had_vectors


def restore_vectors(index: CorpusIndex, missing: set[str], settings: Settings) -> int:
    """Embed and upsert the committed chunks ``missing`` from the vector store."""
    rows = [(cid, text, meta) for cid, text, meta in index.state.all_chunks() if cid in missing]
    chunks = [Chunk(cid, meta.get("source", ""), text, 0, 0, meta) for cid, text, meta in rows]
    embed_and_upsert(index, chunks, settings, None)
    return len(chunks)


def _needing_vectors(index: CorpusIndex, window: list[Chunk], existing: set[str]) -> list[Chunk]:
    """The chunks of ``window`` to embed. Stored ones are reused; where only their metadata
    changed (an edit elsewhere in the file moved a chunk, or its file hash), the stored
    metadata is brought up to date, so the vector store always holds each live chunk's
    committed metadata (answering processes elsewhere read it from there)."""
    stored = index.store.metadatas([c.id for c in window if c.id in existing])
    todo, stale = [], []
    for c in window:
        old = stored.get(c.id)
        if old is None or old.get("title") != c.metadata.get("title"):
            todo.append(c)
        elif old != c.metadata:
            stale.append(c)
    if stale:
        index.store.update_metadata([c.id for c in stale], [c.metadata for c in stale])
    return todo


def _write(index: CorpusIndex, part: list[Chunk], vectors: list[list[float]]) -> None:
    index.store.upsert(
        [c.id for c in part], [c.text for c in part], [c.metadata for c in part], vectors
    )


def _check_space(index: CorpusIndex, part: list[Chunk], settings: Settings, factor: int) -> None:
    """Refuse (``IndexDiskFullError``) a write that would not fit on the index's disk."""
    if index.store.path is not None and part:  # an embedded store: vectors go to this disk
        dimension = embeddings_identity(settings.embedding, index.embeddings)["dimension"]
        needed = factor * chunk_bytes(((c.text, c.metadata) for c in part), dimension)
        ensure_free_space(index.index_dir, needed)
