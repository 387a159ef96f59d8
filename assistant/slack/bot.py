"""The Slack bot: a thin slack-bolt adapter over ``Assistant``.

``build_slack_app(assistant, settings)`` returns a bolt ``App``. Every listener
acknowledges Slack at once (well inside Slack's 3 seconds) and answers after,
in bolt's lazy-listener thread pool: a working message goes into the thread of
the question, the answer is produced (streamed into that message when the
backend streams) and the message is replaced by the final Block Kit answer.

Security: HTTP requests go through bolt's ``RequestVerification`` middleware
(signing secret, v0 HMAC-SHA256, timestamps older than 5 minutes refused), which
runs before anything else, so a forged request never reaches a listener or the
Web API. Tokens and secrets live only in ``SlackSettings`` (``repr=False``) and
the Slack client; they are never logged.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from assistant.answer.citations import Answer
from assistant.errors import InputError
from assistant.feedback import FeedbackStore
from assistant.settings import Settings, SlackRefusalPolicy, SlackSettings
from assistant.slack.blocks import (
    EMPTY_QUESTION_TEXT,
    ERROR_TEXT,
    FEEDBACK_DOWN,
    FEEDBACK_UP,
    META_PLACEHOLDER,
    META_QUESTION,
    PLACEHOLDER_TEXT,
    answer_blocks,
    answer_metadata,
    escape,
    placeholder_blocks,
    streaming_blocks,
    strip_mentions,
)
from assistant.slack.dedupe import Seen, request_key
from assistant.slack.feedback import AnswerFeedback
from assistant.slack.history import HUMAN_SUBTYPES, thread_turns

if TYPE_CHECKING:
    from slack_bolt import App
    from slack_sdk import WebClient

    from assistant.core import Assistant

log = logging.getLogger("assistant.slack")

WORKING_REACTION = "hourglass_flowing_sand"


class SlackConfigError(InputError):
    """A setting the chosen transport needs is missing."""


class SlackBot:
    """The listeners' logic, holding the assistant, caches and the feedback store."""

    def __init__(self, assistant: Assistant, settings: Settings) -> None:
        self.assistant = assistant
        self.settings = settings
        self.slack = settings.slack
        self.feedback = FeedbackStore(settings.feedback_path)
        self.seen_events = Seen(self.slack.dedupe_cache_size)
        self.seen_messages = Seen(self.slack.dedupe_cache_size)
        self.seen_commands = Seen(self.slack.dedupe_cache_size)
        self.answers = AnswerFeedback(self.feedback, settings)
        self._slots = threading.BoundedSemaphore(self.slack.max_concurrent_answers)

    # ----------------------------------------------------------------- policy
    def policy(self, channel: str) -> SlackRefusalPolicy:
        return self.slack.channel_policy.get(channel, self.slack.default_policy)

    # ------------------------------------------------------------- middleware
    def drop_retries(self, body: dict[str, Any], request: Any, next: Any) -> Any:  # noqa: A002
        """Global middleware: an event already seen (Slack's retries) and a slash command
        already seen (a replayed request) are acknowledged only."""
        from slack_bolt import BoltResponse

        event_id = body.get("event_id") if isinstance(body, dict) else None
        if event_id and not self.seen_events.first_time(str(event_id)):
            retry = (request.headers.get("x-slack-retry-num") or ["?"])[0]
            log.info("dropping repeated event %s (retry %s)", event_id, retry)
            return BoltResponse(status=200, body="")
        command_key = request_key(body, getattr(request, "raw_body", ""))
        if command_key and not self.seen_commands.first_time(command_key):
            log.warning("dropping a repeated %s request (%s)", body.get("command"), command_key)
            return BoltResponse(status=200, body="")
        return next()

    # ---------------------------------------------------------------- events
    @staticmethod
    def ack_now(ack: Any) -> None:
        ack()

    def on_mention(self, event: dict[str, Any], client: WebClient, context: Any) -> None:
        self._handle_message(event, client, context)

    def on_message(self, event: dict[str, Any], client: WebClient, context: Any) -> None:
        if event.get("channel_type") != "im":
            return  # in channels the bot answers only when mentioned (app_mention)
        self._handle_message(event, client, context)

    def _handle_message(self, event: dict[str, Any], client: WebClient, context: Any) -> None:
        if event.get("bot_id") or event.get("subtype") not in HUMAN_SUBTYPES:
            return
        if context.bot_user_id and event.get("user") == context.bot_user_id:
            return
        channel, ts = event.get("channel"), event.get("ts")
        if not channel or not ts:
            return
        # app_mention and message.im can both deliver one message: answer it once.
        if not self.seen_messages.first_time(f"{channel}:{ts}"):
            return
        thread_ts = event.get("thread_ts") or ts
        question = strip_mentions(event.get("text") or "")
        history: list[dict[str, str]] = []
        if thread_ts != ts and self.slack.history_messages:
            history = self.thread_history(client, channel, thread_ts, ts, context)
        self.answer_in_thread(
            client, channel, thread_ts, question, history, question_ts=ts, user=event.get("user")
        )

    # --------------------------------------------------------- slash command
    @staticmethod
    def ack_command(ack: Any, command: dict[str, Any]) -> None:
        if not (command.get("text") or "").strip():
            ack(text="Usage: `/ask QUESTION` - I answer in a thread, citing the sources.")
        else:
            ack()

    def on_command(self, command: dict[str, Any], client: WebClient, respond: Any) -> None:
        from slack_sdk.errors import SlackApiError

        question = " ".join((command.get("text") or "").split())
        if not question:
            return
        channel, user = command.get("channel_id"), command.get("user_id")
        try:
            parent = client.chat_postMessage(
                channel=channel,
                text=f"<@{user}> asked: {escape(question)}",
                metadata={"event_type": META_QUESTION, "event_payload": {"question": question}},
            )
        except SlackApiError as exc:  # e.g. not_in_channel: answer privately instead
            log.info("cannot post in %s (%s); answering privately", channel, exc.response["error"])
            answer = self._ask(question, [])
            answer_id = self.answers.remember(answer, channel, user)
            respond(
                text=escape(answer.answer),
                blocks=answer_blocks(answer, answer_id),
                response_type="ephemeral",
            )
            return
        self.answer_in_thread(client, channel, parent["ts"], question, [], question_ts=None)

    # ---------------------------------------------------------------- answer
    def answer_in_thread(
        self,
        client: WebClient,
        channel: str,
        thread_ts: str,
        question: str,
        history: list[dict[str, str]],
        question_ts: str | None,
        user: str | None = None,
    ) -> None:
        """Show that the bot is working, answer, and replace the working sign by the answer."""
        if not question:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=EMPTY_QUESTION_TEXT)
            return
        silent = self.policy(channel) == "silent"
        working_ts = None
        if silent and question_ts:  # nothing may appear in the thread: use a reaction
            self._react(client, "reactions_add", channel, question_ts)
        elif not silent:
            working = client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                text=PLACEHOLDER_TEXT,
                blocks=placeholder_blocks(),
                metadata={"event_type": META_PLACEHOLDER, "event_payload": {}},
            )
            working_ts = working["ts"]
        try:
            with self._slots:
                answer = self._ask(question, history, client, channel, working_ts)
        except Exception:  # noqa: BLE001 - the user gets a message, the log the traceback
            log.exception("answering a Slack question failed")
            if working_ts:
                client.chat_update(channel=channel, ts=working_ts, text=ERROR_TEXT, blocks=[])
            elif silent and question_ts:
                self._react(client, "reactions_remove", channel, question_ts)
            return
        if silent and question_ts:
            self._react(client, "reactions_remove", channel, question_ts)
        if answer.refused and silent:
            log.info("sources don't answer a question in %s; silent by policy", channel)
            return
        answer_id = self.answers.remember(answer, channel, user)
        reply = {
            "channel": channel,
            "text": escape(answer.answer),  # notifications and clients without blocks
            "blocks": answer_blocks(answer, answer_id),
            "metadata": answer_metadata(answer, answer_id),
        }
        if working_ts:
            client.chat_update(ts=working_ts, **reply)
        else:
            client.chat_postMessage(thread_ts=thread_ts, **reply)

    def _ask(
        self,
        question: str,
        history: list[dict[str, str]],
        client: WebClient | None = None,
        channel: str | None = None,
        working_ts: str | None = None,
    ) -> Answer:
        interval = self.slack.stream_update_s
        if client is None or working_ts is None or interval <= 0:
            return self.assistant.ask(question, history=history)
        partial, last = "", time.monotonic()
        for item in self.assistant.stream(question, history=history):
            if isinstance(item, Answer):
                return item
            partial += item
            if time.monotonic() - last >= interval:
                last = time.monotonic()
                self._quietly(
                    client.chat_update,
                    channel=channel,
                    ts=working_ts,
                    text=escape(partial),
                    blocks=streaming_blocks(partial),
                )
        raise RuntimeError("the answer stream ended without a final answer")

    @staticmethod
    def _quietly(call: Any, **kwargs: Any) -> None:
        from slack_sdk.errors import SlackApiError

        try:
            call(**kwargs)
        except SlackApiError as exc:
            log.warning("Slack call failed: %s", exc.response.get("error"))

    def _react(self, client: WebClient, method: str, channel: str, ts: str) -> None:
        self._quietly(getattr(client, method), name=WORKING_REACTION, channel=channel, timestamp=ts)

    # ---------------------------------------------------------------- history
    def thread_history(
        self, client: WebClient, channel: str, thread_ts: str, before_ts: str, context: Any
    ) -> list[dict[str, str]]:
        """Earlier messages of the thread as turns: people are ``user``, this bot ``assistant``."""
        return thread_turns(
            client, channel, thread_ts, before_ts, context, self.slack.history_messages
        )

    # --------------------------------------------------------------- feedback
    def on_feedback(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        """Record a thumbs up/down (quick SQLite insert, done before the acknowledgement)."""
        self.answers.on_feedback(ack, body, action)

    def thank_for_feedback(self, body: dict[str, Any], client: WebClient) -> None:
        channel = (body.get("channel") or {}).get("id")
        user = (body.get("user") or {}).get("id")
        if channel and user:
            self._quietly(
                client.chat_postEphemeral,
                channel=channel,
                user=user,
                thread_ts=(body.get("message") or {}).get("thread_ts"),
                text="Thanks, your feedback was recorded.",
            )


def require_credentials(slack: SlackSettings, socket_app_token: bool = True) -> None:
    """Raise ``SlackConfigError`` naming the variable when the transport lacks a credential."""
    if not slack.bot_token:
        raise SlackConfigError("the Slack bot token is not set: set ASSISTANT_SLACK__BOT_TOKEN")
    if slack.mode == "http" and not slack.signing_secret:
        raise SlackConfigError(
            "HTTP mode verifies every request with the signing secret: "
            "set ASSISTANT_SLACK__SIGNING_SECRET"
        )
    if slack.mode == "socket" and socket_app_token and not slack.app_token:
        raise SlackConfigError(
            "Socket Mode needs an app-level token (xapp-..., scope connections:write): "
            "set ASSISTANT_SLACK__APP_TOKEN"
        )


def build_slack_app(
    assistant: Assistant, settings: Settings | None = None, client: WebClient | None = None
) -> App:
    """The bolt ``App`` answering mentions, DMs, ``/ask`` and feedback buttons."""
    from slack_bolt import App
    from slack_sdk import WebClient

    settings = settings or assistant.settings
    slack = settings.slack
    require_credentials(slack, socket_app_token=False)
    signing_secret = slack.signing_secret.get_secret_value() if slack.signing_secret else None
    bot_token = slack.bot_token.get_secret_value() if slack.bot_token else None
    if client is None:
        kwargs: dict[str, Any] = {"token": bot_token}
        if slack.api_base_url:
            kwargs["base_url"] = slack.api_base_url.rstrip("/") + "/"
        client = WebClient(**kwargs)
    elif not client.token:
        client.token = bot_token
    bot = SlackBot(assistant, settings)
    app = App(
        client=client,  # carries the bot token
        # Socket Mode requests are not signed; an unguessable secret keeps HTTP closed.
        signing_secret=signing_secret or secrets.token_hex(32),
        request_verification_enabled=True,
        process_before_response=True,  # ack in the request; answers run in lazy listeners
        listener_executor=ThreadPoolExecutor(slack.workers, thread_name_prefix="slack-bot"),
        name="assistant",
    )
    app.use(bot.drop_retries)
    app.event("app_mention")(ack=bot.ack_now, lazy=[bot.on_mention])
    app.event("message")(ack=bot.ack_now, lazy=[bot.on_message])
    app.command("/ask")(ack=bot.ack_command, lazy=[bot.on_command])
    for action_id in (FEEDBACK_UP, FEEDBACK_DOWN):
        app.action(action_id)(ack=bot.on_feedback, lazy=[bot.thank_for_feedback])
    app.bot = bot  # type: ignore[attr-defined]  # for tests and diagnostics
    return app
