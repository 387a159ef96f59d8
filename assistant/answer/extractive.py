"""The extractive answer mode: quote the sentences that best answer the question.

Deterministic and model-free apart from the embedding model. Each answer
sentence is a verbatim sentence of a retrieved passage, so each citation's
quote is exactly what the document says.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from assistant.answer.answer_types import has_answer_type
from assistant.answer.question import QuestionAnalysis, analyse
from assistant.ingest.injection import is_instruction
from assistant.ingest.text import normalize, split_sentences, stopwords, terms
from assistant.settings import TUNING

MIN_RUN_ON_WORDS = 8  # a sentence ending in a colon, not a label, has this many words
WORD_START = re.compile(r"[^\W\d_][\w'’.-]*")  # a word that starts with a letter


@dataclass(eq=False)  # identity: the same sentence object is the same candidate
class Candidate:
    """A sentence of a retrieved passage, with its offsets in the document."""

    doc: Document
    start: int  # in the document text
    end: int
    text: str
    semantic: float = 0.0
    lexical: float = 0.0
    score: float = 0.0
    vector: np.ndarray | None = None  # normalized sentence embedding
    terms: frozenset[str] = frozenset()


@dataclass
class Evidence:
    """Scored sentences plus the signals the refusal decision uses."""

    candidates: list[Candidate]
    best: float
    coverage: float  # share of the question's weighted terms found in the top sentences
    unknown_terms: list[str]  # question terms that occur nowhere in the corpus
    question_weights: dict[str, float] = field(default_factory=dict)


def sentence_candidates(
    docs: list[Document], document_text: Callable[[str], str | None] | None = None
) -> list[Candidate]:
    """The sentences of the passages, each once. A sentence ending in a colon ("... IT IS
    HEREBY ORDERED that:") runs on into the next one of its document (``document_text``
    gives a source's text when the passage ends there), which says what it announces; a
    short label ("Overview:", "BY THE COURT:") does not."""
    seen: set[tuple[str, int]] = set()
    out: list[Candidate] = []
    if document_text is not None:  # each document read once, however many run-ons it has
        document_text = functools.cache(document_text)
    for doc in docs:
        base = int(doc.metadata.get("start", 0))
        text = doc.page_content
        for s, e in split_sentences(text):
            key = (doc.metadata.get("source", ""), base + s)
            if key in seen or e - s < 12 or is_instruction(text[s:e]) or is_heading(text[s:e]):
                continue  # too short to answer, an instruction inside a document (data), or
                # a name line that says nothing of it
            seen.add(key)
            cand = Candidate(doc, base + s, base + e, text[s:e])
            if cand.text.rstrip().endswith(":") and len(cand.text.split()) >= MIN_RUN_ON_WORDS:
                cand = _run_on(cand, document_text)
            out.append(cand)
    return out


def _run_on(cand: Candidate, document_text: Callable[[str], str | None] | None) -> Candidate:
    """``cand`` with the first full sentence after it ("1." is a list number, not one)."""
    source = str(cand.doc.metadata.get("source", ""))
    full = (document_text(source) if document_text and source else None) or ""
    if full[cand.start : cand.end] != cand.text:  # offsets not in this text: the passage's
        full, shift = cand.doc.page_content, int(cand.doc.metadata.get("start", 0))
    else:
        shift = 0
    start, end = cand.start - shift, cand.end - shift
    for s, e in split_sentences(full, end, min(len(full), end + 600)):
        following = full[s:e]
        if e - s >= 12 and not is_instruction(following):
            return Candidate(cand.doc, cand.start, e + shift, full[start:e])
    return cand


def is_heading(text: str) -> bool:
    """A line of names only, with no label: a signature ("United States District Judge"),
    a caption ("ACME LTD., Defendant."), a name on its own ("Harbour Foods Inc."). It
    states nothing, so it answers nothing; "Dates of inspection: April 8" does."""
    if ":" in text:
        return False
    found = WORD_START.findall(text)
    return bool(found) and all(w[0].isupper() or w.lower() in stopwords() for w in found)


def score_candidates(
    question: str,
    context: str,
    candidates: list[Candidate],
    embeddings: Embeddings,
    query_vector: list[float],
    vocabulary: dict[str, int] | None,
    question_vector: list[float] | None = None,
) -> Evidence:
    """Blend semantic similarity with weighted term overlap; see ``Evidence``.

    For a follow-up, ``query_vector`` embeds question and context together and
    ``question_vector`` the question alone; the question itself counts most.
    """
    q_terms = terms(question)
    c_terms = [t for t in terms(context) if t not in q_terms]
    unknown = [t for t in q_terms if vocabulary is not None and t not in vocabulary]
    if not candidates:
        return Evidence([], 0.0, 0.0, unknown)
    sent_terms = [set(terms(c.text)) for c in candidates]
    n = len(candidates)

    def idf(term: str) -> float:
        df = sum(1 for st in sent_terms if term in st)
        return math.log(1 + (n + 1) / (df + 0.5))

    weights = {t: idf(t) for t in q_terms}
    weights.update({t: TUNING.earlier_question_weight * idf(t) for t in c_terms})
    total = sum(weights.values()) or 1.0
    vectors = np.asarray(embeddings.embed_documents([c.text for c in candidates]))
    sims = _cosine(vectors, query_vector)
    if question_vector is not None:
        blend = TUNING.follow_up_similarity
        sims = blend * _cosine(vectors, question_vector) + (1 - blend) * sims
    unit = vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9)
    for cand, st, sim, vec in zip(candidates, sent_terms, sims, unit, strict=True):
        cand.vector = vec
        cand.terms = frozenset(st)
        cand.semantic = float(sim)
        cand.lexical = sum(w for t, w in weights.items() if t in st) / total
        rank = int(cand.doc.metadata.get("rank", 1))
        cand.score = _blend(cand.semantic, cand.lexical) - TUNING.rank_penalty * (rank - 1)
    best = max(c.score for c in candidates)  # relevance, before answer-type preference
    parts = analyse(question, context).parts
    if len(parts) == 1 and parts[0].answer_type:
        q_words = set(normalize(question).split())
        for cand in candidates:
            if has_answer_type(cand.text, parts[0].answer_type, q_words):
                cand.score += TUNING.answer_type_bonus
    ranked = sorted(candidates, key=lambda c: -c.score)
    covered: set[str] = set()
    for cand in ranked[:3]:
        covered |= set(terms(cand.text))
    q_total = sum(weights[t] for t in q_terms) or 1.0
    coverage = sum(weights[t] for t in q_terms if t in covered) / q_total
    return Evidence(ranked, best, coverage, unknown, {t: weights[t] for t in q_terms})


def _blend(semantic: float, lexical: float) -> float:
    """Relevance of a sentence: embedding similarity and weighted term overlap."""
    return TUNING.semantic_weight * semantic + (1 - TUNING.semantic_weight) * lexical


def rank_for_parts(
    analysis: QuestionAnalysis, evidence: Evidence, embeddings: Embeddings
) -> list[list[Candidate]]:
    """Candidates ordered by relevance to each part of the question.

    A one-part question keeps the evidence ranking; each part of a multi-part question
    is scored like the whole question (meaning, its own terms, its answer type).
    """
    if len(analysis.parts) == 1 or not evidence.candidates:
        return [evidence.candidates for _ in analysis.parts]
    part_vectors = np.asarray(
        embeddings.embed_documents([p.ranking_text or p.text for p in analysis.parts])
    )
    vectors = np.asarray([c.vector for c in evidence.candidates])
    q_words = set(normalize(analysis.question).split())
    ranked = []
    for part, sims in zip(analysis.parts, _cosine_all(vectors, part_vectors).T, strict=True):
        asked = set(part.focus) | set(part.context)
        weights = {t: w for t, w in evidence.question_weights.items() if t in asked}
        total = sum(weights.values()) or 1.0
        scores = []
        for cand, sim in zip(evidence.candidates, sims, strict=True):
            lexical = sum(w for t, w in weights.items() if t in cand.terms) / total
            score = _blend(float(sim), lexical)
            if part.answer_type and has_answer_type(cand.text, part.answer_type, q_words):
                score += TUNING.answer_type_bonus
            scores.append(score)
        order = np.argsort(-np.asarray(scores), kind="stable")
        ranked.append([evidence.candidates[i] for i in order])
    return ranked


def _cosine_all(vectors: np.ndarray, others: np.ndarray) -> np.ndarray:
    others = others / (np.linalg.norm(others, axis=1, keepdims=True) + 1e-9)
    return vectors @ others.T


def merge_duplicates(chosen: list[Candidate], pool: list[Candidate]) -> list[list[Candidate]]:
    """Group each chosen sentence with the sentences of other sources that say the same.

    A chosen sentence that repeats an earlier one joins that one's group instead of
    being said twice.
    """
    groups: list[list[Candidate]] = []
    used: set[int] = set()
    for cand in chosen:
        if id(cand) in used:
            continue
        same = next((g for g in groups if _same_claim(g[0], cand)), None)
        if same is not None:
            same.append(cand)
            used.add(id(cand))
            continue
        group = [cand]
        used.add(id(cand))
        for other in pool[:12]:
            if id(other) in used or other.doc.metadata.get("source") in {
                c.doc.metadata.get("source") for c in group
            }:
                continue
            if _same_claim(cand, other):
                group.append(other)
                used.add(id(other))
        groups.append(group)
    return groups


def _same_claim(a: Candidate, b: Candidate) -> bool:
    if a.vector is None or b.vector is None:
        return False
    overlap = len(a.terms & b.terms) / max(1, len(a.terms | b.terms))
    return (
        float(a.vector @ b.vector) >= TUNING.duplicate_similarity
        or overlap >= TUNING.duplicate_overlap
    )


def _cosine(vectors: np.ndarray, vector: list[float]) -> np.ndarray:
    v = np.asarray(vector)
    return vectors @ v / (np.linalg.norm(vectors, axis=1) * (np.linalg.norm(v) or 1.0) + 1e-9)


def select_sentences(
    evidence: Evidence, max_sentences: int, first: list[Candidate] | None = None
) -> list[Candidate]:
    """The best sentence, then close runners-up that cover what is still missing.

    Greedy: each next sentence must be nearly as relevant as the best one, and is
    preferred when it contains question terms no chosen sentence has yet (a
    question with two parts gets a sentence for each). Repeats are skipped.
    """
    if not evidence.candidates:
        return []
    best = evidence.candidates[0]
    chosen = list(first or [best])
    covered = set().union(*(c.terms for c in chosen))
    weights = evidence.question_weights
    total = sum(weights.values()) or 1.0
    least = TUNING.runner_up_min * best.score
    pool = [c for c in evidence.candidates[:12] if c.score >= least and c not in chosen]

    def gain(c: Candidate, covered: set[str]) -> float:
        return sum(w for t, w in weights.items() if t in c.terms and t not in covered) / total

    while pool and len(chosen) < max_sentences:
        pick = max(pool, key=lambda c: c.score + 0.5 * gain(c, covered))
        pool.remove(pick)
        novel = len(pick.terms - covered) / max(1, len(pick.terms))
        if novel < TUNING.runner_up_novelty:
            continue  # says the same thing again
        if gain(pick, covered) == 0 and pick.score < TUNING.runner_up_plain_min * best.score:
            continue  # adds nothing the question asked for
        chosen.append(pick)
        covered |= pick.terms
    return chosen
