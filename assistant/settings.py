"""One settings tree for the whole assistant.

Values come, in rising priority, from field defaults, an optional TOML settings
file, environment variables prefixed ``ASSISTANT_`` (nested fields use ``__``:
``ASSISTANT_RETRIEVAL__K=8``) and finally explicit overrides such as CLI flags.

The sections (``EmbeddingSettings``, ``AnswerSettings``, ...) and every field's
description are in ``assistant/settings_sections.py``; this module assembles them.

Secrets (API key, web password, Slack tokens) are ``SecretStr``: ``repr``, ``str``
and ``Settings.public_dump()`` show ``**********``; code that needs the value calls
``.get_secret_value()`` at the one place it hands it to a library.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, SecretStr
from pydantic_core import to_jsonable_python
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from assistant.settings_sections import (
    AnswerMode,
    AnswerSettings,
    ChunkingSettings,
    DocumentSettings,
    EmbeddingSettings,
    LLMSettings,
    RetrievalMode,
    RetrievalSettings,
    SlackRefusalPolicy,
    SlackSettings,
    WebSettings,
)

# The sections live in their own module; they are re-exported here because callers
# import every settings name from ``assistant.settings``.
from assistant.tuning import TUNING, AnswerTuning


class Settings(BaseSettings):
    """Everything configurable. ``extra='forbid'`` turns a typo into an error."""

    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    corpus_dir: Path = Field(Path("corpus"), description="Folder of documents to index.")
    index_dir: Path = Field(
        Path("index"), description="Where the embedded Chroma store and index state are written."
    )
    chroma_url: str | None = Field(
        None,
        description="URL of a Chroma server (e.g. http://127.0.0.1:8000). Unset: embedded store "
        "in index_dir.",
    )
    collection: str = Field("assistant", description="Chroma collection name.")
    feedback_path: Path = Field(
        Path("feedback.sqlite"),
        description="SQLite file of answer feedback (web and Slack); never touched by indexing.",
    )
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    documents: DocumentSettings = Field(default_factory=DocumentSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)

    def public_dump(self) -> dict[str, Any]:
        """The settings as JSON-ready data with every secret shown as ``**********`` (set)
        or ``None`` (unset): what front ends display and store next to feedback."""
        return _public(self)

    def secret_values(self) -> list[str]:
        """The secret values that are set (for log redaction)."""
        return _secrets(self)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        settings_file = os.environ.get("ASSISTANT_SETTINGS_FILE")
        if settings_file:
            path = Path(settings_file)
            if not path.is_file():
                raise FileNotFoundError(
                    f"ASSISTANT_SETTINGS_FILE={settings_file!r}: no such file. "
                    "Point it at a TOML settings file or unset it."
                )
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)


def _is_secret(annotation: Any) -> bool:
    return annotation is SecretStr or SecretStr in getattr(annotation, "__args__", ())


def _public(model: BaseModel) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if _is_secret(field.annotation):
            out[name] = "**********" if value else None
        elif isinstance(value, BaseModel):
            out[name] = _public(value)
        else:
            out[name] = to_jsonable_python(value)
    return out


def _secrets(model: BaseModel) -> list[str]:
    found: list[str] = []
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if _is_secret(field.annotation) and value:
            found.append(value.get_secret_value() if isinstance(value, SecretStr) else str(value))
        elif isinstance(value, BaseModel):
            found.extend(_secrets(value))
    return found


def load_settings(**overrides: Any) -> Settings:
    """Settings from file and environment, with non-None ``overrides`` on top.

    Nested overrides use dotted keys: ``load_settings(**{"retrieval.k": 8})``.
    """
    base = Settings()
    data = base.model_dump()
    for key, value in overrides.items():
        if value is None:
            continue
        target = data
        *parents, leaf = key.split(".")
        for part in parents:
            target = target[part]
        target[leaf] = value
    return Settings.model_validate(data)


__all__ = [
    "TUNING",
    "AnswerMode",
    "AnswerSettings",
    "AnswerTuning",
    "ChunkingSettings",
    "DocumentSettings",
    "EmbeddingSettings",
    "LLMSettings",
    "RetrievalMode",
    "RetrievalSettings",
    "SlackRefusalPolicy",
    "SlackSettings",
    "Settings",
    "WebSettings",
    "load_settings",
]
