"""The answer pipeline: condense -> retrieve -> generate -> verify, as LangChain runnables.

Each step reads and extends one state dict, so a model backend plugs in as
another ``generate`` step next to ``extractive`` without touching the others,
and LangChain callbacks (tracing) see every step.
"""

from __future__ import annotations

import re
import time
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda

from assistant.citations import REFUSAL_TEXT, Answer, Citation, HistoryTurn
from assistant.corpus_index import CorpusIndex
from assistant.extractive import Candidate, score_candidates, select_sentences, sentence_candidates
from assistant.retrieval import Filters, HybridRetriever
from assistant.settings import AnswerSettings, RetrievalMode


def condense_query(question: str, history: list[HistoryTurn]) -> tuple[str, str]:
    """(retrieval query, context) for a possibly elliptical follow-up.

    Without a model the earlier user questions give the context: "And under which
    act?" after "Who ordered the closure?" retrieves with both.
    """
    previous = [t.content for t in history if t.role == "user"][-2:]
    context = " ".join(previous)
    query = f"{context} {question}".strip() if context else question
    return query, context


def citation_for(candidate: Candidate, n: int) -> Citation:
    meta = candidate.doc.metadata
    return Citation(
        n=n,
        source=meta.get("source", ""),
        title=meta.get("title"),
        publisher=meta.get("publisher"),
        date=meta.get("date"),
        url=meta.get("url"),
        page=meta.get("page"),
        quote=candidate.text,
        start=candidate.start,
        end=candidate.end,
        score=round(max(0.0, min(1.0, candidate.score)), 4),
        chunk_id=meta.get("chunk_id"),
    )


def neutralize_markers(text: str) -> str:
    """Bracketed numbers inside document text become ``(n)`` so they can't pose as citations."""
    return re.sub(r"\[(\d+)\]", r"(\1)", text)


def compose_extractive(chosen: list[Candidate]) -> tuple[str, list[Citation]]:
    """One sentence per line of thought, each followed by its own ``[n]``."""
    citations: list[Citation] = []
    numbers: dict[tuple[str, int], int] = {}
    parts: list[str] = []
    for cand in chosen:
        key = (cand.doc.metadata.get("source", ""), cand.start)
        if key not in numbers:
            numbers[key] = len(citations) + 1
            citations.append(citation_for(cand, numbers[key]))
        text = neutralize_markers(cand.text.strip())
        parts.append(f"{text} [{numbers[key]}]")
    return " ".join(parts), citations


def should_refuse(evidence: Any, settings: AnswerSettings) -> bool:
    """Refuse when the best sentence is weakly related or key question terms are absent."""
    if not evidence.candidates:
        return True
    return evidence.best < settings.min_relevance


class AnswerPipeline:
    """Builds and runs the runnable chain for one question."""

    def __init__(
        self, index: CorpusIndex, retriever: HybridRetriever, settings: AnswerSettings
    ) -> None:
        self.index = index
        self.retriever = retriever
        self.settings = settings
        self.chain: Runnable = (
            RunnableLambda(self._condense, name="condense")
            | RunnableLambda(self._retrieve, name="retrieve")
            | RunnableLambda(self._generate, name="generate")
            | RunnableLambda(self._finish, name="verify")
        )

    def run(
        self,
        question: str,
        history: list[HistoryTurn],
        filters: Filters | None,
        k: int | None,
        retrieval_mode: RetrievalMode | None,
        config: dict[str, Any] | None = None,
    ) -> Answer:
        state = {
            "question": question,
            "history": history,
            "filters": filters,
            "k": k,
            "retrieval_mode": retrieval_mode,
            "timings": {},
            "t0": time.perf_counter(),
        }
        return self.chain.invoke(state, config=config)

    def _condense(self, state: dict[str, Any]) -> dict[str, Any]:
        query, context = condense_query(state["question"], state["history"])
        return {**state, "query": query, "context": context}

    def _retrieve(self, state: dict[str, Any]) -> dict[str, Any]:
        t = time.perf_counter()
        vector = self.index.embeddings.embed_query(state["query"])
        docs = self.retriever.retrieve(
            state["query"],
            filters=state["filters"],
            k=state["k"],
            mode=state["retrieval_mode"],
            query_vector=vector,
        )
        state["timings"]["retrieve"] = (time.perf_counter() - t) * 1000
        return {**state, "docs": docs, "query_vector": vector}

    def _generate(self, state: dict[str, Any]) -> dict[str, Any]:
        t = time.perf_counter()
        bm25 = self.index.current()
        vocabulary = getattr(bm25.model, "vocab_dict", None)
        evidence = score_candidates(
            state["question"],
            state["context"],
            sentence_candidates(state["docs"]),
            self.index.embeddings,
            state["query_vector"],
            vocabulary,
            question_vector=(
                self.index.embeddings.embed_query(state["question"]) if state["context"] else None
            ),
        )
        refused = should_refuse(evidence, self.settings)
        if refused:
            text, citations = REFUSAL_TEXT, []
        else:
            text, citations = compose_extractive(
                select_sentences(evidence, self.settings.max_sentences)
            )
        state["timings"]["generate"] = (time.perf_counter() - t) * 1000
        return {
            **state,
            "answer": text,
            "citations": citations,
            "refused": refused,
            "evidence": {
                "best": round(evidence.best, 4),
                "coverage": round(evidence.coverage, 4),
                "unknown_terms": evidence.unknown_terms,
            },
        }

    def _finish(self, state: dict[str, Any]) -> Answer:
        timings = state["timings"]
        timings["total"] = (time.perf_counter() - state["t0"]) * 1000
        return Answer(
            question=state["question"],
            answer=state["answer"],
            refused=state["refused"],
            citations=state["citations"],
            conflicts=[],
            mode="extractive",
            timings_ms={key: round(value, 2) for key, value in timings.items()},
            metadata={"evidence": state["evidence"], "retrieved": len(state["docs"])},
        )
