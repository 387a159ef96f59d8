"""Who-questions and naming questions: which names a sentence ties to what the question
names, and which things it lists.

A "who runs X" part is answered by the holder of a role in X ("Ian Beveridge, chief
executive of BSM"), a "who approved X" part by the agent of a passive verb meaning the
asked action ("was approved by President Sisi"), and "which two tugs" by the sentence
listing two names. General English only: apposition, possessives, passives, lists.
Split from ``sufficiency``, which uses these to choose the answering sentence.
"""

from __future__ import annotations

import re

from assistant.answer.acronyms import chief_title_runs
from assistant.answer.answer_types import answer_names, linked_names
from assistant.answer.asked import capitalized_words, is_possessive, leads, without_possessive
from assistant.answer.english import (
    AUXILIARIES,
    DETERMINERS,
    FRAME_WORDS,
    GENERIC_TYPE_NOUNS,
    INDEFINITE_WORDS,
    LEADER_ROLES,
    LEADER_TITLES,
    NAME_NOUNS,
    NOT_THE_TOP,
    OFFICE_HOLDER_NOUNS,
    PERSONAL_PRONOUNS,
    PREPOSITIONS,
    SUBORDINATORS,
    WH_WORDS,
)
from assistant.answer.extractive import Candidate
from assistant.answer.focus import PARAPHRASE_SIMILARITY, WordMatcher, content_words
from assistant.answer.question import QuestionPart, answer_type
from assistant.answer.wordforms import can_be_noun, can_be_verb, forms, verb_lemmas
from assistant.ingest.text import normalize, stopwords, terms, words

_LEADER_TITLE_WORDS = [tuple(title.split()) for title in LEADER_TITLES]
# A name answers "who is the <role>" when at most this many words part it from the role.
ROLE_WINDOW = 6
# What joins the names of a list: ",", "and", "or", ", and the".
_LIST_JOINT = re.compile(r"(?:,|,?\s*(?:and|or))(?:\s+the)?|the")
# A passive verb's agent answers "who <verb>" when the two verbs are this close in meaning
# (approved / signed 0.50, constructed / built 0.83; owned / chartered 0.30, attended /
# signed 0.30 with the default model).
SAME_ACTION_SIMILARITY = 0.45
_TOKEN = re.compile(r"[\w'’-]+")
# Between a role and the name of what it belongs to, not of who holds it.
_OWNER_GAP = re.compile(r"\s+of\s+(?:the\s+)?|['’]s?\s+", re.IGNORECASE)
# Words between a subject and its verb ("the government has also ordered").
_SUBJECT_AUXILIARIES = frozenset({"has", "have", "had", "will", "would", "also", "then", "later"})


def listed_names(cand: Candidate, question_words: set[str]) -> int:
    """How many new names the sentence lists together ("X, Y and Z", "the X or the Y")."""
    spans = answer_names(cand.text, question_words)
    best = run = 1 if spans else 0
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        joint = cand.text[end:start].strip().lower()
        run = run + 1 if _LIST_JOINT.fullmatch(joint) else 1
        best = max(best, run)
    return best


def items_of_one_kind(text: str) -> int:
    """How many things of one kind the sentence lists by repeating their noun ("either the
    certification procedure or the SDoC procedure" -> 2): an answer to "which two routes"
    that names them otherwise than the question does."""
    toks = [t for t in words(text) if t in ("and", "or") or t not in stopwords()]
    best = 0
    for i, tok in enumerate(toks):
        if tok not in ("and", "or") or i == 0:
            continue
        head = toks[i - 1]
        if head.isdigit() or not can_be_noun(head) or head not in toks[i + 1 : i + 9]:
            continue
        best = max(best, toks[max(0, i - 12) : i + 9].count(head))
    return best


def linked_sentences(
    part: QuestionPart, typed: list[Candidate], matcher: WordMatcher | None
) -> set[int]:
    """ids of the sentences that tie a new name to what a "who <does what> to X" part names:
    the holder of a role in X, or the agent of a passive verb meaning the asked action
    ("approved by X" for "who signed off"; not "owned by X" for "who chartered"); for
    "which judge", a name given in that role ("Madam Justice Furlanetto")."""
    toks = words(part.text)
    if part.answer_type != "name" or part.role:
        return set()
    if toks[:1] in (["which"], ["what"]):  # "which judge": a name given in that role
        head = next(iter(answer_type(part.text)[1]), None)
        if head is None or head not in NAME_NOUNS or head in GENERIC_TYPE_NOUNS:
            return set()
        return {id(c) for c in typed if names_in_role(c, head, set(toks), matcher)}
    if toks[:1] not in (["who"], ["whom"]):
        return set()
    action = asked_action(part)
    found = set()
    for cand in typed:
        if action and does_action(cand.text, action, set(toks)):
            found.add(id(cand))
            continue
        for _, verb in linked_names(cand.text, part.text):
            if verb is None or (action and _same_action(verb, action, matcher)):
                found.add(id(cand))
    return found


def does_action(text: str, action: str, question_words: set[str]) -> bool:
    """A name or a body ("the Canadian government", "the Government of Canada") is the
    subject of the asked verb, used as a verb: "the Government of Canada has ordered",
    not "the order, issued in June"."""
    verb_forms = {w for w in forms(action) if verb_lemmas(w)}  # stems that are verbs
    names = answer_names(text, question_words)
    name_ends = {end for _, end in names}
    tokens = list(_TOKEN.finditer(text))
    for i, match in enumerate(tokens):
        word = normalize(match.group(0))
        if not verb_lemmas(word) or verb_forms.isdisjoint(terms(word)):
            continue
        j = i - 1
        while j >= 0 and normalize(tokens[j].group(0)) in _SUBJECT_AUXILIARIES:
            j -= 1
        if j < 0:
            continue
        before = tokens[j]
        capitalized = j > 0 and before.group(0)[0].isupper()  # "..., Ottawa ordered"
        if before.end() in name_ends or capitalized or normalize(before.group(0)) in NAME_NOUNS:
            return True
    return False


def asked_action(part: QuestionPart) -> str | None:
    """The verb a "who" part asks the doer of ("who drove the tug" -> drove)."""
    toks = words(part.text)
    if part.answer_type != "name" or part.role or toks[:1] not in (["who"], ["whom"]):
        return None
    rest = [w for w in toks[1:] if w not in AUXILIARIES and w not in ("be", "been", "being")]
    # "who is in charge of": a role, not an action
    return rest[0] if rest and can_be_verb(rest[0]) else None


def asked_verb(part: QuestionPart, openers: tuple[str, ...] = ("what",)) -> str | None:
    """The verb of a "what did X <verb>" part ("what did the judge find about Y" -> find):
    a sentence saying X found something answers before one that merely holds an outcome
    word ("if no stay is granted"). Other ``openers``: "when did the ship leave" -> leave.
    """
    toks = words(part.text)
    if len(toks) < 3 or toks[0] not in openers or toks[1] not in AUXILIARIES:
        return None
    names = capitalized_words(part.text)
    verb = None
    for tok in toks[2:]:
        if tok in PREPOSITIONS or tok in WH_WORDS or tok in PERSONAL_PRONOUNS:
            break
        if verb is not None and tok in DETERMINERS:
            break  # its object begins: "offer the canal authority"
        if tok not in names and tok in verb_lemmas(tok):
            verb = tok  # after "did", the verb's base form ("leave", not "waters")
    if verb is None or verb in AUXILIARIES or verb in FRAME_WORDS:
        return None  # "what did X do": no action to look for
    return verb


def _same_action(verb: str, action: str, matcher: WordMatcher | None) -> bool:
    if not forms(verb).isdisjoint(forms(action)):
        return True
    return matcher is not None and matcher.best(action, {verb}) >= SAME_ACTION_SIMILARITY


def names_in_role(
    cand: Candidate,
    role: str,
    question_words: set[str],
    matcher: WordMatcher | None,
    role_words: tuple[str, ...] = (),
) -> bool:
    """A name stands within a few words of the role ("Ian Beveridge, chief executive of
    BSM", "Madam Justice Furlanetto" for a judge): the sentence says who holds it.

    The head of an organisation holds its top title ("Ana Diaz, the network's chief
    executive"; not a vice president). An officer's title holds all its words, or their
    initials: a chief operating officer is not the chief executive officer."""
    names = answer_names(cand.text, question_words)
    if not names:
        return False
    tokens = [(m.span(), normalize(m.group(0))) for m in _TOKEN.finditer(cand.text)]
    if len(role_words) > 1:
        holders = _officer_titles(tokens, role_words)
    else:
        holders = _role_words(cand, tokens, names, role, matcher)
        # "CEO": "chief executive (officer)" spelled out
        runs = chief_title_runs(role, [w for _, w in tokens])
        holders += [(tokens[i][0][0], tokens[j - 1][0][1]) for i, j in runs]
    if len(role_words) == 1 and leads(role_words[0]):  # "who presided": "chaired by X"
        holders += [span for span, word in tokens if leads(word)]
    if role in LEADER_ROLES:
        holders += _leader_titles(tokens)
    asked = {without_possessive(w) for w in question_words}
    holders = [h for h in holders if _owner_asked(tokens, h, asked)]
    for start, end in names:
        for r_start, r_end in holders:
            between = cand.text[min(end, r_end) : max(start, r_start)]
            if _OWNER_GAP.fullmatch(between):
                continue  # "the Chair of the Judicial Panel", "the Panel's chair": its owner
            gap = _TOKEN.findall(between)
            if len(gap) <= ROLE_WINDOW and SUBORDINATORS.isdisjoint(map(normalize, gap)):
                return True
    return False


def _role_words(
    cand: Candidate,
    tokens: list[tuple[tuple[int, int], str]],
    names: list[tuple[int, int]],
    role: str,
    matcher: WordMatcher | None,
) -> list[tuple[int, int]]:
    """Spans of the words holding the ``role``: the role itself, or a noun like it."""
    wanted = forms(role)
    content = sorted({w for _, w in tokens if w in content_words(w)} - {role})
    vectors = matcher.vectors([role, *content]) if matcher is not None else {}
    # A title comes before the name it is part of ("Madam Justice Furlanetto"); a word
    # merely like the role at a name's end is part of the name ("Co. Ltd." is no
    # shareholder), unlike the role itself ("Homeland Security Bureau" for "which bureau")
    last_words = {
        [m.span() for m in _TOKEN.finditer(cand.text, start, end)][-1]
        for start, end in names
        if _TOKEN.search(cand.text, start, end)
    }
    holders = []
    for i, (span, word) in enumerate(tokens):
        if not INDEFINITE_WORDS.isdisjoint(w for _, w in tokens[max(0, i - 2) : i]):
            continue  # "confident a federal judge would dismiss it": no judge named
        similar = word in vectors and role in vectors and float(vectors[role] @ vectors[word])
        if not wanted.isdisjoint(terms(word)) or (
            (similar or 0.0) >= PARAPHRASE_SIMILARITY
            and can_be_noun(word)
            and span not in last_words
            and _titles_a_person(cand.text, tokens, i)
        ):
            holders.append(span)  # "Justice" holds a judge's role; "judicial" does not
    return holders


def _titles_a_person(text: str, tokens: list[tuple[tuple[int, int], str]], i: int) -> bool:
    """A capitalised word like the role is a title only before a name ("Madam Justice
    Furlanetto"); inside a body's name ("the District Court for the Southern District") it
    is part of that name: a court is not a judge."""
    start, end = tokens[i][0]
    if not text[start:end][:1].isupper():
        return True  # "its lawyer, Ana Diaz"
    following = tokens[i + 1][0] if i + 1 < len(tokens) else None
    return following is not None and text[following[0] : following[1]][:1].isupper()


def _officer_titles(
    tokens: list[tuple[tuple[int, int], str]], role_words: tuple[str, ...]
) -> list[tuple[int, int]]:
    """Spans of an officer's title: its words in a row, the last one ("officer") optional,
    or their initials ("CEO" for chief executive officer)."""
    initials = "".join(w[0] for w in role_words)
    wanted = [forms(w) for w in role_words[:-1]]
    spans = [span for span, word in tokens if word == initials]
    for i in range(len(tokens) - len(wanted) + 1):
        run = tokens[i : i + len(wanted)]
        if all(not f.isdisjoint(terms(word)) for f, (_, word) in zip(wanted, run, strict=True)):
            end = i + len(wanted)
            if end < len(tokens) and tokens[end][1] in OFFICE_HOLDER_NOUNS:
                run = [*run, tokens[end]]  # "chief executive officer" whole
            spans.append((run[0][0][0], run[-1][0][1]))
    return spans


def _owner_asked(
    tokens: list[tuple[tuple[int, int], str]], holder: tuple[int, int], asked: set[str]
) -> bool:
    """The role's owner, when the sentence names one, is one the question names: "the
    network's chief executive" or "chief executive of the network" is no answer to who
    runs the supplier ("X's", "of X": the words up to the next function word)."""
    at = [i for i, (span, _) in enumerate(tokens) if holder[0] <= span[0] < holder[1]]
    if not at:
        return True
    owner: list[str] = []
    before = at[0] - 1
    if before >= 0 and is_possessive(tokens[before][1]) and tokens[before][1] != "'s":
        owner.append(without_possessive(tokens[before][1]))
    after = at[-1] + 1
    if after < len(tokens) and tokens[after][1] in OFFICE_HOLDER_NOUNS:
        after += 1  # "executive officer of X": the rest of the title
    if after < len(tokens) and tokens[after][1] == "and":  # "president and chief executive
        after += 1  # officer of X": titles joined by "and" share their owner
        while after < min(len(tokens), at[-1] + 6) and tokens[after][1] not in stopwords():
            after += 1
    if after < len(tokens) and tokens[after][1] == "of":
        for _, word in tokens[after + 1 : after + 5]:
            if word in stopwords() and owner:
                break
            if word not in stopwords():
                owner.append(word)
    # "Passengers Group" is owned by what "the passenger group" names
    return not owner or not {t for w in asked for t in terms(w)}.isdisjoint(
        t for w in owner for t in terms(w)
    )


def _leader_titles(tokens: list[tuple[tuple[int, int], str]]) -> list[tuple[int, int]]:
    """Spans of the titles of an organisation's top person, not after "vice", "deputy"."""
    spans = []
    for i, (span, _word) in enumerate(tokens):
        if i and tokens[i - 1][1] in NOT_THE_TOP:
            continue
        for parts in _LEADER_TITLE_WORDS:
            if tuple(w for _, w in tokens[i : i + len(parts)]) == parts:
                spans.append((span[0], tokens[i + len(parts) - 1][0][1]))
    return spans
