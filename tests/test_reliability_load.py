"""Load: 200 questions from 8 concurrent clients through the web page's ``/ask`` API
(gradio_client against a real server on loopback) and through the Slack HTTP endpoint
(signed Events API requests, answers posted to a recording Slack API), with a feedback
click on every Slack answer. Zero errors, every feedback row stored, memory stable.

``scripts/load_test.py`` runs the same with the real embedding model and prints latency
and memory figures.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from assistant.core import Assistant
from assistant.feedback import FeedbackStore
from assistant.index.embeddings import HashingEmbeddings
from assistant.settings import Settings, SlackSettings
from assistant.slack.blocks import ERROR_TEXT, FEEDBACK_DOWN, FEEDBACK_UP
from assistant.slack.bot import build_slack_app
from assistant.slack.server import SlackHTTPServer
from tests.conftest import SAMPLE_CORPUS
from tests.slack_fake_api import BOT_USER, TEAM, FakeSlackAPI, event_body, post

pytestmark = pytest.mark.slow

BOT_TOKEN = "xoxb-load-5521-token-never-logged"
SIGNING_SECRET = "load-signing-secret-never-logged"
SUBJECTS = [
    "the order against Hikvision Canada",
    "the Investment Canada Act review",
    "the Federal Court stay decision",
    "the U.S. Entity List designation",
    "the FCC equipment authorization ban",
    "Hikvision's response to the closure",
    "the minister who announced the order",
    "the national security review",
    "the date of the closure order",
    "the wind-down of the Canadian business",
]
FORMS = [
    "What do the sources say about {}?",
    "Who was responsible for {}?",
    "When did {} happen?",
    "Why was there {}?",
    "Summarise {}.",
    "Which act applies to {}?",
    "What happened after {}?",
    "Which publisher reported {}?",
    "Is there disagreement about {}?",
    "Give the key facts of {}.",
    "What was decided about {}?",
    "How did Hikvision react to {}?",
    "What is the background of {}?",
    "Who commented on {}?",
    "What changed with {}?",
    "Where was {} reported?",
    "What is known about {}?",
    "Explain {} briefly.",
    "What are the consequences of {}?",
    "Who challenged {}?",
]


def questions(n: int = 200) -> list[str]:
    return [f.format(s) for f in FORMS for s in SUBJECTS][:n]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def check_answer(assistant: Assistant, data: dict[str, Any]) -> None:
    numbers = [c["n"] for c in data["citations"]]
    assert numbers == list(range(1, len(numbers) + 1))
    assert {int(m) for m in re.findall(r"\[(\d+)\]", data["answer"])} <= set(numbers)
    for c in data["citations"]:
        assert assistant.index.document_text(c["source"])[c["start"] : c["end"]] == c["quote"]


def run_clients(work: Callable[[str], Any], items: list[str], clients: int) -> dict[str, Any]:
    """Run ``work`` on every item from ``clients`` threads; collect results, errors, latency."""
    latencies: list[float] = []
    errors: list[str] = []
    results: list[Any] = []
    lock = threading.Lock()

    def one(item: str) -> None:
        start = time.perf_counter()
        try:
            result = work(item)
        except Exception as exc:  # noqa: BLE001 - counted and reported
            with lock:
                errors.append(f"{item}: {type(exc).__name__}: {exc}")
            return
        with lock:
            latencies.append(time.perf_counter() - start)
            results.append(result)

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, items))
    latencies.sort()
    return {
        "results": results,
        "errors": errors,
        "wall_s": time.perf_counter() - start,
        "p50_ms": 1000 * latencies[len(latencies) // 2] if latencies else None,
        "p95_ms": 1000 * latencies[int(len(latencies) * 0.95)] if latencies else None,
    }


def web_load(assistant: Assistant, n: int = 200, clients: int = 8) -> dict[str, Any]:
    """Serve the page on loopback and ask ``n`` questions through ``/ask`` with gradio_client."""
    from gradio_client import Client

    from assistant.web.app import launch

    demo, url = launch(assistant, host="127.0.0.1", port=0, prevent_thread_lock=True, quiet=True)
    local = threading.local()

    def ask(question: str) -> dict[str, Any]:
        if not hasattr(local, "client"):
            local.client = Client(url, verbose=False)
        data = local.client.predict(question, [], {}, api_name="/ask")
        check_answer(assistant, data)
        return data

    try:
        ask(questions(1)[0])  # warm-up
        before = rss_mb()
        figures = run_clients(ask, questions(n), clients)
        figures["rss_before_mb"], figures["rss_after_mb"] = before, rss_mb()
    finally:
        demo.close()
    return figures


def _click(url: str, api: FakeSlackAPI, message: dict[str, Any], user: str) -> int:
    actions = next(b for b in message["blocks"] if b["type"] == "actions")
    action_id = FEEDBACK_UP if int(message["ts"].split(".")[0]) % 2 else FEEDBACK_DOWN
    button = next(e for e in actions["elements"] if e["action_id"] == action_id)
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": user, "name": user},
        "api_app_id": "A0TEST",
        "token": "unused",
        "trigger_id": "1.2.3",
        "container": {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": message["channel"],
        },
        "channel": {"id": message["channel"], "name": "general"},
        "message": message,
        "response_url": api.response_url,
        "actions": [
            {**button, "block_id": actions["block_id"], "type": "button", "action_ts": "1.0"}
        ],
    }
    body = urllib.parse.urlencode({"payload": json.dumps(payload)})
    return post(url, body, "application/x-www-form-urlencoded", secret=SIGNING_SECRET)[0]


def slack_load(assistant: Assistant, n: int = 200, clients: int = 8) -> dict[str, Any]:
    """``n`` mentions from ``clients`` threads to the bot's HTTP endpoint, wait for every
    answer, then click a feedback button on each answer from ``clients`` threads."""
    api = FakeSlackAPI().start()
    settings = assistant.settings.model_copy(
        update={
            "slack": SlackSettings(
                bot_token=BOT_TOKEN,
                signing_secret=SIGNING_SECRET,
                api_base_url=api.base_url,
                port=0,
                stream_update_s=0,
            )
        }
    )
    app = build_slack_app(assistant, settings)
    server = SlackHTTPServer(app, "127.0.0.1", 0).start()
    counter = iter(range(10**6))
    lock = threading.Lock()

    def mention(question: str) -> tuple[str, str]:
        with lock:
            i = next(counter)
        channel = f"C{i % clients}"
        message = api.add_user_message(channel, f"<@{BOT_USER}> {question}", f"U{i}", None)
        event = {**message, "type": "app_mention", "channel": channel, "event_ts": message["ts"]}
        status, _ = post(
            server.url, event_body(event, f"Ev{i:05d}"), "application/json", secret=SIGNING_SECRET
        )
        assert status == 200
        return channel, message["ts"]

    def final(channel: str, ts: str) -> dict[str, Any] | None:
        for m in api.thread(channel, ts):
            meta = m.get("metadata") or {}
            if m.get("user") == BOT_USER and meta.get("event_type") == "assistant_answer":
                return {**m, "channel": channel}
        return None

    try:
        before = rss_mb()
        sent = run_clients(mention, questions(n), clients)
        deadline = time.monotonic() + 300
        replies: list[dict[str, Any] | None] = []
        while time.monotonic() < deadline:
            replies = [final(c, ts) for c, ts in sent["results"]]
            if all(replies):
                break
            time.sleep(0.1)
        answered = [r for r in replies if r]
        answered_s = time.perf_counter()
        clicks = run_clients(
            lambda m: _click(server.url, api, m, m["channel"] + m["ts"]), answered, clients
        )
        figures = {
            "errors": sent["errors"] + clicks["errors"],
            "sent": len(sent["results"]),
            "answered": len(answered),
            "click_statuses": sorted(set(clicks["results"])),
            "clicks": len(clicks["results"]),
            "wall_s": sent["wall_s"],
            "click_wall_s": time.perf_counter() - answered_s,
            "rss_before_mb": before,
            "rss_after_mb": rss_mb(),
            "error_replies": [m["text"] for m in answered if m["text"] == ERROR_TEXT],
        }
        deadline = time.monotonic() + 60
        store = FeedbackStore(assistant.settings.feedback_path)
        while time.monotonic() < deadline and len(store.rows()) < figures["clicks"]:
            time.sleep(0.1)
        figures["feedback_rows"] = len(store.rows())
    finally:
        server.shutdown()
        api.stop()
    return figures


def build(root: Path, embeddings: Any = None) -> Assistant:
    shutil.copytree(SAMPLE_CORPUS, root / "corpus")
    settings = Settings(
        corpus_dir=root / "corpus", index_dir=root / "index", feedback_path=root / "fb.sqlite"
    )
    assistant = Assistant(settings, embeddings=embeddings or HashingEmbeddings())
    assert assistant.sync().ok
    return assistant


def test_200_questions_from_8_clients_through_the_web_api(tmp_path: Path) -> None:
    assistant = build(tmp_path)
    figures = web_load(assistant)
    assert figures["errors"] == []
    assert len(figures["results"]) == 200
    # most of the load goes through the whole answer path, not only refusals (these generic
    # template questions, with the fake embedding, are answered 90 times in 200)
    assert sum(not r["refused"] for r in figures["results"]) >= 75
    assert figures["rss_after_mb"] - figures["rss_before_mb"] < 300, figures


def test_200_questions_and_feedback_from_8_clients_through_the_slack_endpoint(
    tmp_path: Path,
) -> None:
    assistant = build(tmp_path)
    figures = slack_load(assistant)
    assert figures["errors"] == []
    assert figures["sent"] == figures["answered"] == 200
    assert figures["click_statuses"] == [200] and figures["clicks"] == 200
    assert figures["feedback_rows"] == 200
    assert figures["error_replies"] == []
    rows = FeedbackStore(assistant.settings.feedback_path).rows()
    assert len({r["user"] for r in rows}) == 200  # one row per click, none lost or doubled
    for row in rows:
        assert BOT_TOKEN not in json.dumps(row) and SIGNING_SECRET not in json.dumps(row)
    assert figures["rss_after_mb"] - figures["rss_before_mb"] < 300, figures
