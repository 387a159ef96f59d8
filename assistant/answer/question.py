"""What a question asks: its parts, the kind of answer each part wants, and its focus words.

Everything here is general English, kept in one place: question words, the nouns that
name a kind of answer ("date", "judge", "act"), and the verbs that report an outcome.
Nothing in this module knows any corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.answer.answer_types import AnswerType
from assistant.answer.asked import (
    asked_thing,
    capitalized_words,
    counted_noun,
    ends_on_a_money_verb,
    head_noun,
    items_asked,
    lead_words,
    role_head,
    role_phrase,
    singular_s,
)
from assistant.answer.english import (
    AUXILIARIES,
    CHANGE_WORDS,
    DATE_NOUNS,
    EVENT_IDIOMS,
    FRAME_WORDS,
    GENERIC_TYPE_NOUNS,
    LAW_NOUNS,
    MEASURE_WORDS,
    MONEY_WORDS,
    NAME_NOUNS,
    OUTCOME_NOUNS,
    OUTCOME_VERBS,
    PARTICLES,
    PLACE_NOUNS,
    PREPOSITIONS,
    QUANTITY_NOUNS,
    ROLE_NOUNS,
    SUBORDINATORS,
    TIME_UNITS,
    TYPE_NOUNS,
    WH_WORDS,
)
from assistant.answer.wordforms import (
    can_be_noun,
    can_be_verb,
    is_manner_adverb,
    is_motion_verb,
    is_verb_only,
    verb_lemmas,
)
from assistant.ingest.text import stopwords, terms, words


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
    ranking_text: str = ""  # what the part's evidence is ranked by (with an elided subject)
    counted: str | None = None  # what "how many" counts ("employees"), unless generic
    role: str | None = None  # the role a "who is the chief executive" part asks to fill
    role_words: tuple[str, ...] = ()  # all its words, for an officer ("chief executive officer")
    # "which two lists": how many things the part asks to name, and what they are ("list")
    items: int = 1
    item_noun: str | None = None
    # "..., according to Lloyd's List": the stemmed words naming who reports the answer
    attributed_to: tuple[str, ...] = ()
    thing_words: tuple[str, ...] = ()  # "which insurance company": (insurance,)


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
    """The piece contains a question word or opens with an auxiliary (a yes/no question),
    and is not a subordinate clause ("when the ship was freed, ...")."""
    toks = words(piece)
    return (
        bool(toks)
        and not _subordinate(toks)
        and (toks[0] in AUXILIARIES or any(t in WH_WORDS for t in toks[:4]))
    )


def _subordinate(toks: list[str]) -> bool:
    """The words open a subordinate clause: "after the council approved it", "when the
    ship was freed" ("when was the ship freed" asks)."""
    return len(toks) > 1 and toks[0] in SUBORDINATORS and toks[1] not in AUXILIARIES


def leading_clause(part: str) -> tuple[str, str]:
    """(the subordinate clause a part opens with, the question after it): "After the
    council approved it, when will the work begin" -> ("After the council approved it",
    "when will the work begin"); ("", part) when it opens with the question."""
    head, comma, rest = part.partition(",")
    if comma and rest.strip() and _subordinate(words(head)) and _asks(rest):
        return head.strip(), rest.strip()
    return "", part


def answer_type(part: str) -> tuple[AnswerType | None, frozenset[str]]:
    """(the kind of answer the part wants, the words of the part that name that kind)."""
    toks = words(part)
    if not toks:
        return None, frozenset()
    lead = lead_words(toks)
    first = lead[0] if lead else toks[0]
    nxt = lead[1] if len(lead) > 1 else ""
    head = head_noun(lead[1:]) if first in ("which", "what", "whose") else None
    if first == "why" or (first == "what" and (head == "reason" or "behind" in lead[1:5])):
        return "reason", frozenset({"reason"} & set(toks))
    if first in ("who", "whom", "whose"):
        return "name", frozenset({head} if head else set())
    if first == "what" and head == "name":  # "what is the name of the judge who ruled"
        return "name", frozenset({"name"})
    if first in ("what", "which") and head == "time" and nxt == "time":
        return "time", frozenset({"time"})  # "what time": a clock time, not a day
    if first == "when" or (first in ("what", "which") and head in DATE_NOUNS):
        return "date", frozenset({head} if head else set())
    if first == "how" and nxt == "long" and _asks_duration(lead, part):
        return "duration", frozenset({"long"})
    if first == "how" and nxt in MEASURE_WORDS:
        # "how much money", "how big was the fine": an amount ("how many fines": a count)
        kind = "money" if nxt != "many" and set(lead) & MONEY_WORDS else "number"
        return kind, frozenset({nxt})
    if first == "what" and nxt in AUXILIARIES and ends_on_a_money_verb(toks):
        return "money", frozenset({toks[-1]})  # "what does a pack cost", "... worth"
    if first in ("what", "which") and head in QUANTITY_NOUNS:
        return ("money" if set(lead[1:6]) & MONEY_WORDS else "number"), frozenset({head})
    if first in ("what", "which") and head in LAW_NOUNS:
        # "which federal law": "federal" describes the answer, which need not say it (the
        # Consumer Product Safety Act is federal); a name ("which Ohio statute") is kept
        said = lead[1 : lead.index(head)] if head in lead else []
        names = capitalized_words(part)
        return "law", frozenset({head, *(w for w in said if w not in names)})
    if first in ("what", "which") and head in OUTCOME_NOUNS:
        return "outcome", frozenset({head})
    if first in ("what", "which") and head in ROLE_NOUNS:
        return None, frozenset()
    if first == "what" and set(lead[1:9]) & OUTCOME_VERBS:
        return "outcome", frozenset()
    if first == "where":
        return "place", frozenset()
    if first in ("which", "what") and head in PLACE_NOUNS:
        return "place", frozenset({head})
    if first in ("which", "what") and (head in NAME_NOUNS or singular_s(head or "") in NAME_NOUNS):
        return "name", frozenset({head} if head else set())
    if first == "which" and head and singular_s(head) != head and head not in GENERIC_TYPE_NOUNS:
        return "name", frozenset()  # "which (two) tugs": name the things asked about
    if first in AUXILIARIES:
        return "polar", frozenset()
    return None, frozenset()


def _counted(text: str, kind: str | None, type_words: frozenset[str]) -> str | None:
    """What the number counts or the amount is of: "how many employees"; "what was X's
    revenue" (an amount of revenue, not of a fine the sentence gives instead)."""
    if kind not in ("number", "money"):
        return None
    asked = counted_noun(text)
    if asked is None and kind == "money":
        asked = next((w for w in type_words if w in MONEY_WORDS), None)
    return asked


def _asks_duration(lead: list[str], part: str) -> bool:
    """ "How long did the blockage last", "how long was it stuck": a span of time, not a
    length ("how long is the ship", "how long is the Ever Given")."""
    if len(lead) == 2:
        return True  # "..., and for how long?": a span of the previous part's action
    if len(lead) < 3:
        return False
    if lead[2] in AUXILIARIES and lead[2] not in ("is", "are", "was", "were"):
        return True  # "how long did", "how long will"
    if part.split()[-1][:1].isupper():
        return False  # ends on a name
    # ends on an inflected verb form, a participle: "stuck" (of stick), "closed"
    return bool(verb_lemmas(lead[-1]) - {lead[-1]})


def analyse(question: str, context: str = "") -> QuestionAnalysis:
    """Parts, answer types and focus terms of ``question``; for a follow-up, ``context``
    (the earlier question) adds the terms the follow-up leaves out ("under which act?")."""
    earlier = _focus_words(context, set()) if context else {}
    parts: list[QuestionPart] = []
    for whole in split_parts(question):
        # "After the council approved it, when will the work begin": the question is the
        # main clause; the leading clause says which occasion, like an earlier question
        clause, text = leading_clause(whole)
        earlier_here = {**_focus_words(clause, set()), **earlier} if clause else earlier
        kind, type_words = answer_type(text)
        if kind is None and (parts or context) and _points_back(text):
            # "And what did it later cut that to?" after "How much did it demand?" (an
            # earlier part, or the earlier question): that value again, the same kind
            kind = parts[-1].answer_type if parts else answer_type(split_parts(context)[-1])[0]
        # "many" in "how many", "date", "act" only name the kind of answer; a specific type
        # noun ("revenue", "judge") is also what the question is about, so it stays.
        naming = {w for w in type_words if w not in TYPE_NOUNS or w in GENERIC_TYPE_NOUNS}
        skip = naming | (set(type_words) & LAW_NOUNS)
        if kind == "outcome":
            skip |= OUTCOME_VERBS
        if kind == "place":  # "where was it going": the verb only says "to a place"
            skip |= {w for w in words(text) if is_motion_verb(w)}
        shown = _focus_words(text, skip)
        inherited = earlier_here
        # "..., and under what act?", "..., and for how many days?": about the previous part
        if parts and set(shown.values()) <= TIME_UNITS | type_words:
            previous = dict(zip(parts[-1].focus, parts[-1].focus_words, strict=True))
            inherited = {**previous, **earlier_here}
            text_for_ranking = f"{parts[-1].text} {text}"
        else:
            text_for_ranking = whole
        extra = {t: w for t, w in inherited.items() if t not in shown}
        role_words = role_phrase(text) if kind == "name" else ()
        parts.append(
            QuestionPart(
                text=text,
                answer_type=kind,
                focus=tuple(shown),
                focus_words=tuple(shown.values()),
                type_terms=frozenset(t for w in type_words for t in terms(w)),
                context=tuple(extra),
                context_words=tuple(extra.values()),
                ranking_text=text_for_ranking,
                counted=_counted(text, kind, type_words),
                role=role_head(role_words),
                role_words=role_words,
                attributed_to=attribution(text),
                thing_words=asked_thing(text),
                **(items_asked(text) if kind == "name" else {}),
            )
        )
    return QuestionAnalysis(question, tuple(parts))


def asks_which_thing(part: QuestionPart) -> bool:
    """An open part asking which thing ("which bacterium", "what cabinet post"): its answer
    names something; it is not a date, count or amount."""
    toks = words(part.text)
    return (
        part.answer_type is None
        and len(toks) > 1
        and toks[0] in ("which", "what")
        and toks[1] not in stopwords()
        and can_be_noun(toks[1])
        and not is_verb_only(toks[1])
    )


def _points_back(part: str) -> bool:
    """The part refers to an earlier answer by a pronoun standing for it: "what did it cut
    that to", "and what was that raised from" ("that order" names a thing, not an answer)."""
    toks = words(part)
    return any(
        tok in ("that", "this", "it")
        and (i + 1 == len(toks) or toks[i + 1] in PREPOSITIONS)
        and i > 1
        for i, tok in enumerate(toks)
    )


_ATTRIBUTION = re.compile(r"\baccording to\b[^,;?]*", re.IGNORECASE)
# "2022-era action", "a 120-day deadline": the word after a number describes the number
# (its unit, its time); the number, not that word, is what the answer must be about.
_NUMBER_COMPOUND = re.compile(r"\b(\d[\d,.]*)-[^\W\d_]+\b")


def attribution(text: str) -> tuple[str, ...]:
    """Stemmed content words of the source an "according to ..." phrase names."""
    found = _ATTRIBUTION.search(text)
    return tuple(dict.fromkeys(terms(found.group(0)[len("according to") :]))) if found else ()


def _focus_words(text: str, skip: set[str]) -> dict[str, str]:
    """Stemmed content term -> the word as written, without question and frame words."""
    skip = skip | set(WH_WORDS) | FRAME_WORDS
    shown: dict[str, str] = {}
    # "..., according to the port authority": who reports it, not what is asked; a source
    # need not repeat its own name in the sentence that answers.
    toks = words(_NUMBER_COMPOUND.sub(r"\1", _ATTRIBUTION.sub(" ", text)))
    for i, word in enumerate(toks):
        if word in skip or word in stopwords() or (len(word) < 2 and not word.isdigit()):
            continue
        if is_manner_adverb(word) and word not in CHANGE_WORDS:
            continue  # "roughly how many", "simply mislabelled": how, not what
        if i + 1 < len(toks) and toks[i + 1] in PARTICLES and can_be_verb(word):
            continue  # "carried out", "set up": the phrase, not the verb, has the meaning
        if _in_event_idiom(toks, i):
            continue  # "take effect", "came into force": only that something happened
        for term in terms(word):
            shown.setdefault(term, word)
    return shown


def _in_event_idiom(toks: list[str], i: int) -> bool:
    """``toks[i]`` is the verb or the noun of an idiom like "take effect", "come into force"."""
    for verb_at in (i, i - 1, i - 2):
        if verb_at < 0 or verb_at + 1 >= len(toks):
            continue
        lemmas = {lemma for lemma in EVENT_IDIOMS if lemma in verb_lemmas(toks[verb_at])}
        noun_at = verb_at + 2 if toks[verb_at + 1] == "into" else verb_at + 1
        if noun_at < len(toks) and any(toks[noun_at] in EVENT_IDIOMS[v] for v in lemmas):
            return i in (verb_at, noun_at)
    return False
