"""CLI commands of the web front end: ``serve`` and ``feedback export``.

Only typer is imported at module level; gradio loads inside ``serve``.
"""

from __future__ import annotations

import errno
import sys
import time
from pathlib import Path
from typing import Annotated, Literal

import typer

from assistant.cli.options import ChromaUrl, CorpusDir, IndexDir

feedback_app = typer.Typer(
    help="Answer feedback given on the web page and in Slack.", no_args_is_help=True
)


def serve(
    host: Annotated[str | None, typer.Option("--host", help="Interface to listen on.")] = None,
    port: Annotated[
        int | None, typer.Option("--port", min=0, max=65535, help="Port (0: any free port).")
    ] = None,
    index_dir: IndexDir = None,
    corpus: CorpusDir = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """Serve the web page; a changed corpus is indexed in the background meanwhile.

    The embedding model is loaded before the page announces itself ready, so the first
    question does not wait for it; questions asked while the corpus is being indexed are
    answered from the last complete index (the page says indexing is in progress).
    """
    from assistant.cli.common import build_assistant, fail
    from assistant.errors import AssistantError
    from assistant.index.state import IndexCorruptError

    started = time.perf_counter()
    assistant = build_assistant(
        index_dir=index_dir,
        corpus_dir=corpus,
        chroma_url=chroma_url,
        **{"web.host": host, "web.port": port},
    )
    try:  # both checked before loading the model, which takes a few seconds
        assistant.settings.web.login()
        _check_port(assistant.settings.web.host, assistant.settings.web.port)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    try:
        stale = assistant.needs_sync()
        assistant.warm_up()
    except (AssistantError, IndexCorruptError, FileNotFoundError) as exc:
        raise fail(str(exc)) from exc
    from assistant.web.app import launch

    web = assistant.settings.web
    login = "login required" if web.login() else "no login"
    try:
        demo, url = launch(assistant, prevent_thread_lock=True, quiet=True)
    except OSError as exc:  # the port was taken meanwhile
        raise fail(f"cannot serve on {web.host}:{web.port}: {exc}") from exc
    typer.echo(
        f"Serving the assistant on {url} ({login}; ready in "
        f"{time.perf_counter() - started:.1f} s). Press Ctrl-C to stop."
    )
    if stale:
        typer.echo(
            "Indexing the corpus in the background; answers come from the last "
            "complete index until it is done."
        )
        assistant.sync_in_background(_report_background_sync)
    try:
        demo.block_thread()
    except KeyboardInterrupt:  # pragma: no cover - interactive
        pass
    finally:
        demo.close()


def _report_background_sync(job) -> None:  # noqa: ANN001 - assistant.index.background.BackgroundSync
    from assistant.cli.common import print_report

    if job.error:
        typer.secho(f"error: indexing failed: {job.error}", fg=typer.colors.RED, err=True)
    elif job.report is not None:
        print_report(job.report)


def _check_port(host: str, port: int) -> None:
    """ValueError naming the address when ``host:port`` cannot be listened on."""
    import socket

    if port == 0:
        return
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            reason = "is already in use" if exc.errno == errno.EADDRINUSE else f"({exc.strerror})"
            raise ValueError(
                f"cannot listen on {host}:{port}: the port {reason}; "
                "stop what uses it or choose another with --port"
            ) from exc


@feedback_app.command("export")
def export(
    fmt: Annotated[
        str, typer.Option("--format", help="csv or jsonl.", case_sensitive=False)
    ] = "jsonl",
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of stdout.")
    ] = None,
    feedback_path: Annotated[
        Path | None, typer.Option("--feedback-path", help="Feedback SQLite file.")
    ] = None,
) -> None:
    """Print every feedback row (question, answer, citations, settings, rating, comment)."""
    import io

    from assistant.cli.common import fail, load_cli_settings
    from assistant.feedback import FeedbackStore, FeedbackStoreError

    fmt = fmt.lower()
    if fmt not in ("csv", "jsonl"):
        raise fail(f"--format must be csv or jsonl, not {fmt!r}")
    path = feedback_path or load_cli_settings().feedback_path
    store = FeedbackStore(path)
    kind: Literal["csv", "jsonl"] = "csv" if fmt == "csv" else "jsonl"
    buffer = io.StringIO()  # read everything first: a bad store leaves --out untouched
    try:
        count = store.export(kind, buffer)
    except FeedbackStoreError as exc:
        raise fail(str(exc)) from exc
    if out is None:
        sys.stdout.write(buffer.getvalue())
    else:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            with out.open("w", encoding="utf-8", newline="") as handle:
                handle.write(buffer.getvalue())
        except OSError as exc:
            blocker = next((p for p in out.parents if p.exists() and not p.is_dir()), None)
            reason = f"{blocker} is a file, not a folder" if blocker else exc.strerror or exc
            raise fail(f"--out {out}: cannot write there ({reason})") from exc
    typer.secho(f"{count} feedback rows from {path}", err=True)


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.add_typer(feedback_app, name="feedback")
