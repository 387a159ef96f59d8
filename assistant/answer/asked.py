"""The noun a question part names: what a number counts ("how many employees"), the role a
"who" part fills ("who is the chief executive"), the things a "which two" part lists,
and the head of the noun phrase after a question word. General English only; split
from ``question``, which decides the kind of answer and the focus words.
"""

from __future__ import annotations

import re

from assistant.answer.english import (
    AUXILIARIES,
    DETERMINERS,
    GENERIC_TYPE_NOUNS,
    LEADING_VERBS,
    MEASURE_WORDS,
    MONEY_WORDS,
    OFFICE_HOLDER_NOUNS,
    PARTICLES,
    PREPOSITIONS,
    SPELLED_NUMBERS,
    TYPE_NOUNS,
    WH_WORDS,
)
from assistant.answer.wordforms import (
    can_be_adjective,
    can_be_noun,
    can_be_verb,
    is_verb_only,
    singular_noun,
    verb_lemmas,
)
from assistant.ingest.text import stopwords, words


def counted_noun(part: str) -> str | None:
    """What the number is of: the last word of the noun phrase after "how many" or "how
    much" ("how many Suez Canal Authority employees took part" -> employees) or of the
    subject a measure asks about ("how strong was the wind" -> wind); None for a generic
    noun ("people"), a pronoun, or a part that asks neither."""
    toks = words(part)
    if "many" in toks:
        after = toks[toks.index("many") + 1 :]
        if after[:1] == ["of"]:  # "how many of the bridge's tendons": tendons
            after = [w for w in after[1:] if w not in DETERMINERS and not w.endswith("'s")]
        return phrase_head(after)
    lead = lead_words(toks)
    if lead[:2] == ["how", "much"]:  # "how much fuel was it carrying" (not "how much did")
        return phrase_head(lead[2:])
    if len(lead) < 4 or lead[0] != "how" or lead[1] not in MEASURE_WORDS:
        return None
    if lead[2] not in ("is", "was", "are", "were") or lead[3] not in ("the", "a", "an"):
        return None  # "how deep did they dig": the measure is of an action
    return phrase_head(lead[4:])


_POSSESSIVE = re.compile(r"([\w.-]+?)(?:['’]s|(?<=s)['’])(?=\s)")


_NAME_OF = re.compile(r"\s*what\s+(?:is|was|are|were)\s+the\s+names?\s+of\s+", re.IGNORECASE)


def role_noun(part: str) -> str | None:
    """The role a "who" part asks to fill: "who is the chief executive of X" -> executive,
    "who was the judge" -> judge, "who is X's largest shareholder" -> shareholder; None for
    "who runs X" or "who was in charge". An officer's title names the office: "chief
    executive officer" -> executive."""
    return role_head(role_phrase(part))


def role_head(phrase: tuple[str, ...]) -> str | None:
    """The role word of a ``role_phrase``: an officer's title names the office; a verb of
    leading ("heads", "chaired") names the head."""
    if len(phrase) == 1 and leads(phrase[0]):
        return "head"
    if phrase and phrase[-1] in ("boss", "leader"):  # "who is the boss of X": its head
        return "head"
    if len(phrase) > 1 and phrase[-1] in OFFICE_HOLDER_NOUNS:
        return phrase[-2]
    return phrase[-1] if phrase else None


def role_phrase(part: str) -> tuple[str, ...]:
    """The words of the role a "who" part asks to fill: (judge,) for "who is the judge";
    all the words of an officer's title, which say which office it is: "who is the chief
    executive officer of X" -> (chief, executive, officer), not held by a chief operating
    officer."""
    phrase = _role_phrase(part)
    named = capitalized_words(part)  # "the National Transport Agency official": an official
    if len(phrase) > 1 and phrase[-1] in OFFICE_HOLDER_NOUNS and phrase[-2] not in named:
        return phrase
    return phrase[-1:]


def _role_phrase(part: str) -> tuple[str, ...]:
    named = _NAME_OF.match(part)
    if named:  # "what is the name of X's lawyer" asks what "who is X's lawyer" asks
        part = "who is " + part[named.end() :]
    toks = words(part)
    if not toks or toks[0] not in ("who", "whom"):
        return ()
    rest = toks[1:]
    if rest and rest[0] in ("is", "was", "are", "were"):
        rest = rest[1:]
    if rest and rest[0] in ("the", "a", "an"):
        return noun_phrase(rest[1:])
    if rest and leads(rest[0]):  # "who heads the authority": who is its head
        return tuple(rest[:1])
    # "who is Hikvision Canada's lawyer", "who is Harbour Foods' auditor"
    owners = [w.lower() for w in _POSSESSIVE.findall(part)]
    names = capitalized_words(part)  # "Harbour": a name, no verb
    for i, tok in enumerate(rest[:4]):
        bare = without_possessive(tok)
        if bare in owners:
            return noun_phrase(rest[i + 1 :])
        if can_be_verb(tok) and bare not in names:
            return ()  # "who was driving", "who runs": a verb, not a role
    return ()


def leads(word: str) -> bool:
    """A form of a verb of leading other than its base ("heads", "chaired", "presided"):
    the base form is the noun ("the head", "the chair")."""
    lemmas = verb_lemmas(word)
    if word in ("leads", "leading"):  # "who is leading the inquiry" (but "who led the
        return True  # rescue" asks of an action, so "led" is left out)
    return word not in lemmas and not lemmas.isdisjoint(LEADING_VERBS)


def items_asked(part: str) -> dict[str, int | str | None]:
    """ "which two restriction lists" -> items=2, item_noun="list": the first plural noun
    after the number (None when generic: "which three companies")."""
    lead = lead_words(words(part))
    if len(lead) < 3 or lead[0] not in ("which", "what") or lead[1] not in SPELLED_NUMBERS:
        return {}
    count = SPELLED_NUMBERS[lead[1]]
    if count < 2:
        return {}
    plural = next((w for w in lead[2:7] if "." not in w and singular_noun(w) != w), None)
    noun = singular_noun(plural) if plural and plural not in GENERIC_TYPE_NOUNS else None
    return {"items": count, "item_noun": noun}


def phrase_head(toks: list[str]) -> str | None:
    """Last word of the noun phrase that opens ``toks`` (None if none, or generic)."""
    phrase = noun_phrase(toks)
    return phrase[-1] if phrase else None


def noun_phrase(toks: list[str]) -> tuple[str, ...]:
    """The noun phrase that opens ``toks``, its head last (empty if none, or generic)."""
    phrase: list[str] = []
    for i, tok in enumerate(toks):
        if tok in AUXILIARIES or tok in PREPOSITIONS or tok in stopwords() or is_verb_only(tok):
            break
        if phrase and tok.endswith("ing") and toks[i + 1 : i + 2] and toks[i + 1] in stopwords():
            break  # "the pilot flying the helicopter": a clause, not "chief operating officer"
        phrase.append(tok)
    if (
        not phrase
        or phrase[-1] in GENERIC_TYPE_NOUNS
        or singular_s(phrase[-1]) in GENERIC_TYPE_NOUNS
    ):
        return ()
    return tuple(phrase)


def lead_words(toks: list[str]) -> list[str]:
    """The words from the first question word on (skipping a leading preposition)."""
    for i, tok in enumerate(toks[:6]):
        if tok in WH_WORDS or (i == 0 and tok in AUXILIARIES):
            return toks[i:]
    return toks


def head_noun(after_wh: list[str]) -> str | None:
    """The noun a "which"/"what" asks about ("which federal statute" -> statute, "what is
    the full name of" -> name): the last word naming a kind of answer, else the first word."""
    if after_wh and after_wh[0] in ("is", "was", "are", "were"):
        after_wh = after_wh[1:]
    phrase = _wh_phrase(after_wh)
    for tok in reversed(phrase):  # English noun phrases end in their head: "cabinet post"
        if singular_s(tok) in TYPE_NOUNS or tok in TYPE_NOUNS:
            return tok if tok in TYPE_NOUNS else singular_s(tok)
    return phrase[-1] if phrase else None


def _wh_phrase(after_wh: list[str]) -> list[str]:
    """The noun phrase a "which"/"what" opens: "which insurance company covers" ->
    insurance company."""
    while after_wh and (after_wh[0] in ("the", "a", "an") or after_wh[0] in SPELLED_NUMBERS):
        after_wh = after_wh[1:]  # "which two tugs": the noun is "tugs"
    phrase: list[str] = []
    for tok in after_wh[:4]:
        if tok in AUXILIARIES or tok in PREPOSITIONS or tok in stopwords():
            break
        if phrase and tok not in TYPE_NOUNS and is_verb_only(tok):
            break  # "which two tugs helped": the phrase ends before its verb
        phrase.append(tok)
    return phrase


def asked_thing(part: str) -> tuple[str, ...]:
    """The words saying what kind of a generic thing a "which"/"what" part asks for:
    "which insurance company" -> insurance. A source that never speaks of insurance cannot
    say which insurance company it is; a name need not say "company" to be one."""
    lead = lead_words(words(part))
    if len(lead) < 2 or lead[0] not in ("which", "what", "whose") or lead[1] in AUXILIARIES:
        return ()
    phrase = _wh_phrase(lead[1:])
    heads = [i for i, w in enumerate(phrase) if singular_s(w) in GENERIC_TYPE_NOUNS]
    if not heads:  # "which judge", "what cabinet post": the answer itself is one of them
        return ()
    return tuple(phrase[: heads[-1]])  # "which insurance company covers": insurance


def ends_on_a_money_verb(toks: list[str]) -> bool:
    """ "What does a pack cost", "what did they pay": the last word, a money word, is the
    verb (not "what did the court decide about the fine", where it is a noun)."""
    return (
        len(toks) > 3
        and toks[-1] in MONEY_WORDS
        and toks[-2] not in PREPOSITIONS
        and toks[-2] not in DETERMINERS
    )


def singular_s(word: str) -> str:
    """The word without a plural "s" (a quick guess: "tugs" -> tug, "press" unchanged)."""
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


_POSSESSIVE_END = re.compile(r"['’]s?$")


def without_possessive(word: str) -> str:
    """ "harbour's" -> "harbour", "foods'" -> "foods"."""
    return _POSSESSIVE_END.sub("", word)


def is_possessive(word: str) -> bool:
    return bool(_POSSESSIVE_END.search(word))


def capitalized_words(text: str) -> set[str]:
    """The capitalized words of a question, lower-cased: names, never its verbs."""
    return {w.lower() for w in re.findall(r"\b[A-Z][\w.-]*", text)}


# Verbs too light to name an action on their own ("have", "get", "take"): a part built on
# one has no single verb to look for.
_LIGHT_VERBS = frozenset({"be", "come", "do", "get", "give", "go", "have", "make", "take"})
# After these a word is a noun or an adjective ("a court", "the retracted paper").
_NOUN_MARKERS = DETERMINERS - {"that"}
_RELATIVES = frozenset({"that", "which", "who"})


def subject_action(part: str) -> str | None:
    """The verb of a part whose question phrase is its subject: "which company
    manufactured the pump" -> manufactured, "which judge will hear it" -> hear, "the name
    of the company that supplied the cells" -> supplied. None when the part asks of
    something else ("on which lists has X been placed": X is the subject), is passive or
    progressive ("which retailer was affected", "who was driving": sources tell those in
    other words, "its packs were included", "the excavator's operator"), or its verb is
    light or has a particle ("have to", "set up shop"): the phrase carries the meaning."""
    toks = words(part)
    names = {w.lower() for w in capitalized_words(part)}
    wh = next((i for i, w in enumerate(toks) if w in WH_WORDS), None)
    if wh is None:
        return None
    after_aux = False  # an auxiliary came: the subject may follow it ("has X been placed")
    subject = False  # ... and it did: the question phrase is not the subject
    passive = False  # a form of "be" came: the doer, if any, is told in too many ways
    for i in range(wh + 1, len(toks)):
        tok, prev = toks[i], toks[i - 1]
        lemmas = verb_lemmas(tok)
        if tok in _RELATIVES:  # "the company that supplied": a clause with its own subject
            after_aux = subject = passive = False
            continue
        if tok in AUXILIARIES or "be" in lemmas:
            after_aux = True
            passive = passive or "be" in lemmas
            continue
        verb = bool(lemmas) and tok not in names and not is_possessive(tok)
        # "whose own-brand packs": a base form English also uses as an adjective is one
        verb = verb and prev not in _NOUN_MARKERS and not (tok in lemmas and can_be_adjective(tok))
        # a noun: "won" is one (a currency), but an inflected verb form is read as the verb
        verb = verb and (not can_be_noun(tok) or tok not in lemmas and not tok.endswith("s"))
        if not verb:
            subject = subject or (after_aux and tok not in stopwords())
            continue
        if subject or passive:
            return None  # "which retailer was affected", "who was driving": told otherwise
        after = toks[i + 1 : i + 2]
        if lemmas & _LIGHT_VERBS or (after and after[0] in PARTICLES):
            return None
        return tok
    return None
