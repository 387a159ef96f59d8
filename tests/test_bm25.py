"""BM25 rebuilds after a change tokenize only the new chunks and rank like a fresh build."""

import shutil
from pathlib import Path

import pytest

from assistant.core import Assistant
from assistant.index import bm25 as bm25_module
from assistant.index.bm25 import BM25Index, TermTable

QUERIES = [
    "Investment Canada Act national security review",
    "Federal Court stay irreparable harm",
    "Hikvision employees Canada",
    "telescope galaxy orbit",
]


def fresh_build(assistant: Assistant) -> BM25Index:
    rows = assistant.index.state.all_chunks()
    return BM25Index.build([r[0] for r in rows], {r[0]: r[1] for r in rows}, 0)


def assert_same_ranking(built: BM25Index, fresh: BM25Index) -> None:
    assert built.ids == fresh.ids
    for query in QUERIES:
        got = built.search(query, k=10)
        want = fresh.search(query, k=10)
        assert [cid for cid, _ in got] == [cid for cid, _ in want], query
        assert [s for _, s in got] == pytest.approx([s for _, s in want], rel=1e-5)
    assert set(built.model.vocab_dict) == set(fresh.model.vocab_dict)


def count_tokenized(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []

    def counting(text: str) -> list[str]:
        seen.append(text)
        return real(text)

    real = bm25_module.terms
    monkeypatch.setattr(bm25_module, "terms", counting)
    return seen


def test_a_change_tokenizes_only_the_new_chunks(
    fake_assistant: Assistant, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = set(fake_assistant.index.state.chunk_ids())
    tokenized = count_tokenized(monkeypatch)
    changed = corpus_dir / "01_ani_joly_statement_hikvision_2025-06-28.txt"
    changed.write_text(changed.read_text() + "\n\nA telescope saw a galaxy in orbit.\n")
    (corpus_dir / "02_new.txt").write_text("Title: New\n---\n\nThe orbit of the galaxy.\n")
    removed = sorted(corpus_dir.glob("1*.txt"))[0]
    removed.unlink()

    fake_assistant.sync()

    new = set(fake_assistant.index.state.chunk_ids()) - before
    assert new and len(tokenized) == len(new)  # every other chunk's terms were reused
    assert_same_ranking(fake_assistant.index.current(), fresh_build(fake_assistant))
    hits = fake_assistant.index.current().search("telescope galaxy orbit", k=3)
    assert hits and hits[0][0] in new


def test_terms_only_removed_chunks_had_leave_the_vocabulary(
    fake_assistant: Assistant, corpus_dir: Path
) -> None:
    (corpus_dir / "02_rare.txt").write_text("Title: Rare\n---\n\nZanzibarite quokkas abound.\n")
    fake_assistant.sync()
    assert "zanzibarit" in fake_assistant.index.current().model.vocab_dict
    (corpus_dir / "02_rare.txt").unlink()
    fake_assistant.sync()
    vocab = fake_assistant.index.current().model.vocab_dict
    assert "zanzibarit" not in vocab and "quokka" not in vocab


@pytest.mark.parametrize("damage", ["tokens.npy", "terms.json", "offsets.npy"])
def test_a_damaged_term_table_means_a_full_rebuild(
    fake_assistant: Assistant, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    (fake_assistant.index.bm25_dir / damage).write_bytes(b"not what it was")
    assert TermTable.load(fake_assistant.index.bm25_dir) is None
    tokenized = count_tokenized(monkeypatch)
    (corpus_dir / "02_new.txt").write_text("Title: New\n---\n\nThe orbit of the galaxy.\n")
    fake_assistant.sync()
    assert len(tokenized) == len(fake_assistant.index.state.chunk_ids())
    assert_same_ranking(fake_assistant.index.current(), fresh_build(fake_assistant))


def test_an_index_saved_without_a_term_table_still_rebuilds(
    fake_assistant: Assistant, corpus_dir: Path
) -> None:
    for name in ("tokens.npy", "offsets.npy", "terms.json"):
        (fake_assistant.index.bm25_dir / name).unlink()
    shutil.copy(sorted(corpus_dir.glob("03_*.txt"))[0], corpus_dir / "03_copy.txt")
    report = fake_assistant.sync()
    assert report.consistent
    assert_same_ranking(fake_assistant.index.current(), fresh_build(fake_assistant))
    assert TermTable.load(fake_assistant.index.bm25_dir) is not None
