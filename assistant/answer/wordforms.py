"""General English morphology for matching a question's words to a source's words.

The stemmer joins "holding" and "holds" but not "held" and "hold", or "ran" and "run";
an English lemma table does (``lemminflect``, a PyPI package with its tables inside).
"""

from __future__ import annotations

from functools import lru_cache

from assistant.answer.english import MOTION_VERBS
from assistant.ingest.text import stopwords, terms, words


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
def can_be_adjective(word: str) -> bool:
    """English uses the word as an adjective ("own", "close", "ordered")."""
    from lemminflect import getAllLemmas

    return "ADJ" in getAllLemmas(word)


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
def is_manner_adverb(word: str) -> bool:
    """An "-ly" word English uses only as an adverb ("roughly", "ultimately", "simply"):
    it says how or how surely, which a source says in its own words or not at all."""
    from lemminflect import getAllLemmas

    return word.endswith("ly") and set(getAllLemmas(word)) == {"ADV"}


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


# English suffixes that make a noun of a verb, with the verb endings they replace:
# close -> closure, pay -> payment, approve -> approval, deny -> denial, permit ->
# permission, suspend -> suspension, decide -> decision, operate -> operation, prohibit ->
# prohibition, act -> action, accept -> acceptance, employ -> employee, own -> owner,
# complain -> complaint.
NOMINAL_SUFFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("aint", ("ain",)),
    ("ure", ("e", "")),
    ("ment", ("",)),
    ("ial", ("y",)),
    ("al", ("e", "")),
    ("ssion", ("t",)),
    ("sion", ("d", "de")),
    ("ation", ("e", "", "ate")),
    ("ition", ("it", "ite")),
    ("tion", ("te", "t")),
    ("ion", ("",)),
    ("ance", ("", "e")),
    ("ence", ("", "e")),
    ("ee", ("",)),
    ("er", ("", "e")),
    ("or", ("", "e")),
)
_MIN_STEM = 3


@lru_cache(maxsize=50_000)
def derived_forms(word: str) -> frozenset[str]:
    """Stemmed terms of the verb a noun is made from, or of the nouns made from a verb
    ("closure" -> close, closed, closing; "employs" -> employee, employees, employer):
    sources say "ordered it closed" where a question says "ordered the closure". Only
    words English knows count (``lemminflect``'s tables), never an invented one."""
    from lemminflect import getAllLemmas

    found: set[str] = set()
    word = word.lower()
    readings = getAllLemmas(word)
    # A noun that is also an adjective ("final", "normal") is seldom made from a verb.
    nouns = () if "ADJ" in readings else readings.get("NOUN", ())
    for noun in nouns:
        for suffix, endings in NOMINAL_SUFFIXES:
            stem = noun[: -len(suffix)]
            if not noun.endswith(suffix) or len(stem) < _MIN_STEM:
                continue
            for ending in endings:
                verb = stem + ending
                if verb not in stopwords() and verb in getAllLemmas(verb).get("VERB", ()):
                    found |= _inflected_terms(verb, "VERB")
    for verb in readings.get("VERB", ()):
        for suffix, endings in NOMINAL_SUFFIXES:
            for ending in endings:
                if not verb.endswith(ending) or len(verb) - len(ending) < _MIN_STEM:
                    continue
                noun = verb[: len(verb) - len(ending)] + suffix
                lemmas = getAllLemmas(noun)
                if noun in lemmas.get("NOUN", ()) and not lemmas.keys() & {"ADJ", "ADV"}:
                    found |= _inflected_terms(noun, "NOUN")
    return frozenset(found - set(terms(word)))


def _inflected_terms(lemma: str, upos: str) -> frozenset[str]:
    """Stemmed terms of ``lemma`` and of its inflections as that part of speech."""
    from lemminflect import getAllInflections

    inflected = getAllInflections(lemma, upos=upos).values()
    return frozenset(terms(lemma)) | {t for group in inflected for w in group for t in terms(w)}


def is_motion_verb(word: str) -> bool:
    """ "towed", "taken", "sailed": a form of a verb of motion (``MOTION_VERBS``)."""
    return not verb_lemmas(word).isdisjoint(MOTION_VERBS)


def derived_terms(text: str) -> frozenset[str]:
    """Stemmed terms derived from the content words of ``text`` (see ``derived_forms``):
    a keyword search for "how many people does it employ" also finds "66 employees"."""
    stop = stopwords()
    return frozenset(t for w in words(text) if w not in stop for t in derived_forms(w))
