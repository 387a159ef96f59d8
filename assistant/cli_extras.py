"""Registers the commands of the evaluation, web and Slack front ends on the CLI."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Each front end adds its commands here (one line each)."""
    # eval: assistant/cli_eval.py
    # web: assistant/cli_web.py
    # slack: assistant/cli_slack.py
