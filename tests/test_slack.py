"""The Slack bot over real HTTP on loopback: signed Events API requests in, recorded Web API out."""

from __future__ import annotations

import json
import logging
import re
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from assistant.answer.citations import REFUSAL_TEXT
from assistant.core import Assistant
from assistant.feedback import FeedbackStore
from assistant.settings import SlackSettings
from assistant.slack.blocks import FEEDBACK_DOWN, FEEDBACK_UP, PLACEHOLDER_TEXT
from assistant.slack.bot import SlackConfigError, build_slack_app
from assistant.slack.server import SlackHTTPServer
from tests.conftest import HIKVISION_QUESTION
from tests.slack_fake_api import BOT_USER, TEAM, FakeSlackAPI, event_body, post

BOT_TOKEN = "xoxb-test-7391-bot-token-do-not-log"
SIGNING_SECRET = "3f9c-test-signing-secret-do-not-log"
UNANSWERABLE = "What is the recommended baking temperature for sourdough bread?"


@dataclass
class Bot:
    assistant: Assistant
    api: FakeSlackAPI
    server: SlackHTTPServer
    app: Any
    _n: int = 0

    @property
    def url(self) -> str:
        return self.server.url

    def send_event(self, event: dict[str, Any], event_id: str | None = None, **kw: Any):
        self._n += 1
        body = event_body(event, event_id or f"Ev{self._n:04d}")
        return post(self.url, body, "application/json", secret=SIGNING_SECRET, **kw)

    def mention(self, channel: str, text: str, thread_ts: str | None = None, user: str = "U1"):
        """A person writes a message mentioning the bot; Slack sends app_mention."""
        message = self.api.add_user_message(channel, f"<@{BOT_USER}> {text}", user, thread_ts)
        event = {**message, "type": "app_mention", "channel": channel, "event_ts": message["ts"]}
        status, _ = self.send_event(event)
        assert status == 200
        return message

    def dm(self, text: str, channel: str = "D1", thread_ts: str | None = None):
        message = self.api.add_user_message(channel, text, "U1", thread_ts)
        event = {**message, "channel": channel, "channel_type": "im"}
        status, _ = self.send_event(event)
        assert status == 200
        return message

    def final_reply(self, channel: str, thread_ts: str) -> dict[str, Any]:
        """Wait until the thread holds the bot's finished answer (not the working message)."""

        def done() -> dict[str, Any] | None:
            for message in self.api.thread(channel, thread_ts):
                meta = message.get("metadata") or {}
                if message.get("user") == BOT_USER and meta.get("event_type") == "assistant_answer":
                    return message
            return None

        return self.api.wait_for(done)


def start_bot(assistant: Assistant, **slack: Any) -> tuple[FakeSlackAPI, SlackHTTPServer, Any]:
    api = FakeSlackAPI().start()
    settings = assistant.settings.model_copy(
        update={
            "slack": SlackSettings(
                mode="http",
                bot_token=BOT_TOKEN,
                signing_secret=SIGNING_SECRET,
                api_base_url=api.base_url,
                host="127.0.0.1",
                port=0,
                **slack,
            )
        }
    )
    app = build_slack_app(assistant, settings)
    server = SlackHTTPServer(app, settings.slack.host, settings.slack.port).start()
    return api, server, app


@pytest.fixture
def bot(fake_assistant: Assistant) -> Iterator[Bot]:
    api, server, app = start_bot(fake_assistant, channel_policy={"CQUIET": "silent"})
    yield Bot(fake_assistant, api, server, app)
    server.shutdown()
    api.stop()


def section_texts(blocks: list[dict[str, Any]]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


def assert_cited_blocks(message: dict[str, Any], expected_text: str) -> None:
    """Answer section first, then one numbered source per [n] in the answer, same numbers."""
    texts = section_texts(message["blocks"])
    assert message["text"] == expected_text
    assert texts[0] == expected_text.replace("&", "&amp;").replace("<", "&lt;")
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", expected_text)}
    listed = {int(m.group(1)) for t in texts[1:] if (m := re.match(r"\*\[(\d+)\]\*", t))}
    assert cited and cited == listed
    for text in texts[1:]:
        if text.startswith("*["):
            assert "\n> " in text  # the quoted passage


def test_mention_is_answered_in_its_thread_with_numbered_sources(bot: Bot) -> None:
    question = bot.mention("C1", HIKVISION_QUESTION)
    reply = bot.final_reply("C1", question["ts"])
    expected = bot.assistant.ask(HIKVISION_QUESTION)
    assert not expected.refused
    assert_cited_blocks(reply, expected.answer)
    # the working message came first, in the thread, and was replaced by the answer
    first_post = bot.api.calls_to("chat.postMessage")[0]
    assert first_post["thread_ts"] == question["ts"] and first_post["text"] == PLACEHOLDER_TEXT
    updates = [u for u in bot.api.calls_to("chat.update") if u["ts"] == reply["ts"]]
    assert updates and updates[-1]["text"] == expected.answer
    # sources carry title, publisher and date of the cited documents
    sources = "\n".join(section_texts(reply["blocks"])[1:])
    for citation in expected.citations:
        assert (citation.title or citation.source) in sources.replace("&amp;", "&")
        if citation.publisher:
            assert citation.publisher in sources.replace("&amp;", "&")
    # feedback buttons are attached
    actions = [b for b in reply["blocks"] if b["type"] == "actions"]
    assert {e["action_id"] for e in actions[0]["elements"]} == {FEEDBACK_UP, FEEDBACK_DOWN}


def test_direct_message_is_answered_in_its_thread(bot: Bot) -> None:
    question = bot.dm("Which company was ordered to cease operations in Canada?")
    reply = bot.final_reply("D1", question["ts"])
    expected = bot.assistant.ask("Which company was ordered to cease operations in Canada?")
    assert_cited_blocks(reply, expected.answer)


def test_follow_up_in_the_thread_uses_the_thread_as_history(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[list[dict[str, str]]] = []
    real_stream = bot.assistant.stream

    def spy(question: str, history: Any = None, **kw: Any):
        seen.append([dict(t) for t in history or []])
        return real_stream(question, history=history, **kw)

    monkeypatch.setattr(bot.assistant, "stream", spy)
    first = bot.mention("C1", HIKVISION_QUESTION)
    first_reply = bot.final_reply("C1", first["ts"])
    follow = bot.mention("C1", "and under which act?", thread_ts=first["ts"])

    def follow_up_answer() -> dict[str, Any] | None:
        answers = [
            m
            for m in bot.api.thread("C1", first["ts"])
            if (m.get("metadata") or {}).get("event_type") == "assistant_answer"
            and m["ts"] != first_reply["ts"]
        ]
        return answers[0] if answers else None

    reply = bot.api.wait_for(follow_up_answer)
    history = [
        {"role": "user", "content": HIKVISION_QUESTION},
        {"role": "assistant", "content": first_reply["text"]},
    ]
    assert seen[-1] == history  # earlier question and answer, not the working message
    expected = bot.assistant.ask("and under which act?", history=history)
    assert reply["thread_ts"] == first["ts"] and follow["thread_ts"] == first["ts"]
    assert_cited_blocks(reply, expected.answer)


def test_retried_event_is_answered_once(bot: Bot) -> None:
    message = bot.api.add_user_message("C1", f"<@{BOT_USER}> {HIKVISION_QUESTION}")
    event = {**message, "type": "app_mention", "channel": "C1", "event_ts": message["ts"]}
    assert bot.send_event(event, event_id="EvRETRY")[0] == 200
    bot.final_reply("C1", message["ts"])
    # Slack retries with the same event id and a retry header; the same message can also
    # arrive as a second event (message.im and app_mention): both are acknowledged only.
    retry = bot.send_event(
        event, event_id="EvRETRY", headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "x"}
    )
    assert retry[0] == 200
    assert bot.send_event(event, event_id="EvOTHER")[0] == 200
    marker = bot.dm("Who is Hikvision?", channel="D9")
    bot.final_reply("D9", marker["ts"])
    posts = [p for p in bot.api.calls_to("chat.postMessage") if p["channel"] == "C1"]
    assert len(posts) == 1


def test_bot_messages_and_own_messages_are_ignored(bot: Bot) -> None:
    other = {
        "type": "message",
        "channel": "D1",
        "channel_type": "im",
        "subtype": "bot_message",
        "bot_id": "BOTHER",
        "text": HIKVISION_QUESTION,
        "ts": "1750000999.000100",
    }
    own = {
        "type": "message",
        "channel": "D1",
        "channel_type": "im",
        "user": BOT_USER,
        "bot_id": "BBOT",
        "text": HIKVISION_QUESTION,
        "ts": "1750000998.000100",
    }
    edited = {
        "type": "message",
        "channel": "D1",
        "channel_type": "im",
        "subtype": "message_changed",
        "ts": "1750000997.000100",
        "message": {"user": "U1", "text": HIKVISION_QUESTION},
    }
    for event in (other, own, edited):
        assert bot.send_event(event)[0] == 200
    marker = bot.dm("Who is Hikvision?", channel="D9")
    bot.final_reply("D9", marker["ts"])
    assert [p for p in bot.api.calls_to("chat.postMessage") if p["channel"] == "D1"] == []


def command_body(text: str, channel: str = "C2", user: str = "U2", response_url: str = "") -> str:
    return urllib.parse.urlencode(
        {
            "token": "unused",
            "team_id": TEAM,
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": "ann",
            "command": "/ask",
            "text": text,
            "response_url": response_url,
            "trigger_id": "1.2.3",
            "api_app_id": "A0TEST",
        }
    )


def test_slash_command_posts_the_question_and_answers_in_its_thread(bot: Bot) -> None:
    status, _ = post(
        bot.url,
        command_body(HIKVISION_QUESTION),
        "application/x-www-form-urlencoded",
        secret=SIGNING_SECRET,
    )
    assert status == 200
    parent = bot.api.wait_for(
        lambda: [m for m in bot.api.messages.get("C2", []) if "asked:" in m["text"]]
    )[0]
    assert "<@U2>" in parent["text"] and "thread_ts" not in parent
    reply = bot.final_reply("C2", parent["ts"])
    assert_cited_blocks(reply, bot.assistant.ask(HIKVISION_QUESTION).answer)


def test_slash_command_without_a_question_shows_usage(bot: Bot) -> None:
    status, text = post(
        bot.url, command_body("  "), "application/x-www-form-urlencoded", secret=SIGNING_SECRET
    )
    assert status == 200 and "Usage" in text
    assert bot.api.calls_to("chat.postMessage") == []


def test_slash_command_where_the_bot_cannot_post_answers_privately(bot: Bot) -> None:
    bot.api.fail["chat.postMessage"] = "not_in_channel"
    body = command_body(HIKVISION_QUESTION, response_url=bot.api.response_url)
    assert post(bot.url, body, "application/x-www-form-urlencoded", secret=SIGNING_SECRET)[0] == 200
    response = bot.api.wait_for(lambda: bot.api.calls_to("response_url"))[0]
    assert response["response_type"] == "ephemeral"
    assert_cited_blocks(response, bot.assistant.ask(HIKVISION_QUESTION).answer)


def click(bot: Bot, message: dict[str, Any], action_id: str, user: str = "U9") -> int:
    actions = next(b for b in message["blocks"] if b["type"] == "actions")
    button = next(e for e in actions["elements"] if e["action_id"] == action_id)
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": user, "name": "zoe"},
        "api_app_id": "A0TEST",
        "token": "unused",
        "trigger_id": "1.2.3",
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": "C1"},
        "channel": {"id": "C1", "name": "general"},
        "message": message,
        "response_url": bot.api.response_url,
        "actions": [
            {
                **button,
                "block_id": actions["block_id"],
                "type": "button",
                "action_ts": str(time.time()),
            }
        ],
    }
    body = urllib.parse.urlencode({"payload": json.dumps(payload)})
    return post(bot.url, body, "application/x-www-form-urlencoded", secret=SIGNING_SECRET)[0]


def test_feedback_buttons_record_rows_in_the_shared_store(bot: Bot) -> None:
    question = bot.mention("C1", HIKVISION_QUESTION)
    reply = bot.final_reply("C1", question["ts"])
    assert click(bot, reply, FEEDBACK_UP) == 200
    # after a restart the bot no longer remembers the answer: the message itself suffices
    bot.app.bot.answers._answers.clear()
    assert click(bot, reply, FEEDBACK_DOWN, user="U8") == 200
    rows = FeedbackStore(bot.assistant.settings.feedback_path).rows()
    assert [(r["rating"], r["user"], r["channel"]) for r in rows] == [
        ("up", "U9", "slack"),
        ("down", "U8", "slack"),
    ]
    for row in rows:
        assert row["question"] == HIKVISION_QUESTION
        assert row["answer"] == reply["text"]
        cited = {c["n"] for c in json.loads(row["citations"])}
        assert cited == {int(n) for n in re.findall(r"\[(\d+)\]", reply["text"])}
        assert json.loads(row["settings"])["slack_channel"] == "C1"
    assert rows[0]["answer_id"] == rows[1]["answer_id"]
    bot.api.wait_for(lambda: len(bot.api.calls_to("chat.postEphemeral")) == 2)


def test_unsupported_question_says_so_or_stays_silent_by_channel(bot: Bot) -> None:
    assert bot.assistant.ask(UNANSWERABLE).refused  # precondition of this test
    loud = bot.mention("C1", UNANSWERABLE)
    reply = bot.final_reply("C1", loud["ts"])
    assert reply["text"].startswith(REFUSAL_TEXT[:-1])
    assert not [b for b in reply["blocks"] if b["type"] == "section"][1:]  # no sources
    quiet = bot.mention("CQUIET", UNANSWERABLE)
    # the working sign in a silent channel is a reaction on the question, removed at the end
    removed = bot.api.wait_for(lambda: bot.api.calls_to("reactions.remove"))
    added = bot.api.calls_to("reactions.add")
    assert added[0]["timestamp"] == quiet["ts"] == removed[0]["timestamp"]
    assert [p for p in bot.api.calls_to("chat.postMessage") if p["channel"] == "CQUIET"] == []
    # a supported question in the silent channel is answered as usual
    answered = bot.mention("CQUIET", HIKVISION_QUESTION)
    assert_cited_blocks(
        bot.final_reply("CQUIET", answered["ts"]), bot.assistant.ask(HIKVISION_QUESTION).answer
    )


def test_burst_of_mentions_is_acknowledged_and_all_answered(bot: Bot) -> None:
    questions = [bot.mention(f"CB{i}", HIKVISION_QUESTION) for i in range(12)]
    for i, question in enumerate(questions):
        reply = bot.final_reply(f"CB{i}", question["ts"])
        assert reply["thread_ts"] == question["ts"]


@pytest.mark.parametrize(
    "case", ["forged", "missing_headers", "stale", "tampered_body", "empty_secret"]
)
def test_unverified_requests_are_rejected_without_any_web_api_call(bot: Bot, case: str) -> None:
    bot.api.clear()
    message = bot.api.add_user_message("C1", f"<@{BOT_USER}> {HIKVISION_QUESTION}")
    body = event_body({**message, "type": "app_mention", "channel": "C1"}, "EvBAD")
    if case == "forged":
        status, _ = post(bot.url, body, "application/json", secret="not-the-secret")
    elif case == "missing_headers":
        status, _ = post(bot.url, body, "application/json")
    elif case == "stale":
        status, _ = post(
            bot.url,
            body,
            "application/json",
            secret=SIGNING_SECRET,
            timestamp=int(time.time()) - 6 * 60,
        )
    elif case == "empty_secret":
        status, _ = post(bot.url, body, "application/json", secret="")
    else:
        signed_ts = str(int(time.time()))
        from tests.slack_fake_api import sign

        status, _ = post(
            bot.url,
            body.replace("Hikvision", "Huawei"),
            "application/json",
            headers={
                "X-Slack-Request-Timestamp": signed_ts,
                "X-Slack-Signature": sign(SIGNING_SECRET, signed_ts, body),
            },
        )
    assert status in (401, 403)
    assert bot.api.calls == []
    # the same event, properly signed, is then answered (the rejected one was not recorded)
    assert bot.send_event({**message, "type": "app_mention", "channel": "C1"}, "EvBAD")[0] == 200
    bot.final_reply("C1", message["ts"])
    assert {m for m, _ in bot.api.calls} <= {"chat.postMessage", "chat.update"}


def test_url_verification_needs_a_signature(bot: Bot) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "unused"})
    status, text = post(bot.url, body, "application/json", secret=SIGNING_SECRET)
    assert status == 200 and "c-123" in text
    assert post(bot.url, body, "application/json")[0] == 401


def test_secrets_never_appear_in_logs(
    fake_assistant: Assistant, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api, server, app = start_bot(fake_assistant)
    try:
        b = Bot(fake_assistant, api, server, app)
        question = b.mention("C1", HIKVISION_QUESTION)
        reply = b.final_reply("C1", question["ts"])
        click(b, reply, FEEDBACK_UP)
        post(b.url, "{}", "application/json", secret="forged")
        b.api.wait_for(lambda: b.api.calls_to("chat.postEphemeral"))
    finally:
        server.shutdown()
        api.stop()
    assert "chat.postMessage" in caplog.text  # the Web API calls were logged (DEBUG) ...
    assert BOT_TOKEN not in caplog.text and SIGNING_SECRET not in caplog.text  # ... no secrets
    assert BOT_TOKEN not in repr(app.bot.settings) and SIGNING_SECRET not in str(app.bot.settings)


def test_missing_credentials_are_named(fake_assistant: Assistant) -> None:
    base = fake_assistant.settings
    no_secret = base.model_copy(update={"slack": SlackSettings(bot_token=BOT_TOKEN)})
    with pytest.raises(SlackConfigError, match="ASSISTANT_SLACK__SIGNING_SECRET"):
        build_slack_app(fake_assistant, no_secret)
    no_token = base.model_copy(update={"slack": SlackSettings(signing_secret=SIGNING_SECRET)})
    with pytest.raises(SlackConfigError, match="ASSISTANT_SLACK__BOT_TOKEN"):
        build_slack_app(fake_assistant, no_token)


@pytest.mark.slow
def test_real_model_answers_the_hikvision_question_through_slack(real_assistant: Assistant) -> None:
    api, server, app = start_bot(real_assistant)
    try:
        b = Bot(real_assistant, api, server, app)
        question = b.mention("C1", HIKVISION_QUESTION)
        reply = b.final_reply("C1", question["ts"])
        follow = b.mention("C1", "and under which act?", thread_ts=question["ts"])
        follow_reply = b.api.wait_for(
            lambda: [
                m
                for m in b.api.thread("C1", question["ts"])
                if (m.get("metadata") or {}).get("event_type") == "assistant_answer"
                and float(m["ts"]) > float(follow["ts"])
            ]
        )[0]
    finally:
        server.shutdown()
        api.stop()
    expected = real_assistant.ask(HIKVISION_QUESTION)
    assert not expected.refused
    assert_cited_blocks(reply, expected.answer)
    blocks_text = " ".join(section_texts(reply["blocks"]))
    assert "Investment Canada Act" in blocks_text
    assert "Investment Canada Act" in " ".join(section_texts(follow_reply["blocks"]))


def test_streamed_text_is_shown_then_replaced_by_the_final_answer(
    fake_assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    final = fake_assistant.ask(HIKVISION_QUESTION)

    def stream(question: str, history: Any = None, **kw: Any):
        yield "Partial answer "
        yield "still streaming"
        yield final

    monkeypatch.setattr(fake_assistant, "stream", stream)
    api, server, app = start_bot(fake_assistant, stream_update_s=1e-9)
    try:
        b = Bot(fake_assistant, api, server, app)
        question = b.mention("C1", HIKVISION_QUESTION)
        reply = b.final_reply("C1", question["ts"])
    finally:
        server.shutdown()
        api.stop()
    texts = [u["text"] for u in api.calls_to("chat.update") if u["ts"] == reply["ts"]]
    assert texts == ["Partial answer ", "Partial answer still streaming", final.answer]
    assert_cited_blocks(reply, final.answer)


def test_a_failing_answer_replaces_the_working_message_with_an_apology(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kw: Any):
        raise RuntimeError("index unavailable")

    monkeypatch.setattr(bot.assistant, "stream", broken)
    question = bot.mention("C1", HIKVISION_QUESTION)
    update = bot.api.wait_for(lambda: bot.api.calls_to("chat.update"))[0]
    assert "went wrong" in update["text"]
    assert [m["ts"] for m in bot.api.thread("C1", question["ts"])] == [update["ts"]]


def test_a_mention_without_a_question_gets_a_hint(bot: Bot) -> None:
    question = bot.mention("C1", "")
    hint = bot.api.wait_for(lambda: bot.api.thread("C1", question["ts"]))[0]
    assert "Ask me a question" in hint["text"]


def test_channel_policy_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.settings import load_settings

    monkeypatch.setenv("ASSISTANT_SLACK__CHANNEL_POLICY", '{"C0QUIET": "silent"}')
    monkeypatch.setenv("ASSISTANT_SLACK__SIGNING_SECRET", SIGNING_SECRET)
    settings = load_settings()
    assert settings.slack.channel_policy == {"C0QUIET": "silent"}
    assert settings.slack.default_policy == "say_so"
    assert SIGNING_SECRET not in repr(settings)
    monkeypatch.setenv("ASSISTANT_SLACK__CHANNEL_POLICY", '{"C0QUIET": "mute"}')
    with pytest.raises(ValueError, match="say_so"):
        load_settings()
