"""Question-set loading: the committed set is valid, and bad sets name file, line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.evaluation.questions import QUESTION_TYPES, QuestionSetError, load_questions

REPO = Path(__file__).resolve().parent.parent
GOOD = {
    "id": "q01",
    "type": "factual",
    "question": "Under which act was the order made?",
    "history": [],
    "keys": [["Investment Canada Act"]],
    "conflict_keys": [],
    "sources": ["01", "13"],
}


def write(tmp_path: Path, *rows: object) -> Path:
    path = tmp_path / "set.jsonl"
    lines = [r if isinstance(r, str) else json.dumps(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(QuestionSetError) as info:
        load_questions(path)
    return info.value.problems


def test_the_issue_format_loads_unchanged(tmp_path: Path) -> None:
    followup = {
        **GOOD,
        "id": "q02",
        "type": "followup",
        "question": "And who signed it?",
        "history": [
            {"role": "user", "content": "Which act?"},
            {"role": "assistant", "content": "The ICA."},
        ],
    }
    qset = load_questions(write(tmp_path, GOOD, "", followup))
    assert [q.id for q in qset.questions] == ["q01", "q02"]
    first = qset.questions[0]
    assert first.keys == [["Investment Canada Act"]] and first.sources == ["01", "13"]
    assert first.line == 1 and qset.questions[1].line == 3
    assert qset.questions[1].history[1]["role"] == "assistant"
    assert qset.warnings == []


def test_the_committed_question_set_is_valid_and_covers_every_type() -> None:
    qset = load_questions(REPO / "evals" / "questions.jsonl")
    assert len(qset.questions) >= 40
    assert {q.type for q in qset.questions} == set(QUESTION_TYPES)
    assert qset.warnings == []


def test_errors_name_the_file_the_line_and_the_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        GOOD,
        "{not json",
        {**GOOD, "id": "q03", "type": "opinion"},
        {**GOOD, "id": "q04", "keys": ["Investment Canada Act"]},
        {**GOOD, "id": "q05", "type": "followup"},
        {**GOOD, "id": "q01"},
        {**GOOD, "id": "q07", "history": [{"role": "bot", "content": "hi"}]},
        {k: v for k, v in GOOD.items() if k != "question"} | {"id": "q08"},
        {**GOOD, "id": "q09", "sources": "01"},
    )
    found = problems(path)
    name = str(path)
    expected = [
        f"{name}, line 2: not valid JSON",
        f"{name}, line 3, field 'type': 'opinion' is not one of",
        f"{name}, line 4, field 'keys'",
        f"{name}, line 5, field 'history': a followup question needs",
        f"{name}, line 6, field 'id': duplicate id 'q01' (first on line 1)",
        f"{name}, line 7, field 'history'",
        f"{name}, line 8, field 'question': missing",
        f"{name}, line 9, field 'sources'",
    ]
    assert len(found) == len(expected)
    for problem, start in zip(found, expected, strict=True):
        assert problem.startswith(start), (problem, start)


def test_unknown_fields_and_missing_keys_are_warnings(tmp_path: Path) -> None:
    qset = load_questions(write(tmp_path, {**GOOD, "notes": "x", "keys": []}))
    assert len(qset.questions) == 1
    assert any("line 1: unknown field(s) notes" in w for w in qset.warnings)
    assert any("field 'keys': empty" in w for w in qset.warnings)


def test_missing_and_empty_files_are_errors(tmp_path: Path) -> None:
    assert "no such file" in problems(tmp_path / "absent.jsonl")[0]
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    assert "no questions" in problems(empty)[0]
