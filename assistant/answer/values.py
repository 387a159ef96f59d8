"""The values a sentence states, by kind: dates and years, money, counts (a number with
the noun it counts, spelled-out numbers included) and official titles, and whether two
values of one kind can both be true. Split from ``conflicts``, which decides whether two
sources disagree. General English only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial

from assistant.answer.answer_types import DATE_FORMS
from assistant.answer.english import (
    CHANGE_WORDS,
    DIFFERENCE_AFTER,
    DIFFERENCE_BEFORE,
    DURATION_PREPOSITIONS,
    MONTHS,
    SPELLED_NUMBERS,
    TIME_OFFSET_WORDS,
    WH_WORDS,
)
from assistant.ingest.text import normalize, stopwords, terms, words

_MONTH_NAMES = list(MONTHS)
WORD = re.compile(r"[A-Za-z][\w'’-]*")  # a word of a sentence
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
# Letters joined to a number make a name ("LM-480", "A320", "COVID-19"), not a count.
_MODEL_NUMBER = re.compile(r"[A-Za-z]-?$")
# A part of a counted whole: "14 of the bridge's 96 tendons", "17 of the 96 tendons" count
# tendons, as "14 tendons" would.
_PARTITIVE = re.compile(
    r"\b(?P<num>\d[\d,]*)\s+of\s+(?:the|its|their|his|her)\s+(?:[\w'’-]+\s+){0,2}?"
    r"(?P<total>\d[\d,]*)\s+(?:[a-z-]+\s+){0,2}?(?P<noun>[a-z-]+s)\b"
)
# Role nouns that head an official title ("Minister of ...", "Industry Minister").
_ROLES = (
    "Minister|Secretary|President|Vice[- ]President|Chair|Chairman|Chairwoman|Chairperson|"
    "Director|Director-General|Commissioner|Governor|Chief Executive|CEO|Chief|Judge|Justice|"
    "Ambassador|Prime Minister|Premier|Mayor|Attorney General|Chancellor|Spokesperson|Head|"
    "Officer|Manager|Counsel|Administrator|Superintendent|Inspector|Treasurer|Controller|"
    "Coordinator|Dean|Provost|Principal|Spokesman|Spokeswoman|Commander"
)
# "... of the Interior", "... for Public Safety": what office of that role it is
_OF_OFFICE = (
    r"\s+(?:of|for)\s+(?:the\s+)?[A-Z][\w'’-]*(?:(?:,|\s+and|\s+of|\s+for)?\s+[A-Z][\w'’-]*)*"
)
# "Minister of Industry", "Industry Minister", "Chief Inspector of Dams"
_TITLE = re.compile(
    rf"\b(?:{_ROLES}){_OF_OFFICE}|\b(?:[A-Z][\w'’-]*\s+)+(?:{_ROLES})\b(?:{_OF_OFFICE})?"
)
# A year between a determiner or possessive and a noun names a thing ("the 2021 article",
# "its 2019 paper"); it does not date what the sentence reports.
_ATTRIBUTIVE_YEAR = re.compile(r"(?:\b(?:the|its|his|her|their|our|a|an)|'s|’s)\s+$", re.I)
# Prefixes hyphenated to a role ("Pro-Vice-Chancellor", "Vice-Chair") belong to the title.
_ROLE_PREFIX = re.compile(r"(?:[A-Z][a-z]*-)+$")
_NAME_AFTER = re.compile(r"^\s*,?\s*((?:[A-Z][\w'’.-]+\s*){1,3})")
_NAME_BEFORE = re.compile(r"((?:[A-Z][\w'’.-]+\s*){1,3}),?\s*(?:the\s+|is\s+|was\s+|as\s+)?$")
# A title in lower case set beside a name: "Priya Rao, the company's operations director,"
# or "its chairwoman, Ana Diaz" / "whose executive director is Ana Diaz". Lower-case job
# words are titles only there, next to the name they belong to.
_PERSON = r"[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){0,2}"
_ROLE_PHRASE = (
    rf"(?P<title>(?P<mods>(?:[a-z][\w-]*\s+){{0,2}})(?:{_ROLES.lower()})"
    r"(?:\s+(?:of|for)\s+[a-z][\w-]*(?:\s+and\s+[a-z][\w-]*)?)?)\b"
)
_OWNER = r"(?:(?:the|an?)\s+)?(?:(?:[A-Z][\w.-]*\s+)*[\w.-]+['’]s\s+)?"
_TITLE_AFTER_NAME = re.compile(
    rf"\b(?P<name>{_PERSON}),\s+{_OWNER}{_ROLE_PHRASE}(?=\s*[,.;:]|\s+(?:at|of|for|in)\s+(?:the\s+)?[A-Z])"
)
_TITLE_BEFORE_NAME = re.compile(
    rf"(?:\b(?i:the|its|his|her|their|whose)\s+|[A-Z][\w.-]*['’]s\s+){_ROLE_PHRASE}"
    rf",?\s+(?:is\s+|was\s+)?(?P<name>{_PERSON})"
)
# The words of a title pattern that are not the title itself ("Minister", "of", "the").
TITLE_WORDS = {w.lower() for w in re.split(r"[|\s-]+", _ROLES)} | {"of", "for", "the", "and"}


@dataclass(frozen=True)
class Value:
    """A value a sentence states, with where it stands in the sentence."""

    kind: str  # date, money, count, title
    key: tuple  # comparable form
    shown: str  # as written
    start: int
    end: int
    holder: str = ""  # for a title: the name it belongs to; for a count: the noun counted
    # a count placing a moment ("two days after it ran aground"), not an amount
    moment: bool = False
    # a count of a part or of its whole ("14 of the bridge's 96 tendons")
    partitive: bool = False
    # a count telling a difference ("87 votes ahead", "by 12 votes"), not a total
    difference: bool = False


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
    free = partial(_free, taken)
    for m in _DATE.finditer(text):
        g = {k: v for k, v in m.groupdict().items() if v}
        year = next((int(g[k]) for k in ("y1", "y2", "y3", "y4", "y5") if k in g), None)
        month_name = next((g[k].lower() for k in ("m1", "m2", "m3") if k in g), None)
        month = _MONTH_NAMES.index(month_name) + 1 if month_name else int(g.get("mn4", 0)) or None
        day = next((int(g[k]) for k in ("d1", "d2", "d4") if k in g), None)
        taken.append(m.span())
        if month is None and _ATTRIBUTIVE_YEAR.search(text[: m.start()]):
            continue
        found.append(Value("date", (year, month, day), m.group(0), *m.span()))
    for m in _MONEY.finditer(text):
        if not free(*m.span()):
            continue
        num = _number(m.group("num") or m.group("num2"))
        scale = (m.group("scale") or m.group("scale2") or "").lower()
        if num is None:
            continue
        found.append(Value("money", (num * _SCALE.get(scale, 1),), m.group(0), *m.span()))
        taken.append(m.span())
    _add_counts(text, found, taken)
    for m in _TITLE.finditer(text):
        prefix = _ROLE_PREFIX.search(text[: m.start()])
        start = prefix.start() if prefix else m.start()
        key = tuple(sorted(set(words(text[start : m.end()])) - TITLE_WORDS))
        if not key:
            continue
        shown = text[start : m.end()].strip(" ,")
        found.append(
            Value("title", key, shown, start, m.end(), holder=_holder(text, start, m.end()))
        )
    found += _titles_beside_names(text, [(v.start, v.end) for v in found if v.kind == "title"])
    return found


def _titles_beside_names(text: str, taken: list[tuple[int, int]]) -> list[Value]:
    """Lower-case titles set beside a name ("Ana Diaz, plant manager at ..."). The job
    words stay in the key: "executive director" and "chairwoman" are two different posts."""
    found = []
    for pattern in (_TITLE_AFTER_NAME, _TITLE_BEFORE_NAME):
        for m in pattern.finditer(text):
            title, modifiers = m.group("title"), set(m.group("mods").split())
            if modifiers & (stopwords() | WH_WORDS) or not _free(taken, *m.span("title")):
                continue  # "Ana Diaz, said the director": not a title of hers
            key = tuple(sorted(set(words(title)) - {"of", "for", "the", "and"}))
            taken.append(m.span("title"))
            found.append(Value("title", key, title, *m.span("title"), holder=m.group("name")))
    return found


def _holder(text: str, start: int, end: int) -> str:
    """The name a title at ``start:end`` belongs to: the one just after it ("Chief Operating
    Officer Ana Diaz"), or just before it when set off by a comma ("Ana Diaz, Executive
    Vice President, Operations": "Operations" is the title's, not a name), or just before."""
    after = _NAME_AFTER.match(text[end:])
    before = _NAME_BEFORE.search(text[:start])
    if before and text[:start].rstrip().endswith(","):
        return before.group(1).strip()
    return (after or before).group(1).strip() if (after or before) else ""


def _free(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    """The span overlaps none of the ``taken`` ones (a value already read there)."""
    return all(end <= a or start >= b for a, b in taken)


def _add_counts(text: str, found: list[Value], taken: list[tuple[int, int]]) -> None:
    """The counts of ``text`` outside the ``taken`` spans (dates, money), into ``found``."""
    free = partial(_free, taken)
    for m in _PARTITIVE.finditer(text):
        noun = m.group("noun").lower()
        for group in ("num", "total"):  # the part and the whole both count the noun
            num, (start, end) = _number(m.group(group)), m.span(group)
            if num is not None and free(start, end):
                found.append(
                    Value("count", (num,), text[start:end], start, end, noun, partitive=True)
                )
                taken.append((start, m.end() if group == "total" else end))
    for m in _COUNT.finditer(text):
        span = (m.start("num"), m.end("num"))
        if not free(*span) or not free(*m.span()):
            continue
        num = _number(m.group("num"))
        noun = m.group("noun").lower()
        if num is None or noun in stopwords() or noun in _MONTH_NAMES:
            continue
        if _MODEL_NUMBER.search(text[: m.start()]):
            continue  # "LM-480 packs", "A320 jets": a model's name, not a count
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
        moment = _places_a_moment(text, m.start(), end)
        difference = _tells_a_difference(text, m.start(), end)
        shown = text[m.start() : end]
        found.append(Value("count", (num,), shown, m.start(), end, noun, moment, False, difference))
        taken.append((m.start(), end))


def _tells_a_difference(text: str, start: int, end: int) -> bool:
    """ "87 votes ahead", "won by 12 votes", "a margin of 12 votes": the count is how far
    apart two others are, so it disputes no total of the thing ("41,206 votes")."""
    after = WORD.findall(text[end:])[:1]
    before = [w.lower() for w in WORD.findall(text[:start])[-3:]]
    if after and after[0].lower() in DIFFERENCE_AFTER:
        return True
    # "by 12", "a margin of 12", "a gap of just 12"
    if before[-1:] == ["by"]:
        return True
    of = before.index("of") if "of" in before[-2:] else -1  # "of" right before, or one word
    return of > 0 and before[of - 1] in DIFFERENCE_BEFORE and before[of + 1 :] != ["the"]


def states_a_change(value: Value, values: list[Value], text: str) -> bool:
    """The sentence gives another count of the same thing, with a word of time or change
    between them ("15th with 27 points before the decision, move to 21 points"): it tells
    a change, and either figure alone is no claim another source can dispute. A total and
    its parts ("13 tugs were deployed: 11 harbour tugs and two seagoing tugs") and a part
    of a whole ("14 of the 96 tendons") are one claim."""
    if value.kind != "count" or value.partitive:
        return False
    for other in values:
        if other is value or other.partitive or not comparable(other, value):
            continue
        if compatible(other, value):
            continue
        first, last = sorted((other, value), key=lambda v: v.start)
        between = set(words(text[first.end : last.start]))
        if between & (TIME_OFFSET_WORDS | CHANGE_WORDS):
            return True
    return False


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
        return terms(a.holder)[-1:] == terms(b.holder)[-1:] and a.difference == b.difference
    if a.kind == "title":
        mine, theirs = set(words(a.holder)), set(words(b.holder))
        return bool(mine & theirs) if mine and theirs else True
    if a.kind == "date":  # a bare year and a day without a year cannot be compared
        return any(x is not None and y is not None for x, y in zip(a.key, b.key, strict=True))
    return True


def _places_a_moment(text: str, start: int, end: int) -> bool:
    """The count at ``start:end`` places a moment relative to another ("on Thursday, two
    days after it ran aground", "three weeks ago"), not an amount of anything ("for two
    days after")."""
    following = WORD.match(text[end:].lstrip())
    before = WORD.findall(text[:start])[-1:]
    return (
        bool(following)
        and following.group(0).lower() in TIME_OFFSET_WORDS
        and not (before and before[0].lower() in DURATION_PREPOSITIONS)
    )
