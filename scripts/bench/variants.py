"""Item 2: faster embedding without losing quality.

Speed: the same sample of Vaswani chunk texts encoded by each variant, in interleaved
rounds (best round kept). Quality: a variant's whole Vaswani index is built through the
normal pipeline (`trec.run_benchmark` with that embedding) and its nDCG@10 compared with
the float torch model's index from the indexing phase.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from common import VASWANI, log, write_result
from indexing import vaswani_dirs

SAMPLE = 800


def _sample_texts(work: Path) -> list[str]:
    import sqlite3

    _, index = vaswani_dirs(work)
    with sqlite3.connect(index / "state.sqlite") as conn:
        rows = conn.execute("SELECT text FROM chunks ORDER BY id LIMIT ?", (SAMPLE,)).fetchall()
    return [r[0] for r in rows]


BASE = "torch bs=64 (the former default)"


def run(work: Path, quality: tuple[str, ...] = ("onnx-int8", "onnx"), rounds: int = 3) -> dict:
    import torch

    from assistant.evaluation.trec import run_benchmark
    from assistant.index.embeddings import load_embeddings
    from assistant.settings import EmbeddingSettings

    texts = _sample_texts(work)
    onnx_dir = work / "onnx-cache"
    variants = {
        BASE: EmbeddingSettings(batch_size=64),
        "torch bs=16": EmbeddingSettings(batch_size=16),
        "torch bs=32 (default)": EmbeddingSettings(),
        "torch bs=128": EmbeddingSettings(batch_size=128),
        "onnx fp32 bs=64": EmbeddingSettings(backend="onnx", onnx_dir=onnx_dir, batch_size=64),
        "onnx int8 bs=64": EmbeddingSettings(backend="onnx-int8", onnx_dir=onnx_dir, batch_size=64),
    }
    models = {name: load_embeddings(s) for name, s in variants.items()}
    for model in models.values():
        model.embed_documents(texts[:32])  # load / export / warm up
    speeds: dict[str, list[float]] = {name: [] for name in models}
    threads = torch.get_num_threads()
    log(f"speed: {len(texts)} chunk texts per variant, {rounds} interleaved rounds")
    for _ in range(rounds):
        for name, model in models.items():
            t0 = time.perf_counter()
            model.embed_documents(texts)
            speeds[name].append(len(texts) / (time.perf_counter() - t0))
        torch.set_num_threads(1)
        t0 = time.perf_counter()
        models[BASE].embed_documents(texts)
        speeds.setdefault("torch bs=64, 1 thread", []).append(
            len(texts) / (time.perf_counter() - t0)
        )
        torch.set_num_threads(threads)
    base = max(speeds[BASE])
    result: dict = {
        "sample_texts": len(texts),
        "torch_threads": threads,
        "cpu_count": os.cpu_count(),
        "speed": {
            n: {"texts_per_s": round(max(v), 1), "speedup": round(max(v) / base, 2)}
            for n, v in speeds.items()
        },
        "quality": {},
    }
    if not quality:  # speed only: keep the quality figures of an earlier run
        from common import read_result

        result["quality"] = (read_result(work, "variants") or {}).get("quality", {})
        write_result(work, "variants", result)
        return result
    log("quality: float model (existing index)")
    corpus, _ = vaswani_dirs(work)
    ref = run_benchmark(VASWANI, corpus.parent, modes=("dense", "hybrid"))
    result["quality"]["torch"] = {
        **ref.scores["dense"],
        "hybrid_ndcg@10": ref.scores["hybrid"]["ndcg@10"],
    }
    for backend in quality:
        log(f"quality: {backend} (full index of the collection through the pipeline)")
        emb = load_embeddings(EmbeddingSettings(backend=backend, onnx_dir=onnx_dir))
        t0 = time.perf_counter()
        res = run_benchmark(
            VASWANI,
            work / f"vaswani-{backend}",
            modes=("dense", "hybrid"),
            embeddings=emb,
            overrides={"embedding.backend": backend, "embedding.onnx_dir": onnx_dir},
        )
        result["quality"][backend] = {
            **res.scores["dense"],
            "hybrid_ndcg@10": res.scores["hybrid"]["ndcg@10"],
            "index_s": round(time.perf_counter() - t0, 1),
        }
        write_result(work, "variants", result)
    write_result(work, "variants", result)
    return result


def requality_float(work: Path) -> dict:
    """The float model's quality row again, on the Vaswani index the indexing phase built
    (after a change to the default settings), keeping the other rows."""
    from common import read_result

    from assistant.evaluation.trec import run_benchmark

    result = read_result(work, "variants") or {"quality": {}}
    corpus, _ = vaswani_dirs(work)
    ref = run_benchmark(VASWANI, corpus.parent, modes=("dense", "hybrid"))
    result["quality"]["torch"] = {
        **ref.scores["dense"],
        "hybrid_ndcg@10": ref.scores["hybrid"]["ndcg@10"],
    }
    write_result(work, "variants", result)
    return result
