"""Load test: N questions from C concurrent clients through the web page's /ask API and the
Slack HTTP endpoint (with a feedback click on every Slack answer), on loopback.

    .venv/bin/python scripts/load_test.py [--questions 200] [--clients 8] [--rounds 2] [--fake]

Uses the real embedding model unless --fake. Prints errors, latency p50/p95, wall time,
feedback rows stored and the process RSS before and after each run.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.test_reliability_load import build, slack_load, web_load  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--fake", action="store_true", help="hashing embedding, no model")
    parser.add_argument("--rounds", type=int, default=2, help="web rounds (memory trend)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    embeddings = None
    if not args.fake:
        from assistant.index.embeddings import load_embeddings
        from assistant.settings import EmbeddingSettings

        embeddings = load_embeddings(EmbeddingSettings())
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        web_assistant = build(Path(tmp) / "web", embeddings)
        web_errors = 0
        for round_no in range(1, args.rounds + 1):  # later rounds show whether memory settles
            web = web_load(web_assistant, args.questions, args.clients)
            web_errors += len(web["errors"])
            answered = sum(not r["refused"] for r in web["results"])
            print(
                f"web /ask round {round_no}: {len(web['results'])} answers ({answered} not "
                f"refused), {len(web['errors'])} errors, {args.clients} clients, "
                f"wall {web['wall_s']:.1f} s, p50 {web['p50_ms']:.0f} ms, "
                f"p95 {web['p95_ms']:.0f} ms, "
                f"RSS {web['rss_before_mb']:.0f} -> {web['rss_after_mb']:.0f} MB"
            )
        slack = slack_load(build(Path(tmp) / "slack", embeddings), args.questions, args.clients)
        print(
            f"slack: {slack['sent']} questions sent in {slack['wall_s']:.1f} s, "
            f"{slack['answered']} answered, {slack['clicks']} feedback clicks "
            f"(HTTP {slack['click_statuses']}), {slack['feedback_rows']} feedback rows stored, "
            f"{len(slack['errors'])} errors, {len(slack['error_replies'])} error replies, "
            f"RSS {slack['rss_before_mb']:.0f} -> {slack['rss_after_mb']:.0f} MB"
        )
        failures = web_errors + len(slack["errors"]) + len(slack["error_replies"])
        failures += slack["feedback_rows"] != slack["clicks"]
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
