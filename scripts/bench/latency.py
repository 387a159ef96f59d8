"""Item 4: query latency after warm-up, cold start, time to the first answer."""

from __future__ import annotations

import statistics
import subprocess
import time
from pathlib import Path

from common import PY, REPO, VASWANI, log, percentiles, timed_ms, write_result
from indexing import vaswani_dirs

FIRST_ANSWER = """
import time, sys
t0 = float(sys.argv[1])
from assistant.core import Assistant
from assistant.settings import load_settings
a = Assistant(load_settings(corpus_dir=sys.argv[2], index_dir=sys.argv[3]))
a.ask(sys.argv[4])
print(time.time() - t0)
"""


def vaswani_queries() -> list[str]:
    from assistant.evaluation.trec import load_trec

    collection = load_trec(VASWANI)
    return [collection.queries[q] for q in collection.judged_queries()]


def cold_start() -> dict:
    helps = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([PY, "-m", "assistant.cli", "--help"], cwd=REPO, capture_output=True)
        helps.append(time.perf_counter() - t0)
    return {"help_s_median": round(statistics.median(helps), 2), "help_s_max": round(max(helps), 2)}


def run(work: Path, local_n: int = 20) -> dict:
    from assistant.core import Assistant
    from assistant.settings import load_settings

    corpus, index = vaswani_dirs(work)
    queries = vaswani_queries()
    result: dict = {"queries": len(queries), **cold_start()}
    log("time to the first answer from a cold process")
    firsts = []
    for _ in range(2):
        out = subprocess.run(
            [PY, "-c", FIRST_ANSWER, str(time.time()), str(corpus), str(index), queries[0]],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        )
        firsts.append(float(out.stdout.strip().splitlines()[-1]))
    result["first_answer_s"] = round(min(firsts), 2)

    assistant = Assistant(load_settings(corpus_dir=corpus, index_dir=index))
    for q in queries[:5]:  # warm-up: model, BM25, caches
        assistant.ask(q)
    cache = getattr(assistant.embeddings, "_cache", None)

    def cold(fn):  # noqa: ANN001, ANN202 - no vector remembered from an earlier question
        def call():  # noqa: ANN202
            if cache is not None:
                cache.clear()
            return fn()

        return call

    log("retrieval alone (query embedding + dense + BM25 + fusion), k=5")
    for mode in ("hybrid", "dense", "bm25"):
        times = [
            timed_ms(cold(lambda q=q, m=mode: assistant.retriever.retrieve(q, k=5, mode=m)))[0]
            for q in queries
        ]
        result[f"retrieve_{mode}"] = percentiles(times)
    vector = assistant.embeddings.embed_query(queries[0])
    times = [timed_ms(cold(lambda q=q: assistant.embeddings.embed_query(q)))[0] for q in queries]
    result["embed_query"] = percentiles(times)
    times = [timed_ms(lambda: assistant.index.store.search_ids(vector, 100))[0] for _ in queries]
    result["chroma_top100"] = percentiles(times)
    log("full extractive answers (new questions, then the same questions again)")
    times = [timed_ms(cold(lambda q=q: assistant.ask(q)))[0] for q in queries]
    result["answer_extractive"] = percentiles(times)
    for q in queries:
        assistant.ask(q)
    times = [timed_ms(lambda q=q: assistant.ask(q))[0] for q in queries]
    result["answer_extractive_repeat"] = percentiles(times)
    log(f"local-model answers ({local_n} questions)")
    try:
        assistant.ask(queries[0], mode="local")
        times, fallbacks = [], 0
        for q in queries[1 : 1 + local_n]:
            ms, answer = timed_ms(lambda q=q: assistant.ask(q, mode="local"))
            times.append(ms)
            fallbacks += bool(answer.metadata.get("fallback"))
        result["answer_local"] = {**percentiles(times), "fallbacks": fallbacks}
    except Exception as exc:  # noqa: BLE001 - the local extra may be missing
        result["answer_local"] = {"error": f"{type(exc).__name__}: {exc}"}
    write_result(work, "latency", result)
    return result
