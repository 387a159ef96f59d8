"""Items 6 and 7: the same queries against a `chroma run` server; 8 concurrent web clients."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from common import log, percentiles, timed_ms, write_result
from indexing import vaswani_dirs
from latency import vaswani_queries


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_chroma(data: Path) -> tuple[subprocess.Popen, str]:
    import httpx

    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = _free_port()
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("chroma run did not start within 60 s")


def _cold(fn, assistant):  # noqa: ANN001, ANN202
    def call():  # noqa: ANN202
        cache = getattr(assistant.embeddings, "_cache", None)
        if cache is not None:
            cache.clear()
        return fn()

    return call


def run_chroma(work: Path) -> dict:
    """Copy the Vaswani vectors into a server collection (no re-embedding) and publish the
    committed state there, then time the same queries through an embedded ``Assistant`` and
    a stateless one (an empty index folder: state and BM25 read from the server)."""
    from assistant.core import Assistant
    from assistant.index.indexer import _publish
    from assistant.settings import load_settings

    corpus, index = vaswani_dirs(work)
    local = Assistant(load_settings(corpus_dir=corpus, index_dir=index, chroma_url=None))
    remote_dir = work / "vaswani-stateless"
    shutil.rmtree(remote_dir, ignore_errors=True)
    remote_dir.mkdir(parents=True)
    proc, url = start_chroma(work / "chroma-server-data")
    try:
        settings = load_settings(
            corpus_dir=remote_dir / "corpus", index_dir=remote_dir, chroma_url=url
        )
        remote = Assistant(settings, embeddings=local.embeddings)
        log("copying vectors to the server")
        offset = 0
        while True:
            got = local.index.store.collection.get(
                include=["embeddings", "documents", "metadatas"], limit=2000, offset=offset
            )
            if not got["ids"]:
                break
            remote.index.store.upsert(
                got["ids"], got["documents"], got["metadatas"], got["embeddings"]
            )
            offset += len(got["ids"])
        log("publishing the committed state and BM25 to the server")
        local.index.published = remote.index.published  # publish the local state there
        publish_s = (
            timed_ms(lambda: _publish(local.index, local.index.refresh_bm25(), corpus))[0] / 1000
        )
        local.index.published = None
        load_s = timed_ms(lambda: remote.index.published.load())[0] / 1000
        queries = vaswani_queries()
        vectors = local.embeddings.embed_documents(queries)
        result: dict = {
            "chunks": offset,
            "queries": len(queries),
            "stateless": True,
            "publish_s": round(publish_s, 2),
            "published_load_s": round(load_s, 2),
        }
        for name, a in (("embedded", local), ("server", remote)):
            for q in queries[:5]:
                a.ask(q)
            result[f"{name}_dense_top100"] = percentiles(
                [timed_ms(lambda v=v, a=a: a.index.store.search(v, 100))[0] for v in vectors]
            )
            # Both assistants share one embedding object: forget remembered vectors before
            # each call so that neither side profits from the other's questions.
            result[f"{name}_retrieve_hybrid"] = percentiles(
                [timed_ms(_cold(lambda q=q, a=a: a.retriever.retrieve(q, k=5), a))[0]
                 for q in queries]
            )  # fmt: skip
            result[f"{name}_answer"] = percentiles(
                [timed_ms(_cold(lambda q=q, a=a: a.ask(q), a))[0] for q in queries]
            )
        same = sum(
            [d.metadata.get("source") for d in local.retriever.retrieve(q, k=5)]
            == [d.metadata.get("source") for d in remote.retriever.retrieve(q, k=5)]
            for q in queries
        )
        result["same_top5"] = f"{same}/{len(queries)}"
        result["answerer_files"] = sorted(p.name for p in remote_dir.iterdir())  # none
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    write_result(work, "server", result)
    return result


def run_concurrency(work: Path, clients: int = 8, per_client: int = 12) -> dict:
    """8 gradio_client clients ask through the page's /ask API at once."""
    from gradio_client import Client

    from assistant.core import Assistant
    from assistant.settings import load_settings
    from assistant.web.app import launch

    corpus, index = vaswani_dirs(work)
    settings = load_settings(
        corpus_dir=corpus, index_dir=index, feedback_path=work / "feedback.sqlite"
    )
    assistant = Assistant(settings)
    queries = vaswani_queries()
    assistant.ask(queries[0])
    demo, url = launch(assistant, host="127.0.0.1", port=0, prevent_thread_lock=True, quiet=True)
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        c = Client(url, verbose=False)
        for i in range(per_client):
            q = queries[(n * per_client + i) % len(queries)]
            try:
                ms, out = timed_ms(lambda q=q: c.predict(q, api_name="/ask"))
                ok = isinstance(out, dict) and "answer" in out
                with lock:
                    (times.append(ms) if ok else errors.append(f"bad reply {out!r:.80}"))
            except Exception as exc:  # noqa: BLE001 - counted, not raised
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])

    try:
        log(f"{clients} clients x {per_client} questions through /ask")
        one = Client(url, verbose=False)
        single = [timed_ms(lambda q=q: one.predict(q, api_name="/ask"))[0] for q in queries[:8]]
        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
    finally:
        demo.close()
    result = {
        "clients": clients,
        "answers": len(times),
        "errors": len(errors),
        "error_examples": errors[:3],
        "answers_per_s": round(len(times) / wall, 2),
        "latency_ms": percentiles(times),
        "one_client_latency_ms": percentiles(single),
        "web_concurrency_limit": 4,
    }
    write_result(work, "concurrency", result)
    return result
