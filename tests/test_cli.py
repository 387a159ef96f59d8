"""The CLI end to end, in a subprocess, with the real embedding model and embedded Chroma."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import HIKVISION_QUESTION, copy_corpus

pytestmark = pytest.mark.slow


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=os.environ.copy(),
        timeout=600,
    )


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("cli")
    corpus = copy_corpus(root / "corpus")
    index = root / "index"
    env_backup = dict(os.environ)
    os.environ["HF_HUB_OFFLINE"] = "1"
    result = run_cli("index", "--corpus", str(corpus), "--index-dir", str(index), cwd=root)
    os.environ.clear()
    os.environ.update(env_backup)
    assert result.returncode == 0, result.stderr
    assert "added 11" in result.stdout and "failed 0" in result.stdout
    return corpus, index


def test_ask_json_cites_who_ordered_and_under_which_act(indexed: tuple[Path, Path]) -> None:
    _, index = indexed
    result = run_cli("ask", HIKVISION_QUESTION, "--json", "--index-dir", str(index), cwd=index)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert set(answer) >= {"question", "answer", "refused", "citations", "conflicts", "timings_ms"}
    assert answer["refused"] is False
    assert answer["metadata"]["answered_by"] == "in-process"  # no server on web.port
    quotes = " ".join(c["quote"] for c in answer["citations"]).lower()
    assert "investment canada act" in quotes
    assert "government" in quotes or "minister" in quotes
    for c in answer["citations"]:
        assert f"[{c['n']}]" in answer["answer"]
        assert set(c) >= {
            "n",
            "source",
            "title",
            "publisher",
            "date",
            "url",
            "quote",
            "start",
            "end",
            "score",
        }
    assert set(answer["timings_ms"]) >= {"retrieve", "generate", "total"}


def test_reindex_of_unchanged_corpus_embeds_nothing(indexed: tuple[Path, Path]) -> None:
    corpus, index = indexed
    result = run_cli("index", "--corpus", str(corpus), "--index-dir", str(index), cwd=index)
    assert result.returncode == 0, result.stderr
    assert "unchanged 11" in result.stdout and "0 chunks embedded" in result.stdout


def test_sources_lists_every_document_sorted(indexed: tuple[Path, Path]) -> None:
    corpus, index = indexed
    first = run_cli("sources", "--index-dir", str(index), cwd=index)
    again = run_cli("sources", "--index-dir", str(index), cwd=index)
    lines = first.stdout.strip().splitlines()
    assert [line.split("\t")[0] for line in lines] == sorted(p.name for p in corpus.iterdir())
    assert all("chunks" in line for line in lines)
    assert first.stdout == again.stdout


def test_history_file_makes_a_follow_up_work(indexed: tuple[Path, Path], tmp_path: Path) -> None:
    _, index = indexed
    history = tmp_path / "history.json"
    history.write_text(
        json.dumps(
            [
                {
                    "role": "user",
                    "content": "Which court ruled on Hikvision's request to pause the order?",
                },
                {"role": "assistant", "content": "The Federal Court of Canada."},
            ]
        )
    )
    result = run_cli(
        "ask",
        "Which three-part test did it apply?",
        "--json",
        "--history",
        str(history),
        "--index-dir",
        str(index),
        cwd=index,
    )
    answer = json.loads(result.stdout)
    assert not answer["refused"]
    assert "RJR-MacDonald" in " ".join(c["quote"] for c in answer["citations"])


def test_bad_history_file_is_a_clear_error(indexed: tuple[Path, Path], tmp_path: Path) -> None:
    _, index = indexed
    bad = tmp_path / "h.json"
    bad.write_text('{"role": "user"}')
    result = run_cli("ask", "x", "--history", str(bad), "--index-dir", str(index), cwd=index)
    assert result.returncode == 2
    assert str(bad) in result.stderr and "JSON list" in result.stderr


def test_missing_index_says_what_to_run(tmp_path: Path) -> None:
    result = run_cli("ask", "anything", "--index-dir", str(tmp_path / "none"), cwd=tmp_path)
    assert result.returncode == 2
    assert "assistant index" in result.stderr


def test_failed_files_set_the_exit_code(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "ok.txt").write_text("The committee approved the budget in March.")
    (corpus / "empty.txt").write_text("")
    result = run_cli(
        "index", "--corpus", str(corpus), "--index-dir", str(tmp_path / "i"), cwd=tmp_path
    )
    assert result.returncode == 1
    assert "empty.txt" in result.stderr and "empty" in result.stderr
    assert "added 1" in result.stdout
