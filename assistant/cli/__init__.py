"""The ``assistant`` command line: ``main.app`` is the Typer app (the console entry point).

``main`` holds the core commands (index, ask, chat, sources, ...); the evaluation, web and
Slack commands live in ``eval_commands``, ``web_commands`` and ``slack_commands`` and are
registered on the app by ``main``. ``common`` and ``options`` are shared helpers;
``render`` is the terminal text of an answer.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    """``assistant.cli.app`` (the entry point of installs made before the package split)."""
    if name == "app":
        from assistant.cli.main import app

        return app
    raise AttributeError(f"module 'assistant.cli' has no attribute {name!r}")
