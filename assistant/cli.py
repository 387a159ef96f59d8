"""Command line: a thin adapter over ``Assistant``. Heavy libraries load lazily."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from assistant.cli_options import AnswerModeOpt, ChromaUrl, CorpusDir, IndexDir

if TYPE_CHECKING:
    from assistant.citations import Answer
    from assistant.core import Assistant
    from assistant.indexer import SyncReport

app = typer.Typer(
    help="Ask questions of your own documents and get answers that cite their sources.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _fail(message: str, code: int = 2) -> typer.Exit:
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
        raise _fail(settings_error(exc)) from exc
    except (FileNotFoundError, ValueError) as exc:
        raise _fail(str(exc)) from exc


def build_assistant(**overrides: Any) -> Assistant:
    """Settings from env/file, CLI overrides on top, then the Assistant."""
    from assistant.core import Assistant

    settings = load_cli_settings(**overrides)
    _require_folder(settings.index_dir, "--index-dir")
    try:
        return Assistant(settings)
    except Exception as exc:  # noqa: BLE001 - show store/model problems plainly
        from assistant.state import IndexCorruptError
        from assistant.store import StoreUnavailableError

        if isinstance(exc, StoreUnavailableError | FileNotFoundError | IndexCorruptError):
            raise _fail(str(exc)) from exc
        raise


def _require_folder(path: Path, option: str) -> None:
    """A one-line error when ``path`` (or a parent of it) is a file, not a folder
    (Chroma and SQLite would fail deep inside with a traceback)."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            if not candidate.is_dir():
                where = "is a file" if candidate == path else f"is under the file {candidate}"
                raise _fail(f"the index folder {path} {where}; pass {option} a folder path")
            return


def run_sync(assistant: Assistant, quiet: bool = False) -> SyncReport:
    """Sync with a progress bar on stderr; errors a user can act on become messages."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from assistant.indexer import IndexBusyError, IndexDiskFullError
    from assistant.state import IndexCorruptError

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
            return assistant.sync(on_progress)
        except (IndexBusyError, IndexCorruptError, IndexDiskFullError, FileNotFoundError) as exc:
            raise _fail(str(exc)) from exc


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


@app.command()
def index(
    corpus: CorpusDir = None,
    index_dir: IndexDir = None,
    chroma_url: ChromaUrl = None,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Delete the index and build it again.")
    ] = False,
) -> None:
    """Sync the corpus into the index: embed new and changed files, drop deleted ones."""
    if rebuild:
        folder = load_cli_settings(index_dir=index_dir).index_dir
        _require_folder(folder, "--index-dir")
        _remove_index(folder)
    assistant = build_assistant(corpus_dir=corpus, index_dir=index_dir, chroma_url=chroma_url)
    report = run_sync(assistant)
    print_report(report)
    if not report.ok:
        raise typer.Exit(1)


def _remove_index(index_dir: Path) -> None:
    import shutil

    for name in ("chroma", "bm25", "state.sqlite", "state.sqlite-wal", "state.sqlite-shm"):
        target = index_dir / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


def _load_history(path: Path | None) -> list[dict[str, str]]:
    if path is None:
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _fail(f"--history {path}: cannot read a JSON list of turns ({exc})") from exc
    if not isinstance(data, list) or not all(
        isinstance(t, dict) and t.get("role") in ("user", "assistant") and "content" in t
        for t in data
    ):
        raise _fail(
            f'--history {path}: expected a JSON list of {{"role": "user"|"assistant", '
            '"content": "..."} objects'
        )
    return data


def render_answer(answer: Answer) -> str:
    lines = [answer.answer]
    if answer.not_answered:
        lines.append("Not in the sources: " + "; ".join(f"{p}?" for p in answer.not_answered))
    lines.append("")
    for c in answer.citations:
        where = ", ".join(x for x in (c.publisher, c.date) if x)
        lines.append(f"[{c.n}] {c.title or c.source}" + (f" ({where})" if where else ""))
        lines.append(
            f"    {c.source}" + (f" p.{c.page}" if c.page else "") + (f"  {c.url}" if c.url else "")
        )
        lines.append(f'    "{c.quote}"')
        for flagged in c.instructions:
            lines.append(f"    (this passage also says, to an AI, {flagged!r}: treated as data)")
    for conflict in answer.conflicts:
        values = "; ".join(
            f"{v.value} {''.join(f'[{n}]' for n in v.citations)}" for v in conflict.values
        )
        lines.append(f"Sources disagree on {conflict.topic}: {values}")
    return "\n".join(lines).rstrip()


def _filters(
    source: list[str] | None,
    publisher: list[str] | None,
    date_from: str | None,
    date_to: str | None,
) -> dict[str, Any]:
    return {
        "sources": source or [],
        "publishers": publisher or [],
        "date_from": date_from,
        "date_to": date_to,
    }


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question to answer.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    history: Annotated[
        Path | None, typer.Option("--history", help="JSON file of earlier turns.")
    ] = None,
    k: Annotated[int | None, typer.Option("--k", min=1, help="Passages to retrieve.")] = None,
    source: Annotated[
        list[str] | None, typer.Option("--source", help="Only this source (repeatable).")
    ] = None,
    publisher: Annotated[
        list[str] | None, typer.Option("--publisher", help="Only this publisher.")
    ] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Earliest date.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Latest date.")] = None,
    retrieval: Annotated[
        str | None, typer.Option("--retrieval", help="dense, bm25 or hybrid.")
    ] = None,
    mode: AnswerModeOpt = None,
    index_dir: IndexDir = None,
    corpus: CorpusDir = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """Answer one question with cited passages."""
    turns = _load_history(history)
    overrides: dict[str, Any] = {
        "index_dir": index_dir,
        "corpus_dir": corpus,
        "chroma_url": chroma_url,
        "retrieval.mode": retrieval,
        "answer.mode": mode,
    }
    assistant = build_assistant(**overrides)
    _require_index(assistant)
    try:
        answer = assistant.ask(
            question,
            history=turns,
            k=k,
            filters=_filters(source, publisher, date_from, date_to),
        )
    except (ValueError, RuntimeError) as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(answer_json(answer), ensure_ascii=False, indent=2))
    else:
        typer.echo(render_answer(answer))


def answer_json(answer: Answer) -> dict[str, Any]:
    data = answer.to_json_dict()
    return {
        "question": data["question"],
        "answer": data["answer"],
        "refused": data["refused"],
        "citations": data["citations"],
        "conflicts": data["conflicts"],
        "mode": data["mode"],
        "timings_ms": data["timings_ms"],
        "metadata": data["metadata"],
    }


def _require_index(assistant: Assistant) -> None:
    from assistant.state import IndexCorruptError, IndexMismatchError

    if not assistant.index.state.exists():
        raise _fail(f"no index in {assistant.settings.index_dir}; run `assistant index` first")
    try:
        assistant.index.check()
    except (IndexCorruptError, IndexMismatchError) as exc:
        raise _fail(str(exc)) from exc


@app.command()
def sources(index_dir: IndexDir = None, chroma_url: ChromaUrl = None) -> None:
    """List what is indexed: one line per document with its chunk count."""
    assistant = build_assistant(index_dir=index_dir, chroma_url=chroma_url)
    _require_index(assistant)
    for info in assistant.sources():
        meta = " | ".join(x for x in (info.title, info.publisher, info.date) if x)
        typer.echo(f"{info.source}\t{info.chunks} chunks\t{meta}")


@app.command()
def chat(
    mode: AnswerModeOpt = None,
    index_dir: IndexDir = None,
    corpus: CorpusDir = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """A terminal chat that remembers the conversation (empty line or Ctrl-D quits)."""
    assistant = build_assistant(
        index_dir=index_dir, corpus_dir=corpus, chroma_url=chroma_url, **{"answer.mode": mode}
    )
    if assistant.needs_sync():
        print_report(run_sync(assistant))
    history: list[dict[str, str]] = []
    typer.echo("Ask a question about the indexed documents (empty line to quit).")
    while True:
        try:
            question = input("you> ").strip()
        except EOFError:
            break
        if not question:
            break
        answer = None
        try:
            for item in assistant.stream(question, history=history):
                if isinstance(item, str):
                    typer.echo(item, nl=False)
                else:
                    answer = item
        except ValueError as exc:  # not text, bad filter: say so and keep the chat going
            typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
            continue
        typer.echo("\n\n" + render_answer(answer) + "\n")
        history += [
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer.answer},
        ]


# Front-end commands live in their own modules; each exposes ``register(app)``.
# Those modules import only typer at the top, so `assistant --help` stays fast.
from assistant import cli_extras  # noqa: E402

cli_extras.register(app)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
