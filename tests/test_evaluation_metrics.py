"""Evaluation metrics on hand-made inputs, with exact expected values."""

from __future__ import annotations

import pytest

from assistant.answer.citations import Answer, Citation
from assistant.evaluation import metrics as m
from assistant.evaluation.questions import Question
from assistant.evaluation.runner import RunResult, check_thresholds
from assistant.evaluation.scoring import QuestionResult, score_answer, summarize


def test_keys_need_every_group_and_ignore_case_quotes_and_markers() -> None:
    text = "It was made under the investment canada act [1]; the Supplier’s Declaration [2]."
    assert m.matched_groups(text, [["Investment Canada Act"], ["Crown"]]) == [True, False]
    assert m.keys_match(text, [["Investment Canada Act", "ICA"]]) is True
    assert m.keys_match(text, [["Supplier's Declaration"]]) is True
    assert m.keys_match(text, [["Investment Canada Act"], ["Crown"]]) is False
    assert m.keys_match(text, []) is None
    # a citation marker between two words does not glue them together
    assert m.keys_match("section 11 [3] of the Act", [["section 11 of"]]) is True


def test_gold_sources_match_as_file_name_prefix() -> None:
    assert m.source_matches("01_ani_statement.txt", ["01"])
    assert m.source_matches("news/13_court.txt", ["13"])
    assert not m.source_matches("113_other.txt", ["13"])
    assert not m.source_matches("02_cp.txt", [])


def test_citation_precision_and_recall() -> None:
    p, r = m.citation_precision_recall(["01_a.txt", "02_b.txt", "01_a.txt"], ["01", "13"])
    assert p == pytest.approx(2 / 3)
    assert r == pytest.approx(1 / 2)
    assert m.citation_precision_recall([], ["01"]) == (None, 0.0)
    assert m.citation_precision_recall(["01_a.txt"], []) == (0.0, None)


def test_ranks_hits_and_reciprocal_rank() -> None:
    rank = m.first_gold_rank(["05_x.txt", "13_y.txt", "13_z.txt"], ["13"])
    assert rank == 2
    assert m.hit_at(rank, 1) is False
    assert m.hit_at(rank, 5) is True
    assert m.reciprocal_rank(rank) == 0.5
    assert m.first_gold_rank(["05_x.txt"], ["13"]) is None
    assert m.hit_at(None, 5) is False
    assert m.reciprocal_rank(None) == 0.0


def test_quote_must_be_the_document_text_at_its_offsets() -> None:
    doc = "Alpha beta. Gamma delta."
    assert m.quote_is_verbatim(doc, "Gamma delta.", 12, 24)
    assert not m.quote_is_verbatim(doc, "Gamma delta.", 11, 23)
    assert not m.quote_is_verbatim(doc, "Gamma Delta.", 12, 24)
    assert not m.quote_is_verbatim(None, "Gamma delta.", 12, 24)


def test_answer_claims_attach_markers_to_the_text_before_them() -> None:
    claims = m.answer_claims("Alpha beta gamma. [1] Delta epsilon [2][3]. Trailing words")
    assert claims == [
        ("Alpha beta gamma.", [1]),
        ("Delta epsilon", [2, 3]),
        ("Trailing words", []),
    ]


def test_sentence_support_needs_numbers_names_and_term_overlap() -> None:
    quote = "Mélanie Joly announced on June 27 that Hikvision Canada must close its business."
    assert m.sentence_supported("Joly announced on June 27 that Hikvision must close.", [quote])
    assert not m.sentence_supported("Joly announced on June 28 that Hikvision must close.", [quote])
    assert not m.sentence_supported("Joly announced in Paris that Hikvision must close.", [quote])
    assert not m.sentence_supported(
        "The closure harms commercial interests and employees badly.", [quote]
    )
    assert not m.sentence_supported("Joly announced it.", [])
    rows = m.supported_sentences(
        "Joly announced that Hikvision must close its business. [1] It was raining. [2]",
        {1: quote, 2: quote},
    )
    assert rows == [
        ("Joly announced that Hikvision must close its business.", True),
        ("It was raining.", False),
    ]


def test_support_is_scored_independently_of_the_answer_verifier() -> None:
    """The metric has its own tokenizer and alignment rule: it would grade the verifier
    with itself if it used the verifier's names/numbers and Snowball stems."""
    import assistant.answer.grounded as verifier

    assert not {"key_tokens", "terms", "supports"} & set(vars(m))
    quote = "Mélanie Joly announced on June 27 that Hikvision Canada must close its business."
    assert m.sentence_supported("Melanie Joly announced that Hikvision Canada must close.", [quote])
    # "closing" and "close" share a Snowball stem (the verifier's vocabulary) but not the
    # metric's five-letter alignment: the two rules are not the same rule
    assert verifier.terms("closing") == verifier.terms("close")
    assert not m.sentence_supported(
        "Joly announced the closing, the shutting, the ending.", [quote]
    )


def test_percentiles_interpolate_linearly() -> None:
    assert m.percentile([4, 1, 3, 2], 50) == 2.5
    assert m.percentile([10, 20, 30, 40, 50], 95) == pytest.approx(48.0)
    assert m.percentile([7], 95) == 7
    assert m.percentile([], 50) is None
    assert m.mean([True, False, None, True]) == pytest.approx(2 / 3)
    assert m.mean([None]) is None


DOC = "Intro line. The order was made under the Investment Canada Act. Nothing else."


def _answer(text: str, refused: bool = False, quote_start: int = 12) -> Answer:
    quote = DOC[12:63]  # 'The order was made under the Investment Canada Act.'
    citations = []
    if not refused:
        citations = [
            Citation(
                n=1,
                source="01_doc.txt",
                quote=quote,
                start=quote_start,
                end=quote_start + 51,
                score=0.9,
            )
        ]
    return Answer(
        question="q",
        answer=text,
        refused=refused,
        citations=citations,
        metadata={"evidence": {"best": 0.61}},
    )


def test_score_answer_for_a_correct_factual_answer() -> None:
    q = Question("q1", "factual", "Which act?", keys=[["Investment Canada Act"]], sources=["01"])
    answer = _answer("The order was made under the Investment Canada Act. [1]")
    r = score_answer(q, answer, ["02_x.txt", "01_doc.txt"], 5, lambda s: DOC)
    assert r.correct is True
    assert r.failed == []
    assert (r.quotes_verbatim, r.quotes_total) == (1, 1)
    assert (r.sentences_supported, r.sentences_total) == (1, 1)
    assert (r.citation_precision, r.citation_recall) == (1.0, 1.0)
    assert (r.gold_rank, r.hit_at_k, r.reciprocal_rank) == (2, True, 0.5)
    assert r.evidence_best == 0.61


def test_score_answer_names_each_failed_check() -> None:
    q = Question(
        "q2",
        "conflict",
        "Which act?",
        keys=[["Investment Canada Act"], ["Crown"]],
        conflict_keys=[["Industry"]],
        sources=["13"],
    )
    # the quote offsets are wrong by one: not verbatim
    answer = _answer("The order was made under the Investment Canada Act. [1]", quote_start=11)
    r = score_answer(q, answer, ["01_doc.txt"] * 6, 5, lambda s: DOC)
    assert r.correct is False
    assert r.missing_groups == [["Crown"]]
    assert r.conflict_mentioned is False
    assert r.quotes_verbatim == 0
    joined = " / ".join(r.failed)
    for check in (
        "not verbatim",
        "keys missing: Crown",
        "other side",
        "no citation points",
        "no gold source in the top 5",
    ):
        assert check in joined


def test_refusals_are_right_only_for_unanswerable_questions() -> None:
    unanswerable = Question("u", "unanswerable", "Revenue?")
    factual = Question("f", "factual", "Which act?", keys=[["Act"]], sources=["01"])
    refusal = _answer("The indexed sources don't answer this.", refused=True)
    assert score_answer(unanswerable, refusal, [], 5, lambda s: DOC).correct is True
    answered = score_answer(unanswerable, _answer("Under the Act. [1]"), [], 5, lambda s: DOC)
    assert answered.correct is False
    assert "answered an unanswerable question" in answered.failed
    refused = score_answer(factual, refusal, ["01_doc.txt"], 5, lambda s: DOC)
    assert refused.correct is False
    assert "refused an answerable question" in refused.failed
    assert refused.sentences_total == 0


def _row(qid: str, qtype: str, correct: bool, refused: bool, **kw: object) -> QuestionResult:
    return QuestionResult(qid, qtype, "?", correct=correct, refused=refused, **kw)


def test_summary_rates_and_threshold_check() -> None:
    rows = [
        _row(
            "a",
            "factual",
            True,
            False,
            hit_at_k=True,
            reciprocal_rank=1.0,
            citation_precision=1.0,
            citation_recall=0.5,
            latency_ms=100.0,
            quotes_verbatim=2,
            quotes_total=2,
            sentences_supported=1,
            sentences_total=2,
            evidence_best=0.6,
        ),
        _row(
            "b",
            "factual",
            False,
            True,
            hit_at_k=False,
            reciprocal_rank=0.0,
            citation_recall=0.0,
            latency_ms=300.0,
            evidence_best=0.3,
        ),
        _row(
            "c",
            "conflict",
            True,
            False,
            conflict_mentioned=False,
            hit_at_k=True,
            reciprocal_rank=0.5,
            citation_precision=0.5,
            citation_recall=1.0,
            latency_ms=200.0,
            quotes_verbatim=1,
            quotes_total=2,
            sentences_supported=1,
            sentences_total=1,
        ),
        _row("d", "unanswerable", True, True, latency_ms=50.0, evidence_best=0.2),
        _row("e", "unanswerable", False, False, latency_ms=60.0, evidence_best=0.5),
    ]
    s = summarize(rows, 5)
    assert s["accuracy"] == pytest.approx(0.6667)
    assert s["overall_correct"] == 0.6
    assert s["accuracy_by_type"] == {
        "factual": {"correct": 1, "total": 2},
        "conflict": {"correct": 1, "total": 1},
        "unanswerable": {"correct": 1, "total": 2},
    }
    assert s["answerable_not_refused"] == pytest.approx(0.6667)
    assert s["unanswerable_refused"] == 0.5
    assert s["conflict_both_sides"] == 0.0
    assert s["citation_precision"] == 0.75
    assert s["citation_recall"] == 0.5
    assert s["hit@5"] == pytest.approx(0.6667)
    assert s["mrr@10"] == 0.5
    assert s["quotes_verbatim"] == 0.75
    assert s["sentences_supported"] == pytest.approx(0.6667)
    assert s["latency_p50_ms"] == 100.0
    assert s["latency_p95_ms"] == pytest.approx(280.0)
    assert s["evidence_best"]["answerable"]["values"] == [0.3, 0.6]
    assert s["evidence_best"]["unanswerable"]["median"] == 0.35

    run = RunResult("hybrid/extractive", "hybrid", "extractive", 5, rows, s)
    assert check_thresholds(run, {"min": {"accuracy": 0.6, "quotes_verbatim": 0.7}}) == []
    misses = check_thresholds(run, {"min": {"accuracy": 0.7, "unanswerable_refused": 0.5}})
    assert misses == ["hybrid/extractive: accuracy = 0.6667 < 0.7"]
    assert check_thresholds(run, {"min": {"no_such_metric": 0.1}})
