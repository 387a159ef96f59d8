"""The suite survives normal use: it never reads the live corpus/ that users upload into."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.conftest import REPO, SAMPLE_CORPUS


def test_the_tests_use_their_own_committed_copy_of_the_sample_documents() -> None:
    assert SAMPLE_CORPUS.is_relative_to(REPO / "tests")
    names = sorted(p.name for p in SAMPLE_CORPUS.iterdir())
    assert len(names) == 11 and all(n.endswith(".txt") for n in names)
    assert "uploads" not in names


def test_uploads_into_the_live_corpus_are_ignored_by_git() -> None:
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", "corpus/uploads/report.pdf"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, "corpus/uploads/ must be git-ignored"


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_tests_copy_matches_the_committed_sample_documents() -> None:
    """The copy stays in step with corpus/ as committed (not as a user changed it)."""
    listed = subprocess.run(
        ["git", "ls-files", "corpus"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    if not listed:
        pytest.skip("not a git checkout")
    assert sorted(p.rsplit("/", 1)[1] for p in listed) == sorted(
        p.name for p in SAMPLE_CORPUS.iterdir()
    )
    for path in listed:
        committed = subprocess.run(
            ["git", "show", f"HEAD:{path}"], cwd=REPO, capture_output=True, check=True
        ).stdout
        assert committed == (SAMPLE_CORPUS / path.rsplit("/", 1)[1]).read_bytes(), path
