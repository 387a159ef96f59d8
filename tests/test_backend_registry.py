"""Answer modes come from a registry: built-ins in code, other packages by entry point.

An unknown ``answer.mode`` is a settings error that names it and lists the known modes;
a backend registered in code or declared by an installed package's entry point
(group ``assistant.chat_models``) validates, answers, and is listed for ``--compare``.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

import assistant.llm.registry as registry
from assistant.cli.main import app
from assistant.core import Assistant
from assistant.errors import BackendUnavailableError
from assistant.llm import build_chat_model, register
from assistant.settings import AnswerSettings, LLMSettings, load_settings
from assistant.testing import FakeChatModel

QUESTION = "What test must applicants meet to obtain a stay?"
REPLIES: list[str] = []  # what ``build_echo`` models say; set by the tests


def build_echo(settings: LLMSettings) -> FakeChatModel:
    """A plugin's factory, found through a (fake) entry point naming this function."""
    return FakeChatModel.replying(*REPLIES)


def _plugin(name: str, target: str = f"{__name__}:build_echo") -> EntryPoint:
    return EntryPoint(name=name, value=target, group=registry.ENTRY_POINT_GROUP)


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> list[EntryPoint]:
    """The entry points the registry sees (none unless a test adds some), and a registry
    whose in-code registrations end with the test."""
    points: list[EntryPoint] = []
    monkeypatch.setattr(registry, "_entry_points", lambda: points)
    monkeypatch.setattr(registry, "_REGISTERED", dict(registry._REGISTERED))
    return points


def test_an_unknown_mode_names_itself_and_the_known_modes(installed: list[EntryPoint]) -> None:
    with pytest.raises(ValidationError) as info:
        load_settings(**{"answer.mode": "psychic"})
    message = str(info.value)
    assert "answer.mode" in message and "'psychic'" in message
    assert "known modes: extractive, local, openai, ollama" in message
    with pytest.raises(ValueError, match="known modes: extractive, local, openai, ollama"):
        AnswerSettings(mode="psychic")
    with pytest.raises(BackendUnavailableError, match="unknown answer mode 'psychic'"):
        build_chat_model("psychic", LLMSettings())


def test_the_cli_reports_an_unknown_mode_with_the_known_ones(installed: list[EntryPoint]) -> None:
    result = CliRunner().invoke(app, ["ask", "anything", "--mode", "psychic", "--no-server"])
    assert result.exit_code == 2
    assert "answer.mode" in result.output and "'psychic'" in result.output
    assert "extractive, local, openai, ollama" in result.output


def test_a_backend_registered_in_code_validates_and_answers(
    fake_assistant: Assistant, installed: list[EntryPoint]
) -> None:
    top = fake_assistant.ask(QUESTION).citations[0].quote
    built: list[LLMSettings] = []

    def build(settings: LLMSettings) -> FakeChatModel:
        built.append(settings)
        return FakeChatModel.replying(f"{top} [1].")

    assert register("echo", build) is build
    assert registry.answer_modes() == ("extractive", "local", "openai", "ollama", "echo")
    assert AnswerSettings(mode="echo").mode == "echo"
    answer = fake_assistant.ask(QUESTION, mode="echo")
    assert answer.mode == "echo" and answer.citations[0].quote == top
    assert built == [fake_assistant.settings.llm]


def test_a_plugins_entry_point_validates_and_answers(
    fake_assistant: Assistant, installed: list[EntryPoint], monkeypatch: pytest.MonkeyPatch
) -> None:
    top = fake_assistant.ask(QUESTION).citations[0].quote
    monkeypatch.setattr(f"{__name__}.REPLIES", [f"{top} [1]."])
    installed.append(_plugin("echo"))
    assert registry.answer_modes()[-1] == "echo"
    assert load_settings(**{"answer.mode": "echo"}).answer.mode == "echo"
    assert isinstance(build_chat_model("echo", LLMSettings()), FakeChatModel)
    answer = fake_assistant.ask(QUESTION, mode="echo")
    assert answer.mode == "echo" and answer.citations[0].quote == top


def test_built_ins_and_extractive_cannot_be_taken_by_a_plugin(
    installed: list[EntryPoint],
) -> None:
    installed += [_plugin("openai"), _plugin("extractive")]
    assert registry.answer_modes() == ("extractive", "local", "openai", "ollama")
    with pytest.raises(BackendUnavailableError, match="ASSISTANT_LLM__BASE_URL"):
        build_chat_model("openai", LLMSettings())  # still the built-in
    with pytest.raises(BackendUnavailableError, match="'extractive' has no chat model"):
        build_chat_model("extractive", LLMSettings())
    with pytest.raises(ValueError, match="cannot name a chat-model backend"):
        register("extractive", build_echo)


def test_a_broken_plugin_is_named_instead_of_a_traceback(installed: list[EntryPoint]) -> None:
    installed += [
        _plugin("missing", "assistant_no_such_plugin:build"),
        _plugin("constant", f"{__name__}:QUESTION"),
        _plugin("notamodel", "builtins:dict"),
    ]
    with pytest.raises(BackendUnavailableError, match=r"'missing' \(assistant_no_such_plugin"):
        build_chat_model("missing", LLMSettings())
    with pytest.raises(BackendUnavailableError, match="not a callable factory"):
        build_chat_model("constant", LLMSettings())
    with pytest.raises(BackendUnavailableError, match="returned a dict, not a LangChain"):
        build_chat_model("notamodel", LLMSettings())
