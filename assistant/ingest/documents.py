"""Files -> ``SourceDocument``: plain text plus metadata, one loader per format.

Every loader returns the text that chunk offsets and citation quotes refer to.
A file that cannot be read raises ``DocumentError`` naming the file and the
reason, so one bad file never stops a corpus from indexing.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from assistant.settings import DocumentSettings

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx")
MAX_FILE_BYTES = 200 * 1024 * 1024

_HEADER_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9 _-]{0,40}):\s*(.*)$")
_URL = re.compile(r"https?://[^\s)>\]]+")
_DATE = re.compile(r"\b(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?\b")
_HEADER_KEYS = {"source url": "url", "url": "url", "source": "url", "published": "date"}


class DocumentError(AssistantError):
    """A file that cannot be indexed; the message names the file and what to do."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


@dataclass
class SourceDocument:
    """One loaded file. ``source`` is its path relative to the corpus root."""

    source: str
    text: str
    metadata: dict[str, Any]
    pages: list[tuple[int, int, int]] = field(default_factory=list)  # (page, start, end)
    warnings: list[str] = field(default_factory=list)

    def page_at(self, offset: int) -> int | None:
        for page, start, end in self.pages:
            if start <= offset < end:
                return page
        return None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def iter_corpus_files(root: Path) -> list[Path]:
    """Every regular file under ``root`` (sorted), skipping hidden entries and symlinks
    that point outside the corpus."""
    root_resolved = root.resolve()
    found: list[Path] = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(root_resolved):
                continue
        if path.is_file():
            found.append(path)
    return found


def load_document(path: Path, root: Path, limits: DocumentSettings | None = None) -> SourceDocument:
    """Load one file; raise ``DocumentError`` with a clear reason when it can't be used
    (including text over ``limits.max_chars`` or a DOCX that unpacks too large)."""
    limits = limits or DocumentSettings()
    source = path.relative_to(root).as_posix()
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(
            source,
            f"unsupported file type {suffix or '(no extension)'!r}; "
            f"convert it to one of {', '.join(SUPPORTED_SUFFIXES)} or remove it from the corpus",
        )
    size = path.stat().st_size
    if size == 0:
        raise DocumentError(source, "the file is empty; add text to it or remove it")
    if size > MAX_FILE_BYTES:
        raise DocumentError(source, f"file is {size} bytes, over the {MAX_FILE_BYTES} limit")
    if suffix in (".txt", ".md", ".markdown") and size > 4 * limits.max_chars:
        check_text_size(source, size // 4, limits.max_chars)  # >= size/4 characters
    data = path.read_bytes()
    if suffix == ".pdf":
        doc = _load_pdf(source, data, limits.max_chars)
    elif suffix == ".docx":
        check_archive_expansion(source, data, limits.max_expansion)
        doc = _load_docx(source, data)
    elif suffix in (".html", ".htm"):
        doc = _load_html(source, data)
    else:
        doc = _load_text(source, data)
    check_text_size(source, len(doc.text), limits.max_chars)
    if not doc.text.strip():
        raise DocumentError(source, "no text could be extracted; check the file's content")
    doc.metadata.setdefault("title", _fallback_title(doc.text, path))
    if not doc.metadata.get("title"):
        doc.metadata["title"] = path.stem
    doc.metadata["date_num"] = date_number(doc.metadata.get("date"))
    return doc


def check_text_size(source: str, chars: int, max_chars: int) -> None:
    if chars > max_chars:
        raise DocumentError(
            source,
            f"the text is over {max_chars:,} characters (the documents.max_chars limit); "
            "split the file, or raise ASSISTANT_DOCUMENTS__MAX_CHARS if it is genuine",
        )


def check_archive_expansion(source: str, data: bytes, max_expansion: float) -> None:
    """Refuse a zip (DOCX) whose members unpack to more than ``max_expansion`` times the
    file's size, from the sizes its directory declares, before anything is unpacked."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(max(info.file_size, 0) for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DocumentError(source, f"corrupt or unreadable DOCX ({exc}); re-save it") from exc
    ratio = unpacked / max(len(data), 1)
    if ratio > max_expansion:
        raise DocumentError(
            source,
            f"the DOCX unpacks to {unpacked:,} bytes, {ratio:.0f} times its size of "
            f"{len(data):,} bytes (limit: documents.max_expansion={max_expansion:g}); "
            "refused as a likely zip bomb. Re-save it, or raise "
            "ASSISTANT_DOCUMENTS__MAX_EXPANSION if it is genuine",
        )


def decode_text(source: str, data: bytes) -> tuple[str, list[str]]:
    """UTF-8 first, then Windows-1252; binary data is refused."""
    warnings: list[str] = []
    if b"\x00" in data[:65536] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DocumentError(source, "looks like a binary file (NUL bytes); it is not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Byte runs that are not UTF-8 are read as Windows-1252 (Latin-1 for its 5 unused
        # bytes), so a file mixing both encodings keeps its UTF-8 parts intact.
        codecs.register_error("assistant-cp1252", _cp1252_fallback)
        text = data.decode("utf-8-sig", errors="assistant-cp1252")
        warnings.append("not valid UTF-8; the other bytes were decoded as Windows-1252/Latin-1")
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    if sample and controls / len(sample) > 0.05:
        raise DocumentError(source, "looks like a binary file (control characters); not text")
    return text.replace("\r\n", "\n").replace("\r", "\n"), warnings


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    chars = []
    for byte in bad:
        try:
            chars.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            chars.append(chr(byte))
    return "".join(chars), exc.end


def _load_text(source: str, data: bytes) -> SourceDocument:
    text, warnings = decode_text(source, data)
    metadata, body = parse_header(text)
    return SourceDocument(source, body, metadata, warnings=warnings)


def parse_header(text: str) -> tuple[dict[str, Any], str]:
    """A leading block of ``Key: value`` lines ended by ``---`` becomes metadata."""
    lines = text.split("\n")
    metadata: dict[str, Any] = {}
    for i, line in enumerate(lines[:40]):
        if line.strip() == "---" and metadata:
            body = "\n".join(lines[i + 1 :])
            return metadata, body.strip("\n")
        match = _HEADER_LINE.match(line)
        if not match:
            return {}, text
        key = match.group(1).strip().lower()
        value = match.group(2).strip()
        key = _HEADER_KEYS.get(key, key.replace(" ", "_").replace("-", "_"))
        if key == "url":
            url = _URL.search(value)
            value = url.group(0) if url else ""
        if value:
            metadata[key] = value
    return {}, text


def date_number(value: Any) -> int:
    """``'2025-06-28 (...)'`` -> 20250628, ``'2025-06'`` -> 20250600; 0 when undated."""
    if not value:
        return 0
    match = _DATE.search(str(value))
    if not match:
        return 0
    year, month, day = match.group(1), match.group(2) or "00", match.group(3) or "00"
    return int(year + month + day)


def _fallback_title(text: str, path: Path) -> str:
    for line in text.split("\n")[:50]:
        stripped = line.strip()
        if stripped.startswith("#"):
            return stripped.lstrip("#").strip()
    return path.stem.replace("_", " ")


def _load_pdf(source: str, data: bytes, max_chars: int) -> SourceDocument:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        parts: list[str] = []
        pages: list[tuple[int, int, int]] = []
        offset = 0
        for number, page in enumerate(reader.pages, start=1):
            page_text = (page.extract_text() or "").strip()
            if not page_text:
                continue
            if parts:
                offset += 2
            pages.append((number, offset, offset + len(page_text)))
            parts.append(page_text)
            offset += len(page_text)
            check_text_size(source, offset, max_chars)  # stop early, not after every page
        info = reader.metadata or {}
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentError(source, f"corrupt or unreadable PDF ({exc}); re-export it") from exc
    if not parts:
        raise DocumentError(
            source, "the PDF has no text layer (a scan?); run OCR on it and add the result"
        )
    metadata: dict[str, Any] = {}
    if info.get("/Title"):
        metadata["title"] = str(info["/Title"])
    if info.get("/Author"):
        metadata["publisher"] = str(info["/Author"])
    return SourceDocument(source, "\n\n".join(parts), metadata, pages=pages)


def _load_docx(source: str, data: bytes) -> SourceDocument:
    import io
    import zipfile

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError(source, f"corrupt or unreadable DOCX ({exc}); re-save it") from exc
    except Exception as exc:  # python-docx raises several private error types
        raise DocumentError(source, f"corrupt or unreadable DOCX ({exc}); re-save it") from exc
    paragraphs = [p.text.strip() for p in document.paragraphs if p.text.strip()]
    metadata: dict[str, Any] = {}
    props = document.core_properties
    if props.title:
        metadata["title"] = props.title
    else:
        for p in document.paragraphs:
            if (
                p.text.strip()
                and p.style is not None
                and p.style.name.startswith(("Title", "Heading"))
            ):
                metadata["title"] = p.text.strip()
                break
    if props.author:
        metadata["publisher"] = props.author
    if props.created:
        metadata["date"] = props.created.date().isoformat()
    return SourceDocument(source, "\n\n".join(paragraphs), metadata)


def _load_html(source: str, data: bytes) -> SourceDocument:
    import trafilatura

    html, warnings = decode_text(source, data)
    text = trafilatura.extract(html, include_comments=False, include_tables=True) or ""
    meta = trafilatura.extract_metadata(html)
    if not text.strip():
        text = _html_plain_text(html)
    metadata: dict[str, Any] = {}
    if meta is not None:
        for key, attr in (("title", "title"), ("publisher", "sitename"), ("date", "date")):
            value = getattr(meta, attr, None)
            if value:
                metadata[key] = str(value)
        if getattr(meta, "url", None):
            metadata["url"] = str(meta.url)
    return SourceDocument(source, text.strip(), metadata, warnings=warnings)


def _html_plain_text(html: str) -> str:
    import lxml.html

    try:
        tree = lxml.html.fromstring(html)
    except Exception:  # lxml raises ParserError / XMLSyntaxError for junk
        return ""
    for bad in tree.xpath("//script|//style|//nav|//header|//footer|//noscript"):
        bad.drop_tree()
    text = re.sub(r"\n\s*\n+", "\n\n", tree.text_content())
    return text if text.strip() else _strip_tags(html)


_SCRIPT_OR_STYLE = re.compile(r"<(script|style|noscript)\b[^>]*>.*?</\1\s*>", re.I | re.S)


def _strip_tags(html: str) -> str:
    """Last resort for HTML that lxml gives up on (e.g. nested more than 255 levels deep,
    libxml2's limit): drop scripts and tags, keep the text."""
    import html as html_lib

    text = _SCRIPT_OR_STYLE.sub(" ", html)
    text = re.sub(r"<!--.*?-->|<[^>]*>", " ", text, flags=re.S)
    text = html_lib.unescape(text)
    text = re.sub(r"[^\S\n]+", " ", text)
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()
