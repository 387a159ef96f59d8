"""Uploading and removing documents (the web page's documents tab), with the fake embedding."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core import Assistant
from assistant.ingest.uploads import (
    UploadError,
    add_documents,
    remove_document,
    sanitize_filename,
    save_uploads,
)

NEW_DOC = """Title: Harbour ferry schedule
Publisher: Port Authority of Tessaly
Date: 2025-08-14
---

The Tessaly harbour ferry now leaves every forty minutes from Pier Nine.
"""


def _tmp_file(tmp_path: Path, name: str, content: bytes | str) -> Path:
    folder = tmp_path / "incoming"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../x.txt", "x.txt"),
        ("..\\..\\windows\\evil.md", "evil.md"),
        ("/etc/passwd", "passwd"),
        ("..", "upload"),
        (".hidden.txt", "hidden.txt"),
        ("re<port>:2025?.PDF", "re_port__2025.pdf"),
        ("a\x00b\nc.txt", "abc.txt"),
        ("", "upload"),
    ],
)
def test_sanitize_filename_keeps_one_plain_name(name: str, expected: str) -> None:
    assert sanitize_filename(name) == expected


def test_hostile_names_cannot_escape_the_upload_folder(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    temp = _tmp_file(tmp_path, "payload.txt", "Some text about ferries.")
    saved, _, errors = save_uploads(
        corpus, [("../../x.txt", temp), ("../../../../tmp/y.txt", temp)], 1.0
    )
    assert not errors
    written = sorted(p for p in tmp_path.rglob("*.txt") if p != temp)
    assert written == [corpus / "uploads" / "x.txt", corpus / "uploads" / "y.txt"]
    assert [s for _, s in saved] == ["uploads/x.txt", "uploads/y.txt"]


def test_upload_is_indexed_and_answerable(fake_assistant: Assistant, tmp_path: Path) -> None:
    before = {s.source for s in fake_assistant.sources()}
    doc = _tmp_file(tmp_path, "ferry.txt", NEW_DOC)
    stages: list[str] = []
    result = add_documents(fake_assistant, [("ferry.txt", doc)], lambda s, d, t: stages.append(s))
    assert result.ok and result.added == ["uploads/ferry.txt"]
    assert "load" in stages
    after = {s.source for s in fake_assistant.sources()}
    assert after == before | {"uploads/ferry.txt"}
    answer = fake_assistant.ask("How often does the Tessaly harbour ferry leave Pier Nine?")
    assert any(c.source == "uploads/ferry.txt" for c in answer.citations)


def test_same_name_different_content_keeps_both(fake_assistant: Assistant, tmp_path: Path) -> None:
    first = _tmp_file(tmp_path, "note.txt", NEW_DOC)
    assert add_documents(fake_assistant, [("note.txt", first)]).added == ["uploads/note.txt"]
    again = add_documents(fake_assistant, [("note.txt", first)])
    assert again.added == [] and again.unchanged == ["uploads/note.txt"]
    second = _tmp_file(tmp_path, "note2.txt", NEW_DOC.replace("forty", "fifty"))
    assert add_documents(fake_assistant, [("note.txt", second)]).added == ["uploads/note-2.txt"]


def test_bad_files_are_reported_by_name_and_nothing_indexed_is_lost(
    fake_assistant: Assistant, tmp_path: Path
) -> None:
    before = {s.source: s.chunks for s in fake_assistant.sources()}
    fake_assistant.settings.web.max_upload_mb = 0.001  # ~1 KB
    files = [
        ("broken.pdf", _tmp_file(tmp_path, "broken.pdf", b"%PDF-1.4 this is not a pdf")),
        ("tool.exe", _tmp_file(tmp_path, "tool.exe", b"MZ\x00\x01")),
        ("big.txt", _tmp_file(tmp_path, "big.txt", "word " * 400)),
        ("empty.md", _tmp_file(tmp_path, "empty.md", b"")),
        ("good.txt", _tmp_file(tmp_path, "good.txt", NEW_DOC)),
    ]
    result = add_documents(fake_assistant, files)
    assert set(result.errors) == {"broken.pdf", "tool.exe", "big.txt", "empty.md"}
    assert "unsupported file type" in result.errors["tool.exe"]
    assert "too large (2.0 KB; the limit is 0.001 MB)" in result.errors["big.txt"]
    assert result.added == ["uploads/good.txt"]
    # the broken upload was removed again; every earlier document is still indexed
    assert sorted(p.name for p in (fake_assistant.settings.corpus_dir / "uploads").iterdir()) == [
        "good.txt"
    ]
    after = {s.source: s.chunks for s in fake_assistant.sources()}
    assert {k: after[k] for k in before} == before
    assert not fake_assistant.needs_sync()


def test_remove_document_deletes_file_and_index_entries(fake_assistant: Assistant) -> None:
    source = fake_assistant.sources()[0].source
    report = remove_document(fake_assistant, source)
    assert report.removed == [source]
    assert not (fake_assistant.settings.corpus_dir / source).exists()
    assert source not in {s.source for s in fake_assistant.sources()}
    assert fake_assistant.index.document_text(source) is None


@pytest.mark.parametrize("source", ["../outside.txt", "/etc/passwd", "", "missing.txt"])
def test_remove_document_refuses_paths_outside_the_corpus(
    fake_assistant: Assistant, tmp_path: Path, source: str
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    with pytest.raises(UploadError):
        remove_document(fake_assistant, source)
    assert outside.exists()
