"""The public seam for chat models: pass one in, or get one built once per mode and settings."""

from __future__ import annotations

import threading
import time

import pytest

import assistant.llm
from assistant.core import Assistant
from assistant.settings import LLMSettings
from assistant.testing import FakeChatModel

QUESTION = "What test must applicants meet to obtain a stay?"


def test_a_given_chat_model_answers_and_sees_the_passages(fake_assistant: Assistant) -> None:
    top = fake_assistant.ask(QUESTION).citations[0].quote
    model = FakeChatModel.replying(f"{top} [1].")
    answer = Assistant(
        fake_assistant.settings, embeddings=fake_assistant.embeddings, chat_model=model
    ).ask(QUESTION, mode="local")
    assert answer.mode == "local" and answer.citations[0].quote == top
    assert len(model.prompts) == 1 and "[1]" in model.prompts[0]
    assert fake_assistant.ask(QUESTION).mode == "extractive"  # the original is untouched


def test_models_are_built_once_per_mode_and_settings_even_from_many_threads(
    fake_assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[tuple[str, str | None]] = []

    def build(mode: str, llm: LLMSettings) -> FakeChatModel:
        time.sleep(0.05)  # a slow load: the window in which a second thread would build too
        built.append((mode, llm.base_url))
        return FakeChatModel.replying()

    monkeypatch.setattr(assistant.llm, "build_chat_model", build)
    pipeline = fake_assistant.pipeline
    threads = [threading.Thread(target=pipeline.chat_model, args=("local",)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert built == [("local", None)]
    other = fake_assistant.settings.llm.model_copy(update={"base_url": "http://h:1/v1"})
    first = pipeline.chat_model("openai", other)
    assert pipeline.chat_model("openai", other) is first
    assert pipeline.chat_model("openai") is not first  # other settings, other model
    assert built == [("local", None), ("openai", "http://h:1/v1"), ("openai", None)]
