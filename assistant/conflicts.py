"""Disagreements between sources: the same kind of fact, stated differently.

Model-free: among the strongest evidence sentences, two from different sources
that talk about the same thing (semantically close) but give disjoint values of
the same kind (an official's title, a year, a date, a duration) are a conflict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.extractive import Candidate
from assistant.text import key_tokens, normalize

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_EXTRACTORS: dict[str, re.Pattern[str]] = {
    "official title": re.compile(
        r"\bMinister of [A-Z][\w]*(?:(?:,| and| of)? [A-Z][\w]*)*|\b(?:[A-Z][\w]* )+Minister\b"
    ),
    "date": re.compile(rf"\b(?:{_MONTHS}) \d{{1,2}}(?:, \d{{4}})?\b", re.IGNORECASE),
    "year": re.compile(r"\b(?:19|20)\d{2}\b"),
    "duration": re.compile(r"\b\d+ (?:days|weeks|months|years)\b"),
}
_TITLE_NOISE = {"minister", "of", "and", "the", "canada", "canadian"}


@dataclass
class FoundConflict:
    topic: str
    sides: list[tuple[str, Candidate]]  # (value as written, sentence stating it)


def _values(kind: str, text: str) -> dict[str, str]:
    """normalized key -> value as written."""
    found: dict[str, str] = {}
    for match in _EXTRACTORS[kind].finditer(text):
        value = match.group(0).strip(" ,")
        if kind == "official title":
            key = " ".join(sorted(set(normalize(value).replace(",", " ").split()) - _TITLE_NOISE))
        else:
            key = normalize(value)
        if key:
            found[key] = value
    return found


def _trim(values: dict[str, str], other_words: set[str]) -> dict[str, str]:
    """Drop words the other sentence also uses (a shared name), from keys and shown values."""
    out: dict[str, str] = {}
    for key, shown in values.items():
        kept = " ".join(w for w in key.split() if w not in other_words)
        words = shown.split()
        while words and normalize(words[-1]).strip(",") in other_words:
            words.pop()
        if kept and words:
            out[kept] = " ".join(words)
    return out


def _disjoint(kind: str, a: dict[str, str], b: dict[str, str]) -> bool:
    if kind == "official title":
        words_a = {w for k in a for w in k.split()}
        words_b = {w for k in b for w in k.split()}
        return not (words_a & words_b)
    return not (set(a) & set(b))


def find_conflicts(
    candidates: list[Candidate], vectors: np.ndarray, min_similarity: float = 0.4
) -> list[FoundConflict]:
    """Conflicts among ``candidates`` (with their normalized embedding ``vectors``).

    Two sentences are about the same thing when they are semantically related and
    share a name or number besides the disputed values.
    """
    names = [key_tokens(c.text) for c in candidates]
    texts = [set(normalize(c.text).replace(",", " ").split()) for c in candidates]
    conflicts: list[FoundConflict] = []
    seen: set[tuple[str, frozenset[str]]] = set()
    for kind in _EXTRACTORS:
        values = [_values(kind, c.text) for c in candidates]
        for i, a in enumerate(candidates):
            for j in range(i + 1, len(candidates)):
                b = candidates[j]
                if not values[i] or not values[j]:
                    continue
                if a.doc.metadata.get("source") == b.doc.metadata.get("source"):
                    continue
                if float(vectors[i] @ vectors[j]) < min_similarity:
                    continue
                vi, vj = values[i], values[j]
                if kind == "official title":  # words both sentences use are not in dispute
                    vi, vj = _trim(vi, texts[j]), _trim(vj, texts[i])
                if not vi or not vj or not _disjoint(kind, vi, vj):
                    continue
                value_words = set(" ".join([*vi, *vj]).split())
                if not (names[i] & names[j]) - value_words - {"minister"}:
                    continue
                key = (kind, frozenset(list(vi) + list(vj)))
                if key in seen:
                    continue
                seen.add(key)
                conflicts.append(
                    FoundConflict(
                        kind,
                        [(", ".join(vi.values()), a), (", ".join(vj.values()), b)],
                    )
                )
        if conflicts:
            break  # the most specific kind of disagreement is enough to report
    return conflicts[:2]
