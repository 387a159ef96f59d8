"""trec_eval's measures of a ranking against graded relevance judgements (qrels).

nDCG@10 with linear gains and log2 discounts, MAP (average precision over all
judged-relevant documents, computed on the retrieved list of ``depth`` documents) and
recall@100. Pure functions on document ids, so each can be checked by hand; ``trec.py``
turns the project's chunk hits into the document rankings scored here.
"""

from __future__ import annotations

import math


def ndcg_at(ranking: list[str], judged: dict[str, int], k: int = 10) -> float:
    """nDCG@k with linear gains (trec_eval's ndcg_cut)."""
    dcg = sum(max(judged.get(doc, 0), 0) / math.log2(i + 2) for i, doc in enumerate(ranking[:k]))
    ideal = sorted((g for g in judged.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def average_precision(ranking: list[str], judged: dict[str, int]) -> float:
    relevant = {d for d, g in judged.items() if g > 0}
    if not relevant:
        return 0.0
    hits, total = 0, 0.0
    for i, doc in enumerate(ranking):
        if doc in relevant:
            hits += 1
            total += hits / (i + 1)
    return total / len(relevant)


def recall_at(ranking: list[str], judged: dict[str, int], k: int = 100) -> float:
    relevant = {d for d, g in judged.items() if g > 0}
    if not relevant:
        return 0.0
    return len(relevant & set(ranking[:k])) / len(relevant)


def score_run(
    run: dict[str, list[str]], qrels: dict[str, dict[str, int]], queries: list[str]
) -> dict[str, float]:
    """Mean nDCG@10, MAP and recall@100 over ``queries`` (a missing ranking scores 0)."""
    if not queries:
        return {"ndcg@10": 0.0, "map": 0.0, "recall@100": 0.0, "queries": 0}
    n = len(queries)
    return {
        "ndcg@10": sum(ndcg_at(run.get(q, []), qrels[q], 10) for q in queries) / n,
        "map": sum(average_precision(run.get(q, []), qrels[q]) for q in queries) / n,
        "recall@100": sum(recall_at(run.get(q, []), qrels[q], 100) for q in queries) / n,
        "queries": n,
    }
