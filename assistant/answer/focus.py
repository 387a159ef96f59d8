"""The focus words of a question part: how specific each is (rare in the corpus and in
English), and where a sentence says them: literally, in some inflection, in the passage
around it, or in other words (embedding similarity of single words); and the years a part
names and a sentence can speak for.

Split from ``sufficiency``, which decides with these whether a part is answered.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.answer.answer_types import number_spans
from assistant.answer.asked import subject_action
from assistant.answer.english import FUTURE_MARKERS, FUTURE_WORDS, MEASURE_UNITS
from assistant.answer.extractive import Candidate
from assistant.answer.question import QuestionPart
from assistant.answer.values import extract_values
from assistant.answer.wordforms import derived_forms, forms
from assistant.ingest.text import stopwords, terms, words

# A focus word counts as paraphrased by a sentence word at least this similar.
PARAPHRASE_SIMILARITY = 0.62
# A follow-up's terms from the earlier question weigh together at most this share of its
# own focus (all of the weight when the follow-up asks only for a kind of answer).
EARLIER_QUESTION_WEIGHT = 0.5
# A "why" part is also answered by a sentence that restates this share of its focus in
# its own words and says more: "X did not expect to be liable, as a time charterer".
RESTATED_FOCUS = 0.8
# How much general-English rarity counts against corpus rarity: a corpus that never uses a
# common word ("next", "set", "side") says little about how specific it is.
RARITY_POWER = 1.5


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


def all_focus(part: QuestionPart) -> list[tuple[str, str]]:
    """(term, word) of the part's own focus and of the earlier question's."""
    return [
        *zip(part.focus, part.focus_words, strict=True),
        *zip(part.context, part.context_words, strict=True),
    ]


def occurs(term: str, word: str, found: frozenset[str] | set[str]) -> bool:
    """The word, another inflection of it ("held" for "holding"), or the verb or noun it
    is made from or makes ("closed" for "closure", "employees" for "employs") is among
    ``found``."""
    return (
        term in found
        or not forms(word).isdisjoint(found)
        or not derived_forms(word).isdisjoint(found)
    )


def content_words(text: str) -> set[str]:
    return {w for w in words(text) if w not in stopwords() and len(w) > 2 and not w.isdigit()}


def paraphrases(
    part: QuestionPart, pool: list[Candidate], matcher: WordMatcher | None
) -> dict[tuple[str, int], float]:
    """(focus word, id(candidate)) -> best similarity to a word of that candidate's sentence
    (one embedding batch). Every focus word is looked for, even one another passage says as
    asked: "was fined" says "penalty" wherever else "penalty" occurs."""
    if matcher is None or not pool:
        return {}
    asked = [w for _, w in all_focus(part)]
    if not asked:
        return {}
    # a sentence's word saying one focus term does not also say another in other words
    focus = {t for t, _ in all_focus(part)}
    sentence_words = {
        id(c): sorted(w for w in content_words(c.text) if not set(terms(w)) & focus) for c in pool
    }
    vectors = matcher.vectors([*asked, *{w for ws in sentence_words.values() for w in ws}])
    out: dict[tuple[str, int], float] = {}
    for cand in pool:
        others = [w for w in sentence_words[id(cand)] if w in vectors]
        if not others:
            continue
        matrix = np.stack([vectors[w] for w in others])
        for word in asked:
            sims = matrix @ vectors[word]
            out[(word, id(cand))] = float(
                max((s for w, s in zip(others, sims, strict=True) if w != word), default=0.0)
            )
    return out


# A year as written ("2022"; inside "2022-era" or a date "2023-08-21" too, split into words).
_YEAR = re.compile(r"(?:1[6-9]|20)\d\d")


_PASSAGE_TERMS: OrderedDict[str, frozenset[str]] = OrderedDict()


def passage_terms(cand: Candidate) -> frozenset[str]:
    """Stemmed terms of the candidate's whole passage and of its document's publisher: a
    passage speaks for its publisher (a court's ruling need not say "court" in every
    paragraph). The title is broader and left out: with it, unanswerable questions got
    through. Cached: passages repeat."""
    publisher = str((cand.doc.metadata or {}).get("publisher") or "")
    text = f"{cand.doc.page_content}\n{publisher}"
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


def asked_years(part: QuestionPart) -> set[str]:
    """The years a part names ("issued in 2022", "the 2024 final")."""
    return {w for w in part.focus_words if _YEAR.fullmatch(w)}


def of_years(cand: Candidate) -> set[str]:
    """The years a sentence can speak for: those its passage names, and its document's."""
    date = str((cand.doc.metadata or {}).get("date") or "")
    return {t for t in [*passage_terms(cand), *words(date)] if _YEAR.fullmatch(t)}


def of_the_years(cand: Candidate, years: set[str]) -> bool:
    """The sentence may speak for ``years``: one of them, when it names years itself
    ("2024 revenue fell" gives no figure for 2023), or else all of them in its passage
    or its document's date."""
    own = {t for t in cand.terms if _YEAR.fullmatch(t)}
    return bool(own & years) if own else years <= of_years(cand)


# Kinds of answer that belong to the action the part asks about: who did it. (When and
# how many are told in too many other words, "began" for "start", "returned" for "sent
# back": measured on unseen questions, requiring their verb refused more than it saved.)
ACTION_KINDS = frozenset({"name"})
# A sentence this close in meaning to the question tells the action in other words
# ("stopped selling" for "dropped").
TELLS_ACTION_MEANING = 0.7


def telling_the_action(
    part: QuestionPart, typed: list[Candidate], matcher: WordMatcher | None
) -> list[Candidate]:
    """Of the sentences naming someone, those telling of the action a "which company
    manufactured the pump" part asks the doer of: a sentence about a pump that failed
    names someone else, and a question nobody's sources answer is refused."""
    if part.answer_type not in ACTION_KINDS or part.role:
        return typed  # "who heads X": a name in that role answers, whatever verb it has
    action = subject_action(part.text)
    if action is None:
        return typed
    return [
        c
        for c in typed
        if c.semantic >= TELLS_ACTION_MEANING or says_action(c, action, matcher, part.focus)
    ]


def of_the_future(part: QuestionPart, typed: list[Candidate]) -> list[Candidate]:
    """For a "when will it happen" part, the sentences that tell of what is to come: the
    date in "the appeal was issued on 14 May" or "it has until 24 October to appeal" is
    not when a court will hear the appeal."""
    if part.answer_type not in ("date", "time") or FUTURE_WORDS.isdisjoint(words(part.text)):
        return typed
    return [
        c
        for c in typed
        if not FUTURE_MARKERS.isdisjoint(words(c.text)) or dates_after_its_document(c)
    ]


def dates_after_its_document(cand: Candidate) -> bool:
    """The sentence gives a date later than its document's own ("listed to begin in
    October 2027" in a November 2025 report): it tells of what was then to come."""
    written = re.match(r"(\d{4})-(\d{2})-(\d{2})", str(cand.doc.metadata.get("date") or ""))
    if not written:
        return False
    year, month, day = (int(g) for g in written.groups())
    for value in extract_values(cand.text):
        y, m, d = value.key if value.kind == "date" else (None, None, None)
        if y is not None and (y, m or 0, d or 0) > (year, month if m else 0, day if d else 0):
            return True
    return False


def says_action(
    cand: Candidate, verb: str, matcher: WordMatcher | None, asked: tuple[str, ...] = ()
) -> bool:
    """The sentence or its passage tells of the action ``verb`` names: in some form
    ("manufactured" -> manufacturer), or in a word close in meaning in the sentence. A
    sentence about a pump that failed does not say who manufactured it. A word saying
    another of the ``asked`` terms is not the verb's: "paper" for "printed the papers"."""
    told = forms(verb) | derived_forms(verb)
    if not told.isdisjoint(cand.terms) or not told.isdisjoint(passage_terms(cand)):
        return True
    own = {w for w in content_words(cand.text) if not set(terms(w)) & set(asked)}
    return matcher is not None and matcher.best(verb, own) >= PARAPHRASE_SIMILARITY


def restates(cand: Candidate, part: QuestionPart, weights: dict[str, float]) -> bool:
    """The sentence itself says most of what the part asks about, and more besides."""
    total = sum(weights.get(t, 0.0) for t in part.focus)
    if total <= 0:
        return False
    said = sum(
        weights.get(t, 0.0)
        for t, w in zip(part.focus, part.focus_words, strict=True)
        if occurs(t, w, cand.terms)
    )
    asked = {f for t, w in zip(part.focus, part.focus_words, strict=True) for f in forms(w) | {t}}
    more = [t for t in cand.terms if t not in asked]
    return said / total >= RESTATED_FOCUS and len(set(more)) >= len(part.focus)


# The unit after a number: "400 metres", "a 400-metre ship", "40 knots", "12km".
_UNIT = re.compile(r"[\s-]*([a-z]+(?:/[a-z]+)?)", re.IGNORECASE)


def of_the_measure(part: QuestionPart, typed: list[Candidate]) -> list[Candidate]:
    """For "how tall is the dam", "how fast was the ship going", the sentences giving a
    number in a unit of that measure: "it failed sixteen months later" says no height."""
    if part.answer_type != "number":
        return typed
    lead = words(part.text)[:2]
    units = MEASURE_UNITS.get(lead[1]) if lead[:1] == ["how"] and len(lead) > 1 else None
    if not units:
        return typed
    return [c for c in typed if _in_units(c.text, units)]


def _in_units(text: str, units: frozenset[str]) -> bool:
    """Some number of the text is in one of ``units``."""
    for start, end in number_spans(text):
        before = text[:start].rstrip()
        if text[start] in "$€£¥" or (before and before[-1] in "$€£¥"):
            continue  # "£4.2m": money, not metres
        unit = _UNIT.match(text, end)
        if unit and (unit.group(1).lower() in units or unit.group(1).lower().rstrip("s") in units):
            return True
    return False
