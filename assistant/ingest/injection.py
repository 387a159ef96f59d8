"""Text inside documents that is addressed to an AI or to a system, not to a reader.

Such sentences are data: they are flagged when indexed, never chosen as an answer
sentence and never handed to a model as a passage. The phrases below are the general
English forms of those instructions (overriding earlier instructions, assigning a new
role, dictating the answer, naming the prompt), kept in one place.
"""

from __future__ import annotations

import re

from assistant.ingest.text import split_sentences

_EARLIER = (
    r"(?:all\s+|any\s+|the\s+|your\s+)?(?:previous|prior|above|earlier|preceding|former|other)"
)
_ORDERS = (
    r"(?:instructions?|prompts?|messages?|directions?|rules?|context|commands?|guidelines?"
    r"|guidance)"
)
_PATTERNS = [
    # overriding what the system was told
    rf"\b(?:ignore|disregard|forget|override|bypass|skip)\s+(?:{_EARLIER}\s+)?{_ORDERS}",
    r"\b(?:ignore|disregard|forget)\s+(?:everything|all)\s+(?:above|before|else|you)\b",
    r"\bnew\s+(?:instructions?|rules?|task)\s*:",
    # assigning a role or addressing the model
    r"\byou\s+are\s+(?:now|no\s+longer|an?\s+(?:ai|assistant|language\s+model|chatbot|llm))\b",
    r"\b(?:act|behave|pretend|respond)\s+as\s+(?:if\s+you|an?\s+(?:ai|assistant|different))",
    r"\bas\s+an\s+(?:ai|assistant|language\s+model)\b",
    r"\b(?:dear|attention|note\s+to)\s+(?:ai|assistant|chatbot|llm|language\s+model|model)\b",
    r"\b(?:ai|language\s+model|llm|chatbot|assistant)s?\s*(?:reading|processing|summari[sz]ing)"
    r"\s+this\b",
    # dictating the answer (an imperative at the start of a sentence, or to "you")
    r"^\s*(?:please\s+)?(?:answer|respond|reply|say|state|write)\s+(?:only\s+)?(?:that|with)\b",
    r"\byou\s+(?:must|should|will|shall)\s+(?:always\s+|now\s+|only\s+)?"
    r"(?:answer|respond|reply|say|state|tell)\b",
    # naming the machinery
    r"\bsystem\s+(?:prompt|message|instructions?)\b",
    r"\bdeveloper\s+(?:mode|message|instructions?)\b",
    r"\bjailbreak\b",
    r"<\|[a-z_]{2,20}\|>|\[/?INST\]|<</?SYS>>|^\s*(?:system|assistant|user)\s*:",
]
_INSTRUCTION = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE | re.MULTILINE)
# The same patterns over a whole text, a sentence start (``^``) widened to any word start:
# sentences start after white space, so every sentence that matches ``_INSTRUCTION`` has
# a match here too. One search of a chunk instead of splitting it into sentences first.
_ANYWHERE = re.compile(
    "|".join(f"(?:{p})" for p in _PATTERNS).replace(r"^\s*", r"\b"),
    re.IGNORECASE | re.MULTILINE,
)


def is_instruction(sentence: str) -> bool:
    """True when the sentence reads as an instruction to an AI or a system."""
    return bool(_INSTRUCTION.search(sentence))


def instruction_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of ``text`` that are instructions to an AI or a system."""
    if not _ANYWHERE.search(text):
        return []  # most chunks: no sentence split needed
    return [(s, e) for s, e in split_sentences(text) if is_instruction(text[s:e])]
