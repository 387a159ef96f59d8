"""Acronyms and the names they stand for: "BSM" for "Bernhard Schulte Shipmanagement",
"CEO" for "chief executive officer", "U.S." for "United States". A sentence saying either
form says the question's word. General English only."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.answer.english import OFFICE_HOLDER_NOUNS
from assistant.ingest.text import stopwords, words

# A run of capitalized words, with the small words names hold ("Bureau of Industry").
NAME_RUN = re.compile(
    r"\b[A-Z][\w'’.-]*(?:\s+(?:of|and|de|du|la|von|van|for|the)?\s*[A-Z][\w'’.-]*)*"
)
ACRONYM = re.compile(r"[A-Z][A-Z&.]{1,9}")
_ACRONYM_WORD = re.compile(rf"\b{ACRONYM.pattern}\b")


@lru_cache(maxsize=4096)
def abbreviated_words(text: str, question: str) -> frozenset[str]:
    """Words of the question that ``text`` says in another form, acronym or name: a
    sentence saying "BSM" says "Bernhard Schulte Shipmanagement", and one saying "United
    States" says the question's "U.S."."""
    found: set[str] = set()
    text_names = [m.group(0) for m in NAME_RUN.finditer(text)]
    for m in NAME_RUN.finditer(question):
        if any(abbreviates(a, m.group(0)) for a in acronyms_in(text)):
            found |= set(words(m.group(0))) - stopwords()
    for acronym in acronyms_in(question):
        if any(abbreviates(acronym, name) for name in text_names) or spells_out(text, acronym):
            found |= set(words(acronym))
    return frozenset(found)


def spells_out(text: str, acronym: str) -> bool:
    """``text`` holds the chief's title ``acronym`` stands for (see ``chief_title_runs``)."""
    return bool(chief_title_runs(acronym, [w for w in words(text) if w not in stopwords()]))


def chief_title_runs(acronym: str, text_words: list[str]) -> list[tuple[int, int]]:
    """(first, end) word indices where a chief's title, in any case, spells out a
    question's acronym ("chief executive officer" for "CEO", "chief financial officer" for
    "CFO"); the last word may be left out when it only says "holder of office" ("chief
    executive" is the CEO). Other acronyms are matched to capitalized names only:
    lower-case words fit too many."""
    letters = re.sub(r"[^a-z]", "", acronym.lower())
    if not 3 <= len(letters) <= 4 or letters[0] != "c":  # CEO, CFO, CISO
        return []
    initials = "".join(w[:1] for w in text_words)
    short = letters[:-1] if letters[-1] in {w[0] for w in OFFICE_HOLDER_NOUNS} else letters
    runs = []
    for i, word in enumerate(text_words):
        form = next((f for f in (letters, short) if initials.startswith(f, i)), None)
        if word == "chief" and form:  # the whole title when it is there
            runs.append((i, i + len(form)))
    return runs


def acronyms_in(text: str) -> set[str]:
    return {m.group(0).strip(".,") for m in _ACRONYM_WORD.finditer(text)}


def abbreviates(acronym: str, name: str) -> bool:
    """Whether ``acronym`` is made of ``name``'s words in order, each giving its first
    letter and maybe more of its own ("BSM" for "Bernhard Schulte Shipmanagement", "BIS"
    for "Bureau of Industry and Security"). Words between the first and the last may be
    left out ("FC" is not "Federal Court of Appeal")."""
    name_words = [w.lower() for w in name.split() if w.lower() not in stopwords()]
    letters = re.sub(r"[^a-z]", "", acronym.lower())

    def fits(at: int, word_no: int, used: int) -> bool:
        if word_no == len(name_words):
            return at == len(letters) and used >= 2
        if 0 < word_no < len(name_words) - 1 and fits(at, word_no + 1, used):
            return True  # this word gives no letter
        word = name_words[word_no]
        if at >= len(letters) or letters[at] != word[0]:
            return False
        at, pos = at + 1, 1
        while True:
            if fits(at, word_no + 1, used + 1):
                return True
            found = word.find(letters[at], pos) if at < len(letters) else -1
            if found < 0:
                return False
            at, pos = at + 1, found + 1

    return len(name_words) >= 2 and fits(0, 0, 0)
