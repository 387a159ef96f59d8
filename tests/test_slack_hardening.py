"""Slack hardening over real HTTP on loopback: hostile document text in the fallback
``text``, link schemes, malformed and oddly signed requests, replayed slash commands,
and the manifest's history scopes."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
import yaml

from assistant.core import Assistant
from assistant.slack.blocks import escape
from tests.conftest import REPO
from tests.slack_fake_api import BOT_USER, TEAM, event_body, post, sign
from tests.test_slack import SIGNING_SECRET, Bot, start_bot

HOSTILE = (
    "Title: Warehouse notice\n"
    "Publisher: Hostile Example\n"
    "Date: 2025-07-01\n"
    "Source URL: javascript:alert(document.cookie)\n"
    "---\n"
    "The warehouse inspection notice told staff <!channel> <!here> <@U0ADMIN> to read "
    "<https://evil.example/login|the official closure order> before the inspection.\n"
)
RAW_MARKUP = ("<!channel>", "<!here>", "<@U0ADMIN>", "<https://evil", "<javascript:")


@pytest.fixture
def bot(fake_assistant: Assistant) -> Iterator[Bot]:
    api, server, app = start_bot(fake_assistant)
    api.clear()  # bolt's auth.test at start-up
    yield Bot(fake_assistant, api, server, app)
    server.shutdown()
    api.stop()


def _all_texts(message: dict) -> list[str]:
    texts = [message.get("text") or ""]
    for block in message.get("blocks") or []:
        if block.get("text"):
            texts.append(block["text"]["text"])
        texts += [e.get("text", "") for e in block.get("elements", []) if e.get("type") == "mrkdwn"]
    return texts


def test_document_markup_reaches_slack_as_text_not_as_mentions_or_links(bot: Bot) -> None:
    corpus = bot.assistant.settings.corpus_dir
    (corpus / "99_warehouse_notice.txt").write_text(HOSTILE, encoding="utf-8")
    assert bot.assistant.sync().ok
    question = "What did the warehouse inspection notice tell staff to read?"
    answer = bot.assistant.ask(question)
    assert "<!channel>" in answer.answer  # precondition: the answer quotes the notice
    asked = bot.mention("C1", question)
    reply = bot.final_reply("C1", asked["ts"])
    # the top-level text (notifications, clients without blocks) is escaped like the blocks
    assert reply["text"] == escape(answer.answer)
    assert "&lt;!channel&gt;" in reply["text"] and "&lt;@U0ADMIN&gt;" in reply["text"]
    for text in _all_texts(reply):
        for markup in RAW_MARKUP:
            assert markup not in text
    # the javascript: source URL is not linked; the title is still shown
    sources = [t for t in _all_texts(reply) if "Warehouse notice" in t]
    assert sources and all("javascript:" not in t for t in sources)
    # a follow-up in the thread gets the answer back as it was, unescaped, as history
    history = bot.app.bot.thread_history(
        bot.app.client, "C1", asked["ts"], "9999999999.000000", _Context()
    )
    assert {"role": "assistant", "content": answer.answer} in history


class _Context:
    bot_user_id = BOT_USER
    bot_id = None


def _refusals(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "refused" in r.getMessage()]


MALFORMED = {
    "invalid JSON": ("application/json", "{not json"),
    "JSON list": ("application/json", "[1, 2, 3]"),
    "JSON string": ("application/json", '"event_callback"'),
    "form payload that is not JSON": ("application/x-www-form-urlencoded", "payload=%7Bnope"),
    "form payload that is a list": ("application/x-www-form-urlencoded", "payload=%5B1%5D"),
    "authorizations of the wrong type": (
        "application/json",
        json.dumps({"type": "event_callback", "authorizations": "x", "team_id": TEAM}),
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_signed_malformed_body_gets_400_and_one_log_line(
    bot: Bot, case: str, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.INFO)
    content_type, body = MALFORMED[case]
    status, _ = post(bot.url, body, content_type, secret=SIGNING_SECRET)
    assert status == 400
    assert len(_refusals(caplog)) == 1 and "malformed" in _refusals(caplog)[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info]
    assert "Traceback" not in capfd.readouterr().err
    assert bot.api.calls == []


def test_a_signed_non_utf8_body_gets_400(bot: Bot, capfd: pytest.CaptureFixture[str]) -> None:
    ts = str(int(time.time()))
    raw = b'{"type": "\xff\xfe"}'
    base = b"v0:" + ts.encode() + b":" + raw
    signature = "v0=" + hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        bot.url,
        data=raw,
        headers={
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature,
        },
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=10)
    assert error.value.code == 400
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize("timestamp", ["abc", "", "1e9", "-5", "12.5"])
def test_a_non_numeric_timestamp_gets_401_and_one_log_line(
    bot: Bot, timestamp: str, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.INFO)
    message = bot.api.add_user_message("C1", f"<@{BOT_USER}> hello")
    body = event_body({**message, "type": "app_mention", "channel": "C1"}, "EvTS")
    status, _ = post(
        bot.url,
        body,
        "application/json",
        headers={
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": sign(SIGNING_SECRET, timestamp, body),
        },
    )
    assert status == 401
    assert len(_refusals(caplog)) == 1
    assert not [r for r in caplog.records if r.exc_info]
    assert "Traceback" not in capfd.readouterr().err
    assert bot.api.calls == []


def _command(text: str, trigger_id: str | None) -> str:
    fields = {
        "token": "unused",
        "team_id": TEAM,
        "channel_id": "C2",
        "user_id": "U2",
        "command": "/ask",
        "text": text,
        "response_url": "",
        "api_app_id": "A0TEST",
    }
    if trigger_id:
        fields["trigger_id"] = trigger_id
    return urllib.parse.urlencode(fields)


@pytest.mark.parametrize("trigger_id", ["13.42.abc", None], ids=["trigger_id", "body_hash"])
def test_a_replayed_slash_command_is_answered_once(bot: Bot, trigger_id: str | None) -> None:
    question = "Who ordered the closure of Hikvision Canada?"
    body = _command(question, trigger_id)
    ts = int(time.time())
    form = "application/x-www-form-urlencoded"
    for _ in range(3):  # the captured request, replayed as is within its 5 minutes
        assert post(bot.url, body, form, secret=SIGNING_SECRET, timestamp=ts)[0] == 200
    # a later, different command is answered: by then the replays would have been too
    other = _command("Under which act?", f"{trigger_id}-2" if trigger_id else None)
    assert post(bot.url, other, form, secret=SIGNING_SECRET)[0] == 200

    def asked(q: str) -> list[dict]:
        return [m for m in bot.api.messages.get("C2", []) if m["text"].endswith(f"asked: {q}")]

    parent = bot.api.wait_for(lambda: asked("Under which act?"))[0]
    bot.final_reply("C2", parent["ts"])
    first = asked(question)
    assert len(first) == 1
    bot.final_reply("C2", first[0]["ts"])
    answers = [m for m in bot.api.thread("C2", first[0]["ts"]) if m.get("metadata")]
    assert len([m for m in answers if m["metadata"]["event_type"] == "assistant_answer"]) == 1


def _manifest() -> dict:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(display_information:.*?)```", readme, re.S)
    assert block, "the README's Slack app manifest"
    return yaml.safe_load(block.group(1))


def test_the_manifest_can_read_thread_history_in_every_kind_of_conversation() -> None:
    """conversations.replies needs the history scope of the conversation's kind; without
    mpim:history a follow-up in a group DM silently lost its history."""
    scopes = set(_manifest()["oauth_config"]["scopes"]["bot"])
    assert {"channels:history", "groups:history", "im:history", "mpim:history"} <= scopes
    events = set(_manifest()["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_mention", "message.im"} <= events
