"""Which of the sentences answering a part answer first: preferences, not conditions.

Split from ``sufficiency``, which decides whether a part is answered; these only order the
sentences that would answer it (the source the question names, the asked action, a place
gone to).
"""

from __future__ import annotations

import re

from assistant.answer.answer_types import clock_spans, names_a_place, number_spans
from assistant.answer.english import MEASURE_UNIT_WORDS
from assistant.answer.extractive import Candidate
from assistant.answer.focus import PARAPHRASE_SIMILARITY, WordMatcher, content_words
from assistant.answer.naming import asked_action, asked_verb
from assistant.answer.question import QuestionPart
from assistant.answer.values import extract_values
from assistant.answer.wordforms import forms, is_motion_verb
from assistant.ingest.text import terms, words

# Words after a number that may name what it counts ("14 Hearthfield-branded cooked meat
# products").
COUNT_WINDOW = 4


def preferred_sentences(
    part: QuestionPart,
    typed: list[Candidate],
    question_words: set[str],
    matcher: WordMatcher | None,
) -> tuple[set[int], set[int], set[int]]:
    """ids of the sentences that answer first, in order (preferences, not conditions:
    words for one action vary too much to require them):

    - "..., according to Lloyd's List": a sentence giving it as that source;
    - "who drove the tug": a sentence saying someone drove it, before one that only names
      someone; "what did the judge find": one saying the judge found;
    - "where": a place after "in", "at", "to", before any other name.
    """
    action = asked_action(part) or asked_verb(part)
    doing = {id(c) for c in typed if action and mentions(c, action, matcher)}
    placed: set[int] = set()
    if part.answer_type == "place":
        placed = {id(c) for c in typed if names_a_place(c.text, question_words)}
        # "where was it taken": a place it went to ("towed to the Great Bitter Lake")
        if any(is_motion_verb(w) for w in words(part.text)):
            gone_to = {
                id(c) for c in typed if names_a_place(c.text, question_words, destination=True)
            }
            placed = gone_to or placed
    return said_by(part, typed), doing, placed


def said_by(part: QuestionPart, typed: list[Candidate]) -> set[int]:
    """ids of the sentences giving the answer as the source the question names ("...,
    according to Lloyd's List"): the sentence names it, or its document's publisher is it."""
    if not part.attributed_to:
        return set()
    found = set()
    for cand in typed:
        publisher = str((cand.doc.metadata or {}).get("publisher") or "")
        if set(part.attributed_to) <= cand.terms | set(terms(publisher)):
            found.add(id(cand))
    return found


def mentions(cand: Candidate, word: str, matcher: WordMatcher | None) -> bool:
    """The sentence names ``word`` in some form, or a word close to it in meaning."""
    if not forms(word).isdisjoint(cand.terms):  # forms() holds the word's own stems too
        return True
    return matcher is not None and matcher.best(word, content_words(cand.text)) >= (
        PARAPHRASE_SIMILARITY
    )


def may_count(cand: Candidate, noun: str, matcher: WordMatcher | None) -> bool:
    """Some number of the sentence may count ``noun``: one followed closely by it, or by a
    word close to it in meaning ("14 Hearthfield-branded cooked meat products" for
    products), or one that counts nothing it names ("sent 37 to hospital"). A sentence
    whose every number counts something else ("kept aboard aircraft for five hours") gives
    no number of aircraft. Dates and amounts of money count nothing; a sentence with no
    other number is left to the caller ("no injuries were reported")."""
    text = cand.text
    values = extract_values(text)
    other = [(v.start, v.end) for v in values if v.kind in ("date", "money")]
    other += clock_spans(text)  # "at 19:40" counts nothing
    counts = {v.start for v in values if v.kind == "count"}  # where a count of a noun begins
    spans = [s for s in number_spans(text) if not any(a <= s[0] < b for a, b in other)]
    if not spans:
        return True  # "no injuries were reported": the caller's rules decide
    wanted = forms(noun)
    for start, end in spans:
        if text[end : end + 1].isalpha():
            continue  # "40mg", "12km", "3rd": a measure or a rank, no count of things
        after = re.split(r"[.,;:()]", text[end:], maxsplit=1)[0]
        near = words(after)[:COUNT_WINDOW]
        if not MEASURE_UNIT_WORDS.isdisjoint(near[:3]) and noun not in MEASURE_UNIT_WORDS:
            continue  # "3,500 nautical miles", "seven to ten days" measure; they count no ships
        if start not in counts:
            return True
        if any(not wanted.isdisjoint(terms(w)) for w in near):
            return True
        if matcher is not None and near and matcher.best(noun, set(near)) >= PARAPHRASE_SIMILARITY:
            return True
    return False
