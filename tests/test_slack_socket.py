"""Socket Mode: the bot connects to a loopback WebSocket server that plays Slack's part."""

from __future__ import annotations

import json
import logging
import queue
import threading

import pytest

from assistant.core import Assistant
from assistant.settings import SlackSettings
from assistant.slack.bot import SlackConfigError, build_slack_app
from assistant.slack.server import socket_mode_handler
from tests.conftest import HIKVISION_QUESTION
from tests.slack_fake_api import BOT_USER, FakeSlackAPI, event_body

APP_TOKEN = "xapp-1-test-app-token-do-not-log"
BOT_TOKEN = "xoxb-socket-bot-token-do-not-log"


def test_socket_mode_acknowledges_and_answers_a_mention(
    fake_assistant: Assistant, caplog: pytest.LogCaptureFixture
) -> None:
    ws_server = pytest.importorskip("websockets.sync.server")
    caplog.set_level(logging.DEBUG)
    api = FakeSlackAPI().start()
    message = api.add_user_message("C1", f"<@{BOT_USER}> {HIKVISION_QUESTION}")
    event = {**message, "type": "app_mention", "channel": "C1", "event_ts": message["ts"]}
    envelope = {
        "envelope_id": "env-1",
        "type": "events_api",
        "accepts_response_payload": False,
        "retry_attempt": 0,
        "retry_reason": "",
        "payload": json.loads(event_body(event, "EvSock1")),
    }
    received: queue.Queue[dict] = queue.Queue()

    def slack_side(connection) -> None:  # noqa: ANN001
        connection.send(json.dumps({"type": "hello", "num_connections": 1}))
        connection.send(json.dumps(envelope))
        for raw in connection:
            received.put(json.loads(raw))

    server = ws_server.serve(slack_side, "127.0.0.1", 0, compression=None)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    api.socket_url = f"ws://127.0.0.1:{server.socket.getsockname()[1]}/"
    settings = fake_assistant.settings.model_copy(
        update={
            "slack": SlackSettings(
                mode="socket", bot_token=BOT_TOKEN, app_token=APP_TOKEN, api_base_url=api.base_url
            )
        }
    )
    handler = socket_mode_handler(build_slack_app(fake_assistant, settings), settings.slack)
    try:
        handler.connect()
        assert received.get(timeout=20)["envelope_id"] == "env-1"  # acknowledged
        reply = api.wait_for(
            lambda: [
                m
                for m in api.thread("C1", message["ts"])
                if (m.get("metadata") or {}).get("event_type") == "assistant_answer"
            ]
        )[0]
    finally:
        handler.close()
        server.shutdown()
        api.stop()
    assert reply["text"] == fake_assistant.ask(HIKVISION_QUESTION).answer
    opened = api.calls_to("apps.connections.open")
    assert opened  # the app token went only to apps.connections.open ...
    assert APP_TOKEN not in caplog.text and BOT_TOKEN not in caplog.text  # ... never to the logs


def test_socket_mode_without_an_app_token_names_the_setting() -> None:
    settings = SlackSettings(mode="socket", bot_token=BOT_TOKEN)
    with pytest.raises(SlackConfigError, match="ASSISTANT_SLACK__APP_TOKEN"):
        socket_mode_handler(object(), settings)  # type: ignore[arg-type]
