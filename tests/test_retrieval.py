from pathlib import Path

import pytest

from assistant.answer.retrieval import Filters, NoMatchingSourcesError, fuse
from assistant.core import Assistant
from assistant.index.embeddings import HashingEmbeddings
from assistant.settings import Settings


def test_fuse_rewards_agreement_and_respects_weights() -> None:
    dense = [("a", 0.9), ("b", 0.8), ("c", 0.7)]
    bm25 = [("c", 9.0), ("b", 5.0)]
    assert {cid for cid, _ in fuse([dense, bm25], [1.0, 1.0], 60)[:2]} == {"b", "c"}
    assert fuse([dense, []], [1.0, 1.0], 60)[0][0] == "a"
    assert fuse([dense, bm25], [0.0, 1.0], 60)[0][0] == "c"


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_each_mode_finds_the_court_decision(fake_assistant: Assistant, mode: str) -> None:
    docs = fake_assistant.retriever.retrieve(
        "Federal Court stay motion RJR-MacDonald test", k=3, mode=mode
    )
    assert docs[0].metadata["source"].startswith("13_")
    assert [d.metadata["rank"] for d in docs] == list(range(1, len(docs) + 1))


def test_retriever_is_a_langchain_runnable_with_filters(fake_assistant: Assistant) -> None:
    docs = fake_assistant.retriever.invoke(
        "Hikvision national security order", filters=Filters(sources=["18"]), k=4
    )
    assert docs and {d.metadata["source"][:2] for d in docs} == {"18"}


def test_publisher_and_date_filters(fake_assistant: Assistant) -> None:
    by_publisher = fake_assistant.retriever.retrieve(
        "Hikvision", filters=Filters(publishers=["federal court"]), k=10
    )
    assert {d.metadata["publisher"] for d in by_publisher} == {"Federal Court of Canada"}
    dated = fake_assistant.retriever.retrieve(
        "Hikvision", filters=Filters(date_from="2025-07", date_to="2025-12-31"), k=20
    )
    assert dated
    assert all(20250700 <= d.metadata["date_num"] <= 20251231 for d in dated)
    assert not any(d.metadata["source"].startswith("02_") for d in dated)


def test_unknown_source_filter_is_a_clear_error(fake_assistant: Assistant) -> None:
    with pytest.raises(NoMatchingSourcesError, match="assistant sources"):
        fake_assistant.retriever.retrieve("anything", filters=Filters(sources=["nope"]))


def test_bad_date_filter_names_the_value(fake_assistant: Assistant) -> None:
    with pytest.raises(ValueError, match="'last tuesday'"):
        fake_assistant.retriever.retrieve("x", filters=Filters(date_from="last tuesday"))


def test_each_retrievers_leader_is_kept_after_the_fused_k(fake_assistant: Assistant) -> None:
    """Fusion can bury the passage one retriever ranks first; ``each_top`` adds it after k."""
    query = "Joly statement national security"
    retrieve = fake_assistant.retriever.retrieve
    leaders = {retrieve(query, k=1, mode=m)[0].id for m in ("dense", "bm25")}
    fused = [d.id for d in retrieve(query, k=1, mode="hybrid")]
    assert leaders - set(fused), "the query must have a leader that fusion leaves out"
    docs = retrieve(query, k=1, mode="hybrid", each_top=1)
    assert [d.id for d in docs][:1] == fused
    assert {d.id for d in docs} == set(fused) | leaders
    assert [d.metadata["rank"] for d in docs] == list(range(1, len(docs) + 1))
    assert len(retrieve(query, k=1, mode="dense", each_top=1)) == 1  # hybrid only


def test_keyword_search_finds_the_noun_made_from_the_asked_verb(tmp_path: Path) -> None:
    """ "How many people does it employ" finds "66 employees" by keywords alone: the
    stemmer keeps "employ" and "employe" apart, English derivation joins them."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "staff.txt").write_text(
        "Title: Staff\n---\n\nThe bakery cited the impact on its 66 local employees.\n"
    )
    (corpus / "other.txt").write_text("Title: Other\n---\n\nThe bakery runs four ovens.\n")
    assistant = Assistant(
        Settings(corpus_dir=corpus, index_dir=tmp_path / "index"), embeddings=HashingEmbeddings()
    )
    assistant.sync()
    found = assistant.retriever.retrieve("How many people does the bakery employ?", mode="bm25")
    assert found and found[0].metadata["source"] == "staff.txt"


def test_who_is_the_head_searches_for_the_titles_the_head_goes_by() -> None:
    from assistant.answer.retrieval import role_terms

    assert {"chief", "execut", "presid"} <= role_terms("Who is the head of the ferry line?")
    assert role_terms("Who is the judge?") == frozenset()
