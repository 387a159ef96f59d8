"""Composing an answer from the decided evidence: citations for quoted sentences, the
extractive answer text, the passages a model sees, and the checks that prefer the quotes
to a model's answer (split from ``pipeline``, which runs the chain)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from assistant.answer.answer_types import has_answer_type
from assistant.answer.citations import MARKER, Citation, Conflict, ConflictValue
from assistant.answer.conflicts import (
    FoundConflict,
    about_the_answer,
    find_conflicts,
    kinds_asked,
)
from assistant.answer.english import WH_WORDS
from assistant.answer.extractive import Candidate, Evidence, merge_duplicates, select_sentences
from assistant.answer.focus import WordMatcher
from assistant.answer.grounded import neutralize_markers, verify
from assistant.answer.naming import asked_verb
from assistant.answer.question import asks_which_thing
from assistant.answer.sufficiency import Sufficiency
from assistant.ingest.text import words
from assistant.settings import TUNING

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings


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


class Citer:
    """Hands out dense citation numbers, one per distinct quoted sentence."""

    def __init__(self) -> None:
        self.citations: list[Citation] = []
        self._numbers: dict[tuple[str, int], int] = {}

    @staticmethod
    def _key(cand: Candidate) -> tuple[str, int]:
        return cand.doc.metadata.get("source", ""), cand.start

    def number_of(self, cand: Candidate) -> int | None:
        """The number ``cand`` was cited under, if it was."""
        return self._numbers.get(self._key(cand))

    def cite(self, cand: Candidate) -> int:
        key = self._key(cand)
        if key not in self._numbers:
            self._numbers[key] = len(self.citations) + 1
            self.citations.append(citation_for(cand, self._numbers[key]))
        return self._numbers[key]


def compose_extractive(
    groups: list[list[Candidate]], citer: Citer | None = None
) -> tuple[str, Citer]:
    """Each answer sentence quoted once, followed by the ``[n]`` of every source saying it."""
    citer = citer or Citer()
    parts = []
    for group in groups:
        marks = "".join(f"[{citer.cite(c)}]" for c in group)
        parts.append(f"{neutralize_markers(group[0].text.strip())} {marks}")
    return " ".join(parts), citer


def should_refuse(evidence: Evidence, min_relevance: float) -> bool:
    """Refuse when no retrieved sentence is related enough to the question (off-topic)."""
    return not evidence.candidates or evidence.best < min_relevance


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


def kinds_not_given(
    text: str, question: str, sufficiency: Sufficiency, citer: Citer | None = None
) -> list[str]:
    """The kinds of answer (a name, a date, a reason...) that parts the evidence answers ask
    for and the model's verified answer does not hold: then the quotes answer better.

    ``question`` holds a follow-up's earlier questions too: a place the conversation
    already named does not answer "where was it going after that?".
    With ``citer``, a part's kind must be in the model's sentences that cite the passage
    deciding that part: a sentence that cites the answer but drops it ("it did not expect
    to be liable", without "as a time charterer") does not count because another sentence
    happens to hold a word of that kind."""
    asked = set(words(question))
    return [
        p.part.answer_type
        for p in sufficiency.parts
        if p.answered
        and p.part.answer_type
        and not has_answer_type(_citing(text, citer, p.sentence), p.part.answer_type, asked)
    ]


# A sentence of an answer text and the "[1][2]" after it (compose_extractive's format).
_CITED_SENTENCE = re.compile(rf"(.*?)((?:\s*{MARKER.pattern})+)", re.DOTALL)


def _citing(text: str, citer: Citer | None, sentence: Candidate | None) -> str:
    """The sentences of ``text`` that cite ``sentence`` (all of ``text`` when none does)."""
    number = citer.number_of(sentence) if citer is not None and sentence is not None else None
    if number is None:
        return text
    marker = f"[{number}]"
    cited = [m.group(1) for m in _CITED_SENTENCE.finditer(text) if marker in m.group(2)]
    return " ".join(cited) or text


def uses_the_answering_evidence(cited: list[Candidate], sufficiency: Sufficiency) -> bool:
    """Every answered part's deciding sentence is among the passages the model cited: a
    model writing from other passages is the unsure case, and the quotes answer better."""
    cited_ids = {id(c) for c in cited}
    return all(id(p.sentence) in cited_ids for p in sufficiency.parts if p.sentence is not None)


def looked_for(sufficiency: Sufficiency) -> list[str]:
    missing = [w for p in sufficiency.parts for w in p.missing]
    return list(dict.fromkeys(missing))


def mentioned_without_answer(sufficiency: Sufficiency) -> list[tuple[list[str], str]]:
    """Unanswered parts whose every focus word the sources use: (their words, the kind of
    answer none of the sentences gives), for a refusal to say what is missing."""
    return [
        (list(p.part.focus_words), p.part.answer_type)
        for p in sufficiency.parts
        if not p.answered and not p.missing and p.part.answer_type and p.part.focus_words
    ]


def has_marker(text: str | None) -> bool:
    return bool(text and MARKER.search(text))


def extractive_groups(
    evidence: Evidence, sufficiency: Sufficiency, max_sentences: int
) -> list[list[Candidate]]:
    """The sentence answering each part first, then close runners-up; repeats merged."""
    first = sufficiency.first_sentences
    limit = max(max_sentences, len(first))
    chosen = first if len(sufficiency.parts) > 1 else select_sentences(evidence, limit, first=first)
    return merge_duplicates(chosen, evidence.candidates)


def verified_text(
    generated: str,
    passages: list[Candidate],
    embeddings: Embeddings,
    support_threshold: float,
    word_matcher: WordMatcher,
) -> tuple[str, Citer, list[dict[str, str]], list[Candidate]]:
    """The model's supported sentences, each with the ``[n]`` of the passages it cites."""
    result = verify(generated, passages, embeddings, support_threshold, word_matcher)
    citer = Citer()
    parts = []
    cited: list[Candidate] = []
    for sentence in result.sentences:
        marks = "".join(f"[{citer.cite(passages[i])}]" for i in sentence.passages)
        cited.extend(passages[i] for i in sentence.passages)
        body = sentence.text.rstrip()
        parts.append(f"{body} {marks}")
    return " ".join(parts), citer, result.dropped, cited


def answer_conflicts(
    answer: list[Candidate],
    evidence: Evidence,
    sufficiency: Sufficiency,
    embeddings: Embeddings,
) -> list[FoundConflict]:
    """Disagreements, of a kind the question asks about, between what the answer says and
    other strong evidence."""
    if not answer:
        return []
    best = evidence.best
    # The masked-context test in find_conflicts decides; this only bounds the work.
    strong = [
        c
        for c in evidence.candidates[: TUNING.conflict_candidates]
        if c.score >= TUNING.conflict_min_score * best
    ]
    # a sentence answering a part in its own words is strong evidence, whatever its score
    strong += [c for p in sufficiency.parts for c in p.self_answering if c not in strong]
    # answering a part together is evidence of one claim only for sentences that answer it
    # in their own words
    answering = [p.self_answering for p in sufficiency.parts]
    # "which bacterium": an open part asking which thing hears only disagreeing titles
    kinds = ["thing" if asks_which_thing(p.part) else p.part.answer_type for p in sufficiency.parts]
    asked = kinds_asked(kinds)
    counted = {p.part.counted for p in sufficiency.parts if p.part.counted}
    actions = [asked_verb(p.part, tuple(WH_WORDS)) for p in sufficiency.parts]
    per_part = [kinds_asked([kind]) for kind in kinds]
    first = sufficiency.first_sentences
    # a value the question itself gives ("the August 2023 advisory") is no side
    given = {w for p in sufficiency.parts for w in words(p.part.text)}
    return [
        found
        for found in find_conflicts(
            answer, strong, embeddings, answering, counted, actions, per_part
        )
        if (asked is None or found.kind in asked)  # else: about something not asked
        and about_the_answer(found, first)
        and not any(set(words(value)) <= given for value, _ in found.sides)
    ]


def as_conflicts(found: list[FoundConflict], citer: Citer) -> list[Conflict]:
    """The structured ``conflicts`` field: each side's value with its citation number."""
    return [
        Conflict(
            topic=f.topic,
            values=[ConflictValue(value=v, citations=[citer.cite(c)]) for v, c in f.sides],
        )
        for f in found
    ]


def unstated_sides(found: list[FoundConflict], answer: list[Candidate]) -> list[Candidate]:
    """Sentences stating the other side of a disagreement that the answer text lacks: a
    reader should see each source's claim, not only the one that ranked first."""
    return list(dict.fromkeys(c for f in found for _, c in f.sides if c not in answer))


def with_other_sides(
    groups: list[list[Candidate]],
    found: list[FoundConflict],
    keep: int,
    max_sentences: int,
) -> list[list[Candidate]]:
    """``groups`` with each unstated side of a disagreement placed after the sentence it
    disagrees with."""
    missing = unstated_sides(found, [c for g in groups for c in g])
    counterpart = {
        other: next(c for _, c in f.sides if c is not other)
        for f in found
        for _, other in f.sides
        if other in missing
    }
    return placed_after(groups, counterpart, keep, max_sentences)


def placed_after(
    groups: list[list[Candidate]],
    after: dict[Candidate, Candidate],
    keep: int,
    max_sentences: int,
) -> list[list[Candidate]]:
    """``groups`` with each key of ``after`` quoted right after the group holding its
    value; runner-up sentences make room (never the first ``keep`` groups: the sentences
    answering the question's parts)."""
    if not after:
        return groups
    out = [list(g) for g in groups]
    for cand, anchor in after.items():
        at = next((i for i, g in enumerate(out) if anchor in g), len(out) - 1)
        out.insert(at + 1, [cand])
    excess = len(out) - max(max_sentences, keep + len(after))
    runner_ups = [i for i in range(keep, len(out)) if out[i][0] not in after]
    for i in reversed(runner_ups[-excess:] if excess > 0 else []):  # the last ones make room
        out.pop(i)
    return out


def with_quotes_after(text: str, citer: Citer, quotes: list[Candidate]) -> str:
    """A model's ``text`` with ``quotes`` it did not cite quoted after it (the unstated
    sides of its disagreements, the outcome of a matter a cited claim waits on)."""
    other = [c for c in dict.fromkeys(quotes) if citer.number_of(c) is None]
    return f"{text} {compose_extractive([[c] for c in other], citer)[0]}" if other else text


def quoted_with_context(
    groups: list[list[Candidate]],
    found: list[FoundConflict],
    settled: dict[Candidate, Candidate],
    keep: int,
    max_sentences: int,
) -> tuple[str, Citer]:
    """The quoted answer with each unstated side of a disagreement after the sentence it
    disagrees with, and each settled claim's outcome after the claim."""
    groups = with_other_sides(groups, found, keep, max_sentences)
    return compose_extractive(placed_after(groups, settled, keep, max_sentences))
