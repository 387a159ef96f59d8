"""Command line: a thin adapter over ``Assistant``. Heavy libraries load lazily."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from assistant.cli.common import (
    build_assistant,
    fail,
    load_cli_settings,
    print_report,
    require_folder,
    run_sync,
)
from assistant.cli.options import AnswerModeOpt, ChromaUrl, CorpusDir, IndexDir
from assistant.cli.render import answer_json, render_answer, render_sources

if TYPE_CHECKING:
    from assistant.answer.citations import Answer
    from assistant.core import Assistant

app = typer.Typer(
    help="Ask questions of your own documents and get answers that cite their sources.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain click help: flags show no value type (rich mode printed `--help <bool>`).
    rich_markup_mode=None,
)


@app.command()
def index(
    corpus: CorpusDir = None,
    index_dir: IndexDir = None,
    chroma_url: ChromaUrl = None,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Delete the index and build it again.")
    ] = False,
    take_over: Annotated[
        bool,
        typer.Option(
            "--take-over",
            help="With a Chroma server: replace an index another indexer published "
            "(implied by --rebuild).",
        ),
    ] = False,
) -> None:
    """Sync the corpus into the index: embed new and changed files, drop deleted ones."""
    if rebuild:
        folder = load_cli_settings(index_dir=index_dir).index_dir
        require_folder(folder, "--index-dir")
        _remove_index(folder)
    assistant = build_assistant(corpus_dir=corpus, index_dir=index_dir, chroma_url=chroma_url)
    report = run_sync(assistant, take_over=take_over or rebuild)
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
        raise fail(f"--history {path}: cannot read a JSON list of turns ({exc})") from exc
    if not isinstance(data, list) or not all(
        isinstance(t, dict) and t.get("role") in ("user", "assistant") and "content" in t
        for t in data
    ):
        raise fail(
            f'--history {path}: expected a JSON list of {{"role": "user"|"assistant", '
            '"content": "..."} objects'
        )
    return data


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
    use_server: Annotated[
        bool,
        typer.Option(
            "--server/--no-server",
            help="Ask a running `assistant serve` (web.host/web.port) when one is up; "
            "--no-server always loads the index in this process.",
        ),
    ] = True,
) -> None:
    """Answer one question with cited passages."""
    from assistant.core import filters_from_options

    turns = _load_history(history)
    filters = filters_from_options(source, publisher, date_from, date_to)
    server_can_answer = all(v is None for v in (k, retrieval, mode, index_dir, corpus, chroma_url))
    if use_server and server_can_answer:
        served = _ask_server(question, turns, filters)
        if served is not None:
            _print_answer(served, as_json)
            return
    overrides: dict[str, Any] = {
        "index_dir": index_dir,
        "corpus_dir": corpus,
        "chroma_url": chroma_url,
        "retrieval.mode": retrieval,
        "answer.mode": mode,
    }
    _print_answer(_ask_in_process(question, turns, filters, k, overrides), as_json)


def _ask_in_process(
    question: str,
    turns: list[dict[str, str]],
    filters: dict[str, Any],
    k: int | None,
    overrides: dict[str, Any],
) -> Answer:
    """The answer of an assistant built in this process (settings with ``overrides``)."""
    from assistant.errors import AssistantError

    assistant = build_assistant(**overrides)
    _require_index(assistant)
    try:
        answer = assistant.ask(
            question,
            history=turns,
            k=k,
            filters=filters,
        )
    except (AssistantError, ValueError, RuntimeError) as exc:  # ValueError: Filters, state
        raise fail(str(exc)) from exc
    answer.metadata["answered_by"] = "in-process"
    return answer


def _ask_server(question: str, turns: list[dict[str, str]], filters: dict[str, Any]) -> Any:
    """The answer of a running ``assistant serve`` with these settings, or None."""
    from assistant.answer.citations import Answer
    from assistant.cli.server_client import ServerAnswerError, ask_running_server, server_url

    web = load_cli_settings().web
    try:
        data = ask_running_server(web, question, turns, filters)
    except ServerAnswerError as exc:
        raise fail(str(exc)) from exc
    if data is None:
        return None
    answer = Answer.model_validate(data)
    answer.metadata.update(answered_by="server", server_url=server_url(web))
    return answer


def _print_answer(answer: Answer, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(answer_json(answer), ensure_ascii=False, indent=2))
    else:
        typer.echo(render_answer(answer))


def _require_index(assistant: Assistant) -> None:
    from assistant.index.state import IndexCorruptError, IndexMismatchError

    if not assistant.index.exists():
        where = assistant.settings.chroma_url or assistant.settings.index_dir
        raise fail(f"no index in {where}; run `assistant index` first")
    try:
        assistant.index.check()
    except (IndexCorruptError, IndexMismatchError) as exc:
        raise fail(str(exc)) from exc


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
        try:
            answer = _stream_answer(assistant, question, history)
        except ValueError as exc:  # not text, bad filter: say so and keep the chat going
            typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
            continue
        history += [
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer.answer},
        ]


def _stream_answer(assistant: Assistant, question: str, history: list[dict[str, str]]) -> Answer:
    """Print the answer as it is written, then its sources: the answer text once.

    Verification may drop streamed sentences; only then is the checked answer printed
    again, under a line that says why.
    """
    streamed: list[str] = []
    answer: Answer | None = None
    for item in assistant.stream(question, history=history):
        if isinstance(item, str):
            streamed.append(item)
            typer.echo(item, nl=False)
        else:
            answer = item
    assert answer is not None  # the stream always ends with the Answer
    typer.echo("")
    if "".join(streamed).strip() != answer.answer.strip():
        typer.echo("\nChecked against the sources, the answer is:\n" + answer.answer)
    sources = render_sources(answer)
    typer.echo(("\n" + sources if sources else "") + "\n")
    return answer


# Front-end commands live in their own modules; each exposes ``register(app)``.
# Those modules import only typer at the top, so `assistant --help` stays fast.
from assistant.cli import eval_commands, slack_commands, web_commands  # noqa: E402

eval_commands.register(app)
web_commands.register(app)
slack_commands.register(app)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
