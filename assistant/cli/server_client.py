"""Ask a running ``assistant serve`` instead of loading the model in this process.

A CLI call that loads the embedding model spends seconds before it can answer; a
server already holds it. ``ask_running_server`` tries the page's ``/ask`` API on
the configured host and port with a short connect timeout and returns ``None``
when nothing answers there, so the caller falls back to answering in-process.
Only httpx is imported (no torch, no gradio): this path must stay light.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from assistant.errors import EnvironmentProblemError
from assistant.settings import WebSettings

CONNECT_TIMEOUT_S = 0.3
ANSWER_TIMEOUT_S = 300.0


class ServerAnswerError(EnvironmentProblemError):
    """The server was reached but could not answer (it said why)."""


def server_url(web: WebSettings) -> str:
    """Where ``assistant serve`` with these settings is reachable from this machine."""
    host = web.host
    if host in ("0.0.0.0", "", "::"):  # listening everywhere: ask it on loopback
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{web.port}"


def ask_running_server(
    web: WebSettings,
    question: str,
    history: list[dict[str, str]],
    filters: dict[str, Any],
    connect_timeout: float = CONNECT_TIMEOUT_S,
) -> dict[str, Any] | None:
    """The answer object from a running server, or ``None`` when none is up there.

    Raises ``ServerAnswerError`` when the server was reached and refused the question
    (bad filter, login rejected): the same error an in-process answer would give.
    """
    if web.port == 0:
        return None  # "any free port": nothing to find
    base = server_url(web)
    timeout = httpx.Timeout(ANSWER_TIMEOUT_S, connect=connect_timeout)
    try:
        with httpx.Client(base_url=base, timeout=timeout, trust_env=False) as client:
            if web.username and web.password:
                password = web.password.get_secret_value()
                login = client.post("/login", data={"username": web.username, "password": password})
                if login.status_code != 200:
                    raise ServerAnswerError(
                        f"the server at {base} rejected the login in web.username/web.password"
                    )
            started = client.post(
                "/gradio_api/call/ask", json={"data": [question, history, filters]}
            )
            if started.status_code != 200:
                return None  # not an assistant page (or an old one): answer in-process
            event_id = started.json()["event_id"]
            with client.stream("GET", f"/gradio_api/call/ask/{event_id}") as events:
                return _final_output(events.iter_lines(), base)
    except (httpx.ConnectError, httpx.ConnectTimeout):
        return None
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        raise ServerAnswerError(f"the server at {base} failed to answer ({exc})") from exc


def _final_output(lines: Any, base: str) -> dict[str, Any]:
    """The ``data`` of the ``complete`` event of a Gradio SSE stream."""
    event = None
    for line in lines:
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and event in ("complete", "error"):
            data = json.loads(line.split(":", 1)[1])
            if event == "error":
                raise ServerAnswerError(f"the server at {base} could not answer: {data}")
            answer = data[0]
            answer.setdefault("metadata", {})
            return answer
    raise ServerAnswerError(f"the server at {base} closed the answer stream early")
