"""One error base for front ends, and store errors that give the right advice."""

from __future__ import annotations

from pathlib import Path

import chromadb
import pytest
from chromadb.errors import InternalError

from assistant.errors import (
    AssistantError,
    BackendUnavailableError,
    StoreLockedError,
    StorePermissionError,
)
from assistant.index.state import IndexCorruptError
from assistant.index.store import make_chroma_client


def _opening_fails(monkeypatch: pytest.MonkeyPatch, exc: Exception) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise exc

    monkeypatch.setattr(chromadb, "PersistentClient", fail)


@pytest.mark.parametrize(
    "cause",
    [
        PermissionError(13, "Permission denied", "chroma.sqlite3"),
        InternalError(
            "error returned from database: (code: 8) attempt to write a readonly database"
        ),
    ],
)
def test_a_permission_problem_says_so_and_never_advises_rebuild(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cause: Exception
) -> None:
    _opening_fails(monkeypatch, cause)
    with pytest.raises(StorePermissionError) as info:
        make_chroma_client(tmp_path, None)
    assert "permission denied" in str(info.value)
    assert "--rebuild" not in str(info.value)
    assert isinstance(info.value, AssistantError) and isinstance(info.value, RuntimeError)


def test_a_locked_store_says_so_and_never_advises_rebuild(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _opening_fails(
        monkeypatch, InternalError("error returned from database: (code: 5) database is locked")
    )
    with pytest.raises(StoreLockedError, match="locked by another process") as info:
        make_chroma_client(tmp_path, None)
    assert "--rebuild" not in str(info.value)


def test_only_a_damaged_store_advises_rebuild(tmp_path: Path) -> None:
    chroma = tmp_path / "chroma"
    chroma.mkdir()
    (chroma / "chroma.sqlite3").write_bytes(b"\x13not sqlite at all" * 1000)
    with pytest.raises(IndexCorruptError, match="assistant index --rebuild"):
        make_chroma_client(tmp_path, None)


def test_an_unknown_failure_is_named_without_destructive_advice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _opening_fails(monkeypatch, OSError("no space for the WAL"))
    with pytest.raises(AssistantError, match="no space for the WAL") as info:
        make_chroma_client(tmp_path, None)
    assert "--rebuild" not in str(info.value)


def test_errors_keep_the_builtin_bases_callers_catch() -> None:
    from assistant.core import check_question_text
    from assistant.ingest.uploads import UploadError
    from assistant.slack.bot import SlackConfigError

    with pytest.raises(ValueError):  # noqa: PT011 - the base callers rely on
        check_question_text("a\x00b")
    with pytest.raises(AssistantError):
        check_question_text("a\x00b")
    assert issubclass(SlackConfigError, ValueError) and issubclass(SlackConfigError, AssistantError)
    assert issubclass(UploadError, ValueError) and issubclass(UploadError, AssistantError)
    assert issubclass(BackendUnavailableError, RuntimeError)


def test_the_index_and_filter_errors_are_assistant_errors_and_keep_their_builtins() -> None:
    from assistant.answer.retrieval import NoMatchingSourcesError
    from assistant.index.state import IndexBusyError, IndexMismatchError

    for error in (IndexCorruptError, IndexBusyError, IndexMismatchError):
        assert issubclass(error, AssistantError) and issubclass(error, RuntimeError)
    assert issubclass(NoMatchingSourcesError, AssistantError)
    assert issubclass(NoMatchingSourcesError, ValueError)


def _error_classes() -> list[tuple[str, str]]:
    """(module, class name) of every class named ``*Error``/``*Exception`` in the package."""
    import ast

    package = Path(__file__).resolve().parents[1] / "assistant"
    found = []
    for path in sorted(package.rglob("*.py")):
        module = ".".join(path.relative_to(package.parent).with_suffix("").parts)
        module = module.removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and node.name.endswith(("Error", "Exception")):
                found.append((module, node.name))
    return found


@pytest.mark.parametrize(("module", "name"), _error_classes())
def test_every_error_the_package_defines_is_an_assistant_error(module: str, name: str) -> None:
    """One ``except AssistantError`` catches whatever the assistant raises on purpose."""
    import importlib

    error = getattr(importlib.import_module(module), name)
    assert issubclass(error, AssistantError), f"{module}.{name} is not an AssistantError"
