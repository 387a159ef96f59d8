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
- neither side reports a change over time ("reduced its claim to ..."), which makes
  two values true at different times rather than a disagreement, and
- a count placing a moment ("two days after it ran aground") is set only against another
  such count, never against a duration ("for six days").

Everything here is general English; nothing knows a corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.answer.answer_types import DATE_FORMS, WHEN
from assistant.answer.english import (
    CHANGE_WORDS,
    DURATION_PREPOSITIONS,
    MONTHS,
    SPELLED_NUMBERS,
    TIME_OFFSET_WORDS,
)
from assistant.answer.extractive import Candidate
from assistant.answer.wordforms import forms
from assistant.ingest.text import normalize, stopwords, terms, words

# Masked contexts of two values at least this similar describe the same claim.
SAME_CLAIM_SIMILARITY = 0.72
# ... or this similar, when both sentences answer the same question part on their own:
# answering the same question is itself evidence that they report the same thing.
SAME_QUESTION_SIMILARITY = 0.5
CONTEXT_WORDS = 7  # words kept on each side of a value for its masked context
_WORD = re.compile(r"[A-Za-z][\w'’-]*")

_MONTH_NAMES = list(MONTHS)
_DATE = re.compile(rf"\b(?:{DATE_FORMS})\b", re.IGNORECASE)
_SCALE = {"thousand": 1e3, "million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12}
_MONEY = re.compile(
    r"(?P<cur>[$€£¥]|\b(?:us|c|ca|a|hk)\$)\s?(?P<num>\d[\d,]*(?:\.\d+)?)"
    r"(?:\s*(?P<scale>thousand|million|billion|trillion|bn|m)\b)?"
    r"|\b(?P<num2>\d[\d,]*(?:\.\d+)?)\s*(?P<scale2>thousand|million|billion|trillion)?\s+"
    r"(?P<unit>dollars|euros|pounds|yuan|yen|francs)\b",
    re.IGNORECASE,
)
_SPELLED = "|".join(SPELLED_NUMBERS)
_COUNT = re.compile(
    rf"\b(?P<num>\d[\d,]*(?:\.\d+)?|(?:{_SPELLED})(?:[- ](?:{_SPELLED}))?)"
    r"(?:\s+(?:more|other|additional|new|separate|different|of\s+its|of\s+the))?"
    r"[\s-]+(?P<noun>[a-z][a-z-]+)(?:\s+(?P<noun2>[a-z][a-z-]+))?",
    re.IGNORECASE,
)
# Role nouns that head an official title ("Minister of ...", "Industry Minister").
_ROLES = (
    "Minister|Secretary|President|Vice[- ]President|Chair|Chairman|Chairwoman|Chairperson|"
    "Director|Director-General|Commissioner|Governor|Chief Executive|CEO|Chief|Judge|Justice|"
    "Ambassador|Prime Minister|Premier|Mayor|Attorney General|Chancellor|Spokesperson|Head"
)
_TITLE = re.compile(
    rf"\b(?:{_ROLES})\s+(?:of|for)\s+(?:the\s+)?[A-Z][\w'’-]*(?:(?:,|\s+and|\s+of|\s+for)?"
    rf"\s+[A-Z][\w'’-]*)*|\b(?:[A-Z][\w'’-]*\s+)+(?:{_ROLES})\b"
)
_NAME_AFTER = re.compile(r"^\s*,?\s*((?:[A-Z][\w'’.-]+\s*){1,3})")
_NAME_BEFORE = re.compile(r"((?:[A-Z][\w'’.-]+\s*){1,3}),?\s*(?:the\s+|is\s+|was\s+|as\s+)?$")
# Words that make two values true at different times: a change, or a time contrast.
_ROLE_WORDS = {w.lower() for w in re.split(r"[|\s-]+", _ROLES)} | {"of", "for", "the", "and"}


@dataclass(frozen=True)
class Value:
    kind: str  # date, money, count, title
    key: tuple  # comparable form
    shown: str  # as written
    start: int
    end: int
    holder: str = ""  # for a title: the name it belongs to; for a count: the noun counted


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
    "number": {"count"},
    "money": {"money"},
    "name": {"title"},
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


def _number(text: str) -> float | None:
    text = normalize(text).replace(",", "")
    try:
        return float(text)
    except ValueError:
        pass
    total = 0.0
    for part in re.split(r"[- ]", text):
        if part not in SPELLED_NUMBERS:
            return None
        value = SPELLED_NUMBERS[part]
        total = total * value if value >= 100 and total else total + value
    return total


def extract_values(text: str) -> list[Value]:
    """Dates, money, counts and titles in a sentence (overlapping matches resolved in that
    order: a year inside a date is the date's, a number inside money is the money's)."""
    found: list[Value] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    for m in _DATE.finditer(text):
        g = {k: v for k, v in m.groupdict().items() if v}
        year = next((int(g[k]) for k in ("y1", "y2", "y3", "y4", "y5") if k in g), None)
        month_name = next((g[k].lower() for k in ("m1", "m2", "m3") if k in g), None)
        month = _MONTH_NAMES.index(month_name) + 1 if month_name else int(g.get("mn4", 0)) or None
        day = next((int(g[k]) for k in ("d1", "d2", "d4") if k in g), None)
        found.append(Value("date", (year, month, day), m.group(0), *m.span()))
        taken.append(m.span())
    for m in _MONEY.finditer(text):
        if not free(*m.span()):
            continue
        num = _number(m.group("num") or m.group("num2"))
        scale = (m.group("scale") or m.group("scale2") or "").lower()
        if num is None:
            continue
        found.append(Value("money", (num * _SCALE.get(scale, 1),), m.group(0), *m.span()))
        taken.append(m.span())
    for m in _COUNT.finditer(text):
        span = (m.start("num"), m.end("num"))
        if not free(*span) or not free(*m.span()):
            continue
        num = _number(m.group("num"))
        noun = m.group("noun").lower()
        if num is None or noun in stopwords() or noun in _MONTH_NAMES:
            continue
        end = m.end("noun")
        second = (m.group("noun2") or "").lower()
        hyphened = text[m.end("num") : m.start("noun")] == "-"
        if (
            second
            and second not in stopwords()
            and (hyphened or (second.endswith("s") and not noun.endswith("s")))
        ):
            # "five pumping stations"; "a 400-metre ship" measures the ship, not metres
            noun, end = f"{noun} {second}", m.end("noun2")
        found.append(Value("count", (num,), text[m.start() : end], m.start(), end, holder=noun))
        taken.append((m.start(), end))
    for m in _TITLE.finditer(text):
        key = tuple(sorted(set(words(m.group(0))) - _ROLE_WORDS))
        if not key:
            continue
        after = _NAME_AFTER.match(text[m.end() :])
        before = _NAME_BEFORE.search(text[: m.start()])
        holder = (after or before).group(1).strip() if (after or before) else ""
        found.append(Value("title", key, m.group(0).strip(" ,"), *m.span(), holder=holder))
    return found


def compatible(a: Value, b: Value) -> bool:
    """Whether two values of one kind can both be true of the same claim."""
    if a.kind == "date":
        return all(x is None or y is None or x == y for x, y in zip(a.key, b.key, strict=True))
    if a.kind == "title":
        return bool(set(a.key) & set(b.key)) or set(a.key) <= set(b.key)
    if a.kind == "money":
        return abs(a.key[0] - b.key[0]) <= 0.005 * max(a.key[0], b.key[0])
    return a.key == b.key


def comparable(a: Value, b: Value) -> bool:
    """Same kind, and about the same thing (same noun counted, same title holder)."""
    if a.kind != b.kind:
        return False
    if a.kind == "count":
        return terms(a.holder)[-1:] == terms(b.holder)[-1:]
    if a.kind == "title":
        mine, theirs = set(words(a.holder)), set(words(b.holder))
        return bool(mine & theirs) if mine and theirs else True
    if a.kind == "date":  # a bare year and a day without a year cannot be compared
        return any(x is not None and y is not None for x, y in zip(a.key, b.key, strict=True))
    return True


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
    shown = value.shown.split()
    while len(shown) > 1 and set(words(shown[-1])) <= shared - _ROLE_WORDS:
        shown.pop()  # a shared name swallowed by the title's pattern goes back to the text
    text = " ".join(shown)
    return Value(value.kind, key, text, value.start, value.start + len(text), value.holder)


def _reports_change(context: str) -> bool:
    return bool(set(words(context)) & CHANGE_WORDS)


def _counts_asked(a: Value, b: Value, asked_terms: set[str], same_question: bool) -> bool:
    """Both values count the same thing ("369 vessels", "422 vessels"), and it is what the
    question counts, or both sentences answer the same question part on their own."""
    if a.kind != "count" or b.kind != "count" or terms(a.holder) != terms(b.holder):
        return False
    return same_question or bool(set(terms(a.holder)[-1:]) & asked_terms)


def _at_different_times(a: Candidate, b: Candidate) -> bool:
    """Both sentences say when, and not the same day: "by Wednesday evening, 100 ships"
    and "85 ships on Saturday" count at different times."""
    days_a = {normalize(m.group(0)) for m in WHEN.finditer(a.text)}
    days_b = {normalize(m.group(0)) for m in WHEN.finditer(b.text)}
    return bool(days_a and days_b and not days_a & days_b)


def _of_action(cand: Candidate, value: Value, verb: str | None) -> bool:
    """The value may belong to the asked action: the sentence names it near the value, or
    not at all (in other words). "The order was issued on April 12 and prevents the ship
    from leaving" dates the order, not the leaving asked about."""
    if verb is None:
        return True
    wanted = forms(verb)
    if all(wanted.isdisjoint(terms(m.group(0))) for m in _WORD.finditer(cand.text)):
        return True
    return any(not wanted.isdisjoint(terms(w)) for w in masked_context(cand.text, value).split())


def _offset(text: str, value: Value) -> bool:
    """A count that places a moment relative to another ("on Thursday, two days after it ran
    aground", "three weeks ago"), not an amount of anything ("for two days after")."""
    if value.kind != "count":
        return False
    following = _WORD.match(text[value.end :].lstrip())
    before = _WORD.findall(text[: value.start])[-1:]
    return (
        bool(following)
        and following.group(0).lower() in TIME_OFFSET_WORDS
        and not (before and before[0].lower() in DURATION_PREPOSITIONS)
    )


def _topic(value: Value) -> str:
    if value.kind == "count":
        return f"the number of {value.holder}"
    if value.kind == "title" and value.holder:
        return f"the title of {value.holder}"
    return {"date": "the date", "money": "the amount", "title": "the title"}[value.kind]


def _disputed_pairs(
    answer: list[Candidate], pool: list[Candidate], values: dict[int, list[Value]]
) -> list[tuple[Candidate, Value, Candidate, Value]]:
    """(answer sentence, value, other source's sentence, value) for every two values of one
    kind about the same thing that cannot both be true."""
    pairs: list[tuple[Candidate, Value, Candidate, Value]] = []
    for a in answer:
        for b in pool:
            if b is a or a.doc.metadata.get("source") == b.doc.metadata.get("source"):
                continue
            for va in values[id(a)]:
                for vb in values[id(b)]:
                    if va.kind == "title" == vb.kind:
                        va, vb = _trim_title(va, b.text), _trim_title(vb, a.text)
                        if not va.key or not vb.key:
                            continue
                    if _offset(a.text, va) != _offset(b.text, vb):
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
    verbs = list(actions or []) + [None] * (len(groups) - len(actions or []))
    wanted = list(kinds or []) + [None] * (len(groups) - len(kinds or []))
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
        # two sentences answering one part say the same thing, if that part asks for a value
        # of this kind ("where did it go" says nothing about two dates) of its action
        same_question = any(
            id(a) in g
            and id(b) in g
            and (asked is None or va.kind in asked)
            and _of_action(a, va, verb)
            and _of_action(b, vb, verb)
            for g, verb, asked in zip(groups, verbs, wanted, strict=True)
        )
        needed = SAME_QUESTION_SIMILARITY if same_question else SAME_CLAIM_SIMILARITY
        if _counts_asked(va, vb, asked_terms, same_question) and not _at_different_times(a, b):
            needed = -1.0  # two sources count exactly the thing the question asks to count
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
