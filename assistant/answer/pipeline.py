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
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from langchain_core.runnables import Runnable, RunnableLambda

from assistant.answer.citations import Answer, Conflict, HistoryTurn, refusal_text
from assistant.answer.compose import (
    Citer,
    answer_conflicts,
    as_conflicts,
    extractive_groups,
    has_marker,
    kinds_not_given,
    looked_for,
    mentioned_without_answer,
    model_passages,
    quoted_with_context,
    should_refuse,
    unstated_sides,
    uses_the_answering_evidence,
    verified_text,
    with_quotes_after,
)
from assistant.answer.extractive import (
    Candidate,
    rank_for_parts,
    score_candidates,
    sentence_candidates,
)
from assistant.answer.focus import WordMatcher, focus_weights
from assistant.answer.grounded import (
    MAX_SENTENCE_WORDS,
    TOKEN_LIMIT,
    Generated,
    build_prompt,
    is_refusal,
    run_on,
    sentence_limit_cut,
    split_unfinished,
)
from assistant.answer.question import analyse
from assistant.answer.retrieval import Filters, HybridRetriever
from assistant.answer.state import (
    AnswerState,
    TokenSink,
    answer_metadata,
    condense_query,
    ready,
    streamed,
)
from assistant.answer.sufficiency import Sufficiency, decide
from assistant.answer.updates import settled_claims
from assistant.index.corpus_index import CorpusIndex
from assistant.settings import AnswerMode, LLMSettings, RetrievalMode, Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)


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
        return streamed(self.run, *args, **kwargs)

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
            each_top=self.settings.retrieval.each_top,
        )
        question_vector = (
            self.index.embeddings.embed_query(state.question) if state.context else None
        )
        evidence = score_candidates(
            state.question,
            state.context,
            sentence_candidates(docs, self.index.document_text),
            self.index.embeddings,
            vector,
            getattr(self.index.current().model, "vocab_dict", None),
            question_vector=question_vector,
        )
        state.timings["retrieve"] = (time.perf_counter() - t) * 1000
        return replace(state, docs=docs, evidence=evidence)

    def _sentences(self, query: str, state: AnswerState) -> list[Candidate]:
        """The sentences of the passages retrieved for ``query`` under the state's filters."""
        docs = self.retriever.retrieve(
            query, filters=state.filters, k=state.k, mode=state.retrieval_mode
        )
        return sentence_candidates(docs, self.index.document_text)

    def _decide(self, state: AnswerState) -> AnswerState:
        """Which part of the question the evidence answers, and with which sentence."""
        t = time.perf_counter()
        evidence = ready(state.evidence)
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
        evidence = ready(state.evidence)
        out: dict[str, Any] = {}  # AnswerState fields: passages, generated, model_error
        if state.refused:
            pass  # the evidence does not answer: refuse without calling a model
        elif state.mode != "extractive":
            passages = model_passages(
                ready(state.sufficiency), evidence, self.settings.answer.llm_passages
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
        evidence = ready(state.evidence)
        sufficiency = ready(state.sufficiency)
        meta = answer_metadata(state, evidence, sufficiency)
        mode_used = state.mode
        citer = Citer()
        refused = state.refused
        text = ""
        answer_sentences: list[Candidate] = []
        if not refused and state.mode != "extractive":
            text, citer, answer_sentences = self._checked_model_answer(state, sufficiency, meta)
            if meta["fallback"]:
                mode_used = "extractive"
        quoted = not refused and (state.mode == "extractive" or bool(meta["fallback"]))
        max_sentences = self.settings.answer.max_sentences
        groups = extractive_groups(evidence, sufficiency, max_sentences) if quoted else []
        if quoted:
            answer_sentences = [c for group in groups for c in group]
        # no answer sentences (refused): no disagreements
        found = answer_conflicts(answer_sentences, evidence, sufficiency, self.index.embeddings)
        # each source's side of a disagreement, and the outcome of a matter a claim waits on,
        # is quoted in the answer
        settled = settled_claims(
            answer_sentences, evidence.candidates, lambda matter: self._sentences(matter, state)
        )
        if quoted:
            keep = len({id(p.sentence) for p in sufficiency.parts if p.sentence})
            text, citer = quoted_with_context(groups, found, settled, keep, max_sentences)
        else:
            text = with_quotes_after(text, citer, [*unstated_sides(found, []), *settled])
        conflicts: list[Conflict] = as_conflicts(found, citer)
        if refused:
            text = refusal_text(looked_for(sufficiency), mentioned_without_answer(sufficiency))
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

    def _checked_model_answer(
        self, state: AnswerState, sufficiency: Sufficiency, meta: dict[str, Any]
    ) -> tuple[str, Citer, list[Candidate]]:
        """The model's answer, verified sentence by sentence; ``meta["fallback"]`` says why
        the quotes answer instead (model unavailable or refusing, nothing supported, ...)."""
        text, citer, answer_sentences = "", Citer(), []
        if state.model_error:
            meta["fallback"] = f"model unavailable ({state.model_error})"
        elif is_refusal(state.generated.text) and not has_marker(state.generated.text):
            meta["fallback"] = "the model said the passages do not answer"
            meta["model_refused"] = True
        else:
            generated, cut_off = state.generated.text, ""
            if state.generated.stopped:
                generated, cut_off = split_unfinished(generated)
            text, citer, dropped, answer_sentences = verified_text(
                generated,
                state.passages,
                self.index.embeddings,
                self.settings.answer.support_threshold,
                self.words,
            )
            if cut_off:
                reason = f"unfinished: {state.generated.stopped}"
                dropped.append({"sentence": cut_off, "reason": reason})
            meta["dropped_sentences"] = dropped
            if not citer.citations:
                meta["fallback"] = "no generated sentence was supported by its passage"
            elif not uses_the_answering_evidence(answer_sentences, sufficiency):
                meta["fallback"] = "the model's answer does not cite the sentence that answers"
            elif missing := kinds_not_given(
                text, f"{state.question} {state.context}", sufficiency, citer
            ):
                meta["fallback"] = f"the model's answer gives no {' or '.join(missing)}"
        return text, citer, answer_sentences
