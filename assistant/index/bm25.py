"""Lexical retrieval with bm25s, kept in step with the committed index state.

The BM25 index is derived data: it is rebuilt from the state's chunks whenever
its recorded state version differs (after a sync, or after a crash), and saved
next to the Chroma store so a warm start does not re-tokenize the corpus.
Each chunk's terms are saved with it (``TermTable``): chunk ids are content
hashes, so a rebuild after a change tokenizes only the chunks that are new.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.ingest.text import terms

# Lucene/Anserini's default BM25 parameters; on the Vaswani benchmark they beat bm25s'
# (1.2, 0.75) for BM25 alone and for hybrid (evals/RESULTS.md).
BM25_PARAMS = {"k1": 0.9, "b": 0.4}


# Terms a caller adds to the query (words derived from the asked ones: "employees" for
# "employ") count for less than the asked words themselves.
EXTRA_TERM_WEIGHT = 0.5

EMPTY_TERM = "\u2205"  # stands in for a chunk without content terms


@dataclass
class TermTable:
    """Every chunk's terms as ids into one vocabulary, row ``i`` for ``ids[i]``."""

    ids: list[str]
    vocab: list[str]
    tokens: np.ndarray  # int32 term ids of all chunks, concatenated
    offsets: np.ndarray  # int64, len(ids) + 1: chunk i is tokens[offsets[i]:offsets[i + 1]]

    @classmethod
    def build(
        cls, ids: list[str], texts: Mapping[str, str], previous: TermTable | None
    ) -> TermTable:
        """Terms of ``ids``: reused from ``previous`` where known, else tokenized from ``texts``."""
        known = {cid: i for i, cid in enumerate(previous.ids)} if previous else {}
        vocab = {term: i for i, term in enumerate(previous.vocab)} if previous else {}
        rows: list[np.ndarray] = []
        for cid in ids:
            if cid in known:
                i = known[cid]
                rows.append(previous.tokens[previous.offsets[i] : previous.offsets[i + 1]])
            else:
                toks = terms(texts[cid]) or [EMPTY_TERM]
                ids_ = [vocab.setdefault(t, len(vocab)) for t in toks]
                rows.append(np.asarray(ids_, dtype=np.int32))
        tokens = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int32)
        # Drop the terms only removed chunks had: the vocabulary says what the corpus contains.
        used = np.unique(tokens)
        remap = np.zeros(len(vocab), dtype=np.int32)
        remap[used] = np.arange(len(used), dtype=np.int32)
        words = list(vocab)
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(r) for r in rows], out=offsets[1:])
        return cls(list(ids), [words[i] for i in used], remap[tokens], offsets)

    def rows(self) -> list[list[int]]:
        return [t.tolist() for t in np.split(self.tokens, self.offsets[1:-1])]

    def save(self, folder: Path) -> None:
        np.save(folder / "tokens.npy", self.tokens)
        np.save(folder / "offsets.npy", self.offsets)
        (folder / "terms.json").write_text(json.dumps({"ids": self.ids, "vocab": self.vocab}))

    @classmethod
    def load(cls, folder: Path) -> TermTable | None:
        """The saved table, or None (missing, damaged or from an older version: tokenize all)."""
        try:
            meta = json.loads((folder / "terms.json").read_text())
            table = cls(
                meta["ids"],
                meta["vocab"],
                np.load(folder / "tokens.npy"),
                np.load(folder / "offsets.npy"),
            )
        except (OSError, ValueError, KeyError):
            return None
        consistent = (
            len(table.offsets) == len(table.ids) + 1
            and table.offsets[-1] == len(table.tokens)
            and (not len(table.tokens) or int(table.tokens.max()) < len(table.vocab))
        )
        return table if consistent else None


class BM25Index:
    """bm25s over stemmed content terms; ``ids[i]`` is the chunk id of row ``i``."""

    def __init__(
        self, ids: list[str], model: object | None, version: int, table: TermTable | None = None
    ) -> None:
        self.ids = ids
        self.model = model
        self.version = version
        self.table = table  # kept only until saved: searching never needs it
        self.position = {cid: i for i, cid in enumerate(ids)}

    @classmethod
    def build(
        cls,
        ids: list[str],
        texts: Mapping[str, str],
        version: int,
        previous: TermTable | None = None,
    ) -> BM25Index:
        """Index ``ids``; ``texts`` needs only the chunks the ``previous`` table lacks."""
        import bm25s
        from bm25s.tokenization import Tokenized

        if not ids:
            return cls([], None, version)
        table = TermTable.build(ids, texts, previous)
        model = bm25s.BM25(**BM25_PARAMS)
        vocab = {term: i for i, term in enumerate(table.vocab)}
        model.index(Tokenized(ids=table.rows(), vocab=vocab), show_progress=False)
        return cls(ids, model, version, table)

    def save(self, folder: Path) -> None:
        """Write to a temp folder, then swap it in, so a crash never leaves half a file."""
        tmp = folder.with_name(folder.name + f".tmp{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        try:
            if self.model is not None:
                self.model.save(str(tmp / "model"))
            if self.table is not None:
                self.table.save(tmp)
                self.table = None
            meta = {"version": self.version, "ids": self.ids, "params": BM25_PARAMS}
            (tmp / "ids.json").write_text(json.dumps(meta))
        except BaseException:  # e.g. a full disk: leave no half-written copy behind
            shutil.rmtree(tmp, ignore_errors=True)
            raise
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

    def document_frequency(self, term: str) -> int:
        """In how many chunks a stemmed term occurs (0 for a term the corpus never uses)."""
        if self.model is None:
            return 0
        token = self.model.vocab_dict.get(term)
        if token is None:
            return 0
        indptr = self.model.scores["indptr"]
        return int(indptr[token + 1] - indptr[token])

    def scores(self, query: str, extra_terms: Collection[str] = ()) -> np.ndarray:
        """BM25 score of every chunk for ``query``, plus ``EXTRA_TERM_WEIGHT`` times the
        score for the stemmed ``extra_terms`` not in it (zeros when no term matches)."""
        if self.model is None:
            return np.zeros(0, dtype=np.float32)
        asked = terms(query)
        extra = sorted(set(extra_terms) - set(asked))
        total = np.zeros(len(self.ids), dtype=np.float32)
        for group, weight in ((asked, 1.0), (extra, EXTRA_TERM_WEIGHT)):
            known = [t for t in group if t in self.model.vocab_dict]
            if known:
                total += weight * np.asarray(self.model.get_scores(known), dtype=np.float32)
        return total

    def search(
        self,
        query: str,
        k: int,
        allowed: np.ndarray | None = None,
        extra_terms: Collection[str] = (),
    ) -> list[tuple[str, float]]:
        """Top ``k`` (chunk id, score) with a positive score, optionally masked."""
        scores = self.scores(query, extra_terms)
        if scores.size == 0:
            return []
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        k = min(k, scores.size)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]
