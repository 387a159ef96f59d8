"""Hybrid retrieval: dense (Chroma) and BM25, fused by a weighted sum of normalized scores
(or by weighted reciprocal rank, ``fusion="rrf"``).

``HybridRetriever`` is a LangChain ``BaseRetriever`` that passes LangChain's standard
retriever tests (``tests/test_retriever_standard.py``). Defaults go in the constructor,
``HybridRetriever(index=..., k=3, mode="bm25", filters={"publishers": ["CBC"]})``;
per-call options as keyword arguments of ``invoke``/``ainvoke``/``batch``/``abatch``:
``retriever.invoke(q, k=8, mode="dense", filters={"sources": ["13"]})``. Unknown
constructor arguments, filter keys and modes are errors, never silently ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, get_args

import numpy as np
from langchain_core.callbacks import (
    AsyncCallbackManagerForRetrieverRun,
    CallbackManagerForRetrieverRun,
)
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables.config import run_in_executor
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assistant.answer.acronyms import spells_out
from assistant.answer.asked import role_noun
from assistant.answer.english import LEADER_ROLES, LEADER_SEARCH_WORDS
from assistant.answer.wordforms import derived_terms
from assistant.errors import InputError
from assistant.index.corpus_index import CorpusIndex
from assistant.ingest.text import terms
from assistant.settings import RetrievalMode, RetrievalSettings

RETRIEVAL_MODES: tuple[str, ...] = get_args(RetrievalMode)
_DATE_FILTER = re.compile(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*")


class Filters(BaseModel):
    """Restrict retrieval. Sources match exactly or by prefix; publishers by substring."""

    model_config = ConfigDict(extra="forbid")

    sources: list[str] = Field(default_factory=list)
    publishers: list[str] = Field(default_factory=list)
    date_from: str | None = Field(None, description="YYYY, YYYY-MM or YYYY-MM-DD, inclusive.")
    date_to: str | None = Field(None, description="YYYY, YYYY-MM or YYYY-MM-DD, inclusive.")

    @field_validator("sources", "publishers", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    def is_empty(self) -> bool:
        return not (self.sources or self.publishers or self.date_from or self.date_to)

    @classmethod
    def coerce(cls, value: Filters | Mapping[str, Any] | None) -> Filters:
        """``Filters`` from a ``Filters``, a dict (JSON from the API) or None.

        A misspelled key (``publisher`` for ``publishers``) is a ``ValueError`` naming it:
        ignoring it would answer from every source while the caller thinks it filtered.
        """
        if value is None:
            return cls()
        if isinstance(value, Filters):
            return value
        if not isinstance(value, Mapping):
            raise ValueError(f"filters must be an object, not {type(value).__name__}")
        known = list(cls.model_fields)
        unknown = sorted(str(key) for key in value if key not in known)
        if unknown:
            raise ValueError(
                f"unknown filter key {', '.join(repr(k) for k in unknown)}; "
                f"the filters are {', '.join(known)}"
            )
        try:
            return cls.model_validate(dict(value))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            raise ValueError(f"invalid filters: {problems}") from None


def role_terms(query: str) -> frozenset[str]:
    """For "who is the head of X": the terms of the titles its holder goes by ("chief
    executive", "president"), which a keyword search for "head" would not find."""
    role = role_noun(query)
    # "who is the CEO of X" too: a keyword search for "CEO" misses "chief executive"
    if role not in LEADER_ROLES and not spells_out("chief executive", role or ""):
        return frozenset()
    return frozenset(t for word in LEADER_SEARCH_WORDS for t in terms(word))


class NoMatchingSourcesError(InputError):
    """A filter names sources or publishers that the index does not hold (an
    ``InputError``, so still the ``ValueError`` callers catch)."""


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
    """``2025`` / ``2025-06`` / ``2025-06-28`` as YYYYMMDD (a year or month widened to its
    first or last day); anything else, ``2025-13-45`` included, is a ``ValueError``."""
    if not value:
        return 0
    match = _DATE_FILTER.fullmatch(value)
    parts = [int(g) for g in match.groups() if g is not None] if match else [0]
    year, month, day = (parts + [0, 0])[:3]
    try:
        if 0 in parts:
            raise ValueError("month 0 or day 0")
        dt.date(year, month or 1, day or 1)  # month 13, day 45, February 30 ...: no
    except ValueError:
        raise ValueError(
            f"date filter {value!r} is not a date like 2025, 2025-06 or 2025-06-28"
        ) from None
    if upper:
        return year * 10000 + (month or 99) * 100 + (day or 99)
    return year * 10000 + month * 100 + day


class HybridRetriever(BaseRetriever):
    """Dense + BM25 over the committed index, with filters and score or rank fusion.

    ``k``, ``mode`` and ``filters`` set here are the defaults of every call (``k`` and
    ``mode`` fall back to ``settings``); a call's own keyword arguments override them.
    ``k=0`` returns no documents.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True, extra="forbid")

    index: CorpusIndex
    settings: RetrievalSettings = Field(default_factory=RetrievalSettings)
    k: int | None = Field(None, ge=0, description="Documents returned (None: settings.k).")
    mode: RetrievalMode | None = Field(None, description="dense, bm25 or hybrid (None: settings).")
    filters: Filters | None = Field(None, description="Filters applied to every call.")

    @field_validator("filters", mode="before")
    @classmethod
    def _coerce_filters(cls, value: Any) -> Any:
        return None if value is None else Filters.coerce(value)

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        filters: Filters | Mapping[str, Any] | None = None,
        k: int | None = None,
        mode: RetrievalMode | None = None,
        query_vector: list[float] | None = None,
    ) -> list[Document]:
        return self.retrieve(query, filters=filters, k=k, mode=mode, query_vector=query_vector)

    async def _aget_relevant_documents(
        self,
        query: str,
        *,
        run_manager: AsyncCallbackManagerForRetrieverRun,
        filters: Filters | Mapping[str, Any] | None = None,
        k: int | None = None,
        mode: RetrievalMode | None = None,
        query_vector: list[float] | None = None,
    ) -> list[Document]:
        # Chroma, BM25 and the embedding model are blocking: run in a worker thread.
        return await run_in_executor(
            None,
            self.retrieve,
            query,
            filters=filters,
            k=k,
            mode=mode,
            query_vector=query_vector,
        )

    def _options(
        self, filters: Filters | Mapping[str, Any] | None, k: int | None, mode: str | None
    ) -> tuple[Filters, int, str]:
        k = self.k if k is None else k
        k = self.settings.k if k is None else k
        if isinstance(k, bool) or not isinstance(k, int) or k < 0:
            raise ValueError(f"k must be a whole number of documents, 0 or more, not {k!r}")
        mode = mode or self.mode or self.settings.mode
        if mode not in RETRIEVAL_MODES:
            raise ValueError(
                f"unknown retrieval mode {mode!r}; use one of {', '.join(RETRIEVAL_MODES)}"
            )
        chosen = Filters.coerce(filters) if filters is not None else self.filters or Filters()
        return chosen, k, mode

    def retrieve(
        self,
        query: str,
        filters: Filters | Mapping[str, Any] | None = None,
        k: int | None = None,
        mode: RetrievalMode | None = None,
        query_vector: list[float] | None = None,
        each_top: int = 0,
    ) -> list[Document]:
        """The fused top ``k``; then, in hybrid mode, each retriever's own top ``each_top``
        that fusion left out (ranked after the ``k``): a passage one retriever ranks
        first can fall below ``k`` when the other ranks it low."""
        filters, k, mode = self._options(filters, k, mode)
        if k == 0:
            return []
        allowed = resolve_sources(self.index, filters)
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
            lexical = bm25.search(query, fetch, mask, derived_terms(query) | role_terms(query))
        weights = [self.settings.dense_weight, self.settings.bm25_weight]
        if self.settings.fusion == "rrf":
            ranked = fuse([dense, lexical], weights, self.settings.rrf_k)
        else:
            ranked = fuse_scores([dense, lexical], weights)
        fused = ranked[:k]
        if mode == "hybrid":
            fused += leaders_left_out(fused, ranked, [dense, lexical], each_top)
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


def leaders_left_out(
    fused: list[tuple[str, float]],
    ranked: list[tuple[str, float]],
    rankings: list[list[tuple[str, float]]],
    each_top: int,
) -> list[tuple[str, float]]:
    """Each ranking's top ``each_top`` that the ``fused`` cut left out, with their fused
    scores (from ``ranked``, the whole fused list), in ranking order."""
    kept, scores = {cid for cid, _ in fused}, dict(ranked)
    out: list[tuple[str, float]] = []
    for ranking in rankings:
        for cid, _ in ranking[:each_top]:
            if cid not in kept:
                kept.add(cid)
                out.append((cid, scores[cid]))
    return out


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
