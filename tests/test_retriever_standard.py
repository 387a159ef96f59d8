"""LangChain's own standard retriever tests (``langchain-tests``) run against
``HybridRetriever`` on a real embedded Chroma index of the sample corpus (fake embedding),
plus the options the README advertises, sync and async, per call and in the constructor."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from langchain_core.documents import Document
from langchain_tests.integration_tests import RetrieversIntegrationTests
from pydantic import ValidationError

from assistant.answer.retrieval import Filters, HybridRetriever
from assistant.core import Assistant
from assistant.index.corpus_index import CorpusIndex
from assistant.index.embeddings import HashingEmbeddings
from assistant.settings import RetrievalSettings, Settings
from tests.conftest import copy_corpus

QUERY = "Who ordered the closure of Hikvision's Canadian business?"
COURT = "Federal Court of Canada"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    root = tmp_path_factory.mktemp("standard")
    settings = Settings(
        corpus_dir=copy_corpus(root / "corpus"),
        index_dir=root / "index",
        feedback_path=root / "feedback.sqlite",
    )
    assistant = Assistant(settings, embeddings=HashingEmbeddings())
    assert assistant.sync().ok
    return assistant


@pytest.fixture(scope="module")
def corpus_index(indexed: Assistant) -> CorpusIndex:
    return indexed.index


class TestHybridRetrieverStandard(RetrieversIntegrationTests):
    """The standard suite, untouched: constructor ``k``, per-call ``k``, invoke, ainvoke."""

    index: CorpusIndex

    @pytest.fixture(autouse=True)
    def _index(self, corpus_index: CorpusIndex) -> None:
        self.index = corpus_index

    @property
    def retriever_constructor(self) -> type[HybridRetriever]:
        return HybridRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"index": self.index, "settings": RetrievalSettings(), "k": 2}

    @property
    def retriever_query_example(self) -> str:
        return QUERY


@pytest.fixture
def retriever(corpus_index: CorpusIndex) -> HybridRetriever:
    return HybridRetriever(index=corpus_index)


def test_unknown_constructor_arguments_are_rejected(corpus_index: CorpusIndex) -> None:
    with pytest.raises(ValidationError, match="top_k"):
        HybridRetriever(index=corpus_index, top_k=3)
    with pytest.raises(ValidationError, match="mode"):
        HybridRetriever(index=corpus_index, mode="semantic")
    with pytest.raises(ValueError, match="'publisher'"):
        HybridRetriever(index=corpus_index, filters={"publisher": ["CBC"]})


def test_constructor_defaults_and_per_call_overrides(corpus_index: CorpusIndex) -> None:
    court = HybridRetriever(
        index=corpus_index, k=2, mode="bm25", filters={"publishers": ["federal court"]}
    )
    docs = court.invoke(QUERY)
    assert len(docs) == 2 and {d.metadata["publisher"] for d in docs} == {COURT}
    assert all("bm25_score" in d.metadata and "dense_score" not in d.metadata for d in docs)
    # a call's own options win over the constructor's
    other = court.invoke(QUERY, k=2, mode="dense", filters={"sources": ["18"]})
    assert len(other) == 2 and {d.metadata["source"][:2] for d in other} == {"18"}
    assert all("dense_score" in d.metadata for d in other)
    assert HybridRetriever(index=corpus_index).invoke(QUERY) == HybridRetriever(
        index=corpus_index, k=RetrievalSettings().k
    ).invoke(QUERY)


def test_dict_filters_are_accepted_and_unknown_keys_are_errors(retriever: HybridRetriever) -> None:
    docs = retriever.invoke(QUERY, filters={"publishers": "federal court", "date_from": "2025"})
    assert docs and {d.metadata["publisher"] for d in docs} == {COURT}
    assert docs == retriever.invoke(QUERY, filters=Filters(publishers=["federal court"]))
    with pytest.raises(ValueError, match="unknown filter key 'publisher'.*publishers"):
        retriever.invoke(QUERY, filters={"publisher": ["federal court"]})
    with pytest.raises(ValueError, match="invalid filters"):
        retriever.invoke(QUERY, filters={"sources": 13})


def test_k_zero_returns_nothing_and_a_negative_k_is_an_error(retriever: HybridRetriever) -> None:
    assert retriever.invoke(QUERY, k=0) == []
    assert HybridRetriever(index=retriever.index, k=0).invoke(QUERY) == []
    with pytest.raises(ValueError, match="k must be"):
        retriever.invoke(QUERY, k=-1)
    with pytest.raises(ValidationError):
        HybridRetriever(index=retriever.index, k=-1)


def test_an_unknown_mode_is_an_error_not_an_empty_list(retriever: HybridRetriever) -> None:
    with pytest.raises(ValueError, match="unknown retrieval mode 'semantic'.*hybrid"):
        retriever.invoke(QUERY, mode="semantic")


def test_async_calls_take_the_same_per_call_options(retriever: HybridRetriever) -> None:
    async def run() -> tuple[list[Document], list[list[Document]], list[Document]]:
        one = await retriever.ainvoke(
            QUERY, k=2, mode="bm25", filters={"publishers": ["federal court"]}
        )
        many = await retriever.abatch([QUERY, "Investment Canada Act"], k=2, mode="dense")
        none = await retriever.ainvoke(QUERY, k=0)
        return one, many, none

    one, many, none = asyncio.run(run())
    assert one == retriever.invoke(QUERY, k=2, mode="bm25", filters={"publishers": "federal court"})
    assert len(one) == 2 and {d.metadata["publisher"] for d in one} == {COURT}
    assert [len(docs) for docs in many] == [2, 2]
    assert many[1] == retriever.invoke("Investment Canada Act", k=2, mode="dense")
    assert none == []
    with pytest.raises(ValueError, match="unknown retrieval mode"):
        asyncio.run(retriever.ainvoke(QUERY, mode="nope"))
    assert [len(d) for d in retriever.batch([QUERY, QUERY], k=1)] == [1, 1]


def test_ask_rejects_a_misspelled_filter_key(indexed: Assistant) -> None:
    with pytest.raises(ValueError, match="unknown filter key 'publisher'"):
        indexed.ask(QUERY, filters={"publisher": ["Federal Court"]})
    with pytest.raises(ValueError, match="unknown filter key 'publisher'"):
        list(indexed.stream(QUERY, filters={"publisher": ["Federal Court"]}))
