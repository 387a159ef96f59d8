"""The extractive answer mode: quote the sentences that best answer the question.

Deterministic and model-free apart from the embedding model. Each answer
sentence is a verbatim sentence of a retrieved passage, so each citation's
quote is exactly what the document says.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from assistant.text import normalize, split_sentences, terms


@dataclass
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


def sentence_candidates(docs: list[Document]) -> list[Candidate]:
    seen: set[tuple[str, int]] = set()
    out: list[Candidate] = []
    for doc in docs:
        base = int(doc.metadata.get("start", 0))
        text = doc.page_content
        for s, e in split_sentences(text):
            key = (doc.metadata.get("source", ""), base + s)
            if key in seen or e - s < 12:
                continue
            seen.add(key)
            out.append(Candidate(doc, base + s, base + e, text[s:e]))
    return out


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
    weights.update({t: 0.3 * idf(t) for t in c_terms})
    total = sum(weights.values()) or 1.0
    vectors = np.asarray(embeddings.embed_documents([c.text for c in candidates]))
    sims = _cosine(vectors, query_vector)
    if question_vector is not None:
        sims = 0.6 * _cosine(vectors, question_vector) + 0.4 * sims
    unit = vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9)
    for cand, st, sim, vec in zip(candidates, sent_terms, sims, unit, strict=True):
        cand.vector = vec
        cand.terms = frozenset(st)
        cand.semantic = float(sim)
        cand.lexical = sum(w for t, w in weights.items() if t in st) / total
        rank = int(cand.doc.metadata.get("rank", 1))
        cand.score = 0.65 * cand.semantic + 0.35 * cand.lexical - 0.01 * (rank - 1)
    best = max(c.score for c in candidates)  # relevance, before answer-type preference
    wanted = expected_answer_type(question)
    if wanted:
        q_words = set(normalize(question).split())
        for cand in candidates:
            if has_answer_type(cand.text, wanted, q_words):
                cand.score += ANSWER_TYPE_BONUS
    ranked = sorted(candidates, key=lambda c: -c.score)
    covered: set[str] = set()
    for cand in ranked[:3]:
        covered |= set(terms(cand.text))
    q_total = sum(weights[t] for t in q_terms) or 1.0
    coverage = sum(weights[t] for t in q_terms if t in covered) / q_total
    return Evidence(ranked, best, coverage, unknown, {t: weights[t] for t in q_terms})


ANSWER_TYPE_BONUS = 0.06
_TYPE_PATTERNS = {
    "number": re.compile(r"\bhow (many|much|long)\b", re.I),
    "date": re.compile(
        r"\b(when|what (date|year|day|month)|which (date|year|day|month)|since when)\b", re.I
    ),
    "name": re.compile(
        r"\b(who|whom|whose|which (judge|minister|person|official|secretary|companies|company|"
        r"countries|country|firms?|makers?|bureau|court|body|agency|law|act|statute|lists?))\b",
        re.I,
    ),
}
_DATE_TOKEN = re.compile(
    r"\b(1[89]|20)\d{2}\b|\b(january|february|march|april|may|june|july|august|september|"
    r"october|november|december)\b",
    re.I,
)
_NUMBER_TOKEN = re.compile(
    r"\b\d[\d,.]*\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|"
    r"dozen|hundred|thousand|million)\b",
    re.I,
)
_NAME_TOKEN = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-zA-Z'’-]+")


def expected_answer_type(question: str) -> str | None:
    """What kind of token the answer must contain: a number, a date, or a name."""
    for kind, pattern in _TYPE_PATTERNS.items():
        if pattern.search(question):
            return kind
    return None


def has_answer_type(text: str, kind: str, question_words: set[str]) -> bool:
    """True when ``text`` holds a token of ``kind`` that the question does not already say."""
    pattern = {"number": _NUMBER_TOKEN, "date": _DATE_TOKEN, "name": _NAME_TOKEN}[kind]
    return any(normalize(m.group(0)) not in question_words for m in pattern.finditer(text))


def _cosine(vectors: np.ndarray, vector: list[float]) -> np.ndarray:
    v = np.asarray(vector)
    return vectors @ v / (np.linalg.norm(vectors, axis=1) * (np.linalg.norm(v) or 1.0) + 1e-9)


def select_sentences(evidence: Evidence, max_sentences: int) -> list[Candidate]:
    """The best sentence, then close runners-up that cover what is still missing.

    Greedy: each next sentence must be nearly as relevant as the best one, and is
    preferred when it contains question terms no chosen sentence has yet (a
    question with two parts gets a sentence for each). Repeats are skipped.
    """
    if not evidence.candidates:
        return []
    best = evidence.candidates[0]
    chosen = [best]
    covered = set(best.terms)
    weights = evidence.question_weights
    total = sum(weights.values()) or 1.0
    pool = [c for c in evidence.candidates[1:12] if c.score >= 0.7 * best.score]

    def gain(c: Candidate, covered: set[str]) -> float:
        return sum(w for t, w in weights.items() if t in c.terms and t not in covered) / total

    while pool and len(chosen) < max_sentences:
        pick = max(pool, key=lambda c: c.score + 0.5 * gain(c, covered))
        pool.remove(pick)
        novel = len(pick.terms - covered) / max(1, len(pick.terms))
        if novel < 0.3:
            continue  # says the same thing again
        if gain(pick, covered) == 0 and pick.score < 0.85 * best.score:
            continue  # adds nothing the question asked for
        chosen.append(pick)
        covered |= pick.terms
    return chosen
