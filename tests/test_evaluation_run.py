"""Evaluation runs end to end: the runner on the sample corpus, reports, CLI errors, and the
CI quality gate (real model, committed question set, evals/thresholds.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.evaluation.questions import load_questions, parse_questions
from assistant.evaluation.report import write_reports
from assistant.evaluation.runner import EvalModeError, check_thresholds, compare, evaluate
from tests.conftest import SAMPLE_CORPUS

REPO = Path(__file__).resolve().parent.parent
SMALL_SET = "\n".join(
    json.dumps(q)
    for q in [
        {
            "id": "a1",
            "type": "factual",
            "question": "Who stopped selling Hikvision products?",
            "history": [],
            "keys": [["Best Buy"]],
            "conflict_keys": [],
            "sources": ["02"],
        },
        {
            "id": "a2",
            "type": "unanswerable",
            "question": "What is a good sourdough recipe?",
            "history": [],
            "keys": [],
            "conflict_keys": [],
            "sources": [],
        },
        {
            "id": "a3",
            "type": "followup",
            "question": "Who was the judge?",
            "history": [
                {"role": "user", "content": "Which court heard Hikvision's stay motion?"},
                {"role": "assistant", "content": "The Federal Court."},
            ],
            "keys": [["Furlanetto"]],
            "conflict_keys": [],
            "sources": ["13"],
        },
    ]
)


def test_runner_scores_every_question_and_writes_reports(fake_assistant, tmp_path: Path) -> None:
    questions, _ = parse_questions(SMALL_SET, "small.jsonl")
    run = evaluate(fake_assistant, questions)
    assert [r.id for r in run.results] == ["a1", "a2", "a3"]
    assert run.summary["questions"] == 3 and run.summary["errors"] == 0
    # extractive answers quote the documents, so every quote is verbatim
    assert run.summary["quotes_verbatim"] == 1.0
    for r in run.results:
        assert r.latency_ms is not None and r.latency_ms > 0
        if not r.refused:
            assert r.citations and all(c["verbatim"] for c in r.citations)
    paths = write_reports([run], tmp_path / "out", {"questions_file": "small.jsonl"})
    data = json.loads(paths["json"].read_text())
    assert data["runs"][0]["summary"]["questions"] == 3
    assert data["runs"][0]["questions"][0]["id"] == "a1"
    md = paths["md"].read_text()
    assert "| a1 | factual |" in md and "| a3 | followup |" in md
    assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_reports_without_matplotlib_skip_only_the_chart(
    fake_assistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    questions, _ = parse_questions(SMALL_SET, "small.jsonl")
    run = evaluate(fake_assistant, questions[:1])
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # what a core install has
    paths = write_reports([run], tmp_path / "out", {"questions_file": "small.jsonl"})
    assert set(paths) == {"json", "md"} and not (tmp_path / "out" / "report.png").exists()
    assert json.loads(paths["json"].read_text())["runs"][0]["summary"]["questions"] == 1


def test_compare_runs_each_retrieval_mode_and_skips_unavailable_answer_modes(
    fake_assistant,
) -> None:
    questions, _ = parse_questions(SMALL_SET, "small.jsonl")
    runs, skipped = compare(fake_assistant, questions[:1], answer_modes=("extractive", "telepathy"))
    assert [r.label for r in runs] == ["dense/extractive", "bm25/extractive", "hybrid/extractive"]
    assert [r.retrieval_mode for r in runs] == ["dense", "bm25", "hybrid"]
    assert "telepathy" in skipped and "not available" in skipped["telepathy"]


def test_cli_reports_a_bad_question_set_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(SMALL_SET.replace('"type": "unanswerable"', '"type": "maybe"'))
    result = CliRunner().invoke(app, ["eval", "--questions", str(bad), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert f"{bad}, line 2, field 'type'" in result.output


def test_cli_rejects_an_unknown_answer_mode(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(SMALL_SET)
    result = CliRunner().invoke(
        app, ["eval", "--questions", str(good), "--mode", "psychic", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "answer.mode" in result.output


SETS = json.loads((REPO / "evals" / "sets.json").read_text())["sets"]


@pytest.mark.slow
@pytest.mark.parametrize("qset_entry", SETS, ids=[entry["name"] for entry in SETS])
def test_every_question_set_stays_within_its_committed_thresholds(
    qset_entry: dict[str, str],
    real_embeddings,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    """The CI quality gate: a score outside a set's thresholds file fails."""
    import shutil

    from assistant.core import Assistant
    from assistant.settings import Settings

    # the live corpus/ is where users upload: the sample set runs on the tests' own copy
    source = SAMPLE_CORPUS if qset_entry["corpus"] == "corpus" else REPO / qset_entry["corpus"]
    corpus = shutil.copytree(source, tmp_path / "corpus")
    settings = Settings(
        corpus_dir=corpus, index_dir=tmp_path / "index", feedback_path=tmp_path / "f.db"
    )
    assistant = Assistant(settings, embeddings=real_embeddings)
    assert assistant.sync().ok
    thresholds = json.loads((REPO / qset_entry["thresholds"]).read_text())
    qset = load_questions(REPO / qset_entry["questions"])
    run = evaluate(assistant, qset.questions)
    write_reports([run], tmp_path / "out", {"questions_file": str(qset.path)})
    assert run.summary["errors"] == 0
    assert check_thresholds(run, thresholds) == []


class _OtherMode:
    """The sample-corpus assistant configured for another answer mode whose backend
    cannot answer: every answer falls back (or, with ``fail``, raises)."""

    def __init__(self, inner, mode: str, fail: bool = False) -> None:  # noqa: ANN001
        data = inner.settings.model_dump()
        data["answer"]["mode"] = mode
        self.settings = type(inner.settings).model_validate(data)
        self.inner, self.fail = inner, fail
        self.retriever, self.index = inner.retriever, inner.index

    def ask(self, question, **kwargs):  # noqa: ANN001, ANN201
        if self.fail:
            raise ConnectionError("connection refused")
        answer = self.inner.ask(question, **kwargs)
        answer.metadata["fallback"] = "model unavailable (connection refused)"
        return answer


def test_a_mode_whose_backend_cannot_answer_is_a_clear_error(fake_assistant) -> None:
    questions, _ = parse_questions(SMALL_SET, "small.jsonl")
    with pytest.raises(EvalModeError, match=r"'ollama' is not available.*model unavailable"):
        evaluate(_OtherMode(fake_assistant, "ollama"), questions)
    with pytest.raises(EvalModeError, match=r"'openai' failed on the first 2 questions"):
        evaluate(_OtherMode(fake_assistant, "openai", fail=True), questions)


@pytest.mark.slow
def test_cli_eval_on_a_corpus_writes_reports_and_enforces_thresholds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the temp index goes
    questions = tmp_path / "small.jsonl"
    questions.write_text(SMALL_SET)
    limits = tmp_path / "limits.json"
    limits.write_text(json.dumps({"min": {"quotes_verbatim": 1.0, "accuracy": 1.01}}))
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "eval",
            "--questions",
            str(questions),
            "--corpus",
            str(SAMPLE_CORPUS),
            "--out",
            str(out),
            "--thresholds",
            str(limits),
        ],
    )
    assert result.exit_code == 1, result.output
    assert "below threshold: hybrid/extractive: accuracy" in result.output
    assert "quotes_verbatim" not in result.output.split("below threshold")[-1]
    data = json.loads((out / "report.json").read_text())
    assert [q["id"] for q in data["runs"][0]["questions"]] == ["a1", "a2", "a3"]
    assert (out / "report.md").is_file() and (out / "report.png").is_file()
    assert not list(tmp_path.glob("assistant-eval-*"))  # the temp index was removed
