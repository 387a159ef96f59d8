"""The answer step's measured constants live in one described place (settings.TUNING)."""

from __future__ import annotations

from assistant.answer import grounded
from assistant.settings import TUNING, AnswerTuning


def test_every_tuning_constant_is_described_and_used() -> None:
    for name, field in AnswerTuning.model_fields.items():
        assert field.description and len(field.description) > 30, name
    assert TUNING.max_sentence_words == grounded.MAX_SENTENCE_WORDS
    assert TUNING.min_term_coverage == grounded.MIN_TERM_COVERAGE


def test_a_sentence_running_past_the_tuned_length_is_a_run_on() -> None:
    limit = TUNING.max_sentence_words
    assert not grounded.run_on(" ".join(["word"] * limit))
    assert grounded.run_on(" ".join(["word"] * (limit + 1)))
