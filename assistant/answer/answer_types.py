"""Whether a sentence holds the kind of answer a question part wants: a date for "when",
a number for "how many", a name for "who", a law for "which act", an outcome, a reason.

General English patterns only (months, weekdays, currency signs, capitalized names); the
date pattern is shared with disagreement detection, which reads the same dates.
"""

from __future__ import annotations

import re
from typing import Literal

from assistant.answer.english import (
    LAW_NOUNS,
    MONTHS,
    NAME_NOUNS,
    OUTCOME_REPORTS,
    REASON_MARKERS,
    SPELLED_NUMBERS,
    WEEKDAYS,
)
from assistant.ingest.text import normalize, stopwords, terms, words

AnswerType = Literal[
    "name", "date", "time", "number", "money", "law", "outcome", "reason", "place", "polar"
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
    r"|\b(?:1[0-2]|0?[1-9])\s*(?:a\.m\.|p\.m\.|am\b|pm\b)|\b(?:noon|midnight)\b",
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
_MONEY = re.compile(
    r"[$€£¥]\s?\d|\b\d[\d,.]*\s*(?:thousand|million|billion|trillion)?\s*(?:dollars|euros|"
    r"pounds|yuan|yen|francs|rupees|usd|eur|gbp|cad)\b|\b(?:us|c|a|hk)\$",
    re.IGNORECASE,
)
_NAME = re.compile(r"\b[A-Z][\w'’.-]*(?:\s+(?:of|and|de|du|la|von|van|for|the)?\s*[A-Z][\w'’.-]*)*")
_PLACE = re.compile(
    r"\b(?:in|at|near|from|to|into|outside|inside|off|across)\s+(?:the\s+)?"
    r"([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*)"
)
_ACRONYM = re.compile(r"[A-Z][A-Z&.]{1,9}")
_LAW_HEADS = "|".join(sorted(w.capitalize() for w in LAW_NOUNS))
_LAW = re.compile(
    rf"\b(?:[A-Z][\w'’-]*\s+)+(?:{_LAW_HEADS})\b|\b(?:section|subsection|article|s\.|art\.)"
    r"\s*\d[\w.()]*",
    re.IGNORECASE,
)


# A news dateline ("OTTAWA, Ontario — ") names where a story was filed, not an answer.
_DATELINE = re.compile(r"^[A-Z][A-Z .'’-]+(?:,[^—–]{0,40})?\s+[—–-]+\s+")


def date_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in WHEN.finditer(text)]


def count_answer_values(text: str, kind: AnswerType | None) -> int:
    """How many answers of ``kind`` the text gives (dates and numbers are counted; a
    sentence is taken to give one name, law, outcome or reason)."""
    dates = date_spans(text)
    if kind == "date":
        return len(dates)
    if kind == "time":
        return len(_CLOCK.findall(text))
    if kind in ("number", "money"):
        return sum(
            1 for m in _NUMBER.finditer(text) if not any(s <= m.start() < e for s, e in dates)
        )
    return 1


def has_answer_type(text: str, kind: AnswerType | None, question_words: set[str]) -> bool:
    """Whether ``text`` holds an answer of ``kind`` that the question does not already say."""
    if kind is None or kind == "polar":
        return True
    if kind == "date":
        return any(
            normalize(m.group(0)) not in " ".join(question_words) for m in WHEN.finditer(text)
        )
    if kind == "time":
        return bool(_CLOCK.search(text))
    if kind == "money":
        return bool(_MONEY.search(text))
    if kind == "number":
        dates = date_spans(text)
        for m in _NUMBER.finditer(text):
            inside_date = any(s <= m.start() < e for s, e in dates)
            if not inside_date and normalize(m.group(0)).strip(".,") not in question_words:
                return True
        return False
    if kind == "law":
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
    if kind == "place":
        for m in _PLACE.finditer(text):
            if not set(words(m.group(1))) <= question_words:
                return True  # "in Lisbon", "at the Great Bitter Lake"
    if kind == "name" and any(w in NAME_NOUNS and w not in question_words for w in words(text)):
        return True  # "the regional water board", "the government"
    return bool(answer_names(text, question_words))


def answer_names(text: str, question_words: set[str]) -> list[tuple[int, int]]:
    """Spans of the names in ``text`` (two or more capitalized words, or an acronym) that
    the question does not contain; a lone capitalized word is too often a sentence opener."""
    spans = []
    for m in _NAME.finditer(text):
        name = m.group(0)
        capitals = [w for w in name.split() if w[:1].isupper() and w.lower() not in stopwords()]
        if len(capitals) < 2 and not _ACRONYM.fullmatch(name.strip(".,")):
            continue
        name_words = set(words(name)) - stopwords()
        if name_words and not name_words <= question_words:
            spans.append(m.span())
    return spans
