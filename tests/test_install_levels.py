"""`make run` installs only what the main job needs; the local model is an explicit extra."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess

import pytest

from assistant.llm import BackendUnavailableError, build_chat_model
from assistant.settings import LLMSettings
from tests.conftest import REPO

needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def planned(target: str) -> str:
    """The commands ``make <target>`` would run on a fresh clone (every step forced)."""
    result = subprocess.run(
        ["make", "-n", "-B", target], cwd=REPO, capture_output=True, text=True, check=True
    )
    return result.stdout


@needs_make
@pytest.mark.parametrize("target", ["run", "index", "chat"])
def test_the_main_job_installs_core_and_web_only(target: str) -> None:
    commands = planned(target)
    assert "pip install -e ." in commands
    assert "[all" not in commands and "[local]" not in commands and "CMAKE_ARGS" not in commands


@needs_make
def test_make_test_installs_every_extra_and_ci_calls_it() -> None:
    assert 'pip install -e ".[all,dev]"' in planned("test")
    assert 'pip install -e ".[local]"' in planned("local")
    ci = (REPO / ".ci" / "run").read_text().strip().splitlines()
    assert ci[-1] == "make test"


def test_local_mode_without_the_extra_names_the_extra_and_the_make_target(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, *args: object) -> object:
        return None if name == "llama_cpp" else real_find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    with pytest.raises(BackendUnavailableError) as info:
        build_chat_model("local", LLMSettings())
    message = str(info.value)
    assert "'local' extra" in message and "llama-cpp-python" in message
    assert "make local" in message and '".[local]"' in message
