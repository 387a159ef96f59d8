"""What the page's controls do, called directly (fake embedding, no server)."""

from __future__ import annotations

import csv
import io
import json
from html import unescape
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.core import Assistant
from assistant.feedback import FeedbackStore
from assistant.web.handlers import PageHandlers, public_settings
from tests.conftest import HIKVISION_QUESTION


def _ask(pages: PageHandlers, question: str, conv: list | None = None, **filters: Any) -> list:
    steps = list(
        pages.respond(
            question,
            conv or [],
            filters.get("sources"),
            filters.get("publishers"),
            filters.get("date_from"),
            filters.get("date_to"),
        )
    )
    messages, conv, box, panel, feedback_row = steps[-1]
    assert box == ""  # the question box is cleared
    # the feedback comment appears once the conversation has an answer, not before
    assert feedback_row["visible"] is any(t.get("answer") for t in conv)
    assert all(step[4] is gr.skip() or step[4] == gr.skip() for step in steps[:-1])
    return [messages, conv, panel, steps]


def no_progress(*args: object, **kwargs: object) -> None:
    return None


def test_answer_streams_then_shows_clickable_citations(fake_assistant: Assistant) -> None:
    pages = PageHandlers(fake_assistant)
    messages, conv, panel, steps = _ask(pages, HIKVISION_QUESTION)
    assert len(steps) >= 3  # placeholder, streamed text, final answer
    assert 'class="typing"' in steps[0][0][-1]["content"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    answer = conv[0]["answer"]
    assert answer["citations"]
    for c in answer["citations"]:
        assert f'href="#cite-0-{c["n"]}"' in messages[1]["content"]
        assert f'href="#cite-0-{c["n"]}"' in panel


def test_clicked_citation_shows_the_passage_in_context(fake_assistant: Assistant) -> None:
    pages = PageHandlers(fake_assistant)
    _, conv, _, _ = _ask(pages, HIKVISION_QUESTION)
    first = conv[0]["answer"]["citations"][0]
    html = pages.show_citation(conv, gr.EventData(None, {"cite": "#cite-0-1@17"}))
    assert '<mark class="quote">' in html
    doc = fake_assistant.index.document_text(first["source"])
    assert doc[first["start"] : first["end"]] == first["quote"]
    assert first["quote"] in unescape(html)
    assert (first["title"] or first["source"]) in unescape(html)


def test_follow_up_question_gets_the_conversation(
    fake_assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = PageHandlers(fake_assistant)
    seen: list[Any] = []
    real_stream = fake_assistant.stream

    def spy(question: str, history: Any = None, filters: Any = None, **kw: Any):  # noqa: ANN202
        seen.append(history)
        return real_stream(question, history=history, filters=filters, **kw)

    monkeypatch.setattr(fake_assistant, "stream", spy)
    _, conv, _, _ = _ask(pages, "Who ordered Hikvision Canada to close?")
    messages, conv, _, _ = _ask(pages, "Under which act?", conv)
    assert seen[1] == [
        {"role": "user", "content": "Who ordered Hikvision Canada to close?"},
        {"role": "assistant", "content": conv[0]["answer"]["answer"]},
    ]
    assert len(messages) == 4 and 'href="#cite-1-' in messages[3]["content"]
    fresh = pages.new_conversation()
    assert fresh[0] == [] and fresh[1] == []
    assert fresh[-1]["visible"] is False  # no feedback box without an answer


def test_filters_restrict_the_cited_sources(fake_assistant: Assistant) -> None:
    pages = PageHandlers(fake_assistant)
    only = "13_federal_court_2025FC1527_stay_decision_2025-09-22.txt"
    _, conv, _, _ = _ask(pages, HIKVISION_QUESTION, sources=[only])
    assert {c["source"] for c in conv[0]["answer"]["citations"]} == {only}
    _, conv, _, _ = _ask(pages, HIKVISION_QUESTION, publishers=["Federal Court"])
    assert {c["publisher"] for c in conv[0]["answer"]["citations"]} == {"Federal Court of Canada"}
    _, conv, _, _ = _ask(pages, HIKVISION_QUESTION, date_from="2025-09", date_to="2025-12")
    assert all(c["date"].startswith("2025-09") for c in conv[0]["answer"]["citations"])


def test_bad_filter_is_shown_in_the_chat(fake_assistant: Assistant) -> None:
    pages = PageHandlers(fake_assistant)
    messages, conv, _, _ = _ask(pages, HIKVISION_QUESTION, date_from="last week")
    assert conv[0]["answer"] is None and "last week" in conv[0]["error"]
    assert "is not a date" in messages[1]["content"]


def test_thumbs_store_feedback_with_comment_and_settings_without_secrets(
    fake_assistant: Assistant,
) -> None:
    fake_assistant.settings.web.password = SecretStr("hunter2")
    fake_assistant.settings.web.username = "staff"
    pages = PageHandlers(fake_assistant)
    _, conv, _, _ = _ask(pages, HIKVISION_QUESTION)
    like = gr.LikeData(None, {"index": 1, "value": "...", "liked": False})
    status, comment = pages.on_like(conv, "  Misses the act's name. ", like)
    assert "not helpful" in status and comment == ""
    rows = FeedbackStore(fake_assistant.settings.feedback_path).rows()
    assert len(rows) == 1
    row = rows[0]
    assert (row["rating"], row["channel"]) == ("down", "web")
    assert row["comment"] == "Misses the act's name."
    assert row["question"] == HIKVISION_QUESTION
    assert row["answer"] == conv[0]["answer"]["answer"]
    assert json.loads(row["citations"]) == conv[0]["answer"]["citations"]
    stored = json.loads(row["settings"])
    assert stored["retrieval"]["k"] == fake_assistant.settings.retrieval.k
    assert "hunter2" not in row["settings"] and stored["web"]["username"] == "staff"
    pages.on_like(conv, "", gr.LikeData(None, {"index": 1, "value": "...", "liked": True}))
    assert [r["rating"] for r in FeedbackStore(fake_assistant.settings.feedback_path).rows()] == [
        "down",
        "up",
    ]


def test_public_settings_hides_every_secret(make_settings) -> None:  # noqa: ANN001
    settings = make_settings(
        web={"password": "p1"}, llm={"api_key": "k2"}, slack={"bot_token": "t3"}
    )
    text = json.dumps(public_settings(settings))
    assert not any(secret in text for secret in ("p1", "k2", "t3"))


def test_documents_tab_upload_and_remove(fake_assistant: Assistant, tmp_path: Path) -> None:
    pages = PageHandlers(fake_assistant)
    upload = tmp_path / "ferry.md"
    upload.write_text("# Ferry\n\nThe Tessaly ferry leaves Pier Nine every forty minutes.\n")
    bad = tmp_path / "notes.exe"
    bad.write_bytes(b"MZ")
    status, cleared, rows, sources, publishers, removable, header = pages.on_upload(
        [str(upload), str(bad)], no_progress
    )
    assert "Indexed: uploads/ferry.md" in status and cleared is None
    assert "Not added: notes.exe: unsupported file type" in status
    assert "uploads/ferry.md" in [r[0] for r in rows]
    assert "uploads/ferry.md" in sources["choices"]
    assert f"{len(rows)} documents" in header and "last updated" in header
    status, rows, *_ = pages.on_remove("uploads/ferry.md", no_progress)
    assert status == "Removed: uploads/ferry.md"
    assert "uploads/ferry.md" not in [r[0] for r in rows]
    status, *_ = pages.on_remove("../../etc/passwd", no_progress)
    assert "not a document of the corpus" in status


def test_feedback_export_command(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite")  # the path the autouse fixture sets
    store.record(rating="up", question="Q1", answer="A1 [1]", citations=[{"n": 1}])
    store.record(rating="down", question="Q2", answer="A2", comment="wrong, date")
    runner = CliRunner()
    result = runner.invoke(app, ["feedback", "export", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [(r["question"], r["rating"]) for r in lines] == [("Q1", "up"), ("Q2", "down")]
    assert lines[0]["citations"] == [{"n": 1}]
    out = tmp_path / "out" / "feedback.csv"
    result = runner.invoke(app, ["feedback", "export", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["comment"] for r in rows] == ["", "wrong, date"]
    bad = runner.invoke(app, ["feedback", "export", "--format", "xml"])
    assert bad.exit_code == 2
