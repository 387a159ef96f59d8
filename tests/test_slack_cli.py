"""``assistant slack`` as a user runs it: indexes a fresh corpus, then serves signed events."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import HIKVISION_QUESTION
from tests.slack_fake_api import BOT_USER, FakeSlackAPI, event_body, post

REPO = Path(__file__).resolve().parent.parent
BOT_TOKEN = "xoxb-cli-bot-token-do-not-log"
SIGNING_SECRET = "cli-signing-secret-do-not-log"


@pytest.mark.slow
def test_slack_command_indexes_then_answers_over_http(corpus_dir: Path, tmp_path: Path) -> None:
    api = FakeSlackAPI().start()
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        # Slack's own variable names work as well as ASSISTANT_SLACK__*
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "ASSISTANT_SLACK__API_BASE_URL": api.base_url,
    }
    command = [
        sys.executable, "-m", "assistant.cli", "slack", "--mode", "http", "--port", "0",
        "--corpus", str(corpus_dir), "--index-dir", str(tmp_path / "cli-index"), "--verbose",
    ]  # fmt: skip
    proc = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: queue.Queue[str] = queue.Queue()
    output: list[str] = []

    def pump() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            output.append(line)
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    try:
        url = None
        while url is None:
            line = lines.get(timeout=180)
            match = re.search(r"listening on (http://\S+/slack/events)", line)
            url = match.group(1) if match else None
        assert (tmp_path / "cli-index" / "state.sqlite").exists()  # indexed before serving
        message = api.add_user_message("C1", f"<@{BOT_USER}> {HIKVISION_QUESTION}")
        event = {**message, "type": "app_mention", "channel": "C1", "event_ts": message["ts"]}
        assert post(url, event_body(event, "EvCli1"), "application/json", SIGNING_SECRET)[0] == 200
        assert post(url, event_body(event, "EvCli2"), "application/json", "forged")[0] == 401
        reply = api.wait_for(
            lambda: [
                m
                for m in api.thread("C1", message["ts"])
                if (m.get("metadata") or {}).get("event_type") == "assistant_answer"
            ],
            timeout=60,
        )[0]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        api.stop()
    assert "Investment Canada Act" in reply["text"]
    log = "".join(output)
    assert "chat.postMessage" in log  # debug logging was on ...
    assert BOT_TOKEN not in log and SIGNING_SECRET not in log  # ... and shows no secret
