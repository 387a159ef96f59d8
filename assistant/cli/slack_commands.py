"""``assistant slack``: run the Slack bot over Socket Mode or the HTTP Events API."""

from __future__ import annotations

import logging
from typing import Annotated, Literal

import typer

from assistant.cli.options import CorpusDir, IndexDir


class RedactSecrets(logging.Filter):
    """Replaces any of the given secret strings in a log record's message."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(s in message for s in self.secrets):
            for secret in self.secrets:
                message = message.replace(secret, "[redacted]")
            record.msg, record.args = message, None
        return True


def slack(
    index_dir: IndexDir = None,
    corpus: CorpusDir = None,
    mode: Annotated[
        str | None,
        typer.Option("--mode", help="socket (Socket Mode, app token) or http (Events API)."),
    ] = None,
    host: Annotated[str | None, typer.Option("--host", help="HTTP mode: interface.")] = None,
    port: Annotated[int | None, typer.Option("--port", help="HTTP mode: port.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging.")] = False,
) -> None:
    """Run the Slack bot (answers mentions, DMs and /ask in threads, with cited sources)."""
    from assistant.cli.common import build_assistant, fail, print_report, run_sync

    if mode not in (None, "socket", "http"):
        raise fail(f"--mode must be socket or http, not {mode!r}")
    overrides: dict[str, object] = {
        "index_dir": index_dir,
        "corpus_dir": corpus,
        "slack.mode": mode,
        "slack.host": host,
        "slack.port": port,
    }
    # SLACK_BOT_TOKEN etc. are read by the settings themselves (SlackSettings).
    assistant = build_assistant(**overrides)
    settings = assistant.settings
    from assistant.slack.bot import SlackConfigError, require_credentials

    try:  # before indexing, which can take a while
        require_credentials(settings.slack)
    except SlackConfigError as exc:
        raise fail(str(exc)) from exc
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(settings.secret_values()))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=[handler])
    if assistant.needs_sync():
        print_report(run_sync(assistant))
    run(assistant, settings.slack.mode)


def run(assistant: object, mode: Literal["socket", "http"]) -> None:
    from assistant.cli.common import fail
    from assistant.slack.bot import SlackConfigError, build_slack_app
    from assistant.slack.server import SlackHTTPServer, socket_mode_handler

    settings = assistant.settings  # type: ignore[attr-defined]
    try:
        app = build_slack_app(assistant, settings)  # type: ignore[arg-type]
        if mode == "socket":
            handler = socket_mode_handler(app, settings.slack)
            typer.echo("Slack bot connected over Socket Mode (Ctrl-C stops it).")
            handler.start()
        else:
            server = SlackHTTPServer(app, settings.slack.host, settings.slack.port)
            typer.echo(f"Slack bot listening on {server.url} (Ctrl-C stops it).")
            server.serve_forever()
    except SlackConfigError as exc:
        raise fail(str(exc)) from exc
    except KeyboardInterrupt:
        typer.echo("stopped")


def register(app: typer.Typer) -> None:
    app.command("slack")(slack)
