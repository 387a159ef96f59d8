"""Ask every question of a set through ``Assistant`` and score the answers.

The runner knows nothing about how answers are made: an answer mode is just a
settings value (``answer.mode``), so a new backend is evaluated (and compared)
without changes here. A mode is *available* when an ``Assistant`` with it can
be built and answers in that mode.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, get_args

from assistant.errors import EnvironmentProblemError
from assistant.evaluation import metrics as m
from assistant.evaluation.questions import QUESTION_TYPES, Question
from assistant.settings import AnswerMode, RetrievalMode, Settings

RETRIEVAL_MODES: tuple[str, ...] = get_args(RetrievalMode)
ANSWER_MODES: tuple[str, ...] = get_args(AnswerMode)
RANK_DEPTH = 10  # passages retrieved to compute MRR@10


class EvalModeError(EnvironmentProblemError):
    """An answer mode that cannot be built or that fails on the questions."""


@dataclass
class QuestionResult:
    id: str
    type: str
    question: str
    answer: str = ""
    refused: bool = False
    mode: str | None = None
    citations: list[dict[str, Any]] = field(default_factory=list)
    keys_matched: bool | None = None
    missing_groups: list[list[str]] = field(default_factory=list)
    conflict_mentioned: bool | None = None
    conflict_reported: bool = False  # the answer's structured conflicts are not empty
    citations_valid: bool | None = None  # every [n] has a citation and every quote is verbatim
    correct: bool | None = None
    citation_precision: float | None = None
    citation_recall: float | None = None
    gold_rank: int | None = None
    hit_at_k: bool | None = None
    reciprocal_rank: float | None = None
    quotes_verbatim: int = 0
    quotes_total: int = 0
    sentences_supported: int = 0
    sentences_total: int = 0
    unsupported: list[str] = field(default_factory=list)
    fallback: str | None = None  # why the answer fell back to another mode, if it did
    latency_ms: float | None = None
    evidence_best: float | None = None
    failed: list[str] = field(default_factory=list)
    error: str | None = None


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


def score_answer(
    question: Question,
    answer: Any,
    ranked_sources: list[str],
    k: int,
    document_text: Callable[[str], str | None],
) -> QuestionResult:
    """Every check for one answered question; ``failed`` names the checks that failed."""
    r = QuestionResult(question.id, question.type, question.question)
    r.answer, r.refused, r.mode = answer.answer, bool(answer.refused), answer.mode
    r.evidence_best = (answer.metadata or {}).get("evidence", {}).get("best")
    r.fallback = (answer.metadata or {}).get("fallback")
    quotes: dict[int, str] = {}
    texts: dict[str, str | None] = {}
    for c in answer.citations:
        if c.source not in texts:
            texts[c.source] = document_text(c.source)
        verbatim = m.quote_is_verbatim(texts[c.source], c.quote, c.start, c.end)
        quotes[c.n] = c.quote
        r.quotes_total += 1
        r.quotes_verbatim += verbatim
        r.citations.append(
            {
                "n": c.n,
                "source": c.source,
                "quote": c.quote,
                "verbatim": verbatim,
                "gold": m.source_matches(c.source, question.sources),
            }
        )
        if not verbatim:
            r.failed.append(f"quote [{c.n}] is not verbatim in {c.source}")
    conflicts = list(getattr(answer, "conflicts", []) or [])
    r.conflict_reported = bool(conflicts)
    markers = {int(n) for n in m.marker_numbers(answer.answer)}
    conflict_numbers = {n for c in conflicts for v in c.values for n in v.citations}
    r.citations_valid = (markers | conflict_numbers) <= set(
        quotes
    ) and r.quotes_verbatim == r.quotes_total
    if not r.citations_valid:
        r.failed.append("a [n] marker has no citation, or a quote is not verbatim")
    if not r.refused:
        for sentence, ok in m.supported_sentences(answer.answer, quotes):
            r.sentences_total += 1
            r.sentences_supported += ok
            if not ok:
                r.unsupported.append(sentence)
        if r.unsupported:
            r.failed.append(f"{len(r.unsupported)} sentence(s) not supported by their citation")

    if question.answerable:
        if r.refused:
            r.failed.append("refused an answerable question")
        r.keys_matched = m.keys_match(answer.answer, question.keys)
        if r.keys_matched is False:
            groups = m.matched_groups(answer.answer, question.keys)
            r.missing_groups = [g for g, ok in zip(question.keys, groups, strict=True) if not ok]
            r.failed.append("keys missing: " + "; ".join(" | ".join(g) for g in r.missing_groups))
        r.correct = None if r.keys_matched is None else (r.keys_matched and not r.refused)
        if question.type == "conflict" and question.conflict_keys:
            # What a reader sees: the answer, and each disagreement with its quoted sides.
            shown = " ".join(
                [answer.answer]
                + [v.value for c in conflicts for v in c.values]
                + [quotes.get(n, "") for n in conflict_numbers]
            )
            r.conflict_mentioned = bool(m.keys_match(shown, question.conflict_keys))
            if not r.conflict_mentioned:
                r.failed.append("other side of the disagreement not mentioned")
    else:
        r.correct = r.refused
        if not r.refused:
            r.failed.append("answered an unanswerable question")
    if question.type != "conflict" and r.conflict_reported:
        r.failed.append("reported a disagreement on a question without one")

    if question.sources:
        cited = [c.source for c in answer.citations]
        r.citation_precision, r.citation_recall = m.citation_precision_recall(
            cited, question.sources
        )
        if cited and not any(m.source_matches(s, question.sources) for s in cited):
            r.failed.append("no citation points at a gold source")
        r.gold_rank = m.first_gold_rank(ranked_sources, question.sources)
        r.hit_at_k = m.hit_at(r.gold_rank, k)
        r.reciprocal_rank = m.reciprocal_rank(r.gold_rank)
        if not r.hit_at_k:
            r.failed.append(f"no gold source in the top {k} retrieved passages")
    return r


def summarize(results: list[QuestionResult], k: int) -> dict[str, Any]:
    ok = [r for r in results if r.error is None]
    answerable = [r for r in ok if r.type != "unanswerable"]
    unanswerable = [r for r in ok if r.type == "unanswerable"]
    with_gold = [r for r in ok if r.hit_at_k is not None]
    conflicts = [r for r in ok if r.conflict_mentioned is not None]
    no_conflict = [r for r in ok if r.type != "conflict"]
    latencies = [r.latency_ms for r in ok if r.latency_ms is not None]
    quotes_total = sum(r.quotes_total for r in ok)
    sentences_total = sum(r.sentences_total for r in ok)
    by_type = {}
    for qtype in QUESTION_TYPES:
        rows = [r for r in ok if r.type == qtype and r.correct is not None]
        if rows:
            by_type[qtype] = {"correct": sum(bool(r.correct) for r in rows), "total": len(rows)}

    def evidence(rows: list[QuestionResult]) -> dict[str, Any]:
        values = sorted(r.evidence_best for r in rows if r.evidence_best is not None)
        if not values:
            return {}
        return {
            "n": len(values),
            "min": values[0],
            "p25": round(m.percentile(values, 25), 4),
            "median": round(m.percentile(values, 50), 4),
            "p75": round(m.percentile(values, 75), 4),
            "max": values[-1],
            "values": values,
        }

    def rnd(value: float | None) -> float | None:
        return None if value is None else round(value, 4)

    return {
        "questions": len(results),
        "errors": len(results) - len(ok),
        "accuracy": rnd(m.mean([r.correct for r in answerable])),
        "overall_correct": rnd(m.mean([r.correct for r in ok])),
        "accuracy_by_type": by_type,
        "conflict_both_sides": rnd(m.mean([r.conflict_mentioned for r in conflicts])),
        "false_conflicts": rnd(m.mean([r.conflict_reported for r in no_conflict])),
        "citations_valid": rnd(m.mean([r.citations_valid for r in ok])),
        "answerable_not_refused": rnd(m.mean([not r.refused for r in answerable])),
        "unanswerable_refused": rnd(m.mean([r.refused for r in unanswerable])),
        "citation_precision": rnd(m.mean([r.citation_precision for r in with_gold])),
        "citation_recall": rnd(m.mean([r.citation_recall for r in with_gold])),
        f"hit@{k}": rnd(m.mean([r.hit_at_k for r in with_gold])),
        "hit@k": rnd(m.mean([r.hit_at_k for r in with_gold])),
        f"mrr@{RANK_DEPTH}": rnd(m.mean([r.reciprocal_rank for r in with_gold])),
        "quotes_verbatim": rnd(sum(r.quotes_verbatim for r in ok) / quotes_total)
        if quotes_total
        else None,
        "sentences_supported": rnd(sum(r.sentences_supported for r in ok) / sentences_total)
        if sentences_total
        else None,
        "latency_p50_ms": rnd(m.percentile(latencies, 50)),
        "latency_p95_ms": rnd(m.percentile(latencies, 95)),
        "answers_in_other_mode": 0,
        "evidence_best": {
            "answerable": evidence(answerable),
            "unanswerable": evidence(unanswerable),
        },
    }


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
    answer_modes: tuple[str, ...] = ANSWER_MODES,
    retrieval_modes: tuple[str, ...] = RETRIEVAL_MODES,
    progress: Callable[[str], None] | None = None,
) -> tuple[list[RunResult], dict[str, str]]:
    """Runs for every retrieval mode (with the configured answer mode), then every other
    available answer mode (with the configured retrieval mode). Returns (runs, skipped)."""
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
