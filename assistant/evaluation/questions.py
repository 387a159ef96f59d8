"""Question sets: one JSON object a line, validated with errors naming file, line and field.

Format (other teams' sets in exactly this format run unchanged)::

    {"id": "q01", "type": "factual", "question": "...", "history": [],
     "keys": [["Investment Canada Act"]], "conflict_keys": [], "sources": ["01", "13"]}

``type`` is factual, conflict, unanswerable, followup or multipart (one group of
``keys`` per part). ``keys`` is a list of
groups: an answer is correct when it contains, for every group, at least one of
the group's strings (case-insensitive). ``sources`` are gold documents, matched
as a prefix of the cited source's file name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import InputError

QUESTION_TYPES = ("factual", "conflict", "unanswerable", "followup", "multipart")
KNOWN_FIELDS = ("id", "type", "question", "history", "keys", "conflict_keys", "sources")


class QuestionSetError(InputError):
    """A question set that cannot be used; ``problems`` lists every 'file, line N, field: why'."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:20]
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__("invalid question set:\n" + "\n".join(shown) + more)


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    question: str
    history: list[dict[str, str]] = field(default_factory=list)
    keys: list[list[str]] = field(default_factory=list)
    conflict_keys: list[list[str]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    line: int = 0

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"


@dataclass
class QuestionSet:
    path: Path
    questions: list[Question]
    warnings: list[str] = field(default_factory=list)


def _groups(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(g, list) and g and all(isinstance(s, str) and s.strip() for s in g)
        for g in value
    )


def _validate(obj: Any, where: str, problems: list[str], warnings: list[str]) -> Question | None:
    if not isinstance(obj, dict):
        problems.append(f"{where}: expected a JSON object, got {type(obj).__name__}")
        return None
    before = len(problems)

    def bad(name: str, why: str) -> None:
        problems.append(f"{where}, field '{name}': {why}")

    for name in ("id", "type", "question"):
        if name not in obj:
            bad(name, "missing (required)")
    qid, qtype, text = obj.get("id"), obj.get("type"), obj.get("question")
    if "id" in obj and not (isinstance(qid, str) and qid.strip()):
        bad("id", f"expected a non-empty string, got {qid!r}")
    if "type" in obj and qtype not in QUESTION_TYPES:
        bad("type", f"{qtype!r} is not one of {', '.join(QUESTION_TYPES)}")
    if "question" in obj and not (isinstance(text, str) and text.strip()):
        bad("question", "expected a non-empty string")
    history = obj.get("history", [])
    if not isinstance(history, list) or not all(
        isinstance(t, dict)
        and t.get("role") in ("user", "assistant")
        and isinstance(t.get("content"), str)
        for t in history
    ):
        bad("history", 'expected a list of {"role": "user"|"assistant", "content": "..."}')
    elif qtype == "followup" and not history:
        bad("history", "a followup question needs the earlier turns (history is empty)")
    for name in ("keys", "conflict_keys"):
        if name in obj and not _groups(obj[name]):
            bad(name, 'expected a list of non-empty lists of strings, e.g. [["Act", "ICA"]]')
    sources = obj.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, str) and s for s in sources):
        bad("sources", 'expected a list of file-name prefixes, e.g. ["01", "13"]')
    if len(problems) > before:
        return None
    unknown = sorted(set(obj) - set(KNOWN_FIELDS))
    if unknown:
        warnings.append(f"{where}: unknown field(s) {', '.join(unknown)} ignored")
    keys = obj.get("keys", [])
    if qtype != "unanswerable" and not keys:
        warnings.append(f"{where}, field 'keys': empty, so answer accuracy is not scored")
    return Question(
        id=qid.strip(),
        type=qtype,
        question=text.strip(),
        history=[{"role": t["role"], "content": t["content"]} for t in history],
        keys=[list(g) for g in keys],
        conflict_keys=[list(g) for g in obj.get("conflict_keys", [])],
        sources=list(sources),
    )


def parse_questions(text: str, origin: str = "<questions>") -> tuple[list[Question], list[str]]:
    """(questions, warnings) from JSONL text; raises ``QuestionSetError`` listing every problem."""
    problems: list[str] = []
    warnings: list[str] = []
    questions: list[Question] = []
    seen: dict[str, int] = {}
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{origin}, line {line_no}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        question = _validate(obj, where, problems, warnings)
        if question is None:
            continue
        if question.id in seen:
            problems.append(
                f"{where}, field 'id': duplicate id {question.id!r} "
                f"(first on line {seen[question.id]})"
            )
            continue
        seen[question.id] = line_no
        questions.append(
            Question(**{**question.__dict__, "line": line_no})  # keep the line for reports
        )
    if not questions and not problems:
        problems.append(f"{origin}: no questions (expected one JSON object per line)")
    if problems:
        raise QuestionSetError(problems)
    return questions, warnings


def load_questions(path: Path) -> QuestionSet:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise QuestionSetError([f"{path}: no such file"]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionSetError([f"{path}: cannot read the file ({exc})"]) from exc
    questions, warnings = parse_questions(text, str(path))
    return QuestionSet(path, questions, warnings)
