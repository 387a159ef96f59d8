import re

from assistant.answer.citations import REFUSAL_TEXT, HistoryTurn
from assistant.core import Assistant


def check_citations_are_valid(assistant: Assistant, answer) -> None:  # noqa: ANN001
    numbers = {c.n for c in answer.citations}
    markers = [int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)]
    assert set(markers) <= numbers, "a marker points to no citation"
    assert numbers <= set(markers), "a citation is never referred to"
    assert sorted(numbers) == list(range(1, len(numbers) + 1))
    for c in answer.citations:
        text = assistant.index.document_text(c.source)
        assert text is not None and text[c.start : c.end] == c.quote


def test_extractive_answer_quotes_and_cites_verbatim(fake_assistant: Assistant) -> None:
    answer = fake_assistant.ask("What test must applicants meet to obtain a stay?")
    assert not answer.refused
    assert answer.citations
    check_citations_are_valid(fake_assistant, answer)
    assert "RJR-MacDonald" in " ".join(c.quote for c in answer.citations)
    assert answer.citations[0].source.startswith("13_")
    assert set(answer.timings_ms) >= {"retrieve", "generate", "total"}


def test_off_topic_question_is_refused(fake_assistant: Assistant) -> None:
    answer = fake_assistant.ask("What is a good recipe for sourdough bread with rye flour?")
    assert answer.refused
    assert answer.answer.startswith(REFUSAL_TEXT[:-1])
    assert "sourdough" in answer.answer  # says what it looked for
    assert answer.citations == []


def test_history_gives_context_to_a_follow_up(fake_assistant: Assistant) -> None:
    history = [
        {"role": "user", "content": "What did the Commerce Department's Entity List add?"},
        {"role": "assistant", "content": "28 Chinese organizations including Hikvision."},
    ]
    answer = fake_assistant.ask("What did Wilbur Ross say?", history=history)
    assert not answer.refused
    assert any(c.source.startswith("18_") for c in answer.citations)


def test_stream_yields_text_then_the_final_answer(fake_assistant: Assistant) -> None:
    items = list(fake_assistant.stream("What test must applicants meet to obtain a stay?"))
    assert isinstance(items[-1].answer, str)
    assert "".join(i for i in items[:-1]) == items[-1].answer


def test_the_chain_passes_a_typed_state_from_step_to_step(fake_assistant: Assistant) -> None:
    from langchain_core.runnables import RunnableSequence

    from assistant.answer.pipeline import AnswerState

    chain = fake_assistant.pipeline.chain
    assert [s.name for s in chain.steps] == ["condense", "retrieve", "decide", "generate", "verify"]
    start = AnswerState(
        question="And under which act?",
        history=[HistoryTurn(role="user", content="Who ordered Hikvision Canada to close?")],
        filters=None,
        k=None,
        retrieval_mode=None,
        mode="extractive",
    )
    state = RunnableSequence(*chain.steps[:-1]).invoke(start)
    assert isinstance(state, AnswerState)
    assert "Hikvision" in state.query and state.context  # condensed with the history
    assert state.docs and state.evidence is not None and state.sufficiency is not None
    assert set(state.timings) == {"retrieve", "decide", "generate"}
    assert start.query == "" and start.evidence is None  # each step returns a new state


def test_a_model_sentence_citing_the_answer_must_keep_the_kind_of_answer() -> None:
    """The model's sentence that cites the deciding passage must itself hold the kind of
    answer asked (a reason for "why"); another of its sentences holding a reason word does
    not make up for a dropped reason, and a follow-up's answer must add something the
    conversation has not already said."""
    from langchain_core.documents import Document

    from assistant.answer.compose import Citer, kinds_not_given
    from assistant.answer.extractive import Candidate
    from assistant.answer.question import analyse
    from assistant.answer.sufficiency import PartDecision, Sufficiency

    def cand(text: str, source: str) -> Candidate:
        doc = Document(page_content=text, metadata={"source": source})
        return Candidate(doc, 0, len(text), text)

    question = "Why did the charterer say it was not liable?"
    deciding = cand("The charterer said it was not liable because it only chartered the ship.", "a")
    other = cand("The owner blamed the wind.", "b")
    decided = Sufficiency([PartDecision(analyse(question).parts[0], deciding, 1.0)])
    citer = Citer()
    assert (citer.cite(deciding), citer.cite(other)) == (1, 2)

    dropped = "The charterer said it was not liable. [1] This was because of the wind. [2]"
    assert kinds_not_given(dropped, question, decided, citer) == ["reason"]
    assert kinds_not_given(dropped, question, decided) == []  # the whole text has a reason
    kept = "The charterer was not liable because it only chartered the ship. [1]"
    assert kinds_not_given(kept, question, decided, citer) == []

    follow_up = "Where was it going after that?"
    port = cand("After Rotterdam the ship sailed on to Felixstowe.", "c")
    went = Sufficiency([PartDecision(analyse(follow_up).parts[0], port, 1.0)])
    citer = Citer()
    citer.cite(port)
    repeated = "The ship berthed in Rotterdam. [1]"
    assert kinds_not_given(repeated, follow_up, went, citer) == []
    earlier = "When did the ship reach Rotterdam?"
    assert kinds_not_given(repeated, f"{follow_up} {earlier}", went, citer) == ["place"]
