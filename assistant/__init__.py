"""Source-grounded question answering over your own documents, with cited passages.

The public API is what ``__all__`` lists; every other module is internal and may
change. A minimal program::

    from assistant import Assistant, load_settings

    assistant = Assistant(load_settings(corpus_dir="corpus"))
    assistant.sync()
    answer = assistant.ask("Who ordered the closure?")
    print(answer.answer, [c.source for c in answer.citations])

The names load on first use (``assistant.Assistant`` imports torch and Chroma), so
``import assistant`` and ``assistant --help`` stay fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.answer.citations import Answer, Citation
    from assistant.answer.retrieval import Filters
    from assistant.core import Assistant
    from assistant.errors import AssistantError
    from assistant.settings import Settings, load_settings

# public name -> the module defining it
_EXPORTS = {
    "Answer": "assistant.answer.citations",
    "Assistant": "assistant.core",
    "AssistantError": "assistant.errors",
    "Citation": "assistant.answer.citations",
    "Filters": "assistant.answer.retrieval",
    "Settings": "assistant.settings",
    "load_settings": "assistant.settings",
}

__all__ = [  # a literal list, so type checkers and linters see the re-exports
    "Answer",
    "Assistant",
    "AssistantError",
    "Citation",
    "Filters",
    "Settings",
    "load_settings",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later accesses skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
