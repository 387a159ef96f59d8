"""Shared fixtures. Every data folder points at a temp dir: no test writes into the repo."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.core import Assistant
from assistant.index.embeddings import HashingEmbeddings
from assistant.settings import Settings

REPO = Path(__file__).resolve().parent.parent
# The tests' own copy of the sample documents: never the live corpus/, where users upload.
SAMPLE_CORPUS = REPO / "tests" / "data" / "sample_corpus"
HIKVISION_QUESTION = "Who ordered the closure of Hikvision's Canadian business, and under what act?"


@pytest.fixture(autouse=True)
def _isolated_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(tmp_path / "corpus"))
    monkeypatch.setenv("ASSISTANT_FEEDBACK_PATH", str(tmp_path / "feedback.sqlite"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    # `assistant ask` asks a server on web.port when one is up; a test's CLI call must
    # never reach a page someone runs on the default port (0: no server to look for).
    monkeypatch.setenv("ASSISTANT_WEB__PORT", "0")
    monkeypatch.delenv("ASSISTANT_CHROMA_URL", raising=False)
    monkeypatch.delenv("ASSISTANT_SETTINGS_FILE", raising=False)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now (for servers the tests start)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_until_ready(
    command: list[str],
    ready_url: str,
    name: str,
    timeout_s: float = 60.0,
    env: dict[str, str] | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """Start a server process, wait until ``ready_url`` answers 200, stop it afterwards."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                if httpx.get(ready_url, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                pytest.fail(f"{name} exited with code {proc.returncode}")
            if time.monotonic() > deadline:
                pytest.fail(f"{name} did not start within {timeout_s:.0f} s")
            time.sleep(0.1)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


class CountingEmbeddings(HashingEmbeddings):
    """The fake embedding, counting what it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded.extend(texts)
        return super().embed_documents(texts)


def copy_corpus(dest: Path) -> Path:
    shutil.copytree(SAMPLE_CORPUS, dest)
    return dest


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    return copy_corpus(tmp_path / "corpus")


@pytest.fixture
def make_settings(tmp_path: Path):  # noqa: ANN201 - factory fixture
    def make(**kwargs: object) -> Settings:
        data: dict[str, object] = {
            "corpus_dir": tmp_path / "corpus",
            "index_dir": tmp_path / "index",
            "feedback_path": tmp_path / "feedback.sqlite",
        }
        data.update(kwargs)
        return Settings(**data)

    return make


@pytest.fixture
def fake_assistant(corpus_dir: Path, make_settings) -> Assistant:  # noqa: ANN001
    """An Assistant on the sample corpus with the deterministic fake embedding, synced."""
    assistant = Assistant(make_settings(), embeddings=CountingEmbeddings())
    assistant.sync()
    return assistant


@pytest.fixture(scope="session")
def real_embeddings():  # noqa: ANN201
    from assistant.index.embeddings import load_embeddings
    from assistant.settings import EmbeddingSettings

    return load_embeddings(EmbeddingSettings())


@pytest.fixture(scope="session")
def real_assistant(
    tmp_path_factory: pytest.TempPathFactory, real_embeddings
) -> Iterator[Assistant]:  # noqa: ANN001
    """The real model and real embedded Chroma on a copy of corpus/, indexed once."""
    root = tmp_path_factory.mktemp("real")
    corpus = copy_corpus(root / "corpus")
    settings = Settings(
        corpus_dir=corpus, index_dir=root / "index", feedback_path=root / "feedback.sqlite"
    )
    assistant = Assistant(settings, embeddings=real_embeddings)
    report = assistant.sync()
    assert report.ok, report.failed
    yield assistant
