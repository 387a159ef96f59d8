"""Incremental sync of a corpus folder into the index.

Order of work, chosen so that a crash at any point is harmless:
1. hash every file; unchanged files (same hash, same index signature) are skipped;
2. load, chunk and embed new/changed files, streamed (``ingest.py``), upserting their
   vectors into Chroma (invisible to readers until step 3);
3. commit the new live set to SQLite in one transaction, then rebuild BM25; with a
   Chroma server, publish both there for answering processes (``published.py``);
4. delete from Chroma every vector not in the live set (old chunks, leftovers
   of an earlier crash).

One sync at a time: a lock file in the index folder, and with a server a lock record
there too (indexers on other hosts).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

from langchain_core.embeddings import Embeddings

from assistant.ingest.chunking import Chunk
from assistant.index.disk import (
    RESERVE_BYTES,
    IndexDiskFullError,
    chunk_bytes,
    disk_full_error,
    ensure_free_space,
    free_bytes,
    is_disk_full,
)
from assistant.ingest.documents import SourceDocument, file_sha256, iter_corpus_files
from assistant.index.embeddings import embeddings_identity
from assistant.ingest.stream import stream_loaded
from assistant.index.published import shared_lock
from assistant.settings import Settings
from assistant.index.state import IndexBusyError

ProgressCallback = Callable[[str, int, int], None]  # (stage, done, total)
COMPACT_MIN = 1000  # leftover vectors that, outnumbering the live ones, trigger a compaction


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)
    chunks_embedded: int = 0
    chunks_total: int = 0
    stale_vectors_removed: int = 0
    vectors_restored: int = 0  # live chunks whose vectors were missing (deleted store)
    vectors_reset: bool = False  # vectors of another model were dropped: all re-embedded
    consistent: bool = False  # Chroma, state and BM25 hold exactly the same chunk ids

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "removed": len(self.removed),
            "unchanged": len(self.unchanged),
            "failed": len(self.failed),
            "chunks_embedded": self.chunks_embedded,
            "chunks_total": self.chunks_total,
        }


def vectors_signature(settings: Settings, embeddings: Embeddings | None = None) -> str:
    """Which model made the vectors (model, backend, dimension): vectors made under
    another signature are never reused or searched."""
    return json.dumps(embeddings_identity(settings.embedding, embeddings), sort_keys=True)


def index_signature(settings: Settings, embeddings: Embeddings | None = None) -> str:
    """What, besides file contents, decides chunk ids and vectors: the vectors' signature
    and the chunking settings. A change re-chunks and re-embeds on the next sync."""
    return json.dumps(
        {
            "vectors": json.loads(vectors_signature(settings, embeddings)),
            "chunking": settings.chunking.model_dump(),
            "format": 2,
        },
        sort_keys=True,
    )


@contextmanager
def index_lock(index_dir: Path) -> Iterator[None]:
    """One indexer at a time per index folder; a second one gets a clear error."""
    index_dir.mkdir(parents=True, exist_ok=True)
    lock_path = index_dir / ".lock"
    with lock_path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise IndexBusyError(
                f"another `assistant index` (pid {holder}) is updating {index_dir}; wait for it "
                "to finish, then run again. Questions are still answered from the last "
                "complete index meanwhile."
            ) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def sync_corpus(
    corpus_dir: Path,
    index,  # noqa: ANN001 - assistant.core.Index (import cycle)
    settings: Settings,
    progress: ProgressCallback | None = None,
    take_over: bool = False,
) -> SyncReport:
    """Bring the index in line with ``corpus_dir``; see the module docstring.

    With a Chroma server, an index published by another indexer (another index folder,
    usually another host) is not replaced unless ``take_over``: an answering process with
    a partial or stale copy of the corpus would otherwise shrink everyone's index."""
    if not corpus_dir.is_dir():
        raise FileNotFoundError(
            f"corpus folder {corpus_dir} does not exist; create it and add documents, or pass "
            "--corpus DIR"
        )
    try:
        return _sync(corpus_dir, index, settings, progress, take_over)
    except IndexDiskFullError:
        raise
    except Exception as exc:
        # Chroma words a full disk as e.g. "Failed to apply logs to the metadata segment".
        if is_disk_full(exc) or free_bytes(index.index_dir) < RESERVE_BYTES:
            raise disk_full_error(index.index_dir) from exc
        raise


def _sync(
    corpus_dir: Path,
    index,  # noqa: ANN001
    settings: Settings,
    progress: ProgressCallback | None,
    take_over: bool = False,
) -> SyncReport:
    report = SyncReport()
    signature = index_signature(settings, index.embeddings)
    vectors = vectors_signature(settings, index.embeddings)
    state = index.state
    shared = shared_lock(index.published) if index.published is not None else nullcontext()
    with index_lock(index.index_dir), shared:
        other = index.published_by_other()
        if other is not None and not take_over:
            raise IndexBusyError(
                f"the index in Chroma collection {index.published.name!r} is maintained by "
                f"another indexer ({other.get('corpus', '?')}); this process does not replace "
                "it. Run `assistant index` there, or `assistant index --take-over` to make this "
                "corpus folder the index's source from now on."
            )
        if state.get_meta("vectors") != vectors:
            report.vectors_reset = _reset_vectors(index, vectors)
        known = state.files()
        same_signature = state.get_meta("signature") == signature
        paths = iter_corpus_files(corpus_dir)
        seen: set[str] = set()
        to_load: list[tuple[Path, str, str]] = []
        for path in paths:
            source = path.relative_to(corpus_dir).as_posix()
            seen.add(source)
            try:
                digest = file_sha256(path)
            except OSError as exc:
                report.failed[source] = f"cannot read the file ({exc.strerror or exc})"
                continue
            record = known.get(source)
            if record and record.file_hash == digest and same_signature:
                report.unchanged.append(source)
            else:
                to_load.append((path, source, digest))
        removed = sorted(set(known) - seen)

        docs: list[tuple[str, str, SourceDocument, list[Chunk]]] = []

        def loaded_chunks() -> Iterator[Chunk]:
            """Chunks of the files to load, streamed; what the commit needs is kept."""
            for i, item in enumerate(stream_loaded(to_load, corpus_dir, settings)):
                if item.error is not None:
                    report.failed[item.source] = item.error
                else:
                    if item.doc.warnings:
                        report.warnings[item.source] = item.doc.warnings
                    docs.append((item.source, item.digest, item.doc, item.chunks))
                    yield from item.chunks
                if progress:
                    progress("load", i + 1, len(to_load))

        report.chunks_embedded = _embed_and_upsert(index, loaded_chunks(), settings, progress)

        # Failed files that were indexed before keep their old chunks: nothing is lost.
        upserts = [
            (source, digest, doc.text, doc.metadata, chunks) for source, digest, doc, chunks in docs
        ]
        if upserts or removed or not same_signature:
            if not same_signature and known:
                stale = [s for s in known if s not in {u[0] for u in upserts} and s in seen]
                removed = sorted(set(removed) | {s for s in stale if s not in report.failed})
            updated_at = datetime.now(UTC).isoformat(timespec="seconds")
            meta = {"signature": signature, "vectors": vectors, "updated_at": updated_at}
            state.commit(upserts, removed, meta)
        for source, *_ in docs:
            (report.updated if source in known else report.added).append(source)
        report.removed = [s for s in removed if s not in seen]

        _after_commit(index, corpus_dir, settings, report)
    return report


def _after_commit(
    index,  # noqa: ANN001 - CorpusIndex
    corpus_dir: Path,
    settings: Settings,
    report: SyncReport,
) -> None:
    """Steps 3 (BM25, publishing) and 4 (stale vectors out, lost ones back) of a sync, and
    the report's consistency check."""
    state = index.state
    bm25 = index.refresh_bm25(force_save=True)
    if index.published is not None:  # before old vectors go: answerers move on first
        _publish(index, bm25, corpus_dir)
    live_list = state.chunk_ids()
    live = set(live_list)
    stored = index.store.ids()
    stale_vectors = sorted(stored - live)
    if len(stale_vectors) >= COMPACT_MIN and len(stale_vectors) > len(live):
        index.store.compact(live_list)  # mostly leftovers: rebuild small, free the disk
        stored = index.store.ids()
    elif stale_vectors:
        index.store.delete(stale_vectors)
        stored -= set(stale_vectors)
    report.stale_vectors_removed = len(stale_vectors)
    missing = live - stored
    if missing:  # the vector store lost vectors (folder deleted or reset): re-embed them
        report.vectors_restored = _restore_vectors(index, missing, settings)
        report.chunks_embedded += report.vectors_restored
    report.chunks_total = len(live)
    report.consistent = (
        len(live_list) == len(live)
        and index.store.ids() == live
        and len(bm25.ids) == len(live)
        and set(bm25.ids) == live
    )


def _publish(index, bm25, corpus_dir: Path) -> None:  # noqa: ANN001 - CorpusIndex, BM25Index
    """Publish the committed state for answering processes elsewhere (``published.py``),
    unless the published head already is this state's version."""
    state = index.state
    origin = f"{state.uid()}:{bm25.version}"
    meta = {key: state.get_meta(key) for key in ("signature", "vectors", "updated_at")}
    meta["corpus"] = f"{socket.gethostname()}:{corpus_dir.resolve()}"
    head = index.published.head()
    if (
        head is not None
        and head.get("origin") == origin
        and head.get("signature") == meta["signature"]
    ):
        return
    index.published.publish(origin, meta, state, bm25)
    index._checked_at = 0.0  # this process answers from the new version at once


def _reset_vectors(index, vectors: str) -> bool:  # noqa: ANN001
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


def _restore_vectors(index, missing: set[str], settings: Settings) -> int:  # noqa: ANN001
    """Embed and upsert the committed chunks ``missing`` from the vector store."""
    rows = [(cid, text, meta) for cid, text, meta in index.state.all_chunks() if cid in missing]
    chunks = [Chunk(cid, meta.get("source", ""), text, 0, 0, meta) for cid, text, meta in rows]
    _embed_and_upsert(index, chunks, settings, None)
    return len(chunks)


WINDOW = 4096  # chunks read ahead, sorted by length and embedded before the next are read
WRITE_MIN = 512  # fewest chunks per model call and Chroma write (fewer calls cost less)


def _embed_and_upsert(
    index,  # noqa: ANN001
    chunks: Iterable[Chunk],
    settings: Settings,
    progress: ProgressCallback | None,
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
    # Vectors already stored under these ids were made by this model (``_reset_vectors``)
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


def _needing_vectors(index, window: list[Chunk], existing: set[str]) -> list[Chunk]:  # noqa: ANN001
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


def _write(index, part: list[Chunk], vectors: list[list[float]]) -> None:  # noqa: ANN001
    index.store.upsert(
        [c.id for c in part], [c.text for c in part], [c.metadata for c in part], vectors
    )


def _check_space(index, part: list[Chunk], settings: Settings, factor: int) -> None:  # noqa: ANN001
    if index.store.path is not None and part:  # an embedded store: vectors go to this disk
        dimension = embeddings_identity(settings.embedding, index.embeddings)["dimension"]
        needed = factor * chunk_bytes(((c.text, c.metadata) for c in part), dimension)
        ensure_free_space(index.index_dir, needed)


def embedding_text(chunk: Chunk) -> str:
    """What gets embedded for a chunk: its text, led by the document title for context."""
    title = chunk.metadata.get("title")
    return f"{title}\n{chunk.text}" if title else chunk.text
