"""Stopping a streaming model over real HTTP: an OpenAI-compatible stub on loopback.

When the answer has enough sentences, the client closes the stream, so a real server
(llama.cpp server, vLLM) stops generating; a reply cut by the server's token limit
(``finish_reason: length``) loses its unfinished last sentence.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant.core import Assistant

QUESTION = "What test must applicants meet to obtain a stay?"


class StreamingStub(BaseHTTPRequestHandler):
    pieces: list[str] = []
    finish_reason = "stop"  # not "finish": that is the handler method socketserver calls
    sent = 0
    disconnected = threading.Event()

    def do_POST(self) -> None:  # noqa: N802
        json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        base = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "m"}
        try:
            for piece in StreamingStub.pieces:
                delta = {"role": "assistant", "content": piece}
                choice = {"index": 0, "delta": delta, "finish_reason": None}
                self._event({**base, "choices": [choice]})
                StreamingStub.sent += 1
                time.sleep(0.02)
            done = {"index": 0, "delta": {}, "finish_reason": StreamingStub.finish_reason}
            self._event({**base, "choices": [done]})
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            StreamingStub.disconnected.set()

    def _event(self, body: dict) -> None:
        self.wfile.write(f"data: {json.dumps(body)}\n\n".encode())
        self.wfile.flush()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def openai_stub(fake_assistant: Assistant, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    pytest.importorskip("langchain_openai")
    server = ThreadingHTTPServer(("127.0.0.1", 0), StreamingStub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    StreamingStub.sent = 0
    StreamingStub.disconnected.clear()
    monkeypatch.setattr(
        fake_assistant.settings.llm, "base_url", f"http://127.0.0.1:{server.server_port}/v1"
    )
    yield fake_assistant
    server.shutdown()


def words_of(sentence: str) -> list[str]:
    return [w + " " for w in sentence.split()]


def test_the_stream_is_closed_once_the_answer_has_enough_sentences(
    openai_stub: Assistant,
) -> None:
    top = openai_stub.ask(QUESTION).citations[0].quote
    openai_stub.settings.answer.max_sentences = 1
    sentences = [f"{top} [1]."] + [f"Sentence number {i} goes on [1]." for i in range(20)]
    StreamingStub.pieces = [w for s in sentences for w in words_of(s)]
    StreamingStub.finish_reason = "stop"
    answer = openai_stub.ask(QUESTION, mode="openai")
    assert answer.mode == "openai" and "Sentence number" not in answer.answer
    assert StreamingStub.disconnected.wait(5)  # the server saw the client go away...
    assert StreamingStub.sent < len(StreamingStub.pieces)  # ...before it had sent everything


def test_a_reply_cut_by_the_servers_token_limit_drops_its_unfinished_sentence(
    openai_stub: Assistant,
) -> None:
    top = openai_stub.ask(QUESTION).citations[0].quote
    StreamingStub.pieces = words_of(f"{top} [1].") + words_of(top[: len(top) // 2])
    StreamingStub.finish_reason = "length"
    answer = openai_stub.ask(QUESTION, mode="openai")
    assert answer.mode == "openai"
    assert answer.answer.count(top[:20]) == 1
    dropped = answer.metadata["dropped_sentences"]
    assert [d["reason"] for d in dropped] == [
        "unfinished: the model stopped at its token limit (llm.max_tokens)"
    ]
