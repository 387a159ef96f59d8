"""Adding and removing documents from a front end (the web page's documents tab).

Uploaded files are copied into ``<corpus_dir>/uploads/`` under a sanitised name
that cannot leave that folder, then the corpus is synced incrementally. A file
the indexer cannot read is reported by name and deleted again, so the corpus
never keeps a broken upload and nothing indexed before is lost.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import InputError
from assistant.ingest.documents import SUPPORTED_SUFFIXES, file_sha256

if TYPE_CHECKING:
    from assistant.core import Assistant
    from assistant.index.indexer import ProgressCallback, SyncReport

UPLOAD_FOLDER = "uploads"
_MAX_NAME = 120


class UploadError(InputError):
    """A document cannot be added or removed; the message says why."""


@dataclass
class UploadResult:
    """What happened to each uploaded file."""

    added: list[str] = field(default_factory=list)  # corpus sources now indexed
    unchanged: list[str] = field(default_factory=list)  # identical file already there
    errors: dict[str, str] = field(default_factory=dict)  # uploaded name -> reason
    report: SyncReport | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def sanitize_filename(name: str) -> str:
    """A safe single file name: no folders, no leading dots, no control characters.

    ``../../etc/passwd`` becomes ``passwd``; ``..`` or an empty name becomes ``upload``.
    """
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = re.sub(r"[^\w.\- ()]", "_", base).strip(" .")
    base = re.sub(r"\s+", " ", base)
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem.strip(" ._") or "upload"
    suffix = suffix.lower()
    keep = _MAX_NAME - len(suffix) - 1
    return f"{stem[:keep]}.{suffix}" if suffix else stem[:_MAX_NAME]


def upload_dir(corpus_dir: Path) -> Path:
    return corpus_dir / UPLOAD_FOLDER


def _free_target(folder: Path, name: str, digest: str) -> tuple[Path, bool]:
    """(target path, already there with the same content)."""
    stem, suffix = Path(name).stem, Path(name).suffix
    candidate, i = folder / name, 1
    while candidate.exists():
        if candidate.is_file() and file_sha256(candidate) == digest:
            return candidate, True
        i += 1
        candidate = folder / f"{stem}-{i}{suffix}"
    return candidate, False


def _size(n: float) -> str:
    return f"{n / 1024:.1f} KB" if n < 1_048_576 else f"{n / 1_048_576:.1f} MB"


def save_uploads(
    corpus_dir: Path, files: Iterable[tuple[str, Path]], max_mb: float
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], dict[str, str]]:
    """Copy ``(original name, temp path)`` pairs into the upload folder.

    Returns (saved, unchanged, errors): saved/unchanged as ``(original name, source)``
    pairs, errors as original name -> reason. A name already used by a different file
    gets a ``-2``, ``-3`` ... suffix rather than replacing it.
    """
    folder = upload_dir(corpus_dir)
    root = corpus_dir.resolve()
    max_bytes = int(max_mb * 1_048_576)
    saved: list[tuple[str, str]] = []
    unchanged: list[tuple[str, str]] = []
    errors: dict[str, str] = {}
    for original, temp in files:
        shown = Path(re.split(r"[\\/]", original or "")[-1]).name or "upload"
        name = sanitize_filename(original)
        suffix = Path(name).suffix
        if suffix not in SUPPORTED_SUFFIXES:
            errors[shown] = (
                f"unsupported file type {suffix or '(no extension)'!r}; "
                f"upload one of {', '.join(SUPPORTED_SUFFIXES)}"
            )
            continue
        try:
            size = temp.stat().st_size
        except OSError as exc:
            errors[shown] = f"the upload could not be read ({exc.strerror or exc})"
            continue
        if size > max_bytes:
            errors[shown] = f"too large ({_size(size)}; the limit is {max_mb:g} MB)"
            continue
        if size == 0:
            errors[shown] = "the file is empty"
            continue
        folder.mkdir(parents=True, exist_ok=True)
        target, same = _free_target(folder, name, file_sha256(temp))
        if not target.resolve().is_relative_to(root):  # defence in depth
            errors[shown] = "refused: the file name points outside the corpus"
            continue
        source = target.relative_to(corpus_dir).as_posix()
        if same:
            unchanged.append((shown, source))
            continue
        shutil.copyfile(temp, target)
        saved.append((shown, source))
    return saved, unchanged, errors


def add_documents(
    assistant: Assistant,
    files: Iterable[tuple[str, Path]],
    progress: ProgressCallback | None = None,
) -> UploadResult:
    """Save uploads into the corpus and index them incrementally.

    Files the indexer rejects are reported under their uploaded name and removed
    from the upload folder again.
    """
    settings = assistant.settings
    saved, unchanged, errors = save_uploads(settings.corpus_dir, files, settings.web.max_upload_mb)
    result = UploadResult(errors=dict(errors), unchanged=[s for _, s in unchanged])
    if not saved and not assistant.needs_sync():
        return result
    try:
        report = assistant.sync(progress)
    except Exception:
        for _, source in saved:  # keep the corpus as it was
            (settings.corpus_dir / source).unlink(missing_ok=True)
        raise
    result.report = report
    for shown, source in saved:
        if source in report.failed:
            result.errors[shown] = report.failed[source]
            (settings.corpus_dir / source).unlink(missing_ok=True)
        else:
            result.added.append(source)
    return result


def remove_document(
    assistant: Assistant, source: str, progress: ProgressCallback | None = None
) -> SyncReport:
    """Delete ``source`` (a path relative to the corpus) from the corpus and the index."""
    corpus = assistant.settings.corpus_dir
    root = corpus.resolve()
    path = corpus / source
    if not source or Path(source).is_absolute() or not path.resolve().is_relative_to(root):
        raise UploadError(f"{source!r} is not a document of the corpus")
    indexed = {info.source for info in assistant.sources()}
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif source not in indexed:
        raise UploadError(f"{source!r} is not in the corpus or the index")
    return assistant.sync(progress)
