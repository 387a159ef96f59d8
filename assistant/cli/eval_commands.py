"""`assistant eval` and `assistant eval-retrieval`: evaluation runs from the command line.

Only typer is imported at the top; the model, Chroma and matplotlib load inside
the commands so `assistant --help` stays fast.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.cli.common import fail, load_cli_settings
from assistant.cli.options import AnswerModeOpt

DEFAULT_QUESTIONS = Path("evals/questions.jsonl")
DEFAULT_SETS = Path("evals/sets.json")
DEFAULT_OUT = Path("evals/out")


def _settings(**overrides: Any) -> Any:
    return load_cli_settings(**overrides)  # errors name fields, never secret values


def eval_command(
    questions: Annotated[
        Path | None,
        typer.Option(
            "--questions",
            help="Question set (JSONL, one question a line). Without --questions, --corpus "
            "and --index-dir, every set of --sets is run.",
        ),
    ] = None,
    sets: Annotated[
        Path,
        typer.Option(
            "--sets",
            help="JSON list of question sets, each with its corpus and thresholds; each is "
            "indexed into a fresh temp index, scored and checked.",
        ),
    ] = DEFAULT_SETS,
    corpus: Annotated[
        Path | None,
        typer.Option(
            "--corpus",
            help="Corpus to evaluate on (indexed into a fresh temp index "
            "unless --index-dir is given).",
        ),
    ] = None,
    index_dir: Annotated[
        Path | None, typer.Option("--index-dir", help="Index folder to use (synced if needed).")
    ] = None,
    mode: AnswerModeOpt = None,
    retrieval: Annotated[
        str | None, typer.Option("--retrieval", help="Retrieval mode: dense, bm25 or hybrid.")
    ] = None,
    compare: Annotated[
        bool,
        typer.Option(
            "--compare", help="Run dense/bm25/hybrid and every available answer mode side by side."
        ),
    ] = False,
    out: Annotated[Path, typer.Option("--out", help="Folder for the reports.")] = DEFAULT_OUT,
    thresholds: Annotated[
        Path | None,
        typer.Option("--thresholds", help="JSON of minimum scores; exit 1 when one is missed."),
    ] = None,
) -> None:
    """Ask every question of a set, score the answers and write report.json/.md/.png."""
    if questions is None and corpus is None and index_dir is None:
        _run_sets(sets, mode, retrieval, compare, out)
        return
    questions = questions or DEFAULT_QUESTIONS
    misses = _run_set(questions, corpus, index_dir, mode, retrieval, compare, out, thresholds)
    if misses:
        raise typer.Exit(1)


def _run_sets(
    sets: Path, mode: str | None, retrieval: str | None, compare: bool, out: Path
) -> None:
    """Every set of the ``sets`` file, each on its own corpus; exit 1 if one misses a minimum."""
    try:
        listed = json.loads(sets.read_text(encoding="utf-8"))["sets"]
        entries = [(str(e["name"]), Path(e["questions"]), Path(e["corpus"])) for e in listed]
        limits = [Path(e["thresholds"]) if e.get("thresholds") else None for e in listed]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise fail(
            f'--sets {sets}: expected {{"sets": [{{"name", "questions", "corpus", '
            f'"thresholds"}}, ...]}} ({type(exc).__name__}: {exc})'
        ) from exc
    misses: list[str] = []
    for (name, questions, corpus), limit in zip(entries, limits, strict=True):
        typer.secho(f"== {name}: {questions} on {corpus}", bold=True, err=True)
        misses += _run_set(questions, corpus, None, mode, retrieval, compare, out / name, limit)
    if misses:
        raise typer.Exit(1)


def _run_set(
    questions: Path,
    corpus: Path | None,
    index_dir: Path | None,
    mode: str | None,
    retrieval: str | None,
    compare: bool,
    out: Path,
    thresholds: Path | None,
) -> list[str]:
    """Run one question set; returns the thresholds it missed (also printed)."""
    from assistant.evaluation.report import CHART_NEEDS, write_reports

    qset = _load_question_set(questions)
    limits = _load_thresholds(thresholds) if thresholds else None

    temp_index = None
    if corpus is not None and index_dir is None:
        temp_index = Path(tempfile.mkdtemp(prefix="assistant-eval-"))
        index_dir = temp_index / "index"
    settings = _settings(
        corpus_dir=corpus, index_dir=index_dir, **{"answer.mode": mode, "retrieval.mode": retrieval}
    )
    try:
        runs, skipped = _evaluate(settings, qset.questions, compare)
        meta = {
            "questions_file": str(questions),
            "corpus": str(settings.corpus_dir),
            "index_dir": "(temporary)" if temp_index else str(settings.index_dir),
            "settings": {k: settings.public_dump()[k] for k in ("retrieval", "answer")},
            "skipped": skipped,
        }
        paths = write_reports(runs, out, meta)
        if "png" not in paths:
            typer.echo(f"no chart: {CHART_NEEDS}", err=True)
    finally:
        if temp_index is not None:
            shutil.rmtree(temp_index, ignore_errors=True)
    return _print_outcome(runs, skipped, paths, limits)


def _load_question_set(questions: Path) -> Any:
    """The question set (an error exit naming the bad line), its warnings printed."""
    from assistant.evaluation.questions import QuestionSetError, load_questions

    try:
        qset = load_questions(questions)
    except QuestionSetError as exc:
        raise fail(str(exc)) from exc
    for warning in qset.warnings:
        typer.secho(f"warning: {warning}", fg=typer.colors.YELLOW, err=True)
    return qset


def _evaluate(
    settings: Any, questions: list[Any], compare: bool
) -> tuple[list[Any], dict[str, str]]:
    """Build the assistant (syncing its index if needed) and run the questions: one run,
    or with ``compare`` every retrieval and available answer mode. Returns (runs, skipped)."""
    from rich.console import Console

    from assistant.evaluation.runner import EvalModeError, evaluate
    from assistant.evaluation.runner import compare as run_compare

    console = Console(stderr=True)
    assistant = _build(settings)
    if assistant.needs_sync():
        from assistant.cli.common import print_report, run_sync

        print_report(run_sync(assistant))

    def on_progress(done: int, total: int, result: Any) -> None:
        flag = "ok" if result.correct else ("-" if result.correct is None else "FAIL")
        console.print(f"  [{done}/{total}] {result.id} {flag}", highlight=False)

    try:
        if compare:
            return run_compare(assistant, questions, progress=lambda msg: console.print(msg))
        return [evaluate(assistant, questions, progress=on_progress)], {}
    except EvalModeError as exc:
        raise fail(str(exc)) from exc


def _print_outcome(
    runs: list[Any],
    skipped: dict[str, str],
    paths: dict[str, Path],
    limits: dict[str, Any] | None,
) -> list[str]:
    """The summary table, skipped modes, report paths and missed thresholds (returned)."""
    from assistant.evaluation.report import print_summary
    from assistant.evaluation.runner import check_thresholds

    print_summary(runs)
    for mode_name, why in skipped.items():
        typer.secho(f"skipped answer mode {mode_name}: {why}", fg=typer.colors.YELLOW, err=True)
    typer.echo("reports: " + ", ".join(str(p) for p in paths.values()))
    misses = [miss for run in runs for miss in check_thresholds(run, limits)] if limits else []
    for miss in misses:
        typer.secho(f"below threshold: {miss}", fg=typer.colors.RED, err=True)
    return misses


def _build(settings: Any) -> Any:
    from assistant.core import Assistant

    try:
        return Assistant(settings)
    except Exception as exc:  # noqa: BLE001 - a backend that can't be built is a user error
        raise fail(f"cannot build the assistant ({type(exc).__name__}: {exc})") from exc


def _load_thresholds(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise fail(f"--thresholds {path}: cannot read JSON ({exc})") from exc
    if not isinstance(data.get("min"), dict) or not isinstance(data.get("max", {}), dict):
        raise fail(
            f'--thresholds {path}: expected {{"min": {{"metric": value, ...}}, '
            f'"max": {{"metric": value, ...}}}}'
        )
    return data


def eval_retrieval_command(
    trec: Annotated[Path, typer.Option("--trec", help="TREC collection folder.")],
    work_dir: Annotated[
        Path | None,
        typer.Option(
            "--work-dir",
            help="Keep the written corpus and index here (reused next "
            "time). Default: a temp folder, removed afterwards.",
        ),
    ] = None,
    depth: Annotated[
        int, typer.Option("--depth", min=10, help="Documents retrieved per query.")
    ] = 100,
    modes: Annotated[
        list[str] | None, typer.Option("--retrieval", help="Mode(s) to run (default: all three).")
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for retrieval.json.")] = DEFAULT_OUT,
) -> None:
    """Index a TREC collection with the project's indexing; report nDCG@10, MAP, recall@100."""
    from rich.console import Console

    from assistant.evaluation.trec import (
        TrecFormatError,
        fresh_work_dir,
        remove_work_dir,
        run_benchmark,
    )

    console = Console(stderr=True)
    folder, temporary = fresh_work_dir(work_dir)
    for mode in modes or []:
        if mode not in ("dense", "bm25", "hybrid"):
            raise fail(f"--retrieval {mode!r}: expected dense, bm25 or hybrid")
    try:
        result = run_benchmark(
            trec,
            folder,
            modes=modes or ("dense", "bm25", "hybrid"),
            depth=depth,
            progress=lambda msg: console.print(msg),
        )
    except TrecFormatError as exc:
        raise fail(str(exc)) from exc
    finally:
        if temporary:
            remove_work_dir(folder)
    _print_benchmark(result)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "retrieval.json"
    path.write_text(json.dumps(result.to_dict(), indent=2), encoding="utf-8")
    typer.echo(f"report: {path}")


def _print_benchmark(result: Any) -> None:
    """The scores table of each retrieval mode, then the indexing speed."""
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"{result.collection}: {result.documents} documents, {result.queries} queries"
    )
    for column in ("retrieval", "nDCG@10", "MAP", "recall@100", "ms/query"):
        table.add_column(column, justify="right" if column != "retrieval" else "left")
    for mode, scores in result.scores.items():
        table.add_row(
            mode,
            f"{scores['ndcg@10']:.3f}",
            f"{scores['map']:.3f}",
            f"{scores['recall@100']:.3f}",
            f"{result.query_ms[mode]:.1f}",
        )
    Console().print(table)
    if result.docs_per_s is not None:
        typer.echo(
            f"indexing: {result.documents} documents ({result.chunks} chunks) in "
            f"{result.indexing_s:.1f} s = {result.docs_per_s:.0f} documents/s"
        )
    else:
        typer.echo("indexing: reused the index in --work-dir (speed not measured)")


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)
    app.command("eval-retrieval")(eval_retrieval_command)
