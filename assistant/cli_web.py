"""CLI commands of the web front end: ``serve`` and ``feedback export``.

Only typer is imported at module level; gradio loads inside ``serve``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Literal

import typer

from assistant.cli_options import ChromaUrl, CorpusDir, IndexDir

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
    from assistant.cli import _fail, build_assistant
    from assistant.state import IndexCorruptError

    started = time.perf_counter()
    assistant = build_assistant(
        index_dir=index_dir,
        corpus_dir=corpus,
        chroma_url=chroma_url,
        **{"web.host": host, "web.port": port},
    )
    try:
        stale = assistant.needs_sync()
        assistant.warm_up()
    except (IndexCorruptError, FileNotFoundError) as exc:
        raise _fail(str(exc)) from exc
    from assistant.web import launch

    web = assistant.settings.web
    login = "login required" if web.username and web.password else "no login"
    demo, url = launch(assistant, prevent_thread_lock=True, quiet=True)
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


def _report_background_sync(job) -> None:  # noqa: ANN001 - assistant.background.BackgroundSync
    from assistant.cli import print_report

    if job.error:
        typer.secho(f"error: indexing failed: {job.error}", fg=typer.colors.RED, err=True)
    elif job.report is not None:
        print_report(job.report)


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
    from assistant.feedback import FeedbackStore
    from assistant.settings import load_settings

    fmt = fmt.lower()
    if fmt not in ("csv", "jsonl"):
        typer.secho(f"error: --format must be csv or jsonl, not {fmt!r}", fg="red", err=True)
        raise typer.Exit(2)
    path = feedback_path or load_settings().feedback_path
    store = FeedbackStore(path)
    kind: Literal["csv", "jsonl"] = "csv" if fmt == "csv" else "jsonl"
    if out is None:
        count = store.export(kind, sys.stdout)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8", newline="") as handle:
            count = store.export(kind, handle)
    typer.secho(f"{count} feedback rows from {path}", err=True)


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.add_typer(feedback_app, name="feedback")
