"""Which of the sentences answering a part answer first: preferences, not conditions.

Split from ``sufficiency``, which decides whether a part is answered; these only order the
sentences that would answer it (the source the question names, the asked action, a place
gone to).
"""

from __future__ import annotations

from assistant.answer.answer_types import names_a_place
from assistant.answer.extractive import Candidate
from assistant.answer.focus import PARAPHRASE_SIMILARITY, WordMatcher, content_words
from assistant.answer.naming import asked_action, asked_verb
from assistant.answer.question import QuestionPart
from assistant.answer.wordforms import forms, is_motion_verb
from assistant.ingest.text import terms, words


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
