"""Typed answers: the data every front end renders in its own way.

The core never glues citation strings together; it returns an ``Answer`` whose
``[n]`` markers always refer to an entry of ``citations`` with that ``n``.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field

REFUSAL_TEXT = "The indexed sources don't answer this."
AnswerStatus = Literal["answer", "partial", "conflict", "not_answered"]


# What a question part asks, by its kind of answer, for a refusal to name.
_KIND_ASKED = {
    "name": "who or which",
    "date": "when",
    "time": "at what time",
    "duration": "for how long",
    "number": "how many or how much",
    "money": "how much money",
    "law": "under which law",
    "outcome": "what was decided or found",
    "reason": "why",
    "place": "where",
}


def refusal_text(
    looked_for: list[str], mentioned: list[tuple[list[str], str]] | None = None
) -> str:
    """The refusal, saying which of the question's words the sources have nothing on, or,
    when they use every word, what they do not say (``mentioned``: a part's focus words and
    the kind of answer nothing gives: 'they mention "court", but no passage says what
    was decided')."""
    if looked_for:
        return f"{REFUSAL_TEXT[:-1]}: nothing in them covers {_join(looked_for[:6])}."
    for words, kind in mentioned or []:
        if kind in _KIND_ASKED and words:
            said = _join(words[:6], "and")
            asked = _KIND_ASKED[kind]
            return f"{REFUSAL_TEXT[:-1]}: they mention {said}, but no passage says {asked}."
    return REFUSAL_TEXT


def _join(items: list[str], last: str = "or") -> str:
    quoted = [f'"{item}"' for item in items]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" {last} " + quoted[-1]


MARKER = re.compile(r"\[(\d+)\]")
"""One ``[n]`` citation marker in an answer's text; group 1 is ``n``. The one definition
every module uses (models may also write ``[1, 2]``: ``assistant.answer.grounded`` reads those)."""


class Citation(BaseModel):
    n: int = Field(description="The number used as [n] in the answer text.")
    source: str = Field(description="Document path relative to the corpus root.")
    title: str | None = None
    publisher: str | None = None
    date: str | None = None
    url: str | None = None
    page: int | None = Field(None, description="PDF page of the quote, when known.")
    quote: str = Field(description="The cited text, verbatim from the document.")
    start: int = Field(description="Offset of the quote in the document text.")
    end: int = Field(description="End offset (exclusive) of the quote in the document text.")
    score: float = Field(description="How strongly the quote matched the question (0-1).")
    chunk_id: str | None = None
    instructions: list[str] = Field(
        default_factory=list,
        description="Sentences of the cited passage addressed to an AI or a system (e.g. "
        "'ignore previous instructions'): flagged when indexed, treated as data, never "
        "followed or quoted as an answer.",
    )


class ConflictValue(BaseModel):
    value: str
    citations: list[int] = Field(description="Citation numbers that state this value.")


class Conflict(BaseModel):
    topic: str
    values: list[ConflictValue]


class HistoryTurn(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class Answer(BaseModel):
    question: str
    answer: str
    refused: bool = False
    status: AnswerStatus = Field(
        "answer",
        description="answer: every part of the question is answered; partial: some part is "
        "not (see not_answered); conflict: answered, and sources disagree (see conflicts); "
        "not_answered: refused.",
    )
    not_answered: list[str] = Field(
        default_factory=list, description="Parts of the question the sources do not answer."
    )
    citations: list[Citation] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list)
    mode: str = "extractive"
    timings_ms: dict[str, float] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
