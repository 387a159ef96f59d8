"""Disagreements between sources: the same claim, with different values of one kind.

Model-free apart from the embedding model. Each sentence's values are extracted by
kind: dates and years, money, counts (a number with the noun it counts, spelled-out
numbers included) and official titles. Two values from different sources conflict
only when

- they are of the same kind and incompatible (June 27 and June 27, 2025 agree; four
  and five subsidiaries do not; a count of days and a count of employees are not
  comparable),
- they describe the same claim: the words around each value, with the value masked,
  say nearly the same thing (a founding year and an order year do not), or, when both
  sentences answer the same question part on their own, say much the same thing (if
  the part asks for that kind of value, and each value stands by the asked action when
  the sentence names it: "issued on April 12 ... prevents the ship from leaving" does
  not date the leaving), and
- neither side reports a change over time ("reduced its claim to ...", "27 points before
  the ruling, down to 21"), which makes two values true at different times rather than a
  disagreement, and
- two titles of one named person, each in a sentence answering the question on its own,
  are one claim however the sentences are worded, and
- a count placing a moment ("two days after it ran aground") is set only against another
  such count, never against a duration ("for six days").

Everything here is general English; nothing knows a corpus.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import zip_longest

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.answer.answer_types import WHEN
from assistant.answer.english import CHANGE_WORDS
from assistant.answer.extractive import Candidate
from assistant.answer.values import (
    TITLE_WORDS,
    WORD,
    Value,
    comparable,
    compatible,
    extract_values,
    states_a_change,
)
from assistant.answer.wordforms import forms
from assistant.ingest.text import normalize, terms, words

# Masked contexts of two values at least this similar describe the same claim.
SAME_CLAIM_SIMILARITY = 0.72
# ... or this similar, when both sentences answer the same question part on their own:
# answering the same question is itself evidence that they report the same thing.
SAME_QUESTION_SIMILARITY = 0.5
CONTEXT_WORDS = 7  # words kept on each side of a value for its masked context


@dataclass
class FoundConflict:
    topic: str
    sides: list[tuple[str, Candidate]]  # (value as written, sentence stating it)
    kind: str = ""  # date, money, count or title


# The kinds of disagreement that matter to a question asking for each kind of answer
# ("when" is not answered differently by two counts of days); other questions: any kind.
# A law, a place, an outcome or a reason is not a value of any of these kinds.
KINDS_ASKED: dict[str, set[str]] = {
    "date": {"date"},
    "time": set(),
    "duration": {"count"},
    "number": {"count", "money"},  # "how large was the penalty": an amount
    "money": {"money"},
    "name": {"title"},
    "thing": {"title"},  # "which bacterium", "what cabinet post": which thing it is
    "law": set(),
    "place": set(),
    "outcome": set(),
    "reason": set(),
}


def kinds_asked(answer_types: list[str | None]) -> set[str] | None:
    """Kinds of disagreement worth reporting for these question parts (None: any)."""
    kinds: set[str] = set()
    for kind in answer_types:
        if kind not in KINDS_ASKED:
            return None
        kinds |= KINDS_ASKED[kind]
    return kinds


def masked_context(text: str, value: Value) -> str:
    """The words around a value, with the value itself replaced by a neutral marker."""
    before = text[: value.start].split()[-CONTEXT_WORDS:]
    after = text[value.end :].split()[:CONTEXT_WORDS]
    return " ".join([*before, "something", *after])


def _trim_title(value: Value, other_text: str) -> Value:
    """A title without the words the other sentence also uses (a shared name is not what
    the two disagree on): "Minister of Foreign Affairs Anna Berg" vs "Trade Minister Anna
    Berg" disputes "foreign affairs" against "trade"."""
    shared = set(words(other_text))
    key = tuple(w for w in value.key if w not in shared)
    shown, name = value.shown.split(), []
    while len(shown) > 1 and set(words(shown[-1])) <= shared - TITLE_WORDS:
        name.insert(0, shown.pop())  # a shared name swallowed by the title's pattern
    text = " ".join(shown)
    holder = value.holder or " ".join(name)  # ... is the name the title belongs to
    return Value(value.kind, key, text, value.start, value.start + len(text), holder)


def _reports_change(context: str) -> bool:
    """A word of change ("reduced", "later") in the value's context, unless it is part of
    a name in capitals: "the Amended Complaint" names a document, and reports no change."""
    tokens = context.split()
    for i, token in enumerate(tokens):
        if not set(words(token)) & CHANGE_WORDS:
            continue
        named = token[:1].isupper() and any(
            t[:1].isupper() for t in tokens[max(0, i - 1) : i] + tokens[i + 1 : i + 2]
        )
        if not named:
            return True
    return False


def _counts_asked(a: Value, b: Value, asked_terms: set[str]) -> bool:
    """Both values count the same thing ("369 vessels", "422 vessels"), and it is what the
    question counts. Answering the same part is not enough: "sickened 312 people" and "41
    people were hospitalised" both answer "how many people ended up in hospital"."""
    if a.kind != "count" or b.kind != "count" or terms(a.holder) != terms(b.holder):
        return False
    return bool(set(terms(a.holder)[-1:]) & asked_terms)


def _titles_of_one_person(a: Value, b: Value) -> bool:
    """Two titles given to one named person ("Chief Operating Officer Dana Reyes", "Vice
    President of Sales Dana Reyes"): however differently the sentences are worded, they
    state the same attribute of the same person."""
    return a.kind == "title" == b.kind and bool(a.holder) and words(a.holder) == words(b.holder)


def _at_different_times(a: Candidate, b: Candidate) -> bool:
    """Both sentences say when, and not the same day: "by Wednesday evening, 100 ships"
    and "85 ships on Saturday" count at different times."""
    days_a = {normalize(m.group(0)) for m in WHEN.finditer(a.text)}
    days_b = {normalize(m.group(0)) for m in WHEN.finditer(b.text)}
    return bool(days_a and days_b and not days_a & days_b)


def _answer_one_part(
    a: Candidate,
    va: Value,
    b: Candidate,
    vb: Value,
    group: set[int],
    verb: str | None,
    asked: set[str] | None,
) -> bool:
    """Both sentences answer one part on their own, and that part asks for a value of this
    kind ("where did it go" says nothing about two dates) of its action."""
    return (
        id(a) in group
        and id(b) in group
        and (asked is None or va.kind in asked)
        and _of_action(a, va, verb)
        and _of_action(b, vb, verb)
    )


def _of_action(cand: Candidate, value: Value, verb: str | None) -> bool:
    """The value may belong to the asked action: the sentence names it near the value, or
    not at all (in other words). "The order was issued on April 12 and prevents the ship
    from leaving" dates the order, not the leaving asked about."""
    if verb is None:
        return True
    wanted = forms(verb)
    if all(wanted.isdisjoint(terms(m.group(0))) for m in WORD.finditer(cand.text)):
        return True
    return any(not wanted.isdisjoint(terms(w)) for w in masked_context(cand.text, value).split())


def _topic(value: Value) -> str:
    if value.kind == "count":
        return f"the number of {value.holder}"
    if value.kind == "title" and value.holder:
        return f"the title of {value.holder}"
    return {"date": "the date", "money": "the amount", "title": "the title"}[value.kind]


def about_the_answer(found: FoundConflict, first: list[Candidate]) -> bool:
    """The disagreement concerns what answers the question: a side is stated by a sentence
    answering a part, or such a sentence gives a value of the same kind (a title beside
    another title; for a count, a count of the same thing). Two runners-up quoted for
    context that disagree on something the answer never states ("$900 million" and "$916
    million" beside how an insurer described the claim) are not reported."""
    if any(cand is f for _, cand in found.sides for f in first):
        return True
    return any(
        v.kind == found.kind and (v.kind != "count" or _topic(v) == found.topic)
        for f in first
        for v in extract_values(f.text)
    )


def _disputed_pairs(
    answer: list[Candidate], pool: list[Candidate], values: dict[int, list[Value]]
) -> list[tuple[Candidate, Value, Candidate, Value]]:
    """(answer sentence, value, other source's sentence, value) for every two values of one
    kind about the same thing that cannot both be true."""
    pairs: list[tuple[Candidate, Value, Candidate, Value]] = []
    # "27 points before the ruling, down to 21": a change told, no one claim (read once)
    changes = {
        id(v)
        for c in dict.fromkeys([*answer, *pool])
        for v in values[id(c)]
        if states_a_change(v, values[id(c)], c.text)
    }
    for a in answer:
        for b in pool:
            if b is a or a.doc.metadata.get("source") == b.doc.metadata.get("source"):
                continue
            for va in values[id(a)]:
                if id(va) in changes:
                    continue
                for vb in values[id(b)]:
                    if id(vb) in changes:
                        continue
                    if va.kind == "title" == vb.kind:
                        va, vb = _trim_title(va, b.text), _trim_title(vb, a.text)
                        if not va.key or not vb.key:
                            continue
                    if va.moment != vb.moment:
                        continue  # "two days after it ran aground" is no duration
                    if comparable(va, vb) and not compatible(va, vb):
                        pairs.append((a, va, b, vb))
    return pairs


def find_conflicts(
    answer: list[Candidate],
    others: list[Candidate],
    embeddings: Embeddings,
    answering: list[list[Candidate]] | None = None,
    counted: set[str] | None = None,
    actions: list[str | None] | None = None,
    kinds: list[set[str] | None] | None = None,
) -> list[FoundConflict]:
    """Disagreements between a sentence of the ``answer`` and a sentence of ``others`` (or
    another answer sentence) from a different source; see the module docstring.

    ``answering`` lists, per question part, the sentences that each answer that part;
    ``actions``, per part, the verb it asks about ("when did the ship leave" -> leave);
    ``kinds``, per part, the kinds of value it asks for (None: any);
    ``counted``, the nouns a "how many" question counts.
    """
    asked_terms = {t for noun in counted or () for t in terms(noun)}
    groups = [{id(c) for c in group} for group in answering or []]
    per_part = list(zip_longest(groups, actions or [], kinds or []))[: len(groups)]
    pool = list(dict.fromkeys([*answer, *others]))
    values = {id(c): extract_values(c.text) for c in pool}
    pairs = _disputed_pairs(answer, pool, values)
    if not pairs:
        return []
    contexts = [masked_context(a.text, va) for a, va, _, _ in pairs]
    contexts += [masked_context(b.text, vb) for _, _, b, vb in pairs]
    vecs = np.asarray(embeddings.embed_documents(contexts), dtype=np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-9
    half = len(pairs)
    found: list[FoundConflict] = []
    seen: set[tuple[str, frozenset]] = set()
    for i, (a, va, b, vb) in enumerate(pairs):
        ctx_a, ctx_b = contexts[i], contexts[half + i]
        same_question = any(
            _answer_one_part(a, va, b, vb, g, verb, asked) for g, verb, asked in per_part
        )
        needed = SAME_QUESTION_SIMILARITY if same_question else SAME_CLAIM_SIMILARITY
        if _counts_asked(va, vb, asked_terms) and not _at_different_times(a, b):
            needed = -1.0  # two sources count exactly the thing the question asks to count
        if same_question and _titles_of_one_person(va, vb) and not _at_different_times(a, b):
            needed = -1.0  # one person, two titles, each answering the question on its own
        if float(vecs[i] @ vecs[half + i]) < needed:
            continue  # different claims that merely share a subject
        if _reports_change(ctx_a) or _reports_change(ctx_b):
            continue
        # Both sides must also state the other's value nowhere: a sentence giving both
        # values is reporting them, not disagreeing.
        if any(compatible(vb, v) for v in values[id(a)] if comparable(v, vb)):
            continue
        if any(compatible(va, v) for v in values[id(b)] if comparable(v, va)):
            continue
        key = (_topic(va), frozenset({va.shown, vb.shown}))
        if key in seen:
            continue
        seen.add(key)
        found.append(FoundConflict(_topic(va), [(va.shown, a), (vb.shown, b)], va.kind))
    return found[:3]
