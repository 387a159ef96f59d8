"""A LangChain chat model over llama-cpp-python, for GGUF files on disk.

Small on purpose: llama.cpp applies the GGUF's own chat template, and the
model is loaded once per process and shared.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field

_ROLES = {"human": "user", "ai": "assistant", "system": "system"}
_LOCK = threading.Lock()  # one llama.cpp context is not safe for concurrent calls


def usable_cores() -> int:
    """CPU cores this process may run on (llama-cpp-python's own default is half of them)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@lru_cache(maxsize=2)
def _load(path: str, n_ctx: int, n_threads: int | None) -> Any:
    from llama_cpp import Llama

    threads = n_threads or usable_cores()
    model = Llama(
        model_path=path, n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads, verbose=False
    )
    # Free it before interpreter teardown; llama.cpp's __del__ fails once modules are gone.
    atexit.register(model.close)
    return model


class LlamaCppChat(BaseChatModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    client: Any = Field(exclude=True)
    model_path: str
    temperature: float = 0.0
    max_tokens: int = 200

    @classmethod
    def from_path(
        cls, path: Path, n_ctx: int, n_threads: int | None, temperature: float, max_tokens: int
    ) -> LlamaCppChat:
        return cls(
            client=_load(str(path), n_ctx, n_threads),
            model_path=str(path),
            temperature=temperature,
            max_tokens=max_tokens,
        )

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    def _messages(self, messages: list[BaseMessage]) -> list[dict[str, str]]:
        return [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        with _LOCK:
            out = self.client.create_chat_completion(
                messages=self._messages(messages),
                temperature=self.temperature,
                max_tokens=self.max_tokens,
                stop=stop,
            )
        choice = out["choices"][0]
        message = AIMessage(
            content=choice["message"]["content"] or "",
            response_metadata={"finish_reason": choice.get("finish_reason")},
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        with _LOCK:
            for part in self.client.create_chat_completion(
                messages=self._messages(messages),
                temperature=self.temperature,
                max_tokens=self.max_tokens,
                stop=stop,
                stream=True,
            ):
                choice = part["choices"][0]
                delta = choice["delta"].get("content") or ""
                if delta:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                    if run_manager:
                        run_manager.on_llm_new_token(delta, chunk=chunk)
                    yield chunk
                if choice.get("finish_reason"):  # "length" tells a cut-off reply from a whole one
                    yield ChatGenerationChunk(
                        message=AIMessageChunk(content=""),
                        generation_info={"finish_reason": choice["finish_reason"]},
                    )
