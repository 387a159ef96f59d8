"""``Assistant``: the one object every front end receives, built from settings."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

from assistant.answer.citations import Answer, HistoryTurn
from assistant.answer.pipeline import AnswerPipeline
from assistant.answer.retrieval import Filters, HybridRetriever
from assistant.errors import InputError
from assistant.index.background import BackgroundSync
from assistant.index.corpus_index import CorpusIndex
from assistant.index.embeddings import load_embeddings
from assistant.index.indexer import (
    ProgressCallback,
    SyncReport,
    index_signature,
    sync_corpus,
    vectors_signature,
)
from assistant.settings import AnswerMode, RetrievalMode, Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


@dataclass(frozen=True)
class SourceInfo:
    source: str
    title: str | None
    publisher: str | None
    date: str | None
    url: str | None
    chunks: int


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def check_question_text(question: str) -> None:
    """``InputError`` (a ``ValueError``) naming the question when it is not text: control
    characters or undecodable bytes (a binary file pasted or piped in as a question)."""
    bad = _CONTROL.search(question)
    if bad:
        shown = question if len(question) <= 60 else question[:60] + "..."
        raise InputError(
            f"the question {shown!r} is not text (character {bad.group()!r} at position "
            f"{bad.start()}): ask in words"
        )


def filters_from_options(
    sources: list[str] | None,
    publishers: list[str] | None,
    date_from: str | None,
    date_to: str | None,
) -> dict[str, Any]:
    """The filter dict of the front ends' four filter inputs (CLI flags, web controls);
    blank dates mean no limit. ``Filters.coerce`` checks it when the question is asked."""
    return {
        "sources": list(sources or []),
        "publishers": list(publishers or []),
        "date_from": (date_from or "").strip() or None,
        "date_to": (date_to or "").strip() or None,
    }


class Assistant:
    """Index a corpus and answer questions about it with cited passages."""

    def __init__(
        self,
        settings: Settings,
        embeddings: Embeddings | None = None,
        chat_model: BaseChatModel | None = None,
    ) -> None:
        """``embeddings`` and ``chat_model`` replace the ones the settings would build (tests
        pass ``assistant.testing`` fakes); ``chat_model`` answers every generative mode."""
        self.settings = settings
        self.embeddings = embeddings or load_embeddings(settings.embedding)
        self.index = CorpusIndex(
            settings.index_dir,
            self.embeddings,
            settings.chroma_url,
            settings.collection,
            vectors_signature=vectors_signature(settings, self.embeddings),
        )
        self.retriever = HybridRetriever(index=self.index, settings=settings.retrieval)
        self.pipeline = AnswerPipeline(self.index, self.retriever, settings, chat_model)
        self.background: BackgroundSync | None = None

    def with_chat_model(self, chat_model: BaseChatModel) -> Assistant:
        """This assistant (same index, settings and embeddings) answering generative modes
        with ``chat_model``; ``self`` is left as it was."""
        other = copy.copy(self)
        other.pipeline = AnswerPipeline(self.index, self.retriever, self.settings, chat_model)
        return other

    def sync(self, progress: ProgressCallback | None = None, take_over: bool = False) -> SyncReport:
        """Incrementally index ``settings.corpus_dir``. A background sync of this process
        is waited for first (an upload during start-up indexing queues behind it).
        ``take_over``: replace an index another indexer published on the Chroma server."""
        job = self.background
        if job is not None and job.running and not job.is_current_thread():
            job.wait()
        return sync_corpus(self.settings.corpus_dir, self.index, self.settings, progress, take_over)

    def sync_in_background(
        self, on_done: Callable[[BackgroundSync], None] | None = None
    ) -> BackgroundSync:
        """Start a sync on a thread; questions are answered from the last complete index
        meanwhile and ``indexing_status()`` says how far it got."""
        self.background = BackgroundSync(self, on_done).start()
        return self.background

    def indexing_status(self) -> str:
        """'' when no background sync was started; else its one-line status."""
        return self.background.status() if self.background else ""

    def warm_up(self) -> None:
        """Load what the first question would otherwise wait for: the embedding model
        (seconds for the real one) and the BM25 index."""
        self.embeddings.embed_query("warm up")
        if self.index.exists():
            self.index.current()

    def needs_sync(self) -> bool:
        """True when the index is missing, built with other settings, or behind the corpus.

        With a Chroma server the published index is compared, and never an index another
        indexer published, nor from a missing or empty corpus folder: an answering process
        on another host leaves the index to its indexer."""
        from assistant.ingest.documents import file_sha256, iter_corpus_files

        index = self.index
        root = self.settings.corpus_dir
        if index.published is not None and (
            not (root.is_dir() and iter_corpus_files(root)) or index.published_by_other()
        ):
            return False  # an answerer: another process indexes (``sync_corpus``)
        if index.published is None:
            index.current(max_age_s=0)  # the local state may have moved a moment ago
        signature = index_signature(self.settings, self.embeddings)
        if not index.exists() or index.meta("signature") != signature:
            return True
        known = index.files()
        if index.store.count() != sum(r.chunk_count for r in known.values()):
            return True  # vectors lost (store deleted) or left by an interrupted sync
        if index.meta("vectors") != vectors_signature(self.settings, self.embeddings):
            return True
        current = {p.relative_to(root).as_posix(): p for p in iter_corpus_files(root)}
        if set(current) - set(known) or set(known) - set(current):
            return True
        return any(file_sha256(p) != known[s].file_hash for s, p in current.items())

    def ask(
        self,
        question: str,
        history: Sequence[HistoryTurn | dict[str, str]] | None = None,
        filters: Filters | dict[str, Any] | None = None,
        k: int | None = None,
        retrieval_mode: RetrievalMode | None = None,
        config: dict[str, Any] | None = None,
        mode: AnswerMode | None = None,
    ) -> Answer:
        """Answer ``question`` from the index; ``history`` gives earlier turns for follow-ups.

        ``mode`` picks the answer backend for this call (default: ``settings.answer.mode``).
        """
        args = self._arguments(question, history, filters)
        return self.pipeline.run(*args, k, retrieval_mode, mode=mode, config=config)

    @staticmethod
    def _arguments(
        question: str,
        history: Sequence[HistoryTurn | dict[str, str]] | None,
        filters: Filters | dict[str, Any] | None,
    ) -> tuple[str, list[HistoryTurn], Filters | None]:
        if not question or not question.strip():
            raise InputError("the question is empty; type a question about the indexed documents")
        check_question_text(question)
        turns = [t if isinstance(t, HistoryTurn) else HistoryTurn(**t) for t in history or []]
        if filters is not None:
            filters = Filters.coerce(filters)  # unknown keys are errors
        return question.strip(), turns, filters

    def stream(
        self,
        question: str,
        history: Sequence[HistoryTurn | dict[str, str]] | None = None,
        filters: Filters | dict[str, Any] | None = None,
        k: int | None = None,
        retrieval_mode: RetrievalMode | None = None,
        mode: AnswerMode | None = None,
    ) -> Iterator[str | Answer]:
        """Text deltas while the answer is produced, then the final, verified ``Answer``.

        Front ends show the deltas as they come and replace them with the final
        answer's text (verification may drop sentences that were streamed).
        """
        args = self._arguments(question, history, filters)
        yield from self.pipeline.stream(*args, k, retrieval_mode, mode=mode)

    def last_updated(self) -> datetime | None:
        """When a sync last changed the index (None for an index older than this field)."""
        value = self.index.meta("updated_at") if self.index.exists() else None
        return datetime.fromisoformat(value) if value else None

    def sources(self) -> list[SourceInfo]:
        """What is indexed, sorted by source path."""
        return [
            SourceInfo(
                source=r.source,
                title=r.metadata.get("title"),
                publisher=r.metadata.get("publisher"),
                date=r.metadata.get("date"),
                url=r.metadata.get("url"),
                chunks=r.chunk_count,
            )
            for r in self.index.files().values()
        ]
