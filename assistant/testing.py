"""Test doubles for code built on the assistant (as httpx ships ``MockTransport``).

``FakeChatModel`` is a LangChain chat model that replies with scripted texts, streams
them word by word like a real backend and records the prompts it was given, so a
test can check what the model saw and what the verifier kept::

    from assistant import Assistant
    from assistant.testing import FakeChatModel

    model = FakeChatModel.replying("The council ordered it [1].")
    answer = Assistant(settings, chat_model=model).ask(question, mode="local")
    assert model.prompts and answer.citations

``HashingEmbeddings`` is a deterministic embedding that needs no model download.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatResult
from pydantic import Field

from assistant.index.embeddings import HashingEmbeddings


class FakeChatModel(GenericFakeChatModel):
    """Replies with ``messages`` in order (an error once they run out) and records prompts.

    Subclass and override ``_generate`` for a model that fails or answers from its
    prompt; ``stream`` then streams whatever ``_generate`` returns.
    """

    prompts: list[str] = Field(default_factory=list)

    @classmethod
    def replying(cls, *replies: str) -> FakeChatModel:
        """A model giving ``replies``, one per call."""
        return cls(messages=iter([AIMessage(content=reply) for reply in replies]))

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.prompts.append(str(messages[-1].content))
        return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)


__all__ = ["FakeChatModel", "HashingEmbeddings"]
