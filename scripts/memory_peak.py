"""Peak memory (RSS) of loading, chunking and indexing one large text file.

    .venv/bin/python scripts/memory_peak.py [--mb 50] [--stage load|chunk|sync] [--line]

Each stage runs in a fresh process so its peak is its own. `sync` indexes the file into a
fresh index with the fake embedding (ASSISTANT_EMBEDDING__FAKE semantics: no model), so the
figure is the pipeline's, not the model's. --line writes the file as one single line.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORDS = "the order was made under the act after a national security review of the company"


def write_file(path: Path, mb: int, one_line: bool) -> None:
    sentence = WORDS.capitalize() + ". "
    paragraph = sentence * 8 + ("" if one_line else "\n\n")
    with path.open("w") as out:
        for _ in range(mb * 1_000_000 // len(paragraph)):
            out.write(paragraph)


def run_stage(stage: str, path: Path) -> None:
    sys.path.insert(0, str(REPO))
    from assistant.ingest.chunking import chunk_document
    from assistant.ingest.documents import load_document
    from assistant.settings import ChunkingSettings, DocumentSettings

    start = time.perf_counter()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    detail = ""
    if stage in ("load", "chunk"):
        doc = load_document(path, path.parent, DocumentSettings(max_chars=10**9))
        detail = f"{len(doc.text):,} characters"
        if stage == "chunk":
            detail += f", {len(chunk_document(doc, ChunkingSettings())):,} chunks"
    else:
        from assistant.core import Assistant
        from assistant.index.embeddings import HashingEmbeddings
        from assistant.settings import Settings

        root = path.parent
        settings = Settings(
            corpus_dir=root,
            index_dir=root.parent / "index",
            feedback_path=root.parent / "f.sqlite",
            documents=DocumentSettings(max_chars=10**9),
        )
        report = Assistant(settings, embeddings=HashingEmbeddings()).sync()
        detail = f"{report.chunks_total:,} chunks indexed, consistent={report.consistent}"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{stage}: peak RSS {peak:.0f} MB (interpreter + imports {base:.0f} MB), "
        f"{time.perf_counter() - start:.1f} s; {detail}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=50)
    parser.add_argument("--stage", choices=["load", "chunk", "sync", "all"], default="all")
    parser.add_argument("--line", action="store_true", help="one single line")
    parser.add_argument("--run", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        run_stage(args.stage, args.run)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        path = corpus / "big.txt"
        write_file(path, args.mb, args.line)
        print(f"file: {path.stat().st_size / 1e6:.1f} MB{' (one line)' if args.line else ''}")
        stages = ["load", "chunk", "sync"] if args.stage == "all" else [args.stage]
        for stage in stages:
            subprocess.run(
                [sys.executable, __file__, "--stage", stage, "--run", str(path)], check=True
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
