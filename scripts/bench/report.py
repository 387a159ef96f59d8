"""Turns the phases' JSON results into the printed table and BENCHMARKS.md."""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

from common import PHASES, head_commit, read_result


def _pp(d: dict | None) -> str:
    if not d or "p50" not in d:
        return (d or {}).get("error", "n/a")
    return f"{d['p50']:.0f} / {d['p95']:.0f}"


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GB RAM, Python {platform.python_version()}, "
        f"load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        "(the machine is shared with other jobs: absolute figures are noisy, ratios less so)"
    )


def render(work: Path) -> str:
    out: list[str] = []
    add = out.append
    ix = read_result(work, "indexing")
    add("### 1, 3. Indexing Vaswani through the pipeline vs raw `SentenceTransformer.encode`\n")
    if ix:
        add(
            "| documents | chunks | raw chunks/s | pipeline chunks/s "
            "| pipeline/raw (target >= 0.95) "
            "| first index s | re-index s (same process) | re-index / first (target < 2 %) "
            "| `assistant index` unchanged, new process s | model load s | peak RSS MB |"
        )
        add("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        add(
            f"| {ix['documents']} | {ix['chunks']} | {ix['raw_chunks_per_s']} "
            f"| {ix['pipeline_chunks_per_s']} | **{ix['ratio']:.3f}** | {ix['pipeline_s']} "
            f"| {ix['reindex_s']} | **{100 * ix['reindex_fraction']:.2f} %** "
            f"| {ix['reindex_cli_s']} | {ix['model_load_s']} | {ix['peak_rss_mb']} |"
        )
    else:
        add("not run (Vaswani collection missing or phase failed)")
    va = read_result(work, "variants")
    add("\n### 2. Embedding variants (speed on the same chunk texts, same process)\n")
    if va:
        add(
            f"Sample: {va['sample_texts']} Vaswani chunk texts; torch threads: "
            f"{va['torch_threads']}.\n"
        )
        add("| variant | texts/s | speed-up vs torch bs=64 |")
        add("|---|---:|---:|")
        for name, v in va["speed"].items():
            add(f"| {name} | {v['texts_per_s']} | {v['speedup']:.2f}x |")
        add("\nQuality (whole collection indexed with the variant, 93 queries):\n")
        add(
            "| model | dense nDCG@10 | dense MAP | dense recall@100 | hybrid nDCG@10 "
            "| dense nDCG@10 - float | hybrid nDCG@10 - float | write + index + score s |"
        )
        add("|---|---:|---:|---:|---:|---:|---:|---:|")
        base = va["quality"].get("torch", {})
        for name, q in va["quality"].items():
            deltas = [
                f"{q[key] - base[key]:+.4f}" if key in base else "n/a"
                for key in ("ndcg@10", "hybrid_ndcg@10")
            ]
            add(
                f"| {name} | {q['ndcg@10']:.4f} | {q['map']:.4f} | {q['recall@100']:.4f} "
                f"| {q['hybrid_ndcg@10']:.4f} | {deltas[0]} | {deltas[1]} "
                f"| {q.get('index_s', 'see item 1')} |"
            )
    else:
        add("not run")
    la = read_result(work, "latency")
    add("\n### 4. Query latency after warm-up (Vaswani index, p50 / p95 ms)\n")
    if la:
        add("| measure | p50 / p95 ms | target |")
        add("|---|---:|---|")
        add(f"| query embedding alone | {_pp(la['embed_query'])} | |")
        add(f"| Chroma top-100 ids by vector | {_pp(la['chroma_top100'])} | |")
        add(
            f"| retrieval, hybrid (embed + dense + BM25 + fusion) | {_pp(la['retrieve_hybrid'])} "
            "| p50 <= 30 |"
        )
        add(f"| retrieval, dense only | {_pp(la['retrieve_dense'])} | |")
        add(f"| retrieval, BM25 only | {_pp(la['retrieve_bm25'])} | |")
        add(
            f"| full extractive answer, new question | {_pp(la['answer_extractive'])} "
            "| p50 <= 100 |"
        )
        if "answer_extractive_repeat" in la:
            add(
                f"| extractive answer, question asked before (sentence vectors cached) "
                f"| {_pp(la['answer_extractive_repeat'])} | |"
            )
        local = la["answer_local"]
        extra = f" ({local['fallbacks']} of {local['n']} fell back)" if "n" in local else ""
        add(
            f"| local-model answer (SmolLM2-135M + verification){extra} | {_pp(local)} "
            "| p50 <= 2500 |"
        )
        add(
            f"\nCold start: `assistant --help` {la['help_s_median']} s median of 5 (max "
            f"{la['help_s_max']} s; target < 1 s). First answer from a cold process (import, "
            f"open index, load model, answer): {la['first_answer_s']} s."
        )
    else:
        add("not run")
    add("\n### 5. Scale: synthetic corpus, fake (hashing) embeddings\n")
    points = [read_result(work, f"scale-{n}") for n in (1000, 10000)]
    points = [p for p in points if p]
    if points:
        add(
            "| chunks | documents | index s | BM25 build s | re-index s | Chroma MB | BM25 MB "
            "| state MB | peak RSS MB | hybrid p50/p95 | dense p50/p95 | BM25 p50/p95 "
            "| answer p50/p95 |"
        )
        add("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for p in points:
            d = p["disk_mb"]
            add(
                f"| {p['chunks']} | {p['documents']} | {p['index_s']} | {p['bm25_build_s']} "
                f"| {p['reindex_s']} | {d['chroma']} | {d['bm25']} | {d['state']} "
                f"| {p['peak_rss_mb']} | {_pp(p['retrieve_hybrid'])} | {_pp(p['retrieve_dense'])} "
                f"| {_pp(p['retrieve_bm25'])} | {_pp(p['answer_extractive'])} |"
            )
        rates = [p for p in points if "chroma_alone_s" in p]
        if rates:
            add(
                "\nIndexing speed with the fake embedding, against Chroma alone writing the same "
                "records (ids, texts, metadata, vectors) in the same batches, same process:\n"
            )
            add(
                "| chunks | pipeline chunks/s (target >= 1,000 at 100k) | Chroma alone chunks/s "
                "| pipeline / Chroma alone, time per chunk (target <= 2) | ms per chunk |"
            )
            add("|---:|---:|---:|---:|---:|")
            for p in rates:
                add(
                    f"| {p['chunks']} | **{p['chunks_per_s']}** | {p['chroma_alone_per_s']} "
                    f"| **{p['pipeline_over_chroma']:.2f}** "
                    f"| {1000 * p['index_s'] / p['chunks']:.2f} |"
                )
            if len(rates) == 2:
                small, large = rates
                growth = (large["index_s"] / large["chunks"]) / (small["index_s"] / small["chunks"])
                add(
                    f"\nFrom {small['chunks']} to {large['chunks']} chunks the time per chunk "
                    f"changes {growth:.2f}x (1.00: linear)."
                )
        edits = [p for p in points if "one_file_change" in p]
        if edits:
            add(
                "\nOne file edited, then `sync` (the edited file's chunks re-embedded and "
                "re-tokenized; BM25 rebuilt from the saved term table):\n"
            )
            add(
                "| chunks | sync s | chunks embedded | BM25 rebuild, all chunks tokenized s "
                "| BM25 rebuild, saved terms reused s | speed-up |"
            )
            add("|---:|---:|---:|---:|---:|---:|")
            for p in edits:
                u = p["one_file_change"]
                add(
                    f"| {p['chunks']} | {u['sync_s']} | {u['chunks_embedded']} "
                    f"| {u['bm25_full_s']} | {u['bm25_reused_s']} "
                    f"| **{u['bm25_full_s'] / max(u['bm25_reused_s'], 1e-9):.1f}x** |"
                )
    else:
        add("not run")
    sv = read_result(work, "server")
    add(
        "\n### 6. Client/server: the same queries against `chroma run`, "
        "stateless answerer (p50 / p95 ms)\n"
    )
    if sv:
        add("| measure | embedded | server | overhead p50 |")
        add("|---|---:|---:|---:|")
        for key, label in (
            ("dense_top100", "Chroma top-100 by vector, with texts"),
            ("retrieve_hybrid", "hybrid retrieval, incl. query embedding"),
            ("answer", "extractive answer, new question"),
        ):
            e, s = sv[f"embedded_{key}"], sv[f"server_{key}"]
            add(f"| {label} | {_pp(e)} | {_pp(s)} | {s['p50'] - e['p50']:+.1f} ms |")
        add(
            f"\n{sv['chunks']} vectors copied to the server; identical top-5 sources for "
            f"{sv['same_top5']} queries."
        )
        if sv.get("stateless"):
            add(
                f"The server side is a stateless answerer: an empty index folder, the committed "
                f"state and BM25 read from the server's `-meta` collection (publishing them "
                f"took {sv['publish_s']} s, loading them in the answerer "
                f"{sv['published_load_s']} s; files the answerer wrote in its index folder: "
                f"{len(sv['answerer_files'])})."
            )
    else:
        add("not run")
    co = read_result(work, "concurrency")
    add("\n### 7. Concurrency: 8 clients through the web page's `/ask` API (gradio_client)\n")
    if co:
        add(
            "| clients | answers | errors | answers/s | p50 / p95 ms "
            "| one client alone p50 / p95 ms |"
        )
        add("|---:|---:|---:|---:|---:|---:|")
        add(
            f"| {co['clients']} | {co['answers']} | {co['errors']} | {co['answers_per_s']} "
            f"| {_pp(co['latency_ms'])} | {_pp(co['one_client_latency_ms'])} |"
        )
        if co["error_examples"]:
            add("\nErrors: " + "; ".join(co["error_examples"]))
    else:
        add("not run")
    return "\n".join(out)


def provenance(work: Path) -> str:
    """When and at which commit each phase's result file was last written."""
    parts = []
    for name in PHASES:
        path = work / f"{name}.json"
        if not path.exists():
            continue
        stamp = json.loads(path.read_text()).get("measured") or {
            "at": time.strftime("%Y-%m-%d %H:%M", time.localtime(path.stat().st_mtime)),
            "commit": "commit not recorded",
        }
        parts.append(f"{name} {stamp['at']} ({stamp['commit']})")
    if not parts:
        return ""
    return (
        "Phase results last written (a `--reuse` render mixes runs, and the `update-`, "
        "`requery-` and `variants-` phases refresh part of a file): " + "; ".join(parts) + "."
    )


def document(tables: str, work: Path) -> str:
    notes = (Path(__file__).parent / "NOTES.md").read_text()
    return (
        "# Benchmarks\n\n"
        "Generated by `make bench` (`scripts/bench/`); edit `scripts/bench/NOTES.md` for the "
        "text below the tables, not this file.\n\n"
        f"Rendered: {time.strftime('%Y-%m-%d %H:%M')}, commit {head_commit()}. "
        f"Machine: {machine()}. {provenance(work)}\n\n"
        f"{tables}\n\n{notes}"
    )
