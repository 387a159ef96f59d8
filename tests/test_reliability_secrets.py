"""Tokens, API keys and passwords never appear in logs, error messages, the feedback store
or reports: every secret setting gets a unique marker value, the assistant is used the
ways a person would, and everything it wrote or printed is grepped for the markers."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import gradio as gr
import pytest

from assistant.core import Assistant
from assistant.feedback import FeedbackStore
from assistant.web.handlers import PageHandlers
from tests.conftest import HIKVISION_QUESTION, CountingEmbeddings, copy_corpus

REPO = Path(__file__).resolve().parent.parent
SECRETS = {
    "ASSISTANT_LLM__API_KEY": "sk-SECRETMARK-api-key-1111",
    "ASSISTANT_WEB__PASSWORD": "SECRETMARK-web-password-2222",
    "ASSISTANT_SLACK__BOT_TOKEN": "xoxb-SECRETMARK-bot-3333",
    "ASSISTANT_SLACK__APP_TOKEN": "xapp-SECRETMARK-app-4444",
    "ASSISTANT_SLACK__SIGNING_SECRET": "SECRETMARK-signing-5555",
}


def leaks(text: str) -> list[str]:
    return [value for value in SECRETS.values() if value in text]


def files_text(folder: Path) -> str:
    """Every file under ``folder`` as text (binary files too: SQLite stores text plainly)."""
    return "\n".join(
        p.read_bytes().decode("utf-8", "replace") for p in folder.rglob("*") if p.is_file()
    )


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for key, value in SECRETS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("ASSISTANT_WEB__USERNAME", "staff")
    monkeypatch.setenv("ASSISTANT_EMBEDDING__FAKE", "1")
    return dict(os.environ)


def cli(env: dict[str, str], *args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_settings_repr_and_dumps_for_feedback_hide_secrets(secret_env: dict[str, str]) -> None:
    from assistant.settings import load_settings
    from assistant.web.handlers import public_settings

    settings = load_settings()
    api_key = settings.llm.api_key.get_secret_value()
    assert api_key == SECRETS["ASSISTANT_LLM__API_KEY"]  # the values are set ...
    assert leaks(repr(settings)) == leaks(str(settings)) == []  # ... and never shown
    assert leaks(str(public_settings(settings))) == []
    assert leaks(str(settings.public_dump())) == [] and leaks(settings.model_dump_json()) == []
    assert settings.public_dump()["slack"]["bot_token"] == "**********"  # set, not shown
    assert sorted(settings.secret_values()) == sorted(SECRETS.values())  # for log redaction


def test_a_misspelled_or_invalid_secret_setting_is_named_without_its_value(
    secret_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**secret_env, "ASSISTANT_SLACK__BOT_TOKN": SECRETS["ASSISTANT_SLACK__BOT_TOKEN"]}
    result = cli(env, "sources", cwd=tmp_path)
    assert result.returncode == 2
    assert "slack.bot_tokn" in result.stderr and "Extra inputs" in result.stderr
    assert leaks(result.stdout + result.stderr) == []
    env = {**secret_env, "ASSISTANT_WEB__PORT": SECRETS["ASSISTANT_WEB__PASSWORD"]}
    result = cli(env, "index", "--rebuild", cwd=tmp_path)
    assert result.returncode == 2 and "web.port" in result.stderr
    assert leaks(result.stdout + result.stderr) == []


def test_cli_output_logs_and_errors_of_a_failing_backend_hold_no_secret(
    secret_env: dict[str, str], tmp_path: Path
) -> None:
    """Index, then ask with the openai backend pointed at a closed port (the key would be
    sent there): the fallback message, JSON answer, debug logs and stderr stay clean."""
    corpus = copy_corpus(tmp_path / "corpus")
    env = {
        **secret_env,
        "ASSISTANT_CORPUS_DIR": str(corpus),
        "ASSISTANT_INDEX_DIR": str(tmp_path / "index"),
        "ASSISTANT_LLM__BASE_URL": "http://127.0.0.1:9/v1",
        "ASSISTANT_LLM__TIMEOUT_S": "2",
    }
    indexed = cli(env, "index", cwd=tmp_path)
    assert indexed.returncode == 0, indexed.stderr
    asked = cli(env, "ask", HIKVISION_QUESTION, "--json", "--mode", "openai", cwd=tmp_path)
    assert asked.returncode == 0, asked.stderr
    assert '"fallback": "model unavailable' in asked.stdout  # the error is reported ...
    assert leaks(indexed.stdout + indexed.stderr + asked.stdout + asked.stderr) == []  # clean
    assert leaks(files_text(tmp_path)) == []  # index, state, BM25: nothing written


def test_in_process_debug_logs_and_answers_hold_no_secret(
    secret_env: dict[str, str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from assistant.settings import load_settings

    caplog.set_level(logging.DEBUG)
    copy_corpus(tmp_path / "corpus")
    settings = load_settings(
        **{"llm.base_url": "http://127.0.0.1:9/v1", "llm.timeout_s": 2, "llm.model": "m"}
    )
    assistant = Assistant(settings, embeddings=CountingEmbeddings())
    assistant.sync()
    answer = assistant.ask(HIKVISION_QUESTION, mode="openai")
    assert answer.metadata["fallback"]
    assert leaks(answer.model_dump_json()) == []
    assert leaks(caplog.text) == []


def test_feedback_rows_and_exports_hold_no_secret(
    secret_env: dict[str, str], tmp_path: Path
) -> None:
    from assistant.settings import load_settings

    copy_corpus(tmp_path / "corpus")
    assistant = Assistant(load_settings(), embeddings=CountingEmbeddings())
    assistant.sync()
    pages = PageHandlers(assistant)
    *_, (_, conv, _, _, _) = pages.respond(HIKVISION_QUESTION, [], None, None, None, None)
    for liked in (True, False):
        pages.on_like(
            conv, "a comment", gr.LikeData(None, {"index": 1, "value": "", "liked": liked})
        )
    store = FeedbackStore(assistant.settings.feedback_path)
    assert len(store.rows()) == 2
    assert leaks(store.path.read_bytes().decode("utf-8", "replace")) == []
    for fmt in ("csv", "jsonl"):
        exported = cli(dict(os.environ), "feedback", "export", "--format", fmt, cwd=tmp_path)
        assert exported.returncode == 0, exported.stderr
        assert "a comment" in exported.stdout and leaks(exported.stdout + exported.stderr) == []


@pytest.mark.slow
def test_evaluation_reports_hold_no_secret(secret_env: dict[str, str], tmp_path: Path) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    env = {**secret_env, "ASSISTANT_CORPUS_DIR": str(corpus)}
    result = cli(
        env,
        "eval",
        "--questions",
        str(REPO / "evals" / "questions.jsonl"),
        "--index-dir",
        str(tmp_path / "index"),
        "--out",
        str(out),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert (out / "report.json").exists() and (out / "report.md").exists()
    assert leaks(files_text(out) + result.stdout + result.stderr) == []
