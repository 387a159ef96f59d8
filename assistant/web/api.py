"""The page's API for programs: ``/ask`` (one answer object) and ``/ask_stream``.

The parameter types are TypedDicts so that Gradio's ``view_api()`` and the page's
"Use via API" panel show the exact shape to send (history items, filter keys).
No ``from __future__ import annotations``: Gradio reads these hints at run time.
"""

from collections.abc import Iterator
from typing import Any, Literal, TypedDict

import gradio as gr

from assistant.core import Assistant


class HistoryItem(TypedDict):
    """One earlier turn of the conversation, oldest first."""

    role: Literal["user", "assistant"]
    content: str


class AskFilters(TypedDict, total=False):
    """Restrict retrieval; every key is optional.

    sources: file names, matched exactly or by prefix ("13" matches "13_federal_court...").
    publishers: matched by substring. date_from / date_to: "2025", "2025-06" or
    "2025-06-28", inclusive.
    """

    sources: list[str]
    publishers: list[str]
    date_from: str | None
    date_to: str | None


class StreamEvent(TypedDict):
    """One event of ``/ask_stream``: the answer so far; the last one has ``done`` true."""

    done: bool
    text: str
    answer: dict[str, Any] | None


PARAMETERS = (
    "question: the question to answer. history: earlier turns, oldest first, as "
    '[{"role": "user", "content": "Who ordered the closure?"}, {"role": "assistant", '
    '"content": "..."}]; [] for a new conversation. filters: optional, any of '
    '{"sources": ["13"], "publishers": ["Federal Court"], "date_from": "2025-06", '
    '"date_to": "2025-09-30"}; {} for none.'
)
ASK_DESCRIPTION = (
    "Answer a question from the indexed documents. Returns the answer object: answer "
    "(text with [n] markers), refused, citations (n, source, title, publisher, date, url, "
    "page, quote, start, end, score), conflicts (topic, values), mode, timings_ms, "
    "metadata. Parameters: " + PARAMETERS
)
ASK_STREAM_DESCRIPTION = (
    "Answer a question, streaming: a series of {done, text, answer} events. text is the "
    "answer so far (verification may still drop sentences); the last event has done=true, "
    "the final text, and answer = the object /ask returns. Parameters: " + PARAMETERS
)


def api_functions(assistant: Assistant) -> tuple[Any, Any]:
    """(ask, ask_stream) bound to ``assistant``, with the docstrings Gradio shows."""

    def ask(
        question: str,
        history: list[HistoryItem] | None = None,
        filters: AskFilters | None = None,
    ) -> dict:
        try:
            answer = assistant.ask(
                question, history=list(history or []), filters=dict(filters or {}) or None
            )
        except ValueError as exc:  # empty question, unknown filter key, bad date
            raise gr.Error(str(exc), print_exception=False) from exc
        return answer.to_json_dict()

    def ask_stream(
        question: str,
        history: list[HistoryItem] | None = None,
        filters: AskFilters | None = None,
    ) -> Iterator[StreamEvent]:
        text = ""
        try:
            for item in assistant.stream(
                question, history=list(history or []), filters=dict(filters or {}) or None
            ):
                if isinstance(item, str):
                    text += item
                    yield {"done": False, "text": text, "answer": None}
                else:
                    yield {"done": True, "text": item.answer, "answer": item.to_json_dict()}
        except ValueError as exc:  # the same errors /ask reports
            raise gr.Error(str(exc), print_exception=False) from exc

    ask.__doc__, ask_stream.__doc__ = ASK_DESCRIPTION, ASK_STREAM_DESCRIPTION
    return ask, ask_stream
