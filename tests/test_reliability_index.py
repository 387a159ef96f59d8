"""Crashes and concurrency with real processes: `assistant index` killed with SIGKILL at
random points, two indexers at once, questions during a sync, a damaged or deleted index
and `assistant index --rebuild` (which never touches the feedback store).

The subprocesses use the deterministic fake embedding (``ASSISTANT_EMBEDDING__FAKE=1``) so
that a sync of a few thousand chunks takes seconds; the crash-safety logic is the same.
``scripts/crash_loop.py`` runs the kill loop at a larger scale and prints figures.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.core import Assistant
from assistant.feedback import FeedbackStore
from assistant.index.embeddings import HashingEmbeddings
from assistant.settings import Settings
from tests.conftest import HIKVISION_QUESTION, copy_corpus

REPO = Path(__file__).resolve().parent.parent
_WORDS = (
    "order minister act review security investment company camera video board court "
    "regulator notice filing appeal decision statement closure market export licence "
    "agency report hearing judge policy network supplier contract audit risk data "
    "province federal council committee budget evidence witness inquiry"
)
WORDS = _WORDS.split(" ")


def make_corpus(folder: Path, n_files: int, seed: int = 0, paragraphs: int = 8) -> Path:
    """``n_files`` synthetic articles with a header, each ~``paragraphs`` x 600 characters."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    for i in range(n_files):
        write_article(folder / f"doc_{i:04d}.txt", rng, f"Synthetic report {i}", paragraphs)
    return folder


def write_article(path: Path, rng: random.Random, title: str, paragraphs: int = 8) -> None:
    body = []
    for _ in range(paragraphs):
        sentences = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))).capitalize() + "."
            for _ in range(6)
        ]
        body.append(" ".join(sentences))
    date = f"2025-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
    path.write_text(
        f"Title: {title}\nPublisher: Test Wire\nDate: {date}\n---\n\n" + "\n\n".join(body) + "\n",
        encoding="utf-8",
    )


def mutate_corpus(folder: Path, rng: random.Random, step: int) -> None:
    """Change, delete and add files, as staff do between syncs."""
    files = sorted(folder.glob("*.txt"))
    victim = rng.choice(files)
    victim.write_text(victim.read_text(encoding="utf-8") + f"\nAddendum {step}.\n", "utf-8")
    rng.choice([f for f in files if f != victim]).unlink()
    write_article(folder / f"new_{step:03d}.txt", rng, f"Late report {step}")


def cli_env(corpus: Path, index: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "ASSISTANT_CORPUS_DIR": str(corpus),
        "ASSISTANT_INDEX_DIR": str(index),
        "ASSISTANT_EMBEDDING__FAKE": "1",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
    }
    env.update(extra)
    return env


def start_index(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "index", *args],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_index(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", "index", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def open_index(corpus: Path, index: Path) -> Assistant:
    settings = Settings(
        corpus_dir=corpus, index_dir=index, feedback_path=index.parent / "feedback.sqlite"
    )
    return Assistant(settings, embeddings=HashingEmbeddings())


def consistency_problems(corpus: Path, index: Path, fresh_index: Path) -> list[str]:
    """Everything wrong with ``index`` compared with a fresh index of the same corpus."""
    assistant = open_index(corpus, index)
    problems = []
    state_ids = assistant.index.state.chunk_ids()
    chroma_ids = assistant.index.store.collection.get(include=[])["ids"]
    bm25_ids = assistant.index.refresh_bm25().ids
    for name, ids in (("state", state_ids), ("chroma", chroma_ids), ("bm25", bm25_ids)):
        if len(ids) != len(set(ids)):
            problems.append(f"{name} has {len(ids) - len(set(ids))} duplicate ids")
    if set(chroma_ids) != set(state_ids):
        problems.append(
            f"chroma vs state: {len(set(chroma_ids) - set(state_ids))} orphans, "
            f"{len(set(state_ids) - set(chroma_ids))} missing"
        )
    if set(bm25_ids) != set(state_ids):
        problems.append("bm25 ids differ from the state")
    fresh = open_index(corpus, fresh_index)
    fresh.sync()
    expected = set(fresh.index.state.chunk_ids())
    if set(state_ids) != expected:
        problems.append(
            f"state vs fresh index: {len(set(state_ids) - expected)} extra, "
            f"{len(expected - set(state_ids))} missing"
        )
    if set(assistant.index.state.files()) != set(fresh.index.state.files()):
        problems.append("indexed files differ from the corpus")
    # Every vector's stored text is its chunk's text (no half-written rows).
    got = assistant.index.store.collection.get(ids=state_ids[:200], include=["documents"])
    texts = dict(assistant.index.chunks_by_id(state_ids[:200]))
    for cid, doc in zip(got["ids"], got["documents"], strict=True):
        if texts[cid][0] != doc:
            problems.append(f"vector {cid} holds other text than its chunk")
            break
    return problems


def kill_loop(
    corpus: Path, index: Path, kills: int, seed: int, max_delay: float, mutate_every: int = 3
) -> dict[str, object]:
    """Start `assistant index`, wait until it holds the index lock (the sync has begun), then
    SIGKILL it after a random 0..``max_delay`` s; ``kills`` times, changing the corpus now and
    then. Then run it to completion. Returns figures and the final run's output."""
    rng = random.Random(seed)
    env = cli_env(corpus, index)
    killed = finished = 0
    delays = []
    while killed < kills:
        if killed and killed % mutate_every == 0:
            mutate_corpus(corpus, rng, killed)
        proc = start_index(env)
        assert _wait_for_lock_holder(index, proc) or proc.poll() is not None
        delay = rng.uniform(0.0, max_delay)
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            killed += 1
            delays.append(delay)
        else:  # the sync finished first: give the next one work again
            finished += 1
            if rng.random() < 0.5:
                run_index(env, "--rebuild")
            for _ in range(3):
                mutate_corpus(corpus, rng, 1000 + finished * 10 + _)
        proc.stdout.close()
        proc.stderr.close()
    final = run_index(env)
    return {
        "kills": killed,
        "runs_finished_before_kill": finished,
        "mean_kill_delay_s": round(sum(delays) / len(delays), 2),
        "final_returncode": final.returncode,
        "final_stdout": final.stdout,
        "final_stderr": final.stderr,
    }


def timed_full_sync(corpus: Path, index: Path) -> float:
    start = time.monotonic()
    result = run_index(cli_env(corpus, index))
    assert result.returncode == 0, result.stderr
    return time.monotonic() - start


@pytest.mark.slow
def test_sigkill_at_random_points_then_rerun_leaves_a_consistent_index(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus", 120, seed=1)
    index = tmp_path / "index"
    # A first complete index, so kills also hit incremental syncs (updates and removals).
    startup_and_sync = timed_full_sync(corpus, index)
    mutate_corpus(corpus, random.Random(5), 0)
    for extra in range(60):
        write_article(corpus / f"bulk_{extra:03d}.txt", random.Random(extra), f"Bulk {extra}")

    # 6 kills here to keep CI short (~2.5 s of process start each); scripts/crash_loop.py
    # does 25 on a bigger corpus.
    figures = kill_loop(corpus, index, kills=6, seed=7, max_delay=startup_and_sync / 2)

    assert figures["kills"] == 6
    assert figures["final_returncode"] == 0, figures["final_stderr"]
    assert "index consistent" in figures["final_stdout"]
    assert consistency_problems(corpus, index, tmp_path / "fresh") == []


def _wait_for_lock_holder(index: Path, proc: subprocess.Popen, timeout: float = 60) -> bool:
    """True once ``proc`` holds the index lock (its pid is written in ``.lock``)."""
    lock = index / ".lock"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if lock.exists() and lock.read_text().strip() == str(proc.pid):
            return True
        time.sleep(0.02)
    return False


@pytest.mark.slow
def test_second_indexer_exits_with_a_clear_message_and_questions_use_the_last_index(
    tmp_path: Path,
) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    asking = open_index(corpus, index)
    asking.sync()
    before_sources = set(asking.index.state.files())
    version = asking.index.state.version()
    # A big change: the next sync takes a few seconds (1,500 files since indexing got faster:
    # with 600 the first indexer could commit before the second one had started).
    make_corpus(corpus, 1500, seed=3)

    first = start_index(cli_env(corpus, index))
    try:
        assert _wait_for_lock_holder(index, first), first.communicate()
        second = run_index(cli_env(corpus, index), timeout=120)
        assert second.returncode == 2
        assert f"another `assistant index` (pid {first.pid})" in second.stderr
        assert "Traceback" not in second.stderr

        answered_before_commit = 0
        while first.poll() is None:
            answer = asking.ask(HIKVISION_QUESTION)
            committed = asking.index.state.version() != version
            assert not answer.refused and answer.citations
            for c in answer.citations:
                assert asking.index.document_text(c.source)[c.start : c.end] == c.quote
            if not committed:
                assert {c.source for c in answer.citations} <= before_sources
                answered_before_commit += 1
        assert answered_before_commit >= 1
    finally:
        if first.poll() is None:
            first.kill()
        out, err = first.communicate()
    assert first.returncode == 0, err
    assert "added 1500" in out and "index consistent" in out
    # Once the sync committed, the same reader sees the new documents.
    hits = asking.retriever.retrieve("Synthetic report 123 regulator", k=50)
    assert any(d.metadata["source"].startswith("doc_") for d in hits)


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path, FeedbackStore, dict[str, str]]:
    corpus = copy_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    feedback = FeedbackStore(tmp_path / "feedback.sqlite")
    feedback.record(rating="up", question="q", answer="a", channel="web")
    env = cli_env(corpus, index, ASSISTANT_FEEDBACK_PATH=str(feedback.path))
    result = run_index(env)
    assert result.returncode == 0, result.stderr
    return corpus, index, feedback, env


def _ask(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ask", HIKVISION_QUESTION, "--json"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _damage_state(index: Path) -> None:
    for name in ("state.sqlite-wal", "state.sqlite-shm"):
        (index / name).unlink(missing_ok=True)
    (index / "state.sqlite").write_bytes(b"this is not a database " * 200)


def _damage_chroma_file(index: Path) -> None:
    (index / "chroma" / "chroma.sqlite3").write_bytes(os.urandom(20000))


def _delete_chroma(index: Path) -> None:
    import shutil

    shutil.rmtree(index / "chroma")


@pytest.mark.slow
@pytest.mark.parametrize("damage", [_damage_state, _damage_chroma_file, _delete_chroma])
def test_a_damaged_index_is_named_and_rebuild_recreates_it_without_touching_feedback(
    built: tuple[Path, Path, FeedbackStore, dict[str, str]], damage
) -> None:  # noqa: ANN001
    corpus, index, feedback, env = built
    feedback_bytes = feedback.path.read_bytes()
    damage(index)

    asked = _ask(env)
    assert asked.returncode == 2
    assert "assistant index --rebuild" in asked.stderr and "Traceback" not in asked.stderr

    rebuilt = run_index(env, "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "added 11" in rebuilt.stdout and "index consistent" in rebuilt.stdout
    assert consistency_problems(corpus, index, index.parent / "fresh") == []
    assert _ask(env).returncode == 0
    assert feedback.path.read_bytes() == feedback_bytes
    assert [r["question"] for r in feedback.rows()] == ["q"]


def test_a_sync_restores_vectors_missing_from_the_store(
    fake_assistant: Assistant, tmp_path: Path
) -> None:
    index = fake_assistant.index
    ids = index.state.chunk_ids()
    index.store.delete(ids[:5])
    with pytest.raises(Exception, match="assistant index --rebuild"):
        index.check()
    report = fake_assistant.sync()
    assert report.vectors_restored == 5 and report.consistent
    assert index.store.ids() == set(ids)
    index.check()


def test_the_sync_report_says_when_orphan_vectors_were_removed(
    fake_assistant: Assistant,
) -> None:
    index = fake_assistant.index
    vector = HashingEmbeddings().embed_query("orphan")
    index.store.upsert(["orphan-1"], ["left by a crash"], [{"source": "gone.txt"}], [vector])
    report = fake_assistant.sync()
    assert report.stale_vectors_removed == 1 and report.consistent
    assert "orphan-1" not in index.store.ids()


def test_rebuild_keeps_a_feedback_store_kept_inside_the_index_folder(tmp_path: Path) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    store = FeedbackStore(index / "feedback.sqlite")
    store.record(rating="down", question="kept?", answer="yes", channel="slack")
    env = cli_env(corpus, index, ASSISTANT_FEEDBACK_PATH=str(store.path))
    result = run_index(env, "--rebuild")
    assert result.returncode == 0, result.stderr
    assert [r["question"] for r in store.rows()] == ["kept?"]
