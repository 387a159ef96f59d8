"""Load and chunk the files a sync must (re)index, streamed, in a helper process when many.

Loading and chunking is pure Python, and Chroma's client holds the interpreter lock while
it writes: in one process the two take turns on one core. A helper process loads and
chunks the next files while this one embeds and writes, so a large corpus uses both
cores. Results come back in corpus order, at most ``AHEAD`` groups ahead of the consumer,
so memory stays bounded by a few groups of documents, not the corpus.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from assistant.ingest.chunking import Chunk, chunk_document
from assistant.ingest.documents import DocumentError, SourceDocument, load_document
from assistant.settings import Settings

HELPER_MIN_FILES = 200  # fewer files load faster in-process than a helper takes to start
GROUP = 32  # files per task sent to the helper
AHEAD = 4  # groups in flight: enough to keep the helper busy, few enough to bound memory


@dataclass
class Loaded:
    """One file after loading and chunking: either ``doc`` and ``chunks``, or ``error``."""

    source: str
    digest: str
    doc: SourceDocument | None = None
    chunks: list[Chunk] = field(default_factory=list)
    error: str | None = None


def load_and_chunk(path: Path, source: str, digest: str, root: Path, settings: Settings) -> Loaded:
    """Load one file and cut it into chunks; a bad file becomes an ``error``, never raises."""
    try:
        doc = load_document(path, root, settings.documents)
    except DocumentError as exc:
        return Loaded(source, digest, error=exc.reason)
    except Exception as exc:  # noqa: BLE001 - a loader bug must not stop the corpus
        return Loaded(source, digest, error=f"could not be read ({type(exc).__name__}: {exc})")
    return Loaded(source, digest, doc, chunk_document(doc, settings.chunking, digest))


def _load_group(items: list[tuple[Path, str, str]], root: Path, settings: Settings) -> list[Loaded]:
    return [load_and_chunk(path, source, digest, root, settings) for path, source, digest in items]


def stream_loaded(
    items: list[tuple[Path, str, str]], root: Path, settings: Settings
) -> Iterator[Loaded]:
    """``load_and_chunk`` of every (path, source, digest), in order."""
    if len(items) < HELPER_MIN_FILES or (os.cpu_count() or 1) < 2:
        for path, source, digest in items:
            yield load_and_chunk(path, source, digest, root, settings)
        return
    groups = [items[i : i + GROUP] for i in range(0, len(items), GROUP)]
    with _Helper(root, settings) as helper:
        sent = 0
        for received in range(len(groups)):
            while sent < len(groups) and sent - received < AHEAD:
                helper.send(groups[sent])
                sent += 1
            yield from helper.receive()


class _Helper:
    """A child Python process running ``serve``: groups of files in, ``Loaded`` lists out.

    A plain subprocess rather than ``multiprocessing``: this process runs Chroma's and
    torch's threads, which ``fork`` would copy in whatever state they are in, and
    ``spawn`` re-runs the caller's script, which breaks scripts without a main guard.
    """

    def __init__(self, root: Path, settings: Settings) -> None:
        package_parent = str(Path(__file__).resolve().parents[1])
        path = os.environ.get("PYTHONPATH")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_parent, path]))}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from assistant.ingest.stream import serve; serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        self.send((root, settings))

    def send(self, message: object) -> None:
        pickle.dump(message, self.proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        self.proc.stdin.flush()

    def receive(self) -> list[Loaded]:
        try:
            return pickle.load(self.proc.stdout)
        except EOFError:
            raise RuntimeError(
                f"the helper process that loads files for indexing stopped (exit code "
                f"{self.proc.wait()}); its error is above. Run `assistant index` again."
            ) from None

    def __enter__(self) -> _Helper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def serve() -> None:
    """The helper's loop: read (root, settings), then groups of files until end of input."""
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    root, settings = pickle.load(source)
    while True:
        try:
            group = pickle.load(source)
        except EOFError:
            return
        pickle.dump(_load_group(group, root, settings), sink, protocol=pickle.HIGHEST_PROTOCOL)
        sink.flush()
