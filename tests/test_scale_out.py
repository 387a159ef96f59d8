"""Scaling out: one indexer and stateless answerers that share only a `chroma run` server.

The committed state and BM25 are published in the server (``assistant/index/published.py``), so
an answering process needs no index folder of the indexer's; the indexing lock lives
there too. The end-to-end test runs real processes against a real server.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import chromadb
import numpy as np
import pytest
from chromadb.config import Settings as ChromaSettings

from assistant.core import Assistant
from assistant.index.published import PublishedState, shared_lock
from assistant.index.state import IndexBusyError
from assistant.settings import WebSettings
from tests.conftest import HIKVISION_QUESTION, free_port, serve_until_ready
from tests.test_chroma_server import chroma_url  # noqa: F401 - the server fixture

QUARKBRIDGE = "Where was the Quarkbridge accord signed?"
QUESTIONS = [
    HIKVISION_QUESTION,
    "What did the minister announce?",
    "national security review",
    QUARKBRIDGE,
]


@pytest.fixture
def meta(tmp_path: Path) -> PublishedState:
    client = chromadb.PersistentClient(
        path=str(tmp_path / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    return PublishedState(client, "published-test")


def test_a_published_index_reads_back_as_committed(
    fake_assistant: Assistant, meta: PublishedState
) -> None:
    state, bm25 = fake_assistant.index.state, fake_assistant.index.refresh_bm25()
    assert meta.load() is None  # nothing published yet
    first = meta.publish("origin-a", {"signature": "s", "vectors": "v"}, state, bm25)
    second = meta.publish("origin-b", {"signature": "s", "vectors": "v"}, state, bm25)
    snapshot = meta.load()
    assert snapshot is not None and snapshot.version == second == first + 1
    assert snapshot.files == state.files()
    assert snapshot.bm25.ids == bm25.ids and snapshot.sources == state.chunk_sources()
    query = "Investment Canada Act"
    assert np.allclose(snapshot.bm25.scores(query), bm25.scores(query))
    source = sorted(snapshot.files)[0]
    assert meta.document_text(source, snapshot.files[source].file_hash) == state.document_text(
        source
    )
    ids = meta._all_ids()  # the older version is gone once the newer one is published
    assert not [i for i in ids if i.startswith(f"v{first}:")]


def test_one_indexer_at_a_time_through_the_server_lock(meta: PublishedState) -> None:
    with (
        shared_lock(meta),
        pytest.raises(IndexBusyError, match="another `assistant index`"),
        shared_lock(meta),
    ):
        pass
    with shared_lock(meta):  # released: the next indexer gets it
        pass
    assert meta.try_lock("crashed", ttl_s=-1) is None  # a lock that expired at once ...
    assert meta.try_lock("next") is None  # ... is taken over
    assert meta.try_lock("third")["owner"] == "next"


def _env(url: str, index_dir: Path, corpus: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ASSISTANT_CHROMA_URL": url,
        "ASSISTANT_COLLECTION": "two_answerers",
        "ASSISTANT_INDEX_DIR": str(index_dir),
        "ASSISTANT_CORPUS_DIR": str(corpus),
        "ASSISTANT_EMBEDDING__FAKE": "true",
        "ASSISTANT_FEEDBACK_PATH": str(index_dir.parent / f"{index_dir.name}-feedback.sqlite"),
    }


def _index(url: str, index_dir: Path, corpus: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "index"],
        env=_env(url, index_dir, corpus),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def _answerers(url: str, tmp_path: Path, stack: ExitStack) -> list[WebSettings]:
    """Two `assistant serve` processes, each with its own new, empty index folder and an
    empty corpus folder: all they share with the indexer is the Chroma server."""
    pages = []
    for n in (1, 2):
        index_dir, corpus = tmp_path / f"answerer{n}-index", tmp_path / f"answerer{n}-corpus"
        index_dir.mkdir()
        corpus.mkdir()
        port = free_port()
        command = [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)]
        env = _env(url, index_dir, corpus)
        ready = f"http://127.0.0.1:{port}/"
        servers = serve_until_ready(command, ready, "assistant serve", 120, env)
        next(servers)
        stack.callback(servers.close)
        pages.append(WebSettings(port=port))
    return pages


def _ask(page: WebSettings, question: str) -> dict:
    from assistant.cli.server_client import ask_running_server

    answer = ask_running_server(page, question, [], {})
    assert answer is not None, f"no answer from the page on port {page.port}"
    return {key: answer[key] for key in ("answer", "citations", "conflicts", "refused")}


def _wait_for(page: WebSettings, question: str, source: str, timeout_s: float = 60) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        answer = _ask(page, question)
        cited = {c["source"] for c in answer["citations"]}
        if not answer["refused"] and cited == {source}:
            return answer
        assert time.monotonic() < deadline, f"port {page.port} still answers {answer}"
        time.sleep(0.5)


@pytest.mark.slow
def test_two_stateless_answerers_answer_alike_and_follow_a_reindex(
    chroma_url: str,  # noqa: F811 - the fixture imported above
    corpus_dir: Path,
    tmp_path: Path,
) -> None:
    indexer_dir = tmp_path / "indexer-index"
    _index(chroma_url, indexer_dir, corpus_dir)
    with ExitStack() as stack:
        pages = _answerers(chroma_url, tmp_path, stack)
        first, second = ([_ask(page, q) for q in QUESTIONS] for page in pages)
        assert first == second
        assert not first[0]["refused"] and first[-1]["refused"]  # not indexed yet
        assert "Investment Canada Act" in " ".join(c["quote"] for c in first[0]["citations"])

        (corpus_dir / "zz_quarkbridge.txt").write_text(
            "title: Quarkbridge accord\n\nThe Quarkbridge accord was signed in Lisbon in 2024."
        )
        _index(chroma_url, indexer_dir, corpus_dir)
        found = [_wait_for(page, QUARKBRIDGE, "zz_quarkbridge.txt") for page in pages]
        assert found[0] == found[1] and "Lisbon" in found[0]["answer"]
        again = [[_ask(page, q) for q in QUESTIONS] for page in pages]
        assert again[0] == again[1]
    for n in (1, 2):  # nothing of the index was written next to the answerers
        assert not (tmp_path / f"answerer{n}-index" / "state.sqlite").exists()
        assert not (tmp_path / f"answerer{n}-index" / "bm25").exists()


@pytest.mark.slow
def test_another_index_folder_does_not_replace_the_published_index(
    chroma_url: str,  # noqa: F811 - the fixture imported above
    corpus_dir: Path,
    tmp_path: Path,
) -> None:
    """An answering host with a stale or partial corpus copy must not shrink everyone's
    index: its sync is refused (and `serve` does not start one) until --take-over."""
    from assistant.settings import Settings

    def assistant(name: str, corpus: Path) -> Assistant:
        settings = Settings(
            corpus_dir=corpus,
            index_dir=tmp_path / name,
            chroma_url=chroma_url,
            collection="take_over",
            embedding={"fake": True},
        )
        return Assistant(settings)

    indexer = assistant("indexer", corpus_dir)
    assert indexer.sync().ok
    partial = tmp_path / "partial"
    partial.mkdir()
    one = sorted(corpus_dir.iterdir())[0]
    (partial / one.name).write_bytes(one.read_bytes())
    answerer = assistant("answerer", partial)
    assert not answerer.needs_sync()
    with pytest.raises(IndexBusyError, match="--take-over"):
        answerer.sync()
    assert len(answerer.sources()) == 11  # still everyone's index
    report = answerer.sync(take_over=True)
    assert report.ok and len(answerer.sources()) == 1
    with pytest.raises(IndexBusyError, match="another indexer"):
        indexer.sync()  # the roles swapped
