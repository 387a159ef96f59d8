"""Whether a sentence holds the kind of answer a question part wants: a date for "when",
a number for "how many", a name for "who", a law for "which act", an outcome, a reason.

General English patterns only (months, weekdays, currency signs, capitalized names); the
date pattern is shared with disagreement detection, which reads the same dates.
"""

from __future__ import annotations

import re
from typing import Literal

from assistant.answer.acronyms import ACRONYM, NAME_RUN, abbreviates, acronyms_in
from assistant.answer.english import (
    DEFINITE_WORDS,
    INDEFINITE_WORDS,
    LAW_NOUNS,
    MONTHS,
    NAME_NOUNS,
    OUTCOME_REPORTS,
    PROVISION_NOUNS,
    REASON_MARKERS,
    SPELLED_NUMBERS,
    WEEKDAYS,
)
from assistant.answer.wordforms import is_motion_verb
from assistant.ingest.text import normalize, stopwords, terms, words

AnswerType = Literal[
    "name",
    "date",
    "time",
    "duration",
    "number",
    "money",
    "law",
    "outcome",
    "reason",
    "place",
    "polar",
]

_MONTHS = "|".join(MONTHS)
_WEEKDAYS = "|".join(WEEKDAYS)
# A date as written: "June 27, 2025", "27 June", "June 2025", "2025-06-27", a year. The
# named groups let disagreement detection read the day, month and year.
DATE_FORMS = (
    rf"(?P<m1>{_MONTHS})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y1>\d{{4}}))?"
    rf"|(?P<d2>\d{{1,2}})\s+(?P<m2>{_MONTHS})(?:\s+(?P<y2>\d{{4}}))?"
    rf"|(?P<m3>{_MONTHS})\s+(?P<y3>\d{{4}})"
    rf"|(?P<y4>\d{{4}})-(?P<mn4>\d{{2}})-(?P<d4>\d{{2}})"
    rf"|(?P<y5>(?:1[5-9]|20)\d{{2}})"
)
# A date or a weekday: what answers "when".
WHEN = re.compile(rf"\b(?:(?:{_WEEKDAYS})\b|{DATE_FORMS})\b", re.IGNORECASE)
_CLOCK = re.compile(
    r"\b(?:[01]?\d|2[0-3]):[0-5]\d\b"
    r"|\b(?:1[0-2]|0?[1-9])(?:[.:][0-5]\d)?\s*(?:a\.m\.|p\.m\.|am\b|pm\b)|\b(?:noon|midnight)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"[$€£¥]?\d[\d,.]*%?|\b(?:"
    + "|".join(SPELLED_NUMBERS)
    + r")(?:[- ](?:"
    + "|".join(SPELLED_NUMBERS)
    + r"))?\b",
    re.IGNORECASE,
)
# A span of time: "six days", "106 days", "about a week", "two and a half hours".
_DURATION = re.compile(
    r"(?:\b\d[\d,.]*|\b(?:a|an|"
    + "|".join(SPELLED_NUMBERS)
    + r"|several|few|many)(?:\s+and\s+a\s+half)?)[\s-]+(?:\w+[\s-]+)?"
    r"(?:seconds?|minutes?|hours?|days?|nights?|weeks?|months?|years?|decades?)\b",
    re.IGNORECASE,
)
# An amount: a currency sign or name, or a number in millions or billions of some unit
# ("48 million dalers": a currency the pattern does not know is still an amount).
_MONEY = re.compile(
    r"[$€£¥]\s?\d|\b\d[\d,.]*\s*(?:thousand|million|billion|trillion)?\s*(?:dollars|euros|"
    r"pounds|yuan|yen|francs|rupees|usd|eur|gbp|cad)\b|\b(?:us|c|a|hk)\$"
    r"|\b\d[\d,.]*\s+(?:million|billion|trillion|bn)\s+[a-z]+\b",
    re.IGNORECASE,
)
_PLACE = re.compile(
    r"\b(?:in|at|near|from|to|into|outside|inside|off|across)\s+(?:the\s+)?"
    r"([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*)"
)
_TOWARDS = ("to", "into")
_LAW_HEADS = "|".join(sorted(w.capitalize() for w in LAW_NOUNS))
# "section 22(1)", "s. 98", "Rule E.52" (a letter may lead the number)
_PROVISION = (
    rf"\b(?:{'|'.join(sorted(PROVISION_NOUNS))}|ss?\.|art\.|para\.)\s*(?:[A-Z]\.?)?\d[\w.()]*"
)
_LAW = re.compile(rf"\b(?:[A-Z][\w'’-]*\s+)+(?:{_LAW_HEADS})\b|{_PROVISION}", re.IGNORECASE)
_NUMBERED_PROVISION = re.compile(_PROVISION, re.IGNORECASE)


# A news dateline ("OTTAWA, Ontario — ") names where a story was filed, not an answer.
_DATELINE = re.compile(r"^[A-Z][A-Z .'’-]+(?:,[^—–]{0,40})?\s+[—–-]+\s+")


def date_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in WHEN.finditer(text)]


def clock_spans(text: str) -> list[tuple[int, int]]:
    """Where the text gives a time of day ("19:40", "2.40am"): a moment, not a quantity."""
    return [m.span() for m in _CLOCK.finditer(text)]


def number_spans(text: str) -> list[tuple[int, int]]:
    """Where the text writes a number, in figures or in words."""
    return [m.span() for m in _NUMBER.finditer(text)]


def count_answer_values(text: str, kind: AnswerType | None) -> int:
    """How many answers of ``kind`` the text gives (dates and numbers are counted; a
    sentence is taken to give one name, law, outcome or reason)."""
    dates = date_spans(text)
    if kind == "date":
        return len(dates)
    if kind == "time":
        return len(_CLOCK.findall(text))
    if kind == "duration":
        return len(_DURATION.findall(text))
    if kind in ("number", "money"):
        moments = dates + clock_spans(text)
        return sum(
            1 for m in _NUMBER.finditer(text) if not any(s <= m.start() < e for s, e in moments)
        )
    return 1


_NONE_OF = re.compile(r"\b(?:no|zero)\s+([a-z][\w-]*)", re.IGNORECASE)  # "no injuries"


def has_answer_type(text: str, kind: AnswerType | None, question_words: set[str]) -> bool:
    """Whether ``text`` holds an answer of ``kind`` that the question does not already say."""
    if kind is None or kind == "polar":
        return True
    if kind == "date":
        # a date the question itself gives ("the August 2023 advisory") is no answer
        return any(not set(words(m.group(0))) <= question_words for m in WHEN.finditer(text))
    if kind == "time":
        return bool(_CLOCK.search(text))
    if kind == "duration":
        return bool(_DURATION.search(text))
    if kind == "money":
        return bool(_MONEY.search(text))
    if kind == "number":
        moments = date_spans(text) + clock_spans(text)  # "at 19:40" is no count
        for m in _NUMBER.finditer(text):
            inside_date = any(s <= m.start() < e for s, e in moments)
            if not inside_date and normalize(m.group(0)).strip(".,") not in question_words:
                return True
        # "how many injuries": "no injuries have been reported" says how many, none
        nones = [terms(m.group(1)) for m in _NONE_OF.finditer(text)]
        if not nones:
            return False
        asked = {t for w in question_words for t in terms(w)}
        return any(not asked.isdisjoint(none) for none in nones)
    if kind == "law":
        if question_words & PROVISION_NOUNS:  # "which subsection": a numbered one
            return bool(_NUMBERED_PROVISION.search(text))
        return any(
            not set(words(m.group(0))) <= question_words for m in _LAW.finditer(text)
        ) or any(w in ("act", "law", "statute", "code") for w in words(text))
    if kind == "outcome":
        asked = {t for w in question_words for t in terms(w)}
        return any(w in OUTCOME_REPORTS and not set(terms(w)) & asked for w in words(text))
    if kind == "reason":
        plain = " " + " ".join(words(text)) + " "
        return any(f" {marker} " in plain for marker in REASON_MARKERS)
    # name, place: a name (two or more capitalized words, or an acronym) the question
    # does not contain; a lone capitalized word is too often just a sentence opener.
    text = _DATELINE.sub("", text)
    if kind == "place" and names_a_place(text, question_words):
        return True  # "in Lisbon", "at the Great Bitter Lake"
    if kind == "name" and _names_a_body(words(text), question_words):
        return True  # "the regional water board", "the government"
    return bool(answer_names(text, question_words))


def _names_a_body(toks: list[str], question_words: set[str]) -> bool:
    """A noun for a body the question does not name, that the sentence identifies: "the
    regional water board", not "a single overseas supplier" (one of many, unnamed)."""
    for i, w in enumerate(toks):
        if w not in NAME_NOUNS or w in question_words:
            continue
        before = toks[max(0, i - 4) : i]
        # identified: "the board", "the city's water board"; not "assign pilots"
        definite = any(t in DEFINITE_WORDS or t.endswith("'s") for t in before)
        if definite and INDEFINITE_WORDS.isdisjoint(before):
            return True
    return False


def names_a_place(text: str, question_words: set[str], destination: bool = False) -> bool:
    """A place after a preposition of place or direction that the question does not name
    ("in Lisbon", "towed to the Great Bitter Lake"): the surest answer to "where".
    ``destination``: only a place gone to ("to", "into"), for "where was it taken"."""
    text = _DATELINE.sub("", text)
    return any(
        not set(words(m.group(1))) <= question_words and (not destination or _gone_to(text, m))
        for m in _PLACE.finditer(text)
    )


def _gone_to(text: str, match: re.Match[str]) -> bool:
    """ "towed to the Great Bitter Lake": "to" or "into" after a verb of motion, not
    "belonging to the SCA"."""
    if match.group(0).split()[0].lower() not in _TOWARDS:
        return False
    before = words(text[: match.start()])[-3:]
    return any(is_motion_verb(w) for w in before)


def answer_names(text: str, question_words: set[str]) -> list[tuple[int, int]]:
    """Spans of the names in ``text`` (two or more capitalized words, or an acronym) that
    the question does not contain; a lone capitalized word is too often a sentence opener."""
    spans = []
    for m in NAME_RUN.finditer(text):
        name = m.group(0)
        capitals = [w for w in name.split() if w[:1].isupper() and w.lower() not in stopwords()]
        if len(capitals) < 2 and not ACRONYM.fullmatch(name.strip(".,")):
            continue
        name_words = set(words(name)) - stopwords()
        if name_words and not name_words <= question_words:
            spans.append(m.span())
    return spans


# How a sentence ties a name to something the question names: "Ian Beveridge, chief
# executive of BSM", "the excavator's operator, Abdullah Abdel-Gawad", "approved by
# President Sisi". General English apposition, possessives and passive agents.
_ROLE_AFTER = re.compile(r",\s+(?:[\w'’-]+\s+){1,4}?(?:of|at|for)\s+(?:the\s+)?([^,;()]+)")
_ROLE_BEFORE = re.compile(
    r"(?:\b(?:of|at|for)\s+(?:the\s+)?([^,;()]+)|\b([\w-]+)['’]s(?:\s+[\w-]+){1,3}),\s+$"
)
# "has been approved by", "was owned by the Japanese shipowner": a passive verb's agent
# (not "a ceremony attended by", where the verb belongs to something else).
_AGENT_BEFORE = re.compile(
    r"\b(?:is|was|are|were|be|been|being)\s+(?:\w+ly\s+)?(?P<verb>\w+(?:ed|en|wn))\s+by\s+"
    r"(?:(?:the|a|an)\s+)?(?:[\w-]+\s+){0,2}$",
    re.IGNORECASE,
)


def linked_names(text: str, question: str) -> list[tuple[tuple[int, int], str | None]]:
    """The new names that the sentence ties to a thing the question names, each with the
    passive verb it is the agent of (None when it holds a role, by apposition or
    possessive, in something the question names).

    "Who runs Bernhard Schulte Shipmanagement?" is answered by "Ian Beveridge, chief
    executive of BSM", not by a sentence that merely names someone else nearby."""
    asked = set(words(question)) - stopwords()
    question_names = [m.group(0) for m in NAME_RUN.finditer(question)]
    named = {w for n in question_names for w in words(n)} - stopwords()

    def holds_role_in_asked(of_phrase: str | None, possessor: str | None) -> bool:
        if possessor is not None:  # "the excavator's operator, X"
            return possessor.lower() in asked
        phrase = of_phrase or ""
        return bool(set(words(phrase)) & named) or any(
            abbreviates(a, n) for a in acronyms_in(phrase) for n in question_names
        )

    linked: list[tuple[tuple[int, int], str | None]] = []
    for start, end in answer_names(text, asked):
        after = _ROLE_AFTER.match(text, end)
        before = _ROLE_BEFORE.search(text[max(0, start - 80) : start])
        agent = _AGENT_BEFORE.search(text[max(0, start - 60) : start])
        if (after and holds_role_in_asked(after.group(1), None)) or (
            before and holds_role_in_asked(before.group(1), before.group(2))
        ):
            linked.append(((start, end), None))
        elif agent:
            linked.append(((start, end), agent.group("verb").lower()))
    return linked
