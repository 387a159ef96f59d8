"""Command-line options shared by the CLI modules (only typer is imported here)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

IndexDir = Annotated[
    Path | None, typer.Option("--index-dir", help="Index folder (overrides settings).")
]
CorpusDir = Annotated[
    Path | None, typer.Option("--corpus", help="Corpus folder (overrides settings).")
]
ChromaUrl = Annotated[
    str | None, typer.Option("--chroma-url", help="Chroma server URL (overrides settings).")
]
AnswerModeOpt = Annotated[
    str | None,
    typer.Option(
        "--mode",
        help="Answer backend: extractive, local, openai, ollama or one a plugin registers.",
    ),
]
