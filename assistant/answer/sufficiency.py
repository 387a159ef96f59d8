"""Is the question answered by the evidence? A decision per question part, not a threshold.

A part is answered by a sentence that (1) holds the kind of answer the part wants (a
name for "who", a date for "when", a number for "how many", a law for "which act", an
outcome verb for "what did X decide", a reason for "why") and (2) is about the part's
focus: its specific words occur in the sentence, in the passage around it, or are
paraphrased there (embedding similarity of the word to the sentence's words). Focus
words are weighted by how rare they are in the corpus, so the topic everybody writes
about ("the company") counts little and the specific thing asked ("revenue", "CEO")
counts most.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.answer.extractive import Candidate
from assistant.answer.question import (
    QuestionAnalysis,
    QuestionPart,
    answer_names,
    count_answer_values,
    has_answer_type,
)
from assistant.answer.wordforms import can_be_noun, forms
from assistant.ingest.text import normalize, stopwords, terms, words

Status = Literal["answer", "partial", "not_answered"]

_TOKEN = re.compile(r"[\w'’-]+")

# A focus word counts as paraphrased by a sentence word at least this similar.
PARAPHRASE_SIMILARITY = 0.62
# A focus word found only in the passage around the sentence counts this much.
CONTEXT_CREDIT = 1.0
# Share of the (rarity-weighted) focus a sentence must cover to answer a part.
MIN_FOCUS_COVERAGE = 0.5
# ... or this share, when the sentence is also this close in meaning to the question.
LOW_FOCUS_COVERAGE = 0.2
CLOSE_MEANING = 0.65
# A follow-up's terms from the earlier question weigh together at most this share of its
# own focus (all of the weight when the follow-up asks only for a kind of answer).
EARLIER_QUESTION_WEIGHT = 0.5
# How much general-English rarity counts against corpus rarity: a corpus that never uses a
# common word ("next", "set", "side") says little about how specific it is.
RARITY_POWER = 1.5
# A name answers "who is the <role>" when at most this many words part it from the role.
ROLE_WINDOW = 6
# Candidates examined per part (by their relevance to the part).
PART_POOL = 12
# A "why" part is also answered by a sentence that restates this share of its focus in
# its own words and says more: "X did not expect to be liable, as a time charterer".
RESTATED_FOCUS = 0.8


@dataclass
class PartDecision:
    part: QuestionPart
    sentence: Candidate | None  # the sentence that answers the part, if any
    coverage: float  # best focus coverage among the sentences holding the answer type
    meaning: float = 0.0  # best semantic similarity among those sentences
    missing: list[str] = field(default_factory=list)  # focus words no sentence covers
    # every sentence that would answer the part on its own (the chosen one first)
    answering: list[Candidate] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return self.sentence is not None


@dataclass
class Sufficiency:
    parts: list[PartDecision]

    @property
    def status(self) -> Status:
        answered = [p.answered for p in self.parts]
        if all(answered):
            return "answer"
        return "partial" if any(answered) else "not_answered"


class WordMatcher:
    """Embedding similarity between single words, with a small cache of word vectors."""

    def __init__(self, embeddings: Embeddings, size: int = 20_000) -> None:
        self.embeddings = embeddings
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()

    def vectors(self, items: list[str]) -> dict[str, np.ndarray]:
        new = [w for w in dict.fromkeys(items) if w not in self._vectors]
        if new:
            for word, vec in zip(new, self.embeddings.embed_documents(new), strict=True):
                v = np.asarray(vec, dtype=np.float32)
                self._vectors[word] = v / (np.linalg.norm(v) + 1e-9)
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return {w: self._vectors[w] for w in items if w in self._vectors}

    def best(self, word: str, candidates: set[str]) -> float:
        """Highest similarity of ``word`` to any of ``candidates`` (0 when none)."""
        if not candidates:
            return 0.0
        vecs = self.vectors([word, *sorted(candidates)])
        target = vecs[word]
        return max((float(target @ vecs[c]) for c in candidates if c != word), default=0.0)


def _all_focus(part: QuestionPart) -> list[tuple[str, str]]:
    """(term, word) of the part's own focus and of the earlier question's."""
    return [
        *zip(part.focus, part.focus_words, strict=True),
        *zip(part.context, part.context_words, strict=True),
    ]


def _occurs(term: str, word: str, found: frozenset[str] | set[str]) -> bool:
    """The word, or another inflection of it ("held" for "holding"), is among ``found``."""
    return term in found or not forms(word).isdisjoint(found)


def _content_words(text: str) -> set[str]:
    return {w for w in words(text) if w not in stopwords() and len(w) > 2 and not w.isdigit()}


def decide(
    analysis: QuestionAnalysis,
    ranked_by_part: list[list[Candidate]],
    weigh: Callable[[QuestionPart], dict[str, float]],
    matcher: WordMatcher | None,
) -> Sufficiency:
    """Decide, part by part, which sentence answers it (see the module docstring).

    ``ranked_by_part[i]`` holds the candidates ordered by relevance to part ``i``.
    """
    decisions: list[PartDecision] = []
    question_words = set(words(analysis.question))
    for part, ranked in zip(analysis.parts, ranked_by_part, strict=True):
        # Two parts asking for the same kind of answer ask for two different values: a
        # sentence that answered an earlier one answers this one only if it holds another.
        taken = {
            id(d.sentence)
            for d in decisions
            if d.sentence is not None
            and part.answer_type not in (None, "polar")
            and d.part.answer_type == part.answer_type
            and count_answer_values(d.sentence.text, part.answer_type) < 2
        }
        pool = [c for c in ranked if id(c) not in taken][:PART_POOL]
        decisions.append(_decide_part(part, pool, question_words, weigh(part), matcher))
    return Sufficiency(decisions)


def _decide_part(
    part: QuestionPart,
    pool: list[Candidate],
    question_words: set[str],
    weights: dict[str, float],
    matcher: WordMatcher | None,
) -> PartDecision:
    """The most relevant sentence that holds the answer type and covers the focus."""
    typed = [c for c in pool if has_answer_type(c.text, part.answer_type, question_words)]
    if part.answer_type == "reason":
        typed += [c for c in pool if c not in typed and _restates(c, part, weights)]
    if part.counted:  # "how many employees": a number of something else does not answer
        typed = [c for c in typed if _mentions(c, part.counted, matcher)]
    if part.role:  # "who is the chief executive": a name given in that role
        typed = [c for c in typed if _names_in_role(c, part.role, question_words, matcher)]
    found = set().union(*(c.terms for c in pool)) if pool else set()
    missing = [
        w for t, w in zip(part.focus, part.focus_words, strict=True) if not _occurs(t, w, found)
    ]
    if not typed:
        return PartDecision(part, None, 0.0, missing=missing or list(part.focus_words))
    total = sum(weights.values())
    if total <= 0:
        return PartDecision(part, typed[0], 1.0)
    paraphrased = _paraphrases(part, pool, matcher)
    best, meaning = 0.0, 0.0
    # A follow-up that asks only for a kind of answer ("and under which act?") needs only
    # a sentence of that kind that is still about the earlier question.
    only_kind = not part.focus
    chosen: PartDecision | None = None
    for cand in typed:
        coverage = _coverage(cand, part, weights, paraphrased, role_holder=bool(part.role))
        coverage /= total
        if sufficient(coverage, cand.semantic) or (only_kind and coverage >= LOW_FOCUS_COVERAGE):
            if chosen is None:
                chosen = PartDecision(part, cand, coverage, meaning=cand.semantic)
            chosen.answering.append(cand)
        best, meaning = max(best, coverage), max(meaning, cand.semantic)
    return chosen or PartDecision(part, None, best, meaning, missing or list(part.focus_words))


def sufficient(coverage: float, meaning: float) -> bool:
    """Enough of the focus, or a good part of it in a sentence close in meaning."""
    return coverage >= MIN_FOCUS_COVERAGE or (
        coverage >= LOW_FOCUS_COVERAGE and meaning >= CLOSE_MEANING
    )


def _coverage(
    cand: Candidate,
    part: QuestionPart,
    weights: dict[str, float],
    paraphrased: dict[tuple[str, int], float],
    role_holder: bool = False,
) -> float:
    """Weighted focus credit of one sentence: literal, in its passage, or paraphrased.

    ``role_holder``: the sentence names someone in the part's role (in other words:
    "Justice" for a judge), so the role word counts as said."""
    context = _passage_terms(cand)
    credit = 0.0
    for term, word in _all_focus(part):
        if role_holder and word == part.role:
            credit += weights[term]
            continue
        similarity = paraphrased.get((word, id(cand)), 0.0)
        if _occurs(term, word, cand.terms):
            credit += weights[term]
        elif _occurs(term, word, context):
            credit += CONTEXT_CREDIT * weights[term]
        elif similarity >= PARAPHRASE_SIMILARITY:
            credit += weights[term] * similarity
    return credit


def _mentions(cand: Candidate, word: str, matcher: WordMatcher | None) -> bool:
    """The sentence names ``word`` in some form, or a word close to it in meaning."""
    if not forms(word).isdisjoint(cand.terms):  # forms() holds the word's own stems too
        return True
    return matcher is not None and matcher.best(word, _content_words(cand.text)) >= (
        PARAPHRASE_SIMILARITY
    )


def _names_in_role(
    cand: Candidate, role: str, question_words: set[str], matcher: WordMatcher | None
) -> bool:
    """A name stands within a few words of the role ("Ian Beveridge, chief executive of
    BSM", "Madam Justice Furlanetto" for a judge): the sentence says who holds it."""
    names = answer_names(cand.text, question_words)
    if not names:
        return False
    tokens = [(m.span(), normalize(m.group(0))) for m in _TOKEN.finditer(cand.text)]
    wanted = forms(role)
    content = sorted({w for _, w in tokens if w in _content_words(w)} - {role})
    vectors = matcher.vectors([role, *content]) if matcher is not None else {}
    holders = []
    for span, word in tokens:
        similar = word in vectors and role in vectors and float(vectors[role] @ vectors[word])
        if not wanted.isdisjoint(terms(word)) or (
            (similar or 0.0) >= PARAPHRASE_SIMILARITY and can_be_noun(word)
        ):
            holders.append(span)  # "Justice" holds a judge's role; "judicial" does not
    for start, end in names:
        for r_start, r_end in holders:
            gap = cand.text[min(end, r_end) : max(start, r_start)]
            if len(_TOKEN.findall(gap)) <= ROLE_WINDOW:
                return True
    return False


def _restates(cand: Candidate, part: QuestionPart, weights: dict[str, float]) -> bool:
    """The sentence itself says most of what the part asks about, and more besides."""
    total = sum(weights.get(t, 0.0) for t in part.focus)
    if total <= 0:
        return False
    said = sum(
        weights.get(t, 0.0)
        for t, w in zip(part.focus, part.focus_words, strict=True)
        if _occurs(t, w, cand.terms)
    )
    asked = {f for t, w in zip(part.focus, part.focus_words, strict=True) for f in forms(w) | {t}}
    more = [t for t in cand.terms if t not in asked]
    return said / total >= RESTATED_FOCUS and len(set(more)) >= len(part.focus)


def _paraphrases(
    part: QuestionPart, pool: list[Candidate], matcher: WordMatcher | None
) -> dict[tuple[str, int], float]:
    """(focus word, id(candidate)) -> best similarity to a word of that candidate's sentence,
    for the focus words no candidate's passage contains literally (one embedding batch)."""
    if matcher is None or not pool:
        return {}
    literal = set().union(*(c.terms | _passage_terms(c) for c in pool))
    absent = [w for t, w in _all_focus(part) if not _occurs(t, w, literal)]
    if not absent:
        return {}
    sentence_words = {id(c): sorted(_content_words(c.text)) for c in pool}
    vectors = matcher.vectors([*absent, *{w for ws in sentence_words.values() for w in ws}])
    out: dict[tuple[str, int], float] = {}
    for cand in pool:
        others = [w for w in sentence_words[id(cand)] if w in vectors]
        if not others:
            continue
        matrix = np.stack([vectors[w] for w in others])
        for word in absent:
            sims = matrix @ vectors[word]
            out[(word, id(cand))] = float(
                max((s for w, s in zip(others, sims, strict=True) if w != word), default=0.0)
            )
    return out


_PASSAGE_TERMS: OrderedDict[str, frozenset[str]] = OrderedDict()


def _passage_terms(cand: Candidate) -> frozenset[str]:
    """Stemmed terms of the candidate's whole passage (cached: passages repeat)."""
    text = cand.doc.page_content
    found = _PASSAGE_TERMS.get(text)
    if found is None:
        found = _PASSAGE_TERMS[text] = frozenset(terms(text))
        while len(_PASSAGE_TERMS) > 4096:
            _PASSAGE_TERMS.popitem(last=False)
    return found


def focus_weights(
    part: QuestionPart, document_frequency: Callable[[str], int], n_docs: int
) -> dict[str, float]:
    """How specific each focus term is: rare in the corpus and rare in English.

    The corpus side says what the documents are about (the topic everybody mentions
    weighs little); the English side keeps a common word that this corpus happens not
    to use ("first", "hold") from weighing as much as a specific one ("revenue").
    """

    def weight(term: str, word: str) -> float:
        idf = math.log(1 + (n_docs + 1) / (document_frequency(term) + 0.5))
        return idf * english_rarity(word) ** RARITY_POWER

    weights = {t: weight(t, w) for t, w in zip(part.focus, part.focus_words, strict=True)}
    own = sum(weights.values())
    earlier = {t: weight(t, w) for t, w in zip(part.context, part.context_words, strict=True)}
    if earlier and own > 0:  # the follow-up's own words count most, however long the context
        scale = min(1.0, EARLIER_QUESTION_WEIGHT * own / sum(earlier.values()))
        earlier = {t: w * scale for t, w in earlier.items()}
    return {**weights, **earlier}


@lru_cache(maxsize=50_000)
def english_rarity(word: str) -> float:
    """0.05 (the commonest words: "get", "take") to 1 (rarer words and names), from general
    English usage (Zipf frequency: 6 is a word used about once in a thousand words)."""
    from wordfreq import zipf_frequency

    zipf = zipf_frequency(word.replace("'s", ""), "en")
    return min(1.0, max(0.05, (6.5 - zipf) / 2.5))
