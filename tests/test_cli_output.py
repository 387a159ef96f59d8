"""What the terminal shows: `chat` prints each answer once, quotes read well, help is plain."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from assistant.answer.citations import Answer, Citation
from assistant.cli import main as cli
from assistant.core import Assistant
from tests.conftest import HIKVISION_QUESTION


def test_chat_prints_each_answer_once_then_its_sources(
    fake_assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "build_assistant", lambda **_: fake_assistant)
    result = CliRunner().invoke(cli.app, ["chat"], input=f"{HIKVISION_QUESTION}\n\n")
    assert result.exit_code == 0, result.output
    answer = fake_assistant.ask(HIKVISION_QUESTION)
    first_sentence = answer.answer.split(". ")[0]
    assert len(first_sentence) > 20
    assert result.output.count(first_sentence) == 1, result.output
    assert "Checked against the sources" not in result.output
    for c in answer.citations:  # every source listed once, after the answer
        assert result.output.count(f"[{c.n}] {c.title or c.source}") == 1
    assert result.output.index(first_sentence) < result.output.index("\n[1] ")


def _answer(quote: str) -> Answer:
    citation = Citation(n=1, source="a.txt", quote=quote, start=0, end=len(quote), score=1.0)
    return Answer(question="q", answer="It was said [1].", citations=[citation])


@pytest.mark.parametrize(
    ("quote", "shown"),
    [
        ('"We will comply," the company said.', '\u201c"We will comply," the company said.\u201d'),
        ('"The order is final."', '"The order is final."'),
        ("The order is final.", '"The order is final."'),
    ],
)
def test_quotes_that_contain_quotes_are_not_doubled(quote: str, shown: str) -> None:
    text = cli.render_answer(_answer(quote))
    assert f"    {shown}" in text.splitlines()
    assert '""' not in text


@pytest.mark.parametrize("args", [["--help"], ["ask", "--help"], ["chat", "--help"]])
def test_help_shows_flags_without_a_value_type(args: list[str]) -> None:
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 0
    assert "<bool>" not in result.output
    assert "--help" in result.output and "Show this message and exit." in result.output
