"""Performance changes keep results identical: batch order, background writes, lazy and
ONNX embeddings; the benchmark script's corpus generator and report (timings are never
asserted: they belong to `make bench`)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.core import Assistant
from assistant.index.embeddings import (
    HashingEmbeddings,
    SentenceTransformerEmbeddings,
    load_embeddings,
)
from assistant.index.indexer import index_signature
from assistant.settings import EmbeddingSettings, Settings
from tests.conftest import HIKVISION_QUESTION
from tests.test_chroma_server import chroma_url  # noqa: F401 - the server fixture

BENCH = Path(__file__).resolve().parents[1] / "scripts" / "bench"


def stored_vectors(assistant: Assistant) -> dict[str, np.ndarray]:
    got = assistant.index.store.collection.get(include=["embeddings"])
    return {i: np.asarray(v) for i, v in zip(got["ids"], got["embeddings"], strict=True)}


def test_batch_size_and_order_do_not_change_the_index(corpus_dir: Path, tmp_path: Path) -> None:
    """Chunks are embedded sorted by length, in batches, written on a helper thread: every
    chunk still gets exactly the vector it gets when embedded alone."""
    built = []
    for batch_size in (1, 64):
        settings = Settings(
            corpus_dir=corpus_dir,
            index_dir=tmp_path / f"index-{batch_size}",
            embedding={"batch_size": batch_size},
        )
        assistant = Assistant(settings, embeddings=HashingEmbeddings())
        report = assistant.sync()
        assert report.ok and report.consistent
        built.append(assistant)
    small, large = (stored_vectors(a) for a in built)
    assert small.keys() == large.keys() and len(small) == built[0].index.store.count()
    texts = {cid: text for cid, text, _ in built[0].index.state.all_chunks()}
    meta = {cid: m for cid, _, m in built[0].index.state.all_chunks()}
    for cid, vector in small.items():
        assert np.allclose(vector, large[cid], atol=1e-6)
        title = meta[cid].get("title")
        alone = HashingEmbeddings().embed_query(f"{title}\n{texts[cid]}" if title else texts[cid])
        assert np.allclose(vector, alone, atol=1e-6)
    answers = [a.ask(HIKVISION_QUESTION) for a in built]
    assert answers[0].answer == answers[1].answer


def test_a_failed_vector_write_fails_the_sync_and_commits_nothing(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(corpus_dir=corpus_dir, index_dir=tmp_path / "index")
    assistant = Assistant(settings, embeddings=HashingEmbeddings())
    calls = []

    def broken_upsert(*args: object) -> None:
        calls.append(1)
        raise OSError("disk full")

    monkeypatch.setattr(assistant.index.store, "upsert", broken_upsert)
    with pytest.raises(OSError, match="disk full"):
        assistant.sync()
    assert calls and assistant.index.state.chunk_ids() == []
    monkeypatch.undo()
    report = Assistant(settings, embeddings=HashingEmbeddings()).sync()
    assert report.ok and report.consistent and len(report.added) == 11


def test_the_model_loads_only_when_something_is_embedded() -> None:
    embeddings = load_embeddings(EmbeddingSettings())
    assert isinstance(embeddings, SentenceTransformerEmbeddings)
    assert embeddings._model is None  # constructing an Assistant costs no model load
    assert embeddings.embed_documents([]) == [] and embeddings._model is None


def test_onnx_backend_changes_the_index_signature() -> None:
    torch = Settings()
    onnx = Settings(embedding={"backend": "onnx-int8"})
    assert index_signature(torch) != index_signature(onnx)


@pytest.mark.slow
def test_vectors_equal_langchain_huggingface_embeddings(real_embeddings) -> None:  # noqa: ANN001
    from langchain_huggingface import HuggingFaceEmbeddings

    from assistant.index.embeddings import packaged_model_path

    reference = HuggingFaceEmbeddings(
        model_name=str(packaged_model_path()),
        model_kwargs={"device": "cpu", "local_files_only": True},
        encode_kwargs={"normalize_embeddings": True, "batch_size": 64},
    )
    texts = ["Who ordered\nthe closure?", "Investment Canada Act", "x"]
    ours, theirs = real_embeddings.embed_documents(texts), reference.embed_documents(texts)
    assert np.allclose(ours, theirs, atol=1e-6)  # float noise of padding, nothing more
    assert np.allclose(
        real_embeddings.embed_query(texts[0]), reference.embed_query(texts[0]), atol=1e-6
    )


@pytest.mark.slow
def test_onnx_backends_export_once_and_match_the_model(tmp_path: Path, real_embeddings) -> None:  # noqa: ANN001
    texts = ["Who ordered the closure of Hikvision Canada?", "national security review", "x"]
    reference = np.asarray(real_embeddings.embed_documents(texts))
    for backend, least in (("onnx", 0.9999), ("onnx-int8", 0.9)):
        settings = EmbeddingSettings(backend=backend, onnx_dir=tmp_path)
        vectors = np.asarray(load_embeddings(settings).embed_documents(texts))
        assert vectors.shape == reference.shape
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
        assert (vectors * reference).sum(axis=1).min() >= least
    files = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("*.onnx")}
    assert len(files) == 2  # fp32 and int8, nothing left half-written
    load_embeddings(EmbeddingSettings(backend="onnx", onnx_dir=tmp_path)).embed_query("again")
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("*.onnx")} == files


def _bench_module(name: str):  # noqa: ANN202
    sys.path.insert(0, str(BENCH))
    try:
        return __import__(name)
    finally:
        sys.path.remove(str(BENCH))


def test_synthetic_corpus_is_deterministic_and_nested(tmp_path: Path) -> None:
    scale = _bench_module("scale")
    scale.generate(tmp_path / "small", 3)
    scale.generate(tmp_path / "large", 5)
    small = sorted(p.name for p in (tmp_path / "small").iterdir())
    assert len(small) == 3 and len(list((tmp_path / "large").iterdir())) == 5
    for name in small:  # the smaller corpus is a prefix of the larger one
        assert (tmp_path / "small" / name).read_bytes() == (tmp_path / "large" / name).read_bytes()
    assert scale.queries() == scale.queries()


def test_report_marks_missing_phases_and_prints_ratios(tmp_path: Path) -> None:
    common = _bench_module("common")
    report = _bench_module("report")
    assert "not run" in report.render(tmp_path)
    common.write_result(tmp_path, "indexing", {
        "documents": 10, "chunks": 12, "raw_chunks_per_s": 100.0, "pipeline_chunks_per_s": 90.0,
        "ratio": 0.9, "pipeline_s": 1.0, "reindex_s": 0.01, "reindex_fraction": 0.01,
        "reindex_cli_s": 1.5, "model_load_s": 2.0, "peak_rss_mb": 500.0,
    })  # fmt: skip
    text = report.render(tmp_path)
    assert "**0.900**" in text and "**1.00 %**" in text
    for chunks, seconds, alone in ((10000, 1.0, 0.8), (100000, 12.0, 8.0)):
        common.write_result(tmp_path, f"scale-{chunks // 10}", {
            "documents": chunks // 10, "chunks": chunks, "index_s": seconds, "bm25_build_s": 0.1,
            "reindex_s": 0.1, "chunks_per_s": round(chunks / seconds),
            "chroma_alone_s": alone, "chroma_alone_per_s": round(chunks / alone),
            "pipeline_over_chroma": round(seconds / alone, 2), "peak_rss_mb": 1.0,
            "disk_mb": {"chroma": 1, "bm25": 1, "state": 1, "corpus": 1},
            **{key: {} for key in ("retrieve_hybrid", "retrieve_dense", "retrieve_bm25",
                                   "answer_extractive")},
        })  # fmt: skip
    text = report.render(tmp_path)
    assert "**1.25**" in text and "**1.50**" in text  # pipeline / Chroma alone, per chunk
    assert "changes 1.20x (1.00: linear)" in text  # 0.12 s vs 0.1 s a chunk
    stamped = report.document(text, tmp_path)  # says when and at which commit it was measured
    assert re.search(r"indexing \d{4}-\d\d-\d\d \d\d:\d\d \([0-9a-f]{7,}\)", stamped)


@pytest.mark.slow
def test_two_processes_share_one_index_through_a_chroma_server(
    chroma_url: str,  # noqa: F811 - the fixture imported above
    corpus_dir: Path,
    tmp_path: Path,
) -> None:
    """Scaling out: an answering process sees what another process indexed (same Chroma
    server, same index folder), without a restart."""
    import os
    import subprocess
    import time

    index_dir = tmp_path / "shared-index"
    settings = Settings(
        corpus_dir=corpus_dir,
        index_dir=index_dir,
        chroma_url=chroma_url,
        collection="scale_out",
        embedding={"fake": True},
    )
    web = Assistant(settings)
    assert web.sync().ok
    assert web.ask("Where was the Quarkbridge accord signed?").refused
    (corpus_dir / "zz_quarkbridge.txt").write_text(
        "title: Quarkbridge accord\n\nThe Quarkbridge accord was signed in Lisbon in 2024."
    )
    env = {
        **os.environ,
        "ASSISTANT_EMBEDDING__FAKE": "true",
        "ASSISTANT_CHROMA_URL": chroma_url,
        "ASSISTANT_COLLECTION": "scale_out",
    }
    subprocess.run(
        [sys.executable, "-m", "assistant.cli", "index", "--corpus", str(corpus_dir),
         "--index-dir", str(index_dir)],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    time.sleep(1.2)  # readers check the committed state version at most once a second
    for mode in ("dense", "bm25"):
        answer = web.ask("Where was the Quarkbridge accord signed?", retrieval_mode=mode)
        assert not answer.refused, mode
        assert {c.source for c in answer.citations} == {"zz_quarkbridge.txt"}, mode


def test_id_only_dense_search_matches_the_full_search(fake_assistant: Assistant) -> None:
    """Dense retrieval asks Chroma for ids and distances only; same ranking and scores as
    the LangChain search with texts, and the texts then come from the committed state."""
    store = fake_assistant.index.store
    vector = fake_assistant.embeddings.embed_query(HIKVISION_QUESTION)
    full = [(d.id, s) for d, s in store.search(vector, 20)]
    ids = store.search_ids(vector, 20)
    assert [i for i, _ in ids] == [i for i, _ in full]
    assert np.allclose([s for _, s in ids], [s for _, s in full])
    state = {cid: (text, meta) for cid, text, meta in fake_assistant.index.state.all_chunks()}
    docs = fake_assistant.retriever.retrieve(HIKVISION_QUESTION, k=5, mode="dense")
    assert [d.id for d in docs] == [i for i, _ in ids[:5]]
    for doc in docs:
        text, meta = state[doc.id]
        assert doc.page_content == text and doc.metadata["source"] == meta["source"]
        assert doc.metadata["dense_score"] == pytest.approx(dict(ids)[doc.id])


def test_answer_time_embeddings_reuse_recent_sentence_vectors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Evidence sentences seen before are not embedded again; vectors are the same."""
    embeddings = load_embeddings(EmbeddingSettings())
    asked: list[list[str]] = []
    fake = HashingEmbeddings()

    def encode(texts: list[str]) -> list[list[float]]:
        asked.append(list(texts))
        return fake.embed_documents(texts)

    monkeypatch.setattr(embeddings, "_encode", encode)
    first = embeddings.embed_documents(["a b", "c d", "a b"])
    assert asked == [["a b", "c d"]]
    second = embeddings.embed_documents(["c d", "e f"])
    assert asked[-1] == ["e f"]
    assert np.allclose(second[0], first[1]) and np.allclose(first[0], first[2])
    assert np.allclose(embeddings.embed_query("e f"), fake.embed_query("e f"))
    many = [f"text {i}" for i in range(embeddings.cache_max_batch + 1)]
    embeddings.embed_documents(many)  # indexing-sized calls bypass the cache
    assert asked[-1] == many and "text 0" not in embeddings._cache
