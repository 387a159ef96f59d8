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
from assistant.text import normalize

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
)
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


def _disjoint(kind: str, a: dict[str, str], b: dict[str, str]) -> bool:
    if kind == "official title":
        words_a = {w for k in a for w in k.split()}
        words_b = {w for k in b for w in k.split()}
        return not (words_a & words_b)
    return not (set(a) & set(b))


def find_conflicts(
    candidates: list[Candidate], vectors: np.ndarray, min_similarity: float = 0.55
) -> list[FoundConflict]:
    """Conflicts among ``candidates`` (with their normalized embedding ``vectors``)."""
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
                if not _disjoint(kind, values[i], values[j]):
                    continue
                key = (kind, frozenset(list(values[i]) + list(values[j])))
                if key in seen:
                    continue
                seen.add(key)
                conflicts.append(
                    FoundConflict(
                        kind,
                        [(", ".join(values[i].values()), a), (", ".join(values[j].values()), b)],
                    )
                )
        if conflicts:
            break  # the most specific kind of disagreement is enough to report
    return conflicts[:2]
