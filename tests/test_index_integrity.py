"""Index integrity at the edges: another embedding model or chunking, orphan vectors left
by an interrupted sync, a truncated state file, oversized and zip-bomb documents.

Real Chroma and real files throughout; the embedding is the deterministic fake (and
variants of it standing for "another model"), because what is checked is which vectors
the index keeps, not how good they are.
"""

from __future__ import annotations

import html
import io
import json
import os
import queue
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from assistant.core import Assistant
from assistant.index.embeddings import HashingEmbeddings
from assistant.index.indexer import index_signature
from assistant.index.vectors import embedding_text
from assistant.ingest.documents import load_document
from assistant.settings import DocumentSettings, Settings
from tests.conftest import HIKVISION_QUESTION, CountingEmbeddings
from tests.fixtures_files import write_docx

REPO = Path(__file__).resolve().parent.parent


class OtherModel(Embeddings):
    """Stands for another model of the same dimension (e.g. onnx-int8 instead of torch):
    the fake's vectors, rotated, so that every stored vector must change."""

    def __init__(self) -> None:
        self.base = HashingEmbeddings()
        self.embedded: list[str] = []

    def _rotate(self, vector: list[float]) -> list[float]:
        return np.roll(np.asarray(vector), 7).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded.extend(texts)
        return [self._rotate(v) for v in self.base.embed_documents(texts)]

    def embed_query(self, text: str) -> list[float]:
        return self._rotate(self.base.embed_query(text))


def stored_vector(assistant: Assistant, chunk_id: str) -> np.ndarray:
    got = assistant.index.store.collection.get(ids=[chunk_id], include=["embeddings"])
    return np.asarray(got["embeddings"][0])


def assert_consistent(assistant: Assistant) -> None:
    ids = assistant.index.state.chunk_ids()
    assert assistant.index.store.ids() == set(ids)
    assert set(assistant.index.refresh_bm25().ids) == set(ids)


# --- 1. the index signature ------------------------------------------------------------


def test_another_model_of_the_same_dimension_re_embeds_every_chunk(
    fake_assistant: Assistant, make_settings
) -> None:  # noqa: ANN001
    total = len(fake_assistant.index.state.chunk_ids())
    other = OtherModel()
    switched = Assistant(make_settings(), embeddings=other)
    assert switched.needs_sync()

    report = switched.sync()

    assert report.vectors_reset and report.consistent
    assert report.chunks_embedded == total == len(other.embedded)
    assert len(report.updated) == 11
    chunk_id, text, meta = switched.index.state.all_chunks()[0]
    expected = other.embed_documents([embedding_text_of(text, meta)])[0]
    assert np.allclose(stored_vector(switched, chunk_id), expected, atol=1e-5)
    assert not switched.needs_sync()
    # A second sync embeds nothing and says so.
    other.embedded.clear()
    assert switched.sync().chunks_embedded == 0 and other.embedded == []


def test_a_crash_while_switching_models_never_keeps_old_vectors(
    fake_assistant: Assistant, make_settings, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    other = OtherModel()
    switched = Assistant(make_settings(), embeddings=other)

    def killed() -> None:
        raise KeyboardInterrupt("killed while dropping the old vectors")

    monkeypatch.setattr(switched.index.store, "reset", killed)
    with pytest.raises(KeyboardInterrupt):
        switched.sync()
    monkeypatch.undo()
    report = switched.sync()
    assert report.vectors_reset and report.chunks_embedded == report.chunks_total
    chunk_id, text, meta = switched.index.state.all_chunks()[0]
    expected = other.embed_documents([embedding_text_of(text, meta)])[0]
    assert np.allclose(stored_vector(switched, chunk_id), expected, atol=1e-5)


def embedding_text_of(text: str, meta: dict) -> str:
    from assistant.ingest.chunking import Chunk

    return embedding_text(Chunk("x", meta.get("source", ""), text, 0, 0, meta))


def test_a_model_of_another_dimension_re_embeds_and_dense_search_works(
    fake_assistant: Assistant, make_settings
) -> None:  # noqa: ANN001
    switched = Assistant(make_settings(), embeddings=HashingEmbeddings(dim=256))
    report = switched.sync()
    assert report.vectors_reset and report.consistent
    assert report.chunks_embedded == report.chunks_total
    hits = switched.retriever.retrieve(HIKVISION_QUESTION, mode="dense", k=5)
    assert len(hits) == 5 and all("dense_score" in d.metadata for d in hits)
    assert len(stored_vector(switched, hits[0].metadata["chunk_id"])) == 256


def test_readers_with_the_new_model_skip_old_vectors_until_the_sync(
    fake_assistant: Assistant, make_settings
) -> None:  # noqa: ANN001
    switched = Assistant(make_settings(), embeddings=HashingEmbeddings(dim=256))
    with pytest.raises(Exception, match="run `assistant index` to re-embed"):
        switched.index.check()
    # No dimension error and no ranking by foreign vectors: BM25 answers meanwhile.
    hits = switched.retriever.retrieve(HIKVISION_QUESTION, mode="hybrid", k=5)
    assert hits and all("dense_score" not in d.metadata for d in hits)
    answer = switched.ask(HIKVISION_QUESTION)
    assert answer.citations


def test_a_chunking_change_rechunks_and_embeds_only_new_chunks(
    fake_assistant: Assistant, make_settings
) -> None:  # noqa: ANN001
    before = set(fake_assistant.index.state.chunk_ids())
    embeddings = CountingEmbeddings()
    rechunked = Assistant(make_settings(chunking={"chunk_size": 400}), embeddings=embeddings)
    assert rechunked.needs_sync()
    report = rechunked.sync()
    after = set(rechunked.index.state.chunk_ids())
    assert after != before and not report.vectors_reset
    assert report.chunks_embedded == len(after - before) == len(embeddings.embedded)
    assert_consistent(rechunked)


def test_the_signature_names_model_backend_dimension_and_chunking() -> None:
    base = Settings()
    assert index_signature(base) != index_signature(Settings(embedding={"backend": "onnx"}))
    assert index_signature(base) != index_signature(Settings(embedding={"fake": True}))
    assert index_signature(base) != index_signature(Settings(chunking={"chunk_size": 500}))
    assert '"dimension": 384' in index_signature(base)
    assert index_signature(Settings(), HashingEmbeddings(dim=64)) != index_signature(
        Settings(), HashingEmbeddings()
    )


def test_a_title_edit_re_embeds_the_chunks_it_leads(
    fake_assistant: Assistant, corpus_dir: Path
) -> None:
    path = corpus_dir / "02_cp_feds_order_hikvision_close_2025-06-28.txt"
    text = path.read_text(encoding="utf-8")
    head, body = text.split("\n---\n", 1)
    lines = [
        "Title: A renamed report" if line.lower().startswith("title:") else line
        for line in head.splitlines()
    ]
    path.write_text("\n".join(lines) + "\n---\n" + body, encoding="utf-8")
    embeddings: CountingEmbeddings = fake_assistant.embeddings  # type: ignore[assignment]
    embeddings.embedded.clear()
    report = fake_assistant.sync()
    chunks = fake_assistant.index.state.chunk_ids(path.name)
    assert report.chunks_embedded == len(chunks) == len(embeddings.embedded)
    assert all(t.startswith("A renamed report\n") for t in embeddings.embedded)


@pytest.mark.slow
def test_cli_switching_the_model_asks_for_a_sync_then_re_embeds_everything(
    tmp_path: Path,
) -> None:
    from tests.conftest import copy_corpus
    from tests.test_reliability_index import cli_env

    corpus = copy_corpus(tmp_path / "corpus")
    env = cli_env(corpus, tmp_path / "index")
    assert cli(env, "index").returncode == 0
    other = {**env, "ASSISTANT_EMBEDDING__FAKE": "0"}  # the packaged MiniLM model

    asked = cli(other, "ask", HIKVISION_QUESTION)
    assert asked.returncode == 2 and "Traceback" not in asked.stderr
    assert "other embedding settings" in asked.stderr
    assert "run `assistant index` to re-embed" in asked.stderr

    synced = cli(other, "index")
    assert synced.returncode == 0, synced.stderr
    assert "every passage is embedded again" in synced.stdout
    assert (
        "updated 11" in synced.stdout and "(32 chunks embedded, 32 in the index)" in synced.stdout
    )
    assert cli(other, "ask", HIKVISION_QUESTION).returncode == 0


# --- 2. orphan vectors -----------------------------------------------------------------


def add_orphans(assistant: Assistant, n: int, text: str) -> None:
    """What an interrupted sync leaves: vectors not in the committed state, here all
    closer to ``text`` than any committed chunk."""
    vector = assistant.embeddings.embed_query(text)
    source = sorted(assistant.index.state.files())[0]
    for start in range(0, n, 2000):
        count = min(2000, n - start)
        assistant.index.store.upsert(
            [f"orphan-{start + i}" for i in range(count)],
            [text] * count,
            [{"source": source}] * count,
            [vector] * count,
        )


def test_orphan_vectors_never_crowd_out_committed_chunks(fake_assistant: Assistant) -> None:
    add_orphans(fake_assistant, 3000, HIKVISION_QUESTION)
    for mode in ("dense", "hybrid"):
        hits = fake_assistant.retriever.retrieve(HIKVISION_QUESTION, mode=mode, k=5)
        assert len(hits) == 5, mode
        live = set(fake_assistant.index.state.chunk_ids())
        assert all(d.metadata["chunk_id"] in live for d in hits)
    answer = fake_assistant.ask(HIKVISION_QUESTION, retrieval_mode="dense")
    assert not answer.refused and answer.citations


def test_a_few_uncommitted_vectors_cost_no_exact_search(fake_assistant: Assistant) -> None:
    """A sync in progress leaves a few vectors of changed files: HNSW asked for that many
    more still finds k committed chunks, so no reader loads every vector meanwhile."""
    store = fake_assistant.index.store
    texts = [f"Hikvision closure order note number {i}" for i in range(40)]
    vectors = fake_assistant.embeddings.embed_documents(texts)
    store.upsert([f"pending-{i}" for i in range(40)], texts, [{"source": "new.txt"}] * 40, vectors)
    hits = fake_assistant.retriever.retrieve(HIKVISION_QUESTION, mode="dense", k=5)
    assert len(hits) == 5 and not any(d.id.startswith("pending-") for d in hits)
    assert fake_assistant.index._exact is None


def test_orphans_make_the_index_need_a_sync_which_removes_them(
    fake_assistant: Assistant,
) -> None:
    assert not fake_assistant.needs_sync()
    add_orphans(fake_assistant, 500, "left by a crash")
    assert fake_assistant.needs_sync()  # `serve` checks this when it starts
    report = fake_assistant.sync()
    assert report.stale_vectors_removed == 500 and report.consistent
    assert not fake_assistant.needs_sync()


def test_a_reader_keeps_working_when_another_process_rebuilds_the_collection(
    fake_assistant: Assistant, make_settings
) -> None:  # noqa: ANN001
    """A compaction or a model change drops and recreates the Chroma collection; another
    process holding the old handle (a running `serve`) must not fail from then on."""
    reader = Assistant(make_settings(), embeddings=HashingEmbeddings())
    first = reader.retriever.retrieve(HIKVISION_QUESTION, mode="dense", k=3)
    fake_assistant.index.store.compact(fake_assistant.index.state.chunk_ids())
    again = reader.retriever.retrieve(HIKVISION_QUESTION, mode="dense", k=3)
    assert [d.id for d in again] == [d.id for d in first]


_WRITE_IN_ANOTHER_PROCESS = """
import sys
from pathlib import Path
from assistant.index.embeddings import HashingEmbeddings
from assistant.index.store import VectorStore
store = VectorStore(Path(sys.argv[1]), None, "chunks", HashingEmbeddings())
store.upsert(["added"], ["added later"], [{"source": "b.txt"}], [[0.0, 1.0, 0.0]])
"""


def test_a_reader_reads_the_vectors_another_process_added_after_it_opened_the_store(
    tmp_path: Path,
) -> None:
    """A running `serve` must read the vectors an `assistant index` run commits: embedded
    Chroma answers "Error finding id" for them until the store is opened again."""
    from assistant.index.store import VectorStore

    reader = VectorStore(tmp_path, None, "chunks", HashingEmbeddings())
    reader.upsert(["first"], ["first text"], [{"source": "a.txt"}], [[1.0, 0.0, 0.0]])
    assert reader.vectors(["first"])[0] == ["first"]
    writer = subprocess.run(
        [sys.executable, "-c", _WRITE_IN_ANOTHER_PROCESS, str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert writer.returncode == 0, writer.stderr

    ids, matrix = reader.vectors(["first", "added"])
    assert ids == ["first", "added"]
    assert matrix.tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_removing_many_orphans_gives_the_disk_space_back(fake_assistant: Assistant) -> None:
    chroma = fake_assistant.settings.index_dir / "chroma"
    clean = folder_bytes(chroma)
    add_orphans(fake_assistant, 3000, "left by a crash")
    bloated = folder_bytes(chroma)
    assert bloated > clean + 5_000_000

    report = fake_assistant.sync()

    assert report.stale_vectors_removed == 3000 and report.consistent
    after = folder_bytes(chroma)
    print(f"chroma folder: clean {clean:,} B, with 3,000 orphans {bloated:,} B, after {after:,} B")
    assert after < clean + (bloated - clean) // 4
    hits = fake_assistant.retriever.retrieve(HIKVISION_QUESTION, mode="dense", k=5)
    assert len(hits) == 5


# --- 3. a full disk ----------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path):  # noqa: ANN201 - yields the mount point
    """An 8 MB tmpfs (root only; CI runs as root)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs to fill up needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


@pytest.mark.slow
def test_a_full_disk_stops_the_sync_with_one_line_and_the_previous_index_answers(
    tmp_path: Path, small_disk: Path
) -> None:
    from tests.conftest import copy_corpus
    from tests.test_reliability_index import cli_env, make_corpus

    corpus = copy_corpus(tmp_path / "corpus")
    index = small_disk / "index"
    env = cli_env(corpus, index)
    assert cli(env, "index").returncode == 0
    make_corpus(corpus, 300, seed=4)  # ~25 MB of index: more than the disk holds

    full = cli(env, "index")

    assert full.returncode == 2 and "Traceback" not in full.stderr
    message = [line for line in full.stderr.splitlines() if line.strip()]
    assert len(message) == 1, full.stderr
    assert message[0].startswith(f"error: no space left on device at {index} ")
    assert "run `assistant index` again" in message[0]
    listed = cli(env, "sources")
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 11
    asked = cli(env, "ask", HIKVISION_QUESTION, "--json")
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["citations"]


def test_a_disk_that_fills_up_during_the_write_is_named_too(
    fake_assistant: Assistant, small_disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the disk fills up after the space check (another writer), Chroma fails with
    its own words ("Failed to apply logs..."): the error still says what happened."""
    import assistant.index.vectors
    from assistant.index.disk import IndexDiskFullError
    from tests.test_reliability_index import make_corpus

    moved = Assistant(
        fake_assistant.settings.model_copy(update={"index_dir": small_disk / "index"}),
        embeddings=HashingEmbeddings(),
    )
    assert moved.sync().consistent
    make_corpus(moved.settings.corpus_dir, 300, seed=4)
    monkeypatch.setattr(assistant.index.vectors, "chunk_bytes", lambda *_: 0)  # the check misses it
    with pytest.raises(IndexDiskFullError, match="no space left on device at"):
        moved.sync()


# --- 4. a truncated state file ---------------------------------------------------------


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.slow
def test_a_state_file_truncated_to_zero_bytes_is_reported_as_damage(tmp_path: Path) -> None:
    from tests.conftest import copy_corpus
    from tests.test_reliability_index import cli_env

    corpus = copy_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    env = cli_env(corpus, index)
    assert cli(env, "index").returncode == 0
    (index / "state.sqlite").write_bytes(b"")

    for command in (["sources"], ["ask", HIKVISION_QUESTION]):
        result = cli(env, *command)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert "state.sqlite is empty" in result.stderr
        assert "assistant index --rebuild" in result.stderr and "Traceback" not in result.stderr
    assert cli(env, "index").returncode == 2  # a plain sync does not paper over it

    rebuilt = cli(env, "index", "--rebuild")
    assert rebuilt.returncode == 0 and "added 11" in rebuilt.stdout
    assert "chunks" in cli(env, "sources").stdout


# --- 5. oversized and zip-bomb documents -------------------------------------------------


def write_docx_bomb(path: Path, chars: int) -> None:
    """A valid DOCX whose one paragraph repeats a letter ``chars`` times: tiny on disk."""
    write_docx(path, "Bomb", ["x"])
    with zipfile.ZipFile(path) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    xml = members["word/document.xml"].decode()
    members["word/document.xml"] = xml.replace(">x<", ">" + "A" * chars + "<", 1).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for name, data in members.items():
            target.writestr(name, data)
    path.write_bytes(buffer.getvalue())


def test_a_docx_bomb_and_an_oversized_text_are_refused_and_the_rest_indexes(
    corpus_dir: Path, make_settings
) -> None:  # noqa: ANN001
    write_docx_bomb(corpus_dir / "bomb.docx", 20_000_000)
    assert (corpus_dir / "bomb.docx").stat().st_size < 100_000
    (corpus_dir / "huge.txt").write_text("The depot closed on Monday. " * 200_000)  # 5.6M chars
    write_docx(corpus_dir / "memo.docx", "Memo", ["The minister signed the order."])

    assistant = Assistant(make_settings(), embeddings=HashingEmbeddings())
    report = assistant.sync()

    assert set(report.failed) == {"bomb.docx", "huge.txt"}
    assert "likely zip bomb" in report.failed["bomb.docx"]
    assert "documents.max_expansion" in report.failed["bomb.docx"]
    assert "over 5,000,000 characters" in report.failed["huge.txt"]
    assert "ASSISTANT_DOCUMENTS__MAX_CHARS" in report.failed["huge.txt"]
    assert len(report.added) == 12 and report.consistent  # 11 samples + memo.docx

    # The limit is a setting: raised, the same file loads.
    limits = DocumentSettings(max_chars=6_000_000)
    assert len(load_document(corpus_dir / "huge.txt", corpus_dir, limits).text) > 5_000_000


@pytest.mark.slow
def test_serve_listens_first_then_indexes_in_the_background(tmp_path: Path) -> None:
    """`assistant serve` with a corpus that changed a lot and orphans in the store: it
    answers over HTTP from the last complete index while its own background sync holds
    the index lock, then the sync finishes and the orphans are gone."""
    from gradio_client import Client

    from tests.conftest import copy_corpus, free_port
    from tests.test_reliability_index import (
        _wait_for_lock_holder,
        cli_env,
        make_corpus,
        open_index,
    )

    corpus = copy_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    env = cli_env(corpus, index, GRADIO_ANALYTICS_ENABLED="False")
    assert cli(env, "index").returncode == 0
    before = set(open_index(corpus, index).index.state.files())
    add_orphans(open_index(corpus, index), 2000, HIKVISION_QUESTION)
    make_corpus(corpus, 500, seed=3)  # a sync of several seconds

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = line_queue(proc)
    try:
        shown = read_until(lines, "Serving the assistant on", 120)
        shown += read_until(lines, "Indexing the corpus in the background", 30)
        assert "added" not in shown  # nothing was indexed before listening
        assert _wait_for_lock_holder(index, proc), shown  # the background sync has the lock
        answer = Client(f"http://127.0.0.1:{port}", verbose=False).predict(
            HIKVISION_QUESTION, [], {}, api_name="/ask"
        )
        still_indexing = (index / ".lock").exists() and proc.poll() is None
        assert answer["citations"]
        assert {c["source"] for c in answer["citations"]} <= before
        report = read_until(lines, "index consistent", 300)
        assert "added 500" in report and "2000 stale vectors removed" in report
        print(f"answered while indexing: {still_indexing}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    reopened = open_index(corpus, index)
    assert reopened.index.store.ids() == set(reopened.index.state.chunk_ids())


def line_queue(proc: subprocess.Popen) -> queue.Queue:
    lines: queue.Queue = queue.Queue()

    def pump() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def read_until(lines: queue.Queue, marker: str, timeout: float) -> str:
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        if marker in line:
            return "".join(seen)
    raise AssertionError(f"{marker!r} not seen in:\n{''.join(seen)}")


class BlockingEmbeddings(HashingEmbeddings):
    """The fake embedding, holding every document batch until ``release`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.release.wait(60)
        return super().embed_documents(texts)


def test_the_page_says_indexing_is_in_progress_then_that_it_is_done(
    corpus_dir: Path, make_settings
) -> None:  # noqa: ANN001
    from assistant.web.handlers import PageHandlers

    embeddings = BlockingEmbeddings()
    assistant = Assistant(make_settings(), embeddings=embeddings)
    pages = PageHandlers(assistant)
    job = assistant.sync_in_background()
    deadline = time.monotonic() + 30
    while "embedding" not in assistant.indexing_status() and time.monotonic() < deadline:
        time.sleep(0.02)
    text, timer = pages.indexing_state()
    text = html.unescape(text)
    assert "Indexing the corpus: embedding passages" in text
    assert "last complete index" in text and timer.active
    embeddings.release.set()
    assert job.wait(60) and job.report is not None and job.report.consistent
    text, timer = pages.indexing_state()
    assert (
        html.unescape(text) == f"Index up to date: {job.report.chunks_total} passages."
        and not timer.active
    )


def test_an_upload_during_start_up_indexing_waits_for_it_instead_of_failing(
    corpus_dir: Path, make_settings, tmp_path: Path
) -> None:  # noqa: ANN001
    from assistant.ingest.uploads import add_documents

    embeddings = BlockingEmbeddings()
    assistant = Assistant(make_settings(), embeddings=embeddings)
    assistant.sync_in_background()
    deadline = time.monotonic() + 30
    while "embedding" not in assistant.indexing_status() and time.monotonic() < deadline:
        time.sleep(0.02)
    upload = tmp_path / "note.txt"
    upload.write_text("Title: Depot note\n---\n\nThe depot closed on Monday.\n")
    results: list = []
    worker = threading.Thread(
        target=lambda: results.append(add_documents(assistant, [("note.txt", upload)]))
    )
    worker.start()
    worker.join(0.5)
    assert worker.is_alive()  # queued behind the background sync, not refused
    embeddings.release.set()
    worker.join(60)
    assert results and results[0].added == ["uploads/note.txt"] and not results[0].errors
    assert "uploads/note.txt" in assistant.index.state.files()


@pytest.mark.slow
def test_serve_loads_the_embedding_model_before_it_says_ready(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    import assistant.web.app
    from assistant.cli.main import app

    seen: dict[str, bool] = {}

    def launch(assistant: Assistant, **_: object) -> None:
        seen["model loaded"] = assistant.embeddings._model is not None  # type: ignore[attr-defined]
        raise RuntimeError("stop before serving")

    monkeypatch.setattr(assistant.web.app, "launch", launch)
    (tmp_path / "corpus").mkdir(exist_ok=True)
    result = CliRunner().invoke(app, ["serve", "--port", "0"])
    assert str(result.exception) == "stop before serving"
    assert seen == {"model loaded": True}
