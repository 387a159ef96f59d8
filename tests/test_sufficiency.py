"""The sufficiency decision: answered, partly answered, or not answered, part by part.

Candidates are built by hand (terms, meaning) so each case shows one signal at work;
the real-model behaviour is covered by tests/test_answer_quality.py.
"""

from __future__ import annotations

from langchain_core.documents import Document

from assistant.extractive import Candidate
from assistant.question import analyse
from assistant.sufficiency import decide
from assistant.text import terms


def cand(text: str, source: str = "a.txt", semantic: float = 0.5, passage: str = "") -> Candidate:
    doc = Document(page_content=passage or text, metadata={"source": source})
    c = Candidate(doc, 0, len(text), text, semantic=semantic)
    c.terms = frozenset(terms(text))
    return c


def flat(part) -> dict[str, float]:  # noqa: ANN001 - every focus word weighs the same
    return dict.fromkeys([*part.focus, *part.context], 1.0)


def run(question: str, candidates: list[Candidate], context: str = ""):  # noqa: ANN201
    analysis = analyse(question, context)
    return decide(analysis, [candidates] * len(analysis.parts), flat, None)


def test_an_on_topic_question_whose_focus_no_sentence_covers_is_not_answered() -> None:
    evidence = [
        cand("Northwind Foods was founded in 1998 in Leeds by Maria Olsen.", semantic=0.6),
        cand("Northwind Foods employs 420 people at its Leeds bakery.", semantic=0.55),
    ]
    result = run("What was Northwind Foods' revenue in 2023?", evidence)
    assert result.status == "not_answered"
    assert "revenue" in result.parts[0].missing
    # the same evidence answers what it does cover
    assert run("How many people does Northwind Foods employ?", evidence).status == "answer"


def test_a_sentence_without_the_answer_type_does_not_answer() -> None:
    evidence = [cand("The mayor announced the closure of the bridge after the inspection.")]
    assert run("When did the mayor announce the closure of the bridge?", evidence).status == (
        "not_answered"
    )
    dated = [*evidence, cand("On 4 May 2022 the mayor announced the closure of the bridge.")]
    result = run("When did the mayor announce the closure of the bridge?", dated)
    assert result.status == "answer"
    assert "4 May 2022" in result.parts[0].sentence.text


def test_a_two_part_question_is_partly_answered_and_says_which_part() -> None:
    evidence = [cand("The regional water board ordered the river closed to swimmers.")]
    result = run("Who ordered the river closed, and when will it reopen?", evidence)
    assert result.status == "partial"
    assert [p.answered for p in result.parts] == [True, False]
    assert result.parts[1].part.text == "when will it reopen"


def test_each_part_gets_its_own_sentence() -> None:
    evidence = [
        cand("The regional water board ordered the river closed to swimmers."),
        cand("The river was closed under the Clean Water Act."),
    ]
    result = run("Who ordered the river closed, and under which act?", evidence)
    assert result.status == "answer"
    assert "water board" in result.parts[0].sentence.text
    assert "Clean Water Act" in result.parts[1].sentence.text


def test_focus_in_the_passage_around_the_sentence_counts() -> None:
    passage = "The Harbour Trust owns the pier. In 2019 it was rebuilt at a cost of $4 million."
    evidence = [cand("In 2019 it was rebuilt at a cost of $4 million.", passage=passage)]
    assert run("How much did rebuilding the Harbour Trust pier cost?", evidence).status == "answer"


def test_closeness_in_meaning_lets_a_paraphrased_question_through() -> None:
    sentence = "Lena Park has led the orchestra as music director since 2017."
    close = [cand(sentence, semantic=0.8)]
    far = [cand(sentence, semantic=0.3)]
    question = "Who is in charge of the orchestra's artistic programme these days?"
    assert run(question, close).status == "answer"
    assert run(question, far).status == "not_answered"


def test_a_follow_up_is_judged_with_the_earlier_question() -> None:
    evidence = [
        cand("The regional water board ordered the river closed under the Clean Water Act.")
    ]
    assert (
        run("And under which act?", evidence, context="Who ordered the river closed?").status
        == "answer"
    )
