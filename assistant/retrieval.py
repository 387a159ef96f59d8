"""Hybrid retrieval: dense (Chroma) and BM25, fused by a weighted sum of normalized scores
(or by weighted reciprocal rank, ``fusion="rrf"``).

``HybridRetriever`` is a LangChain ``BaseRetriever``; per-call options go in as
keyword arguments: ``retriever.invoke(q, filters=Filters(...), k=8, mode="bm25")``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import BaseModel, ConfigDict, Field

from assistant.corpus_index import CorpusIndex
from assistant.documents import date_number
from assistant.settings import RetrievalMode, RetrievalSettings


class Filters(BaseModel):
    """Restrict retrieval. Sources match exactly or by prefix; publishers by substring."""

    sources: list[str] = Field(default_factory=list)
    publishers: list[str] = Field(default_factory=list)
    date_from: str | None = Field(None, description="YYYY, YYYY-MM or YYYY-MM-DD, inclusive.")
    date_to: str | None = Field(None, description="YYYY, YYYY-MM or YYYY-MM-DD, inclusive.")

    def is_empty(self) -> bool:
        return not (self.sources or self.publishers or self.date_from or self.date_to)


class NoMatchingSourcesError(ValueError):
    """A filter names sources or publishers that the index does not hold."""


def resolve_sources(index: CorpusIndex, filters: Filters) -> set[str] | None:
    """The set of sources allowed by ``filters`` (None: all)."""
    if filters.is_empty():
        return None
    files = index.files()
    allowed = set(files)
    if filters.sources:
        picked = {s for s in files for want in filters.sources if s == want or s.startswith(want)}
        if not picked:
            raise NoMatchingSourcesError(
                f"no indexed document matches source filter {filters.sources}; "
                "`assistant sources` lists what is indexed"
            )
        allowed &= picked
    if filters.publishers:
        wants = [p.lower() for p in filters.publishers]
        allowed &= {
            s
            for s in allowed
            if any(w in str(files[s].metadata.get("publisher", "")).lower() for w in wants)
        }
    low = _date_bound(filters.date_from, upper=False)
    high = _date_bound(filters.date_to, upper=True)
    if low or high:
        allowed = {
            s
            for s in allowed
            if (n := int(files[s].metadata.get("date_num", 0) or 0))
            and (not low or n >= low)
            and (not high or n <= high)
        }
    return allowed


def _date_bound(value: str | None, upper: bool) -> int:
    if not value:
        return 0
    n = date_number(value)
    if not n:
        raise ValueError(f"date filter {value!r} is not a date like 2025, 2025-06 or 2025-06-28")
    year, month, day = n // 10000, (n // 100) % 100, n % 100
    if upper:
        return year * 10000 + (month or 99) * 100 + (day or 99)
    return n


class HybridRetriever(BaseRetriever):
    """Dense + BM25 over the committed index, with filters and weighted RRF."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: CorpusIndex
    settings: RetrievalSettings

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        filters: Filters | None = None,
        k: int | None = None,
        mode: RetrievalMode | None = None,
        query_vector: list[float] | None = None,
    ) -> list[Document]:
        return self.retrieve(query, filters=filters, k=k, mode=mode, query_vector=query_vector)

    def retrieve(
        self,
        query: str,
        filters: Filters | None = None,
        k: int | None = None,
        mode: RetrievalMode | None = None,
        query_vector: list[float] | None = None,
    ) -> list[Document]:
        k = k or self.settings.k
        mode = mode or self.settings.mode
        allowed = resolve_sources(self.index, filters or Filters())
        if allowed is not None and not allowed:
            return []
        fetch = max(self.settings.fetch_k, k)
        dense: list[tuple[str, float]] = []
        lexical: list[tuple[str, float]] = []
        found: dict[str, tuple[str, dict[str, Any]]] = {}
        if mode in ("dense", "hybrid") and not self.index.vectors_usable():
            mode = "bm25"  # the vectors are being re-embedded for another model
        if mode in ("dense", "hybrid"):
            vector = query_vector or self.index.embeddings.embed_query(query)
            dense = self.index.dense_search(vector, fetch, allowed)  # texts: from the state
        if mode in ("bm25", "hybrid"):
            bm25 = self.index.current()
            mask = None
            if allowed is not None:
                sources = self.index.chunk_sources()
                mask = np.array([sources[cid] in allowed for cid in bm25.ids], dtype=bool)
            lexical = bm25.search(query, fetch, mask)
        weights = [self.settings.dense_weight, self.settings.bm25_weight]
        if self.settings.fusion == "rrf":
            fused = fuse([dense, lexical], weights, self.settings.rrf_k)[:k]
        else:
            fused = fuse_scores([dense, lexical], weights)[:k]
        missing = [cid for cid, _ in fused if cid not in found]
        found.update(self.index.chunks_by_id(missing))
        dense_scores, bm25_scores = dict(dense), dict(lexical)
        docs = []
        for rank, (cid, score) in enumerate(fused):
            if cid not in found:
                continue
            text, metadata = found[cid]
            metadata = {**metadata, "chunk_id": cid, "rank": rank + 1, "fused_score": score}
            if cid in dense_scores:
                metadata["dense_score"] = dense_scores[cid]
            if cid in bm25_scores:
                metadata["bm25_score"] = bm25_scores[cid]
            docs.append(Document(page_content=text, metadata=metadata, id=cid))
        return docs


def fuse(
    rankings: list[list[tuple[str, float]]], weights: list[float], rrf_k: int
) -> list[tuple[str, float]]:
    """Weighted reciprocal rank fusion; a single non-empty ranking passes through in order."""
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, (cid, _) in enumerate(ranking):
            scores[cid] = scores.get(cid, 0.0) + weight / (rrf_k + rank + 1)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def fuse_scores(
    rankings: list[list[tuple[str, float]]], weights: list[float]
) -> list[tuple[str, float]]:
    """Convex combination of min-max normalized scores.

    Each ranking's scores are scaled to [0, 1] over its own candidates (all equal:
    1); a candidate missing from a ranking gets 0 from it. Unlike rank fusion this
    keeps how much better one candidate scored than the next. A single non-empty
    ranking passes through in order.
    """
    total = sum(w for w, r in zip(weights, rankings, strict=True) if r) or 1.0
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        if not ranking:
            continue
        values = [score for _, score in ranking]
        low, high = min(values), max(values)
        span = high - low
        for cid, score in ranking:
            scaled = (score - low) / span if span > 0 else 1.0
            scores[cid] = scores.get(cid, 0.0) + weight / total * scaled
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))
