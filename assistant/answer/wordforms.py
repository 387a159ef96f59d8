"""General English morphology for matching a question's words to a source's words.

The stemmer joins "holding" and "holds" but not "held" and "hold", or "ran" and "run";
an English lemma table does (``lemminflect``, a PyPI package with its tables inside).
"""

from __future__ import annotations

from functools import lru_cache

from assistant.ingest.text import terms


@lru_cache(maxsize=50_000)
def forms(word: str) -> frozenset[str]:
    """Stemmed terms of ``word`` and of every inflection of its lemmas ("held" -> hold, held)."""
    from lemminflect import getAllInflections, getAllLemmas

    found = set(terms(word))
    for lemmas in getAllLemmas(word).values():
        for lemma in lemmas:
            found.update(terms(lemma))
            for inflections in getAllInflections(lemma).values():
                for inflected in inflections:
                    found.update(terms(inflected))
    return frozenset(found)


@lru_cache(maxsize=50_000)
def can_be_noun(word: str) -> bool:
    """English uses the word as a noun, or does not know it (a name, a title, jargon)."""
    from lemminflect import getAllLemmas

    readings = set(getAllLemmas(word))
    return not readings or bool(readings & {"NOUN", "PROPN"})


@lru_cache(maxsize=50_000)
def can_be_verb(word: str) -> bool:
    """English uses the word as a verb ("carried", "set")."""
    from lemminflect import getAllLemmas

    return "VERB" in getAllLemmas(word)


@lru_cache(maxsize=50_000)
def is_verb_only(word: str) -> bool:
    """English uses the word only as a verb or adverb ("took", "employs"); unknown words
    (names, jargon) are not."""
    from lemminflect import getAllLemmas

    readings = set(getAllLemmas(word))
    return bool(readings) and readings <= {"VERB", "AUX", "ADV"}


@lru_cache(maxsize=50_000)
def singular_noun(word: str) -> str:
    """The singular of a plural noun ("countries" -> country); other words unchanged."""
    from lemminflect import getLemma

    lemmas = getLemma(word, upos="NOUN")
    return lemmas[0] if lemmas else word


@lru_cache(maxsize=50_000)
def verb_lemmas(word: str) -> frozenset[str]:
    """The verbs the word is a form of ("stuck" -> stick, "took" -> take); empty if none."""
    from lemminflect import getAllLemmas

    return frozenset(getAllLemmas(word).get("VERB", ()))
