"""TREC loader, retrieval metrics and the benchmark runner on a tiny hand-made collection."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from assistant.evaluation.trec import TrecFormatError, load_trec, run_benchmark
from assistant.evaluation.trec_metrics import average_precision, ndcg_at, recall_at, score_run
from assistant.index.embeddings import HashingEmbeddings

DOCS = """<DOC>
<DOCNO>1</DOCNO>
measurement of the dielectric constant of liquids with microwaves
</DOC>
<DOC>
<DOCNO>2</DOCNO>
digital computers in the design of band pass filters
</DOC>
<DOC>
<DOCNO>3</DOCNO>
systems of data coding for information transfer
</DOC>
"""
TOPICS = """<top>
<num>1</num><title>
DIELECTRIC CONSTANT OF LIQUIDS
</title>
</top>
<top>
<num>2</num><title>
BAND PASS FILTER DESIGN
</title>
</top>
<top>
<num>3</num><title>
UNJUDGED QUERY
</title>
</top>
"""
QRELS = "1 0 1 1\n2 0 2 1\n"


def make_collection(folder: Path, qrels: str = QRELS) -> Path:
    (folder / "corpus").mkdir(parents=True)
    (folder / "corpus" / "doc-text.trec").write_text(DOCS)
    (folder / "query-text.trec").write_text(TOPICS)
    (folder / "qrels").write_text(qrels)
    return folder


def test_loader_reads_documents_topics_and_judgements(tmp_path: Path) -> None:
    c = load_trec(make_collection(tmp_path / "tiny"))
    assert c.docs["2"] == "digital computers in the design of band pass filters"
    assert c.queries == {
        "1": "DIELECTRIC CONSTANT OF LIQUIDS",
        "2": "BAND PASS FILTER DESIGN",
        "3": "UNJUDGED QUERY",
    }
    assert c.qrels == {"1": {"1": 1}, "2": {"2": 1}}
    assert c.judged_queries() == ["1", "2"]


def test_loader_errors_say_what_is_wrong(tmp_path: Path) -> None:
    folder = make_collection(tmp_path / "bad", qrels="1 0 1\n")
    with pytest.raises(TrecFormatError, match=r"qrels, line 1: expected 'query iteration doc"):
        load_trec(folder)
    (folder / "qrels").unlink()
    with pytest.raises(TrecFormatError, match="missing relevance judgements"):
        load_trec(folder)
    with pytest.raises(TrecFormatError, match="no such folder"):
        load_trec(tmp_path / "absent")


def test_ranking_metrics_match_hand_computed_values() -> None:
    judged = {"d1": 1, "d3": 1, "d9": 0}
    ranking = ["d2", "d1", "d3"]
    expected_ndcg = (1 / math.log2(3) + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    assert ndcg_at(ranking, judged, 10) == pytest.approx(expected_ndcg)
    assert ndcg_at(ranking, judged, 1) == 0.0
    assert ndcg_at(["d1", "d3"], judged, 10) == pytest.approx(1.0)
    assert ndcg_at(["a", "b"], {"a": 2, "b": 1}, 10) == pytest.approx(1.0)  # graded gains
    assert ndcg_at(["b", "a"], {"a": 2, "b": 1}, 10) == pytest.approx(
        (1 + 2 / math.log2(3)) / (2 + 1 / math.log2(3))
    )
    assert average_precision(ranking, judged) == pytest.approx((1 / 2 + 2 / 3) / 2)
    assert average_precision(["d1"], judged) == pytest.approx(0.5)  # d3 never retrieved
    assert recall_at(ranking, judged, 100) == 1.0
    assert recall_at(ranking, judged, 2) == 0.5
    scores = score_run({"q": ranking}, {"q": judged, "r": {"x": 1}}, ["q", "r"])
    assert scores["ndcg@10"] == pytest.approx(expected_ndcg / 2)  # r has no ranking: 0
    assert scores["recall@100"] == 0.5
    assert scores["queries"] == 2


def test_benchmark_indexes_through_the_project_and_scores_each_mode(tmp_path: Path) -> None:
    trec = make_collection(tmp_path / "tiny")
    result = run_benchmark(trec, tmp_path / "work", embeddings=HashingEmbeddings())
    assert result.documents == 3 and result.queries == 2 and result.chunks == 3
    assert result.docs_per_s is not None and result.docs_per_s > 0
    assert set(result.scores) == {"dense", "bm25", "hybrid"}
    for mode in ("bm25", "hybrid"):
        assert result.scores[mode]["ndcg@10"] == 1.0, mode
        assert result.scores[mode]["map"] == 1.0, mode
        assert result.scores[mode]["recall@100"] == 1.0, mode
    # a second run reuses the synced index (nothing to time)
    again = run_benchmark(trec, tmp_path / "work", modes=["bm25"], embeddings=HashingEmbeddings())
    assert again.docs_per_s is None
    assert again.scores["bm25"] == result.scores["bm25"]
