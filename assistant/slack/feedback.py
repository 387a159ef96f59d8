"""Thumbs up/down on Slack answers: the recent answers remembered by id, and each rating
recorded in the feedback store (split from ``bot``)."""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict
from typing import Any

from assistant.answer.citations import Answer
from assistant.feedback import FeedbackStore
from assistant.settings import Settings
from assistant.slack.blocks import FEEDBACK_UP, META_ANSWER, parse_feedback_value, unescape

log = logging.getLogger("assistant.slack")


class AnswerFeedback:
    """The answers given lately (a bounded map from answer id) and the feedback store."""

    def __init__(self, store: FeedbackStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.size = settings.slack.dedupe_cache_size
        self._answers: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._answers_lock = threading.Lock()

    def remember(self, answer: Answer, channel: str | None, user: str | None) -> str:
        answer_id = uuid.uuid4().hex[:16]
        with self._answers_lock:
            self._answers[answer_id] = {
                "question": answer.question,
                "answer": answer.answer,
                "citations": [c.model_dump(mode="json") for c in answer.citations],
                "slack_channel": channel,
            }
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return answer_id

    def on_feedback(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        """Record a thumbs up/down (quick SQLite insert, done before the acknowledgement)."""
        rating = "up" if action.get("action_id") == FEEDBACK_UP else "down"
        ref = parse_feedback_value(action.get("value"))
        answer_id = ref.get("id")
        with self._answers_lock:
            known = self._answers.get(answer_id or "")
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id")
        if known is None:  # after a restart: rebuild from the message itself
            meta = message.get("metadata") or {}
            payload = meta.get("event_payload") if meta.get("event_type") == META_ANSWER else {}
            payload = payload or {}
            known = {
                "question": payload.get("question") or ref.get("q") or "",
                "answer": unescape(message.get("text") or ""),
                "citations": payload.get("citations") or [],
                "slack_channel": channel,
            }
        if not known["question"] or not known["answer"]:
            log.warning("feedback on an unknown answer %s ignored", answer_id)
            ack()
            return
        self.store.record(
            rating=rating,
            question=known["question"],
            answer=known["answer"],
            citations=known["citations"],
            settings={
                **_sections(self.settings.public_dump(), "retrieval", "answer"),
                "slack_channel": known.get("slack_channel") or channel,
                "message_ts": message.get("ts"),
            },
            user=(body.get("user") or {}).get("id"),
            channel="slack",
            answer_id=answer_id,
        )
        ack()


def _sections(dump: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: dump[name] for name in names}
