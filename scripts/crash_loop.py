"""SIGKILL `assistant index` at random points many times, then check the index.

    .venv/bin/python scripts/crash_loop.py [--kills 25] [--files 300] [--seed 11]

Builds a synthetic corpus, indexes it once, changes it, then starts `assistant index`
(fake embedding: ASSISTANT_EMBEDDING__FAKE=1), waits until it holds the index lock and
kills it with SIGKILL after a random delay; the corpus is changed every few kills. Then it
runs the sync to completion and compares the index with a fresh one built from the same
corpus: Chroma ids == state chunk ids == BM25 ids, no duplicates, no orphans. Prints figures
and exits 1 on any inconsistency.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.test_reliability_index import (  # noqa: E402
    consistency_problems,
    kill_loop,
    make_corpus,
    mutate_corpus,
    timed_full_sync,
    write_article,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=25)
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        corpus = make_corpus(root / "corpus", args.files, seed=args.seed)
        index = root / "index"
        first = timed_full_sync(corpus, index)
        rng = random.Random(args.seed)
        mutate_corpus(corpus, rng, 0)
        for i in range(args.files // 2):
            write_article(corpus / f"bulk_{i:04d}.txt", rng, f"Bulk {i}")
        start = time.monotonic()
        figures = kill_loop(corpus, index, args.kills, args.seed, max_delay=first * 0.8)
        loop_s = time.monotonic() - start
        problems = consistency_problems(corpus, index, root / "fresh")
    print(f"corpus: {args.files} files at start; first full sync {first:.1f} s")
    print(
        f"SIGKILLs inside a sync: {figures['kills']} (mean {figures['mean_kill_delay_s']} s "
        f"after the lock was taken); runs that finished first: "
        f"{figures['runs_finished_before_kill']}; loop {loop_s:.0f} s"
    )
    print("final sync:", figures["final_stdout"].strip().replace("\n", " | "))
    print("consistency problems:", problems or "none")
    return 1 if problems or figures["final_returncode"] else 0


if __name__ == "__main__":
    sys.exit(main())
