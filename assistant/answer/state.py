"""What flows through the answer chain: the typed ``AnswerState`` each step reads and
extends, and the condense step's query rewriting (split from ``pipeline``)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from langchain_core.documents import Document

from assistant.answer.citations import HistoryTurn
from assistant.answer.compose import sufficiency_report
from assistant.answer.extractive import Candidate, Evidence
from assistant.answer.grounded import Generated
from assistant.answer.retrieval import Filters
from assistant.answer.sufficiency import Sufficiency
from assistant.settings import AnswerMode, RetrievalMode

TokenSink = Callable[[str], None]
T = TypeVar("T")


@dataclass
class AnswerState:
    """What flows through the chain: the request, then each step's result.

    condense sets ``query``/``context``; retrieve ``docs``/``evidence``; decide
    ``sufficiency``/``refused``; generate ``passages``/``generated``/``model_error``;
    verify turns the state into the ``Answer``. Every step adds to ``timings``.
    """

    question: str
    history: list[HistoryTurn]
    filters: Filters | None
    k: int | None
    retrieval_mode: RetrievalMode | None
    mode: AnswerMode
    on_token: TokenSink | None = None
    timings: dict[str, float] = field(default_factory=dict)
    t0: float = field(default_factory=time.perf_counter)
    query: str = ""
    context: str = ""
    docs: list[Document] = field(default_factory=list)
    evidence: Evidence | None = None
    sufficiency: Sufficiency | None = None
    refused: bool = False
    passages: list[Candidate] = field(default_factory=list)
    generated: Generated = field(default_factory=lambda: Generated(""))
    model_error: str | None = None


def ready(value: T | None) -> T:
    """A field an earlier step sets; None means the chain's steps were reordered."""
    if value is None:
        raise RuntimeError("answer pipeline step ran before the step that sets its input")
    return value


def condense_query(question: str, history: list[HistoryTurn]) -> tuple[str, str]:
    """(retrieval query, context) for a possibly elliptical follow-up.

    The earlier user questions give the context: "And under which act?" after
    "Who ordered the closure?" retrieves with both.
    """
    previous = [t.content for t in history if t.role == "user"][-2:]
    context = " ".join(previous)
    query = f"{context} {question}".strip() if context else question
    return query, context


def answer_metadata(
    state: AnswerState, evidence: Evidence, sufficiency: Sufficiency
) -> dict[str, Any]:
    """The answer's ``metadata`` before verification adds the fallback and dropped sentences."""
    return {
        "requested_mode": state.mode,
        "evidence": {
            "best": round(evidence.best, 4),
            "coverage": round(evidence.coverage, 4),
            "unknown_terms": evidence.unknown_terms,
        },
        "sufficiency": sufficiency_report(sufficiency),
        "query": state.query,
        "retrieved": len(state.docs),
        "fallback": None,
        "dropped_sentences": [],
    }


def streamed(run: Callable[..., Any], *args: Any, **kwargs: Any) -> Iterator[Any]:
    """``run(*args, on_token=..., **kwargs)`` in a thread: each token it reports as it
    comes, then what it returns (its exception, raised here)."""
    import queue
    import threading

    events: queue.Queue[Any] = queue.Queue()
    done = object()

    def work() -> None:
        try:
            events.put(run(*args, on_token=events.put, **kwargs))
        except BaseException as exc:  # handed to the consumer below
            events.put(exc)
        events.put(done)

    threading.Thread(target=work, daemon=True).start()
    while (item := events.get()) is not done:
        if isinstance(item, BaseException):
            raise item
        yield item
