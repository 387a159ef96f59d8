"""Registers the commands of the evaluation, web and Slack front ends on the CLI."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Each front end adds its commands here (one line each)."""
    from assistant import cli_eval

    cli_eval.register(app)
    from assistant import cli_web

    cli_web.register(app)
    from assistant import cli_slack

    cli_slack.register(app)
