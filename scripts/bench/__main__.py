"""`make bench`: performance and scale benchmarks; prints a table, writes BENCHMARKS.md.

    python scripts/bench                 # every phase, each in its own process
    python scripts/bench --only indexing,latency --reuse
    python scripts/bench phase indexing --work DIR [--docs N]   # one phase (internal)
    python scripts/bench phase variants-speed|variants-float|requery-1000|requery-10000 --work DIR
        # re-measure embedding speed, the float model's quality on the existing index,
        # or scale query latency, without rebuilding indexes
    python scripts/bench phase update-1000|update-10000 --work DIR
        # re-measure a one-file edit (sync, BM25 rebuild) on an index built before

Timings are never asserted anywhere; they vary with the load on the machine, which is
why every ratio compares numbers measured in the same process, interleaved.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import PHASES, REPO, VASWANI, read_result, run_phase  # noqa: E402


def phase(name: str, work: Path, docs: int | None) -> None:
    on_vaswani = ("indexing", "variants", "variants-speed", "variants-float", "latency")
    if name in (*on_vaswani, "server", "concurrency") and not VASWANI.is_dir():
        print(f"skipped {name}: the Vaswani collection is not at {VASWANI}")
        return
    if name == "indexing":
        import indexing

        print(indexing.run(work, docs))
    elif name == "variants":
        import variants

        print(variants.run(work))
    elif name == "variants-float":
        import variants

        print(variants.requality_float(work))
    elif name == "variants-speed":
        import variants

        print(variants.run(work, quality=()))
    elif name == "latency":
        import latency

        print(latency.run(work))
    elif name == "server":
        import server

        print(server.run_chroma(work))
    elif name == "concurrency":
        import server

        print(server.run_concurrency(work))
    elif name.startswith("update-"):
        import scale

        print(scale.update(work, int(name.split("-")[1])))
    elif name.startswith("requery-"):
        import scale

        print(scale.requery(work, int(name.split("-")[1])))
    elif name.startswith("scale-"):
        import scale

        print(scale.run(work, int(name.split("-")[1])))
    else:
        raise SystemExit(f"unknown phase {name!r}; one of {', '.join(PHASES)}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("cmd", nargs="?", default="all")
    parser.add_argument("name", nargs="?")
    parser.add_argument("--work", type=Path, default=Path("/tmp/assistant-bench"))
    parser.add_argument("--docs", type=int, default=None, help="Vaswani documents (default all)")
    parser.add_argument("--only", default=",".join(PHASES))
    parser.add_argument("--reuse", action="store_true", help="keep phase results already in --work")
    parser.add_argument("--out", type=Path, default=REPO / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    if args.cmd == "phase":
        phase(args.name, args.work, args.docs)
        return 0
    import report

    failed = []
    for name in args.only.split(","):
        if args.reuse and read_result(args.work, name) is not None:
            continue
        extra = ["--docs", str(args.docs)] if args.docs else []
        if run_phase(name, args.work, *extra) != 0:
            failed.append(name)
    text = report.render(args.work)
    print(text)
    args.out.write_text(report.document(text, args.work))
    print(f"\nwrote {args.out}" + (f"; failed phases: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
