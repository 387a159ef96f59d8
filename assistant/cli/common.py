"""What every CLI command module shares: error exits, settings, building and syncing.

Only typer is imported at the top. ``cli.py`` and the front-end command modules
(``cli_web``, ``cli_slack``, ``cli_eval``) all import from here, never from each
other, so the command modules do not import ``cli.py`` back.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from assistant.core import Assistant
    from assistant.index.indexer import SyncReport


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message`` in red on stderr; ``raise fail(...)`` exits with ``code``."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(code)


def settings_error(exc: Exception) -> str:
    """A settings validation error without the offending values: a misspelled
    ``ASSISTANT_SLACK__BOT_TOKN`` must not print the token."""
    errors = exc.errors(include_input=False, include_url=False)  # type: ignore[attr-defined]
    lines = [f"  {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors]
    return "invalid settings:\n" + "\n".join(lines)


def load_cli_settings(**overrides: Any) -> Any:
    """``load_settings`` with errors a user can act on (and no secret values in them)."""
    from pydantic import ValidationError

    from assistant.settings import load_settings

    try:
        return load_settings(**overrides)
    except ValidationError as exc:
        raise fail(settings_error(exc)) from exc
    except (FileNotFoundError, ValueError) as exc:
        raise fail(str(exc)) from exc


def build_assistant(**overrides: Any) -> Assistant:
    """Settings from env/file, CLI overrides on top, then the Assistant."""
    from assistant.core import Assistant

    settings = load_cli_settings(**overrides)
    require_folder(settings.index_dir, "--index-dir")
    try:
        return Assistant(settings)
    except Exception as exc:  # noqa: BLE001 - show store/model problems plainly
        from assistant.errors import AssistantError
        from assistant.index.state import IndexCorruptError

        if isinstance(exc, AssistantError | FileNotFoundError | IndexCorruptError):
            raise fail(str(exc)) from exc
        raise


def require_folder(path: Path, option: str) -> None:
    """A one-line error when ``path`` (or a parent of it) is a file, not a folder
    (Chroma and SQLite would fail deep inside with a traceback)."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            if not candidate.is_dir():
                where = "is a file" if candidate == path else f"is under the file {candidate}"
                raise fail(f"the index folder {path} {where}; pass {option} a folder path")
            return


def run_sync(assistant: Assistant, quiet: bool = False, take_over: bool = False) -> SyncReport:
    """Sync with a progress bar on stderr; errors a user can act on become messages."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from assistant.index.indexer import IndexBusyError, IndexDiskFullError
    from assistant.index.state import IndexCorruptError

    console = Console(stderr=True, quiet=quiet)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    ) as progress:
        tasks: dict[str, Any] = {}

        def on_progress(stage: str, done: int, total: int) -> None:
            label = {"load": "reading files", "embed": "embedding chunks"}.get(stage, stage)
            if stage not in tasks:
                tasks[stage] = progress.add_task(label, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        try:
            return assistant.sync(on_progress, take_over=take_over)
        except (IndexBusyError, IndexCorruptError, IndexDiskFullError, FileNotFoundError) as exc:
            raise fail(str(exc)) from exc


def print_report(report: SyncReport) -> None:
    for source, reason in sorted(report.failed.items()):
        typer.secho(f"failed: {source}: {reason}", fg=typer.colors.RED, err=True)
    for source, notes in sorted(report.warnings.items()):
        for note in notes:
            typer.secho(f"warning: {source}: {note}", fg=typer.colors.YELLOW, err=True)
    s = report.summary()
    if report.vectors_reset:
        typer.echo(
            "the embedding settings changed (model, backend or dimension): the old vectors "
            "were dropped and every passage is embedded again"
        )
    typer.echo(
        f"added {s['added']}, updated {s['updated']}, removed {s['removed']}, "
        f"unchanged {s['unchanged']}, failed {s['failed']} "
        f"({s['chunks_embedded']} chunks embedded, {s['chunks_total']} in the index)"
    )
    repairs = []
    if report.stale_vectors_removed:
        repairs.append(f"{report.stale_vectors_removed} stale vectors removed")
    if report.vectors_restored:
        repairs.append(f"{report.vectors_restored} missing vectors restored")
    if report.consistent:
        typer.echo(
            "index consistent: the vector store, BM25 and the index state hold the same "
            f"{s['chunks_total']} chunks" + (f" ({', '.join(repairs)})" if repairs else "")
        )
    else:
        typer.secho(
            "warning: the index is not consistent after this sync; run `assistant index --rebuild`",
            fg=typer.colors.YELLOW,
            err=True,
        )
