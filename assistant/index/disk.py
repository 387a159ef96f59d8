"""Disk space for indexing: refuse a sync that would not fit, before anything is written.

Chroma's embedded store does not survive a full disk gracefully: a write that fails half
way leaves log records it retries on every later read, so even the previous index becomes
unreadable until space is freed. So the indexer checks the free space against what it is
about to write (a generous estimate, measured on this project's index) before the sync
and before each batch, and stops with one clear line while the previous index is intact.
"""

from __future__ import annotations

import errno
import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from assistant.errors import EnvironmentProblemError

RESERVE_BYTES = 4 * 1024 * 1024  # left free for SQLite journals and Chroma's bookkeeping
_DISK_FULL_MESSAGES = ("no space left on device", "database or disk is full", "os error 28")


class IndexDiskFullError(EnvironmentProblemError):
    """The disk holding the index is (or would become) full; nothing was committed."""


def disk_full_error(index_dir: Path, detail: str = "") -> IndexDiskFullError:
    return IndexDiskFullError(
        f"no space left on device at {index_dir}{detail}: free some space there (or point "
        "--index-dir elsewhere), then run `assistant index` again; questions are still "
        "answered from the last complete index"
    )


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is a full disk, however the library words it."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if any(m in str(current).lower() for m in _DISK_FULL_MESSAGES):
            return True
        current = current.__cause__ or current.__context__
    return False


def free_bytes(path: Path) -> int:
    """Free space for this user on the file system holding ``path`` (or its parent)."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free


def chunk_bytes(texts: Iterable[tuple[str, dict[str, Any]]], dimension: int | None) -> int:
    """Disk an index needs for these (text, metadata) chunks, generously.

    Measured here: 2,433 chunks of ~600 characters at 384 dimensions took 17 MB in
    Chroma (vector in the HNSW files and in SQLite, text with its full-text index), 4 MB
    in the state and 1.6 MB of BM25, i.e. ~9.5 KB a chunk; this estimate gives ~11 KB.
    """
    vector = 12 * (dimension or 1024)
    total = 0
    for text, metadata in texts:
        total += vector + 8 * len(text.encode("utf-8")) + 2 * len(json.dumps(metadata)) + 1200
    return total


def ensure_free_space(index_dir: Path, needed: int) -> None:
    """Raise ``IndexDiskFullError`` unless ``needed`` bytes and a reserve are free."""
    free = free_bytes(index_dir)
    if free < needed + RESERVE_BYTES:
        raise disk_full_error(
            index_dir,
            f" (this sync needs about {_mb(needed + RESERVE_BYTES)} there, {_mb(free)} are free)",
        )


def _mb(n: int) -> str:
    return f"{n / 1_048_576:,.1f} MB"
