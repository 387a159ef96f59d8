"""Chat-model backends for generative answers, chosen by ``answer.mode``.

``registry.py`` knows which modes exist (the built-ins of ``backends.py`` and plugins
declared in the ``assistant.chat_models`` entry-point group); ``build_chat_model`` is
the one call the answer pipeline makes. Every backend is a LangChain ``BaseChatModel``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.errors import BackendUnavailableError
from assistant.llm.backends import LOCAL_INSTALL_HINT, packaged_gguf
from assistant.llm.registry import (
    ENTRY_POINT_GROUP,
    EXTRACTIVE,
    UnknownAnswerModeError,
    answer_modes,
    chat_model_factory,
    check_answer_mode,
    register,
)

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from assistant.settings import AnswerMode, LLMSettings


def build_chat_model(mode: AnswerMode, settings: LLMSettings) -> BaseChatModel:
    """The chat model for ``mode`` (not ``extractive``, which needs none).

    ``BackendUnavailableError`` when the mode is unknown, its extra or model is missing,
    or its factory returns something that is not a LangChain chat model."""
    from langchain_core.language_models import BaseChatModel

    model = chat_model_factory(mode)(settings)
    if not isinstance(model, BaseChatModel):
        raise BackendUnavailableError(
            f"the backend of answer mode {mode!r} returned a {type(model).__name__}, not a "
            "LangChain BaseChatModel"
        )
    return model


__all__ = [
    "ENTRY_POINT_GROUP",
    "EXTRACTIVE",
    "LOCAL_INSTALL_HINT",
    "BackendUnavailableError",
    "UnknownAnswerModeError",
    "answer_modes",
    "build_chat_model",
    "check_answer_mode",
    "packaged_gguf",
    "register",
]
