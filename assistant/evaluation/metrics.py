"""Model-free answer metrics: keys, citations, retrieval ranks, faithfulness, latency.

Every function takes plain data (strings, lists, dicts) so it can be checked by
hand; the runner feeds it ``Answer`` objects and retrieval results.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence

from assistant.answer.citations import MARKER as _NUMBER
from assistant.ingest.text import normalize, split_sentences

_MARKERS = re.compile(r"((?:\s*\[\d+\])+)")

# Support is scored with a rule of its own, not the answer verifier's (which uses the
# embedding, Snowball stems and assistant.ingest.text's names and numbers): grading the verifier
# with itself would always pass. Here: every number and mid-sentence capitalized word of
# the sentence occurs as a word of the quotes, and at least SUPPORT_MIN_OVERLAP of its
# content words align with a quote word on their first ALIGN_PREFIX letters.
SUPPORT_MIN_OVERLAP = 0.6
ALIGN_PREFIX = 5
_TOKEN = re.compile(r"\d+(?:[.,:/-]\d+)*|[^\W\d_]+")
_FUNCTION_WORDS = frozenset(
    """a about after all also an and any are as at be been before but by can could did do
    does for from had has have he her his how i if in into is it its may might more most
    must no not of on or our over she should so such than that the their them then there
    these they this those to under up was we were what when where which while who whom
    whose why will with would you""".split()  # noqa: SIM905 - a word list reads as words
)


def marker_numbers(text: str) -> list[str]:
    """The numbers of every ``[n]`` marker in an answer text."""
    return _NUMBER.findall(text)


def _plain(text: str) -> str:
    """Normalized text for key matching: case, accents, quotes, whitespace, no [n] markers."""
    return " ".join(normalize(_NUMBER.sub(" ", text)).split())


def matched_groups(text: str, groups: Sequence[Sequence[str]]) -> list[bool]:
    """For each group, whether ``text`` contains at least one of its strings (case-insensitive)."""
    plain = _plain(text)
    return [any(_plain(s) in plain for s in group) for group in groups]


def keys_match(text: str, groups: Sequence[Sequence[str]]) -> bool | None:
    """All groups matched; None when there are no groups (nothing to score)."""
    if not groups:
        return None
    return all(matched_groups(text, groups))


def source_matches(source: str, gold: Sequence[str]) -> bool:
    """A gold entry matches when it is a prefix of the source's file name."""
    name = source.replace("\\", "/").rsplit("/", 1)[-1]
    return any(name.startswith(g) for g in gold)


def citation_precision_recall(
    cited_sources: Sequence[str], gold: Sequence[str]
) -> tuple[float | None, float | None]:
    """(share of citations that point at a gold document, share of gold documents cited).

    Precision is None without citations; recall is None without gold sources.
    """
    precision = (
        sum(source_matches(s, gold) for s in cited_sources) / len(cited_sources)
        if cited_sources
        else None
    )
    recall = (
        sum(any(source_matches(s, [g]) for s in cited_sources) for g in gold) / len(gold)
        if gold
        else None
    )
    return precision, recall


def first_gold_rank(ranked_sources: Sequence[str], gold: Sequence[str]) -> int | None:
    """1-based rank of the first retrieved passage from a gold document (None: not found)."""
    for i, source in enumerate(ranked_sources):
        if source_matches(source, gold):
            return i + 1
    return None


def hit_at(rank: int | None, k: int) -> bool:
    return rank is not None and rank <= k


def reciprocal_rank(rank: int | None) -> float:
    return 1.0 / rank if rank else 0.0


def quote_is_verbatim(document: str | None, quote: str, start: int, end: int) -> bool:
    """The quote is exactly the document text at its offsets."""
    return document is not None and bool(quote) and document[start:end] == quote


def answer_claims(answer: str) -> list[tuple[str, list[int]]]:
    """Split an answer into (sentence, cited numbers).

    A run of ``[n]`` markers cites every sentence of the text since the previous
    run; text after the last run (other than punctuation) cites nothing.
    """
    parts = _MARKERS.split(answer)
    claims: list[tuple[str, list[int]]] = []
    for i in range(0, len(parts), 2):
        chunk = parts[i]
        numbers = [int(n) for n in _NUMBER.findall(parts[i + 1])] if i + 1 < len(parts) else []
        for s, e in split_sentences(chunk):
            sentence = chunk[s:e].strip()
            if sum(ch.isalnum() for ch in sentence) >= 3:
                claims.append((sentence, numbers))
    return claims


def _fold(text: str) -> str:
    """Accent-free text (case kept): "Mélanie" and "Melanie" are one word."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _facts(sentence: str) -> set[str]:
    """Numbers, and capitalized words not opening the sentence, case-folded."""
    tokens = _TOKEN.findall(_fold(sentence))
    return {
        t.casefold()
        for i, t in enumerate(tokens)
        if t[0].isdigit() or (i > 0 and t[0].isupper() and len(t) > 1)
    }


def sentence_supported(sentence: str, quotes: Sequence[str]) -> bool:
    """Model-free support check of one answer sentence against the quotes it cites,
    independent of the answer verifier (see ``SUPPORT_MIN_OVERLAP``)."""
    if not quotes:
        return False
    quote_words = {t.casefold() for t in _TOKEN.findall(_fold(" ".join(quotes)))}
    if not _facts(sentence) <= quote_words:
        return False
    content = {
        t.casefold()
        for t in _TOKEN.findall(_fold(sentence))
        if len(t) > 2 and t.casefold() not in _FUNCTION_WORDS
    }
    if not content:
        return True
    prefixes = {w[:ALIGN_PREFIX] for w in quote_words}
    aligned = sum(w[:ALIGN_PREFIX] in prefixes for w in content)
    return aligned / len(content) >= SUPPORT_MIN_OVERLAP


def supported_sentences(answer: str, quotes_by_number: dict[int, str]) -> list[tuple[str, bool]]:
    """(sentence, supported) for every sentence of the answer."""
    out = []
    for sentence, numbers in answer_claims(answer):
        quotes = [quotes_by_number[n] for n in numbers if n in quotes_by_number]
        out.append((sentence, sentence_supported(sentence, quotes)))
    return out


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolation percentile (numpy's default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def mean(values: Sequence[float | bool | None]) -> float | None:
    """Mean of the non-None values; None when there are none."""
    present = [float(v) for v in values if v is not None]
    return sum(present) / len(present) if present else None
