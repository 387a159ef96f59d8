"""Lexical retrieval with bm25s, kept in step with the committed index state.

The BM25 index is derived data: it is rebuilt from the state's chunks whenever
its recorded state version differs (after a sync, or after a crash), and saved
next to the Chroma store so a warm start does not re-tokenize the corpus.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np

from assistant.text import terms

# Lucene/Anserini's default BM25 parameters; on the Vaswani benchmark they beat bm25s'
# (1.2, 0.75) for BM25 alone and for hybrid (evals/RESULTS.md).
BM25_PARAMS = {"k1": 0.9, "b": 0.4}


class BM25Index:
    """bm25s over stemmed content terms; ``ids[i]`` is the chunk id of row ``i``."""

    def __init__(self, ids: list[str], model: object | None, version: int) -> None:
        self.ids = ids
        self.model = model
        self.version = version
        self.position = {cid: i for i, cid in enumerate(ids)}

    @classmethod
    def build(cls, ids: list[str], texts: list[str], version: int) -> BM25Index:
        import bm25s

        if not ids:
            return cls([], None, version)
        corpus_tokens = [terms(t) or ["\u2205"] for t in texts]
        model = bm25s.BM25(**BM25_PARAMS)
        model.index(corpus_tokens, show_progress=False)
        return cls(ids, model, version)

    def save(self, folder: Path) -> None:
        """Write to a temp folder, then swap it in, so a crash never leaves half a file."""
        tmp = folder.with_name(folder.name + f".tmp{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.model is not None:
            self.model.save(str(tmp / "model"))
        meta = {"version": self.version, "ids": self.ids, "params": BM25_PARAMS}
        (tmp / "ids.json").write_text(json.dumps(meta))
        old = folder.with_name(folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            folder.rename(old)
        tmp.rename(folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> BM25Index | None:
        """The saved index, or None when missing or unreadable (caller rebuilds)."""
        import bm25s

        try:
            meta = json.loads((folder / "ids.json").read_text())
            if meta.get("params") != BM25_PARAMS:
                return None  # saved with other parameters: rebuild
            model = bm25s.BM25.load(str(folder / "model")) if meta["ids"] else None
        except (OSError, ValueError, KeyError):
            return None
        return cls(meta["ids"], model, int(meta["version"]))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for ``query`` (zeros when no term matches)."""
        if self.model is None:
            return np.zeros(0, dtype=np.float32)
        q = [t for t in terms(query) if t in self.model.vocab_dict]
        if not q:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self.model.get_scores(q), dtype=np.float32)

    def search(
        self, query: str, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[str, float]]:
        """Top ``k`` (chunk id, score) with a positive score, optionally masked."""
        scores = self.scores(query)
        if scores.size == 0:
            return []
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        k = min(k, scores.size)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]
