"""Item 5: a deterministic synthetic corpus at 10k and 100k chunks (fake embeddings).

Embedding 100k chunks with MiniLM would take 15-30 minutes on this machine, so the
scale points use the deterministic hashing embedding (same 384 dimensions, same Chroma
HNSW index, same BM25): index time then measures everything except the model, whose
cost is linear and known from the Vaswani run (chunks / raw chunks per second).
"""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path

from common import folder_mb, log, peak_rss_mb, percentiles, read_result, timed_ms, write_result

CHUNKS_PER_DOC = 10  # about: ~10 paragraphs of ~650 characters, chunk_size 700
SYLLABLES = [a + b for a in "bcdfghklmnprstvz" for b in ("a", "e", "i", "o", "u", "ai", "ou")]
COMMON = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "with",
    "as",
    "was",
    "by",
    "it",
    "from",
    "at",
    "be",
    "this",
    "are",
    "which",
    "an",
    "or",
    "has",
    "were",
    "its",
    "not",
    "but",
    "after",
    "also",
    "had",
    "their",
    "been",
    "more",
    "said",
    "than",
    "new",
    "one",
    "two",
    "first",
]


def _words(rng: random.Random, n: int) -> list[str]:
    out: set[str] = set()
    while len(out) < n:
        out.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(out)


def vocabulary(seed: int = 7) -> tuple[list[str], list[list[str]]]:
    rng = random.Random(seed)
    words = _words(rng, 20000)
    topics = [rng.sample(words, 40) for _ in range(500)]
    return words, topics


def generate(folder: Path, documents: int, seed: int = 7) -> None:
    """``documents`` text files; file i is the same whatever ``documents`` is."""
    words, topics = vocabulary(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(documents):
        rng = random.Random(seed * 1_000_003 + i)
        topic = topics[i % len(topics)]
        paragraphs = []
        for _ in range(CHUNKS_PER_DOC):
            sentences = []
            for _ in range(7):
                n = rng.randint(8, 16)
                sent = [
                    rng.choice(topic)
                    if rng.random() < 0.3
                    else rng.choice(COMMON)
                    if rng.random() < 0.4
                    else rng.choice(words)
                    for _ in range(n)
                ]
                sentences.append(" ".join(sent).capitalize() + ".")
            paragraphs.append(" ".join(sentences))
        title = " ".join(rng.sample(topic, 3)).title()
        header = (
            f"title: {title}\npublisher: Synthetic {i % 17}\ndate: 2024-{i % 12 + 1:02d}-01\n\n"
        )
        (folder / f"doc{i:06d}.txt").write_text(header + "\n\n".join(paragraphs))


def queries(n: int = 60, seed: int = 11) -> list[str]:
    _, topics = vocabulary()
    rng = random.Random(seed)
    return [" ".join(rng.sample(topics[rng.randrange(100)], 3)) for _ in range(n)]


def measure_queries(assistant, result: dict) -> dict:  # noqa: ANN001
    qs = queries()
    for q in qs[:5]:
        assistant.ask(q)
    for mode in ("hybrid", "dense", "bm25"):
        times = [
            timed_ms(lambda q=q, m=mode: assistant.retriever.retrieve(q, k=5, mode=m))[0]
            for q in qs
        ]
        result[f"retrieve_{mode}"] = percentiles(times)
    times = [timed_ms(lambda q=q: assistant.ask(q))[0] for q in qs]
    result["answer_extractive"] = percentiles(times)
    return result


def scale_assistant(root: Path):  # noqa: ANN201 - an Assistant
    """The Assistant over a scale point's folders, with the fake (hashing) embedding."""
    from assistant.core import Assistant
    from assistant.settings import load_settings

    return Assistant(
        load_settings(
            corpus_dir=root / "corpus",
            index_dir=root / "index",
            chroma_url=None,
            **{"embedding.fake": True},
        )
    )


def measure_update(assistant, corpus: Path, result: dict) -> dict:  # noqa: ANN001
    """One file edited in a big corpus: the whole `sync`, and BM25 rebuilt with and without
    the saved term table (only the edited file's chunks re-tokenized), interleaved."""
    from assistant.index.bm25 import BM25Index, TermTable

    index = assistant.index
    bm25 = index.refresh_bm25()
    if TermTable.load(index.bm25_dir) is None:  # an index saved before term tables existed
        version, ids, texts = index.state.live_chunks()
        BM25Index.build(ids, texts, version).save(index.bm25_dir)
    edited = sorted(corpus.glob("*.txt"))[len(bm25.ids) // 20 // CHUNKS_PER_DOC]
    edited.write_text(edited.read_text() + "\n\nAn added paragraph about harbour tides.\n")
    log("one edited file: sync, then BM25 rebuilds with and without the term table")
    t0 = time.perf_counter()
    report = assistant.sync()
    sync_s = time.perf_counter() - t0
    assert report.updated == [edited.name] and report.consistent, report.summary()
    version, ids, texts = index.state.live_chunks()
    table = TermTable.load(index.bm25_dir)
    full, reused = [], []
    for _ in range(2):
        full.append(timed_ms(lambda: BM25Index.build(ids, texts, version))[0] / 1000)
        reused.append(timed_ms(lambda: BM25Index.build(ids, {}, version, table))[0] / 1000)
    result["one_file_change"] = {
        "sync_s": round(sync_s, 2),
        "chunks_embedded": report.chunks_embedded,
        "bm25_full_s": round(min(full), 2),
        "bm25_reused_s": round(min(reused), 2),
    }
    return result


def update(work: Path, documents: int) -> dict:
    """`measure_update` on an index the scale phase built (regenerates its corpus)."""
    root = work / f"scale-{documents}"
    result = read_result(work, f"scale-{documents}") or {}
    generate(root / "corpus", documents)
    assistant = scale_assistant(root)
    assert assistant.sync().chunks_embedded == 0  # the same deterministic corpus
    measure_update(assistant, root / "corpus", result)
    write_result(work, f"scale-{documents}", result)
    shutil.rmtree(root / "corpus", ignore_errors=True)
    return result


def requery(work: Path, documents: int) -> dict:
    """Query latency again on an index the scale phase built (after a retrieval change)."""
    root = work / f"scale-{documents}"
    result = read_result(work, f"scale-{documents}") or {}
    measure_queries(scale_assistant(root), result)
    write_result(work, f"scale-{documents}", result)
    return result


def chroma_alone(assistant) -> dict:  # noqa: ANN001
    """Chroma's own cost for the records the pipeline just wrote: the same ids, texts,
    metadata and vectors, upserted in the pipeline's batch size into a fresh collection of
    the same kind, in the same process (the yardstick of the pipeline's cost per chunk)."""
    import numpy as np

    from assistant.index.indexer import WRITE_MIN

    store = assistant.index.store
    ids, texts, metas, vectors = [], [], [], []
    while True:
        got = store.collection.get(
            include=["embeddings", "documents", "metadatas"], limit=10000, offset=len(ids)
        )
        if not got["ids"]:
            break
        ids += got["ids"]
        texts += got["documents"]
        metas += got["metadatas"]
        vectors.append(np.asarray(got["embeddings"], dtype=np.float32))
    matrix = np.concatenate(vectors)
    name = "chroma-alone"
    if name in [c.name for c in store.client.list_collections()]:
        store.client.delete_collection(name)
    target = store.client.create_collection(name, metadata={"hnsw:space": "cosine"})
    log(f"Chroma alone: upserting the same {len(ids)} records")
    t0 = time.perf_counter()
    for i in range(0, len(ids), WRITE_MIN):
        part = slice(i, i + WRITE_MIN)
        target.upsert(
            ids=ids[part], documents=texts[part], metadatas=metas[part], embeddings=matrix[part]
        )
    seconds = time.perf_counter() - t0
    store.client.delete_collection(name)
    store.reclaim_space()  # the dropped collection's folder, not part of the index
    return {"chroma_alone_s": round(seconds, 1), "chroma_alone_per_s": round(len(ids) / seconds)}


def run(work: Path, documents: int) -> dict:
    from assistant.index.bm25 import BM25Index

    root = work / f"scale-{documents}"
    shutil.rmtree(root, ignore_errors=True)
    log(f"generating {documents} synthetic documents")
    t0 = time.perf_counter()
    generate(root / "corpus", documents)
    gen_s = time.perf_counter() - t0
    assistant = scale_assistant(root)
    log("indexing (fake embeddings)")
    t0 = time.perf_counter()
    report = assistant.sync()
    index_s = time.perf_counter() - t0
    assert report.ok and report.consistent, report.summary()
    rows = assistant.index.state.all_chunks()
    t0 = time.perf_counter()
    BM25Index.build([r[0] for r in rows], {r[0]: r[1] for r in rows}, 0)
    bm25_build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = assistant.sync()
    reindex_s = time.perf_counter() - t0
    assert again.chunks_embedded == 0
    disk = {
        "chroma": folder_mb(root / "index" / "chroma"),
        "bm25": folder_mb(root / "index" / "bm25"),
        "state": folder_mb(root / "index" / "state.sqlite"),
        "corpus": folder_mb(root / "corpus"),
    }
    indexing_rss_mb = peak_rss_mb()  # before Chroma alone holds a second copy of everything
    alone = chroma_alone(assistant)
    result = {
        "documents": documents,
        "chunks": report.chunks_total,
        "generate_s": round(gen_s, 1),
        "index_s": round(index_s, 1),
        "chunks_per_s": round(report.chunks_total / index_s),
        **alone,
        "pipeline_over_chroma": round(index_s / alone["chroma_alone_s"], 2),
        "bm25_build_s": round(bm25_build_s, 1),
        "reindex_s": round(reindex_s, 2),
        "disk_mb": disk,
    }
    measure_queries(assistant, result)
    result["peak_rss_mb"] = indexing_rss_mb
    measure_update(assistant, root / "corpus", result)
    write_result(work, f"scale-{documents}", result)
    shutil.rmtree(root / "corpus", ignore_errors=True)
    return result
