"""The page served for real on loopback: the ``/ask`` API with gradio_client, the login,
and ``assistant serve`` as a user starts it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from gradio_client import Client

from assistant.core import Assistant
from assistant.index.embeddings import HashingEmbeddings
from assistant.settings import Settings
from assistant.web.app import free_port, launch
from tests.conftest import HIKVISION_QUESTION, SAMPLE_CORPUS

pytestmark = pytest.mark.slow


def _assistant(root: Path, **web: object) -> Assistant:
    shutil.copytree(SAMPLE_CORPUS, root / "corpus")
    settings = Settings(
        corpus_dir=root / "corpus",
        index_dir=root / "index",
        feedback_path=root / "feedback.sqlite",
        web=web,
    )
    assistant = Assistant(settings, embeddings=HashingEmbeddings())
    assert assistant.sync().ok
    return assistant


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Assistant, str]]:
    assistant = _assistant(tmp_path_factory.mktemp("web"))
    demo, url = launch(assistant, host="127.0.0.1", port=0, prevent_thread_lock=True, quiet=True)
    yield assistant, url
    demo.close()


def test_ask_endpoint_returns_the_answer_object(served: tuple[Assistant, str]) -> None:
    assistant, url = served
    client = Client(url, verbose=False)
    result = client.predict(HIKVISION_QUESTION, api_name="/ask")
    assert set(result) >= {"question", "answer", "refused", "citations", "conflicts"}
    assert result["question"] == HIKVISION_QUESTION and not result["refused"]
    assert sorted(set(int(n) for n in re.findall(r"\[(\d+)\]", result["answer"]))) == [
        c["n"] for c in result["citations"]
    ]
    for c in result["citations"]:
        text = assistant.index.document_text(c["source"])
        assert text[c["start"] : c["end"]] == c["quote"]


def test_ask_endpoint_takes_history_and_filters(served: tuple[Assistant, str]) -> None:
    _, url = served
    client = Client(url, verbose=False)
    only = "13_federal_court_2025FC1527_stay_decision_2025-09-22.txt"
    result = client.predict(
        "Under which act?",
        [{"role": "user", "content": "Who ordered Hikvision Canada to close?"}],
        {"sources": [only]},
        api_name="/ask",
    )
    assert result["citations"] and {c["source"] for c in result["citations"]} == {only}


def test_only_the_ask_endpoints_are_public(served: tuple[Assistant, str]) -> None:
    _, url = served
    info = Client(url, verbose=False).view_api(print_info=False, return_format="dict")
    assert list(info["named_endpoints"]) == ["/ask", "/ask_stream"]
    assert info["unnamed_endpoints"] == {}


@pytest.mark.parametrize("endpoint", ["/ask", "/ask_stream"])
def test_view_api_tells_what_to_send(served: tuple[Assistant, str], endpoint: str) -> None:
    _, url = served
    info = Client(url, verbose=False).view_api(print_info=False, return_format="dict")
    api = info["named_endpoints"][endpoint]
    params = {p["parameter_name"]: p for p in api["parameters"]}
    assert list(params) == ["question", "history", "filters"]
    history = params["history"]["python_type"]["type"]
    assert "role: Literal['user', 'assistant']" in history and "content: str" in history
    filters = params["filters"]["python_type"]["type"]
    for key in ("sources: list[str]", "publishers: list[str]", "date_from", "date_to"):
        assert key in filters
    assert "history" in api["description"] and '"role": "user"' in api["description"]


def test_ask_stream_streams_then_ends_with_the_answer_object(
    served: tuple[Assistant, str],
) -> None:
    _, url = served
    client = Client(url, verbose=False)
    history = [{"role": "user", "content": "Who ordered Hikvision Canada to close?"}]
    filters = {"publishers": ["Federal Court"]}
    events = list(client.submit("Under which act?", history, filters, api_name="/ask_stream"))
    assert len(events) >= 2
    *partial, last = events
    assert all(e["done"] is False and e["answer"] is None for e in partial)
    assert any(e["text"] for e in partial)
    assert last["done"] is True and last["text"] == last["answer"]["answer"]
    whole = client.predict("Under which act?", history, filters, api_name="/ask")
    for key in ("question", "answer", "refused", "citations", "conflicts", "mode"):
        assert last["answer"][key] == whole[key]
    assert {c["publisher"] for c in last["answer"]["citations"]} == {"Federal Court of Canada"}


def test_ask_cli_uses_the_running_server_and_says_so(
    served: tuple[Assistant, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from assistant.cli.main import app

    _, url = served
    monkeypatch.setenv("ASSISTANT_WEB__PORT", url.rstrip("/").rsplit(":", 1)[1])
    monkeypatch.setattr("assistant.core.Assistant.__init__", _no_model_load)
    result = CliRunner().invoke(app, ["ask", HIKVISION_QUESTION, "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["metadata"]["answered_by"] == "server"
    assert answer["metadata"]["server_url"] == url.rstrip("/")
    assert answer["citations"] and f"[{answer['citations'][0]['n']}]" in answer["answer"]
    empty = CliRunner().invoke(app, ["ask", "  "])
    assert empty.exit_code == 2 and "question is empty" in empty.output


def _no_model_load(*_: object, **__: object) -> None:
    raise AssertionError("the CLI loaded the model although a server was up")


def test_ask_finds_no_server_on_a_closed_port_quickly() -> None:
    from assistant.cli.server_client import ask_running_server
    from assistant.settings import WebSettings

    assert ask_running_server(WebSettings(port=free_port()), "q", [], {}) is None
    assert ask_running_server(WebSettings(port=0), "q", [], {}) is None


def test_login_protects_the_page_and_every_route(tmp_path: Path) -> None:
    assistant = _assistant(tmp_path, username="staff", password="s3cret-pass")
    demo, url = launch(assistant, host="127.0.0.1", port=0, prevent_thread_lock=True, quiet=True)
    try:
        with httpx.Client(base_url=url, timeout=30) as anon:
            page = anon.get("/")
            assert page.status_code == 200 and "Ask the documents" not in page.text
            for route in ("/config", "/gradio_api/info", "/gradio_api/openapi.json"):
                assert anon.get(route).status_code == 401, route
            call = anon.post("/gradio_api/call/ask", json={"data": [HIKVISION_QUESTION]})
            assert call.status_code == 401
            assert (
                anon.post("/gradio_api/upload", files={"files": ("a.txt", b"x")}).status_code == 401
            )
            assert (
                anon.post("/login", data={"username": "staff", "password": "nope"}).status_code
                == 400
            )
        with pytest.raises(Exception):  # noqa: B017 - gradio_client raises a plain ValueError
            Client(url, verbose=False)
        with httpx.Client(base_url=url, timeout=30) as user:
            assert user.post(
                "/login", data={"username": "staff", "password": "s3cret-pass"}
            ).is_success
            config = user.get("/config")
            assert config.status_code == 200 and "Ask the documents" in config.text
        client = Client(url, auth=("staff", "s3cret-pass"), verbose=False)
        assert client.predict(HIKVISION_QUESTION, api_name="/ask")["citations"]
    finally:
        demo.close()


def test_serve_command_serves_then_indexes(tmp_path: Path) -> None:
    """`assistant serve` on a fresh folder: listens first, builds the index in the
    background, then the page answers from it."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in sorted(os.listdir(SAMPLE_CORPUS))[:4]:
        shutil.copy(SAMPLE_CORPUS / name, corpus / name)
    port = free_port()
    exe = Path(sys.executable).with_name("assistant")
    started = time.perf_counter()
    proc = subprocess.Popen(
        [
            str(exe),
            "serve",
            "--port",
            str(port),
            "--corpus",
            str(corpus),
            "--index-dir",
            str(tmp_path / "index"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"},
    )
    try:
        output = []
        assert proc.stdout is not None
        for line in proc.stdout:
            output.append(line)
            if "Serving the assistant on" in line:
                break
        assert f"http://127.0.0.1:{port}" in "".join(output), "".join(output)
        assert "added 4" not in "".join(output)  # listening comes first
        page = httpx.get(f"http://127.0.0.1:{port}/config", timeout=30)
        assert page.status_code == 200 and "Ask the documents" in page.text
        print(f"serve: listening after {time.perf_counter() - started:.1f} s")
        for line in proc.stdout:
            output.append(line)
            if "index consistent" in line:
                break
        assert "added 4" in "".join(output), "".join(output)
        print(f"serve: index built after {time.perf_counter() - started:.1f} s")
        result = Client(f"http://127.0.0.1:{port}", verbose=False).predict(
            HIKVISION_QUESTION, api_name="/ask"
        )
        assert result["citations"]
        assert (tmp_path / "index" / "state.sqlite").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
