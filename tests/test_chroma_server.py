"""Client/server mode against a real `chroma run` server on loopback."""

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.core import Assistant
from assistant.settings import Settings
from tests.conftest import HIKVISION_QUESTION, copy_corpus, free_port, serve_until_ready

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    url = f"http://127.0.0.1:{port}"
    command = [chroma, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)]
    for _ in serve_until_ready(command, f"{url}/api/v2/heartbeat", "chroma run", 30):
        yield url


def test_index_and_answer_through_a_chroma_server(
    chroma_url: str,
    tmp_path: Path,
    real_embeddings,  # noqa: ANN001
) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "state", chroma_url=chroma_url)
    assistant = Assistant(settings, embeddings=real_embeddings)
    report = assistant.sync()
    assert report.ok and len(report.added) == 11
    assert not (tmp_path / "state" / "chroma").exists()  # vectors live on the server
    assert assistant.index.store.count() == report.chunks_total

    answer = assistant.ask(HIKVISION_QUESTION)
    quotes = " ".join(c.quote for c in answer.citations)
    assert "Investment Canada Act" in quotes

    (corpus / "01_ani_joly_statement_hikvision_2025-06-28.txt").unlink()
    again = Assistant(settings, embeddings=real_embeddings).sync()
    assert again.removed == ["01_ani_joly_statement_hikvision_2025-06-28.txt"]
    assert assistant.index.store.count() == again.chunks_total


def test_unreachable_server_is_a_clear_error(tmp_path: Path, real_embeddings) -> None:  # noqa: ANN001
    from assistant.index.store import StoreUnavailableError

    settings = Settings(index_dir=tmp_path, chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StoreUnavailableError, match="chroma run"):
        Assistant(settings, embeddings=real_embeddings)
