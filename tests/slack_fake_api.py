"""A small recording Slack Web API on loopback, and helpers to sign Slack requests.

It keeps the messages posted to it per channel (with thread, bot ids and
metadata) so ``conversations.replies`` returns a thread as Slack would.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BOT_USER = "UBOT"
BOT_ID = "BBOT"
TEAM = "T0TEST"


class FakeSlackAPI:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.fail: dict[str, str] = {}  # method -> error to return
        self.socket_url = ""  # what apps.connections.open hands out (Socket Mode tests)
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _handle(self) -> None:
                path, _, query = self.path.partition("?")
                params: dict[str, Any] = dict(urllib.parse.parse_qsl(query))
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                if raw:
                    if "json" in (self.headers.get("Content-Type") or ""):
                        params.update(json.loads(raw))
                    else:
                        params.update(dict(urllib.parse.parse_qsl(raw)))
                for key in ("blocks", "metadata"):
                    if isinstance(params.get(key), str):
                        params[key] = json.loads(params[key])
                method = path.rsplit("/", 1)[-1]
                if path.startswith("/respond/"):
                    method = "response_url"
                body = fake.handle(method, params)
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = _handle
            do_POST = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --------------------------------------------------------------- server
    def start(self) -> FakeSlackAPI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    @property
    def response_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/respond/1"

    # ----------------------------------------------------------------- state
    def next_ts(self) -> str:
        return f"{1_750_000_000 + next(self._ts)}.000100"

    def add_user_message(
        self, channel: str, text: str, user: str = "U1", thread_ts: str | None = None
    ) -> dict[str, Any]:
        """What Slack stores when a person writes; returns the message (with its ts)."""
        with self._lock:
            message = {"type": "message", "user": user, "text": text, "ts": self.next_ts()}
            if thread_ts:
                message["thread_ts"] = thread_ts
            self.messages.setdefault(channel, []).append(message)
            return message

    def handle(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.calls.append((method, params))
            if method in self.fail:
                return {"ok": False, "error": self.fail[method]}
            if method == "auth.test":
                return {
                    "ok": True,
                    "url": "https://test.slack.com/",
                    "team": "Test",
                    "user": "assistant",
                    "team_id": TEAM,
                    "user_id": BOT_USER,
                    "bot_id": BOT_ID,
                }
            if method == "apps.connections.open":
                return {"ok": True, "url": self.socket_url}
            if method == "chat.postMessage":
                message = {
                    "type": "message",
                    "user": BOT_USER,
                    "bot_id": BOT_ID,
                    "ts": self.next_ts(),
                    "text": params.get("text", ""),
                    "blocks": params.get("blocks", []),
                }
                if params.get("thread_ts"):
                    message["thread_ts"] = params["thread_ts"]
                if params.get("metadata"):
                    message["metadata"] = params["metadata"]
                self.messages.setdefault(params["channel"], []).append(message)
                return {
                    "ok": True,
                    "channel": params["channel"],
                    "ts": message["ts"],
                    "message": message,
                }
            if method == "chat.update":
                for message in self.messages.get(params["channel"], []):
                    if message["ts"] == params["ts"]:
                        for key in ("text", "blocks", "metadata"):
                            if key in params:
                                message[key] = params[key]
                        return {"ok": True, "channel": params["channel"], "ts": params["ts"]}
                return {"ok": False, "error": "message_not_found"}
            if method == "conversations.replies":
                thread = params["ts"]
                found = [
                    m
                    for m in self.messages.get(params["channel"], [])
                    if m["ts"] == thread or m.get("thread_ts") == thread
                ]
                return {
                    "ok": True,
                    "messages": sorted(found, key=lambda m: float(m["ts"])),
                    "has_more": False,
                }
            return {"ok": True}

    # ------------------------------------------------------------- queries
    def calls_to(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [p for m, p in self.calls if m == method]

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    def thread(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        with self._lock:
            return [m for m in self.messages.get(channel, []) if m.get("thread_ts") == thread_ts]

    def wait_for(self, predicate: Any, timeout: float = 30.0) -> Any:
        """Poll ``predicate()`` until it returns something truthy (the bot answers after ack)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            time.sleep(0.02)
        raise AssertionError(f"timed out; calls so far: {[m for m, _ in self.calls]}")


# ------------------------------------------------------------------ signing
def sign(secret: str, timestamp: str, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def post(
    url: str,
    body: str,
    content_type: str,
    secret: str | None = None,
    timestamp: int | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, str]:
    """POST ``body``; signed with ``secret`` when given. Returns (status, response text)."""
    all_headers = {"Content-Type": content_type}
    if secret is not None:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        all_headers["X-Slack-Request-Timestamp"] = ts
        all_headers["X-Slack-Signature"] = sign(secret, ts, body)
    all_headers.update(headers or {})
    request = urllib.request.Request(url, data=body.encode(), headers=all_headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def event_body(event: dict[str, Any], event_id: str) -> str:
    return json.dumps(
        {
            "token": "unused",
            "team_id": TEAM,
            "api_app_id": "A0TEST",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
            "event": event,
        }
    )
