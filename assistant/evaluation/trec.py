"""Retrieval benchmark on a TREC-format test collection (documents, topics, qrels).

The collection goes through the project's own indexing: every document is
written as a text file into a work folder and ``Assistant.sync`` chunks, embeds
and indexes it; queries go through ``HybridRetriever.retrieve`` in each mode.
Chunk hits are turned into a document ranking by each document's best chunk.

The measures (nDCG@10, MAP, recall@100, as trec_eval computes them) are in
``trec_metrics.py``.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import InputError
from assistant.evaluation.trec_metrics import score_run

_DOC = re.compile(r"<DOC>(.*?)</DOC>", re.S | re.I)
_DOCNO = re.compile(r"<DOCNO>\s*(.*?)\s*</DOCNO>", re.S | re.I)
_TOP = re.compile(r"<top>(.*?)</top>", re.S | re.I)
_NUM = re.compile(r"<num>\s*(?:Number:)?\s*(.*?)\s*(?:</num>|\n|<)", re.S | re.I)
_TITLE = re.compile(r"<title>\s*(.*?)\s*(?:</title>|<desc>|<narr>|</top>)", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")


class TrecFormatError(InputError):
    """The folder is not a TREC collection we can read; the message says what is missing."""


@dataclass
class TrecCollection:
    docs: dict[str, str]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]  # query id -> doc id -> relevance grade
    name: str = "collection"

    def judged_queries(self) -> list[str]:
        """Queries that have at least one relevant document (the ones that are scored)."""
        return [q for q in self.queries if any(g > 0 for g in self.qrels.get(q, {}).values())]


def parse_docs(text: str, origin: str = "<text>") -> dict[str, str]:
    docs: dict[str, str] = {}
    for match in _DOC.finditer(text):
        body = match.group(1)
        number = _DOCNO.search(body)
        if not number:
            raise TrecFormatError(f"{origin}: a <DOC> without <DOCNO> near offset {match.start()}")
        content = _TAG.sub(" ", _DOCNO.sub(" ", body))
        docs[number.group(1).strip()] = " ".join(content.split())
    return docs


def parse_topics(text: str, origin: str = "<text>") -> dict[str, str]:
    queries: dict[str, str] = {}
    for match in _TOP.finditer(text):
        body = match.group(1)
        num, title = _NUM.search(body), _TITLE.search(body)
        if not num or not title:
            raise TrecFormatError(f"{origin}: a <top> without <num> or <title>: {body[:80]!r}")
        queries[num.group(1).strip()] = " ".join(_TAG.sub(" ", title.group(1)).split())
    return queries


def parse_qrels(text: str, origin: str = "<text>") -> dict[str, dict[str, int]]:
    """``query iteration doc relevance`` lines."""
    qrels: dict[str, dict[str, int]] = {}
    for line_no, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 4:
            raise TrecFormatError(
                f"{origin}, line {line_no}: expected 'query iteration doc relevance', got {line!r}"
            )
        try:
            grade = int(parts[3])
        except ValueError as exc:
            raise TrecFormatError(
                f"{origin}, line {line_no}: relevance {parts[3]!r} is not an integer"
            ) from exc
        qrels.setdefault(parts[0], {})[parts[2]] = grade
    return qrels


def _find(folder: Path, patterns: Iterable[str]) -> list[Path]:
    for pattern in patterns:
        found = sorted(p for p in folder.glob(pattern) if p.is_file())
        if found:
            return found
    return []


def load_trec(folder: Path) -> TrecCollection:
    """Documents from ``corpus/*`` (or ``*doc*``), topics from ``*quer*``/``*topic*``,
    judgements from ``qrels*``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise TrecFormatError(f"{folder}: no such folder (expected a TREC collection)")
    doc_files = _find(folder, ["corpus/*", "docs/*", "*doc*"])
    topic_files = _find(folder, ["*quer*", "*topic*"])
    qrel_files = _find(folder, ["qrels*", "*qrel*"])
    missing = [
        name
        for name, files in (
            ("documents (corpus/*.trec with <DOC> entries)", doc_files),
            ("topics (query-text.trec with <top> entries)", topic_files),
            ("relevance judgements (qrels)", qrel_files),
        )
        if not files
    ]
    if missing:
        raise TrecFormatError(f"{folder}: missing {', '.join(missing)}")
    docs: dict[str, str] = {}
    for path in doc_files:
        docs.update(parse_docs(path.read_text(encoding="utf-8", errors="replace"), str(path)))
    queries: dict[str, str] = {}
    for path in topic_files:
        queries.update(parse_topics(path.read_text(encoding="utf-8", errors="replace"), str(path)))
    qrels: dict[str, dict[str, int]] = {}
    for path in qrel_files:
        for q, judged in parse_qrels(path.read_text(encoding="utf-8"), str(path)).items():
            qrels.setdefault(q, {}).update(judged)
    if not docs:
        raise TrecFormatError(f"{folder}: no <DOC> entries found in {doc_files[0]}")
    if not queries:
        raise TrecFormatError(f"{folder}: no <top> entries found in {topic_files[0]}")
    return TrecCollection(docs, queries, qrels, folder.name)


# --- running the project's retrieval on a collection -------------------------------------


def doc_file_name(docno: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", docno)
    return f"{safe}.txt"


def write_corpus(collection: TrecCollection, folder: Path) -> dict[str, str]:
    """One text file per document; returns file name -> docno."""
    folder.mkdir(parents=True, exist_ok=True)
    names: dict[str, str] = {}
    for docno, text in collection.docs.items():
        name = doc_file_name(docno)
        names[name] = docno
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return names


def doc_ranking(chunks: list[Any], names: dict[str, str], depth: int) -> list[str]:
    """Chunk hits (LangChain Documents, best first) -> document ids by best chunk."""
    seen: dict[str, None] = {}
    for chunk in chunks:
        docno = names.get(chunk.metadata.get("source", ""))
        if docno is not None and docno not in seen:
            seen[docno] = None
            if len(seen) >= depth:
                break
    return list(seen)


@dataclass
class BenchmarkResult:
    collection: str
    documents: int
    queries: int
    chunks: int
    indexing_s: float | None
    docs_per_s: float | None
    depth: int
    settings: dict[str, Any]
    scores: dict[str, dict[str, float]] = field(default_factory=dict)
    query_ms: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "collection": self.collection,
            "documents": self.documents,
            "queries": self.queries,
            "chunks": self.chunks,
            "indexing_s": self.indexing_s,
            "docs_per_s": self.docs_per_s,
            "depth": self.depth,
            "settings": self.settings,
            "scores": self.scores,
            "query_ms": self.query_ms,
        }


def run_benchmark(
    trec_dir: Path,
    work_dir: Path,
    modes: Iterable[str] = ("dense", "bm25", "hybrid"),
    depth: int = 100,
    overrides: dict[str, Any] | None = None,
    embeddings: Any = None,
    progress: Callable[[str], None] | None = None,
) -> BenchmarkResult:
    """Index ``trec_dir`` into ``work_dir`` (reused when already synced) and score each mode."""
    from assistant.core import Assistant
    from assistant.settings import load_settings

    say = progress or (lambda _msg: None)
    collection = load_trec(trec_dir)
    corpus = work_dir / "corpus"
    names = _write_work_corpus(collection, corpus, say)
    settings = load_settings(
        corpus_dir=corpus, index_dir=work_dir / "index", chroma_url=None, **(overrides or {})
    )
    assistant = Assistant(settings, embeddings=embeddings)
    indexing_s, docs_per_s = _index(assistant, say)
    queries = collection.judged_queries()
    result = BenchmarkResult(
        collection=collection.name,
        documents=len(collection.docs),
        queries=len(queries),
        chunks=len(assistant.index.state.chunk_ids()),
        indexing_s=indexing_s,
        docs_per_s=docs_per_s,
        depth=depth,
        settings=settings.retrieval.model_dump(mode="json"),
    )
    _score_modes(assistant, collection, queries, names, modes, result, say)
    return result


def _write_work_corpus(
    collection: TrecCollection, corpus: Path, say: Callable[[str], None]
) -> dict[str, str]:
    """The collection as the work folder's corpus (files of dropped documents removed);
    returns file name -> docno."""
    say(f"writing {len(collection.docs)} documents to {corpus}")
    names = write_corpus(collection, corpus)
    stale = set(p.name for p in corpus.iterdir()) - set(names)
    for name in stale:
        (corpus / name).unlink()
    return names


def _index(assistant: Any, say: Callable[[str], None]) -> tuple[float | None, float | None]:
    """Sync the work corpus; (seconds, documents per second), None when nothing was indexed
    (an index reused from an earlier run measures no speed)."""
    indexing_s = docs_per_s = None
    if assistant.needs_sync():
        say("indexing (chunk, embed, store, BM25)")
        t0 = time.perf_counter()
        report = assistant.sync()
        elapsed = time.perf_counter() - t0
        if report.failed:
            first = next(iter(report.failed.items()))
            raise RuntimeError(f"{len(report.failed)} documents failed to index, e.g. {first}")
        indexed = len(report.added) + len(report.updated)
        if indexed:
            indexing_s = round(elapsed, 2)
            docs_per_s = round(indexed / elapsed, 1)
    return indexing_s, docs_per_s


def _score_modes(
    assistant: Any,
    collection: TrecCollection,
    queries: list[str],
    names: dict[str, str],
    modes: Iterable[str],
    result: BenchmarkResult,
    say: Callable[[str], None],
) -> None:
    """Retrieve every judged query in each mode; scores and ms/query go into ``result``."""
    depth = result.depth
    # A few chunks per document at most: fetch a margin so ``depth`` documents remain.
    chunk_k = int(depth * 1.3) + 10
    vectors = assistant.embeddings.embed_documents([collection.queries[q] for q in queries])
    for mode in modes:
        say(f"retrieving: {mode}")
        run: dict[str, list[str]] = {}
        t0 = time.perf_counter()
        for q, vector in zip(queries, vectors, strict=True):
            hits = assistant.retriever.retrieve(
                collection.queries[q], k=chunk_k, mode=mode, query_vector=vector
            )
            run[q] = doc_ranking(hits, names, depth)
        result.query_ms[mode] = round((time.perf_counter() - t0) * 1000 / max(1, len(queries)), 2)
        result.scores[mode] = {
            key: round(value, 4) for key, value in score_run(run, collection.qrels, queries).items()
        }


def fresh_work_dir(base: Path | None) -> tuple[Path, bool]:
    """(folder, is_temporary): the given folder, or a new temp folder to delete afterwards."""
    import tempfile

    if base is not None:
        base.mkdir(parents=True, exist_ok=True)
        return base, False
    return Path(tempfile.mkdtemp(prefix="assistant-trec-")), True


def remove_work_dir(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
