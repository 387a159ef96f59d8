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

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from assistant.answer.acronyms import abbreviated_words
from assistant.answer.answer_types import answer_names, count_answer_values, has_answer_type
from assistant.answer.extractive import Candidate
from assistant.answer.focus import (
    PARAPHRASE_SIMILARITY,
    WordMatcher,
    all_focus,
    asked_years,
    occurs,
    of_the_future,
    of_the_measure,
    of_the_years,
    paraphrases,
    passage_terms,
    restates,
    telling_the_action,
)
from assistant.answer.naming import (
    items_of_one_kind,
    linked_sentences,
    listed_names,
    names_in_role,
)
from assistant.answer.preference import may_count, mentions, preferred_sentences
from assistant.answer.question import QuestionAnalysis, QuestionPart
from assistant.ingest.text import normalize, terms, words

Status = Literal["answer", "partial", "not_answered"]


# A focus word found only in the passage around the sentence counts this much.
CONTEXT_CREDIT = 1.0
# Share of the (rarity-weighted) focus a sentence must cover to answer a part.
MIN_FOCUS_COVERAGE = 0.5
# ... or this share, when the sentence is also this close in meaning to the question.
LOW_FOCUS_COVERAGE = 0.2
CLOSE_MEANING = 0.65
# ... or this share, when the sentence all but restates the question in other words ("the
# appeal was filed 39 days after it received the order by electronic mail" for "how many
# days passed between getting the order by email and lodging the appeal").
LEAST_FOCUS_COVERAGE = 0.1
RESTATES_MEANING = 0.8
# Kinds of answer that are a value (a date, a figure): one borrowing all its focus from
# its passage may give the value of something else the passage tells.
MEASURED_KINDS = frozenset({"date", "time", "duration", "number", "money"})
# Candidates examined per part (by their relevance to the part).
PART_POOL = 12


@dataclass
class PartDecision:
    part: QuestionPart
    sentence: Candidate | None  # the sentence that answers the part, if any
    coverage: float  # best focus coverage among the sentences holding the answer type
    meaning: float = 0.0  # best semantic similarity among those sentences
    # focus words no sentence covers (empty when each occurs, but no sentence of the kind
    # asked says them together: the kind of answer is what is missing)
    missing: list[str] = field(default_factory=list)
    # every sentence that would answer the part on its own (the chosen one first)
    answering: list[Candidate] = field(default_factory=list)
    # those of them that answer in their own words, not with focus borrowed from their
    # passage ("The bridge opened in 1974" in a passage about its closure)
    self_answering: list[Candidate] = field(default_factory=list)
    # for "which two lists": sentences naming the items the chosen one does not
    more: list[Candidate] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return self.sentence is not None


@dataclass
class Sufficiency:
    parts: list[PartDecision]

    @property
    def first_sentences(self) -> list[Candidate]:
        """The sentences that answer the parts (and name a "which two" part's other items),
        each once, in part order."""
        return list(
            dict.fromkeys(c for p in self.parts if p.sentence for c in [p.sentence, *p.more])
        )

    @property
    def status(self) -> Status:
        answered = [p.answered for p in self.parts]
        if all(answered):
            return "answer"
        return "partial" if any(answered) else "not_answered"


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
        decision = _decide_part(part, pool, question_words, weigh(part), matcher)
        if decision.sentence is not None and part.items > 1:
            _name_the_items(decision, question_words)
        decisions.append(decision)
    return Sufficiency(decisions)


def _name_the_items(decision: PartDecision, question_words: set[str]) -> None:
    """For "which two lists": the first answering sentence that names one ("Covered List")
    answers, and ``more`` gets the sentences naming the others ("Entity List")."""
    part = decision.part

    def items(cand: Candidate) -> set[str]:
        if part.item_noun is None:
            return set()
        names = (normalize(cand.text[a:b]) for a, b in answer_names(cand.text, question_words))
        return {n for n in names if part.item_noun in words(n)}

    naming = [c for c in decision.answering if items(c)]
    if not naming:  # named otherwise: "the certification procedure or the SDoC procedure"
        naming = [c for c in decision.answering if items_of_one_kind(c.text) >= part.items][:1]
    if not naming:  # "the Alp Guard and the Carlo Magno" for tugs
        naming = [c for c in decision.answering if listed_names(c, question_words) >= part.items]
        naming = naming[:1]
    if not naming:
        return
    decision.sentence = naming[0]
    decision.answering.remove(naming[0])
    decision.answering.insert(0, naming[0])
    given = items(naming[0])
    for cand in naming[1:]:
        if len(given) >= part.items:
            break
        if items(cand) - given:
            decision.more.append(cand)
            given |= items(cand)


def _decide_part(
    part: QuestionPart,
    pool: list[Candidate],
    question_words: set[str],
    weights: dict[str, float],
    matcher: WordMatcher | None,
) -> PartDecision:
    """The most relevant sentence that holds the answer type and covers the focus."""
    typed, listing, about = _typed(part, pool, question_words, weights, matcher)
    found = set().union(*(c.terms for c in pool)) if pool else set()
    missing = [
        w for t, w in zip(part.focus, part.focus_words, strict=True) if not occurs(t, w, found)
    ]
    if not typed:  # name what no sentence says: the counted thing
        counted = [part.counted] if part.counted in part.focus_words else []
        return PartDecision(part, None, 0.0, missing=missing or counted)
    total = sum(weights.values())
    if total <= 0:
        return PartDecision(part, typed[0], 1.0)
    paraphrased = paraphrases(part, pool, matcher)
    best, meaning = 0.0, 0.0
    # A follow-up that asks only for a kind of answer ("and under which act?") needs only
    # a sentence of that kind that is still about the earlier question.
    only_kind = not part.focus
    linked = linked_sentences(part, typed, matcher)
    order = (linked, *preferred_sentences(part, typed, question_words, matcher), about)
    chosen: PartDecision | None = None
    own_coverage: dict[int, float] = {}  # focus said by the sentence itself
    # "which insurance company": what no passage speaks of, a sentence must say otherwise
    unsaid = [w for w in part.thing_words if w in missing]
    for cand in sorted(typed, key=lambda c: [id(c) not in ids for ids in order]):
        if any(paraphrased.get((w, id(cand)), 0.0) < PARAPHRASE_SIMILARITY for w in unsaid):
            continue
        holder = bool(part.role) or id(cand) in linked
        coverage = _coverage(cand, part, weights, paraphrased, role_holder=holder) / total
        if sufficient(coverage, cand.semantic) or (
            (only_kind or id(cand) in listing) and coverage >= LOW_FOCUS_COVERAGE
        ):
            own = _coverage(cand, part, weights, paraphrased, holder, own_words=True)
            measured = part.answer_type in MEASURED_KINDS and not only_kind
            # ... said in words of its own ("firefighters" for crews) ties it as well
            in_other_words = any(
                paraphrased.get((w, id(cand)), 0.0) >= PARAPHRASE_SIMILARITY
                for _, w in all_focus(part)
            )
            if measured and own <= 0 and not in_other_words:
                continue  # its figure may be another event's: nothing ties it to the focus
            if chosen is None:
                chosen = PartDecision(part, cand, coverage, meaning=cand.semantic)
            chosen.answering.append(cand)
            own_coverage[id(cand)] = own / total
            if sufficient(own / total, cand.semantic):
                chosen.self_answering.append(cand)
        best, meaning = max(best, coverage), max(meaning, cand.semantic)
    if chosen is not None and own_coverage:
        _prefer_self_contained(chosen, own_coverage, set().union(*order))
    if chosen is not None:
        _prefer_closest_in_meaning(chosen, set().union(*order))
    return chosen or PartDecision(part, None, best, meaning, missing)


def _typed(
    part: QuestionPart,
    pool: list[Candidate],
    question_words: set[str],
    weights: dict[str, float],
    matcher: WordMatcher | None,
) -> tuple[list[Candidate], set[int], set[int]]:
    """(the sentences holding the kind of answer the part asks for, ids of those listing
    the things a "which two" part asks for, ids of those about what it counts)."""
    typed = [c for c in pool if has_answer_type(c.text, part.answer_type, question_words)]
    typed = telling_the_action(part, typed, matcher)  # "which company manufactured it"
    typed = of_the_future(part, typed)  # "when will the court hear it"
    typed = of_the_measure(part, typed)  # "how tall is the dam": a height
    if part.answer_type == "reason":
        typed += [c for c in pool if c not in typed and restates(c, part, weights)]
    # "which two routes": two things of one kind, named otherwise, need not be names
    listing = {id(c) for c in pool if part.items > 1 and items_of_one_kind(c.text) >= part.items}
    typed += [c for c in pool if id(c) in listing and c not in typed]
    # "how many employees": a number of something else does not answer; "how strong was
    # the wind", "how much fuel": a sentence about that thing answers first
    about = {id(c) for c in typed if part.counted and mentions(c, part.counted, matcher)}
    if part.counted and ("many" in words(part.text) or part.answer_type == "money"):
        typed = [c for c in typed if id(c) in about]
        if "many" in words(part.text):
            typed = [c for c in typed if may_count(c, part.counted, matcher)]
    if part.role:  # "who is the chief executive": a name given in that role
        typed = [
            c
            for c in typed
            if names_in_role(c, part.role, question_words, matcher, part.role_words)
        ]
    years = asked_years(part)  # "how many in 2022": a passage of another year tells its own
    if years:
        typed = [c for c in typed if of_the_years(c, years)]
    return typed, listing, about


def _prefer_closest_in_meaning(decision: PartDecision, preferred: set[int]) -> None:
    """When the chosen sentence says too little of the focus to answer on its words alone
    (it was admitted for being close in meaning), the answering sentence closest in
    meaning answers first: retrieval order says which passage, not which sentence."""
    if id(decision.sentence) in preferred or decision.coverage >= MIN_FOCUS_COVERAGE:
        return
    closest = max(decision.answering, key=lambda c: c.semantic)
    if closest is not decision.sentence and id(closest) not in preferred:
        decision.answering.remove(closest)
        decision.answering.insert(0, closest)
        decision.sentence = closest


def _prefer_self_contained(
    decision: PartDecision, own_coverage: dict[int, float], preferred: set[int]
) -> None:
    """A sentence that itself says the focus beats one that borrows it from its passage
    (unless the chosen one was preferred for another reason: a role, the asked action)."""
    if id(decision.sentence) in preferred or own_coverage[id(decision.sentence)] >= (
        MIN_FOCUS_COVERAGE
    ):
        return
    for cand in decision.answering:
        if own_coverage[id(cand)] >= MIN_FOCUS_COVERAGE:
            decision.answering.remove(cand)
            decision.answering.insert(0, cand)
            decision.sentence, decision.coverage = cand, own_coverage[id(cand)]
            return


def sufficient(coverage: float, meaning: float) -> bool:
    """Enough of the focus, or a good part of it in a sentence close in meaning, or a
    little of it in one that all but restates the question."""
    return (
        coverage >= MIN_FOCUS_COVERAGE
        or (coverage >= LOW_FOCUS_COVERAGE and meaning >= CLOSE_MEANING)
        or (coverage >= LEAST_FOCUS_COVERAGE and meaning >= RESTATES_MEANING)
    )


def _coverage(
    cand: Candidate,
    part: QuestionPart,
    weights: dict[str, float],
    paraphrased: dict[tuple[str, int], float],
    role_holder: bool = False,
    own_words: bool = False,
) -> float:
    """Weighted focus credit of one sentence: literal, in its passage, or paraphrased.

    ``own_words``: count only what the sentence itself says, not its passage.
    ``role_holder``: the sentence names someone in the part's role (in other words:
    "Justice" for a judge), or in a role tied to what the part names ("X, chief executive
    of Y" for "who runs Y"), so the role word (or the part's verb, its first focus word)
    counts as said."""
    context = passage_terms(cand)
    said = cand.terms | {t for w in abbreviated_words(cand.text, part.text) for t in terms(w)}
    credit = 0.0
    role = part.role or (part.focus_words[0] if part.focus_words else None)
    for term, word in all_focus(part):
        if role_holder and (word == role or word in part.role_words):
            credit += weights[term]
            continue
        similarity = paraphrased.get((word, id(cand)), 0.0)
        if occurs(term, word, said):
            credit += weights[term]
        elif not own_words and occurs(term, word, context):
            credit += CONTEXT_CREDIT * weights[term]
        elif similarity >= PARAPHRASE_SIMILARITY:
            credit += weights[term] * similarity
    return credit
