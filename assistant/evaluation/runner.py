"""Ask every question of a set through ``Assistant`` and score the answers.

The runner knows nothing about how answers are made: an answer mode is just a
settings value (``answer.mode``), so a new backend is evaluated (and compared)
without changes here. A mode is *available* when an ``Assistant`` with it can
be built and answers in that mode. The checks and the figures they add up to are in
``scoring.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, get_args

from assistant.errors import EnvironmentProblemError
from assistant.evaluation.questions import Question
from assistant.evaluation.scoring import RANK_DEPTH, QuestionResult, score_answer, summarize
from assistant.settings import RetrievalMode, Settings

RETRIEVAL_MODES: tuple[str, ...] = get_args(RetrievalMode)


class EvalModeError(EnvironmentProblemError):
    """An answer mode that cannot be built or that fails on the questions."""


@dataclass
class RunResult:
    label: str
    retrieval_mode: str
    answer_mode: str
    k: int
    results: list[QuestionResult]
    summary: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "retrieval_mode": self.retrieval_mode,
            "answer_mode": self.answer_mode,
            "k": self.k,
            "summary": self.summary,
            "questions": [asdict(r) for r in self.results],
        }


def retrieval_query(question: Question, answer: Any) -> str:
    """The query the pipeline retrieved with (from the answer when it says so)."""
    query = (answer.metadata or {}).get("query") if answer is not None else None
    if isinstance(query, str) and query:
        return query
    try:
        from assistant.answer.pipeline import condense_query

        return condense_query(question.question, _turns(question.history))[0]
    except (ImportError, TypeError):  # the lead may change the condense step
        previous = [t["content"] for t in question.history if t["role"] == "user"][-2:]
        return " ".join([*previous, question.question])


def _turns(history: list[dict[str, str]]) -> list[Any]:
    from assistant.answer.citations import HistoryTurn

    return [HistoryTurn(**t) for t in history]


def evaluate(
    assistant: Any,
    questions: list[Question],
    retrieval_mode: str | None = None,
    label: str | None = None,
    progress: Callable[[int, int, QuestionResult], None] | None = None,
) -> RunResult:
    """Ask every question (with its history) and score it; see ``score_answer``."""
    settings: Settings = assistant.settings
    mode = retrieval_mode or settings.retrieval.mode
    answer_mode = settings.answer.mode
    k = settings.retrieval.k
    results: list[QuestionResult] = []
    other_mode = 0
    for i, q in enumerate(questions):
        t0 = time.perf_counter()
        try:
            answer = assistant.ask(q.question, history=q.history, retrieval_mode=mode)
        except Exception as exc:  # noqa: BLE001 - a failing backend is reported, not fatal
            latency = (time.perf_counter() - t0) * 1000
            result = QuestionResult(q.id, q.type, q.question, error=f"{type(exc).__name__}: {exc}")
            result.failed.append(f"error: {result.error}")
            results.append(result)
            if all(r.error for r in results) and len(results) >= 2:
                raise EvalModeError(
                    f"answer mode {answer_mode!r} failed on the first {len(results)} questions: "
                    f"{result.error}"
                ) from exc
            if progress:
                progress(i + 1, len(questions), result)
            continue
        latency = (time.perf_counter() - t0) * 1000
        hits = assistant.retriever.retrieve(
            retrieval_query(q, answer), k=max(RANK_DEPTH, k), mode=mode
        )
        ranked = [d.metadata.get("source", "") for d in hits]
        result = score_answer(q, answer, ranked, k, assistant.index.document_text)
        result.latency_ms = round(latency, 2)
        other_mode += answer.mode != answer_mode
        results.append(result)
        if progress:
            progress(i + 1, len(questions), result)
    answered = [r for r in results if r.error is None and not r.refused]
    if answered and not any(r.mode == answer_mode for r in answered):
        modes = sorted({r.mode or "?" for r in answered})
        reasons = sorted({r.fallback for r in answered if r.fallback})
        raise EvalModeError(
            f"answer mode {answer_mode!r} is not available: every answer came back in mode "
            f"{', '.join(modes)}" + (f" ({reasons[0]})" if reasons else "")
        )
    summary = summarize(results, k)
    summary["answers_in_other_mode"] = other_mode
    return RunResult(
        label=label or f"{mode}/{answer_mode}",
        retrieval_mode=mode,
        answer_mode=answer_mode,
        k=k,
        results=results,
        summary=summary,
    )


def assistant_for_mode(settings: Settings, answer_mode: str, embeddings: Any) -> Any:
    """An ``Assistant`` on the same index with another answer mode (EvalModeError if it
    cannot be built)."""
    from assistant.core import Assistant

    try:
        data = settings.model_dump()
        data["answer"]["mode"] = answer_mode
        return Assistant(Settings.model_validate(data), embeddings=embeddings)
    except Exception as exc:  # noqa: BLE001 - any construction failure means unavailable
        raise EvalModeError(f"answer mode {answer_mode!r} is not available: {exc}") from exc


def compare(
    assistant: Any,
    questions: list[Question],
    answer_modes: tuple[str, ...] | None = None,
    retrieval_modes: tuple[str, ...] = RETRIEVAL_MODES,
    progress: Callable[[str], None] | None = None,
) -> tuple[list[RunResult], dict[str, str]]:
    """Runs for every retrieval mode (with the configured answer mode), then every other
    available answer mode (with the configured retrieval mode). Returns (runs, skipped).

    ``answer_modes`` defaults to every known mode, plugins included
    (``assistant.llm.registry.answer_modes``)."""
    if answer_modes is None:
        from assistant.llm.registry import answer_modes as known_modes

        answer_modes = known_modes()
    say = progress or (lambda _msg: None)
    runs: list[RunResult] = []
    skipped: dict[str, str] = {}
    base_answer = assistant.settings.answer.mode
    base_retrieval = assistant.settings.retrieval.mode
    for mode in retrieval_modes:
        say(f"retrieval {mode}, answers {base_answer}")
        runs.append(evaluate(assistant, questions, mode, f"{mode}/{base_answer}"))
    for answer_mode in answer_modes:
        if answer_mode == base_answer:
            continue
        say(f"retrieval {base_retrieval}, answers {answer_mode}")
        try:
            other = assistant_for_mode(assistant.settings, answer_mode, assistant.embeddings)
            runs.append(
                evaluate(other, questions, base_retrieval, f"{base_retrieval}/{answer_mode}")
            )
        except EvalModeError as exc:
            skipped[answer_mode] = str(exc)
            say(f"skipped answer mode {answer_mode}: {exc}")
    return runs, skipped


def check_thresholds(run: RunResult, thresholds: dict[str, Any]) -> list[str]:
    """Every ``thresholds["min"]`` metric the run scored below, and every ``thresholds["max"]``
    metric it scored above (a metric it did not report misses either)."""
    misses: list[str] = []
    for key, minimum in thresholds.get("min", {}).items():
        value = run.summary.get(key)
        if value is None or value < minimum:
            misses.append(f"{run.label}: {key} = {value} < {minimum}")
    for key, maximum in thresholds.get("max", {}).items():
        value = run.summary.get(key)
        if value is None or value > maximum:
            misses.append(f"{run.label}: {key} = {value} > {maximum}")
    return misses
