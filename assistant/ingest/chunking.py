"""SourceDocument -> chunks: paragraph- and sentence-aware, with exact offsets.

A chunk's text is always ``document.text[start:end]``, so a quote inside it can
be located in its document. Chunk ids are content hashes: the same document
text gives the same ids, which is what makes re-indexing idempotent.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from assistant.ingest.documents import SourceDocument
from assistant.ingest.injection import instruction_spans
from assistant.ingest.text import split_sentences
from assistant.settings import ChunkingSettings

METADATA_FIELDS = ("title", "publisher", "date", "date_num", "url")


@dataclass
class Chunk:
    id: str
    source: str
    text: str
    start: int
    end: int
    metadata: dict[str, Any] = field(default_factory=dict)


def chunk_id(source: str, start: int, text: str) -> str:
    return hashlib.sha256(f"{source}\0{start}\0{text}".encode()).hexdigest()[:32]


def chunk_document(
    doc: SourceDocument, settings: ChunkingSettings, file_hash: str = ""
) -> list[Chunk]:
    """Pack whole sentences into chunks of about ``chunk_size`` characters, preferring
    paragraph boundaries and repeating ``chunk_overlap`` sentences for context."""
    size = settings.chunk_size
    units = list(_sentence_units(doc.text, size))
    chunks: list[Chunk] = []
    current: list[tuple[int, int, bool]] = []  # (start, end, starts_paragraph)
    for unit in units:
        if current:
            length = unit[1] - current[0][0]
            paragraph_break = unit[2] and (current[-1][1] - current[0][0]) >= size * 0.6
            if length > size or paragraph_break:
                chunks.append(_make_chunk(doc, current, file_hash, len(chunks)))
                keep = current[-settings.chunk_overlap :] if settings.chunk_overlap else []
                keep = [u for u in keep if u[1] - u[0] < size // 3 and not unit[2]]
                current = keep
        current.append(unit)
    if current:
        chunks.append(_make_chunk(doc, current, file_hash, len(chunks)))
    return chunks


# A blank line (possibly holding spaces) separates paragraphs.
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


def _paragraphs(text: str):  # noqa: ANN202 - generator of spans
    """(start, end) of each paragraph. A linear scan: a backtracking paragraph regex took
    ~1 GB of memory on a single 10 MB line."""
    start = 0
    for brk in _PARAGRAPH_BREAK.finditer(text):
        if brk.start() > start:
            yield start, brk.start()
        start = brk.end()
    if start < len(text):
        yield start, len(text)


def _windows(text: str, start: int, end: int, limit: int):  # noqa: ANN202
    """Cut a huge paragraph (no blank lines in megabytes of text) into windows of at most
    ``limit`` characters, at a line break, sentence end or space, so that sentence
    splitting stays linear in time and memory. Normal paragraphs are one window."""
    while end - start > limit:
        lo, hi = start + limit // 2, start + limit
        cut = max(text.rfind("\n", lo, hi), text.rfind(". ", lo, hi) + 1)
        if cut <= start:
            cut = text.rfind(" ", lo, hi)
        if cut <= start:
            cut = hi
        yield start, cut
        start = cut
    yield start, end


def _sentence_units(text: str, size: int):  # noqa: ANN202 - generator of spans
    """(start, end, starts_paragraph) for each sentence; over-long ones are cut at words."""
    limit = max(8000, size * 8)
    for para_start, para_end in _paragraphs(text):
        first = True
        for win_start, win_end in _windows(text, para_start, para_end, limit):
            for start, end in split_sentences(text, win_start, win_end, keep_markers=True):
                for piece in _cut_long(text, start, end, size):
                    yield piece[0], piece[1], first
                    first = False


def _cut_long(text: str, start: int, end: int, size: int) -> list[tuple[int, int]]:
    if end - start <= size:
        return [(start, end)]
    pieces: list[tuple[int, int]] = []
    cursor = start
    while cursor < end:
        stop = min(cursor + size, end)
        if stop < end:
            space = text.rfind(" ", cursor + size // 2, stop)
            stop = space if space > cursor else stop
        pieces.append((cursor, stop))
        cursor = stop
        while cursor < end and text[cursor].isspace():
            cursor += 1
    return pieces


def _make_chunk(
    doc: SourceDocument, units: list[tuple[int, int, bool]], file_hash: str, index: int
) -> Chunk:
    start, end = units[0][0], units[-1][1]
    text = doc.text[start:end]
    metadata: dict[str, Any] = {
        key: doc.metadata[key] for key in METADATA_FIELDS if doc.metadata.get(key) not in (None, "")
    }
    metadata.update(source=doc.source, start=start, end=end, chunk_index=index, file_hash=file_hash)
    page = doc.page_at(start)
    if page is not None:
        metadata["page"] = page
    flagged = instruction_spans(text)
    if flagged:  # text addressed to an AI inside the document: data, shown with a warning
        metadata["instructions"] = ";".join(f"{start + s}-{start + e}" for s, e in flagged)
    cid = chunk_id(doc.source, start, text)
    metadata["chunk_id"] = cid
    return Chunk(cid, doc.source, text, start, end, metadata)
