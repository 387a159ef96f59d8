"""Which answer modes exist: ``extractive``, the built-in backends and installed plugins.

A chat-model backend is a factory ``(LLMSettings) -> BaseChatModel`` under the name
``answer.mode`` selects. The built-ins (``local``, ``openai``, ``ollama``) are
registered below; another package adds one without changing this project by
declaring an entry point in the ``assistant.chat_models`` group (how simonw/llm
finds its plugins)::

    # the plugin's pyproject.toml
    [project.entry-points."assistant.chat_models"]
    mistral = "assistant_mistral:build"   # def build(settings: LLMSettings) -> BaseChatModel

After ``pip install assistant-mistral``, ``ASSISTANT_ANSWER__MODE=mistral`` validates,
``assistant eval --compare`` includes it, and the factory is imported only when the
mode is first used. A name registered in code (the built-ins, or ``register``) wins over
a plugin of the same name, and ``extractive`` (no model: answers are quotes) cannot be
taken. Plugins are looked up when a name is not registered in code, so settings
naming a built-in never scan the installed packages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from assistant.errors import BackendUnavailableError, InputError
from assistant.llm.backends import build_local, build_ollama, build_openai

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

    from langchain_core.language_models import BaseChatModel

    from assistant.settings import LLMSettings

ENTRY_POINT_GROUP = "assistant.chat_models"
EXTRACTIVE = "extractive"  # the answer mode without a chat model

ChatModelFactory = Callable[["LLMSettings"], "BaseChatModel"]
F = TypeVar("F", bound=ChatModelFactory)

# name -> factory, in the order ``answer_modes`` lists them
_REGISTERED: dict[str, ChatModelFactory] = {
    "local": build_local,
    "openai": build_openai,
    "ollama": build_ollama,
}


class UnknownAnswerModeError(BackendUnavailableError, InputError):
    """``answer.mode`` names no backend. A ``ValueError`` (pydantic reports it as a
    settings error) and a ``BackendUnavailableError`` (what building one raised before)."""


def register(name: str, factory: F) -> F:
    """Make ``factory`` the backend of answer mode ``name`` in this process (replacing a
    backend of that name); returns ``factory``. Packages use the entry point instead."""
    if name == EXTRACTIVE or not name.strip():
        raise ValueError(f"{name!r} cannot name a chat-model backend")
    _REGISTERED[name] = factory
    return factory


def _entry_points() -> list[EntryPoint]:
    """The group's entry points of every installed distribution (importlib.metadata loads
    here, only when a name is not registered in code: ~35 ms)."""
    from importlib.metadata import entry_points

    return list(entry_points(group=ENTRY_POINT_GROUP))


def _plugins() -> dict[str, EntryPoint]:
    """Installed plugins by name, without the names registered in code (or extractive)."""
    found: dict[str, EntryPoint] = {}
    for point in _entry_points():
        if point.name != EXTRACTIVE and point.name not in _REGISTERED:
            found.setdefault(point.name, point)
    return found


def answer_modes() -> tuple[str, ...]:
    """Every known mode: extractive, the backends registered in code, then plugins A-Z."""
    return (EXTRACTIVE, *_REGISTERED, *sorted(_plugins()))


def check_answer_mode(mode: str) -> str:
    """``mode`` when it is known; otherwise ``UnknownAnswerModeError`` listing the modes."""
    if mode == EXTRACTIVE or mode in _REGISTERED or mode in _plugins():
        return mode
    raise _unknown(mode)


def _unknown(mode: str) -> UnknownAnswerModeError:
    return UnknownAnswerModeError(
        f"unknown answer mode {mode!r}; known modes: {', '.join(answer_modes())} (a package "
        f"adds one with an entry point in the {ENTRY_POINT_GROUP!r} group)"
    )


def chat_model_factory(mode: str) -> ChatModelFactory:
    """The factory of ``mode``: registered in code, else loaded from its plugin."""
    if mode == EXTRACTIVE:
        raise BackendUnavailableError(f"answer mode {mode!r} has no chat model")
    if mode in _REGISTERED:
        return _REGISTERED[mode]
    point = _plugins().get(mode)
    if point is None:
        raise _unknown(mode)
    try:
        factory = point.load()
    except Exception as exc:  # noqa: BLE001 - a broken plugin is named, not a traceback
        raise BackendUnavailableError(
            f"the plugin of answer mode {mode!r} ({point.value}) cannot be loaded: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    if not callable(factory):
        raise BackendUnavailableError(
            f"the plugin of answer mode {mode!r} ({point.value}) is not a callable "
            "factory (LLMSettings) -> BaseChatModel"
        )
    return factory
