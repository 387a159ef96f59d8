"""Claims that hold only until a matter is settled, and the evidence that settles it.

A company "resumed operations pending the Court's ruling on the stay"; a later document
says "the stay was not granted". Quoting the first without the second answers with a
state of affairs the sources themselves report as overtaken. This is not a disagreement
of values (the two sentences do not give two values of one kind) but a later outcome of
the matter the claim waits on, so it is quoted beside the claim rather than reported as
a conflict.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.answer.english import (
    CONDITION_WORDS,
    MONTHS,
    OUTCOME_NOUNS,
    OUTCOME_REPORTS,
    PENDING_WORDS,
)
from assistant.answer.extractive import Candidate
from assistant.ingest.text import stopwords, terms, words

# Where one clause of a sentence ends and the next begins.
_CLAUSE = r"[,;:()]|\s(?:and|but|while|whereas)\s"
# A matter phrase ends there too, or at a relative clause or the sentence's end.
_CLAUSE_BREAK = re.compile(rf"{_CLAUSE}|[\[\]]|\s(?:which|who)\s|\.\s|\.$")


def pending_phrases(text: str) -> list[str]:
    """The matters a claim waits on: the words after "pending" (or "awaiting", "until") up
    to the end of the clause. None when the claim waits on a time ("until June 27",
    "until 2030") rather than a matter."""
    found = []
    lowered = text.lower()
    for word in sorted(PENDING_WORDS):
        for at in re.finditer(rf"\b{word}\b", lowered):
            rest = text[at.end() :]
            phrase = rest[: m.start()] if (m := _CLAUSE_BREAK.search(rest)) else rest
            toks = [w for w in words(phrase) if w not in stopwords()]
            if toks and toks[0] not in MONTHS and not any(c.isdigit() for w in toks for c in w):
                found.append(phrase.strip())
    return found


def pending_matter(text: str) -> frozenset[str]:
    """Stems of the matters a claim waits on, without the words that only say a decision
    is involved ("ruling", "decision")."""
    return frozenset(
        t
        for p in pending_phrases(text)
        for w in words(p)
        if w not in OUTCOME_NOUNS
        for t in terms(w)
    )


def settling(claim: Candidate, pool: list[Candidate]) -> Candidate | None:
    """The sentence of ``pool`` that reports an outcome of the matter ``claim`` waits on:
    a decision verb in the past ("granted", "dismissed") and the matter's own words, from
    a document no older than the claim's. The one sharing most of the matter wins."""
    matter = pending_matter(claim.text)
    if not matter:
        return None
    claim_date = int(claim.doc.metadata.get("date_num", 0) or 0)
    best, best_shared = None, 0
    for cand in pool:
        if cand is claim or pending_matter(cand.text):
            continue  # a sentence still waiting settles nothing
        date = int(cand.doc.metadata.get("date_num", 0) or 0)
        if claim_date and date and date < claim_date:
            continue
        reports = _reported_outcomes(cand.text)
        shared = max((len(matter & set(terms(c))) for c in reports), default=0)
        if shared > best_shared:
            best, best_shared = cand, shared
    return best


def settled_claims(
    answer: list[Candidate],
    pool: list[Candidate],
    search: Callable[[str], list[Candidate]] | None = None,
) -> dict[Candidate, Candidate]:
    """{sentence settling a claim: the claim} for each answer sentence whose matter is
    settled by a sentence the answer does not already quote. The outcome is looked for in
    ``pool`` and, when given, by ``search`` for the matter itself: a ruling is often in a
    later passage of the document than the one the question retrieved."""
    out: dict[Candidate, Candidate] = {}
    quoted = {_where(c) for c in answer}
    for claim in answer:
        phrases = pending_phrases(claim.text)
        if not phrases:
            continue
        more = [c for p in phrases for c in search(p)] if search else []
        found = settling(claim, [*pool, *more])
        if found is not None and _where(found) not in quoted:
            out[found] = claim
            quoted.add(_where(found))
    return out


def _where(cand: Candidate) -> tuple[str, int]:
    return str(cand.doc.metadata.get("source", "")), cand.start


def _reported_outcomes(text: str) -> list[str]:
    """The clauses of ``text`` that report a decision as made: a decision verb in the past,
    not under a condition ("the stay was not granted", not "harm if no stay is granted")."""
    clauses = [c for c in re.split(_CLAUSE, text) if c]
    return [
        c
        for c in clauses
        if any(w in OUTCOME_REPORTS for w in words(c))
        and not any(w in CONDITION_WORDS for w in words(c))
    ]
