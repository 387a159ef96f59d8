"""Helpers shared by the benchmark phases: timing, percentiles, process memory, paths."""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VASWANI = (REPO / ".." / "shared" / "bench" / "vaswani_npl").resolve()
PY = sys.executable
PHASES = ["indexing", "variants", "latency", "server", "concurrency", "scale-1000", "scale-10000"]

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def percentiles(values_ms: list[float]) -> dict[str, float]:
    if not values_ms:
        return {"p50": float("nan"), "p95": float("nan"), "n": 0}
    ordered = sorted(values_ms)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"p50": round(statistics.median(ordered), 1), "p95": round(p95, 1), "n": len(ordered)}


def timed_ms(fn: Callable[[], object]) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return (time.perf_counter() - t0) * 1000, out


def peak_rss_mb() -> float:
    """Peak resident memory of this process (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def folder_mb(path: Path) -> float:
    files = list(path.rglob("*")) if path.is_dir() else list(path.parent.glob(path.name + "*"))
    total = sum(p.stat().st_size for p in files if p.is_file())
    return round(total / 1e6, 1)


def head_commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()


def write_result(work: Path, phase: str, data: dict) -> None:
    """Save a phase's figures, stamped with when and at which commit they were measured."""
    work.mkdir(parents=True, exist_ok=True)
    stamped = {**data, "measured": {"at": time.strftime("%Y-%m-%d %H:%M"), "commit": head_commit()}}
    (work / f"{phase}.json").write_text(json.dumps(stamped, indent=2, default=str))


def read_result(work: Path, phase: str) -> dict | None:
    path = work / f"{phase}.json"
    return json.loads(path.read_text()) if path.exists() else None


def run_phase(phase: str, work: Path, *args: str) -> int:
    """Each phase runs in its own process: fresh memory peak, cold caches, no shared state."""
    cmd = [PY, str(Path(__file__).parent), "phase", phase, "--work", str(work), *args]
    print(f"\n=== {phase}: {' '.join(cmd[2:])}", flush=True)
    return subprocess.call(cmd, cwd=REPO)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)
