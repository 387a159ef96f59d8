"""Score fusion (the hybrid default chosen by the retrieval benchmark), on hand-made rankings."""

from __future__ import annotations

import pytest

from assistant.answer.retrieval import fuse, fuse_scores


def test_scores_are_min_max_normalized_and_combined_with_weights() -> None:
    dense = [("a", 0.9), ("b", 0.5), ("c", 0.1)]
    bm25 = [("c", 12.0), ("b", 8.0), ("d", 2.0)]
    fused = dict(fuse_scores([dense, bm25], [1.0, 1.0]))
    # a: dense 1.0, no bm25 -> 0.5; b: 0.5 and 0.6 -> 0.55; c: 0 and 1 -> 0.5; d: bm25 0 -> 0
    assert fused == pytest.approx({"a": 0.5, "b": 0.55, "c": 0.5, "d": 0.0})
    assert [cid for cid, _ in fuse_scores([dense, bm25], [1.0, 1.0])] == ["b", "a", "c", "d"]
    weighted = fuse_scores([dense, bm25], [3.0, 1.0])
    assert weighted[0] == ("a", pytest.approx(0.75))


def test_a_large_score_gap_counts_where_ranks_alone_would_tie() -> None:
    # "x" is far ahead in BM25, "y" barely ahead in dense: rank fusion ties them,
    # score fusion keeps the margin.
    dense = [("y", 0.80), ("x", 0.79), ("z", 0.10)]
    bm25 = [("x", 20.0), ("y", 2.0), ("z", 1.0)]
    rrf = dict(fuse([dense, bm25], [1.0, 1.0], 60))
    assert rrf["x"] == pytest.approx(rrf["y"])
    assert fuse_scores([dense, bm25], [1.0, 1.0])[0][0] == "x"


def test_single_rankings_and_equal_scores_pass_through() -> None:
    only = [("a", 3.0), ("b", 2.0), ("c", 1.0)]
    assert [cid for cid, _ in fuse_scores([only, []], [1.0, 1.0])] == ["a", "b", "c"]
    assert fuse_scores([[("a", 0.4)], []], [1.0, 1.0]) == [("a", 1.0)]
    assert fuse_scores([[], []], [1.0, 1.0]) == []
