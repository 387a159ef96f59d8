"""Grounded generation: a short numbered-passage prompt, then per-sentence verification.

The model sees only a few evidence sentences (small models invent facts on long
contexts). Every sentence it writes must cite a passage that supports it: the
sentence's numbers and names appear in the passage and it is semantically close
to it. Unsupported sentences are dropped; citations are renumbered densely.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.answer.citations import MARKER
from assistant.answer.extractive import Candidate
from assistant.ingest.text import key_tokens, normalize, split_sentences, stopwords, terms, words
from assistant.settings import TUNING

if TYPE_CHECKING:
    from assistant.answer.focus import WordMatcher

PROMPT = """Answer the question using only the numbered passages. Write one to three short \
sentences. End each sentence with the number of the passage that says it, like [1]. If the \
passages do not answer the question, write only: NOT IN SOURCES.

{passages}
{context}
Question: {question}"""

_REFUSAL = re.compile(
    r"not in (the )?sources|not (specified|mentioned|provided|stated|given|available)"
    r"|do(es)? not (contain|say|mention|provide|answer)|no information|cannot (be )?"
    r"(determined|answered|found)",
    re.IGNORECASE,
)
_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_LEAD_IN = re.compile(r"^(the answer( to (this|the) question)? is|answer)\s*:\s*", re.IGNORECASE)


_CHAT_TOKEN = re.compile(r"<\|[^|<>]{0,40}\|>")


def neutralize_markers(text: str) -> str:
    """Bracketed numbers inside document text become ``(n)`` so they can't pose as citations."""
    return MARKER.sub(r"(\1)", text)


def prompt_safe(text: str) -> str:
    """Document or history text for a prompt: no fake citations, no chat-template tokens."""
    return _CHAT_TOKEN.sub(" ", neutralize_markers(text))


def build_prompt(question: str, context: str, passages: list[Candidate]) -> str:
    lines = [f"[{i}] {prompt_safe(p.text)}" for i, p in enumerate(passages, start=1)]
    ctx = f"Earlier question: {prompt_safe(context)}\n" if context else ""
    return PROMPT.format(passages="\n".join(lines), context=ctx, question=prompt_safe(question))


TOKEN_LIMIT = "the model stopped at its token limit (llm.max_tokens)"
MAX_SENTENCE_WORDS = TUNING.max_sentence_words


@dataclass
class Generated:
    """What the model wrote, and why it was stopped mid-sentence (None: it finished)."""

    text: str
    stopped: str | None = None


_MARKERS = r"(?:\s*\[\d+(?:\s*,\s*\d+)*\])+"
_LEADING_MARKERS = re.compile(f"^{_MARKERS}")
_FINISHED = re.compile(f"(?:[.!?][\"'”’)\\]]*|{_MARKERS})\\s*\\.?\\s*$")


def _worded(text: str) -> list[tuple[int, int]]:
    """Sentence spans with words in them (a stray ``[1].`` is not a sentence)."""
    return [(s, e) for s, e in split_sentences(text) if words(_MARKER.sub(" ", text[s:e]))]


def sentence_limit_cut(text: str, limit: int) -> int | None:
    """Where to stop a reply once ``limit`` sentences are written and another has begun.

    A citation marker written just after the last sentence's full stop stays with it.
    """
    pieces = _worded(text)
    if len(pieces) <= limit:
        return None
    start, end = pieces[limit]
    lead = _LEADING_MARKERS.match(text[start:end])
    return start + (lead.end() if lead else 0)


def run_on(text: str) -> bool:
    """The sentence being written is already longer than any short sentence."""
    pieces = _worded(text)
    return bool(pieces) and len(words(text[pieces[-1][0] :])) > MAX_SENTENCE_WORDS


def split_unfinished(text: str) -> tuple[str, str]:
    """(finished part, cut-off last sentence) of a reply that was stopped mid-sentence."""
    pieces = _worded(text)
    if not pieces:
        return text, ""
    start, end = pieces[-1]
    if _FINISHED.search(text[start:]):
        return text, ""
    if len(pieces) == 1:
        return "", text.strip()
    return text[:start].rstrip(), text[start:].strip()


def is_refusal(text: str) -> bool:
    return bool(_REFUSAL.search(text))


@dataclass
class VerifiedSentence:
    text: str  # without markers
    passages: list[int]  # 0-based indices into the prompt's passages


@dataclass
class Verification:
    sentences: list[VerifiedSentence] = field(default_factory=list)
    dropped: list[dict[str, str]] = field(default_factory=list)


_NEGATION = re.compile(
    r"\b(not|no|never|none|nor|neither|without|lacks?|lacking|cannot|refused|denied)\b|n't\b",
    re.IGNORECASE,
)
MIN_TERM_COVERAGE = TUNING.min_term_coverage


_PROPER_NAME = re.compile(
    r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'’-]+(?:\s+(?:of|the|and|for)?\s*[A-Z][\w'’-]+)+"
)
COMMON_WORD_RARITY = TUNING.common_word_rarity


def supports(
    claim: str,
    passage: str,
    similarity: float,
    threshold: float,
    words_match: WordMatcher | None = None,
) -> str | None:
    """None when ``passage`` supports ``claim``; otherwise the reason it does not.

    The claim's numbers and names must be in the passage (a name of several words as
    that phrase), most of its content words too, and with ``words_match`` every one of
    its less common content words, literally or as a close paraphrase; it must not add
    or drop a negation, and it must be semantically close.
    """
    haystack = normalize(passage)
    missing = sorted(t for t in key_tokens(claim) if t.lower() not in haystack)
    plain = " ".join(words(passage))
    missing += [
        m.group(0) for m in _PROPER_NAME.finditer(claim) if " ".join(words(m.group(0))) not in plain
    ]
    if missing:
        return f"facts not in the cited passage: {', '.join(missing)}"
    if words_match is not None and (novel := _unsupported_words(claim, passage, words_match)):
        return f"words not in the cited passage in any form: {', '.join(novel)}"
    claim_terms = set(terms(claim))
    if claim_terms:
        coverage = len(claim_terms & set(terms(passage))) / len(claim_terms)
        if coverage < MIN_TERM_COVERAGE:
            return f"most of its words are not in the cited passage ({coverage:.0%} are)"
    if bool(_NEGATION.search(claim)) != bool(_NEGATION.search(passage)):
        return "a negation differs from the cited passage"
    if similarity < threshold:
        return f"not close enough to the cited passage (similarity {similarity:.2f})"
    return None


def _unsupported_words(claim: str, passage: str, words_match: WordMatcher) -> list[str]:
    """The claim's less common content words that the passage says in no form."""
    from assistant.answer.focus import PARAPHRASE_SIMILARITY, english_rarity

    passage_terms = set(terms(passage))
    passage_words = {w for w in words(passage) if w not in stopwords() and not w.isdigit()}
    novel = []
    for word in dict.fromkeys(words(claim)):
        if word in stopwords() or word.isdigit() or len(word) < 3:
            continue
        if set(terms(word)) <= passage_terms or english_rarity(word) < COMMON_WORD_RARITY:
            continue
        if words_match.best(word, passage_words) < PARAPHRASE_SIMILARITY:
            novel.append(word)
    return novel


def verify(
    generated: str,
    passages: list[Candidate],
    embeddings: Embeddings,
    threshold: float,
    words_match: WordMatcher | None = None,
) -> Verification:
    """Keep each sentence that cites (or clearly matches) a passage that supports it."""
    result = Verification()
    pieces = [generated[s:e] for s, e in split_sentences(generated)]
    claims: list[tuple[str, list[int]]] = []
    for piece in pieces:
        cited = [int(n) - 1 for group in _MARKER.findall(piece) for n in group.split(",")]
        claim = _LEAD_IN.sub("", _MARKER.sub("", piece)).strip()
        claim = re.sub(r"\s+([.,;:!?])", r"\1", claim)
        if len(words(claim)) < 3:
            continue
        claims.append((claim, cited))
    if not claims or not passages:
        return result
    claim_vecs = np.asarray(embeddings.embed_documents([c for c, _ in claims]))
    passage_vecs = np.asarray(embeddings.embed_documents([p.text for p in passages]))
    claim_vecs /= np.linalg.norm(claim_vecs, axis=1, keepdims=True) + 1e-9
    passage_vecs /= np.linalg.norm(passage_vecs, axis=1, keepdims=True) + 1e-9
    sims = claim_vecs @ passage_vecs.T
    for (claim, cited), row in zip(claims, sims, strict=True):
        valid = [i for i in dict.fromkeys(cited) if 0 <= i < len(passages)]
        if not valid:
            # An uncited sentence may keep the single passage that clearly supports it.
            best = int(np.argmax(row))
            valid = [best] if row[best] >= threshold + TUNING.uncited_margin else []
        reasons = {
            i: supports(claim, passages[i].text, float(row[i]), threshold, words_match)
            for i in valid
        }
        kept = [i for i, reason in reasons.items() if reason is None]
        if kept:
            result.sentences.append(VerifiedSentence(claim, kept))
        else:
            why = "; ".join(r for r in reasons.values() if r) or "cites no passage"
            result.dropped.append({"sentence": claim, "reason": why})
    return result
