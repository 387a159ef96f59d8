"""Streaming indexing: files loaded in a helper process give exactly the in-process index;
stored chunk metadata follows the committed metadata."""

from __future__ import annotations

from pathlib import Path

import pytest

import assistant.ingest.stream
from assistant.core import Assistant
from assistant.ingest.stream import stream_loaded
from assistant.settings import Settings
from tests.conftest import CountingEmbeddings
from tests.test_indexer import assert_consistent


def _items(corpus: Path) -> list[tuple[Path, str, str]]:
    return [(p, p.name, "digest") for p in sorted(corpus.iterdir())]


def test_the_helper_process_loads_exactly_what_this_process_loads(
    corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (corpus_dir / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    settings = Settings(corpus_dir=corpus_dir)
    here = list(stream_loaded(_items(corpus_dir), corpus_dir, settings))
    monkeypatch.setattr(assistant.ingest.stream, "HELPER_MIN_FILES", 1)
    monkeypatch.setattr(assistant.ingest.stream, "GROUP", 2)  # several groups in flight
    helped = list(stream_loaded(_items(corpus_dir), corpus_dir, settings))
    assert [i.source for i in helped] == [i.source for i in here] and len(here) == 12
    assert [i.error for i in helped] == [i.error for i in here]
    assert any(i.error for i in here)  # the broken file is reported, not raised
    for a, b in zip(here, helped, strict=True):
        assert [(c.id, c.text, c.metadata) for c in a.chunks] == [
            (c.id, c.text, c.metadata) for c in b.chunks
        ]


def test_a_sync_through_the_helper_process_is_consistent(
    corpus_dir: Path, make_settings, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    monkeypatch.setattr(assistant.ingest.stream, "HELPER_MIN_FILES", 1)
    synced = Assistant(make_settings(), embeddings=CountingEmbeddings())
    report = synced.sync()
    assert report.ok and report.consistent and len(report.added) == 11
    assert_consistent(synced)


def test_an_edit_that_keeps_a_chunk_updates_its_stored_metadata(
    fake_assistant: Assistant, corpus_dir: Path
) -> None:
    """The chunk's text (so its id and vector) stays, its file hash changes: the vector store
    holds the committed metadata, not the metadata of the first sync."""
    path = sorted(corpus_dir.glob("*.txt"))[0]
    path.write_text(path.read_text() + "\n\nA new closing paragraph about tides.\n")
    embeddings: CountingEmbeddings = fake_assistant.embeddings  # type: ignore[assignment]
    embeddings.embedded.clear()
    report = fake_assistant.sync()
    assert report.updated == [path.name] and report.consistent
    assert 0 < len(embeddings.embedded) < fake_assistant.index.state.files()[path.name].chunk_count
    committed = {cid: meta for cid, _, meta in fake_assistant.index.state.all_chunks()}
    stored = fake_assistant.index.store.metadatas(list(committed))
    assert stored == committed
