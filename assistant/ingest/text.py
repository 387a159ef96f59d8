"""Small text utilities shared by chunking, retrieval and answering.

Sentences are returned as character spans so that every quote the assistant
shows can be traced back to an exact offset in its document.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Abbreviations after which a period does not end a sentence.
_ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "sr",
    "jr",
    "st",
    "no",
    "nos",
    "vs",
    "etc",
    "inc",
    "ltd",
    "co",
    "corp",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "u.s",
    "u.k",
    "e.g",
    "i.e",
    "r.s.c",
    "c",
    "s",
    "ss",
    "para",
    "paras",
    "art",
    "fig",
    "p",
    "pp",
    "gen",
    "gov",
    "sen",
    "rep",
    "hon",
    "mt",
    "ft",
    "approx",
    "dept",
    "est",
    "al",
    "u.n",
    "u.s.a",
    "v",
}

_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+|$)|\n\s*\n|\n(?=\s*[-*•]\s)")
_WORD = re.compile(r"\w+(?:['’.]\w+)*", re.UNICODE)


def split_sentences(
    text: str, start: int = 0, end: int | None = None, keep_markers: bool = False
) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` inside ``text[start:end]``, whitespace trimmed.

    A leading list marker ("1) ", "- ") is left out of a sentence that is quoted, and kept
    (``keep_markers``) by chunking, whose chunks must hold every word of the text."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _SENTENCE_END.finditer(text, start, end):
        stop = match.end()
        if match.group(0)[0] == "." and _is_abbreviation(text, match.start()):
            continue
        if match.group(0)[0] == "." and _next_is_lowercase_or_digit(text, stop, end):
            continue
        _append_trimmed(text, cursor, stop, spans, keep_markers)
        cursor = stop
    _append_trimmed(text, cursor, end, spans, keep_markers)
    # A line break inside a paragraph that starts a list item or header also splits.
    out: list[tuple[int, int]] = []
    for s, e in spans:
        out.extend(_split_lines(text, s, e, keep_markers))
    return out


def _split_lines(text: str, start: int, end: int, keep_markers: bool) -> list[tuple[int, int]]:
    """Split at line breaks that end a heading, a list item or a sentence, not hard wraps."""
    pieces: list[tuple[int, int]] = []
    cursor = start
    for match in re.finditer(r"\n", text[start:end]):
        cut = start + match.start()
        before = text[cursor:cut].rstrip()
        after = text[cut + 1 : end].lstrip()
        if not before or not after:
            continue
        ends_line = before[-1] in '.:;!?"”)]'
        starts_item = bool(re.match(r"([-*•]|\[\d+\]|\d+[.)])\s", after))
        heading = len(before) < 80 and after[0].isupper() and before[-1] not in ",-"
        if ends_line or starts_item or heading:
            _append_trimmed(text, cursor, cut, pieces, keep_markers)
            cursor = cut + 1
    _append_trimmed(text, cursor, end, pieces, keep_markers)
    return pieces


_LIST_MARKER = re.compile(r"([-*•]|\d+[.)]|\[\d+\])\s+")


def _append_trimmed(
    text: str, start: int, end: int, spans: list[tuple[int, int]], keep_markers: bool = False
) -> None:
    while start < end and text[start].isspace():
        start += 1
    marker = None if keep_markers else _LIST_MARKER.match(text, start, end)
    if marker:
        start = marker.end()
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and any(ch.isalnum() for ch in text[start:end]):
        spans.append((start, end))


def _is_abbreviation(text: str, dot: int) -> bool:
    word_start = dot
    while word_start > 0 and (text[word_start - 1].isalnum() or text[word_start - 1] == "."):
        word_start -= 1
    word = text[word_start:dot].lower().rstrip(".")
    if not word:
        return False
    if len(word) == 1 and word.isalpha():
        return True  # initials such as "J. Smith"
    return word in _ABBREVIATIONS


def _next_is_lowercase_or_digit(text: str, pos: int, end: int) -> bool:
    """... or a dash: no sentence opens with one ("LINDEN RIDGE, Pa. — The authority")."""
    while pos < end and text[pos] in " \t":
        pos += 1
    return pos < end and (text[pos].islower() or text[pos].isdigit() or text[pos] in "—–")


def normalize(text: str) -> str:
    """Lower-case, accent-free, quote-normalized form used for matching."""
    if text.isascii():  # nothing to decompose or replace: the common case, ~20x faster
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return text.lower()


def words(text: str) -> list[str]:
    """Normalized word tokens (no stemming)."""
    return _WORD.findall(normalize(text))


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    return frozenset(STOPWORDS_EN_PLUS) | {"s", "did", "does", "do", "said", "say", "says"}


def stopwords() -> frozenset[str]:
    return _stopwords()


@lru_cache(maxsize=1)
def _stemmer():  # noqa: ANN202 - PyStemmer has no type hints
    import Stemmer

    return Stemmer.Stemmer("english")


def terms(text: str) -> list[str]:
    """Stemmed content terms (stop words removed): the vocabulary of BM25 and overlap scores."""
    stop = stopwords()
    toks = [w for w in words(text) if w not in stop and (len(w) > 1 or w.isdigit())]
    return _stemmer().stemWords(toks) if toks else []


def key_tokens(text: str) -> set[str]:
    """Numbers and capitalized names in a sentence: facts a supporting passage must contain."""
    found: set[str] = set()
    for match in re.finditer(r"\d[\d,.:/-]*\d|\d", text):
        found.add(match.group(0).strip(".,"))
    for i, match in enumerate(re.finditer(r"\b[A-Z][\w'’-]+", text)):
        if i == 0 and match.start() == 0:
            continue  # sentence-initial capital says nothing
        word = normalize(match.group(0))
        if word not in stopwords():
            found.add(word)
    return found
