"""Measured constants of the answer step (``settings.TUNING``): not user settings, but
described in one place so a reader finds what each number does and where it was set.
``assistant.settings`` re-exports both names."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class AnswerTuning(BaseModel):
    """Measured constants of the answer step, in one place (not user settings).

    Each was set against the evaluation sets (``assistant eval``, evals/RESULTS.md);
    changing one changes the evaluation figures, so change it only with a new run.
    The thresholds of the sufficiency decision and of disagreement detection live next
    to the rules they belong to (``answer/focus.py``, ``answer/sufficiency.py``,
    ``answer/conflicts.py``), each named and described.
    """

    model_config = ConfigDict(frozen=True)

    max_sentence_words: int = Field(
        60,
        description="A generated sentence longer than this is a run-on copy of the passages "
        "(the prompt asks for short sentences): generation stops and the sentence is dropped.",
    )
    min_term_coverage: float = Field(
        0.6,
        description="Least share of a generated sentence's content terms its cited passage must "
        "hold for the sentence to be kept (next to answer.support_threshold, the embedding "
        "similarity).",
    )
    common_word_rarity: float = Field(
        0.3,
        description="Claim words more common in English than this (wordfreq rarity) need no "
        "support of their own ('made', 'also').",
    )
    uncited_margin: float = Field(
        0.1,
        description="An uncited generated sentence keeps the single passage it matches best "
        "only when that similarity clears answer.support_threshold by this margin.",
    )
    semantic_weight: float = Field(
        0.65,
        description="A sentence's relevance: this share of its embedding similarity to the "
        "question, the rest from the question's (idf-weighted) terms it contains.",
    )
    earlier_question_weight: float = Field(
        0.3,
        description="A follow-up's terms from the earlier question count this much of the "
        "follow-up's own terms when scoring sentences.",
    )
    follow_up_similarity: float = Field(
        0.6,
        description="A follow-up's sentence similarity: this share to the follow-up itself, "
        "the rest to the query condensed with the earlier question.",
    )
    rank_penalty: float = Field(
        0.01, description="Relevance lost per place the sentence's passage ranks below the first."
    )
    answer_type_bonus: float = Field(
        0.06,
        description="Added to the relevance of a sentence that holds the kind of answer asked "
        "(a date for 'when').",
    )
    duplicate_similarity: float = Field(
        0.88,
        description="Two sentences this similar (or sharing duplicate_overlap of their terms) "
        "state the same claim: one sentence with several citations.",
    )
    duplicate_overlap: float = Field(
        0.75, description="Share of shared terms that makes two sentences the same claim."
    )
    runner_up_min: float = Field(
        0.7,
        description="A runner-up sentence is quoted only when its relevance is at least this "
        "share of the best sentence's.",
    )
    runner_up_plain_min: float = Field(
        0.85,
        description="... and at least this share when it adds no question term the answer lacks.",
    )
    runner_up_novelty: float = Field(
        0.3,
        description="Least share of a runner-up's terms that are new to the answer (else it "
        "says the same thing again).",
    )
    conflict_candidates: int = Field(
        20, description="Best evidence sentences searched for disagreements with the answer."
    )
    conflict_min_score: float = Field(
        0.6,
        description="Evidence searched for disagreements scores at least this share of the "
        "best evidence score (bounds the work; the masked-context test decides).",
    )


TUNING = AnswerTuning()
