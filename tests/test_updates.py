"""A claim that holds only "pending" a matter is quoted with the evidence that settles it:
what the matter is, which sentences report it settled, and (with the real embedding model
and embedded Chroma) an answer that finds the outcome in a passage the question did not
retrieve."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document

from assistant.answer.extractive import Candidate
from assistant.answer.updates import pending_matter, settled_claims, settling
from assistant.core import Assistant
from assistant.settings import Settings


def cand(text: str, source: str, date_num: int = 0, start: int = 0) -> Candidate:
    meta = {"source": source, "date_num": date_num}
    return Candidate(Document(page_content=text, metadata=meta), start, start + len(text), text)


CLAIM = cand(
    "The shelter says it will stay open pending the council's vote on the lease, and it "
    "thanks its volunteers.",
    "shelter.txt",
    20240301,
)


def test_the_matter_a_claim_waits_on_is_read_from_its_clause() -> None:
    assert pending_matter(CLAIM.text) == {"council", "vote", "leas"}
    assert pending_matter("The park stays closed until further notice.") == {"notic"}
    # a time limit is not a matter
    assert pending_matter("The road is closed until June 3, 2024.") == frozenset()
    assert pending_matter("Fees are frozen until 2030.") == frozenset()
    assert pending_matter("The shelter is open every day.") == frozenset()


def test_a_later_report_of_the_matter_settles_the_claim() -> None:
    outcome = cand("The council rejected the lease on a 5-2 vote.", "minutes.txt", 20240410)
    other = cand("The council approved a new bus route.", "minutes.txt", 20240410, start=50)
    assert settling(CLAIM, [other, outcome]) is outcome
    assert settled_claims([CLAIM], [other, outcome]) == {outcome: CLAIM}


def test_a_condition_or_an_older_document_settles_nothing() -> None:
    conditional = cand(
        "The shelter must close if the lease is rejected by the council.", "law.txt", 20240410
    )
    older = cand("The council rejected the lease on a 5-2 vote.", "old.txt", 20230101)
    waiting = cand("The lease was debated, and the vote awaits the council.", "x.txt", 20240410)
    assert settling(CLAIM, [conditional, older, waiting]) is None


def test_the_outcome_is_searched_for_by_the_matter_itself() -> None:
    outcome = cand("The council rejected the lease on a 5-2 vote.", "minutes.txt", 20240410)
    asked: list[str] = []

    def search(matter: str) -> list[Candidate]:
        asked.append(matter)
        return [outcome]

    assert settled_claims([CLAIM], [], search) == {outcome: CLAIM}
    assert asked == ["the council's vote on the lease"]


def test_an_outcome_already_quoted_is_not_added_again() -> None:
    outcome = cand("The council rejected the lease on a 5-2 vote.", "minutes.txt", 20240410)
    assert settled_claims([CLAIM, outcome], [outcome]) == {}


HEADER = "Title: {title}\nPublisher: {publisher}\nDate: {date}\n---\n\n"
FILLER = (
    "Councillors also heard a report on the new library branch, which opens next spring "
    "with longer evening hours and a children's reading room. The parks committee asked for "
    "more benches along the river walk and for repairs to the skate park ramps. "
)
DOCS = {
    "01_shelter_statement.txt": (
        "Shelter statement",
        "Harbour Street Shelter",
        "2024-03-01",
        "The Harbour Street Shelter says it will stay open pending the council's vote on the "
        "renewal of its lease, and it thanks the volunteers who kept it running all winter.",
    ),
    "02_council_minutes.txt": (
        "Council minutes, April",
        "Milltown Council",
        "2024-04-10",
        FILLER * 3 + "\n\nOn item seven, the renewal of the lease at 14 Harbour Street, the "
        "council rejected the renewal on a 5-2 vote.",
    ),
    **{
        f"0{i}_shelter_news.txt": (
            f"Shelter news {i}",
            "Milltown Post",
            f"2024-02-0{i}",
            f"The Harbour Street Shelter {fact}, staff at the shelter said.",
        )
        for i, fact in enumerate(
            [
                "can stay open through the night in the coldest weeks",
                "opened a second dormitory with twenty beds",
                "is open to families as well as single adults",
                "stays open on public holidays",
                "has served hot meals since it opened in 2009",
                "can open its doors early when snow is forecast",
                "keeps a clinic open on Tuesday mornings",
            ],
            start=3,
        )
    },
}


@pytest.mark.slow
def test_an_answer_quotes_the_outcome_of_the_matter_its_claim_waits_on(
    tmp_path,
    real_embeddings,  # noqa: ANN001
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, (title, publisher, date, body) in DOCS.items():
        header = HEADER.format(title=title, publisher=publisher, date=date)
        (corpus / name).write_text(header + body + "\n", encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    assistant = Assistant(settings, embeddings=real_embeddings)
    assistant.sync()
    answer = assistant.ask("Can the Harbour Street Shelter stay open?", mode="extractive")
    assert not answer.refused
    assert "stay open pending the council's vote" in answer.answer
    assert "rejected the renewal on a 5-2 vote" in answer.answer
    assert answer.answer.index("pending") < answer.answer.index("rejected")
    quoted = {c.source for c in answer.citations}
    assert {"01_shelter_statement.txt", "02_council_minutes.txt"} <= quoted
