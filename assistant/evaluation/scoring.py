"""What the evaluation's numbers mean: the checks on one answer, and a run's summary.

A new metric touches three places that change together and so live here: a field of
``QuestionResult``, the check in ``score_answer`` that sets it, and its aggregate in
``summarize``. How questions are asked (``runner.py``) and how results are shown
(``report.py``) do not change with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistant.evaluation import metrics as m
from assistant.evaluation.questions import QUESTION_TYPES, Question

RANK_DEPTH = 10  # passages retrieved to compute MRR@10


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


def score_answer(
    question: Question,
    answer: Any,
    ranked_sources: list[str],
    k: int,
    document_text: Callable[[str], str | None],
) -> QuestionResult:
    """Every check for one answered question; ``failed`` names the checks that failed
    (in the order below, which the reports keep)."""
    r = QuestionResult(question.id, question.type, question.question)
    r.answer, r.refused, r.mode = answer.answer, bool(answer.refused), answer.mode
    r.evidence_best = (answer.metadata or {}).get("evidence", {}).get("best")
    r.fallback = (answer.metadata or {}).get("fallback")
    quotes = _check_quotes(r, question, answer, document_text)
    conflicts = list(getattr(answer, "conflicts", []) or [])
    conflict_numbers = {n for c in conflicts for v in c.values for n in v.citations}
    r.conflict_reported = bool(conflicts)
    markers = {int(n) for n in m.marker_numbers(answer.answer)}
    r.citations_valid = (markers | conflict_numbers) <= set(
        quotes
    ) and r.quotes_verbatim == r.quotes_total
    if not r.citations_valid:
        r.failed.append("a [n] marker has no citation, or a quote is not verbatim")
    if not r.refused:
        _check_support(r, answer.answer, quotes)
    if question.answerable:
        _check_answer(r, question, answer.answer)
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
        _check_sources(r, question, [c.source for c in answer.citations], ranked_sources, k)
    return r


def _check_quotes(
    r: QuestionResult,
    question: Question,
    answer: Any,
    document_text: Callable[[str], str | None],
) -> dict[int, str]:
    """Each citation's quote must be verbatim in its document; returns quote by number."""
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
    return quotes


def _check_support(r: QuestionResult, text: str, quotes: dict[int, str]) -> None:
    """Every sentence of an answer must be supported by the quotes it cites."""
    for sentence, ok in m.supported_sentences(text, quotes):
        r.sentences_total += 1
        r.sentences_supported += ok
        if not ok:
            r.unsupported.append(sentence)
    if r.unsupported:
        r.failed.append(f"{len(r.unsupported)} sentence(s) not supported by their citation")


def _check_answer(r: QuestionResult, question: Question, text: str) -> None:
    """An answerable question must be answered, with every group of its keys."""
    if r.refused:
        r.failed.append("refused an answerable question")
    r.keys_matched = m.keys_match(text, question.keys)
    if r.keys_matched is False:
        groups = m.matched_groups(text, question.keys)
        r.missing_groups = [g for g, ok in zip(question.keys, groups, strict=True) if not ok]
        r.failed.append("keys missing: " + "; ".join(" | ".join(g) for g in r.missing_groups))
    r.correct = None if r.keys_matched is None else (r.keys_matched and not r.refused)


def _check_sources(
    r: QuestionResult, question: Question, cited: list[str], ranked_sources: list[str], k: int
) -> None:
    """Citations and retrieval against the question's gold sources."""
    r.citation_precision, r.citation_recall = m.citation_precision_recall(cited, question.sources)
    if cited and not any(m.source_matches(s, question.sources) for s in cited):
        r.failed.append("no citation points at a gold source")
    r.gold_rank = m.first_gold_rank(ranked_sources, question.sources)
    r.hit_at_k = m.hit_at(r.gold_rank, k)
    r.reciprocal_rank = m.reciprocal_rank(r.gold_rank)
    if not r.hit_at_k:
        r.failed.append(f"no gold source in the top {k} retrieved passages")


def summarize(results: list[QuestionResult], k: int) -> dict[str, Any]:
    """A run's figures (the ``summary`` of report.json; thresholds name these keys)."""
    ok = [r for r in results if r.error is None]
    answerable = [r for r in ok if r.type != "unanswerable"]
    unanswerable = [r for r in ok if r.type == "unanswerable"]
    with_gold = [r for r in ok if r.hit_at_k is not None]
    conflicts = [r for r in ok if r.conflict_mentioned is not None]
    no_conflict = [r for r in ok if r.type != "conflict"]
    latencies = [r.latency_ms for r in ok if r.latency_ms is not None]
    quotes_total = sum(r.quotes_total for r in ok)
    sentences_total = sum(r.sentences_total for r in ok)
    return {
        "questions": len(results),
        "errors": len(results) - len(ok),
        "accuracy": _rnd(m.mean([r.correct for r in answerable])),
        "overall_correct": _rnd(m.mean([r.correct for r in ok])),
        "accuracy_by_type": _accuracy_by_type(ok),
        "conflict_both_sides": _rnd(m.mean([r.conflict_mentioned for r in conflicts])),
        "false_conflicts": _rnd(m.mean([r.conflict_reported for r in no_conflict])),
        "citations_valid": _rnd(m.mean([r.citations_valid for r in ok])),
        "answerable_not_refused": _rnd(m.mean([not r.refused for r in answerable])),
        "unanswerable_refused": _rnd(m.mean([r.refused for r in unanswerable])),
        "citation_precision": _rnd(m.mean([r.citation_precision for r in with_gold])),
        "citation_recall": _rnd(m.mean([r.citation_recall for r in with_gold])),
        f"hit@{k}": _rnd(m.mean([r.hit_at_k for r in with_gold])),
        "hit@k": _rnd(m.mean([r.hit_at_k for r in with_gold])),
        f"mrr@{RANK_DEPTH}": _rnd(m.mean([r.reciprocal_rank for r in with_gold])),
        "quotes_verbatim": _rnd(sum(r.quotes_verbatim for r in ok) / quotes_total)
        if quotes_total
        else None,
        "sentences_supported": _rnd(sum(r.sentences_supported for r in ok) / sentences_total)
        if sentences_total
        else None,
        "latency_p50_ms": _rnd(m.percentile(latencies, 50)),
        "latency_p95_ms": _rnd(m.percentile(latencies, 95)),
        "answers_in_other_mode": 0,
        "evidence_best": {
            "answerable": _evidence_spread(answerable),
            "unanswerable": _evidence_spread(unanswerable),
        },
    }


def _rnd(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _accuracy_by_type(ok: list[QuestionResult]) -> dict[str, dict[str, int]]:
    by_type = {}
    for qtype in QUESTION_TYPES:
        rows = [r for r in ok if r.type == qtype and r.correct is not None]
        if rows:
            by_type[qtype] = {"correct": sum(bool(r.correct) for r in rows), "total": len(rows)}
    return by_type


def _evidence_spread(rows: list[QuestionResult]) -> dict[str, Any]:
    """How the best evidence scores spread (to set ``answer.min_relevance``)."""
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
