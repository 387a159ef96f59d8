"""A Slack thread's earlier messages as conversation turns (split from ``bot``)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from assistant.slack.blocks import (
    META_PLACEHOLDER,
    META_QUESTION,
    PLACEHOLDER_TEXT,
    strip_mentions,
    unescape,
)

if TYPE_CHECKING:
    from slack_sdk import WebClient

log = logging.getLogger("assistant.slack")

# Message subtypes that are still a person writing; everything else (bot_message,
# message_changed, channel_join, ...) is ignored.
HUMAN_SUBTYPES = {None, "file_share", "thread_broadcast"}


def thread_turns(
    client: WebClient, channel: str, thread_ts: str, before_ts: str, context: Any, keep: int
) -> list[dict[str, str]]:
    """Earlier messages of the thread as turns: people are ``user``, this bot ``assistant``."""
    from slack_sdk.errors import SlackApiError

    try:
        reply = client.conversations_replies(
            channel=channel, ts=thread_ts, limit=200, include_all_metadata=True
        )
    except SlackApiError as exc:
        log.warning("cannot read the thread history: %s", exc.response.get("error"))
        return []
    turns: list[dict[str, str]] = []
    for message in reply.get("messages") or []:
        ts = message.get("ts") or ""
        if ts == before_ts or ts_float(ts) > ts_float(before_ts):
            continue
        turn = message_turn(message, context)
        if turn:
            turns.append(turn)
    return turns[-keep:]


def message_turn(message: dict[str, Any], context: Any) -> dict[str, str] | None:
    ours = (context.bot_user_id and message.get("user") == context.bot_user_id) or (
        context.bot_id and message.get("bot_id") == context.bot_id
    )
    meta = message.get("metadata") or {}
    kind, payload = meta.get("event_type"), meta.get("event_payload") or {}
    if ours:
        if kind == META_PLACEHOLDER or message.get("text") == PLACEHOLDER_TEXT:
            return None
        if kind == META_QUESTION and payload.get("question"):
            return {"role": "user", "content": str(payload["question"])}
        text = unescape(message.get("text") or "").strip()
        return {"role": "assistant", "content": text} if text else None
    if message.get("bot_id") or message.get("subtype") not in HUMAN_SUBTYPES:
        return None
    text = strip_mentions(message.get("text") or "")
    return {"role": "user", "content": text} if text else None


def ts_float(ts: str) -> float:
    try:
        return float(ts)
    except ValueError:
        return 0.0
