"""Reports of evaluation runs: a rich terminal table, report.json, report.md and a PNG chart."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.evaluation.questions import QUESTION_TYPES
from assistant.evaluation.runner import RunResult
from assistant.evaluation.scoring import RANK_DEPTH

# (summary key, column title); hit@k is named with the run's k when shown.
COLUMNS = (
    ("accuracy", "accuracy"),
    ("conflict_both_sides", "both sides"),
    ("false_conflicts", "false conflicts"),
    ("answerable_not_refused", "answered"),
    ("unanswerable_refused", "refused unans."),
    ("citation_precision", "cite P"),
    ("citation_recall", "cite R"),
    ("hit@k", "hit@k"),
    (f"mrr@{RANK_DEPTH}", f"MRR@{RANK_DEPTH}"),
    ("quotes_verbatim", "verbatim"),
    ("sentences_supported", "supported"),
    ("citations_valid", "citations valid"),
    ("latency_p50_ms", "p50 ms"),
    ("latency_p95_ms", "p95 ms"),
)


def fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.0f}" if value >= 10 else f"{value:.3f}"
    return str(value)


def terminal_table(runs: list[RunResult]) -> Any:
    """Metrics as rows, runs as columns (fits a terminal even with several runs)."""
    from rich.table import Table

    table = Table(title="Evaluation")
    table.add_column("metric")
    for run in runs:
        table.add_column(run.label, justify="right")
    table.add_row("questions", *(str(run.summary["questions"]) for run in runs))
    k = runs[0].k if runs else 5
    for key, title in COLUMNS:
        table.add_row(title.replace("hit@k", f"hit@{k}"), *(fmt(r.summary.get(key)) for r in runs))
    return table


def print_summary(runs: list[RunResult], console: Any = None) -> None:
    from rich.console import Console

    console = console or Console()
    console.print(terminal_table(runs))
    for run in runs:
        errors = run.summary.get("errors")
        if errors:
            console.print(f"[red]{run.label}: {errors} question(s) failed with an error[/red]")


def write_json(runs: list[RunResult], path: Path, meta: dict[str, Any]) -> None:
    data = {"meta": meta, "runs": [r.to_dict() for r in runs]}
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def markdown(runs: list[RunResult], meta: dict[str, Any]) -> str:
    lines = ["# Evaluation report", ""]
    for key in ("date", "questions_file", "corpus", "index_dir", "command"):
        if meta.get(key):
            lines.append(f"- {key.replace('_', ' ')}: `{meta[key]}`")
    for mode, why in (meta.get("skipped") or {}).items():
        lines.append(f"- skipped answer mode `{mode}`: {why}")
    lines += ["", "## Summary", ""]
    k = runs[0].k if runs else 5
    titles = [t.replace("hit@k", f"hit@{k}") for _, t in COLUMNS]
    lines.append("| run | n | " + " | ".join(titles) + " |")
    lines.append("|---|---:|" + "---:|" * len(COLUMNS))
    for run in runs:
        s = run.summary
        cells = [fmt(s.get(key)) for key, _ in COLUMNS]
        lines.append(f"| {run.label} | {s['questions']} | " + " | ".join(cells) + " |")
    lines += ["", "## Accuracy by question type", ""]
    lines.append("| run | " + " | ".join(QUESTION_TYPES) + " |")
    lines.append("|---|" + "---:|" * len(QUESTION_TYPES))
    for run in runs:
        by_type = run.summary["accuracy_by_type"]
        cells = [
            f"{by_type[t]['correct']}/{by_type[t]['total']}" if t in by_type else "-"
            for t in QUESTION_TYPES
        ]
        lines.append(f"| {run.label} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "(unanswerable: refused; other types: every key group found and not refused)",
    ]
    for run in runs:
        ev = run.summary["evidence_best"]
        lines += ["", f"### Evidence score `best` ({run.label})", ""]
        for side in ("answerable", "unanswerable"):
            d = ev.get(side) or {}
            if d:
                lines.append(
                    f"- {side}: n={d['n']} min={d['min']} p25={d['p25']} median={d['median']} "
                    f"p75={d['p75']} max={d['max']}"
                )
    for run in runs:
        lines += ["", f"## Questions ({run.label})", ""]
        lines.append("| id | type | ok | answer | citations | failed checks |")
        lines.append("|---|---|---|---|---|---|")
        for r in run.results:
            ok = "-" if r.correct is None else ("yes" if r.correct else "NO")
            cites = "; ".join(
                f"[{c['n']}] {c['source']}{'' if c['verbatim'] else ' (not verbatim)'}"
                for c in r.citations
            )
            answer = r.error or r.answer
            lines.append(
                f"| {r.id} | {r.type} | {ok} | {_cell(answer[:400])} | {_cell(cites)} | "
                f"{_cell('; '.join(r.failed))} |"
            )
    return "\n".join(lines) + "\n"


CHART_NEEDS = 'the chart (report.png) needs matplotlib: pip install -e ".[eval]"'


def write_chart(runs: list[RunResult], path: Path) -> bool:
    """Per-type accuracy (grouped bars per run) and the latency distribution per run.

    False, writing nothing, when matplotlib (the ``eval`` extra) is not installed: the
    figures are all in report.json/.md, the chart only draws them.
    """
    try:
        import matplotlib
    except ImportError:
        return False

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    width = 0.8 / max(1, len(runs))
    for i, run in enumerate(runs):
        by_type = run.summary["accuracy_by_type"]
        values = [
            by_type[t]["correct"] / by_type[t]["total"] if t in by_type else 0.0
            for t in QUESTION_TYPES
        ]
        xs = [j + i * width - 0.4 + width / 2 for j in range(len(QUESTION_TYPES))]
        left.bar(xs, values, width=width, label=run.label)
    left.set_xticks(range(len(QUESTION_TYPES)), QUESTION_TYPES)
    left.set_ylim(0, 1.05)
    left.set_ylabel("share correct")
    left.set_title("Accuracy by question type")
    left.legend(fontsize=8)
    latencies = [[r.latency_ms for r in run.results if r.latency_ms is not None] for run in runs]
    if any(latencies):
        right.boxplot([lat or [0.0] for lat in latencies], showfliers=True)
        right.set_xticks(range(1, len(runs) + 1), [run.label for run in runs], rotation=20)
    right.set_ylabel("ms per question")
    right.set_title("Latency distribution")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def write_reports(runs: list[RunResult], out_dir: Path, meta: dict[str, Any]) -> dict[str, Path]:
    """report.json, report.md and report.png in ``out_dir``; returns the paths written
    (no ``png`` without matplotlib)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    meta = {"date": datetime.now(UTC).isoformat(timespec="seconds"), **meta}
    paths = {
        "json": out_dir / "report.json",
        "md": out_dir / "report.md",
        "png": out_dir / "report.png",
    }
    write_json(runs, paths["json"], meta)
    paths["md"].write_text(markdown(runs, meta), encoding="utf-8")
    if not write_chart(runs, paths["png"]):
        del paths["png"]
    return paths
