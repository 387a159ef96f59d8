"""Incremental sync of a corpus folder into the index.

Order of work, chosen so that a crash at any point is harmless:
1. hash every file; unchanged files (same hash, same index signature) are skipped;
2. load, chunk and embed new/changed files, upserting their vectors into Chroma
   (invisible to readers until step 3);
3. commit the new live set to SQLite in one transaction, then rebuild BM25;
4. delete from Chroma every vector not in the live set (old chunks, leftovers
   of an earlier crash).
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from langchain_core.embeddings import Embeddings

from assistant.chunking import Chunk, chunk_document
from assistant.disk import (
    RESERVE_BYTES,
    IndexDiskFullError,
    chunk_bytes,
    disk_full_error,
    ensure_free_space,
    free_bytes,
    is_disk_full,
)
from assistant.documents import DocumentError, file_sha256, iter_corpus_files, load_document
from assistant.embeddings import embeddings_identity
from assistant.settings import Settings

ProgressCallback = Callable[[str, int, int], None]  # (stage, done, total)
COMPACT_MIN = 1000  # leftover vectors that, outnumbering the live ones, trigger a compaction


class IndexBusyError(RuntimeError):
    """Another process is syncing this index right now."""


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
) -> SyncReport:
    """Bring the index in line with ``corpus_dir``; see the module docstring."""
    if not corpus_dir.is_dir():
        raise FileNotFoundError(
            f"corpus folder {corpus_dir} does not exist; create it and add documents, or pass "
            "--corpus DIR"
        )
    try:
        return _sync(corpus_dir, index, settings, progress)
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
) -> SyncReport:
    report = SyncReport()
    signature = index_signature(settings, index.embeddings)
    vectors = vectors_signature(settings, index.embeddings)
    state = index.state
    with index_lock(index.index_dir):
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

        docs = []
        for i, (path, source, digest) in enumerate(to_load):
            try:
                doc = load_document(path, corpus_dir, settings.documents)
            except DocumentError as exc:
                report.failed[source] = exc.reason
            except Exception as exc:  # a loader bug must not stop the corpus
                report.failed[source] = f"could not be read ({type(exc).__name__}: {exc})"
            else:
                if doc.warnings:
                    report.warnings[source] = doc.warnings
                chunks = chunk_document(doc, settings.chunking, digest)
                docs.append((source, digest, doc, chunks))
            if progress:
                progress("load", i + 1, len(to_load))

        report.chunks_embedded = _embed_and_upsert(
            index, [c for *_, chunks in docs for c in chunks], settings, progress
        )

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

        bm25 = index.refresh_bm25(force_save=True)
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
    return report


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


def _embed_and_upsert(
    index,
    chunks: list[Chunk],
    settings: Settings,  # noqa: ANN001
    progress: ProgressCallback | None,
) -> int:
    """Embed ``chunks`` and upsert them into Chroma; returns how many were embedded.

    Two things keep the model the only real cost (see BENCHMARKS.md): texts are sorted by
    length before batching, so a batch pads to similar lengths instead of its longest
    stray text, and each batch is written to Chroma on a helper thread while the next
    one is embedded. Vectors do not depend on batch order or composition.
    """
    batch = max(settings.embedding.batch_size * 4, 64)
    # Vectors already stored under these ids were made by this model (``_reset_vectors``)
    # from the same text (ids hash it): left by a crashed run, or kept through an edit or
    # a chunking change. Reused unless the title they were embedded with changed.
    existing = index.store.ids() if chunks else set()
    stored = index.store.metadatas([c.id for c in chunks if c.id in existing])
    todo = [
        c
        for c in chunks
        if c.id not in stored or stored[c.id].get("title") != c.metadata.get("title")
    ]
    todo.sort(key=lambda c: len(embedding_text(c)))
    dimension = embeddings_identity(settings.embedding, index.embeddings)["dimension"]

    def check_space(part: list[Chunk], factor: int) -> None:
        if index.store.path is not None:  # an embedded store: the vectors go to this disk
            ensure_free_space(
                index.index_dir,
                factor * chunk_bytes(((c.text, c.metadata) for c in part), dimension),
            )

    check_space(todo, 1)  # before writing anything: the previous index stays intact
    done = len(chunks) - len(todo)
    if progress and chunks:
        progress("embed", done, len(chunks))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="chroma-upsert") as writer:
        pending: Future | None = None
        for start in range(0, len(todo), batch):
            part = todo[start : start + batch]
            check_space(part, 2)  # the disk may fill up meanwhile (other writers)
            vectors = index.embeddings.embed_documents([embedding_text(c) for c in part])
            if pending is not None:
                pending.result()  # one write in flight at most; re-raises its error
            pending = writer.submit(
                index.store.upsert,
                [c.id for c in part],
                [c.text for c in part],
                [c.metadata for c in part],
                vectors,
            )
            done += len(part)
            if progress:
                progress("embed", done, len(chunks))
        if pending is not None:
            pending.result()
    return len(todo)


def embedding_text(chunk: Chunk) -> str:
    """What gets embedded for a chunk: its text, led by the document title for context."""
    title = chunk.metadata.get("title")
    return f"{title}\n{chunk.text}" if title else chunk.text
