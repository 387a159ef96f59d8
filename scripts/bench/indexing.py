"""Items 1 and 3: `assistant index` pipeline vs raw SentenceTransformer.encode; re-index.

The corpus is split in two halves and the measurements interleave (raw half 1, pipeline
half 1, raw half 2, pipeline half 2) so that load from other jobs on the shared machine
hits both sides alike; totals are summed.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from common import PY, REPO, VASWANI, log, peak_rss_mb, write_result


def vaswani_dirs(work: Path) -> tuple[Path, Path]:
    return work / "vaswani" / "corpus", work / "vaswani" / "index"


def run(work: Path, max_docs: int | None = None) -> dict:
    from assistant.core import Assistant
    from assistant.evaluation.trec import TrecCollection, load_trec, write_corpus
    from assistant.index.indexer import embedding_text
    from assistant.ingest.chunking import chunk_document
    from assistant.ingest.documents import file_sha256, load_document
    from assistant.settings import load_settings

    collection = load_trec(VASWANI)
    items = list(collection.docs.items())[: max_docs or None]
    corpus, index = vaswani_dirs(work)
    shutil.rmtree(work / "vaswani", ignore_errors=True)
    halves = [dict(items[: len(items) // 2]), dict(items[len(items) // 2 :])]
    staging = work / "vaswani" / "staging"
    names = [
        write_corpus(TrecCollection(h, {}, {}), staging / str(i)) for i, h in enumerate(halves)
    ]
    settings = load_settings(corpus_dir=corpus, index_dir=index, chroma_url=None)

    t0 = time.perf_counter()
    assistant = Assistant(settings)
    model = assistant.embeddings
    model.embed_documents(["warm up the model"])
    load_s = time.perf_counter() - t0
    st = getattr(model, "_client", None) or model.model  # the SentenceTransformer itself

    raw_s = pipe_s = 0.0
    chunks_raw = chunks_pipe = 0
    corpus.mkdir(parents=True)
    for i, half in enumerate(names):
        texts = []
        for name in half:  # the exact texts the pipeline embeds (title line + chunk text)
            path = staging / str(i) / name
            doc = load_document(path, staging / str(i))
            texts += [embedding_text(c) for c in chunk_document(doc, settings.chunking, "x")]
            file_sha256(path)
        log(f"raw encode, half {i + 1}: {len(texts)} chunk texts")
        t0 = time.perf_counter()
        st.encode(texts, batch_size=settings.embedding.batch_size, normalize_embeddings=True)
        raw_s += time.perf_counter() - t0
        chunks_raw += len(texts)
        for name in half:
            shutil.move(staging / str(i) / name, corpus / name)
        log(f"pipeline sync, half {i + 1}")
        t0 = time.perf_counter()
        report = assistant.sync()
        pipe_s += time.perf_counter() - t0
        assert report.ok and report.consistent, report.summary()
        chunks_pipe += report.chunks_embedded
    log("re-index of the unchanged corpus (same process)")
    t0 = time.perf_counter()
    again = assistant.sync()
    reindex_s = time.perf_counter() - t0
    assert again.chunks_embedded == 0 and again.consistent
    log("re-index of the unchanged corpus (`assistant index`, new process)")
    t0 = time.perf_counter()
    subprocess.run(
        [PY, "-m", "assistant.cli", "index", "--corpus", str(corpus), "--index-dir", str(index)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    reindex_cli_s = time.perf_counter() - t0
    raw_rate, pipe_rate = chunks_raw / raw_s, chunks_pipe / pipe_s
    result = {
        "documents": len(items),
        "chunks": chunks_pipe,
        "model_load_s": round(load_s, 2),
        "raw_s": round(raw_s, 1),
        "pipeline_s": round(pipe_s, 1),
        "raw_chunks_per_s": round(raw_rate, 1),
        "pipeline_chunks_per_s": round(pipe_rate, 1),
        "pipeline_docs_per_s": round(len(items) / pipe_s, 1),
        "ratio": round(pipe_rate / raw_rate, 3),
        "reindex_s": round(reindex_s, 2),
        "reindex_fraction": round(reindex_s / pipe_s, 4),
        "reindex_cli_s": round(reindex_cli_s, 2),
        "peak_rss_mb": peak_rss_mb(),
        "batch_size": settings.embedding.batch_size,
    }
    write_result(work, "indexing", result)
    return result
