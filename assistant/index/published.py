"""The committed index, published in the Chroma server for answering processes elsewhere.

With ``chroma_url`` set, what answering needs besides the vectors lives in a second,
small collection (``<collection>-meta``), so a web or Slack process on another host needs
only the URL, not the indexer's ``index_dir``:

- ``head``: the published version and the index's signatures. Moving it is the commit
  point for answerers: they read it at most once a second and reload when it moves.
- ``v<N>:<i>``: version N, one zip archive in base64 parts: the files (hash, metadata,
  chunk count), the live chunk ids with their sources, and the saved bm25s index, so
  answerers load BM25 instead of tokenizing every chunk.
- ``doc:<hash>``: each document's text (for showing a citation in its document), written
  once per file content.
- ``lock``: which indexer is running, until when (see ``shared_lock``).

Chunk texts and metadata are the chunk collection's own documents and metadata. The
indexer keeps its SQLite state as its working copy and publishes after each commit:
versions are written in full before ``head`` moves, and removed only after it moved, so
an answerer sees the previous version or the new one, never half of one.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import socket
import tempfile
import threading
import time
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.index.bm25 import BM25Index
from assistant.index.state import FileRecord, IndexBusyError

PART_CHARS = 4_000_000  # base64 characters per record (Chroma's requests stay small)
LOCK_TTL_S = 120.0  # a crashed indexer's lock frees itself after this long
_DUMMY = [1.0]  # Chroma wants a vector per record; these records are never searched


@dataclass
class Snapshot:
    """One published version, as answering reads it."""

    version: int
    head: dict[str, Any]
    files: dict[str, FileRecord]
    sources: dict[str, str]  # chunk id -> source
    bm25: BM25Index


def _doc_key(source: str, file_hash: str) -> str:
    return "doc:" + hashlib.sha256(f"{source}\0{file_hash}".encode()).hexdigest()[:32]


class PublishedState:
    """Read and write the ``<collection>-meta`` collection of a Chroma server."""

    def __init__(self, client: Any, collection: str) -> None:
        from chromadb import Schema, StringInvertedIndexConfig

        schema = Schema()  # nothing is searched by value but the lock's owner
        schema.delete_index(config=StringInvertedIndexConfig())
        schema.create_index(config=StringInvertedIndexConfig(), key="owner")
        self.name = f"{collection}-meta"
        self.collection = client.get_or_create_collection(
            self.name, schema=schema, embedding_function=None
        )

    # --- reading -------------------------------------------------------------------

    def head(self) -> dict[str, Any] | None:
        """The published head (version, signatures, update time), or None before any."""
        got = self.collection.get(ids=["head"], include=["metadatas"])
        return json.loads(got["metadatas"][0]["json"]) if got["ids"] else None

    def load(self, attempts: int = 3) -> Snapshot | None:
        """The current version in full, or None when nothing was published yet."""
        for _ in range(attempts):
            head = self.head()
            if head is None:
                return None
            ids = [f"v{head['version']}:{i}" for i in range(head["parts"])]
            got = self.collection.get(ids=ids, include=["metadatas"])
            parts = dict(zip(got["ids"], got["metadatas"], strict=True))
            if len(parts) == len(ids):
                data = base64.b64decode("".join(parts[i]["data"] for i in ids))
                return _unpack(head, data)
            # an indexer published a newer version and removed this one meanwhile: again
        raise RuntimeError(
            f"the published index in Chroma collection {self.name!r} keeps changing or is "
            "incomplete; run `assistant index` to publish it again"
        )

    def document_text(self, source: str, file_hash: str) -> str | None:
        got = self.collection.get(ids=[_doc_key(source, file_hash)], include=["metadatas"])
        return got["metadatas"][0]["text"] if got["ids"] else None

    # --- writing (the indexer) ------------------------------------------------------

    def publish(self, origin: str, head: dict[str, Any], state, bm25: BM25Index) -> int:  # noqa: ANN001
        """Publish ``state`` (an ``IndexState``) and its ``bm25``; returns the new version."""
        previous = self.head()
        version = (previous or {}).get("version", 0) + 1
        files = state.files()
        self._add_documents(state, files)
        data = base64.b64encode(_pack(files, state.chunk_sources(), bm25)).decode()
        parts = [data[i : i + PART_CHARS] for i in range(0, len(data), PART_CHARS)] or [""]
        for i, part in enumerate(parts):
            self.collection.upsert(
                ids=[f"v{version}:{i}"], embeddings=[_DUMMY], metadatas=[{"data": part}]
            )
        head = {**head, "version": version, "parts": len(parts), "origin": origin}
        self.collection.upsert(
            ids=["head"], embeddings=[_DUMMY], metadatas=[{"json": json.dumps(head)}]
        )
        self._remove_old(version, {_doc_key(s, r.file_hash) for s, r in files.items()})
        return version

    def _add_documents(self, state, files: dict[str, FileRecord]) -> None:  # noqa: ANN001
        wanted = {_doc_key(s, r.file_hash): s for s, r in files.items()}
        keys = list(wanted)
        have: set[str] = set()
        for i in range(0, len(keys), 5000):
            have.update(self.collection.get(ids=keys[i : i + 5000], include=[])["ids"])
        batch: list[tuple[str, str]] = []
        size = 0
        for key in (k for k in keys if k not in have):
            text = state.document_text(wanted[key]) or ""
            batch.append((key, text))
            size += len(text)
            if size >= PART_CHARS or len(batch) >= 1000:  # few requests, none too large
                self._add_texts(batch)
                batch, size = [], 0
        self._add_texts(batch)

    def _add_texts(self, batch: list[tuple[str, str]]) -> None:
        if batch:
            self.collection.add(
                ids=[key for key, _ in batch],
                embeddings=[_DUMMY] * len(batch),
                metadatas=[{"text": text} for _, text in batch],
            )

    def _remove_old(self, version: int, documents: set[str]) -> None:
        """Older versions and documents no longer published: after ``head`` moved."""
        keep = f"v{version}:"
        stale = [
            i
            for i in self._all_ids()
            if (i.startswith("v") and not i.startswith(keep))
            or (i.startswith("doc:") and i not in documents)
        ]
        for i in range(0, len(stale), 5000):
            self.collection.delete(ids=stale[i : i + 5000])

    def _all_ids(self) -> list[str]:
        found: list[str] = []
        while batch := self.collection.get(include=[], limit=10000, offset=len(found))["ids"]:
            found.extend(batch)
        return found

    # --- the indexing lock ------------------------------------------------------------

    def try_lock(self, owner: str, ttl_s: float = LOCK_TTL_S) -> dict[str, Any] | None:
        """Take the lock for ``owner``; None when taken, else the holder's record.

        Chroma's ``add`` keeps the first record written under an id and ignores later ones,
        so of two indexers adding ``lock`` at once exactly one finds its own name there. An
        expired lock is removed only if still held by the same owner (``where`` on delete),
        so two indexers replacing it at once cannot remove each other's new lock.
        """
        for _ in range(2):
            meta = {"owner": owner, "expires": time.time() + ttl_s, "host": socket.gethostname()}
            self.collection.add(ids=["lock"], embeddings=[_DUMMY], metadatas=[meta])
            got = self.collection.get(ids=["lock"], include=["metadatas"])
            held = got["metadatas"][0] if got["ids"] else None
            if held is None:
                continue  # removed between our add and our read: try again
            if held["owner"] == owner:
                return None
            if held["expires"] > time.time():
                return held
            self.collection.delete(ids=["lock"], where={"owner": held["owner"]})
        return held

    def renew_lock(self, owner: str, ttl_s: float = LOCK_TTL_S) -> None:
        got = self.collection.get(ids=["lock"], include=["metadatas"])
        if got["ids"] and got["metadatas"][0]["owner"] == owner:
            meta = {**got["metadatas"][0], "expires": time.time() + ttl_s}
            self.collection.update(ids=["lock"], metadatas=[meta])

    def unlock(self, owner: str) -> None:
        self.collection.delete(ids=["lock"], where={"owner": owner})


@contextmanager
def shared_lock(published: PublishedState, ttl_s: float = LOCK_TTL_S) -> Iterator[None]:
    """One indexer at a time per Chroma collection, on any host; renewed while held."""
    owner = f"{socket.gethostname()}:{uuid.uuid4().hex[:12]}"
    held = published.try_lock(owner, ttl_s)
    if held is not None:
        until = time.strftime("%H:%M:%S", time.localtime(held["expires"]))
        raise IndexBusyError(
            f"another `assistant index` (on {held.get('host', '?')}) is updating the index in "
            f"Chroma collection {published.name!r}; wait for it to finish, then run again "
            f"(if that process is gone, its lock expires at {until}). Questions are still "
            "answered from the last complete index meanwhile."
        )
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(ttl_s / 3):
            with suppress(Exception):  # the server may blink: the next round renews
                published.renew_lock(owner, ttl_s)

    renewer = threading.Thread(target=renew, name="index-lock", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join()
        published.unlock(owner)


def _pack(files: dict[str, FileRecord], sources: dict[str, str], bm25: BM25Index) -> bytes:
    """One zip: ``state.json`` (files, chunk ids in order, their sources) and bm25s' files."""
    names = sorted(files)
    number = {s: i for i, s in enumerate(names)}
    state = {
        "files": [[s, files[s].file_hash, files[s].metadata, files[s].chunk_count] for s in names],
        "ids": bm25.ids,
        "sources": [number[sources[cid]] for cid in bm25.ids],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("state.json", json.dumps(state))
        if bm25.model is not None:
            with tempfile.TemporaryDirectory() as folder:
                bm25.model.save(folder)
                for path in sorted(Path(folder).iterdir()):
                    archive.write(path, f"bm25/{path.name}")
    return buffer.getvalue()


def _unpack(head: dict[str, Any], data: bytes) -> Snapshot:
    import bm25s

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        state = json.loads(archive.read("state.json"))
        model = None
        members = [n for n in archive.namelist() if n.startswith("bm25/")]
        if members:
            with tempfile.TemporaryDirectory() as folder:
                for name in members:
                    (Path(folder) / name.split("/", 1)[1]).write_bytes(archive.read(name))
                model = bm25s.BM25.load(folder)
    files = {
        s: FileRecord(s, file_hash, metadata, count)
        for s, file_hash, metadata, count in state["files"]
    }
    names = [row[0] for row in state["files"]]
    sources = {cid: names[i] for cid, i in zip(state["ids"], state["sources"], strict=True)}
    bm25 = BM25Index(state["ids"], model, int(head["version"]))
    return Snapshot(int(head["version"]), head, files, sources, bm25)
