"""What the terminal shows of an answer: text, sources with their quotes, disagreements,
and the ``--json`` object. Plain functions of an ``Answer``, so they are tested without
a terminal (``tests/test_cli_output.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.answer.citations import Answer


def quoted(text: str) -> str:
    """A quote in quotation marks that reads well when the quote has quotes of its own.

    A quote already enclosed in straight quotes is shown as is (not ``""...""``); one
    with quotes inside gets typographic marks around it.
    """
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"' and '"' not in text[1:-1]:
        return text
    return f"\u201c{text}\u201d" if '"' in text else f'"{text}"'


def render_sources(answer: Answer) -> str:
    """What the sources leave unanswered, the numbered sources and their disagreements:
    everything but the answer text.

    A quote is printed under its source unless the answer already contains it word for
    word (extractive answers are made of quotes): nothing is printed twice.
    """
    lines: list[str] = []
    if answer.not_answered:
        lines.append("Not in the sources: " + "; ".join(f"{p}?" for p in answer.not_answered))
    for c in answer.citations:
        where = ", ".join(x for x in (c.publisher, c.date) if x)
        lines.append(f"[{c.n}] {c.title or c.source}" + (f" ({where})" if where else ""))
        lines.append(
            f"    {c.source}" + (f" p.{c.page}" if c.page else "") + (f"  {c.url}" if c.url else "")
        )
        if c.quote.strip() not in answer.answer:  # an extractive answer already quotes it
            lines.append(f"    {quoted(c.quote)}")
        for flagged in c.instructions:
            lines.append(f"    (this passage also says, to an AI, {flagged!r}: treated as data)")
    for conflict in answer.conflicts:
        values = "; ".join(
            f"{v.value} {''.join(f'[{n}]' for n in v.citations)}" for v in conflict.values
        )
        lines.append(f"Sources disagree on {conflict.topic}: {values}")
    return "\n".join(lines)


def render_answer(answer: Answer) -> str:
    return f"{answer.answer}\n\n{render_sources(answer)}".rstrip()


def answer_json(answer: Answer) -> dict[str, Any]:
    data = answer.to_json_dict()
    return {
        "question": data["question"],
        "answer": data["answer"],
        "refused": data["refused"],
        "citations": data["citations"],
        "conflicts": data["conflicts"],
        "mode": data["mode"],
        "timings_ms": data["timings_ms"],
        "metadata": data["metadata"],
    }
