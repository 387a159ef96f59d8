"""Block Kit rendering of an ``Answer`` for Slack. Pure functions, no Slack client.

Layout of a reply: the answer text, then the numbered sources (title linked when
there is a URL, publisher, date, the quoted passage), then the disagreements
between sources when there are any, then thumbs up/down feedback buttons.
Citation numbers are the core's ``n``; they are never renumbered here.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from assistant.answer.citations import Answer, Citation

PLACEHOLDER_TEXT = "Looking through the indexed sources..."
ERROR_TEXT = "Sorry, something went wrong while answering this. Please try again later."
EMPTY_QUESTION_TEXT = (
    "Ask me a question about the indexed documents, for example: "
    "_Who ordered the closure, and under what act?_"
)

FEEDBACK_BLOCK_ID = "assistant_feedback"
FEEDBACK_UP = "assistant_feedback_up"
FEEDBACK_DOWN = "assistant_feedback_down"

# Message metadata event types, so the thread history and feedback can tell
# the bot's own messages apart without parsing their text.
META_ANSWER = "assistant_answer"
META_QUESTION = "assistant_question"
META_PLACEHOLDER = "assistant_placeholder"

_SECTION_LIMIT = 3000  # Slack's limit for a section's text
_QUOTE_LIMIT = 600
_VALUE_LIMIT = 2000  # Slack's limit for a button value
_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn gives meaning to.

    Used on every text taken from documents or answers, in blocks and in a message's
    top-level ``text`` alike, so ``<!channel>``, ``<!here>``, ``<@U123>`` or
    ``<https://evil|label>`` are shown as typed, never as a mention or a link.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """The inverse of ``escape`` (for reading the bot's own messages back)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL with a host, else None (no
    ``javascript:``, ``file:``, ``slack:`` or relative links from documents)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url.strip()


def strip_mentions(text: str) -> str:
    """Remove ``<@U123>`` user mentions and tidy the spaces left behind."""
    return re.sub(r"\s+", " ", _MENTION.sub(" ", text)).strip()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _link(url: str, label: str) -> str:
    """``<url|label>`` for an http(s) URL; any other scheme gives the bold label, unlinked."""
    checked = safe_url(url)
    if checked is None:
        return f"*{escape(label)}*"
    # In <url|label> neither part may contain '|' or '>' (nor the url '<' or spaces).
    quoted = checked.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C").replace(" ", "%20")
    return f"<{quoted}|{escape(label).replace('|', '¦')}>"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _clip(text, _SECTION_LIMIT)}}


def citation_text(c: Citation) -> str:
    """One numbered source: ``*[n]* title (linked) · publisher · date`` then the quote."""
    title = c.title or c.source
    head = _link(c.url, title) if c.url else f"*{escape(title)}*"
    details = [escape(x) for x in (c.publisher, c.date) if x]
    if c.page:
        details.append(f"p. {c.page}")
    line = f"*[{c.n}]* {head}" + (" · " + " · ".join(details) if details else "")
    quote = escape(_clip(" ".join(c.quote.split()), _QUOTE_LIMIT))
    return f"{line}\n> {quote}"


def conflicts_text(answer: Answer) -> str | None:
    if not answer.conflicts:
        return None
    lines = ["*Sources disagree*"]
    for conflict in answer.conflicts:
        values = "; ".join(
            f"{escape(v.value)} {''.join(f'[{n}]' for n in v.citations)}".strip()
            for v in conflict.values
        )
        lines.append(f"• {escape(conflict.topic)}: {values}")
    return "\n".join(lines)


def feedback_value(answer_id: str, question: str) -> str:
    """A compact button value: the answer's id and (clipped) question, as JSON."""
    value = {"id": answer_id, "q": question}
    encoded = json.dumps(value, ensure_ascii=False)
    while len(encoded) > _VALUE_LIMIT:  # clip the question until it fits
        value["q"] = value["q"][: max(0, len(value["q"]) - (len(encoded) - _VALUE_LIMIT) - 8)]
        encoded = json.dumps(value, ensure_ascii=False)
    return encoded


def parse_feedback_value(value: str | None) -> dict[str, str]:
    """The inverse of ``feedback_value``; tolerant of anything else (returns ``{}``)."""
    try:
        data = json.loads(value or "")
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: str(v) for k, v in data.items() if k in ("id", "q") and v is not None}


def feedback_block(answer_id: str, question: str) -> dict[str, Any]:
    value = feedback_value(answer_id, question)
    return {
        "type": "actions",
        "block_id": FEEDBACK_BLOCK_ID,
        "elements": [
            {
                "type": "button",
                "action_id": FEEDBACK_UP,
                "text": {"type": "plain_text", "text": ":thumbsup: Helpful", "emoji": True},
                "value": value,
            },
            {
                "type": "button",
                "action_id": FEEDBACK_DOWN,
                "text": {"type": "plain_text", "text": ":thumbsdown: Not helpful", "emoji": True},
                "value": value,
            },
        ],
    }


def answer_blocks(answer: Answer, answer_id: str | None = None) -> list[dict[str, Any]]:
    """Block Kit blocks for ``answer``; with ``answer_id`` the feedback buttons are added."""
    blocks: list[dict[str, Any]] = [_section(escape(answer.answer))]
    if answer.not_answered:
        missing = "; ".join(f"{part}?" for part in answer.not_answered)
        blocks.append(_section(f"_Not in the sources: {escape(missing)}_"))
    if answer.citations:
        blocks.append({"type": "divider"})
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": "*Sources*"}]})
        # 50 blocks per message at most: keep room for the blocks around the sources.
        for citation in sorted(answer.citations, key=lambda c: c.n)[:40]:
            blocks.append(_section(citation_text(citation)))
    disagreement = conflicts_text(answer)
    if disagreement:
        blocks.append({"type": "divider"})
        blocks.append(_section(disagreement))
    if answer_id:
        blocks.append(feedback_block(answer_id, answer.question))
    return blocks


def placeholder_blocks() -> list[dict[str, Any]]:
    return [{"type": "context", "elements": [{"type": "mrkdwn", "text": f"_{PLACEHOLDER_TEXT}_"}]}]


def streaming_blocks(partial_text: str) -> list[dict[str, Any]]:
    """The working message while an answer streams in (replaced by ``answer_blocks``)."""
    return [
        _section(escape(partial_text) or " "),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"_{PLACEHOLDER_TEXT}_"}]},
    ]


def answer_metadata(answer: Answer, answer_id: str) -> dict[str, Any]:
    """Message metadata kept with an answer: enough to record feedback after a restart."""
    return {
        "event_type": META_ANSWER,
        "event_payload": {
            "answer_id": answer_id,
            "question": _clip(answer.question, 1000),
            "refused": answer.refused,
            "citations": [
                {"n": c.n, "source": c.source, "start": c.start, "end": c.end}
                for c in answer.citations
            ],
        },
    }
