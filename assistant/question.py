"""What a question asks: its parts, the kind of answer each part wants, and its focus words.

Everything here is general English, kept in one place: question words, the nouns that
name a kind of answer ("date", "judge", "act"), and the verbs that report an outcome.
Nothing in this module knows any corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from assistant.text import normalize, stopwords, terms, words

AnswerType = Literal[
    "name", "date", "number", "money", "law", "outcome", "reason", "place", "polar"
]

# Question words that open a question (or one part of it).
WH_WORDS = ("who", "whom", "whose", "what", "when", "where", "which", "why", "how")
# Auxiliaries that open a yes/no question.
AUXILIARIES = (
    "is are was were do does did has have had can could will would should may might must"
).split()
# Prepositions that may stand before a question word inside a part ("and under what act").
PREPOSITIONS = (
    "under in on at for by from to with within against about after before during since into "
    "behind of over between among across through toward towards like per"
).split()

# Nouns that say the answer is a person or an organisation (answered by a name).
NAME_NOUNS = set(
    (
        "person people official officials minister ministers secretary judge justice president "
        "chair chairman chairwoman chairperson director ceo executive chief head leader "
        "spokesperson spokesman spokeswoman owner founder member members commissioner governor "
        "mayor manager lawyer counsel prosecutor company companies firm firms business "
        "businesses body bodies agency agencies court courts bureau department ministry "
        "authority authorities organization organizations organisation organisations regulator "
        "government country countries state states city region group groups party parties "
        "maker makers manufacturer manufacturers supplier suppliers retailer retailers bank "
        "banks insurer insurers operator operators team name"
    ).split()
)
# Nouns that say the answer is a date.
DATE_NOUNS = {"date", "day", "year", "month", "time", "deadline"}
# Nouns that say the answer is a quantity.
QUANTITY_NOUNS = set(
    (
        "number amount count total sum cost costs price fee fine fines penalty revenue revenues "
        "sales profit budget salary percentage percent share rate size length width height "
        "weight speed capacity population figure value"
    ).split()
)
# Words that make a quantity an amount of money.
MONEY_WORDS = set(
    (
        "cost costs price fee fees fine fines penalty revenue revenues sales profit profits "
        "budget salary pay paid pays spend spent earn earned worth value compensation damages "
        "settlement funding loss losses"
    ).split()
)
# Nouns that say the answer is a law or a part of one.
LAW_NOUNS = set(
    (
        "act acts law laws statute statutes legislation regulation regulations provision "
        "provisions section sections subsection article articles code clause rule rules bill "
        "treaty convention directive"
    ).split()
)
# Verbs that report what a decision-maker decided; an outcome question wants one of them.
OUTCOME_VERBS = set(
    (
        "decide decided decides rule ruled rules find found finds hold held holds conclude "
        "concluded concludes determine determined order ordered grant granted grants deny "
        "denied denies refuse refused refuses reject rejected rejects dismiss dismissed "
        "dismisses uphold upheld upholds allow allowed allows approve approved approves "
        "quash quashed overturn overturned award awarded decline declined accept accepted "
        "agree agreed settle settled sentence sentenced fine fined acquit acquitted convict "
        "convicted"
    ).split()
)
OUTCOME_NOUNS = {"outcome", "result", "ruling", "decision", "verdict", "judgment", "judgement"}
# Nouns asking for a role or position: answered by a title, which may be written in
# lower case ("chief executive"), so they set no answer type.
ROLE_NOUNS = {"position", "post", "title", "role", "job", "office", "rank", "capacity"}
# Words and phrases that give a reason.
REASON_MARKERS = (
    "because",
    "due to",
    "owing to",
    "since",
    "as a result",
    "reason",
    "reasons",
    "grounds",
    "on the basis",
    "given that",
    "so that",
    "in order to",
    "citing",
    "cited",
    "concern",
    "concerns",
    "risk",
    "risks",
    "threat",
    "driven by",
    "led to",
    "outweigh",
    "outweighed",
    "over",
)
# Words of a question that only say what kind of answer is wanted.
FRAME_WORDS = set(
    (
        "exactly specifically precisely really actually also still kind type sort name named "
        "called happen happened mean meant according"
    ).split()
)


TYPE_NOUNS = NAME_NOUNS | DATE_NOUNS | QUANTITY_NOUNS | LAW_NOUNS | OUTCOME_NOUNS | ROLE_NOUNS


@dataclass(frozen=True)
class QuestionPart:
    """One thing the question asks: its text, the kind of answer and its focus terms."""

    text: str
    answer_type: AnswerType | None
    focus: tuple[str, ...]  # stemmed content terms the answer must be about
    focus_words: tuple[str, ...]  # the same, as written (for "not found: ..." messages)
    type_terms: frozenset[str] = field(default_factory=frozenset)  # words naming the type
    context: tuple[str, ...] = ()  # focus terms of the earlier question (for a follow-up)
    context_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuestionAnalysis:
    question: str
    parts: tuple[QuestionPart, ...]


_SPLIT = re.compile(
    r"\s*(?:,\s*(?:and|or)\b|;\s*(?:and\b)?|\band\b|,)\s+(?=(?:(?:"
    + "|".join(PREPOSITIONS)
    + r")\s+)?(?:"
    + "|".join(WH_WORDS)
    + r")\b)",
    re.IGNORECASE,
)


def split_parts(question: str) -> list[str]:
    """Split "Who ordered X, and under what act?" into its wh-clauses.

    A clause boundary is "and", "," or ";" followed by a question word (optionally after a
    preposition). "Which region, and which group there" splits; "dealers and installers"
    does not.
    """
    pieces = [p.strip(" ,;?") for p in _SPLIT.split(question.strip())]
    merged: list[str] = []
    for piece in pieces:
        if merged and not _asks(merged[-1]):
            merged[-1] = f"{merged[-1]}, {piece}"  # "According to X, what ..." is one part
        elif piece:
            merged.append(piece)
    if len(merged) > 1 and not _asks(merged[-1]):
        merged[-2:] = [f"{merged[-2]}, {merged[-1]}"]
    return merged or [question.strip(" ?")]


def _asks(piece: str) -> bool:
    """The piece contains a question word or opens with an auxiliary (a yes/no question)."""
    toks = words(piece)
    return bool(toks) and (toks[0] in AUXILIARIES or any(t in WH_WORDS for t in toks[:4]))


def answer_type(part: str) -> tuple[AnswerType | None, frozenset[str]]:
    """(the kind of answer the part wants, the words of the part that name that kind)."""
    toks = words(part)
    if not toks:
        return None, frozenset()
    lead = _lead_words(toks)
    first = lead[0] if lead else toks[0]
    nxt = lead[1] if len(lead) > 1 else ""
    head = _head_noun(lead[1:]) if first in ("which", "what", "whose") else None
    if first == "why" or (first == "what" and (head == "reason" or "behind" in lead[1:5])):
        return "reason", frozenset({"reason"} & set(toks))
    if first in ("who", "whom", "whose"):
        return "name", frozenset({head} if head else set())
    if first == "when" or (first in ("what", "which") and head in DATE_NOUNS):
        return "date", frozenset({head} if head else set())
    if first == "how" and nxt in ("many", "much", "long", "far", "big", "large", "old"):
        kind = "money" if nxt == "much" and set(lead) & MONEY_WORDS else "number"
        return kind, frozenset({nxt})
    if first in ("what", "which") and head in QUANTITY_NOUNS:
        return ("money" if set(lead[1:6]) & MONEY_WORDS else "number"), frozenset({head})
    if first in ("what", "which") and head in LAW_NOUNS:
        return "law", frozenset({head})
    if first in ("what", "which") and head in OUTCOME_NOUNS:
        return "outcome", frozenset({head})
    if first in ("what", "which") and head in ROLE_NOUNS:
        return None, frozenset()
    if first == "what" and set(lead[1:9]) & OUTCOME_VERBS:
        return "outcome", frozenset()
    if first == "where":
        return "place", frozenset()
    if first in ("which", "what") and (head in NAME_NOUNS or _singular(head or "") in NAME_NOUNS):
        return "name", frozenset({head} if head else set())
    if first in AUXILIARIES:
        return "polar", frozenset()
    return None, frozenset()


def _lead_words(toks: list[str]) -> list[str]:
    """The words from the first question word on (skipping a leading preposition)."""
    for i, tok in enumerate(toks[:6]):
        if tok in WH_WORDS or (i == 0 and tok in AUXILIARIES):
            return toks[i:]
    return toks


def _head_noun(after_wh: list[str]) -> str | None:
    """The noun a "which"/"what" asks about ("which federal statute" -> statute, "what is
    the full name of" -> name): the first word naming a kind of answer, else the first word."""
    if after_wh and after_wh[0] in ("is", "was", "are", "were"):
        after_wh = after_wh[1:]
    while after_wh and after_wh[0] in ("the", "a", "an"):
        after_wh = after_wh[1:]
    phrase: list[str] = []
    for tok in after_wh[:4]:
        if tok in AUXILIARIES or tok in PREPOSITIONS or tok in stopwords():
            break
        phrase.append(tok)
    for tok in phrase:
        if _singular(tok) in TYPE_NOUNS or tok in TYPE_NOUNS:
            return tok if tok in TYPE_NOUNS else _singular(tok)
    return phrase[0] if phrase else None


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def analyse(question: str, context: str = "") -> QuestionAnalysis:
    """Parts, answer types and focus terms of ``question``; for a follow-up, ``context``
    (the earlier question) adds the terms the follow-up leaves out ("under which act?")."""
    earlier = _focus_words(context, set()) if context else {}
    parts = []
    for text in split_parts(question):
        kind, type_words = answer_type(text)
        skip = set(type_words) | (OUTCOME_VERBS if kind == "outcome" else set())
        shown = _focus_words(text, skip)
        extra = {t: w for t, w in earlier.items() if t not in shown}
        parts.append(
            QuestionPart(
                text=text,
                answer_type=kind,
                focus=tuple(shown),
                focus_words=tuple(shown.values()),
                type_terms=frozenset(t for w in type_words for t in terms(w)),
                context=tuple(extra),
                context_words=tuple(extra.values()),
            )
        )
    return QuestionAnalysis(question, tuple(parts))


def _focus_words(text: str, skip: set[str]) -> dict[str, str]:
    """Stemmed content term -> the word as written, without question and frame words."""
    skip = skip | set(WH_WORDS) | FRAME_WORDS
    shown: dict[str, str] = {}
    for word in words(text):
        if word in skip or word in stopwords() or (len(word) < 2 and not word.isdigit()):
            continue
        for term in terms(word):
            shown.setdefault(term, word)
    return shown


# --- answer-type evidence in a sentence ---------------------------------------------------

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DATE = re.compile(
    rf"\b(?:(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?|\d{{1,2}}\s+(?:{_MONTHS})"
    rf"(?:\s+\d{{4}})?|(?:{_MONTHS})\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}|(?:1[5-9]|20)\d{{2}})\b",
    re.IGNORECASE,
)
SPELLED_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "dozen": 12,
    "thousand": 1000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
}
_NUMBER = re.compile(
    r"[$€£¥]?\d[\d,.]*%?|\b(?:" + "|".join(SPELLED_NUMBERS) + r")(?:[- ](?:"
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
_LAW_HEADS = "|".join(sorted(w.capitalize() for w in LAW_NOUNS))
_LAW = re.compile(
    rf"\b(?:[A-Z][\w'’-]*\s+)+(?:{_LAW_HEADS})\b|\b(?:section|subsection|article|s\.|art\.)"
    r"\s*\d[\w.()]*",
    re.IGNORECASE,
)


# A news dateline ("OTTAWA, Ontario — ") names where a story was filed, not an answer.
_DATELINE = re.compile(r"^[A-Z][A-Z .'’-]+(?:,[^—–]{0,40})?\s+[—–-]+\s+")


def date_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _DATE.finditer(text)]


def has_answer_type(text: str, kind: AnswerType | None, question_words: set[str]) -> bool:
    """Whether ``text`` holds an answer of ``kind`` that the question does not already say."""
    if kind is None or kind == "polar":
        return True
    if kind == "date":
        return any(normalize(m.group(0)) not in " ".join(question_words) for m in _DATE.finditer(text))
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
        return any(
            w in OUTCOME_VERBS and not set(terms(w)) & asked for w in words(text)
        )
    if kind == "reason":
        plain = " " + " ".join(words(text)) + " "
        return any(f" {marker} " in plain for marker in REASON_MARKERS)
    # name, place: a capitalized name the question does not contain
    text = _DATELINE.sub("", text)
    for m in _NAME.finditer(text):
        if m.start() == 0:
            rest = m.group(0).split(None, 1)
            if len(rest) < 2:
                continue  # only the sentence's first word
        name_words = set(words(m.group(0))) - stopwords()
        if name_words and not name_words <= question_words:
            return True
    return False
