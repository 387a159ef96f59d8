"""Incremental sync of a corpus folder into the index.

Order of work, chosen so that a crash at any point is harmless:
1. hash every file; unchanged files (same hash, same index signature) are skipped;
2. load, chunk and embed new/changed files, streamed (``ingest/stream.py``), upserting
   their vectors into Chroma (``vectors.py``; invisible to readers until step 3);
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings

from assistant.index.disk import (
    RESERVE_BYTES,
    IndexDiskFullError,
    disk_full_error,
    free_bytes,
    is_disk_full,
)
from assistant.index.embeddings import embeddings_identity
from assistant.index.published import shared_lock
from assistant.index.state import IndexBusyError
from assistant.index.vectors import WRITE_MIN, embedding_text  # noqa: F401 - scripts/bench
from assistant.index.vectors import embed_and_upsert, reset_vectors, restore_vectors
from assistant.ingest.chunking import Chunk
from assistant.ingest.documents import SourceDocument, file_sha256, iter_corpus_files
from assistant.ingest.stream import stream_loaded
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.index.bm25 import BM25Index
    from assistant.index.corpus_index import CorpusIndex
    from assistant.index.state import FileRecord, IndexState

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
    index: CorpusIndex,
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


@dataclass
class _Scan:
    """Step 1's findings: the corpus files against the committed state."""

    known: dict[str, FileRecord]  # committed files by source
    same_signature: bool  # chunks were made with the current index signature
    seen: set[str] = field(default_factory=set)  # sources found in the corpus folder
    to_load: list[tuple[Path, str, str]] = field(default_factory=list)  # (path, source, hash)

    @property
    def removed(self) -> list[str]:
        return sorted(set(self.known) - self.seen)


# (source, file hash, loaded document, its chunks): a loaded file, kept for the commit
_Loaded = tuple[str, str, SourceDocument, list[Chunk]]


def _sync(
    corpus_dir: Path,
    index: CorpusIndex,
    settings: Settings,
    progress: ProgressCallback | None,
    take_over: bool = False,
) -> SyncReport:
    """Steps 1 to 4 under the index lock (and, with a server, the shared lock)."""
    report = SyncReport()
    signature = index_signature(settings, index.embeddings)
    vectors = vectors_signature(settings, index.embeddings)
    state = index.state
    shared = shared_lock(index.published) if index.published is not None else nullcontext()
    with index_lock(index.index_dir), shared:
        _refuse_another_indexers_index(index, take_over)
        if state.get_meta("vectors") != vectors:
            report.vectors_reset = reset_vectors(index, vectors)
        scan = _scan(corpus_dir, state.files(), state.get_meta("signature") == signature, report)
        docs: list[_Loaded] = []
        chunks = _loaded_chunks(scan.to_load, corpus_dir, settings, report, docs, progress)
        report.chunks_embedded = embed_and_upsert(index, chunks, settings, progress)
        meta = {"signature": signature, "vectors": vectors}
        _commit(state, scan, docs, meta, report)
        _after_commit(index, corpus_dir, settings, report)
    return report


def _refuse_another_indexers_index(index: CorpusIndex, take_over: bool) -> None:
    """``IndexBusyError`` when the server's index is published by another indexer and
    this sync was not asked to take it over."""
    other = index.published_by_other()
    if other is not None and not take_over:
        raise IndexBusyError(
            f"the index in Chroma collection {index.published.name!r} is maintained by "
            f"another indexer ({other.get('corpus', '?')}); this process does not replace "
            "it. Run `assistant index` there, or `assistant index --take-over` to make this "
            "corpus folder the index's source from now on."
        )


def _scan(
    corpus_dir: Path, known: dict[str, FileRecord], same_signature: bool, report: SyncReport
) -> _Scan:
    """Step 1: hash every corpus file; unchanged ones (same hash and signature) are
    reported as such, unreadable ones as failed, the rest are to be loaded."""
    scan = _Scan(known, same_signature)
    for path in iter_corpus_files(corpus_dir):
        source = path.relative_to(corpus_dir).as_posix()
        scan.seen.add(source)
        try:
            digest = file_sha256(path)
        except OSError as exc:
            report.failed[source] = f"cannot read the file ({exc.strerror or exc})"
            continue
        record = known.get(source)
        if record and record.file_hash == digest and same_signature:
            report.unchanged.append(source)
        else:
            scan.to_load.append((path, source, digest))
    return scan


def _loaded_chunks(
    to_load: list[tuple[Path, str, str]],
    corpus_dir: Path,
    settings: Settings,
    report: SyncReport,
    docs: list[_Loaded],
    progress: ProgressCallback | None,
) -> Iterator[Chunk]:
    """Chunks of the files to load, streamed; what the commit needs is kept in ``docs``,
    load failures and warnings go to ``report``."""
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


def _commit(
    state: IndexState, scan: _Scan, docs: list[_Loaded], meta: dict[str, str], report: SyncReport
) -> None:
    """Step 3's commit point: the loaded files and the removals, in one SQLite transaction
    (skipped when nothing changed); then the report's added/updated/removed lists."""
    # Failed files that were indexed before keep their old chunks: nothing is lost.
    upserts = [
        (source, digest, doc.text, doc.metadata, chunks) for source, digest, doc, chunks in docs
    ]
    known, seen, removed = scan.known, scan.seen, scan.removed
    if upserts or removed or not scan.same_signature:
        if not scan.same_signature and known:
            stale = [s for s in known if s not in {u[0] for u in upserts} and s in seen]
            removed = sorted(set(removed) | {s for s in stale if s not in report.failed})
        updated_at = datetime.now(UTC).isoformat(timespec="seconds")
        state.commit(upserts, removed, {**meta, "updated_at": updated_at})
    for source, *_ in docs:
        (report.updated if source in known else report.added).append(source)
    report.removed = [s for s in removed if s not in seen]


def _after_commit(
    index: CorpusIndex,
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
        report.vectors_restored = restore_vectors(index, missing, settings)
        report.chunks_embedded += report.vectors_restored
    report.chunks_total = len(live)
    report.consistent = (
        len(live_list) == len(live)
        and index.store.ids() == live
        and len(bm25.ids) == len(live)
        and set(bm25.ids) == live
    )


def _publish(index: CorpusIndex, bm25: BM25Index, corpus_dir: Path) -> None:
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
