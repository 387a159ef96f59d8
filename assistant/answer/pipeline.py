"""The answer pipeline: condense -> retrieve -> generate -> verify, as LangChain runnables.

Each step reads and extends one typed ``AnswerState``. ``generate`` is either the
deterministic extractive answer or a chat model writing from numbered passages;
``verify`` keeps only supported sentences, falls back to the extractive answer
when nothing supported is left (or the model is unreachable), and adds the
disagreements found among the evidence.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar

from langchain_core.documents import Document
from langchain_core.runnables import Runnable, RunnableLambda

from assistant.answer.citations import (
    MARKER,
    Answer,
    Citation,
    Conflict,
    ConflictValue,
    HistoryTurn,
    refusal_text,
)
from assistant.answer.conflicts import find_conflicts, kinds_asked
from assistant.answer.extractive import (
    Candidate,
    Evidence,
    merge_duplicates,
    rank_for_parts,
    score_candidates,
    select_sentences,
    sentence_candidates,
)
from assistant.answer.grounded import (
    MAX_SENTENCE_WORDS,
    TOKEN_LIMIT,
    Generated,
    build_prompt,
    is_refusal,
    neutralize_markers,
    run_on,
    sentence_limit_cut,
    split_unfinished,
    verify,
)
from assistant.answer.question import analyse, has_answer_type
from assistant.answer.retrieval import Filters, HybridRetriever
from assistant.answer.sufficiency import Sufficiency, WordMatcher, decide, focus_weights
from assistant.index.corpus_index import CorpusIndex
from assistant.ingest.text import words
from assistant.settings import TUNING, AnswerMode, LLMSettings, RetrievalMode, Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

TokenSink = Callable[[str], None]
log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class AnswerState:
    """What flows through the chain: the request, then each step's result.

    condense sets ``query``/``context``; retrieve ``docs``/``evidence``; decide
    ``sufficiency``/``refused``; generate ``passages``/``generated``/``model_error``;
    verify turns the state into the ``Answer``. Every step adds to ``timings``.
    """

    question: str
    history: list[HistoryTurn]
    filters: Filters | None
    k: int | None
    retrieval_mode: RetrievalMode | None
    mode: AnswerMode
    on_token: TokenSink | None = None
    timings: dict[str, float] = field(default_factory=dict)
    t0: float = field(default_factory=time.perf_counter)
    query: str = ""
    context: str = ""
    docs: list[Document] = field(default_factory=list)
    evidence: Evidence | None = None
    sufficiency: Sufficiency | None = None
    refused: bool = False
    passages: list[Candidate] = field(default_factory=list)
    generated: Generated = field(default_factory=lambda: Generated(""))
    model_error: str | None = None


def _ready(value: T | None) -> T:
    """A field an earlier step sets; None means the chain's steps were reordered."""
    if value is None:
        raise RuntimeError("answer pipeline step ran before the step that sets its input")
    return value


def condense_query(question: str, history: list[HistoryTurn]) -> tuple[str, str]:
    """(retrieval query, context) for a possibly elliptical follow-up.

    The earlier user questions give the context: "And under which act?" after
    "Who ordered the closure?" retrieves with both.
    """
    previous = [t.content for t in history if t.role == "user"][-2:]
    context = " ".join(previous)
    query = f"{context} {question}".strip() if context else question
    return query, context


def citation_for(candidate: Candidate, n: int) -> Citation:
    meta = candidate.doc.metadata
    return Citation(
        n=n,
        source=meta.get("source", ""),
        title=meta.get("title"),
        publisher=meta.get("publisher"),
        date=meta.get("date"),
        url=meta.get("url"),
        page=meta.get("page"),
        quote=candidate.text,
        start=candidate.start,
        end=candidate.end,
        score=round(max(0.0, min(1.0, candidate.score)), 4),
        chunk_id=meta.get("chunk_id"),
        instructions=flagged_sentences(candidate),
    )


def flagged_sentences(candidate: Candidate) -> list[str]:
    """The instruction sentences the indexer flagged in the candidate's passage."""
    spans = str(candidate.doc.metadata.get("instructions") or "")
    base = int(candidate.doc.metadata.get("start", 0))
    text = candidate.doc.page_content
    out = []
    for span in filter(None, spans.split(";")):
        start, _, end = span.partition("-")
        if start.isdigit() and end.isdigit():
            out.append(text[int(start) - base : int(end) - base])
    return [s for s in out if s]


class _Citer:
    """Hands out dense citation numbers, one per distinct quoted sentence."""

    def __init__(self) -> None:
        self.citations: list[Citation] = []
        self._numbers: dict[tuple[str, int], int] = {}

    def cite(self, cand: Candidate) -> int:
        key = (cand.doc.metadata.get("source", ""), cand.start)
        if key not in self._numbers:
            self._numbers[key] = len(self.citations) + 1
            self.citations.append(citation_for(cand, self._numbers[key]))
        return self._numbers[key]


def compose_extractive(
    groups: list[list[Candidate]], citer: _Citer | None = None
) -> tuple[str, _Citer]:
    """Each answer sentence quoted once, followed by the ``[n]`` of every source saying it."""
    citer = citer or _Citer()
    parts = []
    for group in groups:
        marks = "".join(f"[{citer.cite(c)}]" for c in group)
        parts.append(f"{neutralize_markers(group[0].text.strip())} {marks}")
    return " ".join(parts), citer


def should_refuse(evidence: Evidence, min_relevance: float) -> bool:
    """Refuse when no retrieved sentence is related enough to the question (off-topic)."""
    return not evidence.candidates or evidence.best < min_relevance


class AnswerPipeline:
    """Builds and runs the runnable chain for one question."""

    def __init__(
        self,
        index: CorpusIndex,
        retriever: HybridRetriever,
        settings: Settings,
        chat_model: BaseChatModel | None = None,
    ) -> None:
        self.index = index
        self.retriever = retriever
        self.settings = settings
        self.given_model = chat_model  # answers every generative mode when set
        self._models: dict[tuple[str, tuple[Any, ...]], BaseChatModel] = {}
        self._models_lock = threading.Lock()
        self.words = WordMatcher(index.embeddings)
        self.chain: Runnable = (
            RunnableLambda(self._condense, name="condense")
            | RunnableLambda(self._retrieve, name="retrieve")
            | RunnableLambda(self._decide, name="decide")
            | RunnableLambda(self._generate, name="generate")
            | RunnableLambda(self._verify, name="verify")
        )

    def chat_model(self, mode: AnswerMode, llm: LLMSettings | None = None) -> BaseChatModel:
        """The chat model given to the pipeline, or the cached one of ``mode`` and ``llm``.

        Cached by mode *and* model settings (changed settings get a new model), and built
        under a lock: two threads asking at once load a local model once, not twice.
        """
        if self.given_model is not None:
            return self.given_model
        from assistant.llm import build_chat_model

        llm = llm or self.settings.llm
        key = (mode, tuple(getattr(llm, name) for name in type(llm).model_fields))
        with self._models_lock:
            if key not in self._models:
                self._models[key] = build_chat_model(mode, llm)
            return self._models[key]

    def run(
        self,
        question: str,
        history: list[HistoryTurn],
        filters: Filters | None,
        k: int | None,
        retrieval_mode: RetrievalMode | None,
        mode: AnswerMode | None = None,
        config: dict[str, Any] | None = None,
        on_token: TokenSink | None = None,
    ) -> Answer:
        state = AnswerState(
            question=question,
            history=history,
            filters=filters,
            k=k,
            retrieval_mode=retrieval_mode,
            mode=mode or self.settings.answer.mode,
            on_token=on_token,
        )
        return self.chain.invoke(state, config=config)

    def stream(self, *args: Any, **kwargs: Any) -> Iterator[str | Answer]:
        """Text deltas as the model writes, then the verified ``Answer``."""
        import queue
        import threading

        events: queue.Queue[Any] = queue.Queue()
        done = object()

        def work() -> None:
            try:
                events.put(self.run(*args, on_token=events.put, **kwargs))
            except BaseException as exc:  # handed to the consumer below
                events.put(exc)
            events.put(done)

        threading.Thread(target=work, daemon=True).start()
        while (item := events.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item

    # --- steps -----------------------------------------------------------------------------

    def _condense(self, state: AnswerState) -> AnswerState:
        query, context = condense_query(state.question, state.history)
        return replace(state, query=query, context=context)

    def _retrieve(self, state: AnswerState) -> AnswerState:
        t = time.perf_counter()
        vector = self.index.embeddings.embed_query(state.query)
        docs = self.retriever.retrieve(
            state.query,
            filters=state.filters,
            k=state.k,
            mode=state.retrieval_mode,
            query_vector=vector,
        )
        question_vector = (
            self.index.embeddings.embed_query(state.question) if state.context else None
        )
        evidence = score_candidates(
            state.question,
            state.context,
            sentence_candidates(docs),
            self.index.embeddings,
            vector,
            getattr(self.index.current().model, "vocab_dict", None),
            question_vector=question_vector,
        )
        state.timings["retrieve"] = (time.perf_counter() - t) * 1000
        return replace(state, docs=docs, evidence=evidence)

    def _decide(self, state: AnswerState) -> AnswerState:
        """Which part of the question the evidence answers, and with which sentence."""
        t = time.perf_counter()
        evidence = _ready(state.evidence)
        analysis = analyse(state.question, state.context)
        bm25 = self.index.current()
        ranked = rank_for_parts(analysis, evidence, self.index.embeddings)
        sufficiency = decide(
            analysis,
            ranked,
            lambda part: focus_weights(part, bm25.document_frequency, max(1, len(bm25.ids))),
            self.words,
        )
        refused = should_refuse(evidence, self.settings.answer.min_relevance) or (
            sufficiency.status == "not_answered"
        )
        state.timings["decide"] = (time.perf_counter() - t) * 1000
        return replace(state, sufficiency=sufficiency, refused=refused)

    def _generate(self, state: AnswerState) -> AnswerState:
        t = time.perf_counter()
        evidence = _ready(state.evidence)
        out: dict[str, Any] = {}  # AnswerState fields: passages, generated, model_error
        if state.refused:
            pass  # the evidence does not answer: refuse without calling a model
        elif state.mode != "extractive":
            passages = model_passages(
                _ready(state.sufficiency), evidence, self.settings.answer.llm_passages
            )
            prompt = build_prompt(state.question, state.context, passages)
            out["passages"] = passages
            self.chat_model(state.mode)  # missing extra/model file: an error, no fallback
            try:
                out["generated"] = self._call_model(state.mode, prompt, state.on_token)
            except Exception as exc:  # unreachable server, a bug: answer from the quotes
                log.warning(
                    "the %s model failed; answering with quotes instead",
                    state.mode,
                    exc_info=True,
                )
                out["model_error"] = f"{type(exc).__name__}: {exc}"
        state.timings["generate"] = (time.perf_counter() - t) * 1000
        return replace(state, **out)

    def _call_model(self, mode: AnswerMode, prompt: str, on_token: TokenSink | None) -> Generated:
        """Stream the model's reply; stop once ``answer.max_sentences`` sentences are written
        or the current sentence runs on past any short sentence.

        The prompt asks for a few short sentences; small models often go on copying
        passages, and every token they write costs time.
        """
        limit = self.settings.answer.max_sentences
        text, finish = "", None
        stream = self.chat_model(mode).stream(prompt)
        try:
            for chunk in stream:
                meta = chunk.response_metadata or {}
                finish = meta.get("finish_reason") or meta.get("done_reason") or finish
                delta = str(chunk.content)
                if not delta:
                    continue
                cut = sentence_limit_cut(text + delta, limit)
                if cut is not None:
                    if on_token is not None and cut > len(text):
                        on_token((text + delta)[len(text) : cut])
                    return Generated((text + delta)[:cut].rstrip())
                text += delta
                if on_token is not None:
                    on_token(delta)
                if run_on(text):
                    return Generated(text, stopped=f"ran past {MAX_SENTENCE_WORDS} words")
        finally:
            stream.close()
        return Generated(text, stopped=TOKEN_LIMIT if finish == "length" else None)

    def _verify(self, state: AnswerState) -> Answer:
        t = time.perf_counter()
        evidence = _ready(state.evidence)
        sufficiency = _ready(state.sufficiency)
        meta: dict[str, Any] = {
            "requested_mode": state.mode,
            "evidence": {
                "best": round(evidence.best, 4),
                "coverage": round(evidence.coverage, 4),
                "unknown_terms": evidence.unknown_terms,
            },
            "sufficiency": sufficiency_report(sufficiency),
            "query": state.query,
            "retrieved": len(state.docs),
            "fallback": None,
            "dropped_sentences": [],
        }
        mode_used = state.mode
        citer = _Citer()
        refused = state.refused
        text = ""
        answer_sentences: list[Candidate] = []
        if not refused and state.mode != "extractive":
            if state.model_error:
                meta["fallback"] = f"model unavailable ({state.model_error})"
            elif is_refusal(state.generated.text) and not _has_marker(state.generated.text):
                meta["fallback"] = "the model said the passages do not answer"
                meta["model_refused"] = True
            else:
                generated, cut_off = state.generated.text, ""
                if state.generated.stopped:
                    generated, cut_off = split_unfinished(generated)
                text, citer, dropped, answer_sentences = self._verified_text(
                    generated, state.passages
                )
                if cut_off:
                    reason = f"unfinished: {state.generated.stopped}"
                    dropped.append({"sentence": cut_off, "reason": reason})
                meta["dropped_sentences"] = dropped
                if not citer.citations:
                    meta["fallback"] = "no generated sentence was supported by its passage"
                elif not _uses_the_answering_evidence(answer_sentences, sufficiency):
                    meta["fallback"] = "the model's answer does not cite the sentence that answers"
                elif missing := _kinds_not_given(text, state.question, sufficiency):
                    meta["fallback"] = f"the model's answer gives no {' or '.join(missing)}"
            if meta["fallback"]:
                mode_used = "extractive"
        if not refused and (state.mode == "extractive" or meta["fallback"]):
            groups = self._extractive_groups(evidence, sufficiency)
            text, citer = compose_extractive(groups)
            answer_sentences = [c for group in groups for c in group]
        conflicts: list[Conflict] = []
        if not refused:
            conflicts = self._conflicts(answer_sentences, citer, evidence, sufficiency)
        if refused:
            text = refusal_text(_looked_for(sufficiency))
        state.timings["verify"] = (time.perf_counter() - t) * 1000
        if state.on_token is not None and state.mode == "extractive":
            state.on_token(text)
        state.timings["total"] = (time.perf_counter() - state.t0) * 1000
        return Answer(
            question=state.question,
            answer=text,
            refused=refused,
            status="not_answered" if refused else ("conflict" if conflicts else sufficiency.status),
            not_answered=[]
            if refused
            else [p.part.text for p in sufficiency.parts if not p.answered],
            citations=[] if refused else citer.citations,
            conflicts=conflicts,
            mode=mode_used,
            timings_ms={key: round(value, 2) for key, value in state.timings.items()},
            metadata=meta,
        )

    def _extractive_groups(
        self, evidence: Evidence, sufficiency: Sufficiency
    ) -> list[list[Candidate]]:
        """The sentence answering each part first, then close runners-up; repeats merged."""
        first = list(dict.fromkeys(p.sentence for p in sufficiency.parts if p.sentence))
        limit = max(self.settings.answer.max_sentences, len(first))
        if len(sufficiency.parts) > 1:
            chosen = first
        else:
            chosen = select_sentences(evidence, limit, first=first)
        return merge_duplicates(chosen, evidence.candidates)

    def _verified_text(
        self, generated: str, passages: list[Candidate]
    ) -> tuple[str, _Citer, list[dict[str, str]], list[Candidate]]:
        result = verify(
            generated,
            passages,
            self.index.embeddings,
            self.settings.answer.support_threshold,
            self.words,
        )
        citer = _Citer()
        parts = []
        cited: list[Candidate] = []
        for sentence in result.sentences:
            marks = "".join(f"[{citer.cite(passages[i])}]" for i in sentence.passages)
            cited.extend(passages[i] for i in sentence.passages)
            body = sentence.text.rstrip()
            parts.append(f"{body} {marks}")
        return " ".join(parts), citer, result.dropped, cited

    def _conflicts(
        self,
        answer: list[Candidate],
        citer: _Citer,
        evidence: Evidence,
        sufficiency: Sufficiency,
    ) -> list[Conflict]:
        """Disagreements between what the answer says and other strong evidence."""
        if not answer:
            return []
        best = evidence.best
        # The masked-context test in find_conflicts decides; this only bounds the work.
        strong = [
            c
            for c in evidence.candidates[: TUNING.conflict_candidates]
            if c.score >= TUNING.conflict_min_score * best
        ]
        conflicts: list[Conflict] = []
        answering = [p.answering for p in sufficiency.parts]
        asked = kinds_asked([p.part.answer_type for p in sufficiency.parts])
        for found in find_conflicts(answer, strong, self.index.embeddings, answering):
            if asked is not None and found.kind not in asked:
                continue  # a disagreement about something the question did not ask
            values = [
                ConflictValue(value=value, citations=[citer.cite(cand)])
                for value, cand in found.sides
            ]
            conflicts.append(Conflict(topic=found.topic, values=values))
        return conflicts


def model_passages(sufficiency: Sufficiency, evidence: Evidence, limit: int) -> list[Candidate]:
    """The passages a model sees: each part's answering sentence first, then the best others."""
    first = [p.sentence for p in sufficiency.parts if p.sentence]
    return list(dict.fromkeys([*first, *evidence.candidates]))[: max(limit, len(first))]


def sufficiency_report(sufficiency: Sufficiency) -> dict[str, Any]:
    return {
        "status": sufficiency.status,
        "parts": [
            {
                "part": p.part.text,
                "answer_type": p.part.answer_type,
                "focus": list(p.part.focus_words),
                "answered": p.answered,
                "coverage": round(p.coverage, 3),
                "meaning": round(p.meaning, 3),
                "missing": p.missing,
            }
            for p in sufficiency.parts
        ],
    }


def _kinds_not_given(text: str, question: str, sufficiency: Sufficiency) -> list[str]:
    """The kinds of answer (a name, a date, ...) that parts the evidence answers ask for
    and the model's verified answer does not hold: then the quotes answer better."""
    asked = set(words(question))
    return [
        p.part.answer_type
        for p in sufficiency.parts
        if p.answered
        and p.part.answer_type
        and not has_answer_type(text, p.part.answer_type, asked)
    ]


def _uses_the_answering_evidence(cited: list[Candidate], sufficiency: Sufficiency) -> bool:
    """Every answered part's deciding sentence is among the passages the model cited: a
    model writing from other passages is the unsure case, and the quotes answer better."""
    cited_ids = {id(c) for c in cited}
    return all(id(p.sentence) in cited_ids for p in sufficiency.parts if p.sentence is not None)


def _looked_for(sufficiency: Sufficiency) -> list[str]:
    missing = [w for p in sufficiency.parts for w in p.missing]
    return list(dict.fromkeys(missing))


def _has_marker(text: str | None) -> bool:
    return bool(text and MARKER.search(text))
