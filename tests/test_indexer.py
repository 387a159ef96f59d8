import shutil
from pathlib import Path

import pytest

from assistant.core import Assistant
from assistant.index.indexer import IndexBusyError, index_lock
from tests.conftest import CountingEmbeddings
from tests.fixtures_files import write_pdf


def live_sources(assistant: Assistant) -> set[str]:
    return set(assistant.index.state.files())


def assert_consistent(assistant: Assistant) -> None:
    """Chroma, the state and BM25 hold exactly the same chunks, without duplicates."""
    state_ids = assistant.index.state.chunk_ids()
    assert len(state_ids) == len(set(state_ids))
    assert assistant.index.store.ids() == set(state_ids)
    assert set(assistant.index.refresh_bm25().ids) == set(state_ids)


def test_first_sync_indexes_every_file_and_second_embeds_nothing(
    fake_assistant: Assistant, corpus_dir: Path
) -> None:
    assert live_sources(fake_assistant) == {p.name for p in corpus_dir.iterdir()}
    assert_consistent(fake_assistant)
    embeddings: CountingEmbeddings = fake_assistant.embeddings  # type: ignore[assignment]
    embeddings.embedded.clear()
    report = fake_assistant.sync()
    assert report.summary()["unchanged"] == 11
    assert report.added == report.updated == report.removed == []
    assert embeddings.embedded == []


def test_change_delete_add_touch_exactly_those_files(
    fake_assistant: Assistant, corpus_dir: Path
) -> None:
    embeddings: CountingEmbeddings = fake_assistant.embeddings  # type: ignore[assignment]
    changed = corpus_dir / "04_tradelawdaily_hikvision_response_2025-07-02.txt"
    changed.write_text(changed.read_text() + "\nA new closing paragraph about tariffs.\n")
    (corpus_dir / "18_securitysystemsnews_commerce_entity_list_2019-10.txt").unlink()
    (corpus_dir / "99_new.md").write_text("# New note\n\nThe board met on Tuesday.\n")
    embeddings.embedded.clear()
    before = {s: fake_assistant.index.state.chunk_ids(s) for s in live_sources(fake_assistant)}

    report = fake_assistant.sync()

    assert report.updated == [changed.name]
    assert report.added == ["99_new.md"]
    assert report.removed == ["18_securitysystemsnews_commerce_entity_list_2019-10.txt"]
    assert len(report.unchanged) == 9
    assert any("tariffs" in t for t in embeddings.embedded)
    assert any("board met" in t for t in embeddings.embedded)
    assert not any("Entity List" in t for t in embeddings.embedded)
    for source in report.unchanged:
        assert fake_assistant.index.state.chunk_ids(source) == before[source]
    assert_consistent(fake_assistant)
    answer = fake_assistant.ask("When did the board meet?")
    assert answer.citations and answer.citations[0].source == "99_new.md"


def test_bad_files_are_reported_and_the_rest_indexes(
    fake_assistant: Assistant, corpus_dir: Path
) -> None:
    (corpus_dir / "binary.txt").write_bytes(b"\x00\xff\x00junk" * 50)
    (corpus_dir / "empty.txt").write_bytes(b"")
    (corpus_dir / "latin1.txt").write_bytes("Le ministre a décidé la fermeture.".encode("latin-1"))
    (corpus_dir / "corrupt.pdf").write_bytes(b"%PDF-1.7\n broken")
    write_pdf(corpus_dir / "good.pdf", ["The inspector visited the warehouse in May."])

    report = fake_assistant.sync()

    assert set(report.failed) == {"binary.txt", "empty.txt", "corrupt.pdf"}
    assert "binary" in report.failed["binary.txt"]
    assert "empty" in report.failed["empty.txt"]
    assert "PDF" in report.failed["corrupt.pdf"]
    assert not report.ok
    assert set(report.added) == {"latin1.txt", "good.pdf"}
    assert len(live_sources(fake_assistant)) == 13  # 11 sample files kept + 2 new
    assert_consistent(fake_assistant)
    answer = fake_assistant.ask("Who visited the warehouse?")
    assert answer.citations[0].source == "good.pdf" and answer.citations[0].page == 1


def test_a_file_that_becomes_unreadable_keeps_its_indexed_chunks(
    fake_assistant: Assistant, corpus_dir: Path
) -> None:
    name = "02_cp_feds_order_hikvision_close_2025-06-28.txt"
    before = fake_assistant.index.state.chunk_ids(name)
    (corpus_dir / name).write_bytes(b"\x00" * 100)
    report = fake_assistant.sync()
    assert name in report.failed
    assert fake_assistant.index.state.chunk_ids(name) == before
    assert_consistent(fake_assistant)


def test_crash_while_embedding_leaves_the_index_as_it_was_then_recovers(
    fake_assistant: Assistant, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = fake_assistant.index.state.chunk_ids()
    shutil.copy(
        corpus_dir / "00_ssn_hikvision_ordered_to_cease_2025-07-01.txt", corpus_dir / "copy.txt"
    )
    (corpus_dir / "03_reuters_cbc_canada_orders_hikvision_2025-06-28.txt").write_text(
        "Title: Rewritten\n---\n\n" + "A different story entirely. " * 60
    )
    calls = {"n": 0}
    real_upsert = fake_assistant.index.store.upsert

    def crashing_upsert(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls["n"] += 1
        real_upsert(*args, **kwargs)
        raise KeyboardInterrupt("simulated crash after a partial write")

    monkeypatch.setattr(fake_assistant.index.store, "upsert", crashing_upsert)
    with pytest.raises(KeyboardInterrupt):
        fake_assistant.sync()
    assert calls["n"] == 1
    # Readers still see exactly the old index.
    assert fake_assistant.index.state.chunk_ids() == before
    hits = fake_assistant.retriever.retrieve("A different story entirely", k=20)
    assert all(d.metadata["chunk_id"] in set(before) for d in hits)

    monkeypatch.setattr(fake_assistant.index.store, "upsert", real_upsert)
    report = fake_assistant.sync()
    assert report.added == ["copy.txt"]
    assert report.updated == ["03_reuters_cbc_canada_orders_hikvision_2025-06-28.txt"]
    assert_consistent(fake_assistant)


def test_a_second_indexer_gets_a_clear_message(fake_assistant: Assistant) -> None:
    with index_lock(fake_assistant.settings.index_dir), pytest.raises(IndexBusyError) as info:
        fake_assistant.sync()
    assert "another `assistant index`" in str(info.value)


def test_lost_vectors_make_the_index_need_a_sync(fake_assistant: Assistant) -> None:
    assert not fake_assistant.needs_sync()
    ids = fake_assistant.index.state.chunk_ids()
    fake_assistant.index.store.delete(ids[:3])
    assert fake_assistant.needs_sync()  # `serve` and `slack` sync before starting
    fake_assistant.sync()
    assert not fake_assistant.needs_sync()
    assert_consistent(fake_assistant)
